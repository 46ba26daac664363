// The exposition model (family checks, histograms, saturation), the day
// ledger, per-source health, logfmt and the engine's readiness.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <sstream>

#include "core/day_ledger.h"
#include "core/engine.h"
#include "core/health.h"
#include "core/logging.h"
#include "core/metric_source.h"
#include "core/text_writer.h"
#include "testing/metrics.h"
#include "testing/temp_dir.h"

namespace callcenter::core {
namespace {

using test::SampleValue;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

TEST(CheckFamiliesTest, ReportsEveryKindOfProblem) {
  const std::vector<FamilySpec> families = {
      {"ok_total", "fine", MetricType::kCounter, {"agent"}},
      {"ok_total", "again", MetricType::kCounter, {}},
      {"calls", "a counter without _total", MetricType::kCounter, {}},
      {"up_total", "a gauge with _total", MetricType::kGauge, {}},
      {"0bad", "", MetricType::kGauge, {}},
      {"multi_line", "one\ntwo", MetricType::kGauge, {}},
      {"labels", "", MetricType::kGauge, {"le", "__x", "a", "a", "1b"}},
  };
  EXPECT_THAT(
      CheckFamilies(families),
      ElementsAre(HasSubstr("ok_total: declared by more than one source"),
                  HasSubstr("calls: a counter's name must end in _total"),
                  HasSubstr("up_total: only counters end in _total"),
                  HasSubstr("invalid metric name \"0bad\""),
                  HasSubstr("multi_line: help must be one line"),
                  HasSubstr("labels: label \"le\" is reserved"),
                  HasSubstr("labels: invalid label name \"__x\""),
                  HasSubstr("labels: label \"a\" declared twice"),
                  HasSubstr("labels: invalid label name \"1b\"")));
  EXPECT_TRUE(IsValidMetricName("level:metric:rate5m"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
}

TEST(IntHistogramTest, BucketsAreLessOrEqualAndRestoreIsChecked) {
  const std::vector<int64_t> bounds = {10, 20};
  IntHistogram histogram(&bounds);
  for (int64_t value : {0, 10, 11, 20, 21, -5}) histogram.Observe(value);
  EXPECT_THAT(histogram.buckets(), ElementsAre(3, 2, 1));
  EXPECT_EQ(histogram.count(), 6u);
  EXPECT_EQ(histogram.sum(), 62);  // negative observations add nothing
  EXPECT_FALSE(histogram.Restore({1, 2}, 3));
  EXPECT_FALSE(histogram.Restore({1, 2, 3}, -1));
  EXPECT_FALSE(histogram.Restore({UINT64_MAX, 1, 0}, 3));
  EXPECT_EQ(histogram.count(), 6u);  // unchanged
  EXPECT_TRUE(histogram.Restore({1, 2, 3}, 4));
  EXPECT_EQ(histogram.count(), 6u);
  EXPECT_EQ(histogram.sum(), 4);
}

TEST(SaturatingAddTest, SumsNeverWrap) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(SaturatingAdd(max - 1, int64_t{5}), max);
  EXPECT_EQ(SaturatingAdd(int64_t{2}, int64_t{3}), 5);
  EXPECT_EQ(SaturatingAdd(UINT64_MAX - 1, uint64_t{5}), UINT64_MAX);
  const std::vector<int64_t> bounds = {10};
  IntHistogram histogram(&bounds);
  ASSERT_TRUE(histogram.Restore({0, 1}, max - 10));
  histogram.Observe(604800);
  EXPECT_EQ(histogram.sum(), max);
}

TEST(LabelSetTest, KeepsAtMostEightLabels) {
  LabelSet labels;
  for (int i = 0; i < 10; ++i) labels.Add("l", "v");
  EXPECT_EQ(labels.size(), LabelSet::kMaxLabels);
}

TEST(CompactIdTest, SeventeenDigitIdsAreExact) {
  EXPECT_EQ(CompactId("31733467784618213"), 31733467784618213ULL);
  EXPECT_EQ(CompactId("9007199254740993"), 9007199254740993ULL);  // 2^53 + 1
  EXPECT_NE(CompactId("31733467784618213"), CompactId("31733467784618214"));
  // Anything else is hashed into the upper half, apart from numeric ids.
  EXPECT_GE(CompactId("abc"), uint64_t{1} << 63);
  EXPECT_GE(CompactId("1234567890123456789"), uint64_t{1} << 63);
  EXPECT_NE(CompactId("abc"), CompactId("abd"));
}

TEST(DayLedgerTest, SaveLoadRoundTripAndMalformedInput) {
  const Date day = *ParseDate("2026-03-02");
  DayLedger ledger;
  ledger.Mark(day, 7, 1);
  ledger.Mark(day, 3, 2);
  ledger.Open(AddDays(day, 1));
  EXPECT_EQ(ledger.Stage(day, 7), 1);
  EXPECT_EQ(ledger.Stage(day, 8), 0);
  EXPECT_EQ(ledger.TotalSize(), 2u);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  ledger.Save(&writer);
  EXPECT_EQ(std::string(buffer.GetString()),
            R"([{"date":"2026-03-02","ids":[[3,2],[7,1]]},)"
            R"({"date":"2026-03-03","ids":[]}])");
  rapidjson::Document doc;
  doc.Parse(buffer.GetString());
  DayLedger restored;
  std::string error;
  ASSERT_TRUE(restored.Load(doc, &error)) << error;
  EXPECT_EQ(restored.Stage(day, 3), 2);
  EXPECT_EQ(restored.Days().size(), 2u);
  for (const char* bad :
       {R"({})", R"([{"date":"9999-12-31","ids":[]}])",
        R"([{"date":"2026-03-02","ids":[[1,0]]}])",
        R"([{"date":"2026-03-02","ids":[[1,256]]}])",
        R"([{"date":"2026-03-02","ids":[]},{"date":"2026-03-02","ids":[]}])"}) {
    doc.Parse(bad);
    EXPECT_FALSE(restored.Load(doc, &error)) << bad;
  }
  EXPECT_EQ(restored.Stage(day, 3), 2);  // unchanged by failed loads
}

// The flat table against the standard library's map, on the id shapes the
// ledger sees: near-sequential vendor CallIDs, hashed ids in the upper half,
// and the extremes; with stages raised after the fact, and marks of 0.
TEST(DayLedgerTest, AgreesWithAMapOverAFullDayOfIds) {
  const Date day = *ParseDate("2026-03-02");
  DayLedger ledger;
  std::map<uint64_t, uint8_t> expected;
  auto mark = [&](uint64_t id, uint8_t stage) {
    ledger.Mark(day, id, stage);
    if (stage != 0) expected[id] = stage;
  };
  uint64_t call_id = 13'872'346'012'000'000ULL;  // 17 digits, as the vendor's
  uint64_t random = 88172645463325252ULL;
  for (int i = 0; i < 200'000; ++i) {
    call_id += 1 + static_cast<uint64_t>(i % 7);
    mark(call_id, 1);
    random ^= random << 13;  // xorshift64
    random ^= random >> 7;
    random ^= random << 17;
    if (i % 4 == 0) mark(random | (uint64_t{1} << 63), 1);
    if (i % 3 == 0) mark(call_id, 2);  // settled after wrap-up
  }
  mark(0, 3);
  mark(std::numeric_limits<uint64_t>::max(), 255);
  mark(5, 0);        // not seen, and not counted
  mark(call_id, 0);  // seen stays seen, at its stage
  EXPECT_EQ(ledger.Size(day), expected.size());
  for (const auto& [id, stage] : expected) {
    ASSERT_EQ(ledger.Stage(day, id), stage) << id;
  }
  // The ids the vendor's stride skipped were never seen.
  uint64_t previous = 0;
  for (const auto& [id, stage] : expected) {
    if (id >> 63 == 0 && previous != 0 && id - previous < 8) {
      for (uint64_t gap = previous + 1; gap < id; ++gap) {
        ASSERT_EQ(ledger.Stage(day, gap), 0) << gap;
      }
    }
    previous = id;
  }
  EXPECT_EQ(ledger.Stage(day, 5), 0);
  EXPECT_EQ(ledger.Stage(day, 1), 0);
  EXPECT_EQ(ledger.Stage(AddDays(day, 1), call_id), 0);
  EXPECT_FALSE(ledger.IsOpen(AddDays(day, 1)));
  ledger.Mark(AddDays(day, 1), 7, 0);  // opens nothing
  EXPECT_FALSE(ledger.IsOpen(AddDays(day, 1)));
  ledger.Open(AddDays(day, 2));
  EXPECT_EQ(ledger.Stage(AddDays(day, 2), 0), 0);  // an open, empty day

  // Saved in id order, and loaded back into the same content.
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  ledger.Save(&writer);
  rapidjson::Document doc;
  doc.Parse(buffer.GetString());
  ASSERT_TRUE(doc.IsArray());
  const auto& ids = doc[0]["ids"];
  ASSERT_EQ(ids.Size(), expected.size());
  auto it = expected.begin();
  for (const auto& pair : ids.GetArray()) {
    ASSERT_EQ(pair[0].GetUint64(), it->first);
    ASSERT_EQ(pair[1].GetUint(), it->second);
    ++it;
  }
  DayLedger restored;
  std::string error;
  ASSERT_TRUE(restored.Load(doc, &error)) << error;
  EXPECT_EQ(restored.Size(day), expected.size());
  for (const auto& [id, stage] : expected) {
    ASSERT_EQ(restored.Stage(day, id), stage) << id;
  }
}

// A state file's list is only a size hint until its entries are checked.
TEST(DayLedgerTest, AHugeMalformedListFailsWithoutTakingTheRest) {
  std::string text = R"([{"date":"2026-03-02","ids":[)";
  for (int i = 0; i < 2'000'000; ++i) text += "0,";
  text.back() = ']';
  text += "}]";
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  ASSERT_FALSE(doc.HasParseError());
  DayLedger ledger;
  ledger.Mark(*ParseDate("2026-03-01"), 9, 1);
  std::string error;
  EXPECT_FALSE(ledger.Load(doc, &error));
  EXPECT_EQ(error, "malformed ledger id");
  EXPECT_EQ(ledger.Stage(*ParseDate("2026-03-01"), 9), 1);
}

TEST(SourceHealthTest, PresetsReasonsAndRecordsPolls) {
  FakeClock clock(FromUnixSeconds(1000));
  SourceHealth health({"ozonetel", "this API", {"cdr"}, true, {"auth", "http"}},
                      clock);
  health.RecordRequest("cdr", "http");
  health.RecordRequest("cdr", "");
  health.RecordPoll("cdr", true, 0.25);
  health.SetLimit("cdr", 2, 60);
  const std::string text = RenderText(health);
  EXPECT_EQ(
      SampleValue(
          text,
          R"(ozonetel_api_request_failures_total{api="cdr",reason="auth"})"),
      0);
  EXPECT_EQ(
      SampleValue(
          text,
          R"(ozonetel_api_request_failures_total{api="cdr",reason="http"})"),
      1);
  EXPECT_EQ(SampleValue(text, R"(ozonetel_api_requests_total{api="cdr"})"), 2);
  EXPECT_EQ(SampleValue(
                text, R"(ozonetel_last_success_timestamp_seconds{api="cdr"})"),
            1000);
  EXPECT_EQ(SampleValue(text, R"(ozonetel_up{api="cdr"})"), 1);
  EXPECT_EQ(SampleValue(text, R"(ozonetel_poll_duration_seconds{api="cdr"})"),
            0.25);
  EXPECT_EQ(SampleValue(text, R"(ozonetel_api_limit_requests{api="cdr"})"), 2);
  EXPECT_THAT(test::SourceProblems(health), IsEmpty());
  health.RecordPoll("cdr", false, 1, "http: HTTP 502");
  EXPECT_EQ(SampleValue(RenderText(health), R"(ozonetel_up{api="cdr"})"), 0);
  EXPECT_EQ(health.Statuses()[0].last_error, "http: HTTP 502");
}

TEST(SourceHealthTest, WithoutAnApiLabel) {
  FakeClock clock(FromUnixSeconds(1000));
  SourceHealth health({"crm", "the CRM", {"crm"}, false, {"graphql"}}, clock);
  health.RecordPoll("crm", false, 0.5, "graphql: bad");
  const std::string text = RenderText(health);
  EXPECT_EQ(SampleValue(text, "crm_up"), 0);
  EXPECT_EQ(
      SampleValue(text, R"(crm_api_request_failures_total{reason="graphql"})"),
      0);
  EXPECT_THAT(text, Not(HasSubstr("api=")));
  EXPECT_THAT(test::SourceProblems(health), IsEmpty());
}

TEST(LoggerTest, WritesLogfmtAboveTheLevel) {
  std::ostringstream out;
  Logger logger(out, LogLevel::kInfo);
  logger.Debug("cdr", "hidden");
  logger.Warn("cdr", "poll failed", {{"err", "HTTP 502 \"bad\""}, {"n", "3"}});
  const std::string line = out.str();
  EXPECT_THAT(line, Not(HasSubstr("hidden")));
  EXPECT_THAT(line, HasSubstr("level=warn source=cdr msg=\"poll failed\" "
                              "err=\"HTTP 502 \\\"bad\\\"\" n=3\n"));
  EXPECT_EQ(LogfmtValue("a=b"), "\"a=b\"");
  EXPECT_EQ(LogfmtValue(""), "\"\"");
  EXPECT_EQ(ParseLogLevel("warn"), LogLevel::kWarn);
  EXPECT_FALSE(ParseLogLevel("loud").has_value());
}

TEST(EngineTest, NotReadyNamesTheStorageWhileItCannotBeWritten) {
  test::TempDir dir;
  test::BreakableDir storage(dir.File("state"));
  std::ostringstream log;
  Logger logger(log, LogLevel::kDebug);
  FakeClock clock(FromUnixSeconds(1772400000));
  StopSignal stop;
  StateStore store(storage.path(), logger);
  BudgetGate budgets(clock, stop, logger, &store.File("request_history.json"));
  SnapshotPublisher publisher(logger, {});
  Engine engine(clock, logger, stop, store, budgets, publisher);
  engine.AddReadiness("cdr",
                      [] { return std::optional<std::string>("catching up"); });
  EXPECT_THAT(engine.NotReady(), ElementsAre("cdr: catching up"));
  storage.Break();
  EXPECT_FALSE(store.File("cdr_state.json").Save("{}"));
  EXPECT_THAT(engine.NotReady(),
              ElementsAre(HasSubstr("storage: state cannot be written under " +
                                    storage.path()),
                          "cdr: catching up"));
  storage.Repair();
  EXPECT_TRUE(store.File("cdr_state.json").Save("{}"));
  EXPECT_THAT(engine.NotReady(), ElementsAre("cdr: catching up"));
}

}  // namespace
}  // namespace callcenter::core
