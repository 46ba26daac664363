#include "core/stop_signal.h"

#include <algorithm>

namespace callcenter::core {

void StopSignal::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
  }
  cv_.notify_all();
}

bool StopSignal::stopped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopped_;
}

void StopSignal::Nudge() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++nudges_;
  }
  cv_.notify_all();
}

bool StopSignal::SleepUntil(const Clock& clock, TimePoint deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopped_) {
    const auto remaining = deadline - clock.Now();
    if (remaining <= TimePoint::duration::zero()) return true;
    // A scaled clock turns simulated seconds into a shorter real wait; the
    // loop re-reads the clock because that conversion rounds.
    auto real = clock.ToRealDuration(remaining);
    real =
        std::max(real, std::chrono::nanoseconds(std::chrono::microseconds(50)));
    const unsigned long nudges = nudges_;
    cv_.wait_for(lock, real,
                 [this, nudges] { return stopped_ || nudges_ != nudges; });
  }
  return false;
}

}  // namespace callcenter::core
