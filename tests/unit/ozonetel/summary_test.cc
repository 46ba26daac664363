// Agent state seconds from summaryReport: never down within a day, rows
// mapped to the CDR AgentID through the agent directory, totals over a day
// refused, and the day finalised after midnight.
#include "ozonetel/summary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "callcenter/common/files.h"
#include "core/text_writer.h"
#include "ozonetel/cdr_poller.h"
#include "testing/fake_ozonetel_api.h"
#include "testing/metrics.h"
#include "testing/temp_dir.h"

namespace callcenter::ozonetel {
namespace {

using test::At;
using test::kIst;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const Date kDay = *ParseDate("2026-03-02");

SummaryRow Row(const std::string& name, const std::string& mode, int64_t login,
               int64_t busy) {
  SummaryRow row;
  row.agent_name = name;
  row.mode_type = mode;
  row.call_date = kDay;
  row.login = login;
  row.busy = busy;
  return row;
}

double State(const AgentStateMetrics& metrics, const std::string& agent,
             const std::string& state) {
  return test::ValueOf(metrics, "ozonetel_agent_state_seconds_total{agent=\"" +
                                    agent + "\",state=\"" + state + "\"}");
}

TEST(AgentStateMetricsTest, NeverDecreasesWithinADay) {
  AgentStateMetrics metrics(true);
  StateSeconds first{};
  first[kLogin] = 100;
  first[kBusy] = 40;
  int went_down = 0;
  metrics.Replace(metrics.Next(kDay, {{"agent01", first}}, {}, &went_down));
  EXPECT_EQ(went_down, 0);
  StateSeconds lower = first;
  lower[kBusy] = 30;
  lower[kLogin] = 160;
  metrics.Replace(metrics.Next(kDay, {{"agent01", lower}}, {}, &went_down));
  EXPECT_EQ(went_down, 1);
  EXPECT_EQ(State(metrics, "agent01", "busy"), 40);
  EXPECT_EQ(State(metrics, "agent01", "login"), 160);
  EXPECT_EQ(test::ValueOf(metrics, "ozonetel_agent_state_regressions_total"),
            1);
  EXPECT_THAT(test::SourceProblems(metrics), IsEmpty());
}

TEST(AgentStateMetricsTest, UnknownValuesKeepWhatIsHeld) {
  AgentStateMetrics metrics(true);
  StateSeconds values{};
  values[kIdle] = 500;
  int went_down = 0;
  metrics.Replace(metrics.Next(kDay, {{"agent01", values}}, {}, &went_down));
  values[kIdle] = -1;  // a total that was not a duration of at most a day
  metrics.Replace(metrics.Next(kDay, {{"agent01", values}}, {}, &went_down));
  EXPECT_EQ(went_down, 0);
  EXPECT_EQ(State(metrics, "agent01", "idle"), 500);
}

TEST(AgentStateMetricsTest, NewDayRestartsFromTheReading) {
  AgentStateMetrics metrics(true);
  StateSeconds day_one{};
  day_one[kLogin] = 30000;
  int went_down = 0;
  metrics.Replace(metrics.Next(kDay,
                               {{"agent01", day_one}, {"agent02", day_one}},
                               {"agent01", "agent02"}, &went_down));
  StateSeconds day_two{};
  day_two[kLogin] = 60;
  metrics.Replace(metrics.Next(AddDays(kDay, 1), {{"agent01", day_two}},
                               {"agent01", "agent02"}, &went_down));
  EXPECT_EQ(went_down, 0);
  EXPECT_EQ(State(metrics, "agent01", "login"), 60);
  EXPECT_EQ(State(metrics, "agent02", "login"), 0);
  // An answer about the old day after the switch changes nothing.
  metrics.Replace(metrics.Next(kDay, {{"agent01", day_one}}, {}, &went_down));
  EXPECT_EQ(State(metrics, "agent01", "login"), 60);
}

TEST(AgentStateMetricsTest, SavedStateKeepsTheGuardAndRefusesOverADay) {
  AgentStateMetrics metrics(true);
  StateSeconds values{};
  values[kIdle] = 500;
  int went_down = 0;
  const auto next = metrics.Next(kDay, {{"agent01", values}}, {}, &went_down);
  rapidjson::Document doc;
  doc.Parse(AgentStateMetrics::SaveJson(next).c_str());
  AgentStateMetrics restored(true);
  std::string error;
  ASSERT_TRUE(restored.LoadJson(doc, &error)) << error;
  EXPECT_EQ(State(restored, "agent01", "idle"), 500);
  doc.Parse(R"({"version":1,"day":"2026-03-02","regressions":0,)"
            R"("agents":{"a":[86401,0,0,0,0,0]}})");
  EXPECT_FALSE(restored.LoadJson(doc, &error));
  EXPECT_EQ(State(restored, "agent01", "idle"), 500);
}

TEST(SumSummaryRowsTest, SumsModeRowsAndMapsNamesToIds) {
  directory::DirectoryConfig config;
  config.name_overrides = {{"Override Name", "agent09"}};
  directory::AgentDirectory agents(config);
  agents.Learn("agent01", "Agent One", 1);
  SummaryRow other_day = Row("Agent One", "Inbound", 999, 999);
  other_day.call_date = AddDays(kDay, -1);
  SummaryRow garbled = Row("Agent One", "Blended", 5, 0);
  garbled.busy = -1;
  const auto sums = SumSummaryRows(
      {Row("Agent One", "Inbound", 100, 10), Row("Agent One", "Manual", 0, 5),
       Row("Override Name", "Inbound", 7, 0), Row("Stranger", "Inbound", 1, 1),
       Row("Long Day", "Inbound", 86000, 0),
       Row("Long Day", "Manual", 86000, 0), other_day, garbled},
      kDay, "AgentName", agents);
  EXPECT_EQ(sums.at("agent01")[kLogin], 105);
  EXPECT_EQ(sums.at("agent01")[kBusy], -1);  // one unknown row: unknown
  EXPECT_EQ(sums.at("agent09")[kLogin], 7);
  EXPECT_EQ(sums.at("Stranger")[kLogin], 1);      // unmapped keeps its name
  EXPECT_EQ(sums.at("Long Day")[kLogin], 86400);  // never more than a day
  EXPECT_EQ(sums.size(), 4u);
}

class SummaryPollerTest : public ::testing::Test {
 protected:
  std::unique_ptr<SummaryPoller> MakePoller(
      std::vector<std::string> restrict_to = {},
      core::StateFile* state = nullptr) {
    SummaryPollerOptions options;
    options.timezone_offset = kIst;
    options.restrict_to = std::move(restrict_to);
    options.batch_size = 2;
    return std::make_unique<SummaryPoller>(
        SummaryPoller::Deps{api_, metrics_, agents_, stats_, state, clock_,
                            logger_, [] {}},
        options);
  }

  std::ostringstream log_;
  core::Logger logger_{log_, core::LogLevel::kDebug};
  FakeClock clock_{At("2026-03-02 10:00:00")};
  test::FakeOzonetelApi api_;
  AgentStateMetrics metrics_{true};
  directory::AgentDirectory agents_{directory::DirectoryConfig{}};
  RecordStats stats_;
};

TEST_F(SummaryPollerTest, NoDataPublishesZerosForKnownAgents) {
  agents_.Learn("agent01", "Agent One", 1);
  auto poller = MakePoller();
  EXPECT_EQ(poller->Poll().status, core::PollResult::Status::kOk);
  ASSERT_EQ(api_.summary_queries.size(), 1u);
  EXPECT_EQ(api_.summary_queries[0].from, "2026-03-02 00:00:00");
  EXPECT_EQ(api_.summary_queries[0].to, "2026-03-02 09:59:55");
  EXPECT_TRUE(api_.summary_queries[0].agent_ids.empty());
  EXPECT_EQ(test::SampleValue(core::RenderText(metrics_),
                              "ozonetel_agent_state_seconds_total{agent="
                              "\"agent01\",state=\"login\"}"),
            0);
}

TEST_F(SummaryPollerTest, ConfiguredAgentsAreBatched) {
  auto poller = MakePoller({"a1", "a2", "a3"});
  poller->Poll();
  ASSERT_EQ(api_.summary_queries.size(), 2u);
  EXPECT_EQ(api_.summary_queries[0].agent_ids,
            (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(api_.summary_queries[1].agent_ids,
            (std::vector<std::string>{"a3"}));
}

TEST_F(SummaryPollerTest, RefusedTotalsAreCountedAsInvalid) {
  api_.summary_rows = {Row("Agent One", "Inbound", 100, 10)};
  api_.summary_invalid_fields = 2;
  auto poller = MakePoller();
  poller->Poll();
  EXPECT_EQ(stats_.invalid(RecordStats::kSummary), 2u);
}

TEST_F(SummaryPollerTest, AFailureIsAFailedPollWithItsReason) {
  api_.summary_failures = {
      test::Failure(FailureReason::kHttp, "Mode Type is Invalid")};
  auto poller = MakePoller();
  const core::PollResult result = poller->Poll();
  EXPECT_EQ(result.status, core::PollResult::Status::kFailed);
  EXPECT_EQ(result.reason, "http");
}

TEST_F(SummaryPollerTest, YesterdayIsReadInFullAfterMidnight) {
  api_.summary_rows = {Row("Agent One", "Inbound", 100, 10)};
  auto poller = MakePoller();
  poller->Poll();
  clock_.Set(At("2026-03-03 00:05:00"));
  poller->Poll();
  EXPECT_EQ(api_.summary_queries.back().from, "2026-03-02 00:00:00");
  EXPECT_EQ(api_.summary_queries.back().to, "2026-03-02 23:59:59");
  clock_.Advance(Seconds(60));
  poller->Poll();
  EXPECT_EQ(api_.summary_queries.back().from, "2026-03-03 00:00:00");
}

TEST_F(SummaryPollerTest, ADeepStateFileIsSetAsideAndTheDayRestarts) {
  test::TempDir dir;
  test::WriteText(dir.File("summary_state.json"),
                  R"({"version":1,"agents":)" + std::string(200000, '[') + "}");
  core::StateStore store(dir.path(), logger_);
  auto poller = MakePoller({}, &store.File("summary_state.json"));
  poller->LoadState();
  EXPECT_TRUE(FileExists(dir.File("summary_state.json.corrupt")));
  EXPECT_FALSE(metrics_.day().has_value());
  api_.summary_rows = {Row("Agent One", "Inbound", 100, 10)};
  EXPECT_EQ(poller->Poll().status, core::PollResult::Status::kOk);
  EXPECT_TRUE(FileExists(dir.File("summary_state.json")));
}

// A corrupt cdr_state.json must not split an agent's series between its id
// and its name: the directory keeps the mapping in its own file.
TEST_F(SummaryPollerTest, ACorruptCdrStateKeepsTheAgentIdLabels) {
  test::TempDir dir;
  {
    core::StateStore store(dir.path(), logger_);
    directory::AgentDirectory before{directory::DirectoryConfig{}};
    before.Bind(&store.File("agents.json"), nullptr);
    before.Learn("agent07", "Priya Shah", 1);
    ASSERT_TRUE(before.Persist());
  }
  test::WriteText(dir.File("cdr_state.json"), "{\"version\":2,");
  core::StateStore store(dir.path(), logger_);
  agents_.Bind(&store.File("agents.json"), nullptr);
  ASSERT_TRUE(agents_.Load(logger_));
  CdrMetrics cdr_metrics(CdrMetricsOptions{});
  CdrPoller cdr(CdrPoller::Deps{api_, cdr_metrics, agents_, stats_,
                                &store.File("cdr_state.json", true), clock_,
                                logger_, [] {}},
                CdrPollerOptions{});
  cdr.LoadState(store.RanBefore());
  EXPECT_TRUE(FileExists(dir.File("cdr_state.json.corrupt")));

  api_.summary_rows = {Row("Priya Shah", "Inbound", 3600, 600)};
  auto poller = MakePoller();
  poller->Poll();
  const std::string text = core::RenderText(metrics_);
  EXPECT_THAT(text, HasSubstr("{agent=\"agent07\",state=\"login\"} 3600"));
  EXPECT_THAT(text, Not(HasSubstr("Priya Shah")));
}

}  // namespace
}  // namespace callcenter::ozonetel
