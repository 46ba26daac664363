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

// The pieces the publisher renders one by one concatenate to exactly what
// prometheus-cpp's TextSerializer writes for the same families, and one
// answer changes two small pieces.
TEST(AhtMetricsTest, PiecesAreTheWholeExpositionAndOneAnswerTouchesTwo) {
  AhtMetrics metrics;
  constexpr int kAgents = 1000;
  for (int i = 0; i < kAgents; ++i) {
    metrics.Set({AhtTarget::Kind::kAgent, "agent" + std::to_string(i)}, 100 + i,
                1772400000.5 + i);
  }
  metrics.Set({AhtTarget::Kind::kCampaign, "Sales"}, 90, 1772400000);
  EXPECT_EQ(metrics.TakeChangedPieces().size(), metrics.piece_count());

  std::string pieces;
  for (size_t piece = 0; piece < metrics.piece_count(); ++piece) {
    core::TextWriter writer(&pieces);
    metrics.RenderPiece(piece, writer);
  }
  EXPECT_EQ(pieces, core::RenderText(metrics));
  EXPECT_EQ(pieces, test::Serialized(metrics));
  EXPECT_EQ(test::SampleValue(pieces,
                              "ozonetel_agent_aht_seconds{agent=\"agent999\"}"),
            1099);
  EXPECT_THAT(test::SourceProblems(metrics), IsEmpty());

  metrics.Set({AhtTarget::Kind::kAgent, "agent130"}, 5, 1772400100);
  const auto changed = metrics.TakeChangedPieces();
  ASSERT_EQ(changed.size(), 2u);
  EXPECT_EQ(changed[1], changed[0] + AhtMetrics::kAgentShards);
  std::string piece;
  core::TextWriter writer(&piece);
  metrics.RenderPiece(changed[0], writer);
  EXPECT_EQ(test::SampleValue(piece,
                              "ozonetel_agent_aht_seconds{agent=\"agent130\"}"),
            5);
  EXPECT_LT(piece.size(), pieces.size() / AhtMetrics::kAgentShards);
  EXPECT_THAT(metrics.TakeChangedPieces(), IsEmpty());
}

TEST(AhtMetricsTest, WithoutPerAgentSeriesOnlyCampaignsRender) {
  AhtMetrics metrics(/*per_agent=*/false);
  metrics.Set({AhtTarget::Kind::kAgent, "a"}, 100, 1772400000);
  metrics.Set({AhtTarget::Kind::kCampaign, "Sales"}, 90, 1772400000);
  const std::string text = core::RenderText(metrics);
  EXPECT_EQ(text.find("ozonetel_agent_aht"), std::string::npos);
  EXPECT_EQ(test::SampleValue(
                text, "ozonetel_campaign_aht_seconds{campaign=\"Sales\"}"),
            90);
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
