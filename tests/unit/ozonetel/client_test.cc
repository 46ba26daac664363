// The Ozonetel client over a fake transport and gate: requests on the wire,
// auth modes, the token lifecycle, budgets and the response shapes.
#include "ozonetel/client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "callcenter/common/clock.h"
#include "core/day_ledger.h"
#include "test_bodies.h"
#include "testing/fake_gate.h"
#include "testing/fake_transport.h"

namespace callcenter::ozonetel {
namespace {

using test::Canned;
using test::FakeGate;
using test::FakeTransport;
using test::FindHeader;
using test::Reply;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kTokenOne = R"({"token":"jwt-one","message":""})";
constexpr const char* kTokenTwo = R"({"token":"jwt-two","message":""})";
constexpr const char* kTokenExpired =
    R"({"status":"false","message":"Token Expired","data":null})";
constexpr const char* kEmptyDetails =
    R"({"status":"success","message":"","details":[]})";
constexpr const char* kAgentAht =
    R"({"status":"success","message":{"AgentID":"agent01","AgentName":"Agent One","AHT":"00:02:37"}})";

std::map<std::string, std::string> JsonBody(const HttpCall& call) {
  rapidjson::Document doc;
  doc.Parse(call.body.c_str());
  std::map<std::string, std::string> members;
  if (!doc.IsObject()) return members;
  for (const auto& member : doc.GetObject()) {
    members[member.name.GetString()] =
        member.value.IsString() ? member.value.GetString() : "<non-string>";
  }
  return members;
}

struct Request {
  std::string family;
  bool ok;
  std::optional<FailureReason> reason;
  bool operator==(const Request&) const = default;
};

class ClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<Api> MakeApi(ClientOptions::Auth auth) {
    ClientOptions options;
    options.base_url = "https://in1-ccaas-api.ozonetel.test/";
    options.user_name = "acme_corp";
    options.auth = auth;
    options.api_key = "KK-secret";
    auto transport = std::make_unique<FakeTransport>();
    transport_ = transport.get();
    std::unique_ptr<Api> api =
        MakeClient(options, std::move(transport), gate_, clock_);
    api->on_request = [this](const std::string& family,
                             const Outcome& outcome) {
      requests_.push_back({family, outcome.ok(),
                           outcome.failure
                               ? std::optional(outcome.failure->reason)
                               : std::nullopt});
    };
    return api;
  }

  Outcome FetchDay(Api& api, std::vector<CdrRecord>* records = nullptr) {
    return api.FetchCdrs({"2026-03-02 00:00:00", "2026-03-02 12:30:00"},
                         [records](CdrRecord&& record) {
                           if (records) records->push_back(std::move(record));
                           return true;
                         });
  }

  FakeGate gate_;
  FakeClock clock_{FromUnixSeconds(1'772'400'000)};
  FakeTransport* transport_ = nullptr;
  std::vector<Request> requests_;
  int invalid_ = 0;
};

TEST_F(ClientTest, FetchCdrsStreamsTheDocumentedExample) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  transport_->Enqueue(Reply(200, test::kDocumentedCdrExample, 1));
  std::vector<CdrRecord> records;
  Outcome outcome = FetchDay(*api, &records);
  EXPECT_TRUE(outcome.ok());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].call_id, core::CompactId("31733467784618213"));
  EXPECT_EQ(records[0].agent_id, "agent01");
  EXPECT_EQ(records[0].talk, 53);
  EXPECT_THAT(requests_, ElementsAre(Request{kCdrApi, true, {}}));
  EXPECT_EQ(gate_.acquired(kCdrApi), 1);
}

TEST_F(ClientTest, CdrRequestIsAGetCarryingAJsonBody) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  transport_->Enqueue(Reply(200, kEmptyDetails));
  EXPECT_TRUE(FetchDay(*api).ok());
  ASSERT_EQ(transport_->calls().size(), 1u);
  const HttpCall call = transport_->calls()[0];
  EXPECT_EQ(call.method, "GET");
  EXPECT_EQ(call.url,
            "https://in1-ccaas-api.ozonetel.test/ca_reports/fetchCDRDetails");
  EXPECT_EQ(call.url.find('?'), std::string::npos);  // nothing in the query
  EXPECT_EQ(JsonBody(call), (std::map<std::string, std::string>{
                                {"fromDate", "2026-03-02 00:00:00"},
                                {"toDate", "2026-03-02 12:30:00"},
                                {"userName", "acme_corp"}}));
  EXPECT_EQ(FindHeader(call, "Content-Type"), "application/json");
  EXPECT_EQ(call.timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(call.connect_timeout, std::chrono::milliseconds(5000));
}

TEST_F(ClientTest, ApiKeyModeSendsApiKeyAndNoAuthorization) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  transport_->Enqueue(Reply(200, kEmptyDetails));
  transport_->Enqueue(Reply(200, kAgentAht));
  EXPECT_TRUE(FetchDay(*api).ok());
  AhtValue aht;
  EXPECT_TRUE(api->FetchAgentAht("agent01", &aht).ok());
  for (const HttpCall& call : transport_->calls()) {
    EXPECT_EQ(FindHeader(call, "apiKey"), "KK-secret");
    EXPECT_EQ(FindHeader(call, "Authorization"), std::nullopt);
  }
  EXPECT_EQ(gate_.acquired(kTokenApi), 0);
}

TEST_F(ClientTest, TokenModeSendsBearerAndNoApiKey) {
  auto api = MakeApi(ClientOptions::Auth::kToken);
  transport_->Enqueue(Reply(200, kTokenOne));
  transport_->Enqueue(Reply(200, kEmptyDetails));
  EXPECT_TRUE(FetchDay(*api).ok());
  const auto calls = transport_->calls();
  ASSERT_EQ(calls.size(), 2u);
  // The generation itself authenticates with the key (§2.3).
  EXPECT_EQ(calls[0].method, "POST");
  EXPECT_EQ(
      calls[0].url,
      "https://in1-ccaas-api.ozonetel.test/ca_apis/CAToken/generateToken");
  EXPECT_EQ(FindHeader(calls[0], "apiKey"), "KK-secret");
  EXPECT_EQ(FindHeader(calls[0], "Content-Type"), "application/json");
  EXPECT_EQ(FindHeader(calls[0], "Authorization"), std::nullopt);
  EXPECT_EQ(JsonBody(calls[0]),
            (std::map<std::string, std::string>{{"userName", "acme_corp"}}));
  EXPECT_EQ(FindHeader(calls[1], "Authorization"), "Bearer jwt-one");
  EXPECT_EQ(FindHeader(calls[1], "apiKey"), std::nullopt);
  EXPECT_EQ(JsonBody(calls[1]).at("userName"), "acme_corp");
  EXPECT_EQ(gate_.acquired(kTokenApi), 1);
  EXPECT_EQ(gate_.acquired(kCdrApi), 1);
  EXPECT_THAT(requests_, ElementsAre(Request{kTokenApi, true, {}},
                                     Request{kCdrApi, true, {}}));
}

TEST_F(ClientTest, TokenExpiredRegeneratesOnceAndRetriesOnce) {
  auto api = MakeApi(ClientOptions::Auth::kToken);
  transport_->Enqueue(Reply(200, kTokenOne));
  transport_->Enqueue(Reply(200, kTokenExpired));
  transport_->Enqueue(Reply(200, kTokenTwo));
  transport_->Enqueue(Reply(200, test::kDocumentedCdrExample));
  std::vector<CdrRecord> records;
  Outcome outcome = FetchDay(*api, &records);
  EXPECT_TRUE(outcome.ok());
  EXPECT_EQ(records.size(), 1u);
  const auto calls = transport_->calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(FindHeader(calls[1], "Authorization"), "Bearer jwt-one");
  EXPECT_EQ(FindHeader(calls[3], "Authorization"), "Bearer jwt-two");
  EXPECT_EQ(gate_.acquired(kTokenApi), 2);
  EXPECT_EQ(gate_.acquired(kCdrApi), 2);
  EXPECT_THAT(
      requests_,
      ElementsAre(Request{kTokenApi, true, {}},
                  Request{kCdrApi, false, FailureReason::kAuth},
                  Request{kTokenApi, true, {}}, Request{kCdrApi, true, {}}));
}

TEST_F(ClientTest, TokenExpiredTwiceIsAnAuthFailure) {
  auto api = MakeApi(ClientOptions::Auth::kToken);
  transport_->Enqueue(Reply(200, kTokenOne));
  transport_->Enqueue(Reply(200, kTokenExpired));
  transport_->Enqueue(Reply(200, kTokenTwo));
  transport_->Enqueue(Reply(200, kTokenExpired));
  Outcome outcome = FetchDay(*api);
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->reason, FailureReason::kAuth);
  EXPECT_EQ(outcome.failure->message, "Token Expired");
  EXPECT_EQ(transport_->calls().size(), 4u);
  EXPECT_EQ(gate_.acquired(kTokenApi), 2);
  EXPECT_EQ(gate_.acquired(kCdrApi), 2);
  // The next poll starts over with a fresh token, not the dead one.
  transport_->Enqueue(Reply(200, kTokenOne));
  transport_->Enqueue(Reply(200, kEmptyDetails));
  EXPECT_TRUE(FetchDay(*api).ok());
  EXPECT_EQ(gate_.acquired(kTokenApi), 3);
}

TEST_F(ClientTest, FailedRegenerationEndsTheRequest) {
  auto api = MakeApi(ClientOptions::Auth::kToken);
  transport_->Enqueue(Reply(200, kTokenOne));
  transport_->Enqueue(Reply(200, kTokenExpired));
  transport_->Enqueue(Reply(
      429, R"({"status":"false","message":"max limit exceeded","data":null})"));
  Outcome outcome = FetchDay(*api);
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->reason, FailureReason::kRateLimited);
  EXPECT_EQ(transport_->calls().size(), 3u);
  EXPECT_THAT(gate_.rate_limited(), ElementsAre(kTokenApi));
  EXPECT_EQ(gate_.acquired(kCdrApi), 1);
}

TEST_F(ClientTest, TokenIsSharedAndReusedWithinTtlThenRegenerated) {
  auto api = MakeApi(ClientOptions::Auth::kToken);
  transport_->Enqueue(Reply(200, kTokenOne));
  transport_->Enqueue(Reply(200, kEmptyDetails));
  transport_->Enqueue(
      Reply(200, R"({"status":"error","message":"No Data Found"})"));
  transport_->Enqueue(Reply(200, kAgentAht));
  transport_->Enqueue(Reply(200, kTokenTwo));
  transport_->Enqueue(Reply(200, kEmptyDetails));
  EXPECT_TRUE(FetchDay(*api).ok());
  clock_.Advance(std::chrono::minutes(30));
  std::vector<SummaryRow> rows;
  EXPECT_TRUE(
      api->FetchSummary({"2026-03-02 00:00:00", "2026-03-02 12:00:00", {}},
                        &rows, &invalid_)
          .ok());
  clock_.Advance(std::chrono::minutes(24));  // 54 min: still inside 55
  AhtValue aht;
  EXPECT_TRUE(api->FetchAgentAht("agent01", &aht).ok());
  EXPECT_EQ(gate_.acquired(kTokenApi), 1);
  clock_.Advance(std::chrono::minutes(2));  // 56 min: regenerate
  EXPECT_TRUE(FetchDay(*api).ok());
  EXPECT_EQ(gate_.acquired(kTokenApi), 2);
  const auto calls = transport_->calls();
  ASSERT_EQ(calls.size(), 6u);
  EXPECT_EQ(FindHeader(calls[2], "Authorization"), "Bearer jwt-one");
  EXPECT_EQ(FindHeader(calls[3], "Authorization"), "Bearer jwt-one");
  EXPECT_EQ(FindHeader(calls[5], "Authorization"), "Bearer jwt-two");
}

TEST_F(ClientTest, ConcurrentPollersShareOneGeneration) {
  auto api = MakeApi(ClientOptions::Auth::kToken);
  transport_->Enqueue(Reply(200, kTokenOne));
  constexpr int kThreads = 4;
  for (int i = 0; i < kThreads; ++i) transport_->Enqueue(Reply(200, kAgentAht));
  api->on_request = nullptr;
  std::vector<std::thread> threads;
  std::vector<int> ok(kThreads, 0);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      AhtValue aht;
      ok[i] = api->FetchAgentAht("agent01", &aht).ok();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_THAT(ok, ElementsAre(1, 1, 1, 1));
  EXPECT_EQ(gate_.acquired(kTokenApi), 1);
  EXPECT_EQ(gate_.acquired(kAhtApi), kThreads);
}

TEST_F(ClientTest, GateRefusalSendsNothing) {
  for (auto auth :
       {ClientOptions::Auth::kApiKey, ClientOptions::Auth::kToken}) {
    // Shutting down: cancelled. History not writable: unrecorded.
    for (auto admission :
         {core::Admission::kStopped, core::Admission::kUnrecorded}) {
      auto api = MakeApi(auth);
      gate_.set_admission(admission);
      const bool stopped = admission == core::Admission::kStopped;
      Outcome outcome = FetchDay(*api);
      EXPECT_EQ(outcome.cancelled, stopped);
      EXPECT_EQ(outcome.unrecorded, !stopped);
      EXPECT_FALSE(outcome.failure.has_value());
      EXPECT_FALSE(outcome.ok());
      std::vector<SummaryRow> rows;
      outcome = api->FetchSummary({"a", "b", {}}, &rows, &invalid_);
      EXPECT_EQ(outcome.cancelled, stopped);
      EXPECT_EQ(outcome.unrecorded, !stopped);
      AhtValue aht;
      EXPECT_EQ(api->FetchCampaignAht("c", &aht).cancelled, stopped);
      AgentDetails details;
      EXPECT_EQ(api->FetchAgentDetails("a", &details).unrecorded, !stopped);
      EXPECT_THAT(transport_->calls(), IsEmpty());
      EXPECT_THAT(requests_, IsEmpty());
    }
  }
}

TEST_F(ClientTest, RateLimitedIsNotRetriedAndTellsTheGate) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  transport_->Enqueue(
      Reply(429, R"({"status":"error","message":"max limit exceeded"})"));
  transport_->Enqueue(
      Reply(200, R"({"status":"error","message":"max limit exceeded"})"));
  for (int i = 0; i < 2; ++i) {
    Outcome outcome = FetchDay(*api);
    ASSERT_TRUE(outcome.failure);
    EXPECT_EQ(outcome.failure->reason, FailureReason::kRateLimited);
    EXPECT_EQ(outcome.failure->message, "max limit exceeded");
  }
  EXPECT_EQ(transport_->calls().size(), 2u);
  EXPECT_EQ(gate_.acquired(kCdrApi), 2);
  EXPECT_THAT(gate_.rate_limited(), ElementsAre(kCdrApi, kCdrApi));
  EXPECT_THAT(
      requests_,
      ElementsAre(Request{kCdrApi, false, FailureReason::kRateLimited},
                  Request{kCdrApi, false, FailureReason::kRateLimited}));
}

TEST_F(ClientTest, TransportFailures) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  Canned timeout;
  timeout.status = 200;
  timeout.body = R"({"status":"success","details":[{"CallID":1},)";
  timeout.timed_out = true;
  timeout.error = "Operation timed out";
  transport_->Enqueue(timeout);
  Canned refused;
  refused.error = "Connection refused";
  transport_->Enqueue(refused);
  Outcome first = FetchDay(*api);
  ASSERT_TRUE(first.failure);
  EXPECT_EQ(first.failure->reason, FailureReason::kTimeout);
  Outcome second = FetchDay(*api);
  ASSERT_TRUE(second.failure);
  EXPECT_EQ(second.failure->reason, FailureReason::kHttp);
  EXPECT_EQ(second.failure->message, "Connection refused");
}

TEST_F(ClientTest, FailureStatusAfterRecordsFailsTheFetch) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  transport_->Enqueue(Reply(
      200,
      R"({"details":[{"CallID":1}],"status":"error","message":"partial"})"));
  std::vector<CdrRecord> records;
  Outcome outcome = FetchDay(*api, &records);
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->reason, FailureReason::kHttp);
  EXPECT_EQ(records.size(), 1u);  // delivered; the caller discards them
}

// ------------------------------------------------------------- summaryReport

constexpr const char* kSummaryRow =
    R"({"AgentIncrID":"101","AgentName":"Agent One","AgentUniqueID":"u-1",
        "CallDate":"2026-03-02","ModeType":"Inbound","TotalBusyTime":"00:10:00",
        "TotalDialTime":"00:00:30","TotalIdleTime":"00:00:05",
        "TotalLoginDuration":"08:00:05","TotalPauseTime":"00:15:00",
        "TotalWrapupTime":"00:05:00"})";

TEST_F(ClientTest, SummaryRequestBody) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  transport_->Enqueue(
      Reply(200, R"({"status":"error","message":"No Data Found"})"));
  transport_->Enqueue(
      Reply(200, R"({"status":"error","message":"No Data Found"})"));
  std::vector<SummaryRow> rows;
  EXPECT_TRUE(api->FetchSummary({"2026-03-02 00:00:00",
                                 "2026-03-02 13:59:59",
                                 {"agent01", "agent02"}},
                                &rows, &invalid_)
                  .ok());
  EXPECT_TRUE(
      api->FetchSummary({"2026-03-02 00:00:00", "2026-03-02 13:59:59", {}},
                        &rows, &invalid_)
          .ok());
  const auto calls = transport_->calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].method, "POST");
  EXPECT_EQ(calls[0].url,
            "https://in1-ccaas-api.ozonetel.test/ca_reports/summaryReport");
  EXPECT_EQ(JsonBody(calls[0]), (std::map<std::string, std::string>{
                                    {"fromDate", "2026-03-02 00:00:00"},
                                    {"toDate", "2026-03-02 13:59:59"},
                                    {"userName", "acme_corp"},
                                    {"agentId", "agent01,agent02"}}));
  EXPECT_EQ(JsonBody(calls[1]).count("agentId"), 0u);
  EXPECT_EQ(gate_.acquired(kSummaryApi), 2);
}

class SummaryEnvelopeTest : public ClientTest,
                            public ::testing::WithParamInterface<std::string> {
};

TEST_P(SummaryEnvelopeTest, RowsUnderMessageOrDataObjectOrArray) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  transport_->Enqueue(Reply(200, GetParam(), 5));
  std::vector<SummaryRow> rows;
  Outcome outcome = api->FetchSummary({"a", "b", {}}, &rows, &invalid_);
  ASSERT_TRUE(outcome.ok()) << outcome.failure->message;
  ASSERT_GE(rows.size(), 1u);
  const SummaryRow& row = rows[0];
  EXPECT_EQ(row.agent_name, "Agent One");
  EXPECT_EQ(row.agent_incr_id, "101");
  EXPECT_EQ(row.agent_unique_id, "u-1");
  EXPECT_EQ(row.mode_type, "Inbound");
  ASSERT_TRUE(row.call_date);
  EXPECT_EQ(FormatDate(*row.call_date), "2026-03-02");
  EXPECT_EQ(row.login, 8 * 3600 + 5);
  EXPECT_EQ(row.busy, 600);
  EXPECT_EQ(row.idle, 5);
  EXPECT_EQ(row.pause, 900);
  EXPECT_EQ(row.wrapup, 300);
  EXPECT_EQ(row.dial, 30);
}

INSTANTIATE_TEST_SUITE_P(
    Envelopes, SummaryEnvelopeTest,
    ::testing::Values(
        std::string(R"({"status":"success","message":[)") + kSummaryRow + "]}",
        std::string(R"({"status":"success","message":)") + kSummaryRow + "}",
        std::string(R"({"status":"success","data":[)") + kSummaryRow + "," +
            kSummaryRow + "]}",
        std::string(R"({"data":)") + kSummaryRow + R"(,"status":true})",
        // Ids as numbers, unknown members, a null duration.
        R"({"status":"success","extra":{"x":[1]},"message":[{"AgentIncrID":101,
            "AgentName":"Agent One","AgentUniqueID":"u-1","CallDate":"2026-03-02",
            "ModeType":"Inbound","TotalBusyTime":"00:10:00","TotalDialTime":"00:00:30",
            "TotalIdleTime":"00:00:05","TotalLoginDuration":"08:00:05",
            "TotalPauseTime":"00:15:00","TotalWrapupTime":"00:05:00",
            "TotalHoldTime":null,"Nested":{"a":[]}}]})"));

TEST_F(ClientTest, SummaryNoDataFoundIsZeroRowsAtAnyStatus) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  transport_->Enqueue(
      Reply(200, R"({"status":"error","message":"No Data Found"})"));
  transport_->Enqueue(
      Reply(200, R"({"status":"success","message":"no data found"})"));
  transport_->Enqueue(
      Reply(404, R"({"status":"fail","message":"NO DATA FOUND"})"));
  transport_->Enqueue(Reply(200, R"({"status":"success","message":[]})"));
  for (int i = 0; i < 4; ++i) {
    std::vector<SummaryRow> rows = {SummaryRow{}};
    Outcome outcome = api->FetchSummary({"a", "b", {}}, &rows, &invalid_);
    EXPECT_TRUE(outcome.ok()) << i;
    EXPECT_THAT(rows, IsEmpty());
  }
  EXPECT_THAT(requests_, ElementsAre(Request{kSummaryApi, true, {}},
                                     Request{kSummaryApi, true, {}},
                                     Request{kSummaryApi, true, {}},
                                     Request{kSummaryApi, true, {}}));
}

TEST_F(ClientTest, SummaryFailureLeavesNoRows) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  transport_->Enqueue(
      Reply(200, R"({"status":"error","message":"agentId is Invalid"})"));
  std::vector<SummaryRow> rows = {SummaryRow{}};
  Outcome outcome = api->FetchSummary({"a", "b", {"nobody"}}, &rows, &invalid_);
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->reason, FailureReason::kHttp);
  EXPECT_EQ(outcome.failure->message, "agentId is Invalid");
  EXPECT_THAT(rows, IsEmpty());
}

// ------------------------------------------------------------------------ aht

TEST_F(ClientTest, AgentAht) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  transport_->Enqueue(Reply(200, kAgentAht));
  AhtValue aht;
  ASSERT_TRUE(api->FetchAgentAht("agent01", &aht).ok());
  EXPECT_EQ(aht.id, "agent01");
  EXPECT_EQ(aht.name, "Agent One");
  EXPECT_EQ(aht.seconds, 157);
  const HttpCall call = transport_->calls().at(0);
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.url, "https://in1-ccaas-api.ozonetel.test/ca_apis/aht");
  EXPECT_EQ(JsonBody(call),
            (std::map<std::string, std::string>{{"userName", "acme_corp"},
                                                {"agentId", "agent01"}}));
  EXPECT_EQ(gate_.acquired(kAhtApi), 1);
}

TEST_F(ClientTest, CampaignAht) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  transport_->Enqueue(Reply(
      200,
      R"({"status":"success","message":{"CampaignID":4711,"CampaignName":"Outbound_A","AHT":"01:00:01"}})"));
  AhtValue aht;
  ASSERT_TRUE(api->FetchCampaignAht("Outbound_A", &aht).ok());
  EXPECT_EQ(aht.id, "4711");
  EXPECT_EQ(aht.name, "Outbound_A");
  EXPECT_EQ(aht.seconds, 3601);
  EXPECT_EQ(JsonBody(transport_->calls().at(0)),
            (std::map<std::string, std::string>{
                {"userName", "acme_corp"}, {"campaignName", "Outbound_A"}}));
}

TEST_F(ClientTest, AhtUnderDataOrInAnArray) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  transport_->Enqueue(Reply(
      200,
      R"({"status":"success","data":{"AgentID":"a2","AgentName":"B","AHT":"00:00:09"}})"));
  transport_->Enqueue(Reply(
      200,
      R"({"status":"success","message":[{"AgentID":"a3","AgentName":"C","AHT":"00:01:00"}]})"));
  AhtValue aht;
  ASSERT_TRUE(api->FetchAgentAht("a2", &aht).ok());
  EXPECT_EQ(aht.seconds, 9);
  ASSERT_TRUE(api->FetchAgentAht("a3", &aht).ok());
  EXPECT_EQ(aht.id, "a3");
  EXPECT_EQ(aht.seconds, 60);
}

TEST_F(ClientTest, AhtFailureLeavesOutputUntouched) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  transport_->Enqueue(
      Reply(200, R"({"status":"error","message":"agentId is Invalid"})"));
  AhtValue aht{"keep", "me", 42};
  EXPECT_FALSE(api->FetchAgentAht("ghost", &aht).ok());
  EXPECT_EQ(aht.id, "keep");
  EXPECT_EQ(aht.seconds, 42);
}

// --------------------------------------------------------------- agentdetails

TEST_F(ClientTest, AgentDetails) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  transport_->Enqueue(Reply(
      200,
      R"({"status":"success","message":{"AgentID":"agent01","Status":"Busy"}})"));
  AgentDetails details;
  ASSERT_TRUE(api->FetchAgentDetails("agent01", &details).ok());
  EXPECT_EQ(details.agent_id, "agent01");
  EXPECT_EQ(details.status, "Busy");
  const HttpCall call = transport_->calls().at(0);
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.url,
            "https://in1-ccaas-api.ozonetel.test/ca_apis/agentdetails");
  EXPECT_EQ(JsonBody(call),
            (std::map<std::string, std::string>{{"userName", "acme_corp"},
                                                {"agentId", "agent01"}}));
  EXPECT_EQ(gate_.acquired(kAgentDetailsApi), 1);
  EXPECT_THAT(requests_, ElementsAre(Request{kAgentDetailsApi, true, {}}));
}

TEST_F(ClientTest, AgentDetailsWithoutAStatusFailsAndLeavesTheOutput) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  transport_->Enqueue(
      Reply(200, R"({"status":"success","data":[{"AgentID":"agent01"}]})"));
  AgentDetails details{"keep", "Ready"};
  const Outcome outcome = api->FetchAgentDetails("agent01", &details);
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->reason, FailureReason::kParse);
  EXPECT_EQ(details.agent_id, "keep");
  EXPECT_EQ(details.status, "Ready");
}

TEST_F(ClientTest, RetryAfterReachesTheGate) {
  auto api = MakeApi(ClientOptions::Auth::kApiKey);
  Canned limited = Reply(429, "");
  limited.retry_after = Seconds(90);
  transport_->Enqueue(limited);
  const Outcome outcome = FetchDay(*api);
  ASSERT_TRUE(outcome.failure);
  EXPECT_EQ(outcome.failure->reason, FailureReason::kRateLimited);
  EXPECT_EQ(outcome.failure->retry_after, Seconds(90));
  EXPECT_THAT(gate_.rate_limited(), ElementsAre(kCdrApi));
  EXPECT_THAT(gate_.retry_afters(),
              ElementsAre(std::optional<Seconds>(Seconds(90))));
}

}  // namespace
}  // namespace callcenter::ozonetel
