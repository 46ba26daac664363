// The `cccp` section of the configuration. Its presence enables the
// module:
//
//   cccp:
//     source: file:/var/lib/cccp/snapshot.json  # | https://... |
//     cmd:/usr/bin/x --flag interval: 10s      # fetch cadence timeout: 20s #
//     per fetch max_age: 60s       # older snapshots: per-agent/per-queue
//     series dropped headers_file: ...  # http(s) only: "Name: value" lines,
//     never logged ca_file: ...       # https only max_queues: 1000 states:
//     {plugged: available, ...}  # live-floor.md §1.1 defaults
#ifndef CALLCENTER_CCCP_CONFIG_H_
#define CALLCENTER_CCCP_CONFIG_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cccp/states.h"
#include "core/config_reader.h"

namespace callcenter::cccp {

struct SourceSpec {
  enum class Kind { kFile, kHttp, kCommand };
  Kind kind = Kind::kFile;
  std::string path;               // kFile: absolute
  std::string url;                // kHttp
  std::vector<std::string> argv;  // kCommand: argv[0] absolute
};

// "file:/abs/path" (or "file:///abs/path"), "http(s)://...", or
// "cmd:/abs/program args..."; nullopt with `error` otherwise.
std::optional<SourceSpec> ParseSourceSpec(std::string_view text,
                                          std::string* error);
// For logs: the URL without credentials or query, the program without its
// arguments (either may carry a secret).
std::string DescribeSource(const SourceSpec& source);

struct CccpConfig {
  SourceSpec source;
  std::chrono::milliseconds interval{10000};
  std::chrono::milliseconds timeout{20000};
  std::chrono::milliseconds max_age{60000};
  std::string headers_file;
  std::string ca_file;
  int max_queues = 1000;
  StateMapping states;
};

// Reads `section` (the `cccp` mapping); one error line per problem.
void ParseCccpConfig(core::ConfigNode& section, CccpConfig* config);

}  // namespace callcenter::cccp

#endif  // CALLCENTER_CCCP_CONFIG_H_
