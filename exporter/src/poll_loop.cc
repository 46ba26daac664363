#include "callcenter/poll_loop.h"

#include <algorithm>
#include <exception>

namespace callcenter {

Backoff::Backoff(Seconds base, Seconds max, unsigned seed)
    : base_(base), max_(max), random_(seed) {}

std::chrono::milliseconds Backoff::Next() {
  ++failures_;
  const int exponent = std::min(failures_ - 1, 16);
  const auto ceiling = std::min<std::chrono::milliseconds>(
      max_, std::chrono::milliseconds(base_) * (1LL << exponent));
  // Half fixed, half random: never zero, never synchronised with others.
  std::uniform_int_distribution<int64_t> jitter(0, ceiling.count() / 2);
  return ceiling / 2 + std::chrono::milliseconds(jitter(random_));
}

PollLoop::PollLoop(Poller& poller, const Clock& clock, StopSignal& stop,
                   const Logger& logger)
    : poller_(poller), clock_(clock), stop_(stop), logger_(logger) {}

PollLoop::~PollLoop() { Join(); }

void PollLoop::Start() {
  thread_ = std::thread([this] { Run(); });
}

void PollLoop::Join() {
  if (thread_.joinable()) thread_.join();
}

void PollLoop::Run() {
  Backoff crash_backoff(Seconds(5), Seconds(300), std::random_device{}());
  while (!stop_.stopped()) {
    TimePoint next;
    try {
      next = poller_.PollOnce();
      crash_backoff.Reset();
    } catch (const std::exception& error) {
      logger_.Error(poller_.name(), "poll failed unexpectedly",
                    {{"err", error.what()}});
      next = clock_.Now() + crash_backoff.Next();
    } catch (...) {
      logger_.Error(poller_.name(), "poll failed unexpectedly");
      next = clock_.Now() + crash_backoff.Next();
    }
    if (!stop_.SleepUntil(clock_, next)) break;
  }
}

}  // namespace callcenter
