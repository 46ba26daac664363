// Per-upstream health, as node_exporter's per-collector success gauges: an
// up gauge, the last success, request and failure counters by reason, the
// duration of the last poll and the configured budget. A failing upstream
// never fails the scrape. The poll loop records polls; the API clients
// record each request they send.
#ifndef CALLCENTER_CORE_HEALTH_H_
#define CALLCENTER_CORE_HEALTH_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "callcenter/common/clock.h"
#include "core/metric_source.h"

namespace callcenter::core {

class SourceHealth final : public MetricSource {
 public:
  struct Options {
    std::string prefix;                // "ozonetel", "crm"
    std::string upstream;              // "this Ozonetel API", for HELP texts
    std::vector<std::string> apis;     // api label values, e.g. cdr, summary
    bool api_label = true;             // false: one upstream, no api label
    std::vector<std::string> reasons;  // failure reasons, pre-set to 0
  };

  // What the landing page shows of one api.
  struct Status {
    std::string api;
    bool up = false;
    bool polled = false;  // at least one poll finished
    std::optional<double> last_success;
    uint64_t requests = 0;
    std::string last_error;  // "reason: message" of the last failed poll
    std::optional<std::pair<int, double>> limit;
  };

  SourceHealth(Options options, const Clock& clock);

  // One request actually sent; `failure_reason` empty on success.
  void RecordRequest(const std::string& api, std::string_view failure_reason);
  // One poll of that API finished (a poll may send several requests).
  void RecordPoll(const std::string& api, bool success, double duration_seconds,
                  const std::string& error = {});
  // The configured budget, exposed so dashboards can show its use.
  void SetLimit(const std::string& api, int requests, double window_seconds);

  const std::string& prefix() const { return options_.prefix; }
  std::vector<Status> Statuses() const;

  std::vector<FamilySpec> Families() const override;
  void Render(MetricSink& sink) const override;

 private:
  struct State {
    bool up = false;
    bool polled = false;
    std::optional<double> last_success;
    std::optional<double> poll_duration;
    uint64_t requests = 0;
    std::map<std::string, uint64_t> failures;
    std::optional<std::pair<int, double>> limit;
    std::string last_error;
  };

  std::vector<FamilySpec> MakeFamilies() const;

  const Options options_;
  const std::vector<FamilySpec> families_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::map<std::string, State> states_;
};

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_HEALTH_H_
