#include "ozonetel_sim/live_floor.h"

#include <algorithm>
#include <unordered_map>

#include "ozonetel_sim/json_util.h"

namespace callcenter::sim {
namespace {

constexpr int64_t kDay = 86400;

// A call between its Calling and its Disconnect.
struct OpenCall {
  int queue = 0;
  bool inbound = true;
  bool waiting = false;
  bool answered = false;
  int64_t since = 0;  // Calling
};

int64_t Overlap(int64_t a_from, int64_t a_to, int64_t b_from, int64_t b_to) {
  return std::max<int64_t>(0, std::min(a_to, b_to) - std::max(a_from, b_from));
}

// Applies events in timeline order and keeps what the floor needs.
class Replayer {
 public:
  Replayer(const Account& account, int64_t at, int64_t day_start,
           FloorView view)
      : account_(account), day_start_(day_start) {
    floor_.at = at;
    floor_.view = view;
    floor_.agents.resize(account.agents.size());
    if (view == FloorView::kCccp) {
      floor_.supervisors.resize(account.supervisors.size());
    }
    floor_.queues.resize(account.queues.size());
  }

  void Apply(const FloorEvent& event) {
    if (event.IsCallEvent()) {
      ApplyCall(event);
    } else if (event.supervisor) {
      ApplyUser(event, &floor_.supervisors[event.subject]);
    } else {
      ApplyUser(event, &floor_.agents[event.subject]);
    }
  }

  Floor Finish() {
    for (UserFloor& user : floor_.agents) CloseDay(&user);
    for (UserFloor& user : floor_.supervisors) CloseDay(&user);
    CountCalls();
    CountStaff();
    return std::move(floor_);
  }

 private:
  // A run of the same state continues through events that map to it; the
  // Ozonetel view compares live states, the CCCP view CCCP states.
  bool SameRun(CccpState a, CccpState b) const {
    return floor_.view == FloorView::kOzonetel ? ToLive(a) == ToLive(b)
                                               : a == b;
  }

  void ApplyUser(const FloorEvent& event, UserFloor* user) {
    if (event.action == Action::kLogout) {
      if (!user->logged_in) return;
      AddToday(user, event.time);
      user->logged_in = false;
      user->state = CccpState::kLoggedOut;
      user->since = event.time;
      return;
    }
    // The rest of a shift whose login came before the replay started.
    if (!user->logged_in && event.action != Action::kLogin) return;
    const CccpState next = StateAfter(event);
    user->last_event_time = event.time;
    user->last_action = event.action;
    if (event.action == Action::kLogin) {
      user->logged_in = true;
      user->login_at = event.time;
      user->state = next;
      user->since = event.time;
      return;
    }
    if (SameRun(user->state, next)) return;
    AddToday(user, event.time);
    user->state = next;
    user->since = event.time;
  }

  // Adds the current run's seconds up to `until` to today's totals.
  void AddToday(UserFloor* user, int64_t until) {
    const int64_t seconds = Overlap(user->since, until, day_start_, floor_.at);
    if (user->state == CccpState::kPause) user->pause_seconds += seconds;
    if (user->state == CccpState::kOutbound) user->outbound_seconds += seconds;
  }

  void CloseDay(UserFloor* user) {
    if (user->logged_in) AddToday(user, floor_.at);
  }

  void ApplyCall(const FloorEvent& event) {
    const Call& call = *event.call;
    const bool today = event.time >= day_start_;
    if (event.action == Action::kCallCalling) {
      OpenCall open;
      open.queue = static_cast<uint8_t>(call.skill);
      open.inbound = call.inbound();
      open.waiting = call.inbound();
      open.since = event.time;
      calls_[call.ucid] = open;
      return;
    }
    auto it = calls_.find(call.ucid);
    if (it == calls_.end()) return;  // began before the replay
    OpenCall& open = it->second;
    QueueFloor& queue = floor_.queues[open.queue];
    if (event.action == Action::kCallAnswered) {
      if (open.waiting && today) {
        ++queue.managed_today;
        queue.waiting_max_today =
            std::max(queue.waiting_max_today, event.time - open.since);
        if (call.agent >= 0) ++floor_.agents[call.agent].inbound_managed;
      }
      open.waiting = false;
      open.answered = true;
      return;
    }
    if (open.waiting && today) {
      ++queue.failed_today;
      queue.waiting_max_today =
          std::max(queue.waiting_max_today, event.time - open.since);
      if (call.agent >= 0) ++floor_.agents[call.agent].inbound_lost;
    }
    calls_.erase(it);
  }

  void CountCalls() {
    for (const auto& [ucid, open] : calls_) {
      ++(open.inbound ? floor_.active_inbound : floor_.active_outbound);
      if (!open.inbound) continue;
      QueueFloor& queue = floor_.queues[open.queue];
      if (open.answered) ++queue.running;
      if (!open.waiting) continue;
      ++queue.waiting;
      ++floor_.waiting;
      queue.oldest_since =
          std::min(queue.oldest_since.value_or(open.since), open.since);
    }
  }

  void CountStaff() {
    for (size_t i = 0; i < floor_.agents.size(); ++i) {
      const UserFloor& user = floor_.agents[i];
      if (!user.logged_in) continue;
      QueueStaff& staff =
          floor_.queues[account_.HomeQueue(static_cast<int>(i))].staff;
      ++staff.logged;
      switch (user.state) {
        case CccpState::kRinging:
        case CccpState::kBusy:
        case CccpState::kHold:
        case CccpState::kWrapup:
          ++staff.working;
          break;
        case CccpState::kPause:
          ++staff.withdrawn;
          break;
        case CccpState::kOutbound:
          ++staff.outbound;
          break;
        default:
          break;
      }
    }
    for (size_t i = 0; i < floor_.supervisors.size(); ++i) {
      const UserFloor& user = floor_.supervisors[i];
      if (!user.logged_in) continue;
      QueueStaff& staff =
          floor_.queues[account_.HomeQueue(static_cast<int>(i))].staff;
      if (user.state == CccpState::kSupervisorPlugged) ++staff.logged;
      if (user.state == CccpState::kSupervisorInterface) ++staff.supervision;
      if (user.state == CccpState::kSupervisorUnplugged) ++staff.latent;
    }
  }

  const Account& account_;
  int64_t day_start_;
  Floor floor_;
  std::unordered_map<int64_t, OpenCall> calls_;  // by UCID
};

// Feeds one day's events up to `at` in timeline order; with CCCP the
// CCCP-only events are merged in (Ozonetel events first within a second).
void Replay(const DayTimeline& timeline, int64_t at, FloorView view,
            Replayer* replayer) {
  const std::vector<FloorEvent>& events = timeline.events;
  const std::vector<FloorEvent> none;
  const std::vector<FloorEvent>& extra =
      view == FloorView::kCccp ? timeline.cccp_events : none;
  size_t i = 0, j = 0;
  for (;;) {
    const bool more_events = i < events.size() && events[i].time <= at;
    const bool more_extra = j < extra.size() && extra[j].time <= at;
    if (!more_events && !more_extra) break;
    if (more_events && (!more_extra || events[i].time <= extra[j].time)) {
      replayer->Apply(events[i++]);
    } else {
      replayer->Apply(extra[j++]);
    }
  }
}

void WriteUser(JsonWriter* w, const std::string& id, const std::string& name,
               const char* role, const std::string& profile,
               const UserFloor& user, const std::string& queue, bool dropped) {
  w->StartObject();
  WriteMember(w, "agent", id);
  WriteMember(w, "name", name);
  WriteMember(w, "role", role);
  WriteMember(w, "profile", profile);
  WriteMember(w, "state", LiveStateName(ToLive(user.state)));
  WriteMember(w, "since", user.since);
  WriteMember(w, "login_at", user.login_at);
  WriteMember(w, "queue", queue);
  w->Key("last_event_dropped");
  w->Bool(dropped);
  w->EndObject();
}

void WriteStaff(JsonWriter* w, const QueueStaff& staff) {
  w->StartObject();
  WriteMember(w, "logged", staff.logged);
  WriteMember(w, "working", staff.working);
  WriteMember(w, "withdrawn", staff.withdrawn);
  WriteMember(w, "outbound", staff.outbound);
  WriteMember(w, "supervision", staff.supervision);
  WriteMember(w, "latent", staff.latent);
  w->EndObject();
}

}  // namespace

const char* CccpStateName(CccpState state) {
  switch (state) {
    case CccpState::kPlugged:
      return "plugged";
    case CccpState::kRinging:
      return "ringing";
    case CccpState::kBusy:
      return "busy";
    case CccpState::kHold:
      return "hold";
    case CccpState::kWrapup:
      return "wrapup";
    case CccpState::kPause:
      return "pause";
    case CccpState::kOutbound:
      return "outbound";
    case CccpState::kSupervisorPlugged:
      return "supervisor_plugged";
    case CccpState::kSupervisorUnplugged:
      return "supervisor_unplugged";
    case CccpState::kSupervisorInterface:
      return "supervisor_interface";
    case CccpState::kLoggedOut:
      return "logged_out";
    case CccpState::kUnknown:
      return "unknown";
  }
  return "unknown";
}

const char* LiveStateName(LiveState state) {
  switch (state) {
    case LiveState::kAvailable:
      return "available";
    case LiveState::kRinging:
      return "ringing";
    case LiveState::kBusy:
      return "busy";
    case LiveState::kHold:
      return "hold";
    case LiveState::kWrapup:
      return "wrapup";
    case LiveState::kPause:
      return "pause";
    case LiveState::kOutbound:
      return "outbound";
    case LiveState::kSupervising:
      return "supervising";
    case LiveState::kUnknown:
      return "unknown";
  }
  return "unknown";
}

LiveState ToLive(CccpState state) {
  switch (state) {
    case CccpState::kPlugged:
    case CccpState::kSupervisorPlugged:
      return LiveState::kAvailable;
    case CccpState::kRinging:
      return LiveState::kRinging;
    case CccpState::kBusy:
      return LiveState::kBusy;
    case CccpState::kHold:
      return LiveState::kHold;
    case CccpState::kWrapup:
      return LiveState::kWrapup;
    case CccpState::kPause:
      return LiveState::kPause;
    case CccpState::kOutbound:
      return LiveState::kOutbound;
    case CccpState::kSupervisorUnplugged:
    case CccpState::kSupervisorInterface:
      return LiveState::kSupervising;
    case CccpState::kLoggedOut:
    case CccpState::kUnknown:
      return LiveState::kUnknown;
  }
  return LiveState::kUnknown;
}

CccpState StateAfter(const FloorEvent& event) {
  switch (event.action) {
    case Action::kLogin:
      return event.supervisor ? CccpState::kSupervisorPlugged
                              : CccpState::kPlugged;
    case Action::kRelease:
    case Action::kIdle:
    case Action::kReady:
      return CccpState::kPlugged;
    case Action::kCalling:
      return event.mode == AgentMode::kInbound ? CccpState::kRinging
                                               : CccpState::kOutbound;
    case Action::kIncall:
    case Action::kUnhold:
      return CccpState::kBusy;
    case Action::kHold:
      return CccpState::kHold;
    case Action::kAcw:
      return CccpState::kWrapup;
    case Action::kAux:
    case Action::kPause:
      return CccpState::kPause;
    case Action::kSupervisorPlugged:
      return CccpState::kSupervisorPlugged;
    case Action::kSupervisorUnplugged:
      return CccpState::kSupervisorUnplugged;
    case Action::kSupervisorInterface:
      return CccpState::kSupervisorInterface;
    case Action::kLogout:
      return CccpState::kLoggedOut;
    default:
      return CccpState::kUnknown;
  }
}

Floor ComputeFloor(const Account& account, const DayTimeline* previous,
                   const DayTimeline& today, int64_t at, FloorView view) {
  // "Today" for the daily figures is the local day of `at`.
  const int64_t day_start =
      at >= today.midnight + kDay ? today.midnight + kDay : today.midnight;
  Replayer replayer(account, at, day_start, view);
  if (previous != nullptr) Replay(*previous, at, view, &replayer);
  Replay(today, at, view, &replayer);
  return replayer.Finish();
}

std::string LiveFloorJson(const Account& account, const Floor& floor,
                          const DroppedLookup& dropped) {
  int64_t counts[kLiveStateCount] = {};
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  WriteMember(&w, "at", floor.at);
  WriteMember(&w, "view", floor.view == FloorView::kCccp ? "cccp" : "ozonetel");
  w.Key("agents");
  w.StartArray();
  for (size_t i = 0; i < floor.agents.size(); ++i) {
    const UserFloor& user = floor.agents[i];
    if (!user.logged_in) continue;
    const int agent = static_cast<int>(i);
    ++counts[static_cast<int>(ToLive(user.state))];
    const bool lost = floor.view == FloorView::kOzonetel && dropped &&
                      dropped(agent, user.last_event_time, user.last_action);
    WriteUser(&w, account.agents[i].id, account.agents[i].name, "agent",
              AgentProfile(account, agent), user,
              account.queues[account.HomeQueue(agent)], lost);
  }
  for (size_t i = 0; i < floor.supervisors.size(); ++i) {
    const UserFloor& user = floor.supervisors[i];
    if (!user.logged_in) continue;
    ++counts[static_cast<int>(ToLive(user.state))];
    WriteUser(&w, account.supervisors[i].id, account.supervisors[i].name,
              "supervisor", kSupervisorProfile, user,
              account.queues[account.HomeQueue(static_cast<int>(i))], false);
  }
  w.EndArray();
  w.Key("queues");
  w.StartArray();
  for (size_t q = 0; q < floor.queues.size(); ++q) {
    const QueueFloor& queue = floor.queues[q];
    w.StartObject();
    WriteMember(&w, "queue", account.queues[q]);
    WriteMember(&w, "waiting", queue.waiting);
    w.Key("oldest_since");
    if (queue.oldest_since) {
      w.Int64(*queue.oldest_since);
    } else {
      w.Null();
    }
    w.Key("agents");
    WriteStaff(&w, queue.staff);
    w.EndObject();
  }
  w.EndArray();
  w.Key("calls_active");
  w.StartObject();
  WriteMember(&w, "inbound", floor.active_inbound);
  WriteMember(&w, "outbound", floor.active_outbound);
  w.EndObject();
  w.Key("counts");
  w.StartObject();
  for (int s = 0; s < kLiveStateCount; ++s) {
    WriteMember(&w, LiveStateName(static_cast<LiveState>(s)), counts[s]);
  }
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string AgentDetailsStatus(const UserFloor& agent) {
  if (!agent.logged_in) return "Logout";
  switch (ToLive(agent.state)) {
    case LiveState::kAvailable:
      return "Ready";
    case LiveState::kRinging:
      return "Ringing";
    case LiveState::kBusy:
    case LiveState::kHold:
      return "Busy";
    case LiveState::kWrapup:
      return "ACW";
    case LiveState::kPause:
      return "Pause";
    case LiveState::kOutbound:
      return "Dialing";
    default:
      return "Ready";
  }
}

std::string AgentProfile(const Account& account, int agent) {
  return account.IsNightAgent(agent) ? "Agent_night" : "Agent_default";
}

}  // namespace callcenter::sim
