// The live floor's event timeline, /_sim/live and agentdetails: every
// documented action appears, each agent's events follow the documented
// grammar, and the floor equals what a tiny reference replayer (written
// here from live-floor.md, independent of the simulator's) derives from the
// same events.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "ozonetel_sim/floor_events.h"
#include "ozonetel_sim/live_floor.h"
#include "sim_test_util.h"

namespace callcenter::sim {
namespace {

using testing::MakeRequest;
using testing::Parse;
using testing::SimFixture;
using testing::TestDate;

constexpr int64_t kDay = 86400;

// live-floor.md §1.1 and §3, from the action names alone.
std::string LiveStateOf(const std::string& action, const std::string& mode) {
  if (action == "login" || action == "release" || action == "IDLE" ||
      action == "READY") {
    return "available";
  }
  if (action == "calling") return mode == "INBOUND" ? "ringing" : "outbound";
  if (action == "incall") return "busy";
  if (action == "ACW") return "wrapup";
  if (action == "AUX" || action == "pause") return "pause";
  return "unknown";
}

// The reference replayer: agents by index, calls by UCID.
class Reference {
 public:
  struct Agent {
    std::string state;
    int64_t since = 0;
    int64_t login_at = 0;
  };
  struct OpenCall {
    bool inbound = false;
    bool waiting = false;
    int skill = 0;
    int64_t since = 0;
  };

  void Apply(const FloorEvent& event) {
    const std::string action = ActionName(event.action);
    if (event.IsCallEvent()) {
      ApplyCall(action, *event.call, event.time);
      return;
    }
    if (action == "logout") {
      agents.erase(event.subject);
      return;
    }
    if (action == "login") {
      agents[event.subject] = {"available", event.time, event.time};
      return;
    }
    auto it = agents.find(event.subject);
    if (it == agents.end()) return;  // logged in before the replay began
    const std::string state = LiveStateOf(action, AgentModeName(event.mode));
    if (state != it->second.state)
      it->second = {state, event.time, it->second.login_at};
  }

  std::map<int, Agent> agents;
  std::map<int64_t, OpenCall> calls;

 private:
  void ApplyCall(const std::string& action, const Call& call, int64_t time) {
    if (action == "Calling") {
      calls[call.ucid] = {call.inbound(), call.inbound(), call.skill, time};
    } else if (action == "Answered") {
      auto it = calls.find(call.ucid);
      if (it != calls.end()) it->second.waiting = false;
    } else if (action == "Disconnect") {
      calls.erase(call.ucid);
    }
  }
};

class FloorTest : public SimFixture {
 protected:
  void SetUp() override {
    SimOptions options = RelaxedOptions();
    options.agents = 40;
    options.night_agents = 8;
    options.supervisors = 4;
    options.queues = 5;
    Start(options, "12:00:00");
  }

  std::shared_ptr<const DayTimeline> Timeline(int day_offset) {
    return sim_->timelines().Timeline(AddDays(TestDate(), day_offset));
  }

  // Replays days [first, last] through the reference and, at each of
  // `instants` (ascending), checks /_sim/live against it.
  void CompareWithReference(int first, int last,
                            const std::vector<int64_t>& instants) {
    Reference reference;
    std::vector<const FloorEvent*> events;
    std::vector<std::shared_ptr<const DayTimeline>> keep;
    for (int d = first; d <= last; ++d) {
      keep.push_back(Timeline(d));
      for (const FloorEvent& event : keep.back()->events) {
        events.push_back(&event);
      }
    }
    size_t next = 0;
    for (int64_t at : instants) {
      while (next < events.size() && events[next]->time <= at) {
        reference.Apply(*events[next++]);
      }
      ExpectLiveEquals(reference, at);
      for (const auto& [index, agent] : reference.agents) {
        states_seen_.insert(agent.state);
      }
      for (const auto& [ucid, call] : reference.calls) {
        waiting_seen_ += call.waiting;
      }
    }
  }

  // Guards against a comparison that passes because nothing happened.
  std::set<std::string> states_seen_;
  int64_t waiting_seen_ = 0;

  void ExpectLiveEquals(const Reference& reference, int64_t at) {
    SCOPED_TRACE(FormatLocalDateTime(TimePoint(Seconds(at)), Seconds(19800)));
    auto live = Parse(sim_->Handle(MakeRequest("GET", "/_sim/live", "",
                                               "at=" + std::to_string(at)))
                          .body);
    EXPECT_EQ(live["at"].GetInt64(), at);
    const Account& account = sim_->account();
    std::map<std::string, const rapidjson::Value*> listed;
    for (const auto& agent : live["agents"].GetArray()) {
      listed[agent["agent"].GetString()] = &agent;
    }
    EXPECT_EQ(listed.size(), reference.agents.size());
    std::map<std::string, int64_t> counts;
    for (const auto& [index, expected] : reference.agents) {
      const std::string& id = account.agents[index].id;
      ASSERT_TRUE(listed.count(id)) << id;
      const rapidjson::Value& agent = *listed[id];
      EXPECT_EQ(agent["state"].GetString(), expected.state) << id;
      EXPECT_EQ(agent["since"].GetInt64(), expected.since) << id;
      EXPECT_EQ(agent["login_at"].GetInt64(), expected.login_at) << id;
      EXPECT_EQ(agent["queue"].GetString(),
                account.queues[index % account.queues.size()]);
      ++counts[expected.state];
    }
    for (const auto& [state, count] : counts) {
      EXPECT_EQ(live["counts"][state.c_str()].GetInt64(), count) << state;
    }
    int64_t inbound = 0, outbound = 0;
    std::map<int, int64_t> waiting;
    std::map<int, int64_t> oldest;
    for (const auto& [ucid, call] : reference.calls) {
      ++(call.inbound ? inbound : outbound);
      if (!call.waiting) continue;
      ++waiting[call.skill];
      if (!oldest.count(call.skill) || call.since < oldest[call.skill]) {
        oldest[call.skill] = call.since;
      }
    }
    EXPECT_EQ(live["calls_active"]["inbound"].GetInt64(), inbound);
    EXPECT_EQ(live["calls_active"]["outbound"].GetInt64(), outbound);
    ASSERT_EQ(live["queues"].Size(), account.queues.size());
    for (int q = 0; q < static_cast<int>(account.queues.size()); ++q) {
      const auto& queue = live["queues"][q];
      EXPECT_EQ(queue["queue"].GetString(), account.queues[q]);
      EXPECT_EQ(queue["waiting"].GetInt64(), waiting[q]) << q;
      if (oldest.count(q)) {
        EXPECT_EQ(queue["oldest_since"].GetInt64(), oldest[q]);
      } else {
        EXPECT_TRUE(queue["oldest_since"].IsNull());
      }
    }
  }
};

TEST_F(FloorTest, EveryDocumentedActionAppears) {
  std::set<std::string> actions, modes, call_types;
  for (int d = 0; d <= 1; ++d) {
    for (const FloorEvent& event : Timeline(d)->events) {
      actions.insert(ActionName(event.action));
      if (event.action == Action::kCalling) {
        modes.insert(AgentModeName(event.mode));
      }
      if (event.IsCallEvent()) call_types.insert(AgentModeName(event.mode));
    }
  }
  EXPECT_EQ(actions,
            (std::set<std::string>{"login", "logout", "AUX", "pause", "release",
                                   "IDLE", "READY", "calling", "incall", "ACW",
                                   "Calling", "Answered", "Disconnect"}));
  EXPECT_EQ(modes, (std::set<std::string>{"INBOUND", "MANUAL", "PROGRESSIVE",
                                          "PREVIEW"}));
  EXPECT_EQ(call_types, modes);
  std::set<std::string> cccp;
  for (const FloorEvent& event : Timeline(0)->cccp_events) {
    cccp.insert(ActionName(event.action));
  }
  EXPECT_EQ(cccp, (std::set<std::string>{
                      "hold", "unhold", "login", "logout", "supervisor_plugged",
                      "supervisor_unplugged", "supervisor_interface"}));
}

TEST_F(FloorTest, TimelinesAreInTimeOrderWithinTheirDay) {
  for (int d = 0; d <= 1; ++d) {
    auto timeline = Timeline(d);
    int64_t previous = timeline->midnight;
    for (const FloorEvent& event : timeline->events) {
      EXPECT_GE(event.time, previous);
      EXPECT_LT(event.time, timeline->midnight + kDay);
      previous = event.time;
    }
  }
}

// Each agent's events, over two days, follow the documented grammar.
TEST_F(FloorTest, EachAgentFollowsTheDocumentedGrammar) {
  std::map<int, std::vector<FloorEvent>> by_agent;
  for (int d = 0; d <= 2; ++d) {
    for (const FloorEvent& event : Timeline(d)->events) {
      if (!event.IsCallEvent()) by_agent[event.subject].push_back(event);
    }
  }
  // The live state an action may follow ("out": logged out).
  const std::map<std::string, std::set<std::string>> allowed = {
      {"login", {"out"}},
      {"AUX", {"available", "wrapup", "outbound"}},
      {"pause", {"available", "wrapup", "outbound"}},
      {"calling", {"available"}},
      {"incall", {"ringing", "outbound"}},
      {"ACW", {"busy"}},
      {"release", {"wrapup", "pause", "outbound"}},
      {"IDLE", {"wrapup"}},
      {"READY", {"wrapup"}},
      {"logout", {"available"}},
  };
  for (const auto& [agent, events] : by_agent) {
    std::string state = "out";
    int64_t previous = 0;
    std::vector<std::string> wrap_ends;
    bool seen_login = false;
    for (const FloorEvent& event : events) {
      const std::string action = ActionName(event.action);
      EXPECT_GE(event.time, previous) << agent;
      previous = event.time;
      // A night shift from the day before the first day starts mid-way.
      if (!seen_login && action != "login") continue;
      seen_login = true;
      ASSERT_TRUE(allowed.count(action)) << action;
      EXPECT_TRUE(allowed.at(action).count(state))
          << "agent " << agent << ": " << action << " after " << state << " at "
          << event.time;
      if (action == "release" || action == "IDLE" || action == "READY") {
        if (state == "wrapup") wrap_ends.push_back(action);
      }
      if (action == "logout") {
        // Wrap-up ends rotate release, IDLE, READY within a shift.
        for (size_t i = 0; i < wrap_ends.size(); ++i) {
          const char* expected[] = {"release", "IDLE", "READY"};
          EXPECT_EQ(wrap_ends[i], expected[i % 3]) << agent;
        }
        wrap_ends.clear();
        state = "out";
      } else {
        state = LiveStateOf(action, AgentModeName(event.mode));
      }
    }
  }
}

TEST_F(FloorTest, EventsMatchTheCallsAndTheRingRule) {
  auto timeline = Timeline(0);
  const DayData& day = *timeline->day;
  std::map<int64_t, std::vector<std::string>> call_actions;
  std::map<std::pair<int, int64_t>, std::string> agent_actions;
  for (const FloorEvent& event : timeline->events) {
    if (event.IsCallEvent()) {
      call_actions[event.call->ucid].push_back(ActionName(event.action));
      EXPECT_EQ(event.time,
                event.action == Action::kCallCalling    ? event.call->start
                : event.action == Action::kCallAnswered ? event.call->pickup
                                                        : event.call->end);
    } else {
      agent_actions[{event.subject, event.time}] +=
          std::string(ActionName(event.action)) + " ";
    }
  }
  auto actions_at = [&agent_actions](int agent, int64_t time) {
    auto it = agent_actions.find(std::make_pair(agent, time));
    return it == agent_actions.end() ? std::string() : it->second;
  };
  auto has = [](const std::string& actions, const char* action) {
    return actions.find(action) != std::string::npos;
  };
  int rings = 0;
  for (const Call& call : day.calls) {
    if (call.end >= day.midnight + kDay) continue;  // Disconnect tomorrow
    const std::vector<std::string> expected =
        call.answered
            ? std::vector<std::string>{"Calling", "Answered", "Disconnect"}
            : std::vector<std::string>{"Calling", "Disconnect"};
    EXPECT_EQ(call_actions[call.ucid], expected);
    if (call.spike >= 0 || call.agent < 0 || !call.answered) continue;
    EXPECT_TRUE(has(actions_at(call.agent, call.pickup), "incall"));
    EXPECT_TRUE(has(actions_at(call.agent, call.end), "ACW"));
    if (call.inbound()) {
      const int64_t ring = std::min<int64_t>(5, call.pickup - call.start);
      EXPECT_TRUE(has(actions_at(call.agent, call.pickup - ring), "calling"))
          << call.ucid;
      ++rings;
    } else {
      EXPECT_TRUE(has(actions_at(call.agent, call.start), "calling"));
    }
  }
  EXPECT_GT(rings, 100);
}

TEST_F(FloorTest, InboundCallsWaitInTheirAgentsHomeQueue) {
  const Account& account = sim_->account();
  ASSERT_EQ(account.queues.size(), 5u);
  EXPECT_EQ(account.queues[0], "queue01");
  auto day = sim_->traffic().Day(TestDate());
  std::set<int> unanswered_queues;
  for (const Call& call : day->calls) {
    if (!call.inbound()) continue;
    if (call.agent >= 0) {
      EXPECT_EQ(call.skill, call.agent % 5);
    } else {
      unanswered_queues.insert(call.skill);
    }
  }
  EXPECT_EQ(unanswered_queues.size(), 5u);
  SimOptions plain = RelaxedOptions();
  Start(plain);
  EXPECT_EQ(sim_->account().queues,
            (std::vector<std::string>{"Inbound_Main", "Inbound_Support"}));
}

TEST_F(FloorTest, LiveFloorEqualsTheReferenceReplayThroughTheDay) {
  std::vector<int64_t> instants;
  const int64_t midnight = Timeline(0)->midnight;
  for (int64_t t = midnight + 7 * 3600 + 13; t < midnight + kDay + 4 * 3600;
       t += 197) {
    instants.push_back(t);
  }
  // Around midnight, while night calls cross it.
  for (int64_t t = midnight + kDay - 300; t < midnight + kDay + 600; t += 61) {
    instants.push_back(t);
  }
  std::sort(instants.begin(), instants.end());
  // The replay starts a day earlier, as the simulator's does.
  CompareWithReference(-1, 1, instants);
  EXPECT_EQ(states_seen_,
            (std::set<std::string>{"available", "ringing", "busy", "wrapup",
                                   "pause", "outbound"}));
  EXPECT_GT(waiting_seen_, 10);
}

TEST_F(FloorTest, NightAgentsStayLoggedInAcrossMidnight) {
  const int64_t after_midnight = Timeline(1)->midnight + 120;
  const Floor floor = sim_->FloorAt(after_midnight, FloorView::kOzonetel);
  int logged = 0;
  for (int agent = 40; agent < 48; ++agent) {
    const UserFloor& user = floor.agents[agent];
    if (!user.logged_in) continue;
    ++logged;
    EXPECT_LT(user.login_at, Timeline(1)->midnight);
  }
  EXPECT_GE(logged, 6);
  for (int agent = 0; agent < 40; ++agent) {
    EXPECT_FALSE(floor.agents[agent].logged_in);
  }
}

TEST_F(FloorTest, AgentDetailsAnswersFromTheSameFloor) {
  const std::map<std::string, std::string> kStatus = {
      {"available", "Ready"}, {"ringing", "Ringing"}, {"busy", "Busy"},
      {"wrapup", "ACW"},      {"pause", "Pause"},     {"outbound", "Dialing"}};
  std::set<std::string> seen;
  for (const char* now :
       {"09:00:00", "10:30:07", "12:00:00", "15:45:31", "23:59:30"}) {
    SetNow(now);
    auto live = Parse(sim_->Handle(MakeRequest("GET", "/_sim/live")).body);
    std::map<std::string, std::string> states;
    for (const auto& agent : live["agents"].GetArray()) {
      states[agent["agent"].GetString()] = agent["state"].GetString();
    }
    for (const AgentInfo& info : sim_->account().agents) {
      auto details =
          Parse(Post("/ca_apis/agentdetails",
                     R"({"userName":"demo","agentId":")" + info.id + "\"}")
                    .body);
      const std::string status = details["message"]["Status"].GetString();
      EXPECT_EQ(details["message"]["AgentID"].GetString(), info.id);
      EXPECT_EQ(details["message"]["AgentName"].GetString(), info.name);
      const std::string expected =
          states.count(info.id) ? kStatus.at(states[info.id]) : "Logout";
      EXPECT_EQ(status, expected) << info.id << " at " << now;
      seen.insert(status);
    }
  }
  EXPECT_GE(seen.size(), 5u);
}

TEST_F(FloorTest, CccpViewAddsHoldAndSupervisors) {
  std::set<std::string> states, roles;
  for (const char* now :
       {"09:00:00", "11:00:00", "12:30:00", "14:00:00", "16:00:00"}) {
    SetNow(now);
    auto live = Parse(
        sim_->Handle(MakeRequest("GET", "/_sim/live", "", "view=cccp")).body);
    EXPECT_STREQ(live["view"].GetString(), "cccp");
    for (const auto& agent : live["agents"].GetArray()) {
      states.insert(agent["state"].GetString());
      roles.insert(agent["role"].GetString());
      if (std::string(agent["role"].GetString()) == "supervisor") {
        EXPECT_STREQ(agent["profile"].GetString(), "Superviseur_default");
      }
    }
  }
  EXPECT_TRUE(states.count("supervising"));
  EXPECT_EQ(roles, (std::set<std::string>{"agent", "supervisor"}));
  // Hold shows at a call's middle in the CCCP view only.
  auto day = sim_->traffic().Day(TestDate());
  auto it = std::find_if(
      day->calls.begin(), day->calls.end(),
      [](const Call& c) { return c.answered && c.hold > 0 && c.spike < 0; });
  ASSERT_NE(it, day->calls.end());
  const int64_t hold_from = it->pickup + it->talk() / 2;
  const Floor cccp = sim_->FloorAt(hold_from, FloorView::kCccp);
  EXPECT_EQ(cccp.agents[it->agent].state, CccpState::kHold);
  EXPECT_EQ(cccp.agents[it->agent].since, hold_from);
  const Floor ozonetel = sim_->FloorAt(hold_from, FloorView::kOzonetel);
  EXPECT_EQ(ozonetel.agents[it->agent].state, CccpState::kBusy);
  EXPECT_EQ(ozonetel.agents[it->agent].since, it->pickup);
  const Floor after = sim_->FloorAt(hold_from + it->hold, FloorView::kCccp);
  EXPECT_EQ(after.agents[it->agent].state, CccpState::kBusy);
  EXPECT_EQ(after.agents[it->agent].since, hold_from + it->hold);
}

TEST_F(SimFixture, LiveJsonHasTheDocumentedShape) {
  auto live = Parse(sim_->Handle(MakeRequest("GET", "/_sim/live")).body);
  EXPECT_EQ(live["at"].GetInt64(), sim_->NowSeconds());
  ASSERT_GT(live["agents"].Size(), 0u);
  const auto& agent = live["agents"][0];
  for (const char* key :
       {"agent", "name", "role", "profile", "state", "queue"}) {
    EXPECT_TRUE(agent[key].IsString()) << key;
  }
  EXPECT_TRUE(agent["since"].IsInt64());
  EXPECT_TRUE(agent["login_at"].IsInt64());
  EXPECT_TRUE(agent["last_event_dropped"].IsBool());
  ASSERT_EQ(live["queues"].Size(), 2u);
  EXPECT_STREQ(live["queues"][0]["queue"].GetString(), "Inbound_Main");
  for (const char* key : {"logged", "working", "withdrawn", "outbound",
                          "supervision", "latent"}) {
    EXPECT_TRUE(live["queues"][0]["agents"][key].IsInt64()) << key;
  }
  for (const char* state : {"available", "ringing", "busy", "hold", "wrapup",
                            "pause", "outbound", "supervising", "unknown"}) {
    EXPECT_TRUE(live["counts"][state].IsInt64()) << state;
  }
  EXPECT_TRUE(live["calls_active"]["inbound"].IsInt64());
  EXPECT_EQ(sim_->Handle(MakeRequest("GET", "/_sim/live", "", "view=x")).status,
            400);
  EXPECT_EQ(sim_->Handle(MakeRequest("GET", "/_sim/live", "", "at=x")).status,
            400);
}

}  // namespace
}  // namespace callcenter::sim
