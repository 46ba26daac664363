// Pushed events against a real receiver (callcenter::HttpServer on
// 127.0.0.1:0): order, envelopes, pause and delivered_through, the fault
// counters against what the receiver sees, bounded retries, and the
// subscription API. The receiver applies live-floor.md §3's rules: dedupe on
// (subject, action, time), ignore an agent event older than the agent's
// current one.
#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <set>

#include "callcenter/common/http_server.h"
#include "ozonetel_sim/event_payload.h"
#include "sim_test_util.h"

namespace callcenter::sim {
namespace {

using testing::LocalTime;
using testing::MakeRequest;
using testing::Parse;
using testing::SimFixture;
using testing::TestDate;
using testing::Unix;

constexpr std::chrono::seconds kWait(60);

// An event as the receiver reads it, from either envelope.
struct Received {
  std::string path;
  std::string query;
  std::string content_type;
  bool nested = false;
  bool agent = false;
  std::string subject;  // agentId, or ucid
  std::string action;
  std::string time;  // eventTime
  std::string mode;  // agentMode
};

Received Read(const HttpRequest& request) {
  Received r;
  r.path = request.path;
  r.query = request.query;
  r.content_type = request.Header("content-type");
  rapidjson::Document doc;
  doc.Parse(request.body.c_str());
  EXPECT_FALSE(doc.HasParseError()) << request.body;
  if (doc.HasParseError()) return r;
  r.nested = doc.HasMember("data");
  const rapidjson::Value& data = r.nested ? doc["data"] : doc;
  r.agent = std::string(doc["eventType"].GetString()) == "Agent";
  r.action = data["action"].GetString();
  r.time = doc["eventTime"].GetString();
  if (r.agent) {
    r.subject = data["agentId"].GetString();
    r.mode = data["agentMode"].GetString();
    EXPECT_TRUE(data["agentUniqeId"].IsInt64());
    if (r.nested) {
      EXPECT_EQ(r.time, data["eventTime"].GetString());
    }
  } else {
    r.subject = data["ucid"].GetString();
    EXPECT_EQ(r.time, data["event_time"].GetString());
  }
  return r;
}

// A receiver of both event kinds that records what arrives in order.
class Receiver {
 public:
  Receiver() {
    HttpServer::Options options;
    options.listen_addresses = {"127.0.0.1:0"};
    options.threads = 2;
    server_ = std::make_unique<HttpServer>(options);
    server_->HandleDefault(
        [this](const HttpRequest& request) { return OnRequest(request); });
    server_->Start();
    port_ = server_->ListeningPorts().front();
  }
  ~Receiver() { server_->Stop(); }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // Forgets what arrived and answers 200 again.
  void Reset() {
    std::lock_guard<std::mutex> lock(mutex_);
    received_.clear();
    status_ = 200;
    failures_ = 0;
  }
  // Answers with `status` from now on; `failures` 503s first.
  void Answer(int status, int failures = 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    status_ = status;
    failures_ = failures;
  }
  bool WaitFor(size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return arrived_.wait_for(lock, kWait,
                             [&] { return received_.size() >= count; });
  }
  std::vector<Received> received() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }

 private:
  HttpResponse OnRequest(const HttpRequest& request) {
    Received r = Read(request);
    std::lock_guard<std::mutex> lock(mutex_);
    received_.push_back(std::move(r));
    arrived_.notify_all();
    if (failures_ > 0) {
      --failures_;
      return HttpResponse::Text(503, "");
    }
    return HttpResponse::Text(status_, "");
  }

  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Received> received_;
  int status_ = 200;
  int failures_ = 0;
};

// The receiver's floor and health counters (live-floor.md §3).
struct ReceiverFloor {
  struct Agent {
    std::string state;
    std::string time;  // of the last applied event
  };
  std::map<std::string, Agent> agents;
  std::set<std::string> seen;
  int64_t duplicates = 0;
  int64_t out_of_order = 0;
  int64_t accepted = 0;

  static std::string StateOf(const Received& r) {
    if (r.action == "login" || r.action == "release" || r.action == "IDLE" ||
        r.action == "READY") {
      return "available";
    }
    if (r.action == "calling") {
      return r.mode == "INBOUND" ? "ringing" : "outbound";
    }
    if (r.action == "incall") return "busy";
    if (r.action == "ACW") return "wrapup";
    if (r.action == "AUX" || r.action == "pause") return "pause";
    return "unknown";
  }

  void Apply(const Received& r) {
    const std::string key =
        (r.agent ? "a|" : "c|") + r.subject + "|" + r.action + "|" + r.time;
    if (!seen.insert(key).second) {
      ++duplicates;
      return;
    }
    ++accepted;
    if (!r.agent) return;
    auto it = agents.find(r.subject);
    if (it != agents.end() && r.time < it->second.time) {
      ++out_of_order;
      return;
    }
    if (r.action == "logout") {
      agents.erase(r.subject);
      return;
    }
    agents[r.subject] = {StateOf(r), r.time};
  }
};

std::string Local(int64_t t) {
  return FormatLocalDateTime(TimePoint(Seconds(t)), Seconds(19800));
}

class DeliveryTest : public SimFixture {
 protected:
  // One receiver for the suite: stopping a CivetWeb server takes seconds.
  static void SetUpTestSuite() { shared_receiver_ = new Receiver(); }
  static void TearDownTestSuite() { delete shared_receiver_; }
  void SetUp() override { receiver_.Reset(); }
  void TearDown() override {
    sim_.reset();
    receiver_.Reset();
  }

  // A simulator at 10:00 pushing to the receiver (with a token in the URL).
  void StartDelivery(const std::function<void(EventOptions*)>& tweak = {}) {
    SimOptions options = RelaxedOptions();
    options.events.agent_url = receiver_.Url("/ozonetel/events/agent?token=s3");
    options.events.call_url = receiver_.Url("/ozonetel/events/call?token=s3");
    if (tweak) tweak(&options.events);
    Start(options, "10:00:00");
    sim_->StartBackground();
  }

  // Timeline events with time in (from, to], over the days they span.
  std::vector<FloorEvent> Expected(int64_t from, int64_t to) {
    std::vector<FloorEvent> events;
    for (Date date = sim_->traffic().DateOf(from + 1);
         sim_->traffic().Midnight(date) <= to; date = AddDays(date, 1)) {
      for (const FloorEvent& event : sim_->timelines().Timeline(date)->events) {
        if (event.time > from && event.time <= to) events.push_back(event);
      }
    }
    return events;
  }

  std::string SubjectOf(const FloorEvent& event) {
    return event.IsCallEvent() ? std::to_string(event.call->ucid)
                               : sim_->account().agents[event.subject].id;
  }

  DeliveryStatus WaitIdle() {
    EXPECT_TRUE(sim_->events().WaitIdle(kWait));
    return sim_->events().Status();
  }

  void SetEvents(const std::string& json) {
    HttpResponse response =
        sim_->Handle(MakeRequest("POST", "/_sim/events", json));
    ASSERT_EQ(response.status, 200) << response.body;
  }

  // The receiver's agent states equal the Ozonetel floor at `at`.
  void ExpectReceiverMatchesFloor(const ReceiverFloor& floor, int64_t at) {
    const Floor truth = sim_->FloorAt(at, FloorView::kOzonetel);
    const Account& account = sim_->account();
    size_t logged = 0;
    for (size_t i = 0; i < account.agents.size(); ++i) {
      const UserFloor& user = truth.agents[i];
      const std::string& id = account.agents[i].id;
      if (!user.logged_in) {
        EXPECT_FALSE(floor.agents.count(id)) << id;
        continue;
      }
      ++logged;
      ASSERT_TRUE(floor.agents.count(id)) << id;
      EXPECT_EQ(floor.agents.at(id).state, LiveStateName(ToLive(user.state)))
          << id;
    }
    EXPECT_EQ(floor.agents.size(), logged);
  }

  static Receiver* shared_receiver_;
  Receiver& receiver_ = *shared_receiver_;
};

Receiver* DeliveryTest::shared_receiver_ = nullptr;

TEST_F(DeliveryTest, DeliversEveryEventInTimelineOrder) {
  StartDelivery();
  const int64_t start = sim_->NowSeconds();
  SetNow("10:20:00");
  const int64_t until = sim_->NowSeconds();
  const std::vector<FloorEvent> expected = Expected(start, until);
  ASSERT_GT(expected.size(), 100u);
  ASSERT_TRUE(receiver_.WaitFor(expected.size()));
  const DeliveryStatus status = WaitIdle();
  const std::vector<Received> received = receiver_.received();
  ASSERT_EQ(received.size(), expected.size());
  std::set<bool> envelopes;
  for (size_t i = 0; i < expected.size(); ++i) {
    const FloorEvent& event = expected[i];
    const Received& r = received[i];
    EXPECT_EQ(r.agent, !event.IsCallEvent()) << i;
    EXPECT_EQ(r.subject, SubjectOf(event)) << i;
    EXPECT_EQ(r.action, ActionName(event.action)) << i;
    EXPECT_EQ(r.time, Local(event.time)) << i;
    EXPECT_EQ(r.path,
              r.agent ? "/ozonetel/events/agent" : "/ozonetel/events/call");
    EXPECT_EQ(r.query, "token=s3");
    EXPECT_EQ(r.content_type, "application/json");
    envelopes.insert(r.nested);
  }
  EXPECT_EQ(envelopes.size(), 2u);  // mixed
  EXPECT_EQ(status.delivered_through, until);
  EXPECT_EQ(status.agent.delivered + status.call.delivered,
            static_cast<int64_t>(expected.size()));
  EXPECT_EQ(status.queued, 0);
  EXPECT_EQ(status.in_flight, 0);
}

TEST_F(DeliveryTest, DeliveryRunsOnAcrossMidnight) {
  SimOptions options = RelaxedOptions();
  options.night_agents = 6;
  options.events.agent_url = receiver_.Url("/agent");
  options.events.call_url = receiver_.Url("/call");
  Start(options, "23:50:00");
  sim_->StartBackground();
  const int64_t start = sim_->NowSeconds();
  SetNow("00:20:00", 1);
  const std::vector<FloorEvent> expected = Expected(start, sim_->NowSeconds());
  ASSERT_TRUE(receiver_.WaitFor(expected.size()));
  const DeliveryStatus status = WaitIdle();
  const std::vector<Received> received = receiver_.received();
  ASSERT_EQ(received.size(), expected.size());
  int after_midnight = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(received[i].subject, SubjectOf(expected[i])) << i;
    EXPECT_EQ(received[i].time, Local(expected[i].time)) << i;
    after_midnight += received[i].time >= "2026-03-03";
  }
  EXPECT_GT(after_midnight, 10);
  EXPECT_EQ(status.delivered_through, sim_->NowSeconds());
  ReceiverFloor floor;
  for (const Received& r : received) floor.Apply(r);
  // Night agents whose login the receiver saw match the truth.
  const Floor truth = sim_->FloorAt(sim_->NowSeconds(), FloorView::kOzonetel);
  for (const auto& [id, agent] : floor.agents) {
    const int index = sim_->account().FindAgent(id);
    ASSERT_TRUE(truth.agents[index].logged_in) << id;
    EXPECT_EQ(agent.state, LiveStateName(ToLive(truth.agents[index].state)));
  }
}

TEST_F(DeliveryTest, PauseHoldsDeliveryAndDeliveredThroughIsExact) {
  const int64_t midnight = Unix(LocalTime(TestDate(), "00:00:00"));
  StartDelivery([midnight](EventOptions* e) { e->replay_from = midnight; });
  SetNow("10:05:00");
  WaitIdle();
  SetEvents(R"({"paused":true})");
  DeliveryStatus status = WaitIdle();
  EXPECT_TRUE(status.paused);
  EXPECT_EQ(status.in_flight, 0);
  EXPECT_EQ(status.delivered_through, sim_->NowSeconds());
  ReceiverFloor floor;
  for (const Received& r : receiver_.received()) floor.Apply(r);
  EXPECT_EQ(floor.accepted,
            static_cast<int64_t>(
                Expected(midnight - 1, status.delivered_through).size()));
  ExpectReceiverMatchesFloor(floor, status.delivered_through);
  // Time moves on while paused: events queue up, none is sent, and
  // delivered_through stops before the first of them.
  const int64_t paused_at = sim_->NowSeconds();
  const size_t before = receiver_.received().size();
  SetNow("10:30:00");
  status = WaitIdle();
  EXPECT_GT(status.queued, 0);
  EXPECT_EQ(receiver_.received().size(), before);
  EXPECT_GE(status.delivered_through, paused_at);
  EXPECT_TRUE(Expected(paused_at, status.delivered_through).empty());
  EXPECT_FALSE(Expected(paused_at, status.delivered_through + 1).empty());
  // Resumed, the queue drains in order.
  SetEvents(R"({"paused":false})");
  const int64_t now = sim_->NowSeconds();
  ASSERT_TRUE(receiver_.WaitFor(
      before + Expected(midnight + 10 * 3600 + 300, now).size()));
  status = WaitIdle();
  EXPECT_EQ(status.delivered_through, now);
  EXPECT_EQ(status.queued, 0);
  ReceiverFloor after;
  for (const Received& r : receiver_.received()) after.Apply(r);
  EXPECT_EQ(after.out_of_order, 0);
  ExpectReceiverMatchesFloor(after, now);
}

TEST_F(DeliveryTest, FaultCountersEqualWhatTheReceiverSees) {
  StartDelivery([](EventOptions* e) {
    e->drop_rate = 0.04;
    e->duplicate_rate = 0.05;
    e->reorder_rate = 0.15;
  });
  const int64_t start = sim_->NowSeconds();
  SetNow("13:00:00");
  WaitIdle();
  // Pausing sends the events still held for a reorder.
  SetEvents(R"({"paused":true})");
  const DeliveryStatus status = WaitIdle();
  EXPECT_EQ(status.in_flight, 0);
  const std::vector<Received> received = receiver_.received();
  ReceiverFloor floor;
  for (const Received& r : received) floor.Apply(r);
  const DeliveryCounters& a = status.agent;
  const DeliveryCounters& c = status.call;
  EXPECT_GT(a.dropped, 0);
  EXPECT_GT(c.dropped, 0);
  EXPECT_GT(a.duplicated + c.duplicated, 0);
  EXPECT_GT(a.reordered, 10);
  EXPECT_EQ(c.reordered, 0);  // reordering is for agent events only
  EXPECT_EQ(floor.duplicates, a.duplicated + c.duplicated);
  EXPECT_EQ(floor.out_of_order, a.reordered);
  EXPECT_EQ(static_cast<int64_t>(received.size()), a.sent + c.sent);
  EXPECT_EQ(floor.accepted, a.delivered + c.delivered);
  EXPECT_EQ(a.failed + c.failed + a.retried + c.retried, 0);
  const int64_t expected =
      static_cast<int64_t>(Expected(start, sim_->NowSeconds()).size());
  ASSERT_GT(expected, 1000);
  EXPECT_EQ(a.delivered + a.dropped + c.delivered + c.dropped, expected);
  // An agent whose state the receiver got wrong lost its last event.
  auto live = Parse(sim_->Handle(MakeRequest("GET", "/_sim/live")).body);
  int stale = 0;
  for (const auto& agent : live["agents"].GetArray()) {
    const std::string id = agent["agent"].GetString();
    const bool wrong = !floor.agents.count(id) ||
                       floor.agents[id].state != agent["state"].GetString();
    if (wrong) {
      ++stale;
      EXPECT_TRUE(agent["last_event_dropped"].GetBool()) << id;
    }
  }
  // The same seed and switches give the same faults.
  const DeliveryStatus first = status;
  sim_.reset();
  receiver_.Reset();
  SimOptions options = RelaxedOptions();
  options.events.agent_url = receiver_.Url("/a");
  options.events.call_url = receiver_.Url("/c");
  options.events.drop_rate = 0.04;
  options.events.duplicate_rate = 0.05;
  options.events.reorder_rate = 0.15;
  Start(options, "10:00:00");
  sim_->StartBackground();
  SetNow("13:00:00");
  WaitIdle();
  SetEvents(R"({"paused":true})");
  const DeliveryStatus second = WaitIdle();
  EXPECT_EQ(second.agent.dropped, first.agent.dropped);
  EXPECT_EQ(second.call.duplicated, first.call.duplicated);
  EXPECT_EQ(second.agent.reordered, first.agent.reordered);
  sim_.reset();
}

TEST_F(DeliveryTest, RetriesAreBoundedAndCounted) {
  receiver_.Answer(503);
  StartDelivery([](EventOptions* e) { e->max_retries = 2; });
  const int64_t start = sim_->NowSeconds();
  SetNow("10:02:00");
  DeliveryStatus status = WaitIdle();
  const int64_t events =
      static_cast<int64_t>(Expected(start, sim_->NowSeconds()).size());
  ASSERT_GT(events, 0);
  const int64_t failed = status.agent.failed + status.call.failed;
  EXPECT_EQ(failed, events);
  EXPECT_EQ(status.agent.sent + status.call.sent, 3 * events);
  EXPECT_EQ(status.agent.retried + status.call.retried, 2 * events);
  EXPECT_EQ(status.agent.delivered + status.call.delivered, 0);
  EXPECT_EQ(status.delivered_through, sim_->NowSeconds());
  // Two failures, then success: one event needs two retries.
  receiver_.Answer(200, 2);
  const int64_t before = sim_->NowSeconds();
  SetNow("10:04:00");
  const int64_t more =
      static_cast<int64_t>(Expected(before, sim_->NowSeconds()).size());
  ASSERT_GT(more, 0);
  const DeliveryStatus after = WaitIdle();
  EXPECT_EQ(after.agent.delivered + after.call.delivered, more);
  EXPECT_EQ(after.agent.retried + after.call.retried,
            status.agent.retried + status.call.retried + 2);
  EXPECT_EQ(after.agent.failed + after.call.failed, failed);
  // Without retry a failure is final at once.
  SetEvents(R"({"retry":false})");
  receiver_.Answer(200, 1);
  const int64_t later = sim_->NowSeconds();
  SetNow("10:06:00");
  ASSERT_GT(Expected(later, sim_->NowSeconds()).size(), 0u);
  const DeliveryStatus last = WaitIdle();
  EXPECT_EQ(last.agent.failed + last.call.failed, failed + 1);
  EXPECT_EQ(last.agent.retried + last.call.retried,
            after.agent.retried + after.call.retried);
}

TEST_F(DeliveryTest, AConnectionErrorIsAFailureAndDeliveryMovesOn) {
  // Port 1 on loopback: nothing listens there.
  const std::string closed_url = "http://127.0.0.1:1/agent";
  StartDelivery([&closed_url](EventOptions* e) {
    e->agent_url = closed_url;
    e->max_retries = 1;
  });
  SetNow("10:03:00");
  const DeliveryStatus status = WaitIdle();
  EXPECT_GT(status.agent.failed, 0);
  EXPECT_EQ(status.agent.delivered, 0);
  EXPECT_GT(status.call.delivered, 0);
  EXPECT_EQ(status.delivered_through, sim_->NowSeconds());
}

TEST_F(DeliveryTest, UnsubscribedEventsPassUnseenUntilSubscribed) {
  Start(RelaxedOptions(), "10:00:00");
  sim_->StartBackground();
  SetNow("10:10:00");
  DeliveryStatus status = WaitIdle();
  EXPECT_EQ(status.agent.sent + status.call.sent, 0);
  EXPECT_EQ(status.delivered_through, sim_->NowSeconds());
  // Subscribing through the vendor API starts delivery from then on.
  HttpRequest subscribe = MakeRequest(
      "POST", "/events/subscribe",
      "{\"callEventsURL\":\"" + receiver_.Url("/call") +
          "\",\"agentEventsURL\":\"" + receiver_.Url("/agent") + "\"}");
  subscribe.headers["api_key"] = "sim-api-key";
  subscribe.headers["username"] = "demo";
  ASSERT_EQ(sim_->Handle(subscribe).status, 200);
  const int64_t from = sim_->NowSeconds();
  SetNow("10:15:00");
  const size_t expected = Expected(from, sim_->NowSeconds()).size();
  ASSERT_TRUE(receiver_.WaitFor(expected));
  status = WaitIdle();
  EXPECT_EQ(receiver_.received().size(), expected);
}

TEST_F(DeliveryTest, ADelayedStreamStillArrivesWholeAndInOrder) {
  StartDelivery([](EventOptions* e) {
    e->delay_ms = 40;
    e->envelope = EventEnvelope::kNested;
  });
  const int64_t start = sim_->NowSeconds();
  SetNow("10:03:00");
  const std::vector<FloorEvent> expected = Expected(start, sim_->NowSeconds());
  ASSERT_TRUE(receiver_.WaitFor(expected.size()));
  WaitIdle();
  const std::vector<Received> received = receiver_.received();
  ASSERT_EQ(received.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_TRUE(received[i].nested);
    EXPECT_EQ(received[i].action, ActionName(expected[i].action));
    EXPECT_EQ(received[i].subject, SubjectOf(expected[i]));
  }
}

TEST_F(DeliveryTest, EventsSwitchesValidateAndShow) {
  Start(RelaxedOptions());
  EXPECT_EQ(sim_->Handle(MakeRequest("POST", "/_sim/events",
                                     R"({"drop_rate":0.6,"reorder_rate":0.6})"))
                .status,
            400);
  EXPECT_EQ(
      sim_->Handle(MakeRequest("POST", "/_sim/events", R"({"delay_ms":-1})"))
          .status,
      400);
  SetEvents(R"({"duplicate_rate":0.25,"envelope":"nested","delay_ms":5})");
  auto shown = Parse(sim_->Handle(MakeRequest("GET", "/_sim/events")).body);
  EXPECT_DOUBLE_EQ(shown["switches"]["duplicate_rate"].GetDouble(), 0.25);
  EXPECT_STREQ(shown["switches"]["envelope"].GetString(), "nested");
  EXPECT_TRUE(shown["switches"]["retry"].GetBool());
  for (const char* key :
       {"queued", "in_flight", "delivered_through", "sent", "delivered",
        "dropped", "duplicated", "reordered", "retried", "failed"}) {
    EXPECT_TRUE(shown[key].IsInt64()) << key;
  }
  EXPECT_TRUE(shown["paused"].IsBool());
  EXPECT_TRUE(shown["agent"]["sent"].IsInt64());
  EXPECT_TRUE(shown["call"]["reordered"].IsInt64());
  SetEvents(R"({"reset":true})");
  shown = Parse(sim_->Handle(MakeRequest("GET", "/_sim/events")).body);
  EXPECT_DOUBLE_EQ(shown["switches"]["duplicate_rate"].GetDouble(), 0);
}

TEST_F(SimFixture, SubscriptionApiTexts) {
  auto request = [](std::string method, std::string path, std::string body,
                    std::string key = "sim-api-key") {
    HttpRequest r =
        MakeRequest(std::move(method), std::move(path), std::move(body));
    r.headers["api_key"] = key;
    r.headers["username"] = "demo";
    return r;
  };
  HttpResponse none =
      sim_->Handle(request("GET", "/events/subscriptions/list", ""));
  EXPECT_EQ(none.body, "Subscription doesnt exists for User: demo");
  EXPECT_EQ(sim_->Handle(request("POST", "/events/subscribe",
                                 R"({"callEventsURL":"http://x/c"})", "bad"))
                .body,
            "Unauthorized");
  HttpResponse added = sim_->Handle(request(
      "POST", "/events/subscribe",
      R"({"callEventsURL":"http://x/c?token=t","agentEventsURL":"http://x/a"})"));
  EXPECT_EQ(added.status, 200);
  EXPECT_EQ(added.body, "Subscription added successfully for User: demo");
  auto list = Parse(
      sim_->Handle(request("GET", "/events/subscriptions/list", "")).body);
  EXPECT_STREQ(list["callEventsURL"].GetString(), "http://x/c?token=t");
  EXPECT_STREQ(list["agentEventsURL"].GetString(), "http://x/a");
  EXPECT_EQ(sim_->Handle(request("POST", "/events/un-subscribe",
                                 R"({"eventType":"call"})"))
                .body,
            "Unsubscribed to call events successfully for User: demo");
  list = Parse(
      sim_->Handle(request("GET", "/events/subscriptions/list", "")).body);
  EXPECT_STREQ(list["callEventsURL"].GetString(), "");
  EXPECT_EQ(sim_->Handle(request("POST", "/events/un-subscribe",
                                 R"({"eventType":"both"})"))
                .body,
            "Unsubscribed to both events successfully for User: demo");
  EXPECT_EQ(sim_->Handle(request("POST", "/events/un-subscribe",
                                 R"({"eventType":"sms"})"))
                .status,
            400);
  EXPECT_EQ(sim_->Handle(request("GET", "/events/subscribe", "")).status, 405);
}

TEST(EventPayloadTest, FlatAndNestedEnvelopes) {
  Account account = MakeAccount("acme", 20);
  FloorEvent event;
  event.time = Unix(LocalTime(TestDate(), "17:07:43"));
  event.subject = 6;
  event.action = Action::kIncall;
  event.mode = AgentMode::kInbound;
  EXPECT_EQ(
      AgentEventJson(account, event, Seconds(19800), false),
      R"({"eventType":"Agent","eventTime":"2026-03-02 17:07:43","username":"acme","action":"incall","agentId":"agent07","agentUniqeId":279807,"agentMode":"INBOUND"})");
  EXPECT_EQ(
      AgentEventJson(account, event, Seconds(19800), true),
      R"({"eventType":"Agent","eventTime":"2026-03-02 17:07:43","username":"acme","data":{"action":"incall","agentId":"agent07","agentUniqeId":279807,"agentMode":"INBOUND","eventTime":"2026-03-02 17:07:43"}})");
  Call call;
  call.ucid = 31773467784618213;
  call.agent = 2;
  call.answered = true;
  call.skill = 1;
  FloorEvent answered;
  answered.time = event.time;
  answered.call = &call;
  answered.action = Action::kCallAnswered;
  auto flat = Parse(CallEventJson(account, answered, Seconds(19800), false));
  EXPECT_STREQ(flat["eventType"].GetString(), "Call");
  EXPECT_STREQ(flat["action"].GetString(), "Answered");
  EXPECT_STREQ(flat["call_type"].GetString(), "InBound");
  EXPECT_STREQ(flat["ucid"].GetString(), "31773467784618213");
  EXPECT_STREQ(flat["agent_id"].GetString(), "agent03");
  EXPECT_STREQ(flat["skill"].GetString(), "Inbound_Support");
  EXPECT_STREQ(flat["event_time"].GetString(), "2026-03-02 17:07:43");
  for (const char* key : {"monitor_ucid", "caller_id", "did", "agent_number"}) {
    EXPECT_TRUE(flat[key].IsString()) << key;
  }
  answered.action = Action::kCallCalling;
  auto nested = Parse(CallEventJson(account, answered, Seconds(19800), true));
  EXPECT_STREQ(nested["data"]["action"].GetString(), "Calling");
  EXPECT_STREQ(nested["data"]["agent_id"].GetString(), "");
  EXPECT_FALSE(IsNested(EventEnvelope::kMixed, 4));
  EXPECT_TRUE(IsNested(EventEnvelope::kMixed, 5));
}

}  // namespace
}  // namespace callcenter::sim
