// Shutdown signalling that every sleeping thread can wait on. Sleeping on a
// condition variable, not a plain sleep, lets SIGTERM end the process
// promptly even while a poller waits out a rate-limit window.
#ifndef CALLCENTER_CORE_STOP_SIGNAL_H_
#define CALLCENTER_CORE_STOP_SIGNAL_H_

#include <condition_variable>
#include <mutex>

#include "callcenter/common/clock.h"

namespace callcenter::core {

class StopSignal {
 public:
  void Stop();
  bool stopped() const;
  // Sleeps until `clock` reads `deadline`. Returns false if stopped first.
  bool SleepUntil(const Clock& clock, TimePoint deadline);
  // Wakes sleepers so they re-check their deadlines (after a state change).
  void Nudge();

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopped_ = false;
  unsigned long nudges_ = 0;
};

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_STOP_SIGNAL_H_
