#include "callcenter/crm/appointment_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

namespace callcenter::crm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Render(const AppointmentMetrics& metrics) {
  std::vector<prometheus::MetricFamily> families;
  metrics.Collect(&families);
  return prometheus::TextSerializer().Serialize(families);
}

std::string SaveJson(const AppointmentMetrics& metrics) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  metrics.Save(&writer);
  return buffer.GetString();
}

TEST(AppointmentMetricsTest, CountsPerAgentWithCacheNoteInHelp) {
  AppointmentMetrics metrics({true, Seconds(60), 6, {}});
  metrics.Count("agent01");
  metrics.Count("agent01");
  metrics.Count("unassigned");
  const std::string text = Render(metrics);
  const std::string series = "crm_appointments_booked_total";
  EXPECT_THAT(text, HasSubstr(series + "{agent=\"agent01\"} 2"));
  EXPECT_THAT(text, HasSubstr(series + "{agent=\"unassigned\"} 1"));
  EXPECT_THAT(text, HasSubstr("# TYPE crm_appointments_booked_total counter"));
  EXPECT_THAT(text, HasSubstr("Cached"));
  EXPECT_THAT(text, HasSubstr("crm.interval (60 s)"));
  EXPECT_THAT(text, HasSubstr("crm.requests_per_minute (6)"));
}

TEST(AppointmentMetricsTest, KnownAgentsAreZeroBeforeTheirFirstBooking) {
  AppointmentMetricsOptions options{true, Seconds(60), 6, {}};
  options.known_agents = [] {
    return std::vector<std::string>{"agent01", "agent02"};
  };
  AppointmentMetrics metrics(options);
  metrics.Count("agent01");
  const std::string text = Render(metrics);
  const std::string series = "crm_appointments_booked_total";
  EXPECT_THAT(text, HasSubstr(series + "{agent=\"agent01\"} 1"));
  EXPECT_THAT(text, HasSubstr(series + "{agent=\"agent02\"} 0"));
}

TEST(AppointmentMetricsTest, PerAgentFalseDropsTheLabel) {
  AppointmentMetrics metrics({false, Seconds(60), 6, {}});
  EXPECT_THAT(Render(metrics), HasSubstr("crm_appointments_booked_total 0"));
  metrics.Count("agent01");
  metrics.Count("agent02");
  const std::string text = Render(metrics);
  EXPECT_THAT(text, HasSubstr("crm_appointments_booked_total 2"));
  EXPECT_THAT(text, Not(HasSubstr("agent=")));
}

TEST(AppointmentMetricsTest, SaveLoadRoundTrip) {
  AppointmentMetrics metrics({true, Seconds(60), 6, {}});
  metrics.Count("agent01");
  metrics.Count("Zoë \"Z\"");
  metrics.KnowAgent("agent02");
  rapidjson::Document doc;
  doc.Parse(SaveJson(metrics).c_str());
  ASSERT_FALSE(doc.HasParseError());

  AppointmentMetrics restored({true, Seconds(60), 6, {}});
  std::string error;
  ASSERT_TRUE(restored.Load(doc, &error)) << error;
  EXPECT_EQ(Render(restored), Render(metrics));
  EXPECT_EQ(restored.Booked("Zoë \"Z\""), 1u);
  EXPECT_EQ(restored.Total(), 2u);
}

TEST(AppointmentMetricsTest, MalformedStateChangesNothing) {
  AppointmentMetrics metrics({true, Seconds(60), 6, {}});
  metrics.Count("agent01");
  for (const char* json :
       {R"([])", R"({"booked":{}})", R"({"booked":[["a",-1]]})",
        R"({"booked":[["a"]]})", R"({"booked":[[1,2]]})"}) {
    rapidjson::Document doc;
    doc.Parse(json);
    std::string error;
    EXPECT_FALSE(metrics.Load(doc, &error)) << json;
    EXPECT_FALSE(error.empty());
  }
  EXPECT_EQ(metrics.Booked("agent01"), 1u);
}

}  // namespace
}  // namespace callcenter::crm
