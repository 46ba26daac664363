#include "core/poll_loop.h"

#include <algorithm>
#include <exception>

namespace callcenter::core {

PollResult PollResult::Ok(std::optional<TimePoint> next) {
  PollResult result;
  result.next = next;
  return result;
}

PollResult PollResult::Idle(TimePoint next) {
  PollResult result;
  result.status = Status::kIdle;
  result.next = next;
  return result;
}

PollResult PollResult::Cancelled() {
  PollResult result;
  result.status = Status::kCancelled;
  return result;
}

PollResult PollResult::Failed(std::string reason, std::string message,
                              std::optional<Seconds> retry_after) {
  PollResult result;
  result.status = Status::kFailed;
  result.reason = std::move(reason);
  result.message = std::move(message);
  result.retry_after = retry_after;
  return result;
}

Backoff::Backoff(TimePoint::duration base, TimePoint::duration max,
                 unsigned seed)
    : base_(std::max(base, TimePoint::duration(Seconds(1)))),
      max_(std::max(max, base_)),
      random_(seed) {}

TimePoint::duration Backoff::Next() {
  ++failures_;
  const int exponent = std::min(failures_ - 1, 20);
  const auto ceiling = std::min(max_, base_ * (int64_t{1} << exponent));
  // Half fixed, half random: never zero, never in step with other pollers.
  std::uniform_int_distribution<int64_t> jitter(0, ceiling.count() / 2);
  return ceiling / 2 + TimePoint::duration(jitter(random_));
}

PollLoop::PollLoop(Poller& poller, PollerSpec spec, const Clock& clock,
                   StopSignal& stop, const Logger& logger, BudgetGate* budgets)
    : poller_(poller),
      spec_(std::move(spec)),
      clock_(clock),
      stop_(stop),
      logger_(logger),
      budgets_(budgets),
      // Backoff delays lie in [ceiling / 2, ceiling]: a ceiling from the
      // cadence to twice it keeps every wait within [cadence / 2,
      // 2 * cadence].
      backoff_(spec_.cadence, spec_.cadence * 2, std::random_device{}()) {}

PollLoop::~PollLoop() { Join(); }

void PollLoop::Start() {
  thread_ = std::thread([this] { Run(); });
}

void PollLoop::Join() {
  if (thread_.joinable()) thread_.join();
}

PollResult PollLoop::PollCatching() {
  try {
    return poller_.Poll();
  } catch (const std::exception& error) {
    exceptions_.fetch_add(1);
    return PollResult::Failed("internal", error.what());
  } catch (...) {
    exceptions_.fetch_add(1);
    return PollResult::Failed("internal", "unknown exception");
  }
}

TimePoint PollLoop::Schedule(const PollResult& result, TimePoint finished) {
  const TimePoint slot =
      budgets_ != nullptr && !spec_.budget.empty()
          ? budgets_->NextAllowed(spec_.budget)
          : finished;
  switch (result.status) {
    case PollResult::Status::kOk:
      backoff_.Reset();
      return std::max(result.next.value_or(slot), finished);
    case PollResult::Status::kIdle:
      return std::max(result.next.value_or(slot), finished);
    case PollResult::Status::kCancelled:
      return finished;
    case PollResult::Status::kFailed:
      break;
  }
  TimePoint::duration delay = backoff_.Next();
  if (result.retry_after) delay = std::max<TimePoint::duration>(delay, *result.retry_after);
  const TimePoint next = std::max(finished + delay, slot);
  logger_.Warn(spec_.name, "poll failed",
               {{"reason", result.reason},
                {"err", result.message},
                {"retry_in", std::to_string(std::chrono::duration_cast<
                                                std::chrono::milliseconds>(
                                                next - finished)
                                                .count()) +
                                 "ms"}});
  return next;
}

TimePoint PollLoop::RunOnce() {
  if (budgets_ != nullptr && !spec_.budget.empty()) {
    // Waiting here, outside the poll, keeps the budget out of its duration.
    if (!stop_.SleepUntil(clock_, budgets_->NextAllowed(spec_.budget))) {
      return clock_.Now();
    }
  }
  const auto started = std::chrono::steady_clock::now();
  const PollResult result = PollCatching();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  const bool finished_poll = result.status == PollResult::Status::kOk ||
                             result.status == PollResult::Status::kFailed;
  if (finished_poll && spec_.health != nullptr) {
    const bool ok = result.status == PollResult::Status::kOk;
    spec_.health->RecordPoll(spec_.name, ok, seconds,
                             ok ? std::string()
                                : result.reason + ": " + result.message);
  }
  return Schedule(result, clock_.Now());
}

void PollLoop::Run() {
  while (!stop_.stopped()) {
    TimePoint next;
    try {
      next = RunOnce();
    } catch (...) {
      // Only the logger or the clock could throw here; keep the thread.
      exceptions_.fetch_add(1);
      next = clock_.Now() + spec_.cadence;
    }
    if (!stop_.SleepUntil(clock_, next)) break;
  }
}

}  // namespace callcenter::core
