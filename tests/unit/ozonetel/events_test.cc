// The Ozonetel event webhook receiver (live-floor.md §3): both envelopes,
// every documented action, duplicates and out-of-order events, calls
// waiting per skill, expiry, the agent cap, the token, methods and body
// limits, the saved state, reconciliation from agentdetails, and a custom
// state mapping. Driven by direct calls on a fake clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "callcenter/common/strings.h"
#include "callcenter/common/timeutil.h"
#include "core/budgets.h"
#include "core/day_ledger.h"
#include "core/engine.h"
#include "core/text_writer.h"
#include "ozonetel/events/maintenance.h"
#include "ozonetel/events/receiver.h"
#include "ozonetel/module.h"
#include "testing/metrics.h"
#include "testing/raw_http.h"
#include "testing/temp_dir.h"

namespace callcenter::ozonetel::events {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Optional;
using ::testing::StartsWith;

const Seconds kIst{5 * 3600 + 30 * 60};
const char kToken[] = "0123456789abcdef-events-token";

TimePoint At(const std::string& local) {
  return *ParseLocalDateTime("2026-03-02 " + local, kIst);
}

// An agent event as Ozonetel posts it: flat, or nested under "data" (with
// the vendor's numeric agentUniqeId either way).
std::string AgentBody(const std::string& agent, const std::string& action,
                      const std::string& time,
                      const std::string& mode = "INBOUND",
                      bool nested = false) {
  const std::string fields =
      R"("action":")" + action + R"(","agentId":")" + agent +
      R"(","agentUniqeId":279807,"agentMode":")" + mode + "\"";
  const std::string head = R"({"eventType":"Agent","eventTime":"2026-03-02 )" +
                           time + R"(","username":"acme",)";
  if (!nested) return head + fields + "}";
  return head + R"("data":{)" + fields + R"(,"eventTime":"2026-03-02 )" + time +
         "\"}}";
}

std::string CallBody(const std::string& ucid, const std::string& action,
                     const std::string& type, const std::string& skill,
                     const std::string& agent, const std::string& time,
                     bool nested = false) {
  const std::string fields =
      R"("action":")" + action + R"(","call_type":")" + type + R"(","ucid":")" +
      ucid + R"(","monitor_ucid":")" + ucid + R"(","agent_id":")" + agent +
      R"(","skill":")" + skill +
      R"(","caller_id":"9800000000","did":"918000000000",)" +
      R"("event_time":"2026-03-02 )" + time + "\"";
  const std::string head = R"({"eventType":"Call","eventTime":"2026-03-02 )" +
                           time + R"(","username":"acme",)";
  if (!nested) return head + fields + "}";
  return head + R"("data":{)" + fields + "}}";
}

HttpRequest Request(const std::string& body,
                    const std::string& query = std::string("token=") + kToken,
                    const std::string& method = "POST") {
  HttpRequest request;
  request.method = method;
  request.path = "/ozonetel/events/agent";
  request.query = query;
  request.body = body;
  return request;
}

EventsConfig TestConfig() {
  EventsConfig config = DefaultEventsConfig();
  config.token = kToken;
  return config;
}

class ReceiverTest : public ::testing::Test {
 protected:
  ReceiverTest() { Make(TestConfig()); }

  void Make(EventsConfig config, size_t max_agents = 5000) {
    receiver_.reset();
    live::FloorOptions options;
    options.max_agents = max_agents;
    floor_ = std::make_unique<live::Floor>(options);
    receiver_ = std::make_unique<Receiver>(std::move(config), kIst, *floor_,
                                           clock_, logger_);
  }

  HttpResponse Agent(const std::string& agent, const std::string& action,
                     const std::string& time,
                     const std::string& mode = "INBOUND") {
    return receiver_->HandleAgent(
        Request(AgentBody(agent, action, time, mode)));
  }
  HttpResponse Call(const std::string& ucid, const std::string& action,
                    const std::string& type, const std::string& skill,
                    const std::string& agent, const std::string& time) {
    return receiver_->HandleCall(
        Request(CallBody(ucid, action, type, skill, agent, time)));
  }

  std::optional<live::Agent> FloorAgent(const std::string& id) const {
    for (const live::Agent& agent : floor_->View()->agents) {
      if (agent.id == id) return agent;
    }
    return std::nullopt;
  }
  std::optional<live::State> StateOf(const std::string& id) const {
    const auto agent = FloorAgent(id);
    if (!agent) return std::nullopt;
    return agent->state;
  }
  std::optional<live::Queue> FloorQueue(const std::string& name) const {
    for (const live::Queue& queue : floor_->View()->queues) {
      if (queue.name == name) return queue;
    }
    return std::nullopt;
  }
  int Waiting(const std::string& queue) const {
    const auto found = FloorQueue(queue);
    return found ? found->waiting : 0;
  }
  live::Calls ActiveCalls() const { return floor_->View()->calls; }

  double Metric(const std::string& series) const {
    return test::ValueOf(*receiver_, series);
  }
  double Received(const std::string& kind, const std::string& action) const {
    return Metric("ozonetel_events_received_total{kind=\"" + kind +
                  "\",action=\"" + action + "\"}");
  }
  double Rejected(const std::string& reason) const {
    return Metric("ozonetel_events_rejected_total{reason=\"" + reason + "\"}");
  }
  double Reconciliations(const std::string& result) const {
    return Metric("ozonetel_events_reconciliations_total{result=\"" + result +
                  "\"}");
  }

  std::ostringstream log_;
  core::Logger logger_{log_, core::LogLevel::kDebug};
  FakeClock clock_{At("10:00:00")};
  std::unique_ptr<live::Floor> floor_;
  std::unique_ptr<Receiver> receiver_;
};

// ------------------------------------------------------------------ parsing

TEST(EventParseTest, FlatAndNestedEnvelopesGiveTheSameAgentEvent) {
  for (bool nested : {false, true}) {
    AgentEvent event;
    EXPECT_EQ(ParseAgentEvent(
                  AgentBody("agent07", "incall", "09:07:43", "INBOUND", nested),
                  kIst, &event),
              "")
        << nested;
    EXPECT_EQ(event.agent_id, "agent07");
    EXPECT_EQ(event.action, "incall");
    EXPECT_EQ(event.mode, "INBOUND");
    EXPECT_EQ(event.time, At("09:07:43"));
  }
  // The nested envelope may leave the time at the root only.
  AgentEvent event;
  EXPECT_EQ(ParseAgentEvent(
                R"({"eventType":"Agent","eventTime":"2026-03-02 09:00:01",)"
                R"("data":{"action":"login","agentId":"a1"}})",
                kIst, &event),
            "");
  EXPECT_EQ(event.time, At("09:00:01"));
  EXPECT_EQ(event.mode, "");
}

TEST(EventParseTest, TheNumericAgentUniqeIdIsNotTheAgent) {
  AgentEvent event;
  EXPECT_EQ(
      ParseAgentEvent(R"({"eventTime":"2026-03-02 09:00:00","action":"login",)"
                      R"("agentUniqeId":279807})",
                      kIst, &event),
      "no agentId");
}

TEST(EventParseTest, FlatAndNestedEnvelopesGiveTheSameCallEvent) {
  for (bool nested : {false, true}) {
    CallEvent event;
    EXPECT_EQ(
        ParseCallEvent(CallBody("31773467784618213", "Answered", "InBound",
                                "queue03", "agent07", "17:07:43", nested),
                       kIst, &event),
        "")
        << nested;
    EXPECT_EQ(event.ucid, core::CompactId("31773467784618213"));
    EXPECT_EQ(event.action, "Answered");
    EXPECT_EQ(event.call_type, "InBound");
    EXPECT_EQ(event.agent_id, "agent07");
    EXPECT_EQ(event.skill, "queue03");
    EXPECT_EQ(event.time, At("17:07:43"));
  }
}

TEST(EventParseTest, EveryMalformedBodyIsOneLine) {
  const std::string deep =
      std::string(20, '[') + std::string(20, ']');  // deeper than 8
  const std::vector<std::string> bodies = {
      "",
      "not json",
      "[1,2]",
      deep,
      R"({"eventTime":"2026-03-02 09:00:00","action":"login"})",
      R"({"eventTime":"2026-03-02 09:00:00","agentId":"a1"})",
      R"({"action":"login","agentId":"a1"})",
      R"({"eventTime":"09:00","action":"login","agentId":"a1"})",
      R"({"eventTime":"2026-03-02 09:00:00","action":"login","agentId":")" +
          std::string(200, 'a') + "\"}",
      R"({"eventTime":"2026-03-02 09:00:00","action":"login","agentId":"a1")",
  };
  for (const std::string& body : bodies) {
    AgentEvent event;
    const std::string error = ParseAgentEvent(body, kIst, &event);
    EXPECT_THAT(error, Not(IsEmpty())) << body;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
  // Numbers are read as their text.
  AgentEvent numeric;
  EXPECT_EQ(
      ParseAgentEvent(R"({"eventTime":"2026-03-02 09:00:00","action":"login",)"
                      R"("agentId":70000000000000001})",
                      kIst, &numeric),
      "");
  EXPECT_EQ(numeric.agent_id, "70000000000000001");
  CallEvent call;
  EXPECT_EQ(ParseCallEvent(R"({"action":"Calling","event_time":"2026-03-02 )"
                           R"(09:00:00"})",
                           kIst, &call),
            "no ucid");
}

// ------------------------------------------------------------ agent events

TEST_F(ReceiverTest, BothEnvelopesReachTheFloor) {
  EXPECT_EQ(receiver_
                ->HandleAgent(Request(AgentBody("agent07", "login", "09:00:00",
                                                "INBOUND", /*nested=*/false)))
                .status,
            200);
  EXPECT_THAT(StateOf("agent07"), Optional(live::State::kAvailable));
  EXPECT_EQ(receiver_
                ->HandleAgent(Request(AgentBody("agent07", "incall", "09:01:00",
                                                "INBOUND", /*nested=*/true)))
                .status,
            200);
  EXPECT_THAT(StateOf("agent07"), Optional(live::State::kBusy));
  EXPECT_EQ(receiver_
                ->HandleCall(Request(CallBody("42", "Calling", "InBound",
                                              "queue03", "", "09:02:00",
                                              /*nested=*/true)))
                .status,
            200);
  EXPECT_EQ(Waiting("queue03"), 1);
  EXPECT_EQ(Received("agent", "login"), 1);
  EXPECT_EQ(Received("agent", "incall"), 1);
  EXPECT_EQ(Received("call", "calling"), 1);
}

TEST_F(ReceiverTest, AMalformedBodyIs400AndCounted) {
  const HttpResponse response = receiver_->HandleAgent(Request("{"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Rejected("malformed"), 1);
  EXPECT_EQ(receiver_->HandleCall(Request(R"({"action":"Calling"})")).status,
            400);
  EXPECT_EQ(Rejected("malformed"), 2);
  EXPECT_THAT(floor_->View()->agents, IsEmpty());
}

struct ActionCase {
  std::string action;
  std::string mode;
  std::optional<live::State> state;  // nullopt: logged out, off the floor
  std::string label;                 // the received_total action label
};

TEST_F(ReceiverTest, EveryDocumentedActionMapsToItsState) {
  using live::State;
  const std::vector<ActionCase> cases = {
      {"login", "INBOUND", State::kAvailable, "login"},
      {"release", "INBOUND", State::kAvailable, "release"},
      {"IDLE", "INBOUND", State::kAvailable, "idle"},
      {"READY", "INBOUND", State::kAvailable, "ready"},
      {"calling", "INBOUND", State::kRinging, "calling"},
      {"calling", "inbound", State::kRinging, "calling"},
      {"calling", "PROGRESSIVE", State::kOutbound, "calling"},
      {"calling", "MANUAL", State::kOutbound, "calling"},
      {"calling", "", State::kOutbound, "calling"},
      {"incall", "INBOUND", State::kBusy, "incall"},
      {"busy", "INBOUND", State::kBusy, "busy"},
      {"ACW", "INBOUND", State::kWrapup, "acw"},
      {"AUX", "INBOUND", State::kPause, "aux"},
      {"pause", "INBOUND", State::kPause, "pause"},
      {"logout", "INBOUND", std::nullopt, "logout"},
      {"Logout", "INBOUND", std::nullopt, "logout"},
  };
  int i = 0;
  for (const ActionCase& c : cases) {
    const std::string agent = "agent" + std::to_string(++i);
    // From a state other than the expected one, so the change shows.
    const std::string before = c.state == State::kPause ? "READY" : "AUX";
    ASSERT_EQ(Agent(agent, before, "09:00:00").status, 200);
    const double received = Received("agent", c.label);
    EXPECT_EQ(Agent(agent, c.action, "09:00:10", c.mode).status, 200)
        << c.action;
    EXPECT_EQ(StateOf(agent), c.state) << c.action << " " << c.mode;
    EXPECT_EQ(Received("agent", c.label), received + 1) << c.action;
    if (c.state) {
      EXPECT_EQ(FloorAgent(agent)->since, At("09:00:10")) << c.action;
    }
  }
  EXPECT_EQ(Received("agent", "other"), 0);
  EXPECT_EQ(receiver_->duplicates(), 0u);
  EXPECT_EQ(receiver_->out_of_order(), 0u);
}

TEST_F(ReceiverTest, LoginSetsTheLoginTimeAndAStateChangeItsSince) {
  Agent("agent01", "login", "09:00:00");
  Agent("agent01", "ready", "09:00:05");  // the same state: since stays
  auto agent = FloorAgent("agent01");
  ASSERT_TRUE(agent);
  EXPECT_EQ(agent->since, At("09:00:00"));
  EXPECT_THAT(agent->login_at, Optional(At("09:00:00")));
  Agent("agent01", "incall", "09:01:00");
  agent = FloorAgent("agent01");
  EXPECT_EQ(agent->since, At("09:01:00"));
  EXPECT_THAT(agent->login_at, Optional(At("09:00:00")));
  const std::string text = core::RenderText(*floor_);
  EXPECT_EQ(
      test::SampleValue(
          text, "callcenter_agent_login_timestamp_seconds{agent=\"agent01\"}"),
      ToUnixSeconds(At("09:00:00")));
  EXPECT_EQ(test::SampleValue(text,
                              "callcenter_agent_state{agent=\"agent01\","
                              "state=\"busy\"}"),
            1);
  EXPECT_EQ(test::SampleValue(text, "callcenter_agents{state=\"busy\"}"), 1);
}

TEST_F(ReceiverTest, UnknownActionsLeaveTheStateUnknownAndCountAsOther) {
  Agent("agent01", "login", "09:00:00");
  EXPECT_EQ(Agent("agent01", "Dancing", "09:00:10").status, 200);
  EXPECT_THAT(StateOf("agent01"), Optional(live::State::kUnknown));
  EXPECT_EQ(Received("agent", "other"), 1);
  EXPECT_EQ(Received("agent", "dancing"), 0);
  EXPECT_EQ(test::ValueOf(*floor_, "callcenter_agents{state=\"unknown\"}"), 1);
  // A new agent first seen with an unknown action is on the floor, unknown.
  Agent("agent02", "whatever", "09:00:20");
  EXPECT_THAT(StateOf("agent02"), Optional(live::State::kUnknown));
  EXPECT_EQ(Received("agent", "other"), 2);
}

TEST_F(ReceiverTest, TheSameEventTwiceIsAppliedOnce) {
  Agent("agent01", "login", "09:00:00");
  EXPECT_EQ(Agent("agent01", "incall", "09:00:10").status, 200);
  EXPECT_EQ(Agent("agent01", "incall", "09:00:10").status, 200);
  EXPECT_EQ(receiver_->duplicates(), 1u);
  EXPECT_EQ(Metric("ozonetel_events_duplicates_total"), 1);
  EXPECT_EQ(Received("agent", "incall"), 2);  // duplicates are received too
  AgentEvent event{"agent01", "incall", "INBOUND", At("09:00:10")};
  EXPECT_EQ(receiver_->ApplyAgent(event), Receiver::Applied::kDuplicate);
  EXPECT_EQ(receiver_->duplicates(), 2u);
  // Another action at the same time is not a duplicate: equal times apply.
  event.action = "ACW";
  EXPECT_EQ(receiver_->ApplyAgent(event), Receiver::Applied::kApplied);
  EXPECT_THAT(StateOf("agent01"), Optional(live::State::kWrapup));
  // The same event for another agent is not a duplicate either.
  event.agent_id = "agent02";
  EXPECT_EQ(receiver_->ApplyAgent(event), Receiver::Applied::kApplied);
  // Past the dedupe window the event is remembered no longer.
  clock_.Advance(std::chrono::minutes(11));
  event.agent_id = "agent01";
  event.action = "incall";
  EXPECT_EQ(receiver_->ApplyAgent(event), Receiver::Applied::kApplied);
  EXPECT_EQ(receiver_->duplicates(), 2u);
}

TEST_F(ReceiverTest, AnOlderEventAfterANewerOneIsDroppedAndCounted) {
  Agent("agent01", "login", "09:00:00");
  Agent("agent01", "incall", "09:00:20");
  EXPECT_EQ(Agent("agent01", "ACW", "09:00:15").status, 200);
  EXPECT_THAT(StateOf("agent01"), Optional(live::State::kBusy));
  EXPECT_EQ(receiver_->out_of_order(), 1u);
  EXPECT_EQ(Metric("ozonetel_events_out_of_order_total"), 1);
  EXPECT_EQ(Received("agent", "acw"), 1);
  // Equal times apply, in arrival order.
  EXPECT_EQ(receiver_->ApplyAgent({"agent01", "ACW", "", At("09:00:20")}),
            Receiver::Applied::kApplied);
  EXPECT_THAT(StateOf("agent01"), Optional(live::State::kWrapup));
  // An event older than the logout does not bring the agent back.
  Agent("agent01", "logout", "09:05:00");
  EXPECT_EQ(receiver_->ApplyAgent({"agent01", "incall", "", At("09:04:00")}),
            Receiver::Applied::kOutOfOrder);
  EXPECT_EQ(StateOf("agent01"), std::nullopt);
  EXPECT_EQ(receiver_->out_of_order(), 2u);
  Agent("agent01", "login", "09:06:00");
  EXPECT_THAT(StateOf("agent01"), Optional(live::State::kAvailable));
}

TEST_F(ReceiverTest, AnEventFromTheFutureIsMalformedNotALimit) {
  // Ten minutes ahead of the exporter's clock (10:00): beyond the skew. It
  // is dropped and counted once, as malformed, and answered like the other
  // dropped events (duplicates, out of order): not as a limit (429) that
  // the vendor would retry in vain.
  const HttpResponse agent = Agent("agent01", "login", "10:10:00");
  EXPECT_EQ(agent.status, 200);
  const HttpResponse call =
      Call("1", "Calling", "InBound", "q", "", "10:10:00");
  EXPECT_EQ(call.status, 200);
  EXPECT_EQ(receiver_->ApplyAgent({"agent01", "login", "", At("10:10:00")}),
            Receiver::Applied::kFuture);
  EXPECT_EQ(Rejected("malformed"), 3);
  EXPECT_EQ(Rejected("agent_limit"), 0);
  EXPECT_EQ(Rejected("call_limit"), 0);
  EXPECT_THAT(floor_->View()->agents, IsEmpty());
  EXPECT_EQ(ActiveCalls().inbound, 0);
  // A few minutes of skew are accepted.
  EXPECT_EQ(Agent("agent01", "login", "10:04:00").status, 200);
}

// ------------------------------------------------------------- call events

TEST_F(ReceiverTest, InboundCallsWaitPerSkillUntilAnsweredOrDisconnected) {
  Agent("agent01", "login", "08:59:00");
  Call("1001", "Calling", "InBound", "queue03", "", "09:00:00");
  Call("1002", "Calling", "InBound", "queue03", "", "09:00:30");
  Call("1003", "Calling", "InBound", "queue05", "", "09:00:40");
  EXPECT_EQ(Waiting("queue03"), 2);
  EXPECT_EQ(Waiting("queue05"), 1);
  EXPECT_THAT(FloorQueue("queue03")->oldest_waiting_since,
              Optional(At("09:00:00")));
  EXPECT_EQ(ActiveCalls().inbound, 3);
  EXPECT_EQ(ActiveCalls().outbound, 0);
  EXPECT_EQ(test::ValueOf(*floor_,
                          "callcenter_queue_oldest_waiting_timestamp_seconds{"
                          "queue=\"queue03\"}"),
            ToUnixSeconds(At("09:00:00")));

  // Answered: the oldest stops waiting, the agent takes the call's queue.
  Call("1001", "Answered", "InBound", "queue03", "agent01", "09:01:00");
  EXPECT_EQ(Waiting("queue03"), 1);
  EXPECT_THAT(FloorQueue("queue03")->oldest_waiting_since,
              Optional(At("09:00:30")));
  EXPECT_EQ(FloorAgent("agent01")->queue, "queue03");
  EXPECT_EQ(ActiveCalls().inbound, 3);

  // Disconnect while waiting: abandoned, no longer waiting or active.
  Call("1002", "Disconnect", "InBound", "queue03", "", "09:01:10");
  EXPECT_EQ(Waiting("queue03"), 0);
  EXPECT_EQ(FloorQueue("queue03")->oldest_waiting_since, std::nullopt);
  EXPECT_EQ(ActiveCalls().inbound, 2);
  const std::string text = core::RenderText(*floor_);
  EXPECT_EQ(test::SampleValue(text,
                              "callcenter_queue_waiting_calls{queue="
                              "\"queue03\"}"),
            0);
  EXPECT_EQ(
      test::SampleValue(text,
                        "callcenter_queue_oldest_waiting_timestamp_seconds{"
                        "queue=\"queue03\"}"),
      std::nullopt);

  Call("1001", "Disconnect", "InBound", "queue03", "agent01", "09:05:00");
  EXPECT_EQ(ActiveCalls().inbound, 1);
  EXPECT_EQ(
      test::ValueOf(*floor_, "callcenter_calls_active{direction=\"inbound\"}"),
      1);
  EXPECT_EQ(Received("call", "calling"), 3);
  EXPECT_EQ(Received("call", "answered"), 1);
  EXPECT_EQ(Received("call", "disconnect"), 2);
}

TEST_F(ReceiverTest, OutboundCallsAreActiveButNeverWait) {
  Call("2001", "Calling", "Progressive", "", "agent01", "09:00:00");
  Call("2002", "Calling", "Manual", "", "agent02", "09:00:05");
  Call("2002", "Answered", "Manual", "", "agent02", "09:00:15");
  EXPECT_EQ(ActiveCalls().outbound, 2);
  EXPECT_EQ(ActiveCalls().inbound, 0);
  EXPECT_THAT(floor_->View()->queues, IsEmpty());
  EXPECT_EQ(
      test::ValueOf(*floor_, "callcenter_calls_active{direction=\"outbound\"}"),
      2);
  Call("2001", "Disconnect", "Progressive", "", "agent01", "09:03:00");
  EXPECT_EQ(ActiveCalls().outbound, 1);
}

TEST_F(ReceiverTest, AnAnsweredFirstEventNeverWaited) {
  Call("3001", "Answered", "InBound", "queue03", "agent01", "09:00:00");
  EXPECT_EQ(ActiveCalls().inbound, 1);
  EXPECT_EQ(Waiting("queue03"), 0);
}

TEST_F(ReceiverTest, LateEventsForAnEndedCallAreDropped) {
  Call("4001", "Calling", "InBound", "queue03", "", "09:00:00");
  Call("4001", "Disconnect", "InBound", "queue03", "", "09:02:00");
  EXPECT_EQ(
      receiver_->ApplyCall({core::CompactId("4001"), "Answered", "InBound",
                            "agent01", "queue03", At("09:01:00")}),
      Receiver::Applied::kOutOfOrder);
  EXPECT_EQ(
      Call("4001", "Calling", "InBound", "queue03", "", "09:03:00").status,
      200);
  EXPECT_EQ(receiver_->out_of_order(), 2u);
  EXPECT_EQ(ActiveCalls().inbound, 0);
  EXPECT_EQ(Waiting("queue03"), 0);
  // Within a call, an event older than the last one is dropped too.
  Call("4002", "Calling", "InBound", "queue03", "", "09:10:00");
  Call("4002", "Answered", "InBound", "queue03", "agent01", "09:10:30");
  EXPECT_EQ(receiver_->ApplyCall({core::CompactId("4002"), "Calling", "InBound",
                                  "", "queue03", At("09:10:20")}),
            Receiver::Applied::kOutOfOrder);
  EXPECT_EQ(Waiting("queue03"), 0);
  EXPECT_EQ(receiver_->out_of_order(), 3u);
}

TEST_F(ReceiverTest, UnknownCallActionsCountAsOtherWithoutEffect) {
  EXPECT_EQ(
      Call("5001", "Transfer", "InBound", "queue03", "", "09:00:00").status,
      200);
  EXPECT_EQ(Received("call", "other"), 1);
  EXPECT_EQ(ActiveCalls().inbound, 0);
  EXPECT_THAT(floor_->View()->queues, IsEmpty());
}

TEST_F(ReceiverTest, InboundCallTypesComeFromTheConfig) {
  EventsConfig config = TestConfig();
  config.inbound_call_types = {"inbound", "transfer"};
  Make(config);
  Call("6001", "Calling", "TRANSFER", "queue07", "", "09:00:00");
  EXPECT_EQ(Waiting("queue07"), 1);
  EXPECT_EQ(ActiveCalls().inbound, 1);
}

TEST_F(ReceiverTest, QueueLabelsAreCapped) {
  EventsConfig config = TestConfig();
  config.max_queues = 2;
  Make(config);
  Call("7001", "Calling", "InBound", "q1", "", "09:00:00");
  Call("7002", "Calling", "InBound", "q2", "", "09:00:01");
  Call("7003", "Calling", "InBound", "q3", "", "09:00:02");
  Call("7004", "Calling", "InBound", "q4", "", "09:00:03");
  EXPECT_EQ(Waiting("q1"), 1);
  EXPECT_EQ(Waiting("q2"), 1);
  EXPECT_EQ(Waiting("q3"), 0);
  EXPECT_EQ(Waiting("other"), 2);
}

// ------------------------------------------------------------------ expiry

TEST_F(ReceiverTest, CallsExpireAfterTheCallTtl) {
  EventsConfig config = TestConfig();
  config.call_ttl = Seconds(3600);
  Make(config);
  Call("8001", "Calling", "InBound", "queue03", "", "09:00:00");
  Call("8002", "Calling", "Progressive", "", "agent01", "09:30:00");
  receiver_->Expire(At("10:00:00"));  // exactly one ttl: not yet
  EXPECT_EQ(Waiting("queue03"), 1);
  EXPECT_EQ(ActiveCalls().inbound, 1);
  EXPECT_EQ(Metric("ozonetel_events_expired_total"), 0);
  receiver_->Expire(At("10:00:01"));
  EXPECT_EQ(Waiting("queue03"), 0);
  EXPECT_EQ(ActiveCalls().inbound, 0);
  EXPECT_EQ(ActiveCalls().outbound, 1);
  EXPECT_EQ(Metric("ozonetel_events_expired_total"), 1);
  // Its late Disconnect does not count again or bring it back.
  Call("8001", "Disconnect", "InBound", "queue03", "", "09:59:00");
  EXPECT_EQ(ActiveCalls().inbound, 0);
  receiver_->Expire(At("10:30:01"));
  EXPECT_EQ(ActiveCalls().outbound, 0);
  EXPECT_EQ(Metric("ozonetel_events_expired_total"), 2);
}

TEST_F(ReceiverTest, AgentsSilentForTheAgentTtlLeaveTheFloor) {
  EventsConfig config = TestConfig();
  config.agent_ttl = Seconds(2 * 3600);
  Make(config);
  Agent("agent01", "login", "08:00:00");
  Agent("agent02", "login", "08:00:00");
  Agent("agent02", "incall", "09:30:00");
  receiver_->Expire(At("10:00:00"));
  EXPECT_TRUE(StateOf("agent01"));
  receiver_->Expire(At("10:00:01"));
  EXPECT_EQ(StateOf("agent01"), std::nullopt);
  EXPECT_THAT(StateOf("agent02"), Optional(live::State::kBusy));
  EXPECT_EQ(floor_->AgentCount(live::Source::kOzonetelEvents), 1u);
}

// ------------------------------------------------------------- the limits

TEST_F(ReceiverTest, TheAgentCapRefusesNewAgentsWith429) {
  Make(TestConfig(), /*max_agents=*/2);
  EXPECT_EQ(Agent("agent01", "login", "09:00:00").status, 200);
  EXPECT_EQ(Agent("agent02", "login", "09:00:01").status, 200);
  const HttpResponse refused = Agent("agent03", "login", "09:00:02");
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(Rejected("agent_limit"), 1);
  EXPECT_EQ(StateOf("agent03"), std::nullopt);
  EXPECT_EQ(floor_->AgentCount(live::Source::kOzonetelEvents), 2u);
  // Known agents still change state.
  EXPECT_EQ(Agent("agent01", "incall", "09:00:03").status, 200);
  EXPECT_EQ(receiver_->ApplyAgent({"agent04", "login", "", At("09:00:04")}),
            Receiver::Applied::kRefused);
  // Once a place is free, the vendor's retry of the refused event applies:
  // a refused event is not remembered as seen.
  EXPECT_EQ(Agent("agent02", "logout", "09:00:05").status, 200);
  EXPECT_EQ(Agent("agent03", "login", "09:00:02").status, 200);
  EXPECT_THAT(StateOf("agent03"), Optional(live::State::kAvailable));
  EXPECT_EQ(receiver_->duplicates(), 0u);
  EXPECT_EQ(Rejected("agent_limit"), 1);
}

TEST_F(ReceiverTest, ActiveCallsAreCappedAtFourPerAgentPlace) {
  Make(TestConfig(), /*max_agents=*/2);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(Call(std::to_string(9000 + i), "Calling", "Progressive", "",
                   "agent01", "09:00:00")
                  .status,
              200);
  }
  EXPECT_EQ(
      Call("9100", "Calling", "Progressive", "", "agent01", "09:00:00").status,
      429);
  EXPECT_EQ(Rejected("call_limit"), 1);
  EXPECT_EQ(ActiveCalls().outbound, 8);
  // An ended call frees its place, and the retried event is then taken.
  Call("9000", "Disconnect", "Progressive", "", "agent01", "09:01:00");
  EXPECT_EQ(
      Call("9100", "Calling", "Progressive", "", "agent01", "09:00:00").status,
      200);
  EXPECT_EQ(ActiveCalls().outbound, 8);
}

// ------------------------------------------------------------------ access

TEST(ConstantTimeEqualsTest, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals("abcd", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), "a"));
}

TEST_F(ReceiverTest, OnlyTheRightTokenIsAccepted) {
  const std::string body = AgentBody("agent01", "login", "09:00:00");
  const std::string right = std::string("token=") + kToken;
  for (const std::string& query :
       {std::string(), std::string("token="), std::string("token=wrong"),
        right + "x", right.substr(0, right.size() - 1),
        std::string("tok=") + kToken}) {
    const HttpResponse response = receiver_->HandleAgent(Request(body, query));
    EXPECT_EQ(response.status, 401) << query;
    EXPECT_EQ(response.body.find(kToken), std::string::npos);
  }
  EXPECT_EQ(receiver_->HandleCall(Request(body, "token=wrong")).status, 401);
  EXPECT_EQ(Rejected("auth"), 7);
  EXPECT_EQ(Received("agent", "login"), 0);
  EXPECT_THAT(floor_->View()->agents, IsEmpty());
  EXPECT_EQ(receiver_->HandleAgent(Request(body, "a=1&" + right)).status, 200);
  EXPECT_EQ(Received("agent", "login"), 1);
  EXPECT_THAT(log_.str(), Not(HasSubstr(kToken)));
}

TEST_F(ReceiverTest, WithoutAConfiguredTokenNothingIsAccepted) {
  EventsConfig config = TestConfig();
  config.token.clear();
  Make(config);
  EXPECT_EQ(receiver_
                ->HandleAgent(Request(AgentBody("agent01", "login", "09:00:00"),
                                      "token="))
                .status,
            401);
  EXPECT_EQ(Rejected("auth"), 1);
}

TEST_F(ReceiverTest, OnlyPostIsAcceptedAndOtherMethodsAreCounted) {
  const std::string body = AgentBody("agent01", "login", "09:00:00");
  const HttpResponse get = receiver_->HandleAgent(
      Request(body, std::string("token=") + kToken, "GET"));
  EXPECT_EQ(get.status, 405);
  EXPECT_THAT(get.headers, ElementsAre(std::pair<std::string, std::string>(
                               "Allow", "POST")));
  EXPECT_EQ(
      receiver_
          ->HandleCall(Request(body, std::string("token=") + kToken, "PUT"))
          .status,
      405);
  EXPECT_EQ(Rejected("method"), 2);
  receiver_->CountRefused(405);  // the server refused before the handler
  EXPECT_EQ(Rejected("method"), 3);
  EXPECT_THAT(floor_->View()->agents, IsEmpty());
}

TEST_F(ReceiverTest, BodiesRefusedByTheServerCountAsTooLarge) {
  receiver_->CountRefused(413);
  EXPECT_EQ(Rejected("too_large"), 1);
  receiver_->CountRefused(408);  // a body too slow to arrive
  EXPECT_EQ(Rejected("too_large"), 2);
  receiver_->CountRefused(503);  // not a refusal of the body
  EXPECT_EQ(Rejected("too_large"), 2);
  for (const char* reason :
       {"auth", "malformed", "agent_limit", "call_limit", "method"}) {
    EXPECT_EQ(Rejected(reason), 0) << reason;
  }
}

// The module's own routes over a real server: 64 KiB bodies at most, a
// larger one refused with 413 before it is read and counted by the receiver.
TEST(EventsRouteTest, TheModulesRoutesTake64KiBAndCountLargerBodies) {
  test::TempDir dir;
  std::ostringstream log;
  core::Logger logger(log, core::LogLevel::kError);
  FakeClock clock(At("10:00:00"));
  core::StopSignal stop;
  core::StateStore store(dir.path(), logger);
  core::BudgetGate budgets(clock, stop, logger, nullptr);
  core::SnapshotPublisher publisher(logger, {});
  core::Engine engine(clock, logger, stop, store, budgets, publisher);
  directory::AgentDirectory agents{directory::DirectoryConfig{}};
  live::Floor floor{live::FloorOptions{}};
  std::unique_ptr<core::Module> module = MakeModule(agents, floor);
  std::vector<std::string> errors;
  core::ConfigNode root = core::ConfigNode::Parse(R"(
ozonetel:
  url: http://127.0.0.1:1
  user_name: acme
  events: {reconcile: false}
)",
                                                  &errors);
  const core::EnvLookup env =
      [](const std::string& name) -> std::optional<std::string> {
    if (name == "OZONETEL_API_KEY") return "k3y";
    if (name == "OZONETEL_EVENTS_TOKEN") return std::string(kToken);
    return std::nullopt;
  };
  ASSERT_TRUE(module->Configure(root, core::GlobalSettings{}, env));
  root.RejectUnknown();
  ASSERT_THAT(errors, IsEmpty());
  ASSERT_TRUE(module->Start(engine));

  HttpServer server({{"127.0.0.1:0"}, 4, 5000, 5000, {}, {}, {}});
  int routes = 0;
  for (const core::Route& route : engine.routes()) {
    if (!callcenter::StartsWith(route.path, "/ozonetel/events/")) continue;
    ++routes;
    EXPECT_EQ(route.max_body_bytes, 64u * 1024) << route.path;
    EXPECT_THAT(route.methods, IsEmpty()) << route.path;
    EXPECT_FALSE(route.basic_auth) << route.path;
    EXPECT_EQ(route.listener, core::Route::Listener::kEvents) << route.path;
    RouteOptions options;
    options.methods = route.methods;
    options.max_body_bytes = route.max_body_bytes;
    options.on_refused = route.on_refused;
    server.Handle(route.path, options, route.handler);
  }
  ASSERT_EQ(routes, 2);
  server.Start();
  const int port = server.ListeningPorts().at(0);
  const std::string target =
      std::string("/ozonetel/events/agent?token=") + kToken;
  // Declared one byte over: refused before a byte of the body is read.
  const test::RawResponse large = test::RawRequest(
      port, "POST " + target +
                " HTTP/1.1\r\nHost: x\r\nContent-Length: 65537\r\n\r\n");
  EXPECT_EQ(large.status, 413);
  // Exactly 64 KiB reaches the handler (and is not an event).
  const test::RawResponse full = test::RawRequest(
      port, "POST " + target +
                " HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n" +
                std::string(65536, ' '));
  EXPECT_EQ(full.status, 400);
  const test::RawResponse event = test::RawRequest(
      port, "POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                std::to_string(AgentBody("a1", "login", "09:00:00").size()) +
                "\r\n\r\n" + AgentBody("a1", "login", "09:00:00"));
  EXPECT_EQ(event.status, 200);
  server.Stop();
  publisher.RenderNow();
  const std::string text = publisher.Current()->Text();
  EXPECT_EQ(test::SampleValue(
                text, "ozonetel_events_rejected_total{reason=\"too_large\"}"),
            1);
  EXPECT_EQ(test::SampleValue(
                text, "ozonetel_events_rejected_total{reason=\"malformed\"}"),
            1);
  EXPECT_EQ(test::SampleValue(text,
                              "ozonetel_events_received_total{kind=\"agent\","
                              "action=\"login\"}"),
            1);
  engine.Stop();
  module->Shutdown();
}

// ------------------------------------------------------------ saved state

TEST_F(ReceiverTest, RestoreBringsBackAgentsAndCallsToReconcileFirst) {
  Agent("agent01", "login", "09:00:00");
  Agent("agent02", "login", "09:00:05");
  Agent("agent02", "incall", "09:01:00");
  Call("3001", "Calling", "InBound", "queue03", "", "09:02:00");
  Call("3002", "Calling", "Progressive", "", "agent01", "09:02:10");
  const std::optional<std::string> state = receiver_->TakeStateIfChanged();
  ASSERT_TRUE(state);
  EXPECT_EQ(receiver_->TakeStateIfChanged(), std::nullopt);  // unchanged

  Make(TestConfig());  // a restarted exporter
  std::string error;
  ASSERT_TRUE(receiver_->Restore(*state, &error)) << error;
  EXPECT_THAT(StateOf("agent01"), Optional(live::State::kAvailable));
  EXPECT_THAT(StateOf("agent02"), Optional(live::State::kBusy));
  EXPECT_EQ(FloorAgent("agent02")->since, At("09:01:00"));
  EXPECT_THAT(FloorAgent("agent01")->login_at, Optional(At("09:00:00")));
  EXPECT_EQ(Waiting("queue03"), 1);
  EXPECT_THAT(FloorQueue("queue03")->oldest_waiting_since,
              Optional(At("09:02:00")));
  EXPECT_EQ(ActiveCalls().inbound, 1);
  EXPECT_EQ(ActiveCalls().outbound, 1);

  // A new agent arrives by event; the restored ones are asked about first.
  Agent("agent03", "login", "09:03:00");
  EXPECT_EQ(receiver_->NextToReconcile(clock_.Now()), "agent01");
  receiver_->Reconcile("agent01", "Ready", clock_.Now());
  EXPECT_EQ(receiver_->NextToReconcile(clock_.Now()), "agent02");
  // An event for a restored agent settles it as well.
  Agent("agent02", "ACW", "09:04:00");
  EXPECT_EQ(receiver_->NextToReconcile(clock_.Now()), "agent02");
  clock_.Advance(Seconds(1));
  receiver_->Reconcile("agent02", "ACW", At("09:04:30"));
  // Then whoever was read longest ago (agent03 never was).
  EXPECT_EQ(receiver_->NextToReconcile(clock_.Now()), "agent03");

  // The restored calls go on: the waiting one is answered.
  Call("3001", "Answered", "InBound", "queue03", "agent03", "09:05:00");
  EXPECT_EQ(Waiting("queue03"), 0);
}

TEST_F(ReceiverTest, AMalformedSavedStateChangesNothing) {
  Agent("agent01", "login", "09:00:00");
  const std::vector<std::string> bad = {
      "{",
      "[]",
      R"({"version":2,"agents":[],"calls":[]})",
      R"({"version":1,"agents":{},"calls":[]})",
      R"({"version":1,"agents":[{"id":"a","state":"flying","since":1772420000000,)"
      R"("last_event":1772420000000,"queue":""}],"calls":[]})",
      R"({"version":1,"agents":[{"id":"a","state":"busy","since":1,)"
      R"("last_event":1,"queue":""}],"calls":[]})",
      R"({"version":1,"agents":[{"id":"","state":"busy","since":1772420000000,)"
      R"("last_event":1772420000000,"queue":""}],"calls":[]})",
      R"({"version":1,"agents":[],"calls":[{"ucid":-1,"inbound":true,)"
      R"("queue":"q","agent":"","first":1772420000000,"last":1772420000000}]})",
  };
  for (const std::string& json : bad) {
    std::string error;
    EXPECT_FALSE(receiver_->Restore(json, &error)) << json;
    EXPECT_THAT(error, Not(IsEmpty())) << json;
  }
  EXPECT_THAT(StateOf("agent01"), Optional(live::State::kAvailable));
  EXPECT_EQ(floor_->AgentCount(live::Source::kOzonetelEvents), 1u);
}

// An Api that answers agentdetails and records who was asked.
class DetailsApi final : public Api {
 public:
  Outcome FetchCdrs(const CdrQuery&,
                    const std::function<bool(CdrRecord&&)>&) override {
    return Outcome::Ok();
  }
  Outcome FetchSummary(const SummaryQuery&, std::vector<SummaryRow>*,
                       int*) override {
    return Outcome::Ok();
  }
  Outcome FetchAgentAht(const std::string&, AhtValue*) override {
    return Outcome::Ok();
  }
  Outcome FetchCampaignAht(const std::string&, AhtValue*) override {
    return Outcome::Ok();
  }
  Outcome FetchAgentDetails(const std::string& agent_id,
                            AgentDetails* out) override {
    asked.push_back(agent_id);
    out->agent_id = agent_id;
    out->status = status;
    return Outcome::Ok();
  }
  std::vector<std::string> asked;
  std::string status = "Busy";
};

TEST_F(ReceiverTest, MaintenanceSavesRestoresAndReconcilesRestoredAgents) {
  test::TempDir dir;
  auto store = std::make_unique<core::StateStore>(dir.path(), logger_);
  Agent("agent01", "login", "09:00:00");
  Agent("agent02", "login", "09:00:05");
  {
    Maintenance maintenance(
        {*receiver_, nullptr, &store->File("live_state.json"), clock_, logger_},
        Seconds(5));
    maintenance.Save();
  }
  EXPECT_TRUE(std::filesystem::exists(dir.File("live_state.json")));

  // A restart: a fresh store, floor and receiver over the same directory.
  store = std::make_unique<core::StateStore>(dir.path(), logger_);
  Make(TestConfig());
  DetailsApi api;
  Maintenance maintenance(
      {*receiver_, &api, &store->File("live_state.json"), clock_, logger_},
      Seconds(5));
  maintenance.LoadState();
  EXPECT_THAT(StateOf("agent01"), Optional(live::State::kAvailable));
  Agent("agent09", "login", "09:30:00");
  EXPECT_EQ(maintenance.Poll().status, core::PollResult::Status::kOk);
  EXPECT_EQ(maintenance.Poll().status, core::PollResult::Status::kOk);
  EXPECT_THAT(api.asked, ElementsAre("agent01", "agent02"));
  EXPECT_THAT(StateOf("agent01"), Optional(live::State::kBusy));
  EXPECT_EQ(Reconciliations("corrected"), 2);
}

TEST_F(ReceiverTest, ACorruptSavedStateIsSetAside) {
  test::TempDir dir;
  test::WriteText(dir.File("live_state.json"),
                  R"({"version":7,"agents":[],"calls":[]})");
  core::StateStore store(dir.path(), logger_);
  Agent("agent01", "login", "09:00:00");
  Maintenance maintenance(
      {*receiver_, nullptr, &store.File("live_state.json"), clock_, logger_},
      Seconds(5));
  maintenance.LoadState();
  EXPECT_TRUE(std::filesystem::exists(dir.File("live_state.json.corrupt")));
  EXPECT_THAT(StateOf("agent01"), Optional(live::State::kAvailable));
}

// ---------------------------------------------------------- reconciliation

TEST_F(ReceiverTest, ReconciliationCorrectsButNeverOverridesANewerEvent) {
  Agent("agent01", "login", "09:00:00");
  // Changed.
  EXPECT_TRUE(receiver_->Reconcile("agent01", "Busy", At("09:10:00")));
  EXPECT_THAT(StateOf("agent01"), Optional(live::State::kBusy));
  EXPECT_EQ(FloorAgent("agent01")->since, At("09:10:00"));
  EXPECT_EQ(Reconciliations("corrected"), 1);
  // Unchanged (status text in any case).
  EXPECT_FALSE(receiver_->Reconcile("agent01", "busy", At("09:11:00")));
  EXPECT_EQ(Reconciliations("unchanged"), 1);
  // An event newer than the question wins over the answer.
  const TimePoint asked = At("09:12:00");
  Agent("agent01", "ACW", "09:12:30");
  EXPECT_FALSE(receiver_->Reconcile("agent01", "Ready", asked));
  EXPECT_THAT(StateOf("agent01"), Optional(live::State::kWrapup));
  // A status without a mapping changes nothing.
  EXPECT_FALSE(receiver_->Reconcile("agent01", "Flying", At("09:13:00")));
  EXPECT_THAT(StateOf("agent01"), Optional(live::State::kWrapup));
  EXPECT_EQ(Reconciliations("corrected"), 1);
  EXPECT_EQ(Reconciliations("unchanged"), 1);
  // Logout removes the agent; an event older than that answer is late.
  EXPECT_TRUE(receiver_->Reconcile("agent01", "Logout", At("09:20:00")));
  EXPECT_EQ(StateOf("agent01"), std::nullopt);
  EXPECT_EQ(Reconciliations("corrected"), 2);
  EXPECT_EQ(receiver_->ApplyAgent({"agent01", "incall", "", At("09:19:00")}),
            Receiver::Applied::kOutOfOrder);
  EXPECT_EQ(StateOf("agent01"), std::nullopt);
}

TEST_F(ReceiverTest, AnAgentKnownFromTheDirectoryButAbsentIsAdded) {
  receiver_->SetKnownAgents([] {
    return std::vector<std::string>{"agent01", "agent09", "agent05"};
  });
  EXPECT_EQ(receiver_->NextToReconcile(clock_.Now()), "agent01");
  Agent("agent01", "login", "09:00:00");
  Agent("agent05", "login", "09:00:00");
  Agent("agent05", "logout", "09:30:00");
  // Floor agents and absent known ones take turns; agent05 logged out.
  std::set<std::string> asked;
  for (int i = 0; i < 4; ++i) {
    asked.insert(*receiver_->NextToReconcile(clock_.Now()));
  }
  EXPECT_EQ(asked, (std::set<std::string>{"agent01", "agent09"}));
  EXPECT_TRUE(receiver_->Reconcile("agent09", "Ready", At("09:40:00")));
  EXPECT_THAT(StateOf("agent09"), Optional(live::State::kAvailable));
  EXPECT_EQ(FloorAgent("agent09")->since, At("09:40:00"));
  EXPECT_EQ(Reconciliations("corrected"), 1);
  // Not added: logged out per agentdetails, or a logout newer than the
  // question.
  EXPECT_FALSE(receiver_->Reconcile("agent11", "Logout", At("09:41:00")));
  EXPECT_FALSE(receiver_->Reconcile("agent05", "Ready", At("09:29:00")));
  EXPECT_EQ(StateOf("agent11"), std::nullopt);
  EXPECT_EQ(StateOf("agent05"), std::nullopt);
  EXPECT_EQ(Reconciliations("corrected"), 1);
}

// ------------------------------------------------------------ configuration

class EventsConfigTest : public ::testing::Test {
 protected:
  std::vector<std::string> Parse(const std::string& events_yaml,
                                 EventsConfig* config,
                                 std::optional<std::string> token = kToken) {
    std::vector<std::string> errors;
    core::ConfigNode root = core::ConfigNode::Parse(
        "ozonetel:\n  events:\n" + events_yaml, &errors);
    core::ConfigNode ozonetel = root.Child("ozonetel");
    const core::EnvLookup env =
        [token](const std::string& name) -> std::optional<std::string> {
      if (name == "OZONETEL_EVENTS_TOKEN") return token;
      return std::nullopt;
    };
    bool present = false;
    EXPECT_NO_THROW(present = ParseEventsConfig(ozonetel, env, config));
    EXPECT_TRUE(present);
    return errors;
  }
};

TEST_F(EventsConfigTest, AbsentSectionIsOff) {
  std::vector<std::string> errors;
  core::ConfigNode root = core::ConfigNode::Parse("ozonetel: {}\n", &errors);
  core::ConfigNode ozonetel = root.Child("ozonetel");
  EventsConfig config;
  EXPECT_FALSE(ParseEventsConfig(
      ozonetel, [](const std::string&) { return std::nullopt; }, &config));
  EXPECT_THAT(errors, IsEmpty());
}

TEST_F(EventsConfigTest, ACustomStateMappingDrivesTheReceiver) {
  EventsConfig config;
  ASSERT_THAT(Parse(R"(    agent_states:
      Login: available
      Talking: busy
      Break: pause
      Gone: logged_out
    calling_inbound: busy
    calling_outbound: available
    status_states: {OnCall: busy, Off: logged_out, Free: available}
    inbound_call_types: [InBound, Transfer]
)",
                    &config),
              IsEmpty());
  EXPECT_EQ(config.token, kToken);
  EXPECT_THAT(config.inbound_call_types, ElementsAre("inbound", "transfer"));
  std::ostringstream log;
  core::Logger logger(log, core::LogLevel::kError);
  FakeClock clock(At("10:00:00"));
  live::Floor floor{live::FloorOptions{}};
  Receiver receiver(config, kIst, floor, clock, logger);
  auto apply = [&](const std::string& action, const std::string& time,
                   const std::string& mode = "INBOUND") {
    receiver.ApplyAgent({"agent01", action, mode, At(time)});
    const auto view = floor.View();
    return view->agents.empty() ? std::optional<live::State>()
                                : view->agents[0].state;
  };
  EXPECT_EQ(apply("LOGIN", "09:00:00"), live::State::kAvailable);
  EXPECT_EQ(apply("talking", "09:00:01"), live::State::kBusy);
  EXPECT_EQ(apply("Break", "09:00:02"), live::State::kPause);
  // Default actions the mapping replaced are unknown now.
  EXPECT_EQ(apply("incall", "09:00:03"), live::State::kUnknown);
  EXPECT_EQ(apply("calling", "09:00:04", "INBOUND"), live::State::kBusy);
  EXPECT_EQ(apply("calling", "09:00:05", "PREVIEW"), live::State::kAvailable);
  EXPECT_TRUE(receiver.Reconcile("agent01", "oncall", At("09:00:06")));
  EXPECT_EQ(floor.View()->agents[0].state, live::State::kBusy);
  EXPECT_FALSE(receiver.Reconcile("agent01", "Ready", At("09:00:07")));
  EXPECT_EQ(apply("Gone", "09:00:08"), std::nullopt);
  EXPECT_TRUE(receiver.Reconcile("agent01", "Free", At("09:00:09")));
  EXPECT_TRUE(receiver.Reconcile("agent01", "Off", At("09:00:10")));
  EXPECT_THAT(floor.View()->agents, IsEmpty());
  // Calls of a configured inbound type wait.
  receiver.ApplyCall({1, "Calling", "Transfer", "", "q", At("09:01:00")});
  EXPECT_EQ(floor.View()->calls.inbound, 1);
}

TEST_F(EventsConfigTest, EveryProblemIsOneLineNamingItsKey) {
  struct Case {
    std::string yaml;
    std::string line;
    std::optional<std::string> token = kToken;
  };
  const std::vector<Case> cases = {
      {"    agent_states: {x: flying}\n",
       "ozonetel.events.agent_states.x: must be a live state"},
      {"    agent_states: {x: [busy]}\n",
       "ozonetel.events.agent_states.x: must be a string"},
      {"    agent_states: [busy]\n",
       "ozonetel.events.agent_states: must be a mapping"},
      {"    status_states: {Ready: resting}\n",
       "ozonetel.events.status_states.Ready: must be a live state"},
      {"    calling_inbound: dancing\n",
       "ozonetel.events.calling_inbound: must be a live state"},
      {"    path_prefix: hooks/\n", "ozonetel.events.path_prefix: must start"},
      {"    path_prefix: /hooks/\n", "ozonetel.events.path_prefix: must start"},
      {"    call_ttl: 30s\n", "ozonetel.events.call_ttl: must be a duration"},
      {"    agent_ttl: 99999999999999999999h\n",
       "ozonetel.events.agent_ttl: must be a duration"},
      {"    max_queues: 0\n", "ozonetel.events.max_queues: must be an integer"},
      {"    reconcile: maybe\n", "ozonetel.events.reconcile: must be true"},
      {"    subscription_url: ftp://x\n",
       "ozonetel.events.subscription_url: must start with http"},
      {"    inbound_call_types: [{a: b}]\n",
       "ozonetel.events.inbound_call_types[0]: must be a string"},
      {"    token_file: /dev/zero\n",
       "ozonetel.events.token_file: must name a regular file under 4 KiB"},
      {"    colour: red\n", "ozonetel.events.colour: unknown key"},
      {"    reconcile: true\n    reconcile: false\n",
       "ozonetel.events.reconcile: duplicate key"},
      {"    reconcile: true\n", "ozonetel.events.token_file: no secret",
       std::nullopt},
      {"    reconcile: true\n",
       "ozonetel.events.token_file: the token must be at least 16 characters",
       "short"},
  };
  for (const Case& c : cases) {
    EventsConfig config;
    EXPECT_THAT(Parse(c.yaml, &config, c.token),
                ElementsAre(StartsWith(c.line)))
        << c.yaml;
  }
}

// ---------------------------------------------------------------- families

TEST_F(ReceiverTest, EveryRenderedFamilyIsDeclared) {
  size_t samples = 0;
  EXPECT_THAT(test::SourceProblems(*receiver_, &samples), IsEmpty());
  EXPECT_GT(samples, 0u);
  Agent("agent01", "login", "09:00:00");
  Call("1", "Calling", "InBound", "queue03", "", "09:00:00");
  receiver_->HandleAgent(Request("{"));
  receiver_->Reconcile("agent01", "Busy", At("09:01:00"));
  EXPECT_THAT(test::SourceProblems(*receiver_), IsEmpty());
  const std::string text = core::RenderText(*receiver_);
  EXPECT_EQ(test::SampleValue(text,
                              "ozonetel_events_last_received_timestamp_seconds{"
                              "kind=\"agent\"}"),
            ToUnixSeconds(clock_.Now()));
  EXPECT_THAT(test::SourceProblems(*floor_), IsEmpty());
}

TEST(FloorFamiliesTest, EveryOptionRendersOnlyDeclaredFamilies) {
  for (bool per_agent : {true, false}) {
    for (bool names : {true, false}) {
      live::FloorOptions options;
      options.per_agent_metrics = per_agent;
      options.publish_names = names;
      live::Floor floor(options);
      EXPECT_THAT(test::SourceProblems(floor), IsEmpty());  // empty floor
      live::Partition partition;
      live::Agent agent;
      agent.id = "agent01";
      agent.name = "Asha \"A\" Rao";
      agent.state = live::State::kBusy;
      agent.login_at = At("09:00:00");
      partition.agents[agent.id] = agent;
      agent.id = "agent02";
      agent.login_at.reset();
      partition.agents[agent.id] = agent;
      live::Queue queue;
      queue.name = "queue03";
      queue.waiting = 2;
      queue.oldest_waiting_since = At("09:30:00");
      queue.agents = {{"logged", 3}, {"working", 1}};
      partition.queues[queue.name] = queue;
      partition.calls = {2, 1};
      floor.Replace(live::Source::kCccp, partition);
      size_t samples = 0;
      EXPECT_THAT(test::SourceProblems(floor, &samples), IsEmpty())
          << per_agent << names;
      // 9 state counts, waiting, oldest, 2 queue statuses, 2 directions;
      // per agent: 9 states, since, info each, and one login time.
      EXPECT_EQ(samples, 15u + (per_agent ? 2u * 11u + 1u : 0u))
          << per_agent << names;
    }
  }
}

}  // namespace
}  // namespace callcenter::ozonetel::events
