// One thread per poller, and everything every poller would otherwise
// repeat: the wait for its budget's next slot, the poll's timing, the
// up / last-success / duration health, the failure log line, exception
// capture at the thread boundary, and a backoff bounded by the poller's own
// cadence that honours Retry-After. The loop never overlaps itself: the next
// poll starts only after the last one returned.
#ifndef CALLCENTER_CORE_POLL_LOOP_H_
#define CALLCENTER_CORE_POLL_LOOP_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "callcenter/common/clock.h"
#include "core/budgets.h"
#include "core/health.h"
#include "core/logging.h"
#include "core/stop_signal.h"

namespace callcenter::core {

struct PollResult {
  enum class Status {
    kOk,         // the upstream answered and the result is committed
    kFailed,     // counts as a failed poll: up 0, backoff
    kIdle,       // nothing was due; no health change
    kCancelled,  // shutting down
  };
  Status status = Status::kOk;
  // When the poller wants to run next; nullopt: at its budget's next slot.
  std::optional<TimePoint> next;
  std::string reason;   // short failure reason for the log ("http", "storage")
  std::string message;  // the upstream's or the system's words; never a secret
  std::optional<Seconds> retry_after;

  static PollResult Ok(std::optional<TimePoint> next = std::nullopt);
  static PollResult Idle(TimePoint next);
  static PollResult Cancelled();
  static PollResult Failed(std::string reason, std::string message,
                           std::optional<Seconds> retry_after = std::nullopt);
};

class Poller {
 public:
  virtual ~Poller() = default;
  // Polls once. May throw: the loop counts it and backs off.
  virtual PollResult Poll() = 0;
};

// Exponential backoff with jitter between `base` and `max`.
class Backoff {
 public:
  Backoff(TimePoint::duration base, TimePoint::duration max, unsigned seed);
  void Reset() { failures_ = 0; }
  // The delay after one more consecutive failure: in [ceiling/2, ceiling],
  // ceiling = min(max, base * 2^(failures-1)).
  TimePoint::duration Next();
  int failures() const { return failures_; }

 private:
  TimePoint::duration base_;
  TimePoint::duration max_;
  int failures_ = 0;
  std::mt19937 random_;
};

struct PollerSpec {
  std::string name;    // log source and the health api label: "cdr"
  std::string budget;  // budget family waited for before a poll; "" none
  SourceHealth* health = nullptr;  // where polls are recorded; may be null
  // The poller's normal interval. Failures back off from half of it to
  // twice it: never so long that data stays stale after the upstream
  // recovers, never faster than normal.
  TimePoint::duration cadence = Seconds(60);
};

class PollLoop {
 public:
  PollLoop(Poller& poller, PollerSpec spec, const Clock& clock,
           StopSignal& stop, const Logger& logger, BudgetGate* budgets);
  ~PollLoop();
  PollLoop(const PollLoop&) = delete;
  PollLoop& operator=(const PollLoop&) = delete;

  void Start();
  void Join();
  // Exceptions caught at the thread boundary, for the exporter's self
  // metrics.
  uint64_t exceptions() const { return exceptions_.load(); }
  const std::string& name() const { return spec_.name; }

  // One iteration without the thread (tests): waits for the budget, polls,
  // records, and returns when the next poll should start.
  TimePoint RunOnce();

 private:
  void Run();
  PollResult PollCatching();
  TimePoint Schedule(const PollResult& result, TimePoint finished);

  Poller& poller_;
  const PollerSpec spec_;
  const Clock& clock_;
  StopSignal& stop_;
  const Logger& logger_;
  BudgetGate* const budgets_;
  Backoff backoff_;
  std::atomic<uint64_t> exceptions_{0};
  std::thread thread_;
};

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_POLL_LOOP_H_
