// The landing page at /: what an operator opening the exporter wants to
// know first. Version and revision, each upstream with up/down, the age of
// its data on the exporter's clock, its requests against its budget and its
// last error, whether state can be written, readiness, and links. Plain
// HTML, no external assets.
#ifndef CALLCENTER_WEB_LANDING_PAGE_H_
#define CALLCENTER_WEB_LANDING_PAGE_H_

#include <optional>
#include <string>
#include <vector>

namespace callcenter::web {

struct UpstreamStatus {
  std::string source;  // "ozonetel", "crm", "cccp"
  std::string api;     // "cdr", ...; "" when the source has one
  bool polled = false;
  bool up = false;
  std::optional<double> age_seconds;  // since the last success
  std::optional<int> used;            // requests in the current window
  std::optional<int> limit;
  std::optional<int> window_seconds;
  std::string last_error;
};

struct LandingData {
  std::string version;
  std::string revision;
  std::string telemetry_path;
  std::string storage_path;
  bool storage_writable = true;
  std::string storage_problem;
  std::vector<std::string> not_ready;  // empty: ready
  std::vector<UpstreamStatus> upstreams;
  std::vector<std::pair<std::string, std::string>> links;  // extra pages
};

std::string LandingPage(const LandingData& data);

}  // namespace callcenter::web

#endif  // CALLCENTER_WEB_LANDING_PAGE_H_
