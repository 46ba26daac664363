// CCCP's own metrics (cccp-snapshot.md §5.1, with the label `agent` as the
// live families): the source's health, and the daily per-agent and
// per-queue figures that the live floor does not carry. The states, the
// queue waits and the calls in progress are the floor's `callcenter_*`
// families. Per-agent and per-queue series are withheld while the last
// good snapshot is stale; the health series never are.
#ifndef CALLCENTER_CCCP_METRICS_H_
#define CALLCENTER_CCCP_METRICS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "callcenter/common/clock.h"
#include "cccp/fetcher.h"
#include "cccp/partition.h"
#include "core/metric_source.h"

namespace callcenter::cccp {

class CccpMetrics final : public core::MetricSource {
 public:
  struct Good {
    TimePoint generated_at{};
    bool has_agent_data = false;
    size_t dropped_agents = 0;
    size_t dropped_queues = 0;
    std::shared_ptr<const Rows> rows;
  };

  explicit CccpMetrics(bool per_agent_metrics);

  // A fetch or its validation failed: up 0, one more error of `reason`;
  // the last good snapshot stays.
  void RecordFailure(FetchError reason, double fetch_seconds);
  // A good snapshot; `stale` when it is already past max_age.
  void RecordSuccess(Good good, double fetch_seconds, bool stale);
  // Stale: the per-agent and per-queue series are withheld.
  void SetStale(bool stale);

  // For tests and the log.
  bool up() const;
  uint64_t errors(FetchError reason) const;

  std::vector<core::FamilySpec> Families() const override;
  void Render(core::MetricSink& sink) const override;

 private:
  struct State {
    bool up = false;
    std::optional<double> fetch_seconds;
    std::array<uint64_t, kFetchErrorCount> errors{};
    std::optional<Good> good;
    bool stale = false;
  };

  void RenderHealth(const State& state, core::MetricSink& sink) const;
  void RenderAgents(const Rows& rows, core::MetricSink& sink) const;
  void RenderQueues(const Rows& rows, core::MetricSink& sink) const;

  const bool per_agent_metrics_;
  const std::vector<core::FamilySpec> families_;
  mutable std::mutex mutex_;
  State state_;
};

}  // namespace callcenter::cccp

#endif  // CALLCENTER_CCCP_METRICS_H_
