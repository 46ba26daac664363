// The `ozonetel` section of the configuration (plus the top-level
// max_dispositions and max_campaigns that bound the CDR labels).
#ifndef CALLCENTER_OZONETEL_CONFIG_H_
#define CALLCENTER_OZONETEL_CONFIG_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "core/config_reader.h"
#include "ozonetel/client.h"
#include "ozonetel/events/config.h"

namespace callcenter::ozonetel {

struct Limits {
  int cdr_per_minute = 2;
  int summary_per_minute = 5;
  int aht_per_minute = 50;
  int agentdetails_per_minute = 10;
  int tokens_per_hour = 10;
  // Added to every window on our side, because the vendor's clock and ours
  // never agree exactly and a request that lands early counts against us.
  Seconds margin{1};
};

struct OzonetelConfig {
  ClientOptions client;  // url, user name, auth, key, paths, timeouts
  Seconds timezone_offset{5 * 3600 + 30 * 60};
  Limits limits;
  // CDR polling.
  Seconds cdr_overlap{30 * 60};
  Seconds late_data_until{3 * 3600};
  Seconds settle_timeout{15 * 60};
  int max_dispositions = 50;
  int max_campaigns = 50;
  // Summary and AHT polling.
  Seconds summary_interval{60};
  std::string summary_join_key = "AgentName";
  Seconds aht_min_refresh{60};
  // The event webhook; absent when `ozonetel.events` is not configured.
  std::optional<events::EventsConfig> events;
};

// Reads the `ozonetel` section; false when the config has none.
bool ParseOzonetelConfig(core::ConfigNode& root, const core::EnvLookup& env,
                         OzonetelConfig* config);

}  // namespace callcenter::ozonetel

#endif  // CALLCENTER_OZONETEL_CONFIG_H_
