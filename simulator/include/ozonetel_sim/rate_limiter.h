// Per-family sliding-window request limits (§10) and request statistics.
#ifndef OZONETEL_SIM_RATE_LIMITER_H_
#define OZONETEL_SIM_RATE_LIMITER_H_

#include <array>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

#include "callcenter/common/clock.h"
#include "ozonetel_sim/options.h"

namespace callcenter::sim {

// Admits at most `limit` requests in any window of `window` length. Refused
// requests are not recorded, so hammering does not extend a lockout.
class SlidingWindowLimiter {
 public:
  SlidingWindowLimiter(int limit, Seconds window);

  bool TryAdmit(TimePoint now);
  // Whole seconds until the next request would be admitted (0 if now).
  int64_t RetryAfterSeconds(TimePoint now);

 private:
  void Expire(TimePoint now);

  int limit_;
  Seconds window_;
  std::deque<TimePoint> admitted_;
};

enum class Family : int {
  kToken = 0,
  kCdr,
  kSummary,
  kAht,
  kAgentDetails,
  kGraphql,
  kSubscription,  // /events/... (no limit)
};
inline constexpr int kFamilyCount = 7;
const char* FamilyName(Family family);

class RateLimits {
 public:
  struct Admission {
    bool admitted = true;
    int64_t retry_after_seconds = 0;
  };

  explicit RateLimits(const SimOptions& options);

  void CountRequest(Family family);
  // Admits or refuses; a refusal counts as a violation. Families without a
  // limit (graphql) always pass.
  Admission TryAdmit(Family family, TimePoint now);

  std::array<int64_t, kFamilyCount> Requests() const;
  std::array<int64_t, kFamilyCount> Violations() const;

 private:
  mutable std::mutex mutex_;
  std::array<std::optional<SlidingWindowLimiter>, kFamilyCount> limiters_;
  std::array<int64_t, kFamilyCount> requests_{};
  std::array<int64_t, kFamilyCount> violations_{};
};

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_RATE_LIMITER_H_
