// Pushes the live floor's Ozonetel events to the subscribed URLs, in
// timeline order, as the simulated clock passes each event's time; with
// seeded faults (drop, duplicate, reorder), a real-time delay, pause and
// bounded retries, all switchable at runtime (POST /_sim/events).
#ifndef OZONETEL_SIM_EVENT_SENDER_H_
#define OZONETEL_SIM_EVENT_SENDER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "callcenter/common/clock.h"
#include "ozonetel_sim/floor_events.h"
#include "ozonetel_sim/options.h"

namespace callcenter::sim {

// The subscription of ozonetel-api.md §9: one URL pair per account.
class Subscriptions {
 public:
  Subscriptions(std::string agent_url, std::string call_url);

  std::string agent_url() const;
  std::string call_url() const;
  void Set(std::string agent_url, std::string call_url);
  void ClearAgent();
  void ClearCall();

 private:
  mutable std::mutex mutex_;
  std::string agent_url_;
  std::string call_url_;
};

// One HTTP POST of a JSON body; returns the status, or 0 when no answer
// came (connection refused, timeout).
class EventPoster {
 public:
  virtual ~EventPoster() = default;
  virtual int Post(const std::string& url, const std::string& body) = 0;
};

// libcurl, one handle per URL so connections are kept alive.
std::unique_ptr<EventPoster> MakeCurlPoster();

struct DeliveryCounters {
  int64_t sent = 0;        // HTTP POSTs, retries and second copies included
  int64_t delivered = 0;   // events with a 2xx answer
  int64_t accepted = 0;    // POSTs answered 2xx, second copies included
  int64_t dropped = 0;     // events withheld by the drop fault
  int64_t duplicated = 0;  // events sent twice in a row
  int64_t reordered = 0;   // events delivered after the agent's next event
  int64_t retried = 0;     // POSTs that repeated a failed one
  int64_t failed = 0;      // events given up (no 2xx after the retries)
};

struct DeliveryStatus {
  bool paused = false;
  int64_t queued = 0;     // due (time <= now) and not yet taken up
  int64_t in_flight = 0;  // being sent, retried, held for a reorder, or
                          // (paused) left of the second being delivered
  // Every event with time <= this is delivered, dropped or failed, and none
  // later has been sent. Exact while no reorder is pending (pausing
  // releases pending reorders).
  int64_t delivered_through = 0;
  DeliveryCounters agent;
  DeliveryCounters call;
};

class EventSender {
 public:
  EventSender(const Account* account, TimelineCache* timelines,
              const Clock* clock, Subscriptions* subscriptions,
              EventOptions options, uint64_t seed, Seconds utc_offset,
              std::unique_ptr<EventPoster> poster);
  ~EventSender();
  EventSender(const EventSender&) = delete;
  EventSender& operator=(const EventSender&) = delete;

  // Delivery begins with the events after now (or at --events.replay-from).
  void Start();
  void Stop();

  // Applies the members of a /_sim/events POST; "" or what is wrong.
  std::string Update(const std::string& json);
  DeliveryStatus Status() const;
  std::string StatusJson() const;
  // Whether the agent's event (time, action) was the last one dropped.
  bool WasDropped(int agent, int64_t time, Action action) const;
  // Waits until every due event has been taken up and sent (events held
  // for a reorder may still wait for their partner), or, when paused, until
  // nothing is in flight; false on timeout. For tests.
  bool WaitIdle(std::chrono::milliseconds timeout) const;

 private:
  enum class Fault { kNone, kDrop, kDuplicate, kReorder };

  // An event taken from the timeline, waiting to be sent.
  struct Pending {
    FloorEvent event;
    size_t index = 0;                             // in its timeline's events
    std::shared_ptr<const DayTimeline> timeline;  // keeps event.call alive
    std::chrono::steady_clock::time_point due;
  };

  // Where delivery stands: the next event to take up is the `offset`-th of
  // those at `time` (so a rebuilt timeline, after a spike, resumes in place).
  struct Cursor {
    int64_t time = 0;
    size_t offset = 0;
  };

  void Run();
  void Step();
  // Events of the second last taken up are still to go.
  bool SecondUnfinished() const;
  // Moves the events due by `now` into the queue; false if the timeline of
  // the cursor's day must be fetched first (outside the lock).
  bool Refill(int64_t now, const std::shared_ptr<const DayTimeline>& timeline);
  void Process(Pending pending);
  // Sends one event (twice when duplicated); true if a copy got a 2xx.
  bool Send(const Pending& pending, int copies);
  bool PostWithRetries(const std::string& url, const std::string& body,
                       int max_retries, DeliveryCounters* counters);
  void FlushHeld(std::unique_lock<std::mutex>* lock);
  Fault Roll(const FloorEvent& event) const;
  bool CanReorder(const Pending& pending) const;
  std::string UrlFor(const FloorEvent& event) const;
  std::string Body(const Pending& pending) const;
  DeliveryCounters& CountersFor(const FloorEvent& event);
  int64_t NowSeconds() const;
  int64_t EarliestUndone(int64_t now) const;
  int64_t UntakenDue(int64_t now) const;
  bool IdleLocked() const;

  const Account* account_;
  TimelineCache* timelines_;
  const Clock* clock_;
  Subscriptions* subscriptions_;
  const EventOptions startup_;
  const uint64_t seed_;
  const Seconds utc_offset_;
  std::unique_ptr<EventPoster> poster_;  // sender thread only

  mutable std::mutex mutex_;
  mutable std::condition_variable wake_;  // the sender thread
  mutable std::condition_variable idle_;  // WaitIdle
  EventOptions switches_;
  bool started_ = false;
  bool stop_ = false;
  Cursor cursor_;
  std::shared_ptr<const DayTimeline> cursor_timeline_;
  std::deque<Pending> queue_;
  std::map<int, Pending> held_;  // by agent, waiting for the agent's next
  std::unique_ptr<Pending> sending_;
  // Event time of the last event taken up for sending.
  int64_t last_taken_time_ = std::numeric_limits<int64_t>::min();
  DeliveryCounters agent_counters_;
  DeliveryCounters call_counters_;
  std::vector<std::pair<int64_t, Action>> last_dropped_;  // by agent
  std::thread thread_;
};

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_EVENT_SENDER_H_
