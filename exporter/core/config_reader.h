// A YAML reader that never throws and never guesses. Every accessor checks
// the node's type, parses numbers with range checks, and reports a problem
// as one line naming the dotted key ("ozonetel.limits.cdr_per_minute: must
// be an integer from 1 to 1000, got \"x\""). A mapping reports duplicate
// keys, non-string keys and, once its reader is done, unknown keys.
#ifndef CALLCENTER_CORE_CONFIG_READER_H_
#define CALLCENTER_CORE_CONFIG_READER_H_

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace callcenter::core {

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

class ConfigNode {
 public:
  // Parses YAML text (at most `max_bytes`); problems go to `errors`. The
  // root must be a mapping.
  static ConfigNode Parse(const std::string& text,
                          std::vector<std::string>* errors,
                          size_t max_bytes = size_t{1} << 20);
  ConfigNode(YAML::Node node, std::string path,
             std::vector<std::string>* errors);

  // Present and not null. Marks the key as known.
  bool Has(const std::string& key);
  // A mapping below `key` (an empty one when absent; an error when present
  // and not a mapping).
  ConfigNode Child(const std::string& key);
  // The items of a sequence below `key` ("key[3]" in messages); empty when
  // absent, an error when not a sequence.
  std::vector<ConfigNode> Items(const std::string& key);

  void String(const std::string& key, std::string* out, bool required = false);
  void StringList(const std::string& key, std::vector<std::string>* out,
                  bool allow_empty = false);
  void StringMap(const std::string& key,
                 std::vector<std::pair<std::string, std::string>>* out);
  void Int(const std::string& key, int* out, int min, int max);
  void Double(const std::string& key, double* out, double min, double max);
  void Bool(const std::string& key, bool* out);
  // Go-style durations ("30s", "5m", "1h30m", "250ms"), within [min, max].
  void Duration(const std::string& key, std::chrono::milliseconds* out,
                std::chrono::milliseconds min, std::chrono::milliseconds max);
  void Duration(const std::string& key, std::chrono::seconds* out,
                std::chrono::seconds min, std::chrono::seconds max);
  // One of `choices`.
  void Enum(const std::string& key, std::string* out,
            const std::vector<std::string>& choices);
  // A secret from the file named by `file_key` (a regular file under
  // 4 KiB, trimmed) or else the environment variable `env_name`.
  void Secret(const std::string& file_key, const std::string& env_name,
              const EnvLookup& env, std::string* out, bool required = true);

  // This node is a scalar (for list items that are either a scalar or a
  // mapping); its text.
  bool IsScalar() const;
  bool IsMap() const;
  std::string ScalarText() const;

  // Reports keys that no accessor asked for.
  void RejectUnknown();
  void Error(const std::string& key, const std::string& problem);
  // Problem about this node itself.
  void ErrorHere(const std::string& problem);
  std::string Path(const std::string& key) const;
  std::vector<std::string>* errors() const { return errors_; }

 private:
  std::optional<YAML::Node> Scalar(const std::string& key,
                                   const std::string& expected);
  void CheckKeys();

  YAML::Node node_;
  std::string path_;
  std::vector<std::string>* errors_;
  std::set<std::string> seen_;
};

// "30s", "5m", "1h30m", "250ms", "2d" or a bare number of seconds; nullopt
// on anything else or when the value overflows.
std::optional<std::chrono::milliseconds> ParseGoDuration(
    const std::string& text);

std::optional<std::string> ProcessEnv(const std::string& name);

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_CONFIG_READER_H_
