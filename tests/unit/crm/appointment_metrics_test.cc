// crm::AppointmentMetrics: bookings by agent label, known agents at 0, the
// team-wide series without per-agent labels, the cap on CRM names, exact
// save and load, and families that render only what they declare.
#include "crm/appointment_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "core/text_writer.h"
#include "testing/metrics.h"

namespace callcenter::crm {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

AppointmentMetricsOptions Options(bool per_agent = true) {
  AppointmentMetricsOptions options;
  options.per_agent = per_agent;
  options.interval = Seconds(60);
  options.requests_per_minute = 6;
  return options;
}

std::string SaveJson(const AppointmentMetrics& metrics) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  metrics.Save(&writer);
  return buffer.GetString();
}

constexpr char kSeries[] = "crm_appointments_booked_total";

std::string Series(const std::string& agent) {
  return std::string(kSeries) + "{agent=\"" + agent + "\"}";
}

TEST(AppointmentMetricsTest, CountsPerAgentWithTheCacheNoteInHelp) {
  AppointmentMetrics metrics(Options());
  metrics.Count("agent01");
  metrics.Count("agent01");
  metrics.Count("unassigned");
  const std::string text = core::RenderText(metrics);
  EXPECT_EQ(test::SampleValue(text, Series("agent01")), 2);
  EXPECT_EQ(test::SampleValue(text, Series("unassigned")), 1);
  EXPECT_THAT(text, HasSubstr("# TYPE crm_appointments_booked_total counter"));
  EXPECT_THAT(text, HasSubstr("Cached"));
  EXPECT_THAT(text, HasSubstr("crm.interval (60 s)"));
  EXPECT_THAT(text, HasSubstr("crm.requests_per_minute (6)"));
  EXPECT_EQ(metrics.Total(), 3u);
  EXPECT_THAT(test::SourceProblems(metrics), IsEmpty());
}

TEST(AppointmentMetricsTest, KnownAgentsAreZeroBeforeTheirFirstBooking) {
  AppointmentMetricsOptions options = Options();
  options.known_agents = [] {
    return std::vector<std::string>{"agent01", "agent02"};
  };
  AppointmentMetrics metrics(options);
  metrics.Count("agent01");
  metrics.KnowAgent("agent03");
  const std::string text = core::RenderText(metrics);
  EXPECT_EQ(test::SampleValue(text, Series("agent01")), 1);
  EXPECT_EQ(test::SampleValue(text, Series("agent02")), 0);
  EXPECT_EQ(test::SampleValue(text, Series("agent03")), 0);
  EXPECT_THAT(test::SourceProblems(metrics), IsEmpty());
}

TEST(AppointmentMetricsTest, NamesMapToTheirAgentLabelAtRenderTime) {
  std::map<std::string, std::string> ids;
  AppointmentMetricsOptions options = Options();
  options.agent_label = [&ids](const std::string& name) {
    auto it = ids.find(name);
    return it == ids.end() ? name : it->second;
  };
  AppointmentMetrics metrics(options);
  metrics.Count("Asha Rao");
  metrics.Count("agent01");
  EXPECT_EQ(test::ValueOf(metrics, Series("Asha Rao")), 1);
  // The name's AgentID is learned later: one series, both bookings.
  ids["Asha Rao"] = "agent01";
  const std::string text = core::RenderText(metrics);
  EXPECT_EQ(test::SampleValue(text, Series("agent01")), 2);
  EXPECT_EQ(test::SampleValue(text, Series("Asha Rao")), std::nullopt);
  EXPECT_EQ(metrics.Booked("agent01"), 2u);
  EXPECT_THAT(test::SourceProblems(metrics), IsEmpty());
}

TEST(AppointmentMetricsTest, PerAgentFalseDropsTheLabel) {
  AppointmentMetrics metrics(Options(/*per_agent=*/false));
  EXPECT_EQ(test::SampleValue(core::RenderText(metrics), kSeries), 0);
  metrics.Count("agent01");
  metrics.Count("agent02");
  const std::string text = core::RenderText(metrics);
  EXPECT_EQ(test::SampleValue(text, kSeries), 2);
  EXPECT_THAT(text, Not(HasSubstr("agent=")));
  EXPECT_THAT(test::SourceProblems(metrics), IsEmpty());
}

TEST(AppointmentMetricsTest, NamesBeyondTheCapCountAsOther) {
  AppointmentMetricsOptions options = Options();
  options.max_agents = 2;
  AppointmentMetrics metrics(options);
  metrics.Count("a");
  metrics.Count("b");
  metrics.Count("c");
  metrics.Count("d");
  metrics.Count("a");
  EXPECT_EQ(metrics.Booked("a"), 2u);
  EXPECT_EQ(metrics.Booked("other"), 2u);
  EXPECT_EQ(metrics.Booked("c"), 0u);
  EXPECT_EQ(metrics.Total(), 5u);
}

TEST(AppointmentMetricsTest, SaveLoadRoundTrip) {
  AppointmentMetrics metrics(Options());
  metrics.Count("agent01");
  metrics.Count("Zoë \"Z\"");
  metrics.KnowAgent("agent02");
  rapidjson::Document doc;
  doc.Parse(SaveJson(metrics).c_str());
  ASSERT_FALSE(doc.HasParseError());

  AppointmentMetrics restored(Options());
  std::string error;
  ASSERT_TRUE(restored.Load(doc, &error)) << error;
  EXPECT_EQ(core::RenderText(restored), core::RenderText(metrics));
  EXPECT_EQ(restored.Booked("Zoë \"Z\""), 1u);
  EXPECT_EQ(restored.Total(), 2u);
}

TEST(AppointmentMetricsTest, MalformedStateChangesNothing) {
  AppointmentMetrics metrics(Options());
  metrics.Count("agent01");
  for (const char* json :
       {R"([])", R"({"booked":{}})", R"({"booked":[["a",-1]]})",
        R"({"booked":[["a"]]})", R"({"booked":[[1,2]]})",
        R"({"booked":[["a",1.5]]})"}) {
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
