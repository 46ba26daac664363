#include "callcenter/cdr_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "callcenter/agent_directory.h"

namespace callcenter {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Render(const MetricSource& source) {
  std::vector<prometheus::MetricFamily> families;
  source.Collect(&families);
  return prometheus::TextSerializer().Serialize(families);
}

CallFacts Call(std::string agent, std::string direction, bool answered,
               std::string disposition = "") {
  CallFacts call;
  call.agent = std::move(agent);
  call.direction = std::move(direction);
  call.answered = answered;
  call.disposition = std::move(disposition);
  call.campaign = "Inbound_Main";
  call.talk = 53;
  call.hold = 0;
  call.wrapup = 5;
  call.handling = 58;
  call.queue_wait = 20;
  return call;
}

TEST(CdrMetricsTest, CountsCallsBySeriesExactly) {
  CdrMetrics metrics({true, 50, 50});
  metrics.Count(Call("agent01", "inbound", true, "APPOINTMENT_BOOKED"));
  metrics.Count(Call("agent01", "inbound", false));
  metrics.Count(Call("unassigned", "inbound", false));
  const std::string text = Render(metrics);
  EXPECT_THAT(text, HasSubstr("ozonetel_calls_total{agent=\"agent01\","
                              "direction=\"inbound\",status=\"answered\"} 1"));
  EXPECT_THAT(text, HasSubstr("ozonetel_calls_total{agent=\"agent01\","
                              "direction=\"outbound\",status=\"answered\"} 0"));
  EXPECT_THAT(text,
              HasSubstr("ozonetel_calls_total{agent=\"unassigned\","
                        "direction=\"inbound\",status=\"unanswered\"} 1"));
  EXPECT_THAT(text, HasSubstr("ozonetel_call_dispositions_total{agent="
                              "\"agent01\",disposition=\"none\"} 1"));
  EXPECT_THAT(text, HasSubstr("ozonetel_call_talk_seconds_total{agent="
                              "\"agent01\",direction=\"inbound\"} 106"));
  EXPECT_THAT(text, HasSubstr("ozonetel_call_handling_seconds_total{agent="
                              "\"agent01\",direction=\"inbound\"} 116"));
}

TEST(CdrMetricsTest, HistogramBucketsAreLessOrEqual) {
  CdrMetrics metrics({true, 50, 50});
  CallFacts call = Call("agent01", "inbound", true);
  for (int64_t wait : {0, 20, 21, 300, 5000}) {
    call.queue_wait = wait;
    metrics.Count(call);
  }
  call.answered = false;  // unanswered calls have no answer wait
  metrics.Count(call);
  const std::string text = Render(metrics);
  const std::string prefix =
      "ozonetel_call_queue_wait_seconds_bucket{campaign=\"Inbound_Main\",";
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"5\"} 1"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"20\"} 2"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"30\"} 3"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"300\"} 4"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"600\"} 4"));
  EXPECT_THAT(text, HasSubstr(prefix + "le=\"+Inf\"} 5"));
  EXPECT_THAT(text, HasSubstr("ozonetel_call_queue_wait_seconds_sum{campaign="
                              "\"Inbound_Main\"} 5341"));
  EXPECT_THAT(text, HasSubstr("ozonetel_call_talk_duration_seconds_count{"
                              "direction=\"inbound\"} 5"));
}

TEST(CdrMetricsTest, DispositionsBeyondTheCapBecomeOther) {
  CdrMetrics metrics({true, 2, 50});
  for (const char* d : {"A", "B", "C", "A", " ", "D"}) {
    metrics.Count(Call("agent01", "outbound", true, d));
  }
  const std::string text = Render(metrics);
  EXPECT_THAT(text, HasSubstr("disposition=\"A\"} 2"));
  EXPECT_THAT(text, HasSubstr("disposition=\"B\"} 1"));
  EXPECT_THAT(text, HasSubstr("disposition=\"other\"} 2"));
  EXPECT_THAT(text, HasSubstr("disposition=\"none\"} 1"));
  EXPECT_THAT(text, Not(HasSubstr("disposition=\"C\"")));
}

TEST(CdrMetricsTest, LabelValuesAreEscaped) {
  CdrMetrics metrics({true, 50, 50});
  metrics.Count(Call("agent01", "inbound", true, "Said \"no\"\\maybe\nlater"));
  AgentDirectory agents({}, {}, true);
  agents.Learn("agent03", "Zoë O'Brien \"ZB\"", 1);
  const std::string text = Render(metrics) + Render(agents);
  EXPECT_THAT(text, HasSubstr(R"(disposition="Said \"no\"\\maybe\nlater")"));
  EXPECT_THAT(text, HasSubstr(R"(agent_name="Zoë O'Brien \"ZB\"")"));
}

TEST(CdrMetricsTest, WithoutPerAgentLabelsSeriesAreSummed) {
  CdrMetrics metrics({false, 50, 50});
  metrics.Count(Call("agent01", "inbound", true));
  metrics.Count(Call("agent02", "inbound", true));
  const std::string text = Render(metrics);
  EXPECT_THAT(text, HasSubstr("ozonetel_calls_total{direction=\"inbound\","
                              "status=\"answered\"} 2"));
  EXPECT_THAT(text, Not(HasSubstr("agent=")));
}

TEST(CdrMetricsTest, SaveAndLoadRenderIdentically) {
  CdrMetrics metrics({true, 2, 50});
  for (const char* d : {"A", "B", "C"}) {
    metrics.Count(Call("agent01", "inbound", true, d));
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  metrics.Save(&writer);
  rapidjson::Document doc;
  doc.Parse(buffer.GetString());
  CdrMetrics restored({true, 2, 50});
  std::string error;
  ASSERT_TRUE(restored.Load(doc, &error)) << error;
  EXPECT_EQ(Render(restored), Render(metrics));
  // The admitted set survives too: "C" stays "other" after the restart.
  restored.Count(Call("agent01", "inbound", true, "C"));
  EXPECT_THAT(Render(restored), HasSubstr("disposition=\"other\"} 2"));
}

TEST(CdrMetricsTest, MalformedStateIsRejectedWithoutChange) {
  CdrMetrics metrics({true, 50, 50});
  metrics.Count(Call("agent01", "inbound", true));
  const std::string before = Render(metrics);
  rapidjson::Document doc;
  doc.Parse(R"({"calls":[["a","b"]]})");
  std::string error;
  EXPECT_FALSE(metrics.Load(doc, &error));
  EXPECT_EQ(Render(metrics), before);
}

}  // namespace
}  // namespace callcenter
