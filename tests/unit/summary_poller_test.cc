#include "callcenter/summary_poller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <sstream>

#include "fake_ozonetel_api.h"

namespace callcenter {
namespace {

using ::testing::HasSubstr;

const Seconds kIst{19800};
const Date kDay = *ParseDate("2026-03-02");

std::string Render(const MetricSource& source) {
  std::vector<prometheus::MetricFamily> families;
  source.Collect(&families);
  return prometheus::TextSerializer().Serialize(families);
}

ozonetel::SummaryRow Row(const std::string& name, const std::string& mode,
                         int64_t login, int64_t busy) {
  ozonetel::SummaryRow row;
  row.agent_name = name;
  row.mode_type = mode;
  row.call_date = kDay;
  row.login = login;
  row.busy = busy;
  return row;
}

TEST(AgentStateMetricsTest, NeverDecreasesWithinADay) {
  AgentStateMetrics metrics(true);
  StateSeconds first{};
  first[kLogin] = 100;
  first[kBusy] = 40;
  EXPECT_EQ(metrics.Update(kDay, {{"agent01", first}}), 0);
  StateSeconds lower = first;
  lower[kBusy] = 30;
  lower[kLogin] = 160;
  EXPECT_EQ(metrics.Update(kDay, {{"agent01", lower}}), 1);
  const std::string text = Render(metrics);
  EXPECT_THAT(text, HasSubstr("{agent=\"agent01\",state=\"busy\"} 40"));
  EXPECT_THAT(text, HasSubstr("{agent=\"agent01\",state=\"login\"} 160"));
  EXPECT_THAT(text, HasSubstr("ozonetel_agent_state_regressions_total 1"));
}

TEST(AgentStateMetricsTest, NewDayRestartsFromTheReading) {
  AgentStateMetrics metrics(true);
  StateSeconds day_one{};
  day_one[kLogin] = 30000;
  metrics.Update(kDay, {{"agent01", day_one}, {"agent02", day_one}});
  StateSeconds day_two{};
  day_two[kLogin] = 60;
  EXPECT_EQ(metrics.Update(AddDays(kDay, 1), {{"agent01", day_two}}), 0);
  const std::string text = Render(metrics);
  EXPECT_THAT(text, HasSubstr("{agent=\"agent01\",state=\"login\"} 60"));
  EXPECT_THAT(text, HasSubstr("{agent=\"agent02\",state=\"login\"} 0"));
  // An answer about the old day after the switch changes nothing.
  EXPECT_EQ(metrics.Update(kDay, {{"agent01", day_one}}), 0);
  EXPECT_THAT(Render(metrics), HasSubstr("state=\"login\"} 60"));
}

TEST(AgentStateMetricsTest, SavedStateKeepsTheGuardAcrossRestarts) {
  AgentStateMetrics metrics(true);
  StateSeconds values{};
  values[kIdle] = 500;
  metrics.Update(kDay, {{"agent01", values}});
  AgentStateMetrics restored(true);
  std::string error;
  ASSERT_TRUE(restored.LoadJson(metrics.SaveJson(), &error)) << error;
  values[kIdle] = 10;
  EXPECT_EQ(restored.Update(kDay, {{"agent01", values}}), 1);
  EXPECT_THAT(Render(restored), HasSubstr("state=\"idle\"} 500"));
  EXPECT_FALSE(restored.LoadJson("{\"agents\":3}", &error));
}

TEST(SumSummaryRowsTest, SumsModeRowsAndMapsNamesToIds) {
  AgentDirectory agents({}, {{"Override Name", "agent09"}}, true);
  agents.Learn("agent01", "Agent One", 1);
  auto other_day = Row("Agent One", "Inbound", 999, 999);
  other_day.call_date = AddDays(kDay, -1);
  const auto sums = SumSummaryRows(
      {Row("Agent One", "Inbound", 100, 10), Row("Agent One", "Manual", 0, 5),
       Row("Override Name", "Inbound", 7, 0), Row("Stranger", "Inbound", 1, 1),
       other_day},
      kDay, "AgentName", agents);
  EXPECT_EQ(sums.at("agent01")[kLogin], 100);
  EXPECT_EQ(sums.at("agent01")[kBusy], 15);
  EXPECT_EQ(sums.at("agent09")[kLogin], 7);
  EXPECT_EQ(sums.at("Stranger")[kLogin], 1);  // unmapped keeps its name
  EXPECT_EQ(sums.size(), 3u);
}

class SummaryPollerTest : public ::testing::Test {
 protected:
  SummaryPollerTest() {
    gate_.AddFamily(ApiFamily::kSummary, 5, Seconds(60), Seconds(0));
  }
  SummaryPoller MakePoller(std::vector<std::string> restrict_to = {}) {
    SummaryPollerOptions options;
    options.timezone_offset = kIst;
    options.restrict_to = std::move(restrict_to);
    options.batch_size = 2;
    return SummaryPoller(
        {api_, metrics_, agents_, health_, gate_, clock_, logger_, [] {}},
        options);
  }

  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kDebug};
  FakeClock clock_{*ParseLocalDateTime("2026-03-02 10:00:00", kIst)};
  StopSignal stop_;
  BudgetGate gate_{clock_, stop_, logger_, ""};
  ApiHealth health_{{"ozonetel", {"summary"}, true, {"http"}}, clock_};
  testing::FakeOzonetelApi api_{kIst};
  AgentStateMetrics metrics_{true};
  AgentDirectory agents_{{}, {}, true};
};

TEST_F(SummaryPollerTest, NoDataFoundPublishesZerosForKnownAgents) {
  agents_.Learn("agent01", "Agent One", 1);
  auto poller = MakePoller();
  poller.PollOnce();
  ASSERT_EQ(api_.summary_queries.size(), 1u);
  EXPECT_EQ(api_.summary_queries[0].from, "2026-03-02 00:00:00");
  EXPECT_TRUE(api_.summary_queries[0].agent_ids.empty());
  EXPECT_THAT(Render(metrics_),
              HasSubstr("{agent=\"agent01\",state=\"login\"} 0"));
  EXPECT_THAT(Render(health_), HasSubstr("ozonetel_up{api=\"summary\"} 1"));
}

TEST_F(SummaryPollerTest, ConfiguredAgentsAreBatched) {
  auto poller = MakePoller({"a1", "a2", "a3"});
  poller.PollOnce();
  ASSERT_EQ(api_.summary_queries.size(), 2u);
  EXPECT_EQ(api_.summary_queries[0].agent_ids,
            (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(api_.summary_queries[1].agent_ids,
            (std::vector<std::string>{"a3"}));
}

TEST_F(SummaryPollerTest, FailureMarksTheApiDown) {
  api_.next_failure = ozonetel::FailureReason::kHttp;
  auto poller = MakePoller();
  poller.PollOnce();
  EXPECT_THAT(Render(health_), HasSubstr("ozonetel_up{api=\"summary\"} 0"));
}

TEST_F(SummaryPollerTest, YesterdayIsReadInFullAfterMidnight) {
  api_.summary_rows = {Row("Agent One", "Inbound", 100, 10)};
  auto poller = MakePoller();
  poller.PollOnce();
  clock_.Set(*ParseLocalDateTime("2026-03-03 00:05:00", kIst));
  poller.PollOnce();
  EXPECT_EQ(api_.summary_queries.back().from, "2026-03-02 00:00:00");
  EXPECT_EQ(api_.summary_queries.back().to, "2026-03-02 23:59:59");
  clock_.Advance(Seconds(60));
  poller.PollOnce();
  EXPECT_EQ(api_.summary_queries.back().from, "2026-03-03 00:00:00");
}

}  // namespace
}  // namespace callcenter

namespace callcenter {
namespace {

TEST(AgentStateMetricsTest, DropsNameKeysOnceTheIdIsKnown) {
  AgentStateMetrics metrics(true);
  StateSeconds values{};
  values[kLogin] = 10;
  metrics.Update(kDay, {{"Agent One", values}}, {"agent02"});
  values[kLogin] = 20;
  metrics.Update(kDay, {{"agent01", values}}, {"agent01", "agent02"});
  const std::string text = Render(metrics);
  EXPECT_THAT(text, ::testing::Not(HasSubstr("Agent One")));
  EXPECT_THAT(text, HasSubstr("{agent=\"agent01\",state=\"login\"} 20"));
}

}  // namespace
}  // namespace callcenter
