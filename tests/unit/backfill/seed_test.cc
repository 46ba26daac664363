// CdrPoller::SeedSnapshot: the state a backfill leaves. A CdrPoller that
// loads it holds the same counters, byte for byte, has no open day, and
// its first poll reads today from 00:00 on top of them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "core/state_store.h"
#include "core/text_writer.h"
#include "ozonetel/cdr_poller.h"
#include "testing/fake_ozonetel_api.h"
#include "testing/metrics.h"
#include "testing/temp_dir.h"

namespace callcenter::ozonetel {
namespace {

using ::testing::IsEmpty;

CallFacts Facts(std::string agent, bool inbound, bool answered,
                std::string disposition, int64_t talk) {
  CallFacts call;
  call.agent = std::move(agent);
  call.inbound = inbound;
  call.answered = answered;
  call.disposition = std::move(disposition);
  call.campaign = inbound ? "Inbound_Main" : "Outbound_A";
  call.talk = talk;
  call.hold = 3;
  call.wrapup = 7;
  call.handling = talk + 10;
  call.queue_wait = answered ? 12 : 40;
  return call;
}

std::string SaveJson(const CdrMetrics& metrics) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  metrics.Save(&writer);
  return buffer.GetString();
}

class SeedSnapshotTest : public ::testing::Test {
 protected:
  SeedSnapshotTest() {
    totals_.Publish();
    totals_.KnowAgent("unassigned");
    totals_.KnowAgent("agent07");
    for (const CallFacts& call :
         {Facts("agent01", true, true, "APPOINTMENT_BOOKED", 53),
          Facts("agent01", true, true, "CALLBACK", 300),
          Facts("agent02", false, true, "", 1200),
          Facts("unassigned", true, false, "", 0)}) {
      totals_.CountCall(call);
      totals_.CountSettlement(call);
    }
    // A call whose wrap-up was not over when the backfill ended.
    totals_.CountCall(Facts("agent02", true, true, "LATE", 20));
  }

  test::TempDir dir_;
  std::ostringstream log_;
  core::Logger logger_{log_, core::LogLevel::kDebug};
  FakeClock clock_{test::At("2026-03-02 09:00:00")};
  CdrMetrics totals_{CdrMetricsOptions{}};
};

TEST_F(SeedSnapshotTest, APollerLoadsTheSameCountersAndContinuesThem) {
  {
    core::StateStore store(dir_.path(), logger_);
    ASSERT_TRUE(store.File("cdr_state.json", true)
                    .Save(CdrPoller::SeedSnapshot(totals_)));
  }
  // The exporter's first start after the backfill.
  core::StateStore store(dir_.path(), logger_);
  EXPECT_TRUE(store.RanBefore());
  test::FakeOzonetelApi api;
  api.calls.push_back(
      test::SettledCall("31773467784610001", "2026-03-02 08:00:00", "agent01"));
  directory::AgentDirectory agents{directory::DirectoryConfig{}};
  RecordStats stats;
  CdrMetrics metrics{CdrMetricsOptions{}};
  CdrPollerOptions options;
  options.timezone_offset = test::kIst;
  CdrPoller poller(
      {api, metrics, agents, stats, &store.File("cdr_state.json", true), clock_,
       logger_, [] {}},
      options);
  poller.LoadState(store.RanBefore());
  EXPECT_THAT(log_.str(), ::testing::HasSubstr("state restored"));
  EXPECT_THAT(poller.OpenDays(), IsEmpty());
  EXPECT_EQ(SaveJson(metrics), SaveJson(totals_));
  metrics.Publish();
  const std::string before = core::RenderText(totals_);
  EXPECT_EQ(core::RenderText(metrics), before);
  EXPECT_THAT(test::SourceProblems(metrics), IsEmpty());

  // Today is read from its start, and its call adds to the seeded totals.
  EXPECT_EQ(poller.Poll().status, core::PollResult::Status::kOk);
  ASSERT_FALSE(api.cdr_queries.empty());
  EXPECT_EQ(api.cdr_queries[0].from, "2026-03-02 00:00:00");
  const std::string series =
      "ozonetel_calls_total{agent=\"agent01\",direction=\"inbound\","
      "status=\"answered\"}";
  EXPECT_EQ(test::SampleValue(before, series), 2);
  EXPECT_EQ(test::ValueOf(metrics, series), 3);
  EXPECT_EQ(test::ValueOf(metrics,
                          "ozonetel_call_dispositions_total{agent=\"agent01\","
                          "disposition=\"APPOINTMENT_BOOKED\"}"),
            2);
}

TEST_F(SeedSnapshotTest, AnEmptySeedIsAValidStateWithZeroCounters) {
  CdrMetrics empty{CdrMetricsOptions{}};
  {
    core::StateStore store(dir_.path(), logger_);
    ASSERT_TRUE(store.File("cdr_state.json", true)
                    .Save(CdrPoller::SeedSnapshot(empty)));
  }
  core::StateStore store(dir_.path(), logger_);
  test::FakeOzonetelApi api;
  directory::AgentDirectory agents{directory::DirectoryConfig{}};
  RecordStats stats;
  CdrMetrics metrics{CdrMetricsOptions{}};
  metrics.CountCall(Facts("agent09", true, true, "", 5));  // to be replaced
  CdrPoller poller(
      {api, metrics, agents, stats, &store.File("cdr_state.json", true), clock_,
       logger_, [] {}},
      CdrPollerOptions{});
  poller.LoadState(store.RanBefore());
  EXPECT_THAT(log_.str(), ::testing::Not(::testing::HasSubstr("corrupt")));
  EXPECT_EQ(SaveJson(metrics), SaveJson(empty));
}

}  // namespace
}  // namespace callcenter::ozonetel
