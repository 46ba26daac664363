// Command-line flags, Prometheus style: --name=value or --name value.
#ifndef CALLCENTER_FLAGS_H_
#define CALLCENTER_FLAGS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace callcenter {

struct Flags {
  std::string command;  // "" (serve) or "backfill"
  std::string config_file = "callcenter_exporter.yml";
  std::vector<std::string> listen_addresses;  // default {":10469"}
  std::string telemetry_path = "/metrics";
  std::string storage_path = "./data";
  std::string log_level = "info";
  int max_requests = 40;
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
};

struct FlagsResult {
  Flags flags;
  std::vector<std::string> errors;
};

FlagsResult ParseFlags(const std::vector<std::string>& args);
std::string FlagsUsage();

}  // namespace callcenter

#endif  // CALLCENTER_FLAGS_H_
