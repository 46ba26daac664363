// Every documented error body (§2.3, §4.3, §6, §7, §10) classified to the
// right failure reason, through the real client over a fake transport.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "ozonetel/client.h"
#include "ozonetel/detail/response.h"
#include "testing/fake_gate.h"
#include "testing/fake_transport.h"

namespace callcenter::ozonetel {
namespace {

using test::FakeGate;
using test::FakeTransport;
using test::Reply;

enum class Endpoint { kCdr, kSummary, kAgentAht, kCampaignAht, kToken };

struct ErrorCase {
  const char* name;
  Endpoint endpoint;
  int http_status;
  const char* body;
  FailureReason expected;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class ErrorBodyTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ErrorBodyTest, ClassifiedAsDocumented) {
  const ErrorCase& c = GetParam();
  FakeGate gate;
  FakeClock clock(FromUnixSeconds(1'772'000'000));
  ClientOptions options;
  options.base_url = "http://ozonetel.test";
  options.user_name = "acme";
  options.api_key = "secret-key";
  if (c.endpoint == Endpoint::kToken)
    options.auth = ClientOptions::Auth::kToken;
  auto owned = std::make_unique<FakeTransport>();
  FakeTransport* fake = owned.get();
  fake->Enqueue(Reply(c.http_status, c.body, 3));
  std::unique_ptr<Api> api = MakeClient(options, std::move(owned), gate, clock);

  Outcome outcome;
  std::vector<SummaryRow> rows;
  int invalid_fields = 0;
  AhtValue aht;
  switch (c.endpoint) {
    case Endpoint::kCdr:
    case Endpoint::kToken:
      outcome = api->FetchCdrs({"2026-03-02 00:00:00", "2026-03-02 23:59:59"},
                               [](CdrRecord&&) { return true; });
      break;
    case Endpoint::kSummary:
      outcome =
          api->FetchSummary({"2026-03-02 00:00:00", "2026-03-02 23:59:59", {}},
                            &rows, &invalid_fields);
      break;
    case Endpoint::kAgentAht:
      outcome = api->FetchAgentAht("agent01", &aht);
      break;
    case Endpoint::kCampaignAht:
      outcome = api->FetchCampaignAht("Inbound_Main", &aht);
      break;
  }
  ASSERT_TRUE(outcome.failure.has_value());
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(FailureReasonName(outcome.failure->reason),
            FailureReasonName(c.expected));
  EXPECT_EQ(outcome.failure->http_status, c.http_status);
  EXPECT_EQ(outcome.failure->message.find("secret-key"), std::string::npos);
  // No retries, except a token failure never reaches the real request.
  EXPECT_EQ(fake->calls().size(), 1u);
  const bool rate_limited = c.expected == FailureReason::kRateLimited;
  EXPECT_EQ(gate.rate_limited().size(), rate_limited ? 1u : 0u);
}

constexpr FailureReason kAuth = FailureReason::kAuth;
constexpr FailureReason kHttp = FailureReason::kHttp;
constexpr FailureReason kRate = FailureReason::kRateLimited;
constexpr FailureReason kParse = FailureReason::kParse;

const ErrorCase kCases[] = {
    // §4.3 fetchCDRDetails.
    {"cdr_token_expired_api_key_mode", Endpoint::kCdr, 200,
     R"({"status":"false","message":"Token Expired","data":null})", kAuth},
    {"cdr_missing_user_or_key", Endpoint::kCdr, 401,
     R"({"status":"false","message":"Missing userName or apiKey"})", kAuth},
    {"cdr_missing_user_or_key_200", Endpoint::kCdr, 200,
     R"({"status":"false","message":"Missing userName or apiKey"})", kAuth},
    {"cdr_invalid_user_or_key", Endpoint::kCdr, 200,
     R"({"status":"false","message":"userName or apiKey is Invalid"})", kAuth},
    {"cdr_missing_dates", Endpoint::kCdr, 200,
     R"({"message":"Missing fromDate and toDate","status":"fail"})", kHttp},
    {"cdr_bad_date_format", Endpoint::kCdr, 200,
     R"({"message":"Invalid fromDate format. Please pass the date in the format yyyy-MM-dd HH:mm:ss","status":"fail"})",
     kHttp},
    {"cdr_invalid_campaign", Endpoint::kCdr, 200,
     R"({"message":"Invalid campaignName","status":"fail"})", kHttp},
    {"cdr_future_dates", Endpoint::kCdr, 200,
     R"({"message":"fromDate and toDate should not be future dates","status":"fail"})",
     kHttp},
    {"cdr_range_over_one_day", Endpoint::kCdr, 200,
     R"({"message":"fromDate and toDate should be same date","status":"fail"})",
     kHttp},
    {"cdr_query_string", Endpoint::kCdr, 200,
     R"({"status":"false","message":"Invalid Json Pass Valid Json"})", kHttp},
    {"cdr_rate_limited_429", Endpoint::kCdr, 429,
     R"({"status":"error","message":"max limit exceeded"})", kRate},
    {"cdr_rate_limited_429_no_body", Endpoint::kCdr, 429, "", kRate},
    {"cdr_rate_limited_200", Endpoint::kCdr, 200,
     R"({"status":"error","message":"max limit exceeded"})", kRate},
    {"cdr_rate_limited_plain_text", Endpoint::kCdr, 503,
     "Max Limit Exceeded, try later", kRate},
    {"cdr_post_rejected", Endpoint::kCdr, 405, "405", kHttp},
    {"cdr_server_error_html", Endpoint::kCdr, 502,
     "<html><body>Bad Gateway</body></html>", kHttp},
    {"cdr_forbidden", Endpoint::kCdr, 403, "", kAuth},
    {"cdr_truncated", Endpoint::kCdr, 200,
     R"({"status":"success","details":[{"CallID":1},{"Call)", kParse},
    {"cdr_no_status_no_details", Endpoint::kCdr, 200, R"({"foo":1})", kParse},
    {"cdr_unknown_status", Endpoint::kCdr, 200,
     R"({"status":"pending","message":"try again"})", kHttp},
    // §6 summaryReport.
    {"summary_invalid_key", Endpoint::kSummary, 200,
     R"({"status":"error","message":"userName or apiKey is Invalid"})", kAuth},
    {"summary_empty_key", Endpoint::kSummary, 200,
     R"({"status":"error","message":"apiKey should not be empty"})", kAuth},
    {"summary_empty_user", Endpoint::kSummary, 200,
     R"({"status":"error","message":"userName should not be empty"})", kAuth},
    {"summary_date_format", Endpoint::kSummary, 200,
     R"({"status":"error","message":"From and To Date should be in yyyy-mm-dd HH:mm:ss Format"})",
     kHttp},
    {"summary_from_after_to", Endpoint::kSummary, 200,
     R"({"status":"error","message":"From Date Should not be Greater than To Date"})",
     kHttp},
    {"summary_over_30_days", Endpoint::kSummary, 200,
     R"({"status":"error","message":"Difference Between From and To Date should not be Greater than 30 Days"})",
     kHttp},
    {"summary_mode_type", Endpoint::kSummary, 200,
     R"({"status":"error","message":"Mode Type is Invalid"})", kHttp},
    {"summary_agent_invalid", Endpoint::kSummary, 200,
     R"({"status":"error","message":"agentId is Invalid"})", kHttp},
    {"summary_rate_limited", Endpoint::kSummary, 429,
     R"({"status":"error","message":"max limit exceeded"})", kRate},
    {"summary_malformed", Endpoint::kSummary, 200,
     R"({"status":"success","message":[{"AgentName":"a")", kParse},
    // §7 aht.
    {"aht_empty_user", Endpoint::kAgentAht, 200,
     R"({"status":"error","message":"userName should not be empty"})", kAuth},
    {"aht_empty_key", Endpoint::kAgentAht, 200,
     R"({"status":"error","message":"apiKey should not be empty"})", kAuth},
    {"aht_both_passed", Endpoint::kAgentAht, 200,
     R"({"status":"error","message":"Both agentId and campaignName cannot be passed at a time"})",
     kHttp},
    {"aht_both_empty", Endpoint::kCampaignAht, 200,
     R"({"status":"error","message":"Both agentId and campaignName cannot be empty"})",
     kHttp},
    {"aht_invalid_key", Endpoint::kAgentAht, 200,
     R"({"status":"error","message":"userName or apiKey is Invalid"})", kAuth},
    {"aht_agent_invalid", Endpoint::kAgentAht, 200,
     R"({"status":"error","message":"agentId is Invalid"})", kHttp},
    {"aht_campaign_invalid", Endpoint::kCampaignAht, 200,
     R"({"status":"error","message":"campaignName is Invalid"})", kHttp},
    {"aht_max_limit", Endpoint::kAgentAht, 200,
     R"({"status":"error","message":"max limit exceeded"})", kRate},
    {"aht_max_limit_capitalised", Endpoint::kCampaignAht, 200,
     R"({"message":"Max limit exceeded","status":"error"})", kRate},
    {"aht_only_one_hit", Endpoint::kAgentAht, 200,
     R"({"status":"error","message":"only 1 hit will be allowed within a time frame of 5mins"})",
     kRate},
    {"aht_missing_value", Endpoint::kAgentAht, 200,
     R"({"status":"success","message":{"AgentID":"agent01","AgentName":"A"}})",
     kParse},
    // §2.3 generateToken (token mode, the first request is the generation).
    {"token_user_null", Endpoint::kToken, 200,
     R"({"status":"false","message":"UserName is null","data":null})", kAuth},
    {"token_invalid_user_or_key", Endpoint::kToken, 200,
     R"({"status":"false","message":"Invalid userName or apiKey","data":null})",
     kAuth},
    {"token_bad_key_401", Endpoint::kToken, 401, "", kAuth},
    {"token_over_cap", Endpoint::kToken, 429,
     R"({"status":"false","message":"max limit exceeded","data":null})", kRate},
    {"token_empty", Endpoint::kToken, 200, R"({"token":"","message":""})",
     kParse},
    {"token_success_without_token", Endpoint::kToken, 200,
     R"({"status":"success","message":""})", kParse},
};

INSTANTIATE_TEST_SUITE_P(Documented, ErrorBodyTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return info.param.name; });

TEST(ClassifyTest, TimeoutAndConnectionErrors) {
  detail::Exchange timeout;
  timeout.http.timed_out = true;
  timeout.http.error = "Operation timed out after 30000 milliseconds";
  auto classified = detail::Classify(timeout, {"max limit exceeded"});
  ASSERT_TRUE(classified.failure);
  EXPECT_EQ(classified.failure->reason, FailureReason::kTimeout);

  detail::Exchange refused;
  refused.http.error =
      "Failed to connect to localhost port 1: Connection refused";
  classified = detail::Classify(refused, {});
  ASSERT_TRUE(classified.failure);
  EXPECT_EQ(classified.failure->reason, FailureReason::kHttp);
  EXPECT_EQ(classified.failure->message, refused.http.error);
}

TEST(ClassifyTest, OwnAbortIsExplainedByTheParseError) {
  detail::Exchange exchange;
  exchange.http.status = 200;
  exchange.http.error = "aborted by callback";
  exchange.aborted_by_reader = true;
  exchange.body.envelope.root_is_object = true;
  exchange.body.parse_error = "invalid JSON";
  auto classified = detail::Classify(exchange, {});
  ASSERT_TRUE(classified.failure);
  EXPECT_EQ(classified.failure->reason, FailureReason::kParse);
}

TEST(ClassifyTest, TokenExpiredIsFlagged) {
  detail::Exchange exchange;
  exchange.http.status = 200;
  exchange.body.envelope.root_is_object = true;
  exchange.body.envelope.status = detail::Envelope::Status::kFailure;
  exchange.body.envelope.message = "Token Expired";
  auto classified = detail::Classify(exchange, {});
  EXPECT_TRUE(classified.token_expired);
  ASSERT_TRUE(classified.failure);
  EXPECT_EQ(classified.failure->reason, FailureReason::kAuth);
}

TEST(ClassifyTest, RateLimitPatternsAreConfigurable) {
  detail::Exchange exchange;
  exchange.http.status = 200;
  exchange.body.envelope.root_is_object = true;
  exchange.body.envelope.status = detail::Envelope::Status::kFailure;
  exchange.body.envelope.message = "Quota Reached for today";
  EXPECT_EQ(detail::Classify(exchange, {"quota reached"}).failure->reason,
            FailureReason::kRateLimited);
  EXPECT_EQ(detail::Classify(exchange, {"max limit exceeded"}).failure->reason,
            FailureReason::kHttp);
}

// A garbled daily total is not a failed request: the row keeps the total
// unknown (-1) and the answer counts it as an invalid field.
TEST(SummaryBodyTest, AGarbledTotalIsAnInvalidFieldNotAFailure) {
  FakeGate gate;
  FakeClock clock(FromUnixSeconds(1'772'000'000));
  ClientOptions options;
  options.base_url = "http://ozonetel.test";
  options.user_name = "acme";
  options.api_key = "secret-key";
  auto transport = std::make_unique<FakeTransport>();
  transport->Enqueue(Reply(
      200,
      R"({"status":"success","message":[{"AgentName":"a","TotalBusyTime":"1:2",)"
      R"("TotalIdleTime":"25:00:00","TotalPauseTime":"00:01:00"}]})"));
  std::unique_ptr<Api> api =
      MakeClient(options, std::move(transport), gate, clock);
  std::vector<SummaryRow> rows;
  int invalid_fields = 0;
  const Outcome outcome =
      api->FetchSummary({"a", "b", {}}, &rows, &invalid_fields);
  EXPECT_TRUE(outcome.ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].busy, -1);
  EXPECT_EQ(rows[0].idle, -1);  // more than a day
  EXPECT_EQ(rows[0].pause, 60);
  EXPECT_EQ(invalid_fields, 2);
}

TEST(ClassifyTest, RetryAfterIsPassedOnWithTheRateLimit) {
  detail::Exchange exchange;
  exchange.http.status = 429;
  exchange.http.retry_after = Seconds(42);
  const auto classified = detail::Classify(exchange, {});
  EXPECT_TRUE(classified.rate_limited);
  ASSERT_TRUE(classified.failure);
  EXPECT_EQ(classified.failure->retry_after, Seconds(42));
  EXPECT_EQ(classified.failure->message, "HTTP 429");
}

TEST(ClassifyTest, NoDataIsSuccessAtAnyStatusButRateLimitsWin) {
  detail::Exchange exchange;
  exchange.http.status = 404;
  exchange.body.no_data = true;
  EXPECT_FALSE(detail::Classify(exchange, {}).failure);
  exchange.http.status = 429;
  EXPECT_TRUE(detail::Classify(exchange, {}).rate_limited);
}

TEST(StatusFromTextTest, EverySpelling) {
  using Status = detail::Envelope::Status;
  for (const char* ok : {"success", "SUCCESS", "true", "True"}) {
    EXPECT_EQ(detail::StatusFromText(ok), Status::kSuccess) << ok;
  }
  for (const char* bad : {"false", "fail", "Failure", "ERROR"}) {
    EXPECT_EQ(detail::StatusFromText(bad), Status::kFailure) << bad;
  }
  for (const char* other : {"", "pending", "ok", "successful"}) {
    EXPECT_EQ(detail::StatusFromText(other), Status::kUnknown) << other;
  }
}

TEST(FailureReasonTest, Names) {
  EXPECT_EQ(FailureReasonName(FailureReason::kRateLimited), "rate_limited");
  EXPECT_EQ(FailureReasonName(FailureReason::kHttp), "http");
  EXPECT_EQ(FailureReasonName(FailureReason::kTimeout), "timeout");
  EXPECT_EQ(FailureReasonName(FailureReason::kAuth), "auth");
  EXPECT_EQ(FailureReasonName(FailureReason::kParse), "parse");
  EXPECT_THAT(FailureReasonNames(),
              ::testing::UnorderedElementsAre("rate_limited", "http", "timeout",
                                              "auth", "parse"));
}

}  // namespace
}  // namespace callcenter::ozonetel
