#include "cccp/poller.h"

#include <algorithm>
#include <memory>

#include "callcenter/common/timeutil.h"

namespace callcenter::cccp {
namespace {

constexpr Seconds kStalenessCheck{1};

std::string Join(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) {
    joined += (joined.empty() ? "" : ",") + item;
  }
  return joined;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

CccpPoller::CccpPoller(Deps deps, PollerOptions options)
    : deps_(std::move(deps)), options_(std::move(options)) {}

core::PollResult CccpPoller::Poll() {
  const TimePoint started = deps_.clock.Now();
  const auto steady_start = std::chrono::steady_clock::now();
  FetchResult fetched = deps_.fetcher.Fetch();
  const double fetch_seconds = SecondsSince(steady_start);
  switch (fetched.status) {
    case FetchResult::Status::kCancelled:
      return core::PollResult::Cancelled();
    case FetchResult::Status::kFailed:
      return Fail(fetched.error, fetched.message, fetched.stderr_tail,
                  fetch_seconds);
    case FetchResult::Status::kOk:
      break;
  }
  ParsedSnapshot parsed = ParseSnapshot(fetched.body, options_.limits);
  std::string().swap(fetched.body);  // up to 64 MiB, not kept
  switch (parsed.status) {
    case ParsedSnapshot::Status::kInvalidJson:
      return Fail(FetchError::kInvalidJson, parsed.problem, "", fetch_seconds);
    case ParsedSnapshot::Status::kSchema:
      return Fail(FetchError::kSchema, parsed.problem, "", fetch_seconds);
    case ParsedSnapshot::Status::kOk:
      break;
  }
  Commit(parsed.snapshot, fetch_seconds);
  return core::PollResult::Ok(started + options_.interval);
}

core::PollResult CccpPoller::Fail(FetchError error, const std::string& message,
                                  const std::string& stderr_tail,
                                  double fetch_seconds) {
  deps_.metrics.RecordFailure(error, fetch_seconds);
  if (!stderr_tail.empty()) {
    deps_.logger.Warn("cccp", "snapshot command failed",
                      {{"reason", std::string(FetchErrorName(error))},
                       {"err", message},
                       {"stderr", stderr_tail}});
  }
  deps_.on_change();
  ExpireIfStale();
  // The loop logs the failure and backs off; the last good snapshot stays.
  return core::PollResult::Failed(std::string(FetchErrorName(error)), message);
}

void CccpPoller::Commit(const Snapshot& snapshot, double fetch_seconds) {
  Built built = BuildPartition(snapshot, options_.build, last_partition_);
  Report(snapshot, built);
  last_partition_ = built.partition;
  CccpMetrics::Good good{snapshot.generated_at, snapshot.has_agent_data,
                         built.dropped_agents, built.dropped_queues,
                         std::make_shared<const Rows>(std::move(built.rows))};
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const TimePoint now = deps_.clock.Now();
    const bool was_stale = stale_;
    generated_at_ = snapshot.generated_at;
    fresh_from_ = std::min(snapshot.generated_at, now);
    stale_ = PastMaxAge(now);
    if (stale_) {
      LogStale(now);
    } else if (was_stale) {
      deps_.logger.Info("cccp", "fresh snapshot again; series published");
    }
    // Both under the lock, so the staleness watch sees them change together.
    deps_.metrics.RecordSuccess(std::move(good), fetch_seconds, stale_);
    deps_.floor.Replace(live::Source::kCccp, stale_
                                                 ? live::Partition{}
                                                 : std::move(built.partition));
  }
  deps_.on_change();
}

void CccpPoller::Report(const Snapshot& snapshot, const Built& built) {
  if (built.dropped_agents != last_dropped_agents_) {
    deps_.logger.Warn(
        "cccp", "agents beyond live.max_agents left out",
        {{"dropped", std::to_string(built.dropped_agents)},
         {"max_agents", std::to_string(options_.build.max_agents)}});
    last_dropped_agents_ = built.dropped_agents;
  }
  if (snapshot.has_agent_data != last_had_agent_data_) {
    if (!snapshot.has_agent_data) {
      deps_.logger.Warn("cccp",
                        "snapshot has no agents array: no agent data (not "
                        "zero agents); no agent is published");
    }
    last_had_agent_data_ = snapshot.has_agent_data;
  }
  if (!built.unmapped_states.empty()) {
    deps_.logger.Debug("cccp",
                       "states outside the vocabulary, published as "
                       "unknown",
                       {{"states", Join(built.unmapped_states)}});
  }
  deps_.logger.Debug(
      "cccp", "snapshot published",
      {{"generated_at", FormatRfc3339(snapshot.generated_at)},
       {"agents", std::to_string(built.partition.agents.size())},
       {"logged_out", std::to_string(built.logged_out)},
       {"queues", std::to_string(built.partition.queues.size())}});
}

void CccpPoller::ExpireIfStale() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const TimePoint now = deps_.clock.Now();
    if (!fresh_from_ || stale_ || !PastMaxAge(now)) return;
    stale_ = true;
    LogStale(now);
    deps_.metrics.SetStale(true);
    deps_.floor.Replace(live::Source::kCccp, live::Partition{});
  }
  deps_.on_change();
}

bool CccpPoller::stale() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stale_;
}

bool CccpPoller::PastMaxAge(TimePoint now) const {
  return fresh_from_ && now - *fresh_from_ > options_.max_age;
}

void CccpPoller::LogStale(TimePoint now) const {
  using std::chrono::milliseconds;
  const auto age =
      std::chrono::duration_cast<milliseconds>(now - generated_at_);
  deps_.logger.Warn(
      "cccp",
      "last good snapshot older than max_age: per-agent and per-queue "
      "series withheld",
      {{"generated_at", FormatRfc3339(generated_at_)},
       {"age", std::to_string(age.count()) + "ms"},
       {"max_age", std::to_string(options_.max_age.count()) + "ms"}});
}

core::PollResult StalenessWatch::Poll() {
  poller_.ExpireIfStale();
  return core::PollResult::Idle(clock_.Now() + kStalenessCheck);
}

}  // namespace callcenter::cccp
