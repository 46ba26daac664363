#include "ozonetel_sim/floor_events.h"

#include <algorithm>

#include "ozonetel_sim/rng.h"

namespace callcenter::sim {
namespace {

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 24 * kHour;

// The action that ends a wrap-up, in turn over a shift's calls.
constexpr Action kWrapUpEnds[] = {Action::kRelease, Action::kIdle,
                                  Action::kReady};

// Builds one shift's events; the counters drive the alternations.
class ShiftEvents {
 public:
  ShiftEvents(int agent, std::vector<FloorEvent>* events,
              std::vector<FloorEvent>* cccp_only)
      : agent_(agent), events_(events), cccp_only_(cccp_only) {}

  void Append(const AgentDay& shift) {
    if (shift.login_from == shift.login_to) return;
    Push(events_, shift.login_from, Action::kLogin, AgentMode::kBlended);
    const std::vector<Segment>& segments = shift.segments;
    for (size_t i = 0; i < segments.size(); ++i) {
      const bool followed =
          i + 1 < segments.size() && segments[i + 1].from == segments[i].to;
      AppendSegment(segments[i], followed);
    }
    Push(events_, shift.login_to, Action::kLogout, AgentMode::kBlended);
  }

 private:
  void AppendSegment(const Segment& segment, bool followed) {
    const AgentMode mode = ModeOf(segment.type);
    switch (segment.state) {
      case AgentState::kPause:
        Push(events_, segment.from,
             pauses_++ % 2 == 0 ? Action::kAux : Action::kPause,
             AgentMode::kBlended);
        if (!followed) {
          Push(events_, segment.to, Action::kRelease, AgentMode::kBlended);
        }
        break;
      case AgentState::kDial:
        Push(events_, segment.from, Action::kCalling, mode);
        // An answered call's busy segment follows in the same second.
        if (!followed) Push(events_, segment.to, Action::kRelease, mode);
        break;
      case AgentState::kBusy:
        if (segment.inbound) {
          Push(events_, segment.from - segment.ring, Action::kCalling, mode);
        }
        Push(events_, segment.from, Action::kIncall, mode);
        AppendHold(segment);
        if (!followed) Push(events_, segment.to, Action::kRelease, mode);
        break;
      case AgentState::kWrapup:
        Push(events_, segment.from, Action::kAcw, mode);
        if (!followed) {
          Push(events_, segment.to, kWrapUpEnds[wrapups_++ % 3], mode);
        }
        break;
    }
  }

  // CCCP shows the call's hold in the middle of its talk time.
  void AppendHold(const Segment& busy) {
    if (busy.hold <= 0) return;
    const int64_t talk = busy.to - busy.from - busy.hold;
    const int64_t from = busy.from + talk / 2;
    const AgentMode mode = ModeOf(busy.type);
    Push(cccp_only_, from, Action::kHold, mode);
    Push(cccp_only_, from + busy.hold, Action::kUnhold, mode);
  }

  void Push(std::vector<FloorEvent>* out, int64_t time, Action action,
            AgentMode mode) {
    FloorEvent event;
    event.time = time;
    event.subject = agent_;
    event.action = action;
    event.mode = mode;
    out->push_back(event);
  }

  int agent_;
  std::vector<FloorEvent>* events_;
  std::vector<FloorEvent>* cccp_only_;
  int pauses_ = 0;
  int wrapups_ = 0;
};

bool EarlierEvent(const FloorEvent& a, const FloorEvent& b) {
  return a.time < b.time;
}

// Appends the events of `source` whose time falls in [from, to).
void AppendInRange(const std::vector<FloorEvent>& source, int64_t from,
                   int64_t to, std::vector<FloorEvent>* out) {
  for (const FloorEvent& event : source) {
    if (event.time >= from && event.time < to) out->push_back(event);
  }
}

// Every event of a day's shifts and calls; with `only_after`, just the
// shifts and calls that reach past it (yesterday's, into today).
void CollectDay(const DayData& day, std::optional<int64_t> only_after,
                std::vector<FloorEvent>* agent_events,
                std::vector<FloorEvent>* call_events,
                std::vector<FloorEvent>* cccp_events) {
  for (size_t agent = 0; agent < day.agents.size(); ++agent) {
    const AgentDay& shift = day.agents[agent];
    if (only_after && shift.login_to < *only_after) continue;
    ShiftEvents(static_cast<int>(agent), agent_events, cccp_events)
        .Append(shift);
  }
  for (const Call& call : day.calls) {
    if (only_after && call.end < *only_after) continue;
    AppendCallEvents(call, call_events);
  }
}

}  // namespace

const char* ActionName(Action action) {
  switch (action) {
    case Action::kLogin:
      return "login";
    case Action::kLogout:
      return "logout";
    case Action::kAux:
      return "AUX";
    case Action::kPause:
      return "pause";
    case Action::kRelease:
      return "release";
    case Action::kIdle:
      return "IDLE";
    case Action::kReady:
      return "READY";
    case Action::kCalling:
      return "calling";
    case Action::kIncall:
      return "incall";
    case Action::kAcw:
      return "ACW";
    case Action::kHold:
      return "hold";
    case Action::kUnhold:
      return "unhold";
    case Action::kSupervisorPlugged:
      return "supervisor_plugged";
    case Action::kSupervisorUnplugged:
      return "supervisor_unplugged";
    case Action::kSupervisorInterface:
      return "supervisor_interface";
    case Action::kCallCalling:
      return "Calling";
    case Action::kCallAnswered:
      return "Answered";
    case Action::kCallDisconnect:
      return "Disconnect";
  }
  return "";
}

const char* AgentModeName(AgentMode mode) {
  switch (mode) {
    case AgentMode::kBlended:
      return "BLENDED";
    case AgentMode::kInbound:
      return "INBOUND";
    case AgentMode::kManual:
      return "MANUAL";
    case AgentMode::kProgressive:
      return "PROGRESSIVE";
    case AgentMode::kPreview:
      return "PREVIEW";
  }
  return "";
}

AgentMode ModeOf(CallType type) {
  switch (type) {
    case CallType::kInBound:
      return AgentMode::kInbound;
    case CallType::kManual:
      return AgentMode::kManual;
    case CallType::kProgressive:
      return AgentMode::kProgressive;
    case CallType::kPreview:
      return AgentMode::kPreview;
  }
  return AgentMode::kBlended;
}

void AppendShiftEvents(int agent, const AgentDay& shift,
                       std::vector<FloorEvent>* events,
                       std::vector<FloorEvent>* cccp_only) {
  ShiftEvents(agent, events, cccp_only).Append(shift);
}

void AppendCallEvents(const Call& call, std::vector<FloorEvent>* events) {
  auto push = [&](int64_t time, Action action) {
    FloorEvent event;
    event.time = time;
    event.call = &call;
    event.subject = call.agent;
    event.action = action;
    event.mode = ModeOf(call.type);
    events->push_back(event);
  };
  push(call.start, Action::kCallCalling);
  if (call.answered) push(call.pickup, Action::kCallAnswered);
  push(call.end, Action::kCallDisconnect);
}

void AppendSupervisorEvents(uint64_t seed, int supervisor, Date date,
                            int64_t midnight, std::vector<FloorEvent>* events) {
  Rng rng(HashOf({seed, static_cast<uint64_t>(DaysSinceEpoch(date)),
                  static_cast<uint64_t>(supervisor), 0x5C0F}));
  if (rng.Bernoulli(0.1)) return;  // a day off
  const int64_t login = midnight + 8 * kHour + rng.UniformInt(0, 1800);
  const int64_t logout = login + 9 * kHour + rng.UniformInt(0, 1800);
  auto push = [&](int64_t time, Action action) {
    FloorEvent event;
    event.time = time;
    event.subject = supervisor;
    event.action = action;
    event.supervisor = true;
    events->push_back(event);
  };
  push(login, Action::kLogin);  // logs in plugged
  Action state = Action::kSupervisorPlugged;
  for (int64_t t = login + rng.UniformInt(900, 2700); t < logout;
       t += rng.UniformInt(900, 2700)) {
    // Any state but the current one.
    static constexpr Action kStates[] = {Action::kSupervisorPlugged,
                                         Action::kSupervisorUnplugged,
                                         Action::kSupervisorInterface};
    const int current =
        static_cast<int>(state) - static_cast<int>(Action::kSupervisorPlugged);
    state = kStates[(current + 1 + rng.UniformInt(0, 1)) % 3];
    push(t, state);
  }
  push(logout, Action::kLogout);
}

DayTimeline BuildTimeline(const Account& account, uint64_t seed,
                          std::shared_ptr<const DayData> day,
                          std::shared_ptr<const DayData> previous) {
  DayTimeline timeline;
  timeline.date = day->date;
  timeline.midnight = day->midnight;
  const int64_t end = day->midnight + kDay;
  std::vector<FloorEvent> agent_events, call_events, cccp_events;
  agent_events.reserve(day->calls.size() * 4 + day->agents.size() * 8);
  call_events.reserve(day->calls.size() * 3);
  if (previous) {
    CollectDay(*previous, day->midnight, &agent_events, &call_events,
               &cccp_events);
  }
  CollectDay(*day, std::nullopt, &agent_events, &call_events, &cccp_events);
  for (size_t s = 0; s < account.supervisors.size(); ++s) {
    AppendSupervisorEvents(seed, static_cast<int>(s), day->date, day->midnight,
                           &cccp_events);
  }
  // Agents before calls within a second; each entity's own order is kept
  // because the sort is stable and each was appended in order.
  timeline.events.reserve(agent_events.size() + call_events.size());
  AppendInRange(agent_events, day->midnight, end, &timeline.events);
  AppendInRange(call_events, day->midnight, end, &timeline.events);
  std::stable_sort(timeline.events.begin(), timeline.events.end(),
                   EarlierEvent);
  AppendInRange(cccp_events, day->midnight, end, &timeline.cccp_events);
  std::stable_sort(timeline.cccp_events.begin(), timeline.cccp_events.end(),
                   EarlierEvent);
  timeline.day = std::move(day);
  timeline.previous = std::move(previous);
  return timeline;
}

TimelineCache::TimelineCache(const Account* account, TrafficModel* traffic,
                             uint64_t seed, size_t capacity)
    : account_(account),
      traffic_(traffic),
      seed_(seed),
      capacity_(std::max<size_t>(2, capacity)) {}

std::shared_ptr<const DayTimeline> TimelineCache::Timeline(Date date) {
  std::shared_ptr<const DayData> day = traffic_->Day(date);
  std::shared_ptr<const DayData> previous;
  if (traffic_->CrossesMidnight()) previous = traffic_->Day(AddDays(date, -1));
  const int64_t key = DaysSinceEpoch(date);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = cache_.find(key);
  if (it != cache_.end() && it->second.timeline->day == day &&
      it->second.timeline->previous == previous) {
    it->second.last_use = ++use_counter_;
    return it->second.timeline;
  }
  if (it != cache_.end()) cache_.erase(it);
  auto timeline = std::make_shared<const DayTimeline>(
      BuildTimeline(*account_, seed_, day, previous));
  if (cache_.size() >= capacity_) {
    auto oldest = std::min_element(
        cache_.begin(), cache_.end(), [](const auto& a, const auto& b) {
          return a.second.last_use < b.second.last_use;
        });
    cache_.erase(oldest);
  }
  cache_[key] = Entry{timeline, ++use_counter_};
  return timeline;
}

}  // namespace callcenter::sim
