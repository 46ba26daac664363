// Injectable wall clocks. Every component that reads the time takes a Clock,
// so tests can drive days, windows and rollovers without waiting.
#ifndef CALLCENTER_COMMON_CLOCK_H_
#define CALLCENTER_COMMON_CLOCK_H_

#include <chrono>
#include <mutex>

namespace callcenter {

using TimePoint = std::chrono::system_clock::time_point;
using Seconds = std::chrono::seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  // Real time that elapses while this clock advances by `clock_time`.
  // Pollers sleep for this long; a scaled clock shortens it.
  virtual std::chrono::nanoseconds ToRealDuration(
      std::chrono::nanoseconds clock_time) const {
    return clock_time;
  }
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// A clock that runs `speed` times faster than real time and reads `origin`
// at the real instant `epoch`. The simulator and the exporter, given the same
// three numbers, agree on the simulated time without talking to each other.
class ScaledClock final : public Clock {
 public:
  ScaledClock(TimePoint origin, TimePoint epoch, double speed);
  TimePoint Now() const override;
  std::chrono::nanoseconds ToRealDuration(
      std::chrono::nanoseconds clock_time) const override;

 private:
  TimePoint origin_;
  TimePoint epoch_;
  double speed_;
};

// A clock that moves only when told to; for unit tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start) : now_(start) {}
  TimePoint Now() const override;
  void Set(TimePoint now);
  void Advance(std::chrono::nanoseconds by);

 private:
  mutable std::mutex mutex_;
  TimePoint now_;
};

// Seconds since the Unix epoch, as a double, for gauges.
double ToUnixSeconds(TimePoint t);
TimePoint FromUnixSeconds(double seconds);

}  // namespace callcenter

#endif  // CALLCENTER_COMMON_CLOCK_H_
