#include "callcenter/flags.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>

#include "callcenter/config.h"

namespace callcenter {
namespace {

bool ParseDouble(const std::string& text, double* out) {
  try {
    size_t used = 0;
    *out = std::stod(text, &used);
    return used == text.size();
  } catch (...) {
    return false;
  }
}

bool ParseInt(const std::string& text, int* out) {
  auto result = std::from_chars(text.data(), text.data() + text.size(), *out);
  return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

// Prometheus label names; "__" is reserved for Prometheus itself.
bool IsLabelName(const std::string& name) {
  if (name.empty() || name.rfind("__", 0) == 0) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

using Setter = std::function<bool(Flags*, const std::string&)>;

const std::map<std::string, Setter>& ValueFlags() {
  static const std::map<std::string, Setter> flags = {
      {"config.file",
       [](Flags* f, const std::string& v) {
         f->config_file = v;
         return true;
       }},
      {"web.listen-address",
       [](Flags* f, const std::string& v) {
         f->listen_addresses.push_back(v);
         return true;
       }},
      {"web.telemetry-path",
       [](Flags* f, const std::string& v) {
         f->telemetry_path = v;
         return !v.empty() && v[0] == '/';
       }},
      {"web.max-requests",
       [](Flags* f, const std::string& v) {
         return ParseInt(v, &f->max_requests) && f->max_requests > 0;
       }},
      {"storage.path",
       [](Flags* f, const std::string& v) {
         f->storage_path = v;
         return !v.empty();
       }},
      {"log.level",
       [](Flags* f, const std::string& v) {
         f->log_level = v;
         return v == "debug" || v == "info" || v == "warn" || v == "error";
       }},
      {"clock.origin",
       [](Flags* f, const std::string& v) {
         double x;
         if (!ParseDouble(v, &x)) return false;
         f->clock_origin = x;
         return true;
       }},
      {"clock.epoch",
       [](Flags* f, const std::string& v) {
         double x;
         if (!ParseDouble(v, &x)) return false;
         f->clock_epoch = x;
         return true;
       }},
      {"clock.speed",
       [](Flags* f, const std::string& v) {
         double x;
         if (!ParseDouble(v, &x) || x <= 0) return false;
         f->clock_speed = x;
         return true;
       }},
      {"days",
       [](Flags* f, const std::string& v) {
         return ParseInt(v, &f->backfill_days) && f->backfill_days >= 1 &&
                f->backfill_days <= 15;
       }},
      {"step",
       [](Flags* f, const std::string& v) {
         auto parsed = ParseGoDuration(v);
         if (!parsed || parsed->count() < 60000 || parsed->count() > 3600000 ||
             parsed->count() % 60000 != 0) {
           return false;
         }
         f->backfill_step_seconds = static_cast<int>(parsed->count() / 1000);
         return 86400 % f->backfill_step_seconds == 0;
       }},
      {"label",
       [](Flags* f, const std::string& v) {
         const size_t eq = v.find('=');
         if (eq == std::string::npos || !IsLabelName(v.substr(0, eq))) {
           return false;
         }
         std::string name = v.substr(0, eq);
         std::erase_if(f->backfill_labels,
                       [&](const auto& label) { return label.first == name; });
         f->backfill_labels.emplace_back(std::move(name), v.substr(eq + 1));
         return true;
       }},
      {"output",
       [](Flags* f, const std::string& v) {
         f->backfill_output = v;
         return !v.empty();
       }},
  };
  return flags;
}

}  // namespace

FlagsResult ParseFlags(const std::vector<std::string>& args) {
  FlagsResult result;
  Flags& flags = result.flags;
  size_t i = 0;
  if (!args.empty() && args[0] == "backfill") {
    flags.command = "backfill";
    i = 1;
  }
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0) {
      result.errors.push_back("unexpected argument \"" + arg + "\"");
      continue;
    }
    std::string name = arg.substr(2);
    if (name == "version") {
      flags.version = true;
      continue;
    }
    if (name == "check-config") {
      flags.check_config = true;
      continue;
    }
    if (name == "help" || name == "h") {
      flags.help = true;
      continue;
    }
    std::string value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    auto it = ValueFlags().find(name);
    if (it == ValueFlags().end()) {
      result.errors.push_back("unknown flag --" + name);
      continue;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        result.errors.push_back("flag --" + name + " needs a value");
        continue;
      }
      value = args[++i];
    }
    if (!it->second(&flags, value)) {
      result.errors.push_back("flag --" + name + ": invalid value \"" + value +
                              "\"");
    }
  }
  if (flags.listen_addresses.empty()) flags.listen_addresses = {":10469"};
  const bool has_job =
      std::any_of(flags.backfill_labels.begin(), flags.backfill_labels.end(),
                  [](const auto& label) { return label.first == "job"; });
  if (!has_job)
    flags.backfill_labels.insert(flags.backfill_labels.begin(),
                                 {"job", "callcenter_exporter"});
  if (flags.command == "backfill" && flags.backfill_output.empty() &&
      !flags.help && !flags.version) {
    result.errors.push_back("backfill needs --output FILE");
  }
  return result;
}

std::string FlagsUsage() {
  return R"(usage: callcenter_exporter [flags]
       callcenter_exporter backfill --days N --output FILE [flags]

Serves Ozonetel CloudAgent (and CRM) metrics for Prometheus from background
pollers that stay within the vendor's rate limits.

Flags:
  --config.file=PATH          YAML configuration (default callcenter_exporter.yml)
  --web.listen-address=ADDR   address to listen on, repeatable (default :10469)
  --web.telemetry-path=PATH   path of the metrics (default /metrics)
  --web.max-requests=N        parallel HTTP requests served (default 40)
  --storage.path=DIR          where counters and request history persist (default ./data)
  --log.level=LEVEL           debug, info, warn or error (default info)
  --check-config              validate the configuration and exit (0 ok, 1 errors)
  --version                   print the version and exit
  --clock.origin=UNIX         simulated time at --clock.epoch (testing with ozonetel_sim)
  --clock.epoch=UNIX          real instant at which the clock reads origin (default: start)
  --clock.speed=FACTOR        simulated seconds per real second (default 1)

Backfill:
  --days=N                    past days to fetch, 1 to 15 (default 7)
  --step=DURATION             sample spacing, whole minutes dividing a day (default 5m)
  --label=NAME=VALUE          target label on every series, repeatable; pass the
                              instance (and job) your Prometheus gives the exporter's
                              scrape, so history and live series are one (default
                              job=callcenter_exporter)
  --output=FILE               OpenMetrics file for promtool tsdb create-blocks-from openmetrics
)";
}

}  // namespace callcenter
