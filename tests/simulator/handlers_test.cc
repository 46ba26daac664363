#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "sim_test_util.h"

namespace callcenter::sim {
namespace {

using testing::CdrBody;
using testing::MakeRequest;
using testing::Parse;
using testing::SimFixture;
using testing::TestDate;
using testing::WithApiKey;

constexpr char kDetails[] = "/ca_reports/fetchCDRDetails";
constexpr char kSummary[] = "/ca_reports/summaryReport";

class CdrEndpointTest : public SimFixture {};

TEST_F(CdrEndpointTest, PostIsABare405) {
  HttpResponse response =
      Post(kDetails, CdrBody("2026-03-02 00:00:00", "2026-03-02 12:00:00"));
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.body, "");
}

TEST_F(CdrEndpointTest, QueryStringFieldsAreInvalidJson) {
  HttpResponse response =
      Get(kDetails, "", "fromDate=2026-03-02%2000:00:00&userName=demo");
  EXPECT_EQ(response.body,
            R"({"status":"false","message":"Invalid Json Pass Valid Json"})");
  EXPECT_EQ(Get(kDetails, "not json").body, response.body);
}

TEST_F(CdrEndpointTest, DocumentedValidationErrors) {
  EXPECT_EQ(Get(kDetails, R"({"userName":"demo"})").body,
            R"({"message":"Missing fromDate and toDate","status":"fail"})");
  EXPECT_EQ(
      Get(kDetails, CdrBody("2026/03/02 00:00:00", "2026-03-02 12:00:00")).body,
      R"({"message":"Invalid fromDate format. Please pass the date in the format yyyy-MM-dd HH:mm:ss","status":"fail"})");
  EXPECT_EQ(
      Get(kDetails, CdrBody("2026-03-01 00:00:00", "2026-03-02 12:00:00")).body,
      R"({"message":"fromDate and toDate should be same date","status":"fail"})");
  EXPECT_EQ(
      Get(kDetails, CdrBody("2026-03-02 00:00:00", "2026-03-02 14:00:01")).body,
      R"({"message":"fromDate and toDate should not be future dates","status":"fail"})");
  EXPECT_EQ(Get(kDetails, CdrBody("2026-03-02 00:00:00", "2026-03-02 14:00:00"))
                .status,
            200);
  EXPECT_EQ(Get(kDetails, CdrBody("2026-03-02 00:00:00", "2026-03-02 12:00:00",
                                  R"(,"campaignName":"Nope")"))
                .body,
            R"({"message":"Invalid campaignName","status":"fail"})");
}

TEST_F(CdrEndpointTest, FutureDatesAllowedWhenSwitchedOff) {
  SimOptions options = RelaxedOptions();
  options.reject_future = false;
  Start(options);
  auto doc =
      Parse(Get(kDetails, CdrBody("2026-03-02 00:00:00", "2026-03-02 23:59:59"))
                .body);
  EXPECT_STREQ(doc["status"].GetString(), "success");
  EXPECT_GT(doc["details"].Size(), 0u);
}

TEST_F(CdrEndpointTest, AuthFailures) {
  const std::string body =
      CdrBody("2026-03-02 00:00:00", "2026-03-02 12:00:00");
  HttpRequest bearer = WithApiKey(MakeRequest("GET", kDetails, body));
  bearer.headers["authorization"] = "Bearer abc";
  HttpResponse response = sim_->Handle(bearer);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.body,
            R"({"status":"false","message":"Missing userName or apiKey"})");
  EXPECT_EQ(sim_->Handle(MakeRequest("GET", kDetails, body)).status, 401);
  HttpResponse bad_key =
      sim_->Handle(WithApiKey(MakeRequest("GET", kDetails, body), "x"));
  EXPECT_EQ(bad_key.body,
            R"({"status":"false","message":"userName or apiKey is Invalid"})");
  HttpResponse bad_user = Get(
      kDetails,
      R"({"userName":"other","fromDate":"2026-03-02 00:00:00","toDate":"2026-03-02 12:00:00"})");
  EXPECT_EQ(bad_user.body,
            R"({"status":"false","message":"userName or apiKey is Invalid"})");
}

TEST_F(CdrEndpointTest, RetentionAndVisibility) {
  SetNow("14:00:00", 16);
  auto old =
      Parse(Get(kDetails, CdrBody("2026-03-02 00:00:00", "2026-03-02 23:59:59"))
                .body);
  EXPECT_STREQ(old["status"].GetString(), "success");
  EXPECT_EQ(old["details"].Size(), 0u);
  SetNow("14:00:00", 15);
  auto kept =
      Parse(Get(kDetails, CdrBody("2026-03-02 00:00:00", "2026-03-02 23:59:59"))
                .body);
  EXPECT_GT(kept["details"].Size(), 0u);
  // Only calls that ended by now are visible, filtered on start time.
  SetNow("12:00:00");
  auto doc = FetchDay(TestDate());
  const int64_t now = sim_->NowSeconds();
  auto day = sim_->traffic().Day(TestDate());
  size_t expected = 0;
  for (const Call& call : day->calls) expected += call.end <= now;
  EXPECT_EQ(doc["details"].Size(), expected);
}

TEST_F(CdrEndpointTest, FiltersAndUcidLookup) {
  auto all = FetchDay(TestDate());
  auto answered = Parse(
      Get(kDetails, CdrBody("2026-03-02 00:00:00", "2026-03-02 14:00:00",
                            R"(,"status":"Answered","callType":"progressive")"))
          .body);
  ASSERT_GT(answered["details"].Size(), 0u);
  for (const auto& record : answered["details"].GetArray()) {
    EXPECT_STREQ(record["Type"].GetString(), "Progressive");
    EXPECT_STRCASEEQ(record["Status"].GetString(), "Answered");
  }
  const int64_t ucid = all["details"][5]["UCID"].GetInt64();
  auto one = Parse(Get("/ca_reports/fetchCdrByUCID",
                       CdrBody("2026-03-02 00:00:00", "2026-03-02 14:00:00",
                               ",\"ucid\":" + std::to_string(ucid)))
                       .body);
  ASSERT_EQ(one["details"].Size(), 1u);
  EXPECT_EQ(one["details"][0]["UCID"].GetInt64(), ucid);
}

TEST_F(CdrEndpointTest, PaginationCoversTheDayOnce) {
  auto all = FetchDay(TestDate());
  const std::string body =
      CdrBody("2026-03-02 00:00:00", "2026-03-02 14:00:00");
  std::vector<int64_t> ids;
  for (int page = 1;; ++page) {
    auto doc = Parse(Get("/ca_reports/fetchCdrByPagination", body,
                         "pageNo=" + std::to_string(page) + "&pageSize=50")
                         .body);
    EXPECT_EQ(doc["totalCount"].GetInt64(), all["details"].Size());
    if (doc["details"].Size() == 0) break;
    for (const auto& record : doc["details"].GetArray()) {
      ids.push_back(record["CallID"].GetInt64());
    }
  }
  ASSERT_EQ(ids.size(), all["details"].Size());
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(ids[i], all["details"][i]["CallID"].GetInt64());
  }
  EXPECT_EQ(Get("/ca_reports/fetchCdrByPagination", body, "pageNo=x").body,
            R"({"message":"pageNo should be Numeric only","status":"fail"})");
  EXPECT_EQ(
      Get("/ca_reports/fetchCdrByPagination", body, "pageSize=0").body,
      R"({"message":"pageSize should not be empty or zero","status":"fail"})");
  EXPECT_EQ(Get("/ca_reports/fetchCdrByPagination", body, "userName=demo").body,
            R"({"status":"false","message":"Invalid Json Pass Valid Json"})");
}

class RateLimitTest : public SimFixture {
 protected:
  void SetUp() override { Start(SimOptions()); }
};

TEST_F(RateLimitTest, CdrFamilySharesOneWindow) {
  const std::string body =
      CdrBody("2026-03-02 00:00:00", "2026-03-02 12:00:00");
  EXPECT_EQ(Get(kDetails, body).status, 200);
  EXPECT_EQ(Get("/ca_reports/fetchCdrByPagination", body).status, 200);
  HttpResponse limited = Get(kDetails, body);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.body,
            R"({"status":"error","message":"max limit exceeded"})");
  EXPECT_TRUE(limited.headers.empty());
  // 200 style with Retry-After.
  sim_->Handle(MakeRequest("POST", "/_sim/faults",
                           R"({"rate_limit_style":200,"retry_after":true})"));
  clock_->Advance(Seconds(30));
  HttpResponse styled = Get(kDetails, body);
  EXPECT_EQ(styled.status, 200);
  EXPECT_EQ(styled.body, limited.body);
  ASSERT_EQ(styled.headers.size(), 1u);
  EXPECT_EQ(styled.headers[0].first, "Retry-After");
  EXPECT_EQ(styled.headers[0].second, "30");
  clock_->Advance(Seconds(30));
  EXPECT_EQ(Parse(Get(kDetails, body).body)["status"].GetString(),
            std::string("success"));
  auto stats = Parse(sim_->Handle(MakeRequest("GET", "/_sim/stats")).body);
  EXPECT_EQ(stats["requests"]["cdr"].GetInt64(), 5);
  EXPECT_EQ(stats["violations"]["cdr"].GetInt64(), 2);
  EXPECT_EQ(stats["violations"]["summary"].GetInt64(), 0);
}

TEST_F(RateLimitTest, SummaryAndAhtLimits) {
  const std::string body =
      R"({"userName":"demo","fromDate":"2026-03-02 00:00:00","toDate":"2026-03-02 23:59:59"})";
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Post(kSummary, body).status, 200);
  EXPECT_EQ(Post(kSummary, body).status, 429);
  const std::string aht = R"({"userName":"demo","agentId":"agent01"})";
  for (int i = 0; i < 50; ++i) EXPECT_EQ(Post("/ca_apis/aht", aht).status, 200);
  EXPECT_EQ(Post("/ca_apis/aht", aht).status, 429);
  HttpRequest details =
      WithApiKey(MakeRequest("POST", "/ca_apis/agentdetails", aht));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(sim_->Handle(details).status, 200);
  EXPECT_EQ(sim_->Handle(details).body,
            R"({"message":"Max limit exceeded","status":"error"})");
}

class SummaryTest : public SimFixture {};

TEST_F(SummaryTest, ErrorsAndNoDataFound) {
  auto post = [this](const std::string& extra) {
    return Post(
               kSummary,
               R"({"userName":"demo","fromDate":"2026-03-02 00:00:00","toDate":"2026-03-02 23:59:59")" +
                   extra + "}")
        .body;
  };
  EXPECT_EQ(post(R"(,"agentId":"ghost1,ghost2")"),
            R"({"status":"error","message":"agentId is Invalid"})");
  EXPECT_EQ(post(R"(,"modeType":"teleport")"),
            R"({"status":"error","message":"Mode Type is Invalid"})");
  EXPECT_EQ(
      Post(kSummary,
           R"({"userName":"demo","fromDate":"2026-03-02","toDate":"x"})")
          .body,
      R"({"status":"error","message":"From and To Date should be in yyyy-mm-dd HH:mm:ss Format"})");
  EXPECT_EQ(
      Post(
          kSummary,
          R"({"userName":"demo","fromDate":"2026-03-02 10:00:00","toDate":"2026-03-02 09:00:00"})")
          .body,
      R"({"status":"error","message":"From Date Should not be Greater than To Date"})");
  EXPECT_EQ(
      Post(
          kSummary,
          R"({"userName":"demo","fromDate":"2026-01-01 00:00:00","toDate":"2026-03-02 09:00:00"})")
          .body,
      R"({"status":"error","message":"Difference Between From and To Date should not be Greater than 30 Days"})");
  EXPECT_EQ(
      Post(
          kSummary,
          R"({"fromDate":"2026-03-02 00:00:00","toDate":"2026-03-02 09:00:00"})")
          .body,
      R"({"status":"error","message":"userName should not be empty"})");
  EXPECT_EQ(sim_->Handle(MakeRequest("POST", kSummary, "{}")).body,
            R"({"status":"error","message":"apiKey should not be empty"})");
  // A mixed list only drops the invalid entries.
  auto mixed = Parse(post(R"(,"agentId":"ghost,agent02")"));
  ASSERT_EQ(mixed["message"].Size(), 2u);
  EXPECT_STREQ(mixed["message"][0]["AgentUniqueID"].GetString(), "agent02");
  SetNow("07:00:00");
  EXPECT_EQ(post(""), R"({"status":"error","message":"No Data Found"})");
}

TEST_F(SummaryTest, RowsSumToTruthStateSeconds) {
  for (const char* now : {"09:30:00", "14:00:00", "23:00:00"}) {
    SetNow(now);
    auto doc = Parse(
        Post(
            kSummary,
            R"({"userName":"demo","fromDate":"2026-03-02 00:00:00","toDate":"2026-03-02 23:59:59"})")
            .body);
    Truth truth = sim_->TruthFor(TestDate(), sim_->NowSeconds());
    std::map<std::string, std::map<std::string, int64_t>> sums;
    std::set<std::string> modes;
    for (const auto& row : doc["message"].GetArray()) {
      auto& s = sums[row["AgentUniqueID"].GetString()];
      modes.insert(row["ModeType"].GetString());
      s["login"] += *ParseDuration(row["TotalLoginDuration"].GetString());
      s["busy"] += *ParseDuration(row["TotalBusyTime"].GetString());
      s["idle"] += *ParseDuration(row["TotalIdleTime"].GetString());
      s["pause"] += *ParseDuration(row["TotalPauseTime"].GetString());
      s["wrapup"] += *ParseDuration(row["TotalWrapupTime"].GetString());
      s["dial"] += *ParseDuration(row["TotalDialTime"].GetString());
    }
    EXPECT_EQ(modes, (std::set<std::string>{"Inbound", "Manual"}));
    for (const AgentTruth& agent : truth.agents) {
      const StateTotals& t = agent.states;
      auto& s = sums[agent.id];
      EXPECT_EQ(s["login"], t.login) << agent.id << " at " << now;
      EXPECT_EQ(s["busy"], t.busy[0] + t.busy[1]);
      EXPECT_EQ(s["idle"], t.idle);
      EXPECT_EQ(s["pause"], t.pause);
      EXPECT_EQ(s["wrapup"], t.wrapup[0] + t.wrapup[1]);
      EXPECT_EQ(s["dial"], t.dial[0] + t.dial[1]);
      EXPECT_EQ(t.login, t.idle + t.pause + t.busy[0] + t.busy[1] +
                             t.wrapup[0] + t.wrapup[1] + t.dial[0] + t.dial[1]);
    }
  }
}

TEST_F(SummaryTest, ValuesGrowWithTimeAndEnvelopesSwitch) {
  const std::string body =
      R"({"userName":"demo","fromDate":"2026-03-02 00:00:00","toDate":"2026-03-02 23:59:59","agentId":"agent01","modeType":"inbound"})";
  SetNow("11:00:00");
  auto early = Parse(Post(kSummary, body).body);
  SetNow("12:00:00");
  auto later = Parse(Post(kSummary, body).body);
  ASSERT_EQ(later["message"].Size(), 1u);
  EXPECT_LT(
      *ParseDuration(early["message"][0]["TotalLoginDuration"].GetString()),
      *ParseDuration(later["message"][0]["TotalLoginDuration"].GetString()));
  sim_->Handle(
      MakeRequest("POST", "/_sim/faults", R"({"envelope":"message_object"})"));
  EXPECT_TRUE(Parse(Post(kSummary, body).body)["message"].IsObject());
  sim_->Handle(
      MakeRequest("POST", "/_sim/faults", R"({"envelope":"data_array"})"));
  auto data = Parse(Post(kSummary, body).body);
  EXPECT_TRUE(data["data"].IsArray());
  EXPECT_FALSE(data.HasMember("message"));
}

class AhtTest : public SimFixture {};

TEST_F(AhtTest, ErrorTexts) {
  EXPECT_EQ(
      Post(
          "/ca_apis/aht",
          R"({"userName":"demo","agentId":"agent01","campaignName":"Outbound_Sales"})")
          .body,
      R"({"status":"error","message":"Both agentId and campaignName cannot be passed at a time"})");
  EXPECT_EQ(
      Post("/ca_apis/aht", R"({"userName":"demo"})").body,
      R"({"status":"error","message":"Both agentId and campaignName cannot be empty"})");
  EXPECT_EQ(
      Post("/ca_apis/aht", R"({"userName":"demo","agentId":"ghost"})").body,
      R"({"status":"error","message":"agentId is Invalid"})");
  EXPECT_EQ(
      Post("/ca_apis/aht", R"({"userName":"demo","campaignName":"ghost"})")
          .body,
      R"({"status":"error","message":"campaignName is Invalid"})");
  EXPECT_EQ(Post("/ca_apis/aht", R"({"agentId":"agent01"})").body,
            R"({"status":"error","message":"userName should not be empty"})");
}

TEST_F(AhtTest, MeanHandlingOfAnsweredOutboundInTheLastTwoHours) {
  auto day = sim_->traffic().Day(TestDate());
  for (const char* now : {"07:00:00", "10:00:00", "15:30:00", "23:59:00"}) {
    SetNow(now);
    const int64_t at = sim_->NowSeconds();
    for (int agent = 0; agent < 20; ++agent) {
      int64_t total = 0, calls = 0;
      for (const Call& call : day->calls) {
        if (call.agent == agent && call.answered && !call.inbound() &&
            call.wrap_end >= at - 7200 && call.wrap_end <= at) {
          total += call.handling();
          ++calls;
        }
      }
      const int64_t expected = calls ? total / calls : 0;
      auto doc = Parse(
          Post("/ca_apis/aht", R"({"userName":"demo","agentId":")" +
                                   sim_->account().agents[agent].id + "\"}")
              .body);
      EXPECT_EQ(*ParseDuration(doc["message"]["AHT"].GetString()), expected);
      EXPECT_EQ(sim_->AgentAht(agent, at).seconds, expected);
      auto control = Parse(
          sim_->Handle(MakeRequest("GET", "/_sim/aht", "",
                                   "agent=" + sim_->account().agents[agent].id +
                                       "&at=" + std::to_string(at)))
              .body);
      EXPECT_EQ(control["seconds"].GetInt64(), expected);
    }
  }
  SetNow("07:00:00");
  auto none =
      Parse(Post("/ca_apis/aht",
                 R"({"userName":"demo","campaignName":"Outbound_Sales"})")
                .body);
  EXPECT_STREQ(none["message"]["AHT"].GetString(), "00:00:00");
  EXPECT_STREQ(none["message"]["CampaignName"].GetString(), "Outbound_Sales");
}

class GraphqlTest : public SimFixture {
 protected:
  HttpResponse Query(const std::string& body,
                     const std::string& key = "sim-crm-key") {
    HttpRequest request = MakeRequest("POST", "/graphql", body);
    request.headers["authorization"] = "Bearer " + key;
    return sim_->Handle(request);
  }
};

TEST_F(GraphqlTest, AuthAndQueryErrors) {
  EXPECT_EQ(Query(R"({"query":"{ calls { totalCount } }"})", "wrong").status,
            401);
  HttpResponse bad = Query(R"({"query":"{ people { id } }"})");
  EXPECT_EQ(bad.status, 200);
  EXPECT_TRUE(Parse(bad.body)["errors"].IsArray());
}

TEST_F(GraphqlTest, PaginationCoversEveryAppointmentOnce) {
  SetNow("20:00:00");
  std::set<std::string> ids;
  std::map<std::string, int64_t> per_agent;
  std::string after = "null";
  int64_t total = -1;
  std::string last_created;
  for (int pages = 0; pages < 100; ++pages) {
    auto doc = Parse(
        Query(
            R"({"query":"query Q($from: DateTime!, $to: DateTime!, $after: String) { calls(first: 7) { totalCount } }","variables":{"from":"2026-03-01T18:30:00Z","to":"2026-03-02T18:29:59Z","first":7,"after":)" +
            after + "}}")
            .body);
    const auto& calls = doc["data"]["calls"];
    total = calls["totalCount"].GetInt64();
    for (const auto& edge : calls["edges"].GetArray()) {
      const auto& node = edge["node"];
      EXPECT_TRUE(ids.insert(node["id"].GetString()).second);
      EXPECT_STREQ(node["disposition"].GetString(), "APPOINTMENT_BOOKED");
      EXPECT_GE(std::string(node["createdAt"].GetString()), last_created);
      last_created = node["createdAt"].GetString();
      ++per_agent[node["agentName"].GetString()];
    }
    if (!calls["pageInfo"]["hasNextPage"].GetBool()) break;
    after =
        std::string("\"") + calls["pageInfo"]["endCursor"].GetString() + "\"";
  }
  EXPECT_EQ(static_cast<int64_t>(ids.size()), total);
  Truth truth = sim_->TruthFor(TestDate(), sim_->NowSeconds());
  int64_t expected = 0;
  for (const AgentTruth& agent : truth.agents) {
    expected += agent.appointments;
    EXPECT_EQ(per_agent[agent.name], agent.appointments) << agent.id;
  }
  EXPECT_EQ(total, expected);
  EXPECT_GT(total, 20);
}

class FaultTest : public SimFixture {
 protected:
  void SetFaults(const std::string& json) {
    ASSERT_EQ(sim_->Handle(MakeRequest("POST", "/_sim/faults", json)).status,
              200);
  }
};

TEST_F(FaultTest, InjectedFaultsHitVendorEndpointsButNeverControl) {
  const std::string body =
      CdrBody("2026-03-02 00:00:00", "2026-03-02 12:00:00");
  SetFaults(R"({"error_rate":1})");
  EXPECT_GE(Get(kDetails, body).status, 500);
  EXPECT_EQ(sim_->Handle(MakeRequest("GET", "/_sim/clock")).status, 200);
  SetFaults(R"({"reset":true,"malformed_rate":1})");
  HttpResponse malformed = Get(kDetails, body);
  rapidjson::Document doc;
  doc.Parse(malformed.body.c_str());
  EXPECT_TRUE(doc.HasParseError());
  SetFaults(R"({"reset":true,"truncated_rate":1})");
  HttpResponse truncated = Get(kDetails, body);
  doc.Parse(truncated.body.c_str());
  EXPECT_TRUE(doc.HasParseError());
  EXPECT_NE(truncated.body.find("{\"CallID\""), std::string::npos);
  SetFaults(R"({"reset":true,"graphql_error_rate":1})");
  HttpRequest gql = MakeRequest("POST", "/graphql", R"({"query":"{ calls }"})");
  gql.headers["authorization"] = "Bearer sim-crm-key";
  EXPECT_TRUE(Parse(sim_->Handle(gql).body).HasMember("errors"));
  SetFaults(R"({"reset":true,"ids_as_strings":true})");
  auto strings = Parse(Get(kDetails, body).body);
  EXPECT_TRUE(strings["details"][0]["CallID"].IsString());
  EXPECT_TRUE(strings["details"][0]["UCID"].IsString());
  SetFaults(R"({"reset":true})");
  EXPECT_TRUE(
      Parse(Get(kDetails, body).body)["details"][0]["CallID"].IsInt64());
  EXPECT_EQ(
      sim_->Handle(MakeRequest("POST", "/_sim/faults", R"({"error_rate":3})"))
          .status,
      400);
}

TEST_F(FaultTest, HalfRateFaultsAreDeterministic) {
  const std::string body =
      CdrBody("2026-03-02 00:00:00", "2026-03-02 12:00:00");
  SetFaults(R"({"error_rate":0.5})");
  std::vector<int> first;
  for (int i = 0; i < 40; ++i) first.push_back(Get(kDetails, body).status);
  const int errors =
      static_cast<int>(std::count(first.begin(), first.end(), 503));
  EXPECT_GT(errors, 5);
  EXPECT_LT(errors, 35);
  Start(RelaxedOptions());
  SetFaults(R"({"error_rate":0.5})");
  for (int i = 0; i < 40; ++i) EXPECT_EQ(Get(kDetails, body).status, first[i]);
}

TEST_F(SimFixture, ControlClockAndUnknownPaths) {
  auto clock = Parse(sim_->Handle(MakeRequest("GET", "/_sim/clock")).body);
  EXPECT_EQ(clock["now"].GetInt64(), sim_->NowSeconds());
  EXPECT_STREQ(clock["local"].GetString(), "2026-03-02 14:00:00");
  EXPECT_EQ(sim_->Handle(MakeRequest("GET", "/nope")).status, 404);
  EXPECT_EQ(
      sim_->Handle(MakeRequest("GET", "/_sim/truth", "", "date=bad")).status,
      400);
  auto details = Parse(Post("/ca_apis/agentdetails",
                            R"({"userName":"demo","agentId":"agent01"})")
                           .body);
  const std::string status = details["message"]["Status"].GetString();
  EXPECT_TRUE(status == "Ready" || status == "Busy" || status == "ACW" ||
              status == "Pause" || status == "Logout");
}

}  // namespace
}  // namespace callcenter::sim
