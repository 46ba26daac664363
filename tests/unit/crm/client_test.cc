// The CRM GraphQL client over a fake transport and a real budget: the
// request on the wire, one gate draw and one report per request, failure
// classification (never the key), rate limits, oversized bodies and
// shutdown.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <sstream>

#include "callcenter/common/timeutil.h"
#include "core/budgets.h"
#include "crm/api.h"
#include "crm_pages.h"
#include "testing/fake_gate.h"
#include "testing/fake_transport.h"

namespace callcenter::crm {
namespace {

using test::Canned;
using test::FindHeader;
using test::PageJson;
using test::Reply;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

Canned Failed(int status, bool timed_out, std::string error) {
  Canned canned;
  canned.status = status;
  canned.timed_out = timed_out;
  canned.error = std::move(error);
  return canned;
}

class CrmClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gate_.AddFamily(kCrmApi, 6, Seconds(60), Seconds(0));
  }

  void MakeClientWith(ClientOptions options) {
    auto transport =
        std::make_unique<test::FakeTransport>(&clock_, Seconds(10));
    transport_ = transport.get();
    client_ = MakeClient(std::move(options), std::move(transport), gate_);
    client_->on_request = [this](const Outcome& outcome) {
      reported_.push_back(outcome);
    };
  }

  static ClientOptions Options() {
    ClientOptions options;
    options.url = "http://crm.test/graphql";
    options.api_key = "s3cret-key";
    options.query = "query Custom($from: DateTime!) { calls { totalCount } }";
    options.page_size = 50;
    options.request_timeout = std::chrono::milliseconds(1500);
    return options;
  }

  PageRequest Request(std::optional<std::string> after = std::nullopt) const {
    return {*ParseRfc3339("2026-03-01T18:30:00Z"),
            *ParseRfc3339("2026-03-02T04:59:55Z"), std::move(after)};
  }

  Outcome Fetch(Canned answer, Page* page) {
    transport_->Enqueue(std::move(answer));
    return client_->FetchPage(Request(), page);
  }

  std::ostringstream log_;
  core::Logger logger_{log_, core::LogLevel::kDebug};
  FakeClock clock_{*ParseRfc3339("2026-03-02T05:00:00Z")};
  core::StopSignal stop_;
  core::BudgetGate gate_{clock_, stop_, logger_, nullptr};
  test::FakeTransport* transport_ = nullptr;
  std::unique_ptr<Api> client_;
  std::vector<Outcome> reported_;
};

TEST_F(CrmClientTest, RequestCarriesConfiguredQueryVariablesAndBearer) {
  MakeClientWith(Options());
  transport_->Enqueue(Reply(200, PageJson({}, false, "")));
  transport_->Enqueue(Reply(200, PageJson({}, false, "")));
  Page page;
  ASSERT_TRUE(client_->FetchPage(Request(), &page).ok());
  ASSERT_TRUE(client_->FetchPage(Request("Y3Vyc29yMQ=="), &page).ok());

  const auto calls = transport_->calls();
  ASSERT_EQ(calls.size(), 2u);
  const HttpCall& call = calls[0];
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.url, "http://crm.test/graphql");
  EXPECT_EQ(call.timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(FindHeader(call, "Authorization"), "Bearer s3cret-key");
  EXPECT_EQ(FindHeader(call, "Content-Type"), "application/json");
  rapidjson::Document body;
  body.Parse(call.body.c_str());
  ASSERT_FALSE(body.HasParseError()) << call.body;
  EXPECT_EQ(body["query"].GetString(), Options().query);
  const auto& vars = body["variables"];
  EXPECT_STREQ(vars["from"].GetString(), "2026-03-01T18:30:00Z");
  EXPECT_STREQ(vars["to"].GetString(), "2026-03-02T04:59:55Z");
  EXPECT_TRUE(vars["after"].IsNull());
  EXPECT_EQ(vars["first"].GetInt(), 50);

  body.Parse(calls[1].body.c_str());
  EXPECT_STREQ(body["variables"]["after"].GetString(), "Y3Vyc29yMQ==");
}

TEST_F(CrmClientTest, DefaultQueryIsSentWhenTheOptionsHaveNone) {
  ClientOptions options = Options();
  options.query.clear();
  MakeClientWith(options);
  Page page;
  ASSERT_TRUE(Fetch(Reply(200, PageJson({}, false, "")), &page).ok());
  rapidjson::Document body;
  body.Parse(transport_->calls()[0].body.c_str());
  EXPECT_STREQ(body["query"].GetString(), kDefaultCrmQuery);
}

TEST_F(CrmClientTest, EveryRequestDrawsFromTheGateAndIsReported) {
  MakeClientWith(Options());
  Page page;
  ASSERT_TRUE(
      Fetch(Reply(200, PageJson({{"n1", "Ravi", ""}}, true, "c1")), &page)
          .ok());
  EXPECT_EQ(page.nodes.size(), 1u);
  EXPECT_TRUE(page.has_next_page);
  EXPECT_EQ(page.end_cursor, "c1");
  ASSERT_TRUE(Fetch(Reply(200, PageJson({}, false, "")), &page).ok());
  const auto usage = gate_.Usage();
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[0].family, kCrmApi);
  EXPECT_EQ(usage[0].used, 2);
  ASSERT_EQ(reported_.size(), 2u);
  EXPECT_TRUE(reported_[0].ok());
}

TEST_F(CrmClientTest, ClassifiesFailures) {
  MakeClientWith(Options());
  struct Case {
    Canned answer;
    FailureReason reason;
  };
  const std::vector<Case> cases = {
      {Reply(401, R"({"message":"Unauthorized"})"), FailureReason::kAuth},
      {Reply(403, ""), FailureReason::kAuth},
      {Reply(500, "oops"), FailureReason::kHttp},
      {Reply(302, ""), FailureReason::kHttp},
      {Failed(0, false, "Couldn't connect to server"), FailureReason::kHttp},
      {Failed(0, true, "Timeout was reached"), FailureReason::kTimeout},
      {Reply(200,
             R"({"errors":[{"message":"bad"}],"data":{"calls":{"edges":[]}}})"),
       FailureReason::kGraphql},
      {Reply(200, "<html>"), FailureReason::kParse},
      {Reply(200, R"({"data":{}})"), FailureReason::kParse},
  };
  for (const Case& c : cases) {
    Page page;
    page.nodes.push_back({"stale", "x", std::nullopt});
    const Outcome outcome = Fetch(c.answer, &page);
    ASSERT_TRUE(outcome.failure.has_value()) << c.answer.body;
    EXPECT_EQ(outcome.failure->reason, c.reason) << c.answer.body;
    EXPECT_THAT(outcome.failure->message, Not(HasSubstr("s3cret")));
    EXPECT_THAT(page.nodes, IsEmpty()) << c.answer.body;
    ASSERT_TRUE(reported_.back().failure.has_value());
    EXPECT_EQ(reported_.back().failure->reason, c.reason);
  }
  EXPECT_EQ(reported_.size(), cases.size());
}

TEST_F(CrmClientTest, RateLimitedBlocksTheFamilyForAWindow) {
  MakeClientWith(Options());
  Page page;
  const Outcome outcome = Fetch(Reply(429, ""), &page);
  ASSERT_TRUE(outcome.failure.has_value());
  EXPECT_EQ(outcome.failure->reason, FailureReason::kRateLimited);
  EXPECT_GE(gate_.NextAllowed(kCrmApi), clock_.Now() + Seconds(60));
}

TEST_F(CrmClientTest, RetryAfterIsHonouredWhenGiven) {
  test::FakeGate gate;
  auto transport = std::make_unique<test::FakeTransport>();
  Canned limited = Reply(429, "");
  limited.retry_after = Seconds(300);
  transport->Enqueue(limited);
  client_ = MakeClient(Options(), std::move(transport), gate);
  Page page;
  const Outcome outcome = client_->FetchPage(Request(), &page);
  ASSERT_TRUE(outcome.failure.has_value());
  EXPECT_EQ(outcome.failure->retry_after, Seconds(300));
  EXPECT_THAT(gate.rate_limited(), ElementsAre(kCrmApi));
  EXPECT_THAT(gate.retry_afters(),
              ElementsAre(std::optional<Seconds>(Seconds(300))));
}

TEST_F(CrmClientTest, OversizedBodyIsAParseFailure) {
  ClientOptions options = Options();
  options.max_body_bytes = 16;
  MakeClientWith(options);
  Page page;
  const Outcome outcome =
      Fetch(Reply(200, PageJson({{"1", "A", ""}}, false, ""), 4), &page);
  ASSERT_TRUE(outcome.failure.has_value());
  EXPECT_EQ(outcome.failure->reason, FailureReason::kParse);
  EXPECT_THAT(outcome.failure->message, HasSubstr("larger than 16 bytes"));
}

TEST_F(CrmClientTest, ShutdownSendsNothing) {
  MakeClientWith(Options());
  stop_.Stop();
  Page page;
  const Outcome outcome = Fetch(Reply(200, PageJson({}, false, "")), &page);
  EXPECT_TRUE(outcome.cancelled);
  EXPECT_THAT(transport_->calls(), IsEmpty());
  EXPECT_THAT(reported_, IsEmpty());
}

TEST_F(CrmClientTest, AnUnrecordableRequestIsNotSent) {
  test::FakeGate gate;
  gate.set_admission(core::Admission::kUnrecorded);
  auto transport = std::make_unique<test::FakeTransport>();
  test::FakeTransport* fake = transport.get();
  client_ = MakeClient(Options(), std::move(transport), gate);
  Page page;
  const Outcome outcome = client_->FetchPage(Request(), &page);
  EXPECT_TRUE(outcome.unrecorded);
  EXPECT_FALSE(outcome.ok());
  EXPECT_THAT(fake->calls(), IsEmpty());
}

TEST(CrmFailureReasonTest, Names) {
  EXPECT_EQ(FailureReasonName(FailureReason::kGraphql), "graphql");
  EXPECT_EQ(FailureReasonName(FailureReason::kRateLimited), "rate_limited");
  EXPECT_THAT(FailureReasonNames(),
              ElementsAre("http", "timeout", "auth", "parse", "graphql",
                          "rate_limited"));
}

}  // namespace
}  // namespace callcenter::crm
