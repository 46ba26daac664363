// Client-side request budgets. Each API family has one RateBudget (a sliding
// window that also spaces requests evenly, so it never bursts); BudgetGate
// owns the budgets, blocks callers until a slot is free, and persists the
// request history before each request so a restart cannot exceed a limit.
#ifndef CALLCENTER_RATE_BUDGET_H_
#define CALLCENTER_RATE_BUDGET_H_

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/logging.h"
#include "callcenter/request_gate.h"
#include "callcenter/stop_signal.h"

namespace callcenter {

class RateBudget {
 public:
  // At most `limit` requests in any `window + margin`, and consecutive
  // requests at least `(window + margin) / limit` apart.
  RateBudget(int limit, Seconds window, Seconds margin);

  // The earliest instant at or after `now` when a request may start.
  TimePoint NextAllowed(TimePoint now) const;
  // Records a request at `now` if one is allowed then.
  bool TryAcquire(TimePoint now);
  // Nothing may be sent before `until` (after a rate-limited answer, or
  // after a restart whose history was lost).
  void BlockUntil(TimePoint until);
  // Requests sent within the window ending at `now`.
  int UsedInWindow(TimePoint now) const;

  int limit() const { return limit_; }
  Seconds window() const { return window_; }
  const std::deque<TimePoint>& history() const { return history_; }
  TimePoint blocked_until() const { return blocked_until_; }
  void Restore(const std::vector<TimePoint>& history, TimePoint blocked_until);

 private:
  TimePoint::duration Span() const { return window_ + margin_; }

  int limit_;
  Seconds window_;
  Seconds margin_;
  std::deque<TimePoint> history_;  // the last `limit_` requests, oldest first
  TimePoint blocked_until_{};
};

class BudgetGate final : public RequestGate {
 public:
  // `history_path` empty disables persistence (tests).
  BudgetGate(const Clock& clock, StopSignal& stop, const Logger& logger,
             std::string history_path);

  void AddFamily(ApiFamily family, int limit, Seconds window, Seconds margin);
  // Loads the persisted history. When the file is missing but
  // `expect_history` is set (the exporter ran here before), or the file is
  // corrupt, every family waits out one full window: the safe assumption.
  void LoadHistory(bool expect_history);

  bool Acquire(ApiFamily family) override;
  // When the next request of `family` may start; pollers sleep until then
  // so that their own duration excludes the wait.
  TimePoint NextAllowed(ApiFamily family) const;
  void OnRateLimited(ApiFamily family) override;

  struct FamilyUsage {
    ApiFamily family;
    int limit;
    Seconds window;
    int used;
  };
  std::vector<FamilyUsage> Usage() const;

 private:
  void SaveLocked() const;

  const Clock& clock_;
  StopSignal& stop_;
  const Logger& logger_;
  const std::string history_path_;
  mutable std::mutex mutex_;
  std::map<ApiFamily, RateBudget> budgets_;
};

}  // namespace callcenter

#endif  // CALLCENTER_RATE_BUDGET_H_
