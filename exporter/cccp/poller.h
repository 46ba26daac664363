// Fetches the snapshot in the background (the engine's poll loop never
// overlaps two fetches), validates it, and publishes it: the CCCP partition
// of the live floor plus CCCP's own metrics. A failed fetch keeps the last
// good snapshot (cccp_up 0).
//
// Staleness: the last good snapshot is stale once the exporter's clock is
// more than max_age past its generated_at. A generated_at in the future
// counts from the fetch instead, so a producer whose clock runs ahead
// cannot keep a dead floor alive. A stale snapshot's per-agent and
// per-queue series are withheld (the floor's partition is emptied); the
// health series stay. A valid document that is already too old on arrival
// counts as a good fetch (cccp_up 1) whose series are withheld at once.
#ifndef CALLCENTER_CCCP_POLLER_H_
#define CALLCENTER_CCCP_POLLER_H_

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "callcenter/common/clock.h"
#include "cccp/document.h"
#include "cccp/fetcher.h"
#include "cccp/metrics.h"
#include "cccp/partition.h"
#include "core/logging.h"
#include "core/poll_loop.h"
#include "live/floor.h"

namespace callcenter::cccp {

struct PollerOptions {
  std::chrono::milliseconds interval{10000};
  std::chrono::milliseconds max_age{60000};
  BuildOptions build;
  ParseLimits limits;
};

class CccpPoller final : public core::Poller {
 public:
  struct Deps {
    Fetcher& fetcher;
    live::Floor& floor;
    CccpMetrics& metrics;
    const Clock& clock;
    const core::Logger& logger;
    std::function<void()> on_change;  // marks the metrics source dirty
  };

  CccpPoller(Deps deps, PollerOptions options);

  // One fetch, validated and published; the next one `interval` after
  // this one started.
  core::PollResult Poll() override;
  // Withholds the series once the last good snapshot is past max_age.
  // Safe to call from another thread while Poll runs.
  void ExpireIfStale();
  bool stale() const;

 private:
  core::PollResult Fail(FetchError error, const std::string& message,
                        const std::string& stderr_tail, double fetch_seconds);
  void Commit(const Snapshot& snapshot, double fetch_seconds);
  void Report(const Snapshot& snapshot, const Built& built);
  bool PastMaxAge(TimePoint now) const;  // mutex_ held
  void LogStale(TimePoint now) const;    // mutex_ held

  Deps deps_;
  const PollerOptions options_;
  // Only Poll touches these: what the next snapshot's agents carry over.
  live::Partition last_partition_;
  size_t last_dropped_agents_ = 0;
  bool last_had_agent_data_ = true;

  mutable std::mutex mutex_;
  // min(generated_at, fetch time) of the last good snapshot.
  std::optional<TimePoint> fresh_from_;
  TimePoint generated_at_{};
  bool stale_ = false;
};

// Checks staleness every second on its own loop, so series go when
// max_age passes even while a slow fetch runs or failures back off.
class StalenessWatch final : public core::Poller {
 public:
  StalenessWatch(CccpPoller& poller, const Clock& clock)
      : poller_(poller), clock_(clock) {}
  core::PollResult Poll() override;

 private:
  CccpPoller& poller_;
  const Clock& clock_;
};

}  // namespace callcenter::cccp

#endif  // CALLCENTER_CCCP_POLLER_H_
