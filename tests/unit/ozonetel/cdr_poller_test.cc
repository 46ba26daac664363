// CdrPoller against an in-memory API and real state files: exact counting
// in two stages, batches and crashes, compaction, midnight, ranges,
// storage that fails and comes back, and recovery after an outage.
#include "ozonetel/cdr_poller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <sstream>

#include "callcenter/common/files.h"
#include "core/budgets.h"
#include "core/engine.h"
#include "core/poll_loop.h"
#include "core/text_writer.h"
#include "testing/fake_ozonetel_api.h"
#include "testing/metrics.h"
#include "testing/temp_dir.h"

namespace callcenter::ozonetel {
namespace {

using test::At;
using test::FakeCall;
using test::FakeOzonetelApi;
using test::kIst;
using test::SettledCall;
using ::testing::HasSubstr;

Date Day(const std::string& text) { return *ParseDate(text); }

// One exporter process: its own state objects over the shared directory.
struct Process {
  Process(const std::string& dir, const Clock& clock, core::StopSignal& stop,
          const core::Logger& logger, FakeOzonetelApi& api,
          CdrPollerOptions options, bool persist_history)
      : store(dir, logger),
        gate(clock, stop, logger,
             persist_history ? &store.File("request_history.json") : nullptr),
        agents(directory::DirectoryConfig{}),
        metrics(CdrMetricsOptions{}),
        poller(CdrPoller::Deps{api, metrics, agents, stats,
                               &store.File("cdr_state.json", true), clock,
                               logger, [this] { ++changes; }},
               options) {
    gate.AddFamily(kCdrApi, 1000, Seconds(60), Seconds(0));
    agents.Bind(&store.File("agents.json"), nullptr);
  }

  core::StateStore store;
  core::BudgetGate gate;
  directory::AgentDirectory agents;
  CdrMetrics metrics;
  RecordStats stats;
  CdrPoller poller;
  int changes = 0;
};

class CdrPollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.timezone_offset = kIst;
    options_.overlap = Seconds(30 * 60);
    options_.settle_timeout = Seconds(15 * 60);
  }

  // Starts a process over the state directory; `restart` keeps the files.
  Process& Start(bool persist_history = false) {
    if (process_) api_.gate = nullptr;
    process_.reset();
    process_ =
        std::make_unique<Process>(storage_.path(), clock_, stop_, logger_, api_,
                                  options_, persist_history);
    if (persist_history) api_.gate = &process_->gate;
    process_->agents.Load(logger_);
    process_->gate.LoadHistory(process_->store.RanBefore());
    process_->poller.LoadState(process_->store.RanBefore());
    process_->metrics.Publish();  // counters readable before catching up
    return *process_;
  }

  core::PollResult PollAt(const std::string& local) {
    clock_.Set(At(local));
    return process_->poller.Poll();
  }

  std::string Text() const { return core::RenderText(process_->metrics); }
  double Value(const std::string& series) const {
    return test::SampleValue(Text(), series).value_or(0);
  }
  double Answered(const std::string& agent = "agent01") const {
    return Value("ozonetel_calls_total{agent=\"" + agent +
                 "\",direction=\"inbound\",status=\"answered\"}");
  }
  double Dispositions(const std::string& agent = "agent01") const {
    return Value("ozonetel_call_dispositions_total{agent=\"" + agent +
                 "\",disposition=\"APPOINTMENT_BOOKED\"}");
  }
  double Seconds_(const std::string& part) const {
    return Value("ozonetel_call_" + part +
                 "_seconds_total{agent=\"agent01\",direction=\"inbound\"}");
  }
  double TalkCount() const {
    return Value(
        "ozonetel_call_talk_duration_seconds_count{direction=\"inbound\"}");
  }

  test::TempDir dir_;
  test::BreakableDir storage_{dir_.File("state")};
  std::ostringstream log_;
  core::Logger logger_{log_, core::LogLevel::kDebug};
  FakeClock clock_{At("2026-03-02 09:00:00")};
  core::StopSignal stop_;
  FakeOzonetelApi api_;
  CdrPollerOptions options_;
  std::unique_ptr<Process> process_;
};

TEST_F(CdrPollerTest, FirstStartReadsFromMidnightAndOverlapsWithoutRecount) {
  api_.calls = {SettledCall("31733467784618213", "2026-03-02 09:00:00"),
                SettledCall("31733467784618214", "2026-03-02 10:00:00")};
  Start();
  PollAt("2026-03-02 10:30:00");
  ASSERT_EQ(api_.cdr_queries.size(), 1u);
  EXPECT_EQ(api_.cdr_queries[0].from, "2026-03-02 00:00:00");
  EXPECT_EQ(api_.cdr_queries[0].to, "2026-03-02 10:29:55");
  EXPECT_EQ(Answered(), 2);
  PollAt("2026-03-02 10:31:00");
  EXPECT_EQ(api_.cdr_queries[1].from, "2026-03-02 09:59:55");
  EXPECT_EQ(Answered(), 2);
  EXPECT_EQ(process_->poller.Stage(Day("2026-03-02"), "31733467784618213"), 2);
  EXPECT_EQ(process_->agents.IdForName("Name of agent01"), "agent01");
}

TEST_F(CdrPollerTest, AnAnsweredCallWithoutWrapUpEndCountsInTwoStages) {
  FakeCall call = SettledCall("1", "2026-03-02 09:00:00");
  call.record.has_wrapup_end = false;
  api_.calls = {call};
  Start();
  PollAt("2026-03-02 08:59:00");  // not started yet
  EXPECT_EQ(Answered(), 0);
  PollAt("2026-03-02 09:01:30");  // ended: the call, talk, hold, histograms
  EXPECT_EQ(Answered(), 1);
  EXPECT_EQ(Seconds_("talk"), 50);
  EXPECT_EQ(Seconds_("hold"), 2);
  EXPECT_EQ(TalkCount(), 1);
  EXPECT_EQ(Dispositions(), 0);
  EXPECT_EQ(Seconds_("wrapup"), 0);
  EXPECT_EQ(Seconds_("handling"), 0);
  PollAt("2026-03-02 09:10:00");  // wrap-up may still change it
  EXPECT_EQ(Dispositions(), 0);
  PollAt("2026-03-02 09:16:01");  // settle_timeout after the end
  EXPECT_EQ(Dispositions(), 1);
  EXPECT_EQ(Seconds_("wrapup"), 8);
  EXPECT_EQ(Seconds_("handling"), 60);
  PollAt("2026-03-02 09:20:00");
  EXPECT_EQ(Answered(), 1);
  EXPECT_EQ(Dispositions(), 1);
  EXPECT_EQ(Seconds_("talk"), 50);
  EXPECT_EQ(Seconds_("handling"), 60);
  EXPECT_EQ(TalkCount(), 1);
}

TEST_F(CdrPollerTest, ACallWithWrapUpEndCountsEverythingAtOnce) {
  api_.calls = {SettledCall("1", "2026-03-02 09:00:00")};
  Start();
  PollAt("2026-03-02 09:01:30");
  EXPECT_EQ(Answered(), 1);
  EXPECT_EQ(Dispositions(), 1);
  EXPECT_EQ(Seconds_("handling"), 60);
  PollAt("2026-03-02 09:02:30");
  EXPECT_EQ(Answered(), 1);
  EXPECT_EQ(Dispositions(), 1);
}

TEST_F(CdrPollerTest, BothStagesSurviveARestartMidwayExactlyOnce) {
  FakeCall unsettled = SettledCall("1", "2026-03-02 09:00:00");
  unsettled.record.has_wrapup_end = false;
  api_.calls = {unsettled, SettledCall("2", "2026-03-02 09:00:10")};
  Start();
  PollAt("2026-03-02 09:01:30");
  EXPECT_EQ(Answered(), 2);
  EXPECT_EQ(Dispositions(), 1);
  const std::string after_first_stage = Text();

  Start();  // kill -9 and start again: the journal is replayed
  EXPECT_EQ(Text(), after_first_stage);
  PollAt("2026-03-02 09:05:00");
  EXPECT_EQ(Answered(), 2);
  EXPECT_EQ(Dispositions(), 1);
  PollAt("2026-03-02 09:17:00");
  EXPECT_EQ(Answered(), 2);
  EXPECT_EQ(Dispositions(), 2);
  const std::string settled = Text();

  Start();
  EXPECT_EQ(Text(), settled);
  PollAt("2026-03-02 09:30:00");
  EXPECT_EQ(Text(), settled);
}

std::vector<FakeCall> TenCalls() {
  std::vector<FakeCall> calls;
  for (int i = 0; i < 10; ++i) {
    calls.push_back(SettledCall(std::to_string(31733467784618200LL + i),
                                "2026-03-02 09:0" + std::to_string(i) + ":00"));
  }
  return calls;
}

TEST_F(CdrPollerTest, ALargeResponseIsCommittedInSeveralJournalEntries) {
  options_.batch_calls = 3;
  api_.calls = TenCalls();
  Start();
  const size_t before =
      process_->store.File("cdr_state.json", true).journal_entries();
  PollAt("2026-03-02 10:00:00");
  // Three full batches, then the last calls with the window.
  EXPECT_EQ(process_->store.File("cdr_state.json", true).journal_entries(),
            before + 4);
  EXPECT_EQ(Answered(), 10);
}

TEST_F(CdrPollerTest, ACrashInTheMiddleOfAResponseCountsEveryCallOnce) {
  options_.batch_calls = 3;
  api_.calls = TenCalls();
  api_.truncate_after = 7;  // the connection dies after seven records
  Start();
  EXPECT_EQ(PollAt("2026-03-02 10:00:00").status,
            core::PollResult::Status::kFailed);
  EXPECT_EQ(Answered(), 6);  // two whole batches committed
  process_.reset();          // a crash: nothing more is written

  Start();
  EXPECT_EQ(Answered(), 6);
  PollAt("2026-03-02 10:01:00");  // the window did not move: read again
  EXPECT_EQ(api_.cdr_queries.back().from, "2026-03-02 00:00:00");
  EXPECT_EQ(Answered(), 10);
  EXPECT_EQ(Dispositions(), 10);
  const std::string counted = Text();
  Start();
  EXPECT_EQ(Text(), counted);
  PollAt("2026-03-02 10:02:00");
  EXPECT_EQ(Text(), counted);
}

TEST_F(CdrPollerTest,
       CompactionLosesAndDuplicatesNothingEvenWithAStaleJournal) {
  options_.batch_calls = 3;
  api_.calls = TenCalls();
  Start();
  PollAt("2026-03-02 10:00:00");
  const std::string counted = Text();
  const std::string journal = storage_.path() + "/cdr_state.json.journal";
  const std::string stale = test::ReadText(journal);
  ASSERT_FALSE(stale.empty());

  Start();  // loading compacts: a new snapshot, an empty journal
  EXPECT_EQ(Text(), counted);
  EXPECT_NE(test::ReadText(journal), stale);
  // A crash between the snapshot's rename and the journal's reset leaves
  // the old journal beside the new snapshot.
  test::WriteText(journal, stale);
  Start();
  EXPECT_EQ(Text(), counted);
  PollAt("2026-03-02 10:01:00");
  EXPECT_EQ(Text(), counted);
  EXPECT_EQ(Answered(), 10);
}

TEST_F(CdrPollerTest, CompactionEveryFewEntriesKeepsTheCounts) {
  options_.batch_calls = 2;
  options_.compact_after_entries = 2;
  api_.calls = TenCalls();
  Start();
  PollAt("2026-03-02 09:04:30");
  PollAt("2026-03-02 10:00:00");
  EXPECT_EQ(Answered(), 10);
  const std::string counted = Text();
  Start();
  EXPECT_EQ(Text(), counted);
}

TEST_F(CdrPollerTest,
       AStateFileNested200000DeepIsSetAsideAndCountingStartsFresh) {
  test::WriteText(
      storage_.path() + "/cdr_state.json",
      R"({"version":2,"metrics":)" + std::string(200000, '[') + "}");
  test::WriteText(storage_.path() + "/other.json", "{}");  // ran before
  api_.calls = {SettledCall("1", "2026-03-02 08:00:00"),
                SettledCall("2", "2026-03-02 09:10:00")};
  Start();
  EXPECT_TRUE(FileExists(storage_.path() + "/cdr_state.json.corrupt"));
  EXPECT_THAT(log_.str(), HasSubstr("state file is corrupt"));
  PollAt("2026-03-02 09:30:00");
  // The 08:00 call predates the restart (09:00): not counted, so no jump.
  EXPECT_EQ(Answered(), 1);
}

TEST_F(CdrPollerTest, StateTimesOutsideTheCenturyMakeTheFileCorrupt) {
  api_.calls = {SettledCall("1", "2026-03-02 08:00:00")};
  Start();
  PollAt("2026-03-02 08:30:00");
  Start();  // folds the journal into the snapshot
  process_.reset();
  // A window ending in 2200: the poller would never read again.
  const std::string path = storage_.path() + "/cdr_state.json";
  std::string state = test::ReadText(path);
  const size_t at = state.find("\"covered_until\":");
  ASSERT_NE(at, std::string::npos);
  const size_t end = state.find(',', at);
  state.replace(at, end - at, "\"covered_until\":7258118400000");
  test::WriteText(path, state);
  test::WriteText(path + ".journal", "");
  clock_.Set(At("2026-03-02 09:00:00"));
  Start();
  EXPECT_TRUE(FileExists(path + ".corrupt"));
  EXPECT_EQ(Answered(), 0);
}

TEST_F(CdrPollerTest, RefusedValuesAreCountedAsInvalidNeverAsCounters) {
  FakeCall call = SettledCall("1", "2026-03-02 09:00:00");
  call.record.invalid_fields = 3;  // e.g. CallDate 9999-12-31, durations
  call.record.call_date.reset();
  call.record.talk = 0;
  FakeCall no_id = SettledCall("2", "2026-03-02 09:01:00");
  no_id.record.call_id.reset();
  FakeCall future = SettledCall("3", "2026-03-02 09:02:00");
  future.record.start_time = 23 * 3600;  // a start the clock has not reached
  api_.calls = {call, no_id, future};
  Start();
  PollAt("2026-03-02 09:30:00");
  EXPECT_EQ(Answered(), 1);
  EXPECT_EQ(Seconds_("talk"), 0);
  EXPECT_EQ(process_->stats.invalid(RecordStats::kCdr), 3u + 1u + 1u);
  EXPECT_EQ(test::SampleValue(core::RenderText(process_->stats),
                              "ozonetel_invalid_fields_total{api=\"cdr\"}"),
            5);
}

TEST_F(CdrPollerTest, ACallAcrossMidnightCountsOnItsStartDayPromptlyAndOnce) {
  // Started 23:59:05 on the 2nd, ended 00:08:29 on the 3rd; the vendor
  // dates it by its end.
  FakeCall call = SettledCall("1", "2026-03-02 23:59:05");
  call.record.call_date = Day("2026-03-03");
  call.record.end_time = 8 * 60 + 29;
  api_.calls = {call};
  Start();
  PollAt("2026-03-02 23:58:00");
  PollAt("2026-03-03 00:10:00");  // today's first read
  PollAt("2026-03-03 00:10:40");  // yesterday, read whole
  EXPECT_EQ(api_.cdr_queries.back().from, "2026-03-02 00:00:00");
  EXPECT_EQ(Answered(), 1);
  PollAt("2026-03-03 00:20:00");
  PollAt("2026-03-03 03:01:00");  // the final read of the 2nd
  PollAt("2026-03-03 03:02:00");
  EXPECT_EQ(Answered(), 1);
  EXPECT_EQ(process_->poller.OpenDays(), std::vector<Date>{Day("2026-03-03")});
}

TEST_F(CdrPollerTest, LateRecordsOfYesterdayCountUntilTheCutOff) {
  api_.calls = {SettledCall("1", "2026-03-02 22:00:00")};
  Start();
  PollAt("2026-03-02 23:00:00");
  api_.calls.push_back(SettledCall("2", "2026-03-02 12:00:00"));  // late
  api_.calls.push_back(SettledCall("3", "2026-03-03 00:10:00"));
  PollAt("2026-03-03 00:30:00");
  PollAt("2026-03-03 00:31:00");
  EXPECT_EQ(process_->poller.OpenDays().size(), 2u);
  EXPECT_EQ(Answered(), 3);
  api_.calls.push_back(SettledCall("4", "2026-03-02 13:00:00"));
  PollAt("2026-03-03 03:01:00");  // final read of yesterday, then it closes
  EXPECT_EQ(api_.cdr_queries.back().from, "2026-03-02 00:00:00");
  EXPECT_EQ(api_.cdr_queries.back().to, "2026-03-02 23:59:59");
  EXPECT_EQ(Answered(), 4);
  EXPECT_EQ(process_->poller.OpenDays(), std::vector<Date>{Day("2026-03-03")});
  EXPECT_EQ(process_->poller.SeenCount(Day("2026-03-02")), 0u);
}

TEST_F(CdrPollerTest, CaughtUpOnlyOnceAPollReachedNow) {
  api_.calls = {SettledCall("1", "2026-03-02 09:00:00")};
  clock_.Set(At("2026-03-02 14:00:00"));
  process_ = std::make_unique<Process>(storage_.path(), clock_, stop_, logger_,
                                       api_, options_, false);
  process_->poller.LoadState(false);
  EXPECT_FALSE(process_->poller.CaughtUp());  // a first start at 14:00
  EXPECT_EQ(Text(), "");                      // counters withheld
  api_.cdr_failures = {test::Failure(FailureReason::kHttp, "HTTP 502", 502)};
  PollAt("2026-03-02 14:00:00");
  EXPECT_FALSE(process_->poller.CaughtUp());
  EXPECT_NE(process_->poller.CatchUpStatus(), "");
  PollAt("2026-03-02 14:01:00");
  EXPECT_TRUE(process_->poller.CaughtUp());
  EXPECT_EQ(process_->poller.CatchUpStatus(), "");
  EXPECT_EQ(Answered(), 1);
}

TEST_F(CdrPollerTest, StorageThatFailsClosedCountsEachCallOnceWhenItReturns) {
  api_.calls = {SettledCall("1", "2026-03-02 09:00:00"),
                SettledCall("2", "2026-03-02 09:05:00")};
  Process& process = Start(/*persist_history=*/true);
  core::SnapshotPublisher publisher(logger_, {});
  core::Engine engine(clock_, logger_, stop_, process.store, process.gate,
                      publisher);
  storage_.Break();
  const core::PollResult failed = PollAt("2026-03-02 09:30:00");
  EXPECT_EQ(failed.status, core::PollResult::Status::kFailed);
  EXPECT_EQ(failed.reason, "storage");
  EXPECT_EQ(api_.cdr_requests, 0);  // nothing sent that was not recorded
  EXPECT_EQ(Answered(), 0);
  EXPECT_FALSE(process.store.health().writable());
  ASSERT_EQ(engine.NotReady().size(), 1u);
  EXPECT_THAT(engine.NotReady()[0], HasSubstr("storage"));

  storage_.Repair();
  EXPECT_EQ(PollAt("2026-03-02 09:31:00").status,
            core::PollResult::Status::kOk);
  EXPECT_EQ(api_.cdr_requests, 1);
  EXPECT_EQ(Answered(), 2);
  EXPECT_TRUE(engine.NotReady().empty());
  const std::string counted = Text();
  Start(/*persist_history=*/true);
  EXPECT_EQ(Text(), counted);
}

TEST_F(CdrPollerTest, CallsThatCannotBeJournaledAreNotCounted) {
  // The request history lives elsewhere: the request goes out, and the
  // state file is what fails.
  api_.calls = {SettledCall("1", "2026-03-02 09:00:00"),
                SettledCall("2", "2026-03-02 09:05:00")};
  Start();
  storage_.Break();
  const core::PollResult failed = PollAt("2026-03-02 09:30:00");
  EXPECT_EQ(failed.status, core::PollResult::Status::kFailed);
  EXPECT_EQ(failed.reason, "storage");
  EXPECT_EQ(Answered(), 0);
  storage_.Repair();
  PollAt("2026-03-02 09:31:00");
  EXPECT_EQ(Answered(), 2);
  const std::string counted = Text();
  Start();
  EXPECT_EQ(Text(), counted);
  PollAt("2026-03-02 09:32:00");
  EXPECT_EQ(Text(), counted);
}

TEST_F(CdrPollerTest, AfterAnOutageTheNextGoodPollComesWithinTwoWindows) {
  // The real budget (2 a minute) and the module's cadence (its spacing).
  api_.calls = {SettledCall("1", "2026-03-02 09:00:00")};
  Process& process = Start(/*persist_history=*/true);
  process.gate.AddFamily(kCdrApi, 2, Seconds(60), Seconds(1));
  const auto window = process.gate.Spacing(kCdrApi);
  core::PollLoop loop(process.poller, {kCdrApi, kCdrApi, nullptr, window},
                      clock_, stop_, logger_, &process.gate);
  const TimePoint outage_end = At("2026-03-02 12:00:00");
  for (int i = 0; i < 2000; ++i) {
    api_.cdr_failures = {test::Failure(FailureReason::kHttp, "HTTP 503", 503)};
    clock_.Set(loop.RunOnce());
    if (clock_.Now() >= outage_end) break;
  }
  ASSERT_GE(clock_.Now(), outage_end);
  api_.cdr_failures.clear();  // the upstream is back
  const int requests = api_.cdr_requests;
  TimePoint success;
  for (int i = 0; i < 10 && api_.cdr_requests == requests; ++i) {
    success = clock_.Now();
    clock_.Set(loop.RunOnce());
  }
  EXPECT_EQ(api_.cdr_requests, requests + 1);
  EXPECT_LE(success - outage_end, 2 * window);
  EXPECT_EQ(Answered(), 1);
}

TEST(PlaceCallTest, PlacesACallOnTheDayItWasQueriedFor) {
  const Date day = Day("2026-03-02");
  CdrRecord record;
  record.call_date = day;
  record.start_time = 9 * 3600;
  record.end_time = 9 * 3600 + 60;
  const auto times = PlaceCall(record, day, kIst, At("2026-03-02 10:00:00"));
  ASSERT_TRUE(times.has_value());
  EXPECT_EQ(times->start, At("2026-03-02 09:00:00"));
  EXPECT_EQ(times->end, At("2026-03-02 09:01:00"));
  record.end_time.reset();
  record.duration = 30;
  EXPECT_EQ(PlaceCall(record, day, kIst, At("2026-03-02 10:00:00"))->end,
            At("2026-03-02 09:00:30"));
  record.start_time.reset();
  EXPECT_FALSE(PlaceCall(record, day, kIst, At("2026-03-02 10:00:00")));
}

TEST(PlaceCallTest, ACallAcrossMidnightDatedByItsEndStartedTheDayBefore) {
  const Date day = Day("2026-03-02");
  CdrRecord record;
  record.call_date = Day("2026-03-03");
  record.start_time = 23 * 3600 + 59 * 60 + 5;
  record.end_time = 8 * 60 + 29;
  const auto times = PlaceCall(record, day, kIst, At("2026-03-03 00:10:00"));
  ASSERT_TRUE(times.has_value());
  EXPECT_EQ(times->start, At("2026-03-02 23:59:05"));
  EXPECT_EQ(times->end, At("2026-03-03 00:08:29"));
  // The next day's date without a crossing cannot belong to this query.
  record.end_time = 23 * 3600 + 59 * 60 + 50;
  EXPECT_FALSE(PlaceCall(record, day, kIst, At("2026-03-03 00:10:00")));
  record.call_date = Day("2026-03-05");
  record.end_time = 8 * 60;
  EXPECT_FALSE(PlaceCall(record, day, kIst, At("2026-03-06 00:10:00")));
}

TEST(PlaceCallTest, AStartInTheFutureIsNeverTrusted) {
  const Date day = Day("2026-03-02");
  CdrRecord record;
  record.call_date = day;
  record.start_time = 23 * 3600;
  record.end_time = 23 * 3600 + 60;
  EXPECT_FALSE(PlaceCall(record, day, kIst, At("2026-03-02 10:00:00")));
  // Within the allowed clock skew (five minutes) it is believed.
  EXPECT_TRUE(PlaceCall(record, day, kIst, At("2026-03-02 22:56:00")));
  // The next day's date on a crossing call read the day it happened: its
  // start would be tomorrow night.
  record.call_date = Day("2026-03-03");
  record.end_time = 60;
  EXPECT_FALSE(
      PlaceCall(record, Day("2026-03-03"), kIst, At("2026-03-03 00:10:00")));
}

}  // namespace
}  // namespace callcenter::ozonetel
