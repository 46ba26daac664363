#include "callcenter/cdr_poller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fake_ozonetel_api.h"

namespace callcenter {
namespace {

using testing::FakeOzonetelApi;
using ::testing::HasSubstr;
using testing::MakeRecord;

const Seconds kIst{19800};

TimePoint At(const std::string& local) {
  return *ParseLocalDateTime(local, kIst);
}

class CdrPollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cdr_poller_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    gate_.AddFamily(ApiFamily::kCdr, 1000, Seconds(60), Seconds(0));
    MakePoller();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A fresh exporter process: new metrics and directory, the same files.
  void MakePoller() {
    metrics_ = std::make_unique<CdrMetrics>(CdrMetricsOptions{});
    agents_ = std::make_unique<AgentDirectory>(
        std::vector<AgentEntry>{}, std::map<std::string, std::string>{}, true);
    CdrPollerOptions options;
    options.timezone_offset = kIst;
    options.overlap = Seconds(30 * 60);
    options.settle_timeout = Seconds(15 * 60);
    options.state_path = (dir_ / "cdr_state.json").string();
    poller_ = std::make_unique<CdrPoller>(
        CdrPoller::Deps{api_, *metrics_, *agents_, health_, gate_, clock_,
                        logger_, [] {}},
        options);
  }

  void PollAt(const std::string& local) {
    clock_.Set(At(local));
    poller_->PollOnce();
  }

  std::string Render() const {
    std::vector<prometheus::MetricFamily> families;
    metrics_->Collect(&families);
    return prometheus::TextSerializer().Serialize(families);
  }

  std::string Answered(const std::string& agent = "agent01") const {
    return "ozonetel_calls_total{agent=\"" + agent +
           "\",direction=\"inbound\",status=\"answered\"} ";
  }
  // Absent series (an agent never seen) read as zero.
  int AnsweredCount(const std::string& agent = "agent01") const {
    const std::string text = Render();
    const size_t at = text.find(Answered(agent));
    if (at == std::string::npos) return 0;
    return std::stoi(text.substr(at + Answered(agent).size()));
  }

  std::filesystem::path dir_;
  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kDebug};
  FakeClock clock_{At("2026-03-02 00:00:00")};
  StopSignal stop_;
  BudgetGate gate_{clock_, stop_, logger_, ""};
  ApiHealth health_{{"ozonetel", {"cdr"}, true, {"http", "parse"}}, clock_};
  FakeOzonetelApi api_{kIst};
  std::unique_ptr<CdrMetrics> metrics_;
  std::unique_ptr<AgentDirectory> agents_;
  std::unique_ptr<CdrPoller> poller_;
};

TEST_F(CdrPollerTest, ColdStartReadsFromMidnightAndOverlapsWithoutRecount) {
  api_.records = {MakeRecord("31733467784618213", "2026-03-02", "09:00:00"),
                  MakeRecord("31733467784618214", "2026-03-02", "10:00:00")};
  PollAt("2026-03-02 10:30:00");
  ASSERT_EQ(api_.cdr_queries.size(), 1u);
  EXPECT_EQ(api_.cdr_queries[0].from, "2026-03-02 00:00:00");
  EXPECT_EQ(api_.cdr_queries[0].to, "2026-03-02 10:29:55");
  EXPECT_THAT(Render(), HasSubstr(Answered() + "2"));

  PollAt("2026-03-02 10:31:00");
  EXPECT_EQ(api_.cdr_queries[1].from, "2026-03-02 09:59:55");
  EXPECT_THAT(Render(), HasSubstr(Answered() + "2"));
}

TEST_F(CdrPollerTest, UnsettledCallIsCountedOnceWhenSettled) {
  // A 50-minute call, answered, still in wrap-up when first read.
  auto record = MakeRecord("1", "2026-03-02", "08:00:00");
  record.duration = 3000;
  record.wrapup_end_time = "";
  record.disposition = "";
  api_.records = {record};
  PollAt("2026-03-02 08:51:00");
  PollAt("2026-03-02 09:00:00");
  EXPECT_EQ(AnsweredCount(), 0);
  // Beyond the 30-minute overlap, the window still reaches back to the
  // unsettled call's start.
  api_.records[0].wrapup_end_time = "08:51:30";
  api_.records[0].disposition = "APPOINTMENT_BOOKED";
  PollAt("2026-03-02 09:20:00");
  EXPECT_EQ(api_.cdr_queries.back().from, "2026-03-02 08:00:00");
  EXPECT_EQ(AnsweredCount(), 1);
  EXPECT_THAT(Render(), HasSubstr("disposition=\"APPOINTMENT_BOOKED\"} 1"));
  PollAt("2026-03-02 09:21:00");
  EXPECT_EQ(AnsweredCount(), 1);
}

TEST_F(CdrPollerTest, UnsettledCallCountsAfterSettleTimeout) {
  auto record = MakeRecord("1", "2026-03-02", "08:00:00");
  record.wrapup_end_time = "";
  api_.records = {record};
  PollAt("2026-03-02 08:05:00");
  EXPECT_EQ(AnsweredCount(), 0);
  PollAt("2026-03-02 08:17:00");
  EXPECT_THAT(Render(), HasSubstr(Answered() + "1"));
}

TEST_F(CdrPollerTest, FailedPollCountsNothingAndIsRetriedCleanly) {
  api_.records = {MakeRecord("1", "2026-03-02", "09:00:00"),
                  MakeRecord("2", "2026-03-02", "09:10:00")};
  api_.next_failure = ozonetel::FailureReason::kParse;
  api_.deliver_before_failure = 1;  // a body truncated after one record
  PollAt("2026-03-02 09:30:00");
  EXPECT_EQ(AnsweredCount(), 0);
  PollAt("2026-03-02 09:45:00");
  EXPECT_EQ(api_.cdr_queries.back().from, "2026-03-02 00:00:00");
  EXPECT_THAT(Render(), HasSubstr(Answered() + "2"));
}

TEST_F(CdrPollerTest, LateRecordsOfYesterdayCountUntilTheCutOff) {
  api_.records = {MakeRecord("1", "2026-03-02", "22:00:00")};
  PollAt("2026-03-02 23:00:00");
  // Withheld record of yesterday that shows up after midnight.
  api_.records.push_back(MakeRecord("2", "2026-03-02", "12:00:00"));
  api_.records.push_back(MakeRecord("3", "2026-03-03", "00:10:00"));
  PollAt("2026-03-03 00:30:00");
  PollAt("2026-03-03 00:31:00");
  EXPECT_EQ(poller_->OpenDays().size(), 2u);
  EXPECT_THAT(Render(), HasSubstr(Answered() + "3"));
  // The yesterday reads cover the whole day.
  bool full_day_read = false;
  for (const auto& q : api_.cdr_queries) {
    full_day_read |=
        q.from == "2026-03-02 00:00:00" && q.to == "2026-03-02 23:59:59";
  }
  EXPECT_TRUE(full_day_read);
  api_.records.push_back(MakeRecord("4", "2026-03-02", "13:00:00"));
  PollAt("2026-03-03 03:01:00");  // final read of yesterday, then it closes
  EXPECT_EQ(api_.cdr_queries.back().from, "2026-03-02 00:00:00");
  EXPECT_THAT(Render(), HasSubstr(Answered() + "4"));
  ASSERT_EQ(poller_->OpenDays().size(), 1u);
  EXPECT_EQ(FormatDate(poller_->OpenDays()[0]), "2026-03-03");
  EXPECT_EQ(poller_->SeenCount(*ParseDate("2026-03-02")), 0u);
}

TEST_F(CdrPollerTest, RestartResumesWithoutResetOrDoubleCount) {
  api_.records = {MakeRecord("1", "2026-03-02", "09:00:00"),
                  MakeRecord("2", "2026-03-02", "09:05:00")};
  poller_->LoadState(false);
  PollAt("2026-03-02 09:30:00");
  const std::string before = Render();

  MakePoller();  // kill -9 and start again
  poller_->LoadState(true);
  EXPECT_EQ(Render(), before);
  api_.records.push_back(MakeRecord("3", "2026-03-02", "09:40:00"));
  PollAt("2026-03-02 09:45:00");
  EXPECT_THAT(Render(), HasSubstr(Answered() + "3"));
}

TEST_F(CdrPollerTest, CaughtUpOnlyOnceAPollReachedNow) {
  api_.records = {MakeRecord("1", "2026-03-02", "09:00:00")};
  clock_.Set(At("2026-03-02 14:00:00"));
  poller_->LoadState(false);
  EXPECT_FALSE(poller_->CaughtUp());  // a first start at 14:00
  api_.next_failure = ozonetel::FailureReason::kHttp;
  PollAt("2026-03-02 14:00:00");
  EXPECT_FALSE(poller_->CaughtUp());
  PollAt("2026-03-02 14:01:00");
  EXPECT_TRUE(poller_->CaughtUp());
  EXPECT_THAT(log_.str(), HasSubstr("caught up"));
}

TEST_F(CdrPollerTest, QuickRestartIsCaughtUpAtOnceLongDowntimeIsNot) {
  api_.records = {MakeRecord("1", "2026-03-02", "09:00:00")};
  poller_->LoadState(false);
  PollAt("2026-03-02 09:30:00");

  MakePoller();  // restarted two minutes later: publish the restored state
  clock_.Set(At("2026-03-02 09:32:00"));
  poller_->LoadState(true);
  EXPECT_TRUE(poller_->CaughtUp());

  MakePoller();  // restarted the next day: yesterday and today are unread
  clock_.Set(At("2026-03-03 01:00:00"));
  poller_->LoadState(true);
  EXPECT_FALSE(poller_->CaughtUp());
  PollAt("2026-03-03 01:00:00");  // one day read, the other not yet
  EXPECT_FALSE(poller_->CaughtUp());
  PollAt("2026-03-03 01:01:00");
  EXPECT_TRUE(poller_->CaughtUp());
}

TEST_F(CdrPollerTest, CorruptStateStartsFreshFromNow) {
  {
    std::ofstream out(dir_ / "cdr_state.json");
    out << "{\"version\":1,\"days\":[{\"date\":\"garbage\"}]";
  }
  api_.records = {MakeRecord("1", "2026-03-02", "09:00:00"),
                  MakeRecord("2", "2026-03-02", "10:00:00")};
  clock_.Set(At("2026-03-02 09:30:00"));
  poller_->LoadState(true);
  EXPECT_THAT(log_.str(), HasSubstr("state file is corrupt"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "cdr_state.json.corrupt"));
  PollAt("2026-03-02 10:30:00");
  // The 09:00 call predates the restart: not counted, so no jump.
  EXPECT_THAT(Render(), HasSubstr(Answered() + "1"));
}

TEST_F(CdrPollerTest, RecordsWithoutCallIdAreSkippedAndLogged) {
  api_.records = {MakeRecord("", "2026-03-02", "09:00:00")};
  PollAt("2026-03-02 09:30:00");
  EXPECT_THAT(log_.str(), HasSubstr("records without CallID skipped"));
  EXPECT_EQ(AnsweredCount(), 0);
}

TEST_F(CdrPollerTest, LearnsAgentNamesFromRecords) {
  api_.records = {MakeRecord("1", "2026-03-02", "09:00:00", "agent07")};
  PollAt("2026-03-02 09:30:00");
  EXPECT_EQ(agents_->IdForName("Name of agent07"), "agent07");
}

TEST(ToCallFactsTest, MapsDirectionAndStatusCaseBlind) {
  ozonetel::CdrRecord record;
  record.type = "inbound";
  record.status = "ANSWERED";
  auto facts = ToCallFacts(record);
  EXPECT_EQ(facts.agent, "unassigned");
  EXPECT_EQ(facts.direction, "inbound");
  EXPECT_TRUE(facts.answered);
  record.type = "Progressive";
  record.status = "NotAnswered";
  facts = ToCallFacts(record);
  EXPECT_EQ(facts.direction, "outbound");
  EXPECT_FALSE(facts.answered);
  record.type = "";
  EXPECT_EQ(ToCallFacts(record).direction, "outbound");
}

}  // namespace
}  // namespace callcenter
