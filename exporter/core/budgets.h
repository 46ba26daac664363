// Client-side request budgets. Each API family ("cdr", "summary", "crm",
// any name a module registers) has one RateBudget: a sliding window that
// also spaces requests evenly, so it never bursts. BudgetGate owns the
// budgets, blocks callers until a slot is free, and writes the request
// history before each request: a restart (even kill -9) cannot exceed a
// limit, and a request that could not be recorded is not sent.
#ifndef CALLCENTER_CORE_BUDGETS_H_
#define CALLCENTER_CORE_BUDGETS_H_

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "core/logging.h"
#include "core/request_gate.h"
#include "core/state_store.h"
#include "core/stop_signal.h"

namespace callcenter::core {

class RateBudget {
 public:
  // At most `limit` requests in any `window + margin`, and consecutive
  // requests at least `(window + margin) / limit` apart.
  RateBudget(int limit, Seconds window, Seconds margin);

  // The earliest instant at or after `now` when a request may start.
  TimePoint NextAllowed(TimePoint now) const;
  // Records a request at `now` if one is allowed then.
  bool TryAcquire(TimePoint now);
  // Takes back the request recorded last (it could not be made durable and
  // was not sent).
  void Unacquire();
  // Nothing may be sent before `until` (after a rate-limited answer, or
  // after a restart whose history was lost).
  void BlockUntil(TimePoint until);
  // Requests sent within the window ending at `now`.
  int UsedInWindow(TimePoint now) const;

  int limit() const { return limit_; }
  Seconds window() const { return window_; }
  // The spacing between two requests: the budget's natural poll cadence.
  TimePoint::duration spacing() const { return Span() / limit_; }
  const std::deque<TimePoint>& history() const { return history_; }
  TimePoint blocked_until() const { return blocked_until_; }
  // Restores a persisted history. Times after `now` cannot be real (a clock
  // that jumped back, a hostile file): they are clamped to `now`, so they
  // block at most one window.
  void Restore(std::vector<TimePoint> history, TimePoint blocked_until,
               TimePoint now);

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
  // `history` null disables persistence (tests).
  BudgetGate(const Clock& clock, StopSignal& stop, const Logger& logger,
             StateFile* history);

  void AddFamily(const std::string& family, int limit, Seconds window,
                 Seconds margin);
  // Loads the persisted history. When the file is missing but
  // `expect_history` is set (the exporter ran here before), or the file is
  // corrupt, every family waits out one full window: the safe assumption.
  void LoadHistory(bool expect_history);

  Admission Acquire(const std::string& family) override;
  // When the next request of `family` may start; poll loops sleep until
  // then, so a poll's duration excludes the wait.
  TimePoint NextAllowed(const std::string& family) const;
  void OnRateLimited(const std::string& family,
                     std::optional<Seconds> retry_after) override;
  // The budget's spacing, for a poller's cadence; zero when unknown.
  TimePoint::duration Spacing(const std::string& family) const;

  struct FamilyUsage {
    std::string family;
    int limit;
    Seconds window;
    int used;
    TimePoint blocked_until;
  };
  std::vector<FamilyUsage> Usage() const;

 private:
  bool SaveLocked() const;

  const Clock& clock_;
  StopSignal& stop_;
  const Logger& logger_;
  StateFile* const history_;
  mutable std::mutex mutex_;
  std::map<std::string, RateBudget> budgets_;
};

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_BUDGETS_H_
