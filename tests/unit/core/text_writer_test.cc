// TextWriter against prometheus-cpp's TextSerializer: the same families,
// collected with FamilyCollector, must serialise to the same bytes.
#include "core/text_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "testing/metrics.h"

namespace callcenter::core {
namespace {

using ::testing::HasSubstr;

const std::vector<int64_t> kBounds = {1, 5, 10, 3600};

class GoldenSource final : public MetricSource {
 public:
  std::vector<FamilySpec> Families() const override {
    return {
        {"test_calls_total",
         "Calls, by agent and status.",
         MetricType::kCounter,
         {"agent", "status"}},
        {"test_values", "Gauges of every shape.", MetricType::kGauge, {"case"}},
        {"test_plain", "", MetricType::kGauge, {}},
        {"test_empty", "Declared, never sampled.", MetricType::kGauge, {}},
        {"test_wait_seconds",
         "A histogram.",
         MetricType::kHistogram,
         {"campaign"}},
    };
  }

  void Render(MetricSink& sink) const override {
    const auto families = Families();
    sink.Begin(families[0]);
    sink.Sample({{"agent", "agent01"}, {"status", "answered"}}, 12);
    sink.Sample({{"agent", "Said \"no\""}, {"status", "a\\b"}}, 0);
    sink.Sample({{"agent", "Zoë"}, {"status", "{x=\"1\"}"}}, 1e15);
    sink.Sample({{"agent", ""}, {"status", "big"}}, 123456789012345678.0);
    sink.Begin(families[1]);
    const double values[] = {0.1,
                             -3.5,
                             1e-9,
                             1e300,
                             -1e300,
                             std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::max(),
                             -0.0,
                             999999999999999.0,
                             -999999999999999.0,
                             1e16,
                             4503599627370497.0,
                             std::nan(""),
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(),
                             1.0 / 3.0,
                             1772400000.25};
    int i = 0;
    for (double value : values) {
      const std::string name = "v" + std::to_string(i++);
      sink.Sample({{"case", name}}, value);
    }
    sink.Begin(families[2]);
    sink.Sample({}, 7);
    sink.Begin(families[3]);
    sink.Begin(families[4]);
    const std::vector<uint64_t> buckets = {1, 0, 4, 2, 3};
    sink.Histogram({{"campaign", "Inbound \"Main\""}},
                   {kBounds, buckets, 10, 4021});
    const std::vector<uint64_t> empty(5, 0);
    sink.Histogram({{"campaign", "none"}}, {kBounds, empty, 0, 0});
  }
};

TEST(TextWriterTest, ByteIdenticalToPrometheusCppTextSerializer) {
  GoldenSource source;
  const std::string ours = RenderText(source);
  EXPECT_EQ(ours, test::Serialized(source));
  EXPECT_THAT(
      ours,
      HasSubstr(R"(test_calls_total{agent="Said \"no\"",status="a\\b"} 0)"));
  EXPECT_THAT(ours, HasSubstr("test_values{case=\"v12\"} Nan\n"));
  EXPECT_THAT(ours, HasSubstr("test_values{case=\"v13\"} +Inf\n"));
  EXPECT_THAT(ours, HasSubstr("test_values{case=\"v14\"} -Inf\n"));
  EXPECT_THAT(
      ours,
      HasSubstr("test_wait_seconds_bucket{campaign=\"none\",le=\"+Inf\"} 0"));
  EXPECT_EQ(ours.find("test_empty"), std::string::npos);
}

TEST(TextWriterTest, HistogramBucketsAreCumulative) {
  GoldenSource source;
  const std::string text = RenderText(source);
  const std::string prefix =
      "test_wait_seconds_bucket{campaign=\"Inbound \\\"Main\\\"\",";
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"5\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"10\"} 5\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"3600\"} 7\n"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"+Inf\"} 10\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "test_wait_seconds_sum{campaign=\"Inbound \\\"Main\\\"\"} 4021\n"));
}

TEST(TextWriterTest, NewlinesInLabelValuesAreEscaped) {
  // The one deliberate difference from TextSerializer 1.0.1, which writes a
  // raw newline and breaks the scrape.
  std::string out;
  AppendLabelValue(&out, "line\nbreak \"q\" \\");
  EXPECT_EQ(out, R"(line\nbreak \"q\" \\)");
}

TEST(AppendNumberTest, MatchesPercentSixteenG) {
  for (double value : {0.0, 1.0, -1.0, 1e15, 1e15 + 1, 2.5e-7, 123.456}) {
    std::string out;
    AppendNumber(&out, value);
    char expected[64];
    std::snprintf(expected, sizeof(expected), "%.16g", value);
    EXPECT_EQ(out, expected) << value;
  }
}

}  // namespace
}  // namespace callcenter::core
