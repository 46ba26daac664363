#include "app/flags.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "core/config_reader.h"
#include "core/metric_source.h"

namespace callcenter::app {
namespace {

// 2000-01-01 and 2100-01-01 in Unix seconds: simulated clocks stay inside.
constexpr double kEarliest = 946684800;
constexpr double kLatest = 4102444800;

bool ParseDouble(const std::string& text, double* out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return !text.empty() && ec == std::errc() && ptr == end && std::isfinite(*out);
}

bool ParseInt(const std::string& text, int* out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return !text.empty() && ec == std::errc() && ptr == end;
}

bool ParseUnixTime(const std::string& text, std::optional<double>* out) {
  double value = 0;
  if (!ParseDouble(text, &value) || value < kEarliest || value > kLatest) {
    return false;
  }
  *out = value;
  return true;
}

bool IsHttpUrl(const std::string& text) {
  return text.rfind("http://", 0) == 0 || text.rfind("https://", 0) == 0;
}

struct FlagSpec {
  bool repeatable = false;
  std::function<bool(Flags*, const std::string&)> set;
};

const std::map<std::string, FlagSpec>& ValueFlags() {
  static const std::map<std::string, FlagSpec> flags = {
      {"config.file",
       {false,
        [](Flags* f, const std::string& v) {
          f->config_file = v;
          return !v.empty();
        }}},
      {"web.listen-address",
       {true,
        [](Flags* f, const std::string& v) {
          f->listen_addresses.push_back(v);
          return !v.empty();
        }}},
      {"events.listen-address",
       {true,
        [](Flags* f, const std::string& v) {
          f->events_listen_addresses.push_back(v);
          return !v.empty();
        }}},
      {"web.config.file",
       {false,
        [](Flags* f, const std::string& v) {
          f->web_config_file = v;
          return !v.empty();
        }}},
      {"web.telemetry-path",
       {false,
        [](Flags* f, const std::string& v) {
          f->telemetry_path = v;
          return v.size() > 1 && v[0] == '/' && v.size() < 256;
        }}},
      {"web.max-requests",
       {false,
        [](Flags* f, const std::string& v) {
          return ParseInt(v, &f->max_requests) && f->max_requests > 0 &&
                 f->max_requests <= 1000;
        }}},
      {"storage.path",
       {false,
        [](Flags* f, const std::string& v) {
          f->storage_path = v;
          return !v.empty();
        }}},
      {"log.level",
       {false,
        [](Flags* f, const std::string& v) {
          f->log_level = v;
          return v == "debug" || v == "info" || v == "warn" || v == "error";
        }}},
      {"clock.origin",
       {false,
        [](Flags* f, const std::string& v) {
          return ParseUnixTime(v, &f->clock_origin);
        }}},
      {"clock.epoch",
       {false,
        [](Flags* f, const std::string& v) {
          return ParseUnixTime(v, &f->clock_epoch);
        }}},
      {"clock.speed",
       {false,
        [](Flags* f, const std::string& v) {
          double x = 0;
          if (!ParseDouble(v, &x) || x <= 0 || x > 10000) return false;
          f->clock_speed = x;
          return true;
        }}},
      {"days",
       {false,
        [](Flags* f, const std::string& v) {
          return ParseInt(v, &f->backfill_days) && f->backfill_days >= 1 &&
                 f->backfill_days <= 15;
        }}},
      {"step",
       {false,
        [](Flags* f, const std::string& v) {
          auto parsed = core::ParseGoDuration(v);
          if (!parsed || parsed->count() < 60000 ||
              parsed->count() > 3600000 || parsed->count() % 60000 != 0) {
            return false;
          }
          f->backfill_step_seconds = static_cast<int>(parsed->count() / 1000);
          return 86400 % f->backfill_step_seconds == 0;
        }}},
      {"label",
       {true,
        [](Flags* f, const std::string& v) {
          const size_t eq = v.find('=');
          if (eq == std::string::npos ||
              !core::IsValidLabelName(v.substr(0, eq))) {
            return false;
          }
          std::string name = v.substr(0, eq);
          std::erase_if(f->backfill_labels, [&](const auto& label) {
            return label.first == name;
          });
          f->backfill_labels.emplace_back(std::move(name), v.substr(eq + 1));
          return true;
        }}},
      {"output",
       {false,
        [](Flags* f, const std::string& v) {
          f->backfill_output = v;
          return !v.empty();
        }}},
      {"agent-url",
       {false,
        [](Flags* f, const std::string& v) {
          f->subscribe_agent_url = v;
          return IsHttpUrl(v);
        }}},
      {"call-url",
       {false,
        [](Flags* f, const std::string& v) {
          f->subscribe_call_url = v;
          return IsHttpUrl(v);
        }}},
  };
  return flags;
}

const std::map<std::string, bool Flags::*>& BoolFlags() {
  static const std::map<std::string, bool Flags::*> flags = {
      {"version", &Flags::version},
      {"check-config", &Flags::check_config},
      {"help", &Flags::help},
      {"h", &Flags::help},
      {"web.disable-exporter-metrics", &Flags::disable_exporter_metrics},
      {"set", &Flags::subscribe_set},
  };
  return flags;
}

void CheckCommand(Flags& flags, std::vector<std::string>* errors) {
  if (flags.help || flags.version) return;
  if (flags.command == "backfill" && flags.backfill_output.empty()) {
    errors->push_back("backfill needs --output FILE");
  }
  if (flags.command == "subscribe" && flags.subscribe_set &&
      (flags.subscribe_agent_url.empty() || flags.subscribe_call_url.empty())) {
    errors->push_back("subscribe --set needs --agent-url and --call-url");
  }
}

}  // namespace

FlagsResult ParseFlags(const std::vector<std::string>& args) {
  FlagsResult result;
  Flags& flags = result.flags;
  size_t i = 0;
  if (!args.empty() && (args[0] == "backfill" || args[0] == "subscribe")) {
    flags.command = args[0];
    i = 1;
  }
  std::set<std::string> given;
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 3 || arg.rfind("--", 0) != 0) {
      result.errors.push_back("unexpected argument \"" + arg.substr(0, 100) +
                              "\"");
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    bool has_value = false;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (auto it = BoolFlags().find(name); it != BoolFlags().end()) {
      if (has_value) {
        if (value != "true" && value != "false") {
          result.errors.push_back("flag --" + name + " takes no value");
          continue;
        }
        flags.*(it->second) = value == "true";
      } else {
        flags.*(it->second) = true;
      }
      continue;
    }
    auto it = ValueFlags().find(name);
    if (it == ValueFlags().end()) {
      result.errors.push_back("unknown flag --" + name.substr(0, 100));
      continue;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        result.errors.push_back("flag --" + name + " needs a value");
        continue;
      }
      value = args[++i];
    }
    if (!it->second.repeatable && !given.insert(name).second) {
      result.errors.push_back("flag --" + name + " given more than once");
      continue;
    }
    if (!it->second.set(&flags, value)) {
      result.errors.push_back("flag --" + name + ": invalid value \"" +
                              value.substr(0, 100) + "\"");
    }
  }
  if (flags.listen_addresses.empty()) flags.listen_addresses = {":10469"};
  const bool has_job =
      std::any_of(flags.backfill_labels.begin(), flags.backfill_labels.end(),
                  [](const auto& label) { return label.first == "job"; });
  if (!has_job) {
    flags.backfill_labels.insert(flags.backfill_labels.begin(),
                                 {"job", "callcenter_exporter"});
  }
  CheckCommand(flags, &result.errors);
  return result;
}

std::string FlagsUsage() {
  return R"(usage: callcenter_exporter [flags]
       callcenter_exporter backfill --days N --output FILE [flags]
       callcenter_exporter subscribe [--set --agent-url URL --call-url URL] [flags]

Serves contact-centre metrics for Prometheus: Ozonetel CloudAgent (and CRM)
counters from background pollers that stay within the vendor's rate limits,
and the live floor from Ozonetel event webhooks or CCCP snapshots.

Flags:
  --config.file=PATH            YAML configuration (default callcenter_exporter.yml)
  --web.listen-address=ADDR     address to listen on, repeatable (default :10469)
  --web.config.file=PATH        TLS and basic auth, exporter-toolkit format
  --web.telemetry-path=PATH     path of the metrics (default /metrics)
  --web.max-requests=N          parallel scrapes served; more get 503 (default 40)
  --web.disable-exporter-metrics  leave out callcenter_exporter_* self metrics
  --events.listen-address=ADDR  a separate listener for the Ozonetel event
                                webhooks, repeatable (default: the main one)
  --storage.path=DIR            where counters and request history persist (default ./data)
  --log.level=LEVEL             debug, info, warn or error (default info)
  --check-config                validate the configuration and exit (0 ok, 1 errors)
  --version                     print the version and exit
  --clock.origin=UNIX           simulated time at --clock.epoch (testing with ozonetel_sim)
  --clock.epoch=UNIX            real instant at which the clock reads origin (default: start)
  --clock.speed=FACTOR          simulated seconds per real second (default 1)

Backfill:
  --days=N                      past days to fetch, 1 to 15 (default 7)
  --step=DURATION               sample spacing, whole minutes dividing a day (default 5m)
  --label=NAME=VALUE            target label on every series, repeatable; pass the
                                instance (and job) your Prometheus gives the exporter's
                                scrape, so history and live series are one (default
                                job=callcenter_exporter)
  --output=FILE                 OpenMetrics file for promtool tsdb create-blocks-from openmetrics

Subscribe (the Ozonetel event subscription is one URL pair per account,
shared with other integrations: shown by default, changed only with --set):
  --set                         replace the subscription
  --agent-url=URL               the agent events URL (with ?token=...)
  --call-url=URL                the call events URL (with ?token=...)
)";
}

}  // namespace callcenter::app
