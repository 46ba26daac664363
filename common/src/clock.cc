#include "callcenter/common/clock.h"

#include <cmath>

namespace callcenter {

ScaledClock::ScaledClock(TimePoint origin, TimePoint epoch, double speed)
    : origin_(origin), epoch_(epoch), speed_(speed > 0 ? speed : 1.0) {}

TimePoint ScaledClock::Now() const {
  const auto real_elapsed = std::chrono::system_clock::now() - epoch_;
  const auto scaled = std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::duration<double, TimePoint::period>(real_elapsed.count() *
                                                       speed_));
  return origin_ + scaled;
}

std::chrono::nanoseconds ScaledClock::ToRealDuration(
    std::chrono::nanoseconds clock_time) const {
  return std::chrono::nanoseconds(
      static_cast<int64_t>(std::llround(clock_time.count() / speed_)));
}

TimePoint FakeClock::Now() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return now_;
}

void FakeClock::Set(TimePoint now) {
  std::lock_guard<std::mutex> lock(mutex_);
  now_ = now;
}

void FakeClock::Advance(std::chrono::nanoseconds by) {
  std::lock_guard<std::mutex> lock(mutex_);
  now_ += std::chrono::duration_cast<TimePoint::duration>(by);
}

double ToUnixSeconds(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

TimePoint FromUnixSeconds(double seconds) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::duration<double>(seconds)));
}

}  // namespace callcenter
