// The live floor's event timeline: Ozonetel agent and call events derived
// deterministically from the traffic model, plus the CCCP-only transitions
// (hold inside a call, supervisors). One timeline per day is the single
// source of the pushed events, /_sim/live, agentdetails and the CCCP
// snapshot, so they agree by construction.
#ifndef OZONETEL_SIM_FLOOR_EVENTS_H_
#define OZONETEL_SIM_FLOOR_EVENTS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "ozonetel_sim/account.h"
#include "ozonetel_sim/traffic.h"

namespace callcenter::sim {

enum class Action : uint8_t {
  // Ozonetel agent actions (integrators' spelling, see ActionName).
  kLogin,
  kLogout,
  kAux,
  kPause,
  kRelease,
  kIdle,
  kReady,
  kCalling,
  kIncall,
  kAcw,
  // CCCP only: hold inside a call, and supervisor states.
  kHold,
  kUnhold,
  kSupervisorPlugged,
  kSupervisorUnplugged,
  kSupervisorInterface,
  // Ozonetel call actions.
  kCallCalling,
  kCallAnswered,
  kCallDisconnect,
};

// agentMode: the call's type for call-related agent events, else kBlended.
enum class AgentMode : uint8_t {
  kBlended,
  kInbound,
  kManual,
  kProgressive,
  kPreview
};

struct FloorEvent {
  int64_t time = 0;
  const Call* call = nullptr;  // call events only
  int32_t subject = -1;        // agent index, or supervisor index
  Action action = Action::kLogin;
  AgentMode mode = AgentMode::kBlended;
  bool supervisor = false;

  bool IsCallEvent() const { return call != nullptr; }
};

const char* ActionName(Action action);
const char* AgentModeName(AgentMode mode);
AgentMode ModeOf(CallType type);

// One shift's agent events in timeline order. Ozonetel events go to
// `events`, hold/unhold (CCCP only) to `cccp_only`. The rules:
//  * login at login_from, logout at login_to;
//  * a pause: AUX and pause alternately (1st, 3rd... pause of the shift:
//    AUX), release at its end;
//  * inbound answered call: calling (INBOUND) when the agent starts ringing,
//    min(5 s, pickup - call start) before pickup; incall at pickup; ACW at
//    the call's end; at wrap-up end release, IDLE, READY in turn (1st, 4th...
//    wrap-up of the shift: release);
//  * outbound call: calling (MANUAL/PROGRESSIVE/PREVIEW) at its start; if
//    answered incall at pickup, ACW at its end, wrap-up end as above; if not,
//    release when dialling ends;
//  * no release-type event is sent when another segment starts in the same
//    second (the next segment's event follows instead);
//  * CCCP hold: a call's HoldDuration sits in the middle of its talk time.
// Ring-no-answer inbound calls and spike calls produce call events only.
void AppendShiftEvents(int agent, const AgentDay& shift,
                       std::vector<FloorEvent>* events,
                       std::vector<FloorEvent>* cccp_only);
// Calling at start, Answered at pickup (if answered), Disconnect at end.
void AppendCallEvents(const Call& call, std::vector<FloorEvent>* events);
// A supervisor's day: logged in about 08:00-17:30, moving among plugged,
// unplugged and interface every 15-45 minutes (starting plugged).
void AppendSupervisorEvents(uint64_t seed, int supervisor, Date date,
                            int64_t midnight, std::vector<FloorEvent>* events);

// The events whose time falls in one local day.
struct DayTimeline {
  Date date;
  int64_t midnight = 0;
  // Keep the calls the events point to alive.
  std::shared_ptr<const DayData> day;
  std::shared_ptr<const DayData> previous;  // null unless shifts cross
  // Ozonetel agent and call events, in timeline order: by time; within a
  // second an agent's (and a call's) events keep their order.
  std::vector<FloorEvent> events;
  // Hold/unhold and supervisor events (CCCP floor only), same order.
  std::vector<FloorEvent> cccp_events;
};

// `previous` is the day before when something crosses midnight (its night
// shifts and calls reach into `day`), else null.
DayTimeline BuildTimeline(const Account& account, uint64_t seed,
                          std::shared_ptr<const DayData> day,
                          std::shared_ptr<const DayData> previous);

// Timelines of the few days in use, rebuilt when the traffic model hands
// out a different day (a spike was added, or the day was regenerated).
class TimelineCache {
 public:
  TimelineCache(const Account* account, TrafficModel* traffic, uint64_t seed,
                size_t capacity = 3);

  std::shared_ptr<const DayTimeline> Timeline(Date date);
  TrafficModel& traffic() { return *traffic_; }

 private:
  struct Entry {
    std::shared_ptr<const DayTimeline> timeline;
    uint64_t last_use = 0;
  };

  const Account* account_;
  TrafficModel* traffic_;
  uint64_t seed_;
  size_t capacity_;
  std::mutex mutex_;
  std::map<int64_t, Entry> cache_;
  uint64_t use_counter_ = 0;
};

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_FLOOR_EVENTS_H_
