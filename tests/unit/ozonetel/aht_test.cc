// The AHT round-robin: recent agents first, campaigns after, at most once a
// min_refresh per target; failures back the poller off, a per-target 2xx
// refusal does not.
#include "ozonetel/aht.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "core/poll_loop.h"
#include "core/text_writer.h"
#include "ozonetel/record_stats.h"
#include "testing/fake_ozonetel_api.h"
#include "testing/metrics.h"

namespace callcenter::ozonetel {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class AhtPollerTest : public ::testing::Test {
 protected:
  AhtPollerTest() {
    agents_.Learn("quiet", "Quiet", 100);
    agents_.Learn("busy", "Busy", 300);
    agents_.Learn("middle", "Middle", 200);
  }
  std::unique_ptr<AhtPoller> MakePoller(bool per_agent = true) {
    return std::make_unique<AhtPoller>(
        AhtPoller::Deps{api_, metrics_, agents_,
                        [] {
                          return std::vector<std::string>{"Sales", "other"};
                        },
                        clock_, logger_, [] {}},
        AhtPollerOptions{Seconds(60), per_agent});
  }
  // Runs the poll loop (no budget) on the fake clock until `until`.
  void Run(AhtPoller& poller, TimePoint until) {
    core::PollLoop loop(poller, {"aht", "", nullptr, Seconds(60)}, clock_,
                        stop_, logger_, nullptr);
    while (clock_.Now() < until) {
      clock_.Set(std::max(loop.RunOnce(), clock_.Now() + Seconds(1)));
    }
  }

  std::ostringstream log_;
  core::Logger logger_{log_, core::LogLevel::kDebug};
  FakeClock clock_{FromUnixSeconds(1772400000)};
  core::StopSignal stop_;
  test::FakeOzonetelApi api_;
  AhtMetrics metrics_;
  directory::AgentDirectory agents_{directory::DirectoryConfig{}};
};

TEST_F(AhtPollerTest, RecentAgentsFirstThenCampaignsInRoundRobin) {
  auto poller = MakePoller();
  Run(*poller, clock_.Now() + Seconds(65));
  EXPECT_THAT(api_.aht_targets,
              ElementsAre("agent:busy", "agent:middle", "agent:quiet",
                          "campaign:Sales", "agent:busy", "agent:middle",
                          "agent:quiet", "campaign:Sales"));
}

TEST_F(AhtPollerTest, NoTargetIsAskedMoreOftenThanMinRefresh) {
  auto poller = MakePoller();
  Run(*poller, clock_.Now() + Seconds(600));
  EXPECT_LE(api_.aht_targets.size(), 44u);
  EXPECT_GE(api_.aht_targets.size(), 36u);
}

TEST_F(AhtPollerTest, PublishesValueAndTimestamp) {
  auto poller = MakePoller();
  poller->Poll();
  const std::string text = core::RenderText(metrics_);
  EXPECT_EQ(
      test::SampleValue(text, "ozonetel_agent_aht_seconds{agent=\"busy\"}"),
      101);
  EXPECT_EQ(test::SampleValue(
                text, "ozonetel_agent_aht_timestamp_seconds{agent=\"busy\"}"),
            1772400000);
  EXPECT_THAT(test::SourceProblems(metrics_), IsEmpty());
}

TEST_F(AhtPollerTest, WithoutPerAgentMetricsOnlyCampaignsAreAsked) {
  auto poller = MakePoller(false);
  Run(*poller, clock_.Now() + Seconds(30));
  EXPECT_THAT(api_.aht_targets, ElementsAre("campaign:Sales"));
}

TEST_F(AhtPollerTest, AFailingApiBacksOffAPerTargetRefusalDoesNot) {
  auto poller = MakePoller();
  core::PollLoop loop(*poller, {"aht", "", nullptr, Seconds(60)}, clock_, stop_,
                      logger_, nullptr);
  api_.aht_failures["agent:busy"] =
      test::Failure(FailureReason::kHttp, "agentId is Invalid", 200);
  TimePoint now = clock_.Now();
  EXPECT_EQ(loop.RunOnce(), now);  // refused target: straight to the next
  api_.aht_failures["agent:middle"] =
      test::Failure(FailureReason::kHttp, "HTTP 503", 503);
  EXPECT_GE(loop.RunOnce(), now + Seconds(30));  // the API failed: back off
  api_.aht_failures["agent:quiet"] =
      test::Failure(FailureReason::kTimeout, "timed out");
  EXPECT_GE(loop.RunOnce(), now + Seconds(30));
}

TEST(AhtRoundTest, AgentsThenCampaignsWithoutOtherOrNone) {
  const auto round = AhtRound({"a", "other"}, {"c", "none", "other"});
  ASSERT_EQ(round.size(), 2u);
  EXPECT_EQ(round[0].kind, AhtTarget::Kind::kAgent);
  EXPECT_EQ(round[1].key, "c");
}

TEST(RecordStatsTest, RendersEveryApi) {
  RecordStats stats;
  stats.AddInvalid(RecordStats::kSummary, 2);
  const std::string text = core::RenderText(stats);
  EXPECT_EQ(
      test::SampleValue(text, "ozonetel_invalid_fields_total{api=\"summary\"}"),
      2);
  EXPECT_EQ(
      test::SampleValue(text, "ozonetel_invalid_fields_total{api=\"aht\"}"), 0);
  EXPECT_THAT(test::SourceProblems(stats), IsEmpty());
}

}  // namespace
}  // namespace callcenter::ozonetel
