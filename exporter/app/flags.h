// Command-line flags, Prometheus style: --name=value or --name value. Every
// value is checked (numbers with ranges, times within 2000..2100, label
// names); a flag given twice where it cannot repeat is an error.
#ifndef CALLCENTER_APP_FLAGS_H_
#define CALLCENTER_APP_FLAGS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace callcenter::app {

struct Flags {
  std::string command;  // "" (serve), "backfill" or "subscribe"
  std::string config_file = "callcenter_exporter.yml";
  std::vector<std::string> listen_addresses;  // default {":10469"}
  std::vector<std::string> events_listen_addresses;  // default: main listener
  std::string web_config_file;
  std::string telemetry_path = "/metrics";
  std::string storage_path = "./data";
  std::string log_level = "info";
  int max_requests = 40;
  bool disable_exporter_metrics = false;
  bool version = false;
  bool check_config = false;
  bool help = false;
  // Simulated time, shared with ozonetel_sim (docs/architecture.md).
  std::optional<double> clock_origin;
  std::optional<double> clock_epoch;
  std::optional<double> clock_speed;
  // backfill
  int backfill_days = 7;
  int backfill_step_seconds = 300;
  // Target labels added to every backfilled series, so that they join the
  // series Prometheus scrapes from the live exporter (job and instance).
  std::vector<std::pair<std::string, std::string>> backfill_labels;
  std::string backfill_output;
  // subscribe
  std::string subscribe_agent_url;
  std::string subscribe_call_url;
  bool subscribe_set = false;
};

struct FlagsResult {
  Flags flags;
  std::vector<std::string> errors;
};

FlagsResult ParseFlags(const std::vector<std::string>& args);
std::string FlagsUsage();

}  // namespace callcenter::app

#endif  // CALLCENTER_APP_FLAGS_H_
