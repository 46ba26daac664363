// backfill::OpenMetricsSeries: what `promtool tsdb create-blocks-from
// openmetrics` needs. Every family once, its samples grouped series by
// series in time order; counters named without _total on their TYPE line;
// a counter or histogram series first seen late is zero before; one
// "# EOF" at the end.
#include "backfill/openmetrics_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "callcenter/common/strings.h"
#include "core/text_writer.h"

namespace callcenter::backfill {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<int64_t> kBounds = {5, 30};

// A source whose series come and go between snapshots.
class Source final : public core::MetricSource {
 public:
  std::vector<core::FamilySpec> Families() const override {
    return {
        {"test_calls_total",
         "Calls by agent.",
         core::MetricType::kCounter,
         {"agent"}},
        {"test_agent_info",
         "Agent names; always 1.",
         core::MetricType::kGauge,
         {"agent", "name"}},
        {"test_wait_seconds",
         "Queue waits.",
         core::MetricType::kHistogram,
         {"queue"}},
    };
  }
  void Render(core::MetricSink& sink) const override {
    const auto families = Families();
    sink.Begin(families[0]);
    for (const auto& [agent, count] : calls) {
      sink.Sample({{"agent", agent}}, static_cast<double>(count));
    }
    sink.Begin(families[1]);
    for (const auto& [agent, name] : names) {
      sink.Sample({{"agent", agent}, {"name", name}}, 1);
    }
    sink.Begin(families[2]);
    for (const auto& [queue, histogram] : waits) {
      sink.Histogram({{"queue", queue}}, histogram.View());
    }
  }

  std::map<std::string, uint64_t> calls;
  std::map<std::string, std::string> names;
  std::map<std::string, core::IntHistogram> waits;
};

std::vector<prometheus::MetricFamily> Collect(
    const core::MetricSource& source) {
  core::FamilyCollector collector;
  source.Render(collector);
  return collector.Take();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The sample lines of `series` (name and labels exactly), in file order.
std::vector<std::string> SamplesOf(const std::string& text,
                                   const std::string& series) {
  std::vector<std::string> found;
  for (const std::string& line : Lines(text)) {
    if (StartsWith(line, series + " ")) found.push_back(line);
  }
  return found;
}

class OpenMetricsSeriesTest : public ::testing::Test {
 protected:
  OpenMetricsSeriesTest() {
    // t=100: agent01 and its name, queue q1.
    source_.calls["agent01"] = 1;
    source_.names["agent01"] = "Asha";
    Wait("q1", 3);
    series_.Add(100, Collect(source_));
    // t=200: agent02 appears (a counter first seen late), q2 too; the
    // gauge of agent01 goes.
    source_.calls["agent01"] = 2;
    source_.calls["agent02"] = 5;
    source_.names.erase("agent01");
    source_.names["agent02"] = "Ravi \"R\"\\";
    Wait("q2", 40);
    series_.Add(200, Collect(source_));
    // t=300, added out of order: everything grows.
    source_.calls["agent02"] = 6;
    Wait("q1", 10);
  }

  void Wait(const std::string& queue, int64_t seconds) {
    source_.waits.try_emplace(queue, &kBounds).first->second.Observe(seconds);
  }

  std::string Written() {
    std::ostringstream out;
    series_.Write(out);
    return out.str();
  }

  Source source_;
  OpenMetricsSeries series_;
};

TEST_F(OpenMetricsSeriesTest, CountersKeepTotalOnSamplesNotOnTheFamily) {
  series_.Add(300, Collect(source_));
  const std::string text = Written();
  EXPECT_THAT(text, HasSubstr("# TYPE test_calls counter\n"
                              "# HELP test_calls Calls by agent.\n"));
  EXPECT_THAT(text, Not(HasSubstr("# TYPE test_calls_total")));
  EXPECT_THAT(text, HasSubstr("# TYPE test_agent_info gauge\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE test_wait_seconds histogram\n"));
  EXPECT_THAT(SamplesOf(text, "test_calls_total{agent=\"agent01\"}"),
              ElementsAre("test_calls_total{agent=\"agent01\"} 1 100",
                          "test_calls_total{agent=\"agent01\"} 2 200",
                          "test_calls_total{agent=\"agent01\"} 2 300"));
}

TEST_F(OpenMetricsSeriesTest, ALateCounterOrHistogramIsZeroBeforeAGaugeIsNot) {
  series_.Add(300, Collect(source_));
  const std::string text = Written();
  EXPECT_THAT(SamplesOf(text, "test_calls_total{agent=\"agent02\"}"),
              ElementsAre("test_calls_total{agent=\"agent02\"} 0 100",
                          "test_calls_total{agent=\"agent02\"} 5 200",
                          "test_calls_total{agent=\"agent02\"} 6 300"));
  EXPECT_THAT(SamplesOf(text, "test_wait_seconds_count{queue=\"q2\"}"),
              ElementsAre("test_wait_seconds_count{queue=\"q2\"} 0 100",
                          "test_wait_seconds_count{queue=\"q2\"} 1 200",
                          "test_wait_seconds_count{queue=\"q2\"} 1 300"));
  EXPECT_THAT(
      SamplesOf(text, "test_wait_seconds_bucket{queue=\"q2\",le=\"30\"}"),
      ElementsAre("test_wait_seconds_bucket{queue=\"q2\",le=\"30\"} 0 100",
                  "test_wait_seconds_bucket{queue=\"q2\",le=\"30\"} 0 200",
                  "test_wait_seconds_bucket{queue=\"q2\",le=\"30\"} 0 300"));
  EXPECT_THAT(
      SamplesOf(text, "test_wait_seconds_bucket{queue=\"q2\",le=\"+Inf\"}"),
      ElementsAre("test_wait_seconds_bucket{queue=\"q2\",le=\"+Inf\"} 0 100",
                  "test_wait_seconds_bucket{queue=\"q2\",le=\"+Inf\"} 1 200",
                  "test_wait_seconds_bucket{queue=\"q2\",le=\"+Inf\"} 1 300"));
  EXPECT_THAT(SamplesOf(text, "test_wait_seconds_sum{queue=\"q1\"}"),
              ElementsAre("test_wait_seconds_sum{queue=\"q1\"} 3 100",
                          "test_wait_seconds_sum{queue=\"q1\"} 3 200",
                          "test_wait_seconds_sum{queue=\"q1\"} 13 300"));
  // A gauge exists only where it was observed, before and after.
  EXPECT_THAT(
      SamplesOf(text, "test_agent_info{agent=\"agent01\",name=\"Asha\"}"),
      ElementsAre("test_agent_info{agent=\"agent01\",name=\"Asha\"} 1 100"));
  EXPECT_THAT(SamplesOf(text,
                        "test_agent_info{agent=\"agent02\",name=\"Ravi "
                        "\\\"R\\\"\\\\\"}"),
              ElementsAre("test_agent_info{agent=\"agent02\",name=\"Ravi "
                          "\\\"R\\\"\\\\\"} 1 200",
                          "test_agent_info{agent=\"agent02\",name=\"Ravi "
                          "\\\"R\\\"\\\\\"} 1 300"));
  EXPECT_EQ(series_.series_count(), 2u + 2u + 2u);
}

// The metric (series) a sample line belongs to: a histogram's _bucket,
// _count and _sum lines of one label set, without `le`, are one metric.
std::string MetricOf(const std::string& line, const std::string& family,
                     bool histogram) {
  std::string key = line.substr(0, line.find(' '));
  if (!histogram) return key;
  for (const char* suffix : {"_bucket", "_count", "_sum"}) {
    const std::string prefix = family + suffix;
    if (StartsWith(key, prefix)) key = family + key.substr(prefix.size());
  }
  const size_t le = key.find(",le=\"");
  if (le != std::string::npos) key.erase(le, key.find('"', le + 5) + 1 - le);
  return key;
}

// The grouping promtool insists on: a family's metadata once, then its
// samples only; each metric's points together and in time order (a
// histogram point is its buckets, count and sum at one time); "# EOF" last
// and once.
TEST_F(OpenMetricsSeriesTest, SamplesAreGroupedByFamilyAndSeriesInTimeOrder) {
  series_.Add(300, Collect(source_));
  series_.Add(50, Collect(source_));  // snapshots may come in any order
  const std::vector<std::string> lines = Lines(Written());
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "# EOF");
  std::set<std::string> families_done;
  std::set<std::string> metrics_done;
  std::string family;
  bool histogram = false;
  std::string metric;
  int64_t last_time = -1;
  int points = 0;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    const std::string& line = lines[i];
    ASSERT_NE(line, "# EOF") << "a second # EOF at line " << i;
    if (StartsWith(line, "# TYPE ")) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(families_done.insert(name).second)
          << "family twice: " << name;
      family = name;
      histogram = line == "# TYPE " + name + " histogram";
      metric.clear();
      continue;
    }
    if (StartsWith(line, "# HELP ")) {
      EXPECT_TRUE(StartsWith(line, "# HELP " + family + " ")) << line;
      continue;
    }
    ASSERT_FALSE(family.empty()) << "a sample before any TYPE: " << line;
    EXPECT_TRUE(StartsWith(line, family)) << line << " outside " << family;
    const int64_t time = std::stoll(line.substr(line.rfind(' ') + 1));
    const std::string key = MetricOf(line, family, histogram);
    if (key != metric) {
      EXPECT_TRUE(metrics_done.insert(key).second) << "metric split: " << key;
      metric = key;
      last_time = -1;
    }
    // Within a histogram point the time repeats; points only move forward.
    if (time != last_time) {
      EXPECT_GT(time, last_time) << line;
      ++points;
    }
    last_time = time;
  }
  EXPECT_EQ(families_done,
            (std::set<std::string>{"test_calls", "test_agent_info",
                                   "test_wait_seconds"}));
  // The snapshot at 50 has agent02 and q2, which the one at 100 lacks:
  // they are zero-filled only before their first point, never in a gap.
  // agent01 and q1 at 4 times, agent02 and q2 at 3, the gauges where seen.
  EXPECT_EQ(metrics_done.size(), 6u);
  EXPECT_EQ(points, 4 + 3 + 4 + 3 + 1 + 3);
}

TEST(OpenMetricsSeriesEmptyTest, NothingButEof) {
  OpenMetricsSeries series;
  std::ostringstream out;
  series.Write(out);
  EXPECT_EQ(out.str(), "# EOF\n");
  EXPECT_EQ(series.series_count(), 0u);
}

}  // namespace
}  // namespace callcenter::backfill
