// 20,000 agents: the day generates, ids stay unique, and every endpoint
// answers with what the model holds. No timing assertions; the figures the
// README quotes come from running ozonetel_sim by hand.
#include <gtest/gtest.h>

#include <set>

#include "sim_test_util.h"

namespace callcenter::sim {
namespace {

using testing::CdrBody;
using testing::MakeRequest;
using testing::Parse;
using testing::SimFixture;
using testing::TestDate;

constexpr int kAgents = 20000;

class ScaleTest : public SimFixture {
 protected:
  // One simulator for the suite: a 20,000-agent day is worth generating once.
  static void SetUpTestSuite() {
    clock_shared_ = new FakeClock(testing::LocalTime(TestDate(), "11:00:00"));
    SimOptions options = RelaxedOptions();
    options.agents = kAgents;
    sim_shared_ = new Simulator(options, clock_shared_);
  }
  static void TearDownTestSuite() {
    delete sim_shared_;
    delete clock_shared_;
  }
  void SetUp() override {}

  Simulator& sim() { return *sim_shared_; }
  HttpResponse Call(const std::string& method, const std::string& path,
                    const std::string& body = "",
                    const std::string& query = "") {
    return sim_shared_->Handle(
        testing::WithApiKey(MakeRequest(method, path, body, query)));
  }

  static FakeClock* clock_shared_;
  static Simulator* sim_shared_;
};

FakeClock* ScaleTest::clock_shared_ = nullptr;
Simulator* ScaleTest::sim_shared_ = nullptr;

TEST_F(ScaleTest, TwentyThousandAgentsMakeAMillionCallDayWithUniqueIds) {
  EXPECT_LE(sizeof(callcenter::sim::Call), 80u);
  auto day = sim().traffic().Day(TestDate());
  ASSERT_EQ(day->agents.size(), static_cast<size_t>(kAgents));
  EXPECT_EQ(sim().account().agents.back().id, "agent20000");
  EXPECT_GT(day->calls.size(), 600000u);
  std::set<int64_t> ids;
  for (const auto& call : day->calls) ids.insert(call.call_id);
  EXPECT_EQ(ids.size(), day->calls.size());
}

TEST_F(ScaleTest, CdrEndpointsAnswerWithEveryMatchingRecord) {
  auto day = sim().traffic().Day(TestDate());
  const int64_t from = day->midnight + 10 * 3600;
  const int64_t to = from + 1799;
  const int64_t now = sim().NowSeconds();
  size_t expected = 0;
  for (const auto& call : day->calls) {
    expected += call.start >= from && call.start <= to && call.end <= now;
  }
  HttpResponse response =
      Call("GET", "/ca_reports/fetchCDRDetails",
           CdrBody("2026-03-02 10:00:00", "2026-03-02 10:29:59"));
  ASSERT_EQ(response.status, 200);
  auto doc = Parse(response.body);
  EXPECT_EQ(doc["details"].Size(), expected);
  EXPECT_GT(expected, 10000u);
  auto page = Parse(Call("GET", "/ca_reports/fetchCdrByPagination",
                         CdrBody("2026-03-02 00:00:00", "2026-03-02 11:00:00"),
                         "pageNo=3&pageSize=500")
                        .body);
  EXPECT_EQ(page["details"].Size(), 500u);
  EXPECT_GT(page["totalCount"].GetInt64(), 100000);
}

TEST_F(ScaleTest, ReportsTruthAndCrmAnswer) {
  auto summary = Parse(
      Call(
          "POST", "/ca_reports/summaryReport",
          R"({"userName":"demo","fromDate":"2026-03-02 00:00:00","toDate":"2026-03-02 23:59:59"})")
          .body);
  ASSERT_TRUE(summary["message"].IsArray());
  EXPECT_GT(summary["message"].Size(), 2u * kAgents * 9 / 10);
  auto aht =
      Parse(Call("POST", "/ca_apis/aht",
                 R"({"userName":"demo","campaignName":"Outbound_Sales"})")
                .body);
  EXPECT_STREQ(aht["status"].GetString(), "success");
  auto details = Parse(Call("POST", "/ca_apis/agentdetails",
                            R"({"userName":"demo","agentId":"agent19999"})")
                           .body);
  EXPECT_STREQ(details["message"]["AgentID"].GetString(), "agent19999");
  HttpResponse truth = Call("GET", "/_sim/truth", "", "date=2026-03-02");
  ASSERT_EQ(truth.status, 200);
  EXPECT_EQ(Parse(truth.body)["agents"].MemberCount(),
            static_cast<size_t>(kAgents));
  HttpRequest graphql = MakeRequest(
      "POST", "/graphql",
      R"({"query":"{ calls { totalCount } }","variables":{"first":10,"from":"2026-03-01T18:30:00Z","to":"2026-03-02T18:29:59Z"}})");
  graphql.headers["authorization"] = "Bearer sim-crm-key";
  auto crm = Parse(sim().Handle(graphql).body);
  EXPECT_GT(crm["data"]["calls"]["totalCount"].GetInt64(), 1000);
}

TEST_F(ScaleTest, LiveFloorAndCccpSnapshotAnswer) {
  HttpResponse live = Call("GET", "/_sim/live");
  ASSERT_EQ(live.status, 200);
  auto floor = Parse(live.body);
  EXPECT_GT(floor["agents"].Size(), static_cast<size_t>(kAgents) * 8 / 10);
  EXPECT_GT(floor["calls_active"]["inbound"].GetInt64(), 1000);
  HttpResponse cccp = Call("GET", "/cccp/snapshot");
  ASSERT_EQ(cccp.status, 200);
  auto doc = Parse(cccp.body);
  EXPECT_STREQ(doc["schema"].GetString(), "cccp-snapshot/v1");
  EXPECT_EQ(doc["calls"]["active_inbound"].GetInt64(),
            floor["calls_active"]["inbound"].GetInt64());
}

}  // namespace
}  // namespace callcenter::sim
