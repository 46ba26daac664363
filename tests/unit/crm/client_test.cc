#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <sstream>

#include "callcenter/common/timeutil.h"
#include "callcenter/crm/api.h"
#include "callcenter/rate_budget.h"
#include "fake_transport.h"

namespace callcenter::crm {
namespace {

using testing::Canned;
using testing::FakeTransport;
using ::testing::HasSubstr;
using testing::HeaderValue;
using ::testing::Not;
using testing::PageJson;

class CrmClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gate_.AddFamily(ApiFamily::kCrm, 6, Seconds(60), Seconds(0));
  }

  void MakeClientWith(CrmConfig config) {
    auto transport = std::make_unique<FakeTransport>(clock_, Seconds(10));
    transport_ = transport.get();
    client_ = MakeClient(ToClientOptions(config), std::move(transport), gate_);
    client_->on_request = [this](const Outcome& outcome) {
      reported_.push_back(outcome);
    };
  }

  static CrmConfig Config() {
    CrmConfig config;
    config.url = "http://crm.test/graphql";
    config.api_key = "s3cret-key";
    config.query = "query Custom($from: DateTime!) { calls { totalCount } }";
    config.page_size = 50;
    config.request_timeout = std::chrono::milliseconds(1500);
    return config;
  }

  PageRequest Request(std::optional<std::string> after = std::nullopt) const {
    return {*ParseRfc3339("2026-03-01T18:30:00Z"),
            *ParseRfc3339("2026-03-02T04:59:55Z"), std::move(after)};
  }

  Outcome Fetch(Canned answer, Page* page) {
    transport_->answers.push_back(std::move(answer));
    return client_->FetchPage(Request(), page);
  }

  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kDebug};
  FakeClock clock_{*ParseRfc3339("2026-03-02T05:00:00Z")};
  StopSignal stop_;
  BudgetGate gate_{clock_, stop_, logger_, ""};
  FakeTransport* transport_ = nullptr;
  std::unique_ptr<Api> client_;
  std::vector<Outcome> reported_;
};

TEST_F(CrmClientTest, RequestCarriesConfiguredQueryVariablesAndBearer) {
  MakeClientWith(Config());
  transport_->answers.push_back({200, PageJson({}, false, "")});
  transport_->answers.push_back({200, PageJson({}, false, "")});
  Page page;
  ASSERT_TRUE(client_->FetchPage(Request(), &page).ok());
  ASSERT_TRUE(client_->FetchPage(Request("Y3Vyc29yMQ=="), &page).ok());

  ASSERT_EQ(transport_->calls.size(), 2u);
  const ozonetel::HttpCall& call = transport_->calls[0];
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.url, "http://crm.test/graphql");
  EXPECT_EQ(call.timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(HeaderValue(call, "Authorization"), "Bearer s3cret-key");
  EXPECT_EQ(HeaderValue(call, "Content-Type"), "application/json");
  rapidjson::Document body;
  body.Parse(call.body.c_str());
  ASSERT_FALSE(body.HasParseError()) << call.body;
  EXPECT_EQ(body["query"].GetString(), Config().query);
  const auto& vars = body["variables"];
  EXPECT_STREQ(vars["from"].GetString(), "2026-03-01T18:30:00Z");
  EXPECT_STREQ(vars["to"].GetString(), "2026-03-02T04:59:55Z");
  EXPECT_TRUE(vars["after"].IsNull());
  EXPECT_EQ(vars["first"].GetInt(), 50);

  body.Parse(transport_->calls[1].body.c_str());
  EXPECT_STREQ(body["variables"]["after"].GetString(), "Y3Vyc29yMQ==");
}

TEST_F(CrmClientTest, DefaultQueryIsSentWhenTheConfigHasNone) {
  CrmConfig config = Config();
  config.query.clear();
  MakeClientWith(config);
  Page page;
  ASSERT_TRUE(Fetch({200, PageJson({}, false, "")}, &page).ok());
  rapidjson::Document body;
  body.Parse(transport_->calls[0].body.c_str());
  EXPECT_STREQ(body["query"].GetString(), kDefaultCrmQuery);
}

TEST_F(CrmClientTest, EveryRequestDrawsFromTheGateAndIsReported) {
  MakeClientWith(Config());
  Page page;
  ASSERT_TRUE(Fetch({200, PageJson({}, true, "c1")}, &page).ok());
  ASSERT_TRUE(Fetch({200, PageJson({}, false, "")}, &page).ok());
  const auto usage = gate_.Usage();
  ASSERT_EQ(usage.size(), 1u);
  EXPECT_EQ(usage[0].used, 2);
  ASSERT_EQ(reported_.size(), 2u);
  EXPECT_TRUE(reported_[0].ok());
}

TEST_F(CrmClientTest, ClassifiesFailures) {
  MakeClientWith(Config());
  struct Case {
    Canned answer;
    FailureReason reason;
  };
  const std::vector<Case> cases = {
      {{401, R"({"message":"Unauthorized"})"}, FailureReason::kAuth},
      {{403, ""}, FailureReason::kAuth},
      {{500, "oops"}, FailureReason::kHttp},
      {{0, "", false, "Couldn't connect to server"}, FailureReason::kHttp},
      {{0, "", true, "Timeout was reached"}, FailureReason::kTimeout},
      {{200, R"({"errors":[{"message":"bad"}],"data":{"calls":{"edges":[]}}})"},
       FailureReason::kGraphql},
      {{200, "<html>"}, FailureReason::kParse},
      {{200, R"({"data":{}})"}, FailureReason::kParse},
  };
  for (const Case& c : cases) {
    Page page;
    const Outcome outcome = Fetch(c.answer, &page);
    ASSERT_TRUE(outcome.failure.has_value()) << c.answer.body;
    EXPECT_EQ(outcome.failure->reason, c.reason) << c.answer.body;
    EXPECT_THAT(outcome.failure->message, Not(HasSubstr("s3cret")));
    ASSERT_TRUE(reported_.back().failure.has_value());
    EXPECT_EQ(reported_.back().failure->reason, c.reason);
  }
  EXPECT_EQ(reported_.size(), cases.size());
}

TEST_F(CrmClientTest, RateLimitedBlocksTheFamilyForAWindow) {
  MakeClientWith(Config());
  Page page;
  const Outcome outcome = Fetch({429, ""}, &page);
  ASSERT_TRUE(outcome.failure.has_value());
  EXPECT_EQ(outcome.failure->reason, FailureReason::kRateLimited);
  EXPECT_GE(gate_.NextAllowed(ApiFamily::kCrm), clock_.Now() + Seconds(60));
}

TEST_F(CrmClientTest, OversizedBodyIsAParseFailure) {
  ClientOptions options = ToClientOptions(Config());
  options.max_body_bytes = 16;
  auto transport = std::make_unique<FakeTransport>(clock_, Seconds(10));
  transport->answers.push_back({200, PageJson({{"1", "A", ""}}, false, "")});
  client_ = MakeClient(options, std::move(transport), gate_);
  Page page;
  const Outcome outcome = client_->FetchPage(Request(), &page);
  ASSERT_TRUE(outcome.failure.has_value());
  EXPECT_EQ(outcome.failure->reason, FailureReason::kParse);
}

TEST_F(CrmClientTest, ShutdownSendsNothing) {
  MakeClientWith(Config());
  stop_.Stop();
  Page page;
  const Outcome outcome = Fetch({200, PageJson({}, false, "")}, &page);
  EXPECT_TRUE(outcome.cancelled);
  EXPECT_TRUE(transport_->calls.empty());
  EXPECT_TRUE(reported_.empty());
}

}  // namespace
}  // namespace callcenter::crm
