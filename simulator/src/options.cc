#include "ozonetel_sim/options.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <optional>
#include <sstream>

#include "callcenter/common/timeutil.h"

namespace callcenter::sim {
namespace {

// Returns "" on success or what is wrong with the value.
using Setter = std::function<std::string(const std::string&, SimOptions*)>;

struct FlagSpec {
  const char* name;
  const char* value_hint;  // nullptr for boolean flags
  const char* help;
  Setter set;
};

std::optional<int64_t> ParseInt(const std::string& text) {
  int64_t value = 0;
  auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> ParseDouble(const std::string& text) {
  if (text.empty()) return std::nullopt;
  size_t used = 0;
  try {
    double value = std::stod(text, &used);
    if (used != text.size() || !std::isfinite(value)) return std::nullopt;
    return value;
  } catch (...) {
    return std::nullopt;
  }
}

std::optional<bool> ParseBool(const std::string& text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return std::nullopt;
}

// A unix timestamp, or RFC 3339 for convenience.
std::optional<double> ParseInstant(const std::string& text) {
  if (auto number = ParseDouble(text)) return number;
  if (auto t = ParseRfc3339(text)) return ToUnixSeconds(*t);
  return std::nullopt;
}

Setter IntFlag(int SimOptions::*field, int64_t min, int64_t max) {
  return [=](const std::string& text, SimOptions* options) -> std::string {
    auto value = ParseInt(text);
    if (!value || *value < min || *value > max) {
      return "must be an integer from " + std::to_string(min) + " to " +
             std::to_string(max);
    }
    options->*field = static_cast<int>(*value);
    return "";
  };
}

Setter StringFlag(std::string SimOptions::*field) {
  return [=](const std::string& text, SimOptions* options) -> std::string {
    if (text.empty()) return "must not be empty";
    options->*field = text;
    return "";
  };
}

Setter BoolFlag(bool SimOptions::*field) {
  return [=](const std::string& text, SimOptions* options) -> std::string {
    auto value = ParseBool(text);
    if (!value) return "must be true or false";
    options->*field = *value;
    return "";
  };
}

Setter RateFlag(double* (*field)(SimOptions*)) {
  return [=](const std::string& text, SimOptions* options) -> std::string {
    auto value = ParseDouble(text);
    if (!value || *value < 0 || *value > 1) return "must be from 0 to 1";
    *field(options) = *value;
    return "";
  };
}

Setter InstantFlag(std::optional<double> SimOptions::*field) {
  return [=](const std::string& text, SimOptions* options) -> std::string {
    auto value = ParseInstant(text);
    if (!value) return "must be unix seconds or RFC 3339";
    options->*field = *value;
    return "";
  };
}

const std::vector<FlagSpec>& Specs() {
  static const std::vector<FlagSpec> specs = {
      {"web.listen-address", "ADDR",
       "Address to listen on (host:port; :0 picks a port).",
       StringFlag(&SimOptions::listen_address)},
      {"seed", "N", "Seed of the traffic model and fault decisions.",
       [](const std::string& text, SimOptions* o) -> std::string {
         auto value = ParseInt(text);
         if (!value || *value < 0) return "must be a non-negative integer";
         o->seed = static_cast<uint64_t>(*value);
         return "";
       }},
      {"agents", "N", "Number of (day) agents (1-20000).",
       IntFlag(&SimOptions::agents, 1, kMaxAgents)},
      {"night-agents", "N",
       "Extra agents working about 21:00-02:00, so some calls cross "
       "midnight (default 0; agents + night agents <= 20000).",
       IntFlag(&SimOptions::night_agents, 0, kMaxAgents)},
      {"crossing-call-date", "end|start",
       "CallDate of a record whose call ends after midnight (default end).",
       [](const std::string& text, SimOptions* o) -> std::string {
         if (text == "end") {
           o->crossing_call_date = CrossingCallDate::kEnd;
         } else if (text == "start") {
           o->crossing_call_date = CrossingCallDate::kStart;
         } else {
           return "must be end or start";
         }
         return "";
       }},
      {"no-wrapup-end-rate", "F",
       "Fraction of answered calls whose record never gets a WrapUpEndTime.",
       RateFlag([](SimOptions* o) { return &o->no_wrapup_end_rate; })},
      {"queues", "N",
       "Live-floor queues queue01..N (default: the inbound campaign names).",
       IntFlag(&SimOptions::queues, 0, 99)},
      {"supervisors", "N", "CCCP supervisors sup01..N (default 0).",
       IntFlag(&SimOptions::supervisors, 0, 1000)},
      {"user-name", "NAME", "Account userName.",
       StringFlag(&SimOptions::user_name)},
      {"api-key", "KEY", "Account apiKey.", StringFlag(&SimOptions::api_key)},
      {"crm-api-key", "KEY", "Bearer key of the CRM's /graphql.",
       StringFlag(&SimOptions::crm_api_key)},
      {"auth", "MODE", "Account auth mode: api_key or token.",
       [](const std::string& text, SimOptions* o) -> std::string {
         if (text == "api_key") {
           o->auth = AuthMode::kApiKey;
         } else if (text == "token") {
           o->auth = AuthMode::kToken;
         } else {
           return "must be api_key or token";
         }
         return "";
       }},
      {"timezone", "OFFSET", "UTC offset of reporting days, e.g. +05:30.",
       [](const std::string& text, SimOptions* o) -> std::string {
         auto offset = ParseUtcOffset(text);
         if (!offset) return "must be a UTC offset such as +05:30";
         o->utc_offset = *offset;
         return "";
       }},
      {"limit.cdr", "N",
       "CDR requests per 60 s (shared by the three CDR endpoints).",
       IntFlag(&SimOptions::limit_cdr, 1, 1000000)},
      {"limit.summary", "N", "summaryReport requests per 60 s.",
       IntFlag(&SimOptions::limit_summary, 1, 1000000)},
      {"limit.aht", "N", "aht requests per 60 s.",
       IntFlag(&SimOptions::limit_aht, 1, 1000000)},
      {"limit.agentdetails", "N", "agentdetails requests per 60 s.",
       IntFlag(&SimOptions::limit_agentdetails, 1, 1000000)},
      {"limit.tokens", "N", "Token generations per 3600 s.",
       IntFlag(&SimOptions::limit_tokens, 1, 1000000)},
      {"rate-limit-style", "429|200", "HTTP status of a rate-limited reply.",
       [](const std::string& text, SimOptions* o) -> std::string {
         if (text == "429") {
           o->rate_limit_style = 429;
         } else if (text == "200") {
           o->rate_limit_style = 200;
         } else {
           return "must be 429 or 200";
         }
         return "";
       }},
      {"retention-days", "N",
       "Days of CDR history; older days return details [].",
       IntFlag(&SimOptions::retention_days, 0, 3650)},
      {"late-data", nullptr,
       "Withhold ~10% of yesterday's records until 03:00 local time.",
       BoolFlag(&SimOptions::late_data)},
      {"reject-future", nullptr,
       "Reject a CDR toDate later than now (default true).",
       BoolFlag(&SimOptions::reject_future)},
      {"calls-per-agent-hour", "X", "Traffic scale (default 6).",
       [](const std::string& text, SimOptions* o) -> std::string {
         auto value = ParseDouble(text);
         if (!value || *value <= 0 || *value > 60) return "must be in (0, 60]";
         o->calls_per_agent_hour = *value;
         return "";
       }},
      {"events.agent-url", "URL",
       "Where agent events are POSTed (verbatim, ?token=... included).",
       [](const std::string& text, SimOptions* o) -> std::string {
         o->events.agent_url = text;
         return "";
       }},
      {"events.call-url", "URL", "Where call events are POSTed.",
       [](const std::string& text, SimOptions* o) -> std::string {
         o->events.call_url = text;
         return "";
       }},
      {"events.replay-from", "UNIX",
       "Deliver events from this instant (default: from now, no backlog).",
       [](const std::string& text, SimOptions* o) -> std::string {
         auto value = ParseInstant(text);
         if (!value) return "must be unix seconds or RFC 3339";
         o->events.replay_from = static_cast<int64_t>(std::floor(*value));
         return "";
       }},
      {"events-envelope", "flat|nested|mixed",
       "Event envelope (default mixed: alternating).",
       [](const std::string& text, SimOptions* o) -> std::string {
         if (text == "flat") {
           o->events.envelope = EventEnvelope::kFlat;
         } else if (text == "nested") {
           o->events.envelope = EventEnvelope::kNested;
         } else if (text == "mixed") {
           o->events.envelope = EventEnvelope::kMixed;
         } else {
           return "must be flat, nested or mixed";
         }
         return "";
       }},
      {"events.paused", nullptr, "Start with event delivery paused.",
       [](const std::string& text, SimOptions* o) -> std::string {
         auto value = ParseBool(text);
         if (!value) return "must be true or false";
         o->events.paused = *value;
         return "";
       }},
      {"events.drop-rate", "F", "Fraction of events never sent.",
       RateFlag([](SimOptions* o) { return &o->events.drop_rate; })},
      {"events.duplicate-rate", "F", "Fraction of events sent twice.",
       RateFlag([](SimOptions* o) { return &o->events.duplicate_rate; })},
      {"events.reorder-rate", "F",
       "Fraction of agent events delivered after the agent's next one.",
       RateFlag([](SimOptions* o) { return &o->events.reorder_rate; })},
      {"events.delay-ms", "MS", "Real-time lag of the whole event stream.",
       [](const std::string& text, SimOptions* o) -> std::string {
         auto value = ParseInt(text);
         if (!value || *value < 0 || *value > 600000) {
           return "must be an integer from 0 to 600000";
         }
         o->events.delay_ms = static_cast<int>(*value);
         return "";
       }},
      {"events.retry", nullptr,
       "Retry a delivery that failed (non-2xx, connection error); default "
       "true.",
       [](const std::string& text, SimOptions* o) -> std::string {
         auto value = ParseBool(text);
         if (!value) return "must be true or false";
         o->events.retry = *value;
         return "";
       }},
      {"events.max-retries", "N", "Retries per delivery (default 3).",
       [](const std::string& text, SimOptions* o) -> std::string {
         auto value = ParseInt(text);
         if (!value || *value < 0 || *value > 100) {
           return "must be an integer from 0 to 100";
         }
         o->events.max_retries = static_cast<int>(*value);
         return "";
       }},
      {"cccp-file", "PATH",
       "Write the cccp-snapshot/v1 document here (atomically) every "
       "--cccp-interval.",
       StringFlag(&SimOptions::cccp_file)},
      {"cccp-interval", "DURATION",
       "Simulated time between CCCP file writes (default 10s).",
       [](const std::string& text, SimOptions* o) -> std::string {
         auto value = ParseGoDuration(text);
         if (!value || *value < std::chrono::seconds(1)) {
           return "must be a duration of at least 1s, e.g. 10s";
         }
         o->cccp_interval = std::chrono::duration_cast<Seconds>(*value);
         return "";
       }},
      {"clock.origin", "UNIX",
       "Simulated time at the real instant --clock.epoch.",
       InstantFlag(&SimOptions::clock_origin)},
      {"clock.epoch", "UNIX", "A real instant (default: process start).",
       InstantFlag(&SimOptions::clock_epoch)},
      {"clock.speed", "X", "Simulated seconds per real second.",
       [](const std::string& text, SimOptions* o) -> std::string {
         auto value = ParseDouble(text);
         if (!value || *value <= 0) return "must be a positive number";
         o->clock_speed = *value;
         return "";
       }},
  };
  return specs;
}

const FlagSpec* FindSpec(const std::string& name) {
  for (const FlagSpec& spec : Specs()) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

}  // namespace

std::optional<std::chrono::milliseconds> ParseGoDuration(
    const std::string& text) {
  struct Unit {
    const char* suffix;
    double millis;
  };
  // Longest suffixes first so "ms" is not read as "m" then "s".
  static const Unit kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
  for (const Unit& unit : kUnits) {
    const std::string suffix = unit.suffix;
    if (text.size() <= suffix.size() ||
        text.compare(text.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    auto number = ParseDouble(text.substr(0, text.size() - suffix.size()));
    if (!number || *number < 0) return std::nullopt;
    return std::chrono::milliseconds(std::llround(*number * unit.millis));
  }
  auto seconds = ParseDouble(text);
  if (!seconds || *seconds < 0) return std::nullopt;
  return std::chrono::milliseconds(std::llround(*seconds * 1000));
}

namespace {

// Checks that need more than one flag.
std::string CrossCheck(const SimOptions& options) {
  if (options.agents + options.night_agents > kMaxAgents) {
    return "--agents plus --night-agents must not exceed " +
           std::to_string(kMaxAgents);
  }
  const EventOptions& e = options.events;
  if (e.drop_rate + e.duplicate_rate + e.reorder_rate > 1) {
    return "--events.drop-rate, --events.duplicate-rate and "
           "--events.reorder-rate exclude each other and must sum to at "
           "most 1";
  }
  return "";
}

}  // namespace

FlagParseResult ParseFlags(const std::vector<std::string>& args) {
  FlagParseResult result;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      result.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      result.error = "unexpected argument \"" + arg + "\"";
      return result;
    }
    const size_t eq = arg.find('=');
    std::string name = arg.substr(2, eq == std::string::npos ? eq : eq - 2);
    std::optional<std::string> value;
    if (eq != std::string::npos) value = arg.substr(eq + 1);
    // --no-late-data style negation for boolean flags.
    const FlagSpec* spec = FindSpec(name);
    if (spec == nullptr && name.rfind("no-", 0) == 0 && !value) {
      const FlagSpec* negated = FindSpec(name.substr(3));
      if (negated != nullptr && negated->value_hint == nullptr) {
        spec = negated;
        value = "false";
      }
    }
    if (spec == nullptr) {
      result.error = "unknown flag --" + name;
      return result;
    }
    if (!value) {
      const bool is_bool = spec->value_hint == nullptr;
      const bool next_is_value =
          i + 1 < args.size() && (is_bool ? ParseBool(args[i + 1]).has_value()
                                          : args[i + 1].rfind("--", 0) != 0);
      if (next_is_value) {
        value = args[++i];
      } else if (is_bool) {
        value = "true";
      } else {
        result.error = "flag --" + name + " needs a value";
        return result;
      }
    }
    std::string problem = spec->set(*value, &result.options);
    if (!problem.empty()) {
      result.error =
          "invalid value \"" + *value + "\" for --" + name + ": " + problem;
      return result;
    }
  }
  result.error = CrossCheck(result.options);
  return result;
}

std::string FlagHelp() {
  std::ostringstream out;
  out << "usage: ozonetel_sim [flags]\n\n"
         "A fake Ozonetel CloudAgent API with ground truth (/_sim/...).\n\n"
         "Flags:\n";
  for (const FlagSpec& spec : Specs()) {
    std::string left = std::string("  --") + spec.name;
    if (spec.value_hint != nullptr) left += std::string("=") + spec.value_hint;
    out << left;
    out << std::string(left.size() < 34 ? 34 - left.size() : 1, ' ')
        << spec.help << "\n";
  }
  out << "  --help                          Show this help.\n";
  return out.str();
}

}  // namespace callcenter::sim
