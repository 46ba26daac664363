// One thread per poller. The loop never overlaps itself: it runs PollOnce,
// then sleeps until the time PollOnce asked for. Every exception stops at
// this thread boundary, is logged, and turns into a backoff.
#ifndef CALLCENTER_POLL_LOOP_H_
#define CALLCENTER_POLL_LOOP_H_

#include <random>
#include <string>
#include <thread>

#include "callcenter/common/clock.h"
#include "callcenter/logging.h"
#include "callcenter/stop_signal.h"

namespace callcenter {

class Poller {
 public:
  virtual ~Poller() = default;
  virtual std::string name() const = 0;
  // Polls once and returns when the next poll should start.
  virtual TimePoint PollOnce() = 0;
};

// Exponential backoff with full jitter, for 5xx answers and timeouts.
class Backoff {
 public:
  Backoff(Seconds base, Seconds max, unsigned seed);
  void Reset() { failures_ = 0; }
  // The delay after one more consecutive failure.
  std::chrono::milliseconds Next();
  int failures() const { return failures_; }

 private:
  Seconds base_;
  Seconds max_;
  int failures_ = 0;
  std::mt19937 random_;
};

class PollLoop {
 public:
  PollLoop(Poller& poller, const Clock& clock, StopSignal& stop,
           const Logger& logger);
  ~PollLoop();
  void Start();
  void Join();

 private:
  void Run();

  Poller& poller_;
  const Clock& clock_;
  StopSignal& stop_;
  const Logger& logger_;
  std::thread thread_;
};

}  // namespace callcenter

#endif  // CALLCENTER_POLL_LOOP_H_
