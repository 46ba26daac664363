// Command-line options of ozonetel_sim (Prometheus-style flags).
#ifndef OZONETEL_SIM_OPTIONS_H_
#define OZONETEL_SIM_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"

namespace callcenter::sim {

enum class AuthMode { kApiKey, kToken };

// The CallDate of a record whose call ends after the midnight that follows
// its start. Production shows the end day (the hostile case, default).
enum class CrossingCallDate { kEnd, kStart };

// How pushed events are wrapped (live-floor.md §3): flat members, members
// under "data", or alternating by the event's place in the day's timeline.
enum class EventEnvelope { kFlat, kNested, kMixed };

// Event delivery (flags --events.*); the fault switches can also be changed
// at runtime through POST /_sim/events.
struct EventOptions {
  std::string agent_url;  // used verbatim, query string included
  std::string call_url;
  std::optional<int64_t> replay_from;  // unix seconds; default: start "now"
  EventEnvelope envelope = EventEnvelope::kMixed;
  bool paused = false;
  double drop_rate = 0;
  double duplicate_rate = 0;
  double reorder_rate = 0;
  int delay_ms = 0;
  bool retry = true;
  int max_retries = 3;
};

struct SimOptions {
  std::string listen_address = "127.0.0.1:18080";
  uint64_t seed = 1;
  int agents = 20;
  int night_agents = 0;  // extra agents with a 21:00-02:00 shift
  int queues = 0;        // live-floor queues; 0: the inbound campaign names
  int supervisors = 0;   // CCCP-only users
  std::string user_name = "demo";
  std::string api_key = "sim-api-key";
  std::string crm_api_key = "sim-crm-key";
  AuthMode auth = AuthMode::kApiKey;
  Seconds utc_offset{5 * 3600 + 30 * 60};
  int limit_cdr = 2;            // per 60 s, shared by the three CDR endpoints
  int limit_summary = 5;        // per 60 s
  int limit_aht = 50;           // per 60 s
  int limit_agentdetails = 10;  // per 60 s
  int limit_tokens = 10;        // per 3600 s
  int rate_limit_style = 429;   // 429, or 200 with the same body
  int retention_days = 15;
  bool late_data = false;
  bool reject_future = true;
  double calls_per_agent_hour = 6.0;
  CrossingCallDate crossing_call_date = CrossingCallDate::kEnd;
  double no_wrapup_end_rate = 0;
  EventOptions events;
  std::string cccp_file;               // empty: no file
  Seconds cccp_interval{10};           // simulated time between file writes
  std::optional<double> clock_origin;  // unix seconds
  std::optional<double> clock_epoch;   // unix seconds
  std::optional<double> clock_speed;
};

struct FlagParseResult {
  SimOptions options;
  bool help = false;
  std::string error;  // non-empty on a bad flag
};

// `args` excludes the program name.
FlagParseResult ParseFlags(const std::vector<std::string>& args);
std::string FlagHelp();

// "10s", "500ms", "2m", "1h" or bare seconds; nullopt when malformed.
std::optional<std::chrono::milliseconds> ParseGoDuration(
    const std::string& text);

inline constexpr int kMaxAgents = 20000;

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_OPTIONS_H_
