#include "core/config_reader.h"

#include <cstdlib>
#include <limits>
#include <map>

#include "callcenter/common/files.h"
#include "callcenter/common/strings.h"

namespace callcenter::core {
namespace {

constexpr size_t kMaxSecretBytes = 4096;

// A YAML key or value may hold line breaks; a problem stays one line.
std::string OneLine(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Quote(const std::string& text) {
  std::string shown = text.size() > 80 ? text.substr(0, 80) + "..." : text;
  return "\"" + shown + "\"";
}

// Whole number text with overflow detection.
std::optional<int64_t> ParseWhole(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t value = 0;
  size_t i = 0;
  const bool negative = text[0] == '-';
  if (negative || text[0] == '+') i = 1;
  if (i == text.size()) return std::nullopt;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return negative ? -value : value;
}

}  // namespace

ConfigNode ConfigNode::Parse(const std::string& text,
                             std::vector<std::string>* errors,
                             size_t max_bytes) {
  YAML::Node root;
  if (text.size() > max_bytes) {
    errors->push_back("config: larger than " + std::to_string(max_bytes) +
                      " bytes");
    return ConfigNode(YAML::Node(YAML::NodeType::Map), "", errors);
  }
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    errors->push_back(OneLine("config: invalid YAML at line " +
                              std::to_string(error.mark.line + 1) + ": " +
                              error.msg));
    return ConfigNode(YAML::Node(YAML::NodeType::Map), "", errors);
  } catch (const std::exception& error) {
    errors->push_back(OneLine(std::string("config: cannot parse: ") +
                              error.what()));
    return ConfigNode(YAML::Node(YAML::NodeType::Map), "", errors);
  }
  if (!root.IsMap()) {
    errors->push_back("config: the top level must be a mapping");
    return ConfigNode(YAML::Node(YAML::NodeType::Map), "", errors);
  }
  return ConfigNode(root, "", errors);
}

ConfigNode::ConfigNode(YAML::Node node, std::string path,
                       std::vector<std::string>* errors)
    : node_(std::move(node)), path_(std::move(path)), errors_(errors) {
  if (node_.IsMap()) CheckKeys();
}

void ConfigNode::CheckKeys() {
  std::map<std::string, int> counts;
  for (const auto& entry : node_) {
    if (!entry.first.IsScalar()) {
      ErrorHere("keys must be strings");
      continue;
    }
    if (++counts[entry.first.Scalar()] == 2) {
      Error(entry.first.Scalar(), "duplicate key");
    }
  }
}

std::string ConfigNode::Path(const std::string& key) const {
  if (path_.empty()) return key;
  if (!key.empty() && key[0] == '[') return path_ + key;
  return path_ + "." + key;
}

void ConfigNode::Error(const std::string& key, const std::string& problem) {
  errors_->push_back(OneLine(Path(key) + ": " + problem));
}

void ConfigNode::ErrorHere(const std::string& problem) {
  errors_->push_back(
      OneLine((path_.empty() ? "config" : path_) + ": " + problem));
}

bool ConfigNode::Has(const std::string& key) {
  seen_.insert(key);
  if (!node_.IsMap()) return false;
  const YAML::Node child = node_[key];
  return child && !child.IsNull();
}

ConfigNode ConfigNode::Child(const std::string& key) {
  if (!Has(key)) {
    return ConfigNode(YAML::Node(YAML::NodeType::Map), Path(key), errors_);
  }
  YAML::Node child = node_[key];
  if (!child.IsMap()) {
    Error(key, "must be a mapping");
    child = YAML::Node(YAML::NodeType::Map);
  }
  return ConfigNode(child, Path(key), errors_);
}

std::vector<ConfigNode> ConfigNode::Items(const std::string& key) {
  std::vector<ConfigNode> items;
  if (!Has(key)) return items;
  const YAML::Node list = node_[key];
  if (!list.IsSequence()) {
    Error(key, "must be a list");
    return items;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    items.emplace_back(list[i], Path(key) + "[" + std::to_string(i) + "]",
                       errors_);
  }
  return items;
}

std::optional<YAML::Node> ConfigNode::Scalar(const std::string& key,
                                             const std::string& expected) {
  if (!Has(key)) return std::nullopt;
  YAML::Node value = node_[key];
  if (!value.IsScalar()) {
    Error(key, "must be " + expected + ", got a " +
                   (value.IsMap() ? "mapping" : "list"));
    return std::nullopt;
  }
  return value;
}

void ConfigNode::String(const std::string& key, std::string* out,
                        bool required) {
  auto value = Scalar(key, "a string");
  if (!value) {
    if (required && !Has(key)) Error(key, "is required");
    return;
  }
  *out = value->Scalar();
  if (required && out->empty()) Error(key, "must not be empty");
}

void ConfigNode::StringList(const std::string& key,
                            std::vector<std::string>* out, bool allow_empty) {
  if (!Has(key)) return;
  const YAML::Node list = node_[key];
  if (!list.IsSequence()) {
    Error(key, "must be a list of strings");
    return;
  }
  std::vector<std::string> values;
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].IsScalar()) {
      Error(key + "[" + std::to_string(i) + "]", "must be a string");
      return;
    }
    values.push_back(list[i].Scalar());
  }
  if (values.empty() && !allow_empty) {
    Error(key, "must not be empty");
    return;
  }
  *out = std::move(values);
}

void ConfigNode::StringMap(
    const std::string& key,
    std::vector<std::pair<std::string, std::string>>* out) {
  if (!Has(key)) return;
  ConfigNode map = Child(key);
  if (!map.node_.IsMap()) return;
  for (const auto& entry : map.node_) {
    if (!entry.first.IsScalar()) continue;  // reported by CheckKeys
    const std::string name = entry.first.Scalar();
    map.seen_.insert(name);
    if (!entry.second.IsScalar()) {
      map.Error(name, "must be a string");
      continue;
    }
    out->emplace_back(name, entry.second.Scalar());
  }
}

void ConfigNode::Int(const std::string& key, int* out, int min, int max) {
  auto value = Scalar(key, "an integer");
  if (!value) return;
  const auto parsed = ParseWhole(value->Scalar());
  if (!parsed || *parsed < min || *parsed > max) {
    Error(key, "must be an integer from " + std::to_string(min) + " to " +
                   std::to_string(max) + ", got " + Quote(value->Scalar()));
    return;
  }
  *out = static_cast<int>(*parsed);
}

void ConfigNode::Double(const std::string& key, double* out, double min,
                        double max) {
  auto value = Scalar(key, "a number");
  if (!value) return;
  const std::string& text = value->Scalar();
  char* end = nullptr;
  const double parsed = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(parsed >= min) ||
      !(parsed <= max)) {
    Error(key, "must be a number from " + std::to_string(min) + " to " +
                   std::to_string(max) + ", got " + Quote(text));
    return;
  }
  *out = parsed;
}

void ConfigNode::Bool(const std::string& key, bool* out) {
  auto value = Scalar(key, "true or false");
  if (!value) return;
  const std::string text = ToLower(value->Scalar());
  if (text == "true" || text == "yes" || text == "on") {
    *out = true;
  } else if (text == "false" || text == "no" || text == "off") {
    *out = false;
  } else {
    Error(key, "must be true or false, got " + Quote(value->Scalar()));
  }
}

void ConfigNode::Duration(const std::string& key,
                          std::chrono::milliseconds* out,
                          std::chrono::milliseconds min,
                          std::chrono::milliseconds max) {
  auto value = Scalar(key, "a duration");
  if (!value) return;
  const auto parsed = ParseGoDuration(value->Scalar());
  if (!parsed || *parsed < min || *parsed > max) {
    Error(key, "must be a duration such as 30s, 5m or 1h, from " +
                   std::to_string(min.count()) + "ms to " +
                   std::to_string(max.count()) + "ms, got " +
                   Quote(value->Scalar()));
    return;
  }
  *out = *parsed;
}

void ConfigNode::Duration(const std::string& key, std::chrono::seconds* out,
                          std::chrono::seconds min, std::chrono::seconds max) {
  std::chrono::milliseconds value = *out;
  const size_t errors_before = errors_->size();
  Duration(key, &value, min, max);
  if (errors_->size() != errors_before) return;
  if (value.count() % 1000 != 0) {
    Error(key, "must be whole seconds");
    return;
  }
  *out = std::chrono::duration_cast<std::chrono::seconds>(value);
}

void ConfigNode::Enum(const std::string& key, std::string* out,
                      const std::vector<std::string>& choices) {
  std::string value = *out;
  const size_t errors_before = errors_->size();
  String(key, &value);
  if (errors_->size() != errors_before) return;
  for (const std::string& choice : choices) {
    if (value == choice) {
      *out = value;
      return;
    }
  }
  std::string list;
  for (const std::string& choice : choices) {
    list += (list.empty() ? "" : ", ") + choice;
  }
  Error(key, "must be one of " + list + ", got " + Quote(value));
}

void ConfigNode::Secret(const std::string& file_key,
                        const std::string& env_name, const EnvLookup& env,
                        std::string* out, bool required) {
  std::string file;
  String(file_key, &file);
  if (!file.empty()) {
    const FileRead read = ReadRegularFile(file, kMaxSecretBytes);
    if (read.status == FileRead::Status::kMissing) {
      Error(file_key, "cannot read " + Quote(file) + ": no such file");
      return;
    }
    if (read.status == FileRead::Status::kError) {
      Error(file_key, "must name a regular file under 4 KiB: " + read.error);
      return;
    }
    *out = std::string(Trim(read.content));
    if (out->empty()) Error(file_key, "file " + Quote(file) + " is empty");
    return;
  }
  if (auto value = env(env_name); value && !Trim(*value).empty()) {
    if (value->size() > kMaxSecretBytes) {
      Error(file_key, "the " + env_name + " environment variable is too long");
      return;
    }
    *out = std::string(Trim(*value));
    return;
  }
  if (required) {
    Error(file_key, "no secret: set " + Path(file_key) + " or the " +
                        env_name + " environment variable");
  }
}

bool ConfigNode::IsScalar() const { return node_.IsScalar(); }
bool ConfigNode::IsMap() const { return node_.IsMap(); }
std::string ConfigNode::ScalarText() const {
  return node_.IsScalar() ? node_.Scalar() : std::string();
}

void ConfigNode::RejectUnknown() {
  if (!node_.IsMap()) return;
  std::set<std::string> reported;
  for (const auto& entry : node_) {
    if (!entry.first.IsScalar()) continue;
    const std::string key = entry.first.Scalar();
    if (seen_.count(key) == 0 && reported.insert(key).second) {
      Error(key, "unknown key");
    }
  }
}

std::optional<std::chrono::milliseconds> ParseGoDuration(
    const std::string& text) {
  if (text.empty() || text.size() > 32) return std::nullopt;
  constexpr int64_t kMaxMillis = int64_t{100} * 365 * 86400 * 1000;
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    if (text.size() > 12) return std::nullopt;
    return std::chrono::milliseconds(std::stoll(text) * 1000);
  }
  static const std::map<std::string, int64_t> kUnits = {
      {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (start == i || i - start > 9) return std::nullopt;
    const int64_t number = std::stoll(text.substr(start, i - start));
    const size_t unit_start = i;
    while (i < text.size() && ((text[i] >= 'a' && text[i] <= 'z'))) ++i;
    auto unit = kUnits.find(text.substr(unit_start, i - unit_start));
    if (unit == kUnits.end()) return std::nullopt;
    total += number * unit->second;
    if (total > kMaxMillis) return std::nullopt;
  }
  return std::chrono::milliseconds(total);
}

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace callcenter::core
