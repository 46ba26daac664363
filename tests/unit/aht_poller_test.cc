#include "callcenter/aht_poller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <sstream>

#include "fake_ozonetel_api.h"

namespace callcenter {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class AhtPollerTest : public ::testing::Test {
 protected:
  AhtPollerTest() {
    gate_.AddFamily(ApiFamily::kAht, 50, Seconds(60), Seconds(0));
    agents_.Learn("quiet", "Quiet", 100);
    agents_.Learn("busy", "Busy", 300);
    agents_.Learn("middle", "Middle", 200);
  }
  AhtPoller MakePoller(bool per_agent = true) {
    return AhtPoller({api_, metrics_, agents_,
                      [] { return std::vector<std::string>{"Sales"}; }, health_,
                      gate_, clock_, logger_, [] {}},
                     {Seconds(60), per_agent});
  }
  // Polls as the loop would: sleep until the time PollOnce asked for.
  void Run(AhtPoller& poller, TimePoint until) {
    while (clock_.Now() < until) clock_.Set(poller.PollOnce());
  }

  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kDebug};
  FakeClock clock_{FromUnixSeconds(1772400000)};
  StopSignal stop_;
  BudgetGate gate_{clock_, stop_, logger_, ""};
  ApiHealth health_{{"ozonetel", {"aht"}, true, {"http"}}, clock_};
  testing::FakeOzonetelApi api_{Seconds(19800)};
  AhtMetrics metrics_;
  AgentDirectory agents_{{}, {}, true};
};

TEST_F(AhtPollerTest, RecentAgentsFirstThenCampaignsInRoundRobin) {
  auto poller = MakePoller();
  Run(poller, clock_.Now() + Seconds(65));
  EXPECT_THAT(api_.aht_targets,
              ElementsAre("agent:busy", "agent:middle", "agent:quiet",
                          "campaign:Sales", "agent:busy", "agent:middle",
                          "agent:quiet", "campaign:Sales"));
}

TEST_F(AhtPollerTest, StaysWithinBudgetAndMinRefresh) {
  auto poller = MakePoller();
  const TimePoint start = clock_.Now();
  Run(poller, start + Seconds(600));
  // Four targets, each at most once per minute: 10 rounds in 10 minutes.
  EXPECT_LE(api_.aht_targets.size(), 44u);
  EXPECT_GE(api_.aht_targets.size(), 36u);
}

TEST_F(AhtPollerTest, PublishesValueAndTimestamp) {
  auto poller = MakePoller();
  poller.PollOnce();
  std::vector<prometheus::MetricFamily> families;
  metrics_.Collect(&families);
  const std::string text = prometheus::TextSerializer().Serialize(families);
  EXPECT_THAT(text,
              HasSubstr("ozonetel_agent_aht_seconds{agent=\"busy\"} 101"));
  EXPECT_THAT(text, HasSubstr("ozonetel_agent_aht_timestamp_seconds{agent="
                              "\"busy\"} 1772400000"));
}

TEST_F(AhtPollerTest, WithoutPerAgentMetricsOnlyCampaignsAreAsked) {
  auto poller = MakePoller(false);
  Run(poller, clock_.Now() + Seconds(30));
  EXPECT_THAT(api_.aht_targets, ElementsAre("campaign:Sales"));
}

TEST(AhtRoundTest, AgentsThenCampaigns) {
  auto round = AhtRound({"a"}, {"c"});
  ASSERT_EQ(round.size(), 2u);
  EXPECT_EQ(round[0].kind, AhtTarget::Kind::kAgent);
  EXPECT_EQ(round[1].key, "c");
}

}  // namespace
}  // namespace callcenter
