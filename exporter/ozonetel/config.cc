#include "ozonetel/config.h"

#include "callcenter/common/strings.h"
#include "callcenter/common/timeutil.h"

namespace callcenter::ozonetel {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

void ParseLimits(core::ConfigNode section, Limits* limits) {
  section.Int("cdr_per_minute", &limits->cdr_per_minute, 1, 1000);
  section.Int("summary_per_minute", &limits->summary_per_minute, 1, 1000);
  section.Int("aht_per_minute", &limits->aht_per_minute, 1, 10000);
  section.Int("agentdetails_per_minute", &limits->agentdetails_per_minute, 1,
              1000);
  section.Int("tokens_per_hour", &limits->tokens_per_hour, 1, 1000);
  milliseconds margin = limits->margin;
  section.Duration("margin", &margin, milliseconds(0), minutes(10));
  limits->margin = std::chrono::duration_cast<Seconds>(margin);
  section.RejectUnknown();
}

}  // namespace

bool ParseOzonetelConfig(core::ConfigNode& root, const core::EnvLookup& env,
                         OzonetelConfig* config) {
  root.Int("max_dispositions", &config->max_dispositions, 1, 1000);
  root.Int("max_campaigns", &config->max_campaigns, 1, 1000);
  if (!root.Has("ozonetel")) return false;
  core::ConfigNode section = root.Child("ozonetel");
  ClientOptions& client = config->client;
  section.String("url", &client.base_url, true);
  if (!client.base_url.empty() && !StartsWith(client.base_url, "http://") &&
      !StartsWith(client.base_url, "https://")) {
    section.Error("url", "must start with http:// or https://");
  }
  while (!client.base_url.empty() && client.base_url.back() == '/') {
    client.base_url.pop_back();
  }
  section.String("user_name", &client.user_name, true);
  std::string auth = "api_key";
  section.Enum("auth", &auth, {"api_key", "token"});
  client.auth = auth == "token" ? ClientOptions::Auth::kToken
                                : ClientOptions::Auth::kApiKey;
  section.Secret("api_key_file", "OZONETEL_API_KEY", env, &client.api_key);
  std::string timezone = "+05:30";
  section.String("timezone", &timezone);
  if (auto offset = ParseUtcOffset(timezone)) {
    config->timezone_offset = *offset;
  } else {
    section.Error("timezone", "must be a UTC offset such as +05:30, got \"" +
                                  timezone + "\"");
  }
  ParseLimits(section.Child("limits"), &config->limits);
  section.Duration("token_ttl", &client.token_ttl, Seconds(60), minutes(60));
  section.Duration("request_timeout", &client.request_timeout,
                   milliseconds(100), minutes(10));
  section.StringList("rate_limit_patterns", &client.rate_limit_patterns);

  core::ConfigNode cdr = section.Child("cdr");
  cdr.String("endpoint", &client.cdr_path);
  cdr.Duration("overlap", &config->cdr_overlap, Seconds(1), hours(24));
  cdr.Duration("late_data_until", &config->late_data_until, Seconds(1),
               hours(23));
  cdr.Duration("settle_timeout", &config->settle_timeout, Seconds(1),
               hours(24));
  cdr.RejectUnknown();

  core::ConfigNode summary = section.Child("summary");
  summary.Duration("interval", &config->summary_interval, Seconds(1),
                   hours(24));
  summary.Enum("join_key", &config->summary_join_key,
               {"AgentName", "AgentUniqueID", "AgentIncrID"});
  summary.RejectUnknown();

  core::ConfigNode aht = section.Child("aht");
  aht.Duration("min_refresh", &config->aht_min_refresh, Seconds(1), hours(24));
  aht.RejectUnknown();
  events::EventsConfig events;
  if (events::ParseEventsConfig(section, env, &events)) {
    config->events = std::move(events);
  }
  section.RejectUnknown();
  return true;
}

}  // namespace callcenter::ozonetel
