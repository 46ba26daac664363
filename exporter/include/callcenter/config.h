// The exporter's YAML configuration. LoadConfig never throws: every problem
// becomes one line that names the offending key, and nothing is defaulted
// silently when a key is present but wrong.
#ifndef CALLCENTER_CONFIG_H_
#define CALLCENTER_CONFIG_H_

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"

namespace callcenter {

struct OzonetelLimits {
  int cdr_per_minute = 2;
  int summary_per_minute = 5;
  int aht_per_minute = 50;
  int tokens_per_hour = 10;
  // Added to every window on our side, because the vendor's clock and ours
  // never agree exactly and a request that lands early counts against us.
  Seconds margin{1};
};

struct OzonetelConfig {
  std::string url;
  std::string user_name;
  enum class Auth { kApiKey, kToken } auth = Auth::kApiKey;
  std::string api_key_file;
  std::string api_key;  // resolved from the file or OZONETEL_API_KEY
  Seconds timezone_offset{5 * 3600 + 30 * 60};
  OzonetelLimits limits;
  Seconds token_ttl{55 * 60};
  std::chrono::milliseconds request_timeout{30000};
  std::vector<std::string> rate_limit_patterns{"max limit exceeded",
                                               "only 1 hit"};
  // CDR polling.
  std::string cdr_endpoint = "/ca_reports/fetchCDRDetails";
  Seconds cdr_overlap{30 * 60};       // re-read this much before the last end
  Seconds late_data_until{3 * 3600};  // keep polling yesterday until 03:00
  Seconds settle_timeout{15 * 60};    // count an unsettled record after this
  // Summary and AHT polling.
  Seconds summary_interval{60};
  Seconds aht_min_refresh{60};  // never ask for one agent's AHT more often
  std::string summary_join_key = "AgentName";
};

struct CrmConfig {
  std::string url;
  std::string api_key_file;
  std::string api_key;  // resolved from the file or CRM_API_KEY
  std::string query;
  std::string result_path = "data.calls";
  std::string agent_field = "agentName";
  std::string id_field = "id";
  std::string created_field = "createdAt";
  int page_size = 200;
  int requests_per_minute = 6;
  Seconds interval{60};
  Seconds overlap{30 * 60};
  std::chrono::milliseconds request_timeout{30000};
};

struct AgentEntry {
  std::string id;
  std::string name;  // optional display name; also the summaryReport key
};

struct Config {
  OzonetelConfig ozonetel;
  std::optional<CrmConfig> crm;
  std::vector<AgentEntry> agents;  // empty: discover from CDRs and summaries
  bool per_agent_metrics = true;
  int max_dispositions = 50;
  int max_campaigns = 50;
  // Overrides of the learned AgentName -> AgentID mapping.
  std::map<std::string, std::string> agent_name_map;
};

struct ConfigResult {
  Config config;
  std::vector<std::string> errors;  // "key: problem", one per line
  bool ok() const { return errors.empty(); }
};

// Parses YAML text. `env` resolves OZONETEL_API_KEY and CRM_API_KEY (pass
// getenv in production, a map in tests).
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
ConfigResult ParseConfig(const std::string& yaml_text, EnvLookup env);
ConfigResult LoadConfigFile(const std::string& path, EnvLookup env);

std::optional<std::string> ProcessEnv(const std::string& name);

// "30s", "5m", "1h30m", "250ms" or a bare number of seconds.
std::optional<std::chrono::milliseconds> ParseGoDuration(
    const std::string& text);

// The default GraphQL query for a Twenty-style CRM (docs/ozonetel-api.md §12).
extern const char kDefaultCrmQuery[];

}  // namespace callcenter

#endif  // CALLCENTER_CONFIG_H_
