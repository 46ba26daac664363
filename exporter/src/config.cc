#include "callcenter/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "callcenter/common/timeutil.h"

namespace callcenter {

const char kDefaultCrmQuery[] =
    R"(query AppointmentsBooked($from: DateTime!, $to: DateTime!, $after: String, $first: Int) {
  calls(filter: { and: [
          { disposition: { eq: "APPOINTMENT_BOOKED" } },
          { createdAt: { gte: $from } }, { createdAt: { lte: $to } } ] },
        orderBy: { createdAt: AscNullsFirst }, first: $first, after: $after) {
    totalCount
    edges { node { id disposition agentName direction callStatus createdAt } }
    pageInfo { hasNextPage endCursor }
  }
})";

namespace {

// Walks a YAML mapping, remembering the dotted path for error messages and
// which keys were read, so unknown keys (typos) can be reported.
class Section {
 public:
  Section(const YAML::Node& node, std::string path,
          std::vector<std::string>* errors)
      : node_(node), path_(std::move(path)), errors_(errors) {}

  bool Has(const std::string& key) {
    seen_.insert(key);
    return node_[key] && !node_[key].IsNull();
  }
  std::string Key(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }
  void Error(const std::string& key, const std::string& problem) {
    errors_->push_back(Key(key) + ": " + problem);
  }
  YAML::Node Get(const std::string& key) { return node_[key]; }
  Section Child(const std::string& key) {
    seen_.insert(key);
    YAML::Node child = node_[key];
    if (child && !child.IsNull() && !child.IsMap()) {
      Error(key, "must be a mapping");
      child = YAML::Node(YAML::NodeType::Map);
    }
    return Section(child ? child : YAML::Node(YAML::NodeType::Map), Key(key),
                   errors_);
  }

  void String(const std::string& key, std::string* out, bool required) {
    if (!Has(key)) {
      if (required) Error(key, "is required");
      return;
    }
    YAML::Node value = Get(key);
    if (!value.IsScalar()) {
      Error(key, "must be a string");
      return;
    }
    *out = value.as<std::string>();
    if (required && out->empty()) Error(key, "must not be empty");
  }

  void PositiveInt(const std::string& key, int* out) {
    if (!Has(key)) return;
    YAML::Node value = Get(key);
    int parsed = 0;
    if (!value.IsScalar() || !YAML::convert<int>::decode(value, parsed) ||
        parsed <= 0) {
      Error(key, "must be a positive integer, got \"" + Scalar(value) + "\"");
      return;
    }
    *out = parsed;
  }

  void Bool(const std::string& key, bool* out) {
    if (!Has(key)) return;
    YAML::Node value = Get(key);
    bool parsed = false;
    if (!value.IsScalar() || !YAML::convert<bool>::decode(value, parsed)) {
      Error(key, "must be true or false, got \"" + Scalar(value) + "\"");
      return;
    }
    *out = parsed;
  }

  template <typename Duration>
  void DurationValue(const std::string& key, Duration* out) {
    if (!Has(key)) return;
    auto parsed = ParseGoDuration(Scalar(Get(key)));
    if (!parsed || parsed->count() <= 0) {
      Error(key, "must be a positive duration such as 30s, 5m or 1h, got \"" +
                     Scalar(Get(key)) + "\"");
      return;
    }
    *out = std::chrono::duration_cast<Duration>(*parsed);
  }

  // Reports keys that no reader asked for.
  void RejectUnknown() {
    if (!node_.IsMap()) return;
    for (const auto& entry : node_) {
      const std::string key = entry.first.as<std::string>();
      if (seen_.count(key) == 0) Error(key, "unknown key");
    }
  }

  static std::string Scalar(const YAML::Node& node) {
    return node.IsScalar() ? node.Scalar() : std::string("<not a scalar>");
  }

 private:
  YAML::Node node_;
  std::string path_;
  std::vector<std::string>* errors_;
  std::set<std::string> seen_;
};

std::string Trim(std::string text) {
  while (!text.empty() &&
         std::isspace(static_cast<unsigned char>(text.back()))) {
    text.pop_back();
  }
  size_t start = 0;
  while (start < text.size() &&
         std::isspace(static_cast<unsigned char>(text[start]))) {
    ++start;
  }
  return text.substr(start);
}

// A secret comes from a file (Docker/Kubernetes secrets) or the environment.
void ResolveSecret(Section& section, const std::string& file_key,
                   const std::string& env_name, const std::string& file,
                   const EnvLookup& env, std::string* out) {
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) {
      section.Error(file_key, "cannot read \"" + file + "\"");
      return;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    *out = Trim(buffer.str());
    if (out->empty()) section.Error(file_key, "file \"" + file + "\" is empty");
    return;
  }
  if (auto value = env(env_name); value && !Trim(*value).empty()) {
    *out = Trim(*value);
    return;
  }
  section.Error(file_key, "no API key: set " + file_key + " or the " +
                              env_name + " environment variable");
}

void ParseLimits(Section section, OzonetelLimits* limits) {
  section.PositiveInt("cdr_per_minute", &limits->cdr_per_minute);
  section.PositiveInt("summary_per_minute", &limits->summary_per_minute);
  section.PositiveInt("aht_per_minute", &limits->aht_per_minute);
  section.PositiveInt("tokens_per_hour", &limits->tokens_per_hour);
  if (section.Has("margin")) {
    auto parsed = ParseGoDuration(Section::Scalar(section.Get("margin")));
    if (!parsed || parsed->count() < 0) {
      section.Error("margin", "must be a duration such as 1s");
    } else {
      limits->margin = std::chrono::duration_cast<Seconds>(*parsed);
    }
  }
  section.RejectUnknown();
}

void ParseOzonetel(Section section, const EnvLookup& env,
                   OzonetelConfig* config) {
  section.String("url", &config->url, true);
  if (!config->url.empty() && config->url.rfind("http://", 0) != 0 &&
      config->url.rfind("https://", 0) != 0) {
    section.Error("url", "must start with http:// or https://");
  }
  while (!config->url.empty() && config->url.back() == '/') {
    config->url.pop_back();
  }
  section.String("user_name", &config->user_name, true);
  std::string auth = "api_key";
  section.String("auth", &auth, false);
  if (auth == "api_key") {
    config->auth = OzonetelConfig::Auth::kApiKey;
  } else if (auth == "token") {
    config->auth = OzonetelConfig::Auth::kToken;
  } else {
    section.Error("auth", "must be api_key or token, got \"" + auth + "\"");
  }
  section.String("api_key_file", &config->api_key_file, false);
  ResolveSecret(section, "api_key_file", "OZONETEL_API_KEY",
                config->api_key_file, env, &config->api_key);
  std::string timezone = "+05:30";
  section.String("timezone", &timezone, false);
  if (auto offset = ParseUtcOffset(timezone)) {
    config->timezone_offset = *offset;
  } else {
    section.Error("timezone", "must be a UTC offset such as +05:30, got \"" +
                                  timezone + "\"");
  }
  ParseLimits(section.Child("limits"), &config->limits);
  section.DurationValue("token_ttl", &config->token_ttl);
  section.DurationValue("request_timeout", &config->request_timeout);
  if (section.Has("rate_limit_patterns")) {
    YAML::Node patterns = section.Get("rate_limit_patterns");
    if (!patterns.IsSequence() || patterns.size() == 0) {
      section.Error("rate_limit_patterns", "must be a non-empty list");
    } else {
      config->rate_limit_patterns.clear();
      for (const auto& p : patterns) {
        config->rate_limit_patterns.push_back(p.as<std::string>());
      }
    }
  }
  Section cdr = section.Child("cdr");
  cdr.String("endpoint", &config->cdr_endpoint, false);
  cdr.DurationValue("overlap", &config->cdr_overlap);
  cdr.DurationValue("late_data_until", &config->late_data_until);
  cdr.DurationValue("settle_timeout", &config->settle_timeout);
  cdr.RejectUnknown();
  Section summary = section.Child("summary");
  summary.DurationValue("interval", &config->summary_interval);
  summary.String("join_key", &config->summary_join_key, false);
  if (config->summary_join_key != "AgentName" &&
      config->summary_join_key != "AgentUniqueID" &&
      config->summary_join_key != "AgentIncrID") {
    summary.Error("join_key",
                  "must be AgentName, AgentUniqueID or AgentIncrID");
  }
  summary.RejectUnknown();
  Section aht = section.Child("aht");
  aht.DurationValue("min_refresh", &config->aht_min_refresh);
  aht.RejectUnknown();
  section.RejectUnknown();
}

void ParseCrm(Section section, const EnvLookup& env, CrmConfig* config) {
  section.String("url", &config->url, true);
  section.String("api_key_file", &config->api_key_file, false);
  ResolveSecret(section, "api_key_file", "CRM_API_KEY", config->api_key_file,
                env, &config->api_key);
  config->query = kDefaultCrmQuery;
  section.String("query", &config->query, false);
  section.String("result_path", &config->result_path, false);
  section.String("agent_field", &config->agent_field, false);
  section.String("id_field", &config->id_field, false);
  section.String("created_field", &config->created_field, false);
  section.PositiveInt("page_size", &config->page_size);
  section.PositiveInt("requests_per_minute", &config->requests_per_minute);
  section.DurationValue("interval", &config->interval);
  section.DurationValue("overlap", &config->overlap);
  section.DurationValue("request_timeout", &config->request_timeout);
  section.RejectUnknown();
}

void ParseAgents(Section& root, Config* config) {
  if (!root.Has("agents")) return;
  YAML::Node agents = root.Get("agents");
  if (!agents.IsSequence()) {
    root.Error("agents", "must be a list of agent ids or {id, name} entries");
    return;
  }
  for (size_t i = 0; i < agents.size(); ++i) {
    const YAML::Node& entry = agents[i];
    AgentEntry agent;
    if (entry.IsScalar()) {
      agent.id = entry.Scalar();
    } else if (entry.IsMap() && entry["id"] && entry["id"].IsScalar()) {
      agent.id = entry["id"].Scalar();
      if (entry["name"] && entry["name"].IsScalar()) {
        agent.name = entry["name"].Scalar();
        config->agent_name_map[agent.name] = agent.id;
      }
    }
    if (agent.id.empty()) {
      root.Error("agents[" + std::to_string(i) + "]",
                 "must be an agent id or a mapping with an id");
      continue;
    }
    config->agents.push_back(agent);
  }
}

}  // namespace

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::optional<std::chrono::milliseconds> ParseGoDuration(
    const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(),
                  [](unsigned char c) { return std::isdigit(c); })) {
    return std::chrono::milliseconds(std::stoll(text) * 1000);
  }
  int64_t total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() &&
           std::isdigit(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    if (start == i || i - start > 9) return std::nullopt;
    const int64_t number = std::stoll(text.substr(start, i - start));
    size_t unit_start = i;
    while (i < text.size() &&
           std::isalpha(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    const std::string unit = text.substr(unit_start, i - unit_start);
    if (unit == "ms") {
      total_ms += number;
    } else if (unit == "s") {
      total_ms += number * 1000;
    } else if (unit == "m") {
      total_ms += number * 60 * 1000;
    } else if (unit == "h") {
      total_ms += number * 3600 * 1000;
    } else if (unit == "d") {
      total_ms += number * 86400 * 1000;
    } else {
      return std::nullopt;
    }
  }
  return std::chrono::milliseconds(total_ms);
}

ConfigResult ParseConfig(const std::string& yaml_text, EnvLookup env) {
  ConfigResult result;
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& error) {
    result.errors.push_back("config: invalid YAML at line " +
                            std::to_string(error.mark.line + 1) + ": " +
                            error.msg);
    return result;
  }
  if (!root.IsMap()) {
    result.errors.push_back("config: the top level must be a mapping");
    return result;
  }
  Section top(root, "", &result.errors);
  if (!top.Has("ozonetel")) {
    top.Error("ozonetel", "is required");
  } else {
    ParseOzonetel(top.Child("ozonetel"), env, &result.config.ozonetel);
  }
  if (top.Has("crm")) {
    CrmConfig crm;
    ParseCrm(top.Child("crm"), env, &crm);
    result.config.crm = crm;
  }
  ParseAgents(top, &result.config);
  top.Bool("per_agent_metrics", &result.config.per_agent_metrics);
  top.PositiveInt("max_dispositions", &result.config.max_dispositions);
  top.PositiveInt("max_campaigns", &result.config.max_campaigns);
  if (top.Has("agent_name_map")) {
    YAML::Node map = top.Get("agent_name_map");
    if (!map.IsMap()) {
      top.Error("agent_name_map", "must map AgentName to AgentID");
    } else {
      for (const auto& entry : map) {
        result.config.agent_name_map[entry.first.as<std::string>()] =
            entry.second.as<std::string>();
      }
    }
  }
  top.RejectUnknown();
  return result;
}

ConfigResult LoadConfigFile(const std::string& path, EnvLookup env) {
  std::ifstream in(path);
  if (!in) {
    ConfigResult result;
    result.errors.push_back("config.file: cannot read \"" + path + "\"");
    return result;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseConfig(buffer.str(), std::move(env));
}

}  // namespace callcenter
