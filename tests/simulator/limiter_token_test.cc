#include <gtest/gtest.h>

#include "ozonetel_sim/rate_limiter.h"
#include "ozonetel_sim/token_store.h"
#include "sim_test_util.h"

namespace callcenter::sim {
namespace {

using testing::MakeRequest;
using testing::Parse;
using testing::SimFixture;
using testing::WithApiKey;

const TimePoint kT0 = FromUnixSeconds(1772400000);

TEST(SlidingWindowLimiterTest, AdmitsExactlyLimitPerWindow) {
  SlidingWindowLimiter limiter(2, Seconds(60));
  EXPECT_TRUE(limiter.TryAdmit(kT0));
  EXPECT_TRUE(limiter.TryAdmit(kT0 + Seconds(10)));
  EXPECT_FALSE(limiter.TryAdmit(kT0 + Seconds(20)));
  EXPECT_EQ(limiter.RetryAfterSeconds(kT0 + Seconds(20)), 40);
  EXPECT_FALSE(limiter.TryAdmit(kT0 + Seconds(59)));
  // The first admission leaves the window exactly 60 s later.
  EXPECT_TRUE(limiter.TryAdmit(kT0 + Seconds(60)));
  EXPECT_FALSE(limiter.TryAdmit(kT0 + Seconds(69)));
  EXPECT_TRUE(limiter.TryAdmit(kT0 + Seconds(70)));
}

TEST(SlidingWindowLimiterTest, RefusedRequestsDoNotExtendTheLockout) {
  SlidingWindowLimiter limiter(1, Seconds(60));
  EXPECT_TRUE(limiter.TryAdmit(kT0));
  for (int s = 1; s < 60; ++s) EXPECT_FALSE(limiter.TryAdmit(kT0 + Seconds(s)));
  EXPECT_TRUE(limiter.TryAdmit(kT0 + Seconds(60)));
}

TEST(RateLimitsTest, CountsViolationsPerFamily) {
  SimOptions options;
  options.limit_summary = 5;
  RateLimits limits(options);
  int admitted = 0;
  for (int i = 0; i < 8; ++i) {
    limits.CountRequest(Family::kSummary);
    admitted += limits.TryAdmit(Family::kSummary, kT0).admitted;
  }
  EXPECT_EQ(admitted, 5);
  EXPECT_EQ(limits.Requests()[static_cast<int>(Family::kSummary)], 8);
  EXPECT_EQ(limits.Violations()[static_cast<int>(Family::kSummary)], 3);
  EXPECT_EQ(limits.Violations()[static_cast<int>(Family::kCdr)], 0);
  // graphql has no limit.
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(limits.TryAdmit(Family::kGraphql, kT0).admitted);
  }
}

TEST(TokenStoreTest, NewTokenInvalidatesOldAndTokensExpire) {
  TokenStore store(1);
  const std::string first = store.Issue("demo", kT0);
  EXPECT_TRUE(store.IsValid(first, kT0 + Seconds(10)));
  const std::string second = store.Issue("demo", kT0 + Seconds(20));
  EXPECT_NE(first, second);
  EXPECT_FALSE(store.IsValid(first, kT0 + Seconds(21)));
  EXPECT_TRUE(store.IsValid(second, kT0 + Seconds(21)));
  EXPECT_TRUE(store.IsValid(second, kT0 + Seconds(20 + 3599)));
  EXPECT_FALSE(store.IsValid(second, kT0 + Seconds(20 + 3600)));
  EXPECT_FALSE(store.IsValid("", kT0));
  EXPECT_EQ(second.substr(0, 20), "eyJhbGciOiJIUzUxMiJ9");
}

class TokenEndpointTest : public SimFixture {
 protected:
  void SetUp() override {
    SimOptions options = RelaxedOptions();
    options.auth = AuthMode::kToken;
    Start(options);
  }

  HttpResponse Generate(
      const std::string& path = "/ca_apis/CAToken/generateToken",
      const std::string& body = "{\"userName\":\"demo\"}") {
    return sim_->Handle(WithApiKey(MakeRequest("POST", path, body)));
  }

  HttpResponse FetchWithBearer(const std::string& token) {
    HttpRequest request = MakeRequest(
        "GET", "/ca_reports/fetchCDRDetails",
        testing::CdrBody("2026-03-02 00:00:00", "2026-03-02 12:00:00"));
    request.headers["authorization"] = "Bearer " + token;
    return sim_->Handle(request);
  }
};

TEST_F(TokenEndpointTest, IssuesTokensOnCaseInsensitivePath) {
  HttpResponse response = Generate("/CA_APIS/catoken/GENERATETOKEN");
  ASSERT_EQ(response.status, 200);
  auto doc = Parse(response.body);
  EXPECT_GT(doc["token"].GetStringLength(), 40u);
  EXPECT_STREQ(doc["message"].GetString(), "");
  EXPECT_EQ(sim_->Handle(WithApiKey(MakeRequest(
                             "GET", "/ca_apis/CAToken/generateToken",
                             "{\"userName\":\"demo\"}")))
                .status,
            405);
}

TEST_F(TokenEndpointTest, ErrorBodies) {
  HttpResponse no_user = Generate("/ca_apis/CAToken/generateToken", "{}");
  EXPECT_EQ(no_user.body,
            R"({"status":"false","message":"UserName is null","data":null})");
  HttpResponse bad_user =
      Generate("/ca_apis/CAToken/generateToken", "{\"userName\":\"x\"}");
  EXPECT_EQ(
      bad_user.body,
      R"({"status":"false","message":"Invalid userName or apiKey","data":null})");
  HttpResponse bad_key = sim_->Handle(
      WithApiKey(MakeRequest("POST", "/ca_apis/CAToken/generateToken",
                             "{\"userName\":\"demo\"}"),
                 "wrong"));
  EXPECT_EQ(bad_key.status, 401);
}

TEST_F(TokenEndpointTest, TenPerHourThenMaxLimitExceeded) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(Generate().status, 200) << i;
    clock_->Advance(Seconds(60));
  }
  HttpResponse refused = Generate();
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.body,
            R"({"status":"false","message":"max limit exceeded","data":null})");
  // Invalid requests are not generations and do not count.
  EXPECT_EQ(Generate("/ca_apis/CAToken/generateToken", "{}").status, 200);
  clock_->Advance(Seconds(3000));  // the first generation leaves the hour
  EXPECT_EQ(Generate().status, 200);
  EXPECT_NE(sim_->Handle(MakeRequest("GET", "/_sim/stats"))
                .body.find("\"violations\":{\"token\":1"),
            std::string::npos);
}

TEST_F(TokenEndpointTest, OnlyTheCurrentUnexpiredTokenAuthenticates) {
  const std::string first = Parse(Generate().body)["token"].GetString();
  EXPECT_EQ(FetchWithBearer(first).status, 200);
  const std::string second = Parse(Generate().body)["token"].GetString();
  HttpResponse stale = FetchWithBearer(first);
  EXPECT_EQ(stale.status, 401);
  EXPECT_EQ(stale.body,
            R"({"status":"false","message":"Token Expired","data":null})");
  EXPECT_EQ(FetchWithBearer(second).status, 200);
  clock_->Advance(Seconds(3600));
  EXPECT_EQ(Parse(FetchWithBearer(second).body)["message"].GetString(),
            std::string("Token Expired"));
  // A token account does not take apiKey alone.
  HttpResponse api_key_only =
      Get("/ca_reports/fetchCDRDetails",
          testing::CdrBody("2026-03-02 00:00:00", "2026-03-02 12:00:00"));
  EXPECT_EQ(api_key_only.status, 401);
  EXPECT_EQ(api_key_only.body,
            R"({"status":"false","message":"Missing userName or apiKey"})");
}

}  // namespace
}  // namespace callcenter::sim
