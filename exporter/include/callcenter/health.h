// Per-upstream health, as node_exporter's per-collector success gauges: an
// up gauge, the last success, request and failure counters by reason, and
// the duration of the last poll. A failing upstream never fails the scrape.
#ifndef CALLCENTER_HEALTH_H_
#define CALLCENTER_HEALTH_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/metric_source.h"

namespace callcenter {

class ApiHealth final : public MetricSource {
 public:
  struct Options {
    std::string prefix;                // "ozonetel" or "crm"
    std::vector<std::string> apis;     // api label values, e.g. cdr, summary
    bool api_label = true;             // false: one upstream, no api label
    std::vector<std::string> reasons;  // failure reasons, pre-set to 0
  };

  ApiHealth(Options options, const Clock& clock);

  // One request actually sent; `failure_reason` empty on success.
  void RecordRequest(const std::string& api, std::string_view failure_reason);
  // One poll of that API finished (a poll may send several requests).
  void RecordPoll(const std::string& api, bool success,
                  double duration_seconds);
  // The configured budget, exposed so dashboards can show its use.
  void SetLimit(const std::string& api, int requests, double window_seconds);

  void Collect(std::vector<prometheus::MetricFamily>* out) const override;

 private:
  struct State {
    bool up = false;
    std::optional<double> last_success;
    std::optional<double> poll_duration;
    uint64_t requests = 0;
    std::map<std::string, uint64_t> failures;
    std::optional<std::pair<int, double>> limit;
  };
  Labels ApiLabels(const std::string& api) const;

  const Options options_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::map<std::string, State> states_;
};

// callcenter_exporter_build_info and process_start_time_seconds.
class ProcessInfo final : public MetricSource {
 public:
  ProcessInfo(std::string version, std::string revision, double start_time);
  void Collect(std::vector<prometheus::MetricFamily>* out) const override;

 private:
  std::string version_;
  std::string revision_;
  double start_time_;
};

}  // namespace callcenter

#endif  // CALLCENTER_HEALTH_H_
