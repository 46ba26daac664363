#include "ozonetel/cdr_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "core/text_writer.h"
#include "testing/metrics.h"

namespace callcenter::ozonetel {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

CallFacts Call(std::string agent, bool inbound, bool answered,
               std::string disposition = "") {
  CallFacts call;
  call.agent = std::move(agent);
  call.inbound = inbound;
  call.answered = answered;
  call.disposition = std::move(disposition);
  call.campaign = "Inbound_Main";
  call.talk = 53;
  call.wrapup = 5;
  call.handling = 58;
  call.queue_wait = 20;
  return call;
}

std::string Text(const CdrMetrics& metrics) {
  return core::RenderText(metrics);
}

void Count(CdrMetrics& metrics, const CallFacts& call) {
  metrics.CountCall(call);
  metrics.CountSettlement(call);
}

TEST(CdrMetricsTest, CountsCallsBySeriesExactly) {
  CdrMetrics metrics(CdrMetricsOptions{true, 50, 50});
  metrics.Publish();
  metrics.KnowAgent("unassigned");
  Count(metrics, Call("agent01", true, true, "APPOINTMENT_BOOKED"));
  Count(metrics, Call("agent01", true, false));
  Count(metrics, Call("unassigned", true, false));
  const std::string text = Text(metrics);
  EXPECT_THAT(text, HasSubstr("ozonetel_calls_total{agent=\"agent01\","
                              "direction=\"inbound\",status=\"answered\"} 1"));
  EXPECT_THAT(text, HasSubstr("ozonetel_calls_total{agent=\"agent01\","
                              "direction=\"outbound\",status=\"answered\"} 0"));
  EXPECT_THAT(text,
              HasSubstr("ozonetel_calls_total{agent=\"unassigned\",direction="
                        "\"inbound\",status=\"unanswered\"} 1"));
  EXPECT_THAT(text, HasSubstr("ozonetel_call_dispositions_total{agent="
                              "\"agent01\",disposition=\"none\"} 1"));
  EXPECT_THAT(text, HasSubstr("ozonetel_call_talk_seconds_total{agent="
                              "\"agent01\",direction=\"inbound\"} 106"));
  EXPECT_THAT(text, HasSubstr("ozonetel_call_handling_seconds_total{agent="
                              "\"agent01\",direction=\"inbound\"} 116"));
  EXPECT_THAT(test::SourceProblems(metrics), IsEmpty());
}

TEST(CdrMetricsTest, WithheldUntilPublished) {
  CdrMetrics metrics(CdrMetricsOptions{});
  Count(metrics, Call("agent01", true, true));
  EXPECT_EQ(Text(metrics), "");
  metrics.Publish();
  EXPECT_NE(Text(metrics), "");
}

TEST(CdrMetricsTest, HistogramBucketsAreLessOrEqual) {
  CdrMetrics metrics(CdrMetricsOptions{});
  metrics.Publish();
  CallFacts call = Call("agent01", true, true);
  for (int64_t wait : {0, 20, 21, 300, 5000}) {
    call.queue_wait = wait;
    metrics.CountCall(call);
  }
  call.answered = false;  // unanswered calls have no answer wait
  metrics.CountCall(call);
  const std::string text = Text(metrics);
  const std::string prefix =
      "ozonetel_call_queue_wait_seconds_bucket{campaign=\"Inbound_Main\",";
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"5\"} 1"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"20\"} 2"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"30\"} 3"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"600\"} 4"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"+Inf\"} 5"));
  EXPECT_THAT(text, HasSubstr("ozonetel_call_queue_wait_seconds_sum{campaign="
                              "\"Inbound_Main\"} 5341"));
  EXPECT_THAT(text, HasSubstr("ozonetel_call_talk_duration_seconds_count{"
                              "direction=\"inbound\"} 5"));
}

TEST(CdrMetricsTest, DispositionsBeyondTheCapBecomeOther) {
  CdrMetrics metrics(CdrMetricsOptions{true, 2, 50});
  metrics.Publish();
  for (const char* d : {"A", "B", "C", "A", " ", "D"}) {
    metrics.CountSettlement(Call("agent01", false, true, d));
  }
  const std::string text = Text(metrics);
  EXPECT_THAT(text, HasSubstr("disposition=\"A\"} 2"));
  EXPECT_THAT(text, HasSubstr("disposition=\"other\"} 2"));
  EXPECT_THAT(text, HasSubstr("disposition=\"none\"} 1"));
  EXPECT_THAT(text, Not(HasSubstr("disposition=\"C\"")));
}

TEST(CdrMetricsTest, WithoutPerAgentLabelsSeriesAreSummed) {
  CdrMetrics metrics(CdrMetricsOptions{false, 50, 50});
  metrics.Publish();
  Count(metrics, Call("agent01", true, true));
  Count(metrics, Call("agent02", true, true));
  const std::string text = Text(metrics);
  EXPECT_THAT(
      text,
      HasSubstr(
          "ozonetel_calls_total{direction=\"inbound\",status=\"answered\"} 2"));
  EXPECT_THAT(text, Not(HasSubstr("agent=")));
  EXPECT_THAT(test::SourceProblems(metrics), IsEmpty());
}

std::string SaveJson(const CdrMetrics& metrics) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  metrics.Save(&writer);
  return buffer.GetString();
}

TEST(CdrMetricsTest, SaveAndLoadRenderIdentically) {
  CdrMetrics metrics(CdrMetricsOptions{true, 2, 50});
  metrics.Publish();
  for (const char* d : {"A", "B", "C"})
    Count(metrics, Call("agent01", true, true, d));
  rapidjson::Document doc;
  doc.Parse(SaveJson(metrics).c_str());
  CdrMetrics restored(CdrMetricsOptions{true, 2, 50});
  restored.Publish();
  std::string error;
  ASSERT_TRUE(restored.Load(doc, &error)) << error;
  EXPECT_EQ(Text(restored), Text(metrics));
  // The admitted set survives too: "C" stays "other" after the restart.
  restored.CountSettlement(Call("agent01", true, true, "C"));
  EXPECT_THAT(Text(restored), HasSubstr("disposition=\"other\"} 2"));
}

TEST(CdrMetricsTest, SecondSumsSaturateInsteadOfWrapping) {
  CdrMetrics metrics(CdrMetricsOptions{});
  metrics.Publish();
  const int64_t max = std::numeric_limits<int64_t>::max();
  rapidjson::Document doc;
  doc.Parse((R"({"calls":[],"campaign_calls":[],"dispositions":[],)"
             R"("seconds":[["agent01","inbound",)" +
             std::to_string(max - 10) +
             R"(,0,0,0]],"talk_durations":{},"queue_waits":{},)"
             R"("admitted_dispositions":[],"admitted_campaigns":[]})")
                .c_str());
  std::string error;
  ASSERT_TRUE(metrics.Load(doc, &error)) << error;
  metrics.CountCall(Call("agent01", true, true));
  rapidjson::Document saved;
  saved.Parse(SaveJson(metrics).c_str());
  EXPECT_EQ(saved["seconds"][0][2].GetInt64(), max);
}

TEST(CdrMetricsTest, MalformedStateIsRejectedWithoutChange) {
  CdrMetrics metrics(CdrMetricsOptions{});
  metrics.Publish();
  Count(metrics, Call("agent01", true, true));
  const std::string before = Text(metrics);
  rapidjson::Document doc;
  std::string error;
  for (
      const char* bad :
      {R"({"calls":[["a","b"]]})", R"([])",
       R"({"calls":[],"campaign_calls":[],"dispositions":[],"seconds":[["a","b",-1,0,0,0]]})"}) {
    doc.Parse(bad);
    EXPECT_FALSE(metrics.Load(doc, &error)) << bad;
  }
  EXPECT_EQ(Text(metrics), before);
}

}  // namespace
}  // namespace callcenter::ozonetel
