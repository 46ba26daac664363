#include "callcenter/crm/crm_poller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fake_transport.h"

namespace callcenter::crm {
namespace {

using testing::Canned;
using ::testing::ElementsAre;
using testing::FakeTransport;
using ::testing::HasSubstr;
using testing::HeaderValue;
using testing::Node;
using ::testing::Not;
using testing::PageJson;

const Seconds kIst{19800};

TimePoint At(const std::string& local) {
  return *ParseLocalDateTime(local, kIst);
}

// createdAt as the CRM writes it: RFC 3339 UTC with milliseconds.
std::string Created(const std::string& local) {
  std::string text = FormatRfc3339(At(local));
  return text.insert(text.size() - 1, ".250");
}

Date Day(const std::string& text) { return *ParseDate(text); }

class CrmPollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("crm_poller_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    gate_.AddFamily(ApiFamily::kCrm, 6, Seconds(60), Seconds(0));
    auto transport = std::make_unique<FakeTransport>(clock_, Seconds(10));
    transport_ = transport.get();
    CrmConfig config;
    config.url = "http://crm.test/graphql";
    config.api_key = "k3y";
    api_ = MakeClient(ToClientOptions(config), std::move(transport), gate_);
    api_->on_request = HealthRecorder(health_);
    agents_.Learn("agent03", "Ravi", 0);
    MakePoller();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A fresh exporter process: new counters and poller, the same files.
  void MakePoller(bool per_agent = true) {
    metrics_ = std::make_unique<AppointmentMetrics>(AppointmentMetricsOptions{
        per_agent, Seconds(60), 6,
        [this](const std::string& name) { return AgentLabel(name, agents_); }});
    CrmPollerOptions options;
    options.timezone_offset = kIst;
    options.interval = Seconds(60);
    options.overlap = Seconds(30 * 60);
    options.state_path = StatePath();
    poller_ = std::make_unique<CrmPoller>(
        CrmPoller::Deps{*api_, *metrics_, agents_, health_, gate_, clock_,
                        logger_, [this] { ++changes_; }},
        options);
  }

  std::string StatePath() const { return (dir_ / "crm_state.json").string(); }

  void Answer(const std::string& body, int status = 200) {
    transport_->answers.push_back({status, body});
  }

  TimePoint PollAt(const std::string& local) {
    clock_.Set(At(local));
    return poller_->PollOnce();
  }

  // The GraphQL variables of request `i`.
  rapidjson::Document Variables(size_t i) const {
    rapidjson::Document body;
    body.Parse(transport_->calls.at(i).body.c_str());
    rapidjson::Document vars;
    vars.CopyFrom(body["variables"], vars.GetAllocator());
    return vars;
  }

  std::string From(size_t i) const { return Variables(i)["from"].GetString(); }

  std::string RenderHealth() const {
    std::vector<prometheus::MetricFamily> families;
    health_.Collect(&families);
    return prometheus::TextSerializer().Serialize(families);
  }

  std::string RenderMetrics() const {
    std::vector<prometheus::MetricFamily> families;
    metrics_->Collect(&families);
    return prometheus::TextSerializer().Serialize(families);
  }

  std::filesystem::path dir_;
  std::ostringstream log_;
  Logger logger_{log_, LogLevel::kDebug};
  FakeClock clock_{At("2026-03-02 10:30:00")};
  StopSignal stop_;
  BudgetGate gate_{clock_, stop_, logger_, ""};
  ApiHealth health_{HealthOptions(), clock_};
  AgentDirectory agents_{{{"agent01", "Asha Rao"}}, {{"Zoë", "agent02"}}, true};
  FakeTransport* transport_ = nullptr;
  std::unique_ptr<Api> api_;
  std::unique_ptr<AppointmentMetrics> metrics_;
  std::unique_ptr<CrmPoller> poller_;
  int changes_ = 0;
};

TEST_F(CrmPollerTest, PaginatesThreePagesFollowingEndCursor) {
  Answer(PageJson({{"n1", "Ravi", Created("2026-03-02 09:00:00")},
                   {"n2", "Ravi", Created("2026-03-02 09:01:00")}},
                  true, "c1", 5));
  Answer(PageJson({{"n3", "Ravi", Created("2026-03-02 09:02:00")},
                   {"n2", "Ravi", Created("2026-03-02 09:01:00")}},
                  true, "c2", 5));
  Answer(PageJson({{"n4", "Ravi", Created("2026-03-02 09:03:00")},
                   {"5", "Ravi", Created("2026-03-02 09:04:00"), true}},
                  false, "", 5));
  PollAt("2026-03-02 10:30:00");

  ASSERT_EQ(transport_->calls.size(), 3u);
  EXPECT_TRUE(Variables(0)["after"].IsNull());
  EXPECT_STREQ(Variables(1)["after"].GetString(), "c1");
  EXPECT_STREQ(Variables(2)["after"].GetString(), "c2");
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(From(i), "2026-03-01T18:30:00Z");  // IST midnight, cold start
    EXPECT_STREQ(Variables(i)["to"].GetString(), "2026-03-02T04:59:55Z");
  }
  EXPECT_EQ(metrics_->Booked("agent03"), 5u);
  EXPECT_EQ(poller_->SeenCount(Day("2026-03-02")), 5u);
  const std::string health = RenderHealth();
  EXPECT_THAT(health, HasSubstr("crm_api_requests_total 3"));
  EXPECT_THAT(health, HasSubstr("crm_up 1"));
  EXPECT_THAT(health, HasSubstr("crm_last_success_timestamp_seconds"));
  EXPECT_THAT(health, Not(HasSubstr("api=")));
  EXPECT_THAT(log_.str(), HasSubstr("totalCount differs"));  // 6 nodes vs 5
}

TEST_F(CrmPollerTest, GraphqlErrorsWithDataCountNothing) {
  Answer(R"({"errors":[{"message":"field createdAt unknown"}],)"
         R"("data":{"calls":{"edges":[{"node":{"id":"n1","agentName":"Ravi",)"
         R"("createdAt":")" +
         Created("2026-03-02 09:00:00") + R"("}}]}}})");
  PollAt("2026-03-02 10:30:00");
  EXPECT_EQ(metrics_->Total(), 0u);
  EXPECT_FALSE(poller_->covered_until().has_value());
  const std::string health = RenderHealth();
  EXPECT_THAT(health, HasSubstr("crm_api_request_failures_total"
                                "{reason=\"graphql\"} 1"));
  EXPECT_THAT(health, HasSubstr("crm_up 0"));
  EXPECT_THAT(health, Not(HasSubstr("crm_last_success_timestamp_seconds ")));
  EXPECT_THAT(log_.str(), HasSubstr("field createdAt unknown"));
  EXPECT_FALSE(std::filesystem::exists(StatePath()));
}

TEST_F(CrmPollerTest, UnauthorizedIsAnAuthFailureAndNeverLogsTheKey) {
  Answer(R"({"message":"Unauthorized"})", 401);
  const TimePoint next = PollAt("2026-03-02 10:30:00");
  EXPECT_GT(next, clock_.Now());  // backs off instead of retrying at once
  EXPECT_THAT(RenderHealth(),
              HasSubstr("crm_api_request_failures_total{reason=\"auth\"} 1"));
  EXPECT_THAT(log_.str(), HasSubstr("reason=auth"));
  EXPECT_THAT(log_.str(), Not(HasSubstr("k3y")));
  EXPECT_EQ(HeaderValue(transport_->calls[0], "Authorization"), "Bearer k3y");
}

TEST_F(CrmPollerTest, FailedSecondPageCommitsNothingAndRetryCountsOnce) {
  Answer(PageJson({{"n1", "Ravi", Created("2026-03-02 09:00:00")},
                   {"n2", "Ravi", Created("2026-03-02 09:01:00")}},
                  true, "c1"));
  Answer("upstream exploded", 502);
  PollAt("2026-03-02 10:30:00");
  EXPECT_EQ(metrics_->Total(), 0u);
  EXPECT_EQ(poller_->SeenCount(Day("2026-03-02")), 0u);
  EXPECT_FALSE(poller_->covered_until().has_value());
  EXPECT_THAT(RenderHealth(),
              HasSubstr("crm_api_request_failures_total{reason=\"http\"} 1"));

  Answer(PageJson({{"n1", "Ravi", Created("2026-03-02 09:00:00")},
                   {"n2", "Ravi", Created("2026-03-02 09:01:00")}},
                  true, "c1"));
  Answer(PageJson({{"n3", "Ravi", Created("2026-03-02 09:02:00")}}, false, ""));
  PollAt("2026-03-02 10:35:00");
  ASSERT_EQ(transport_->calls.size(), 4u);
  EXPECT_EQ(From(2), "2026-03-01T18:30:00Z");  // the same window again
  EXPECT_EQ(metrics_->Booked("agent03"), 3u);
  EXPECT_THAT(RenderHealth(), HasSubstr("crm_up 1"));
  EXPECT_THAT(RenderHealth(), HasSubstr("crm_api_requests_total 4"));
}

TEST_F(CrmPollerTest, OverlappingWindowsDoNotDoubleCount) {
  Answer(PageJson({{"n1", "Ravi", Created("2026-03-02 09:00:00")},
                   {"n2", "Ravi", Created("2026-03-02 10:20:00")}},
                  false, ""));
  PollAt("2026-03-02 10:30:00");
  Answer(PageJson({{"n2", "Ravi", Created("2026-03-02 10:20:00")},
                   {"n3", "Ravi", Created("2026-03-02 10:30:30")}},
                  false, ""));
  PollAt("2026-03-02 10:31:00");
  EXPECT_EQ(From(1), FormatRfc3339(At("2026-03-02 09:59:55")));
  EXPECT_STREQ(Variables(1)["to"].GetString(),
               FormatRfc3339(At("2026-03-02 10:30:55")).c_str());
  EXPECT_EQ(metrics_->Booked("agent03"), 3u);
}

TEST_F(CrmPollerTest, BookingsMoveToTheAgentIdOnceItIsLearned) {
  const std::string at = Created("2026-03-02 09:00:00");
  Answer(PageJson({{"n1", "New Hire", at}}, false, ""));
  PollAt("2026-03-02 10:30:00");
  EXPECT_EQ(metrics_->Booked("New Hire"), 1u);
  // The first CDR of the new agent arrives after the booking.
  agents_.Learn("agent42", "New Hire", 0);
  EXPECT_EQ(metrics_->Booked("agent42"), 1u);
  EXPECT_EQ(metrics_->Booked("New Hire"), 0u);
  EXPECT_THAT(RenderMetrics(),
              HasSubstr("crm_appointments_booked_total{agent=\"agent42\"} 1"));
}

TEST_F(CrmPollerTest, AgentNamesMapToCdrAgentIds) {
  const std::string at = Created("2026-03-02 09:00:00");
  Answer(PageJson({{"n1", "Asha Rao", at},  // configured agent's name
                   {"n2", "Zoë", at},       // agent_name_map override
                   {"n3", "Ravi", at},      // learned from CDRs
                   {"n4", "Walk-in Desk", at},
                   {"n5", "", at}},
                  false, ""));
  PollAt("2026-03-02 10:30:00");
  EXPECT_EQ(metrics_->Booked("agent01"), 1u);
  EXPECT_EQ(metrics_->Booked("agent02"), 1u);
  EXPECT_EQ(metrics_->Booked("agent03"), 1u);
  EXPECT_EQ(metrics_->Booked("Walk-in Desk"), 1u);
  EXPECT_EQ(metrics_->Booked("unassigned"), 1u);
  EXPECT_THAT(RenderMetrics(),
              HasSubstr("crm_appointments_booked_total{agent=\"agent01\"} 1"));
}

TEST_F(CrmPollerTest, PerAgentFalseDropsTheLabel) {
  MakePoller(/*per_agent=*/false);
  const std::string at = Created("2026-03-02 09:00:00");
  Answer(PageJson({{"n1", "Asha Rao", at}, {"n2", "Ravi", at}}, false, ""));
  PollAt("2026-03-02 10:30:00");
  const std::string text = RenderMetrics();
  EXPECT_THAT(text, HasSubstr("crm_appointments_booked_total 2"));
  EXPECT_THAT(text, Not(HasSubstr("agent=")));
}

TEST_F(CrmPollerTest, StateSurvivesARestartWithoutRecounting) {
  Answer(PageJson({{"n1", "Ravi", Created("2026-03-02 09:00:00")},
                   {"n2", "Asha Rao", Created("2026-03-02 10:20:00")}},
                  false, ""));
  PollAt("2026-03-02 10:30:00");
  ASSERT_TRUE(std::filesystem::exists(StatePath()));
  EXPECT_EQ(changes_, 1);

  MakePoller();
  poller_->LoadState(/*ran_before=*/true);
  EXPECT_EQ(metrics_->Booked("agent03"), 1u);
  EXPECT_EQ(metrics_->Booked("agent01"), 1u);
  EXPECT_EQ(poller_->covered_until(), At("2026-03-02 10:29:55"));
  EXPECT_EQ(poller_->SeenCount(Day("2026-03-02")), 2u);

  Answer(PageJson({{"n2", "Asha Rao", Created("2026-03-02 10:20:00")},
                   {"n3", "Asha Rao", Created("2026-03-02 10:32:00")}},
                  false, ""));
  PollAt("2026-03-02 10:33:00");
  EXPECT_EQ(From(1), FormatRfc3339(At("2026-03-02 09:59:55")));
  EXPECT_EQ(metrics_->Booked("agent01"), 2u);
  EXPECT_EQ(metrics_->Total(), 3u);
}

TEST_F(CrmPollerTest, CorruptStateIsKeptAsideAndCountingStartsFromNow) {
  std::ofstream(StatePath()) << R"({"version":1,"days":[{"date":"nope"}]})";
  poller_->LoadState(/*ran_before=*/true);
  EXPECT_TRUE(std::filesystem::exists(StatePath() + ".corrupt"));
  EXPECT_THAT(log_.str(), HasSubstr("state file is corrupt"));

  Answer(PageJson({{"old", "Ravi", Created("2026-03-02 09:00:00")},
                   {"new", "Ravi", Created("2026-03-02 10:35:00")}},
                  false, ""));
  PollAt("2026-03-02 10:40:00");
  EXPECT_EQ(From(0), FormatRfc3339(At("2026-03-02 10:30:00")));
  EXPECT_EQ(metrics_->Total(), 1u);  // "old" predates the restart
  EXPECT_TRUE(std::filesystem::exists(StatePath()));
}

TEST_F(CrmPollerTest, MissingStateAfterAnEarlierRunStartsFromNow) {
  poller_->LoadState(/*ran_before=*/true);
  Answer(PageJson({}, false, ""));
  PollAt("2026-03-02 10:40:00");
  EXPECT_EQ(From(0), FormatRfc3339(At("2026-03-02 10:30:00")));
}

TEST_F(CrmPollerTest, DayLedgerIsDroppedOnceTheOverlapPassesMidnight) {
  Answer(
      PageJson({{"late", "Ravi", Created("2026-03-02 23:40:00")}}, false, ""));
  PollAt("2026-03-02 23:50:00");
  Answer(PageJson({{"late", "Ravi", Created("2026-03-02 23:40:00")},
                   {"early", "Ravi", Created("2026-03-03 00:10:00")}},
                  false, ""));
  PollAt("2026-03-03 00:20:00");
  EXPECT_EQ(From(1), FormatRfc3339(At("2026-03-02 23:19:55")));
  EXPECT_THAT(poller_->OpenDays(),
              ElementsAre(Day("2026-03-02"), Day("2026-03-03")));
  EXPECT_EQ(metrics_->Total(), 2u);

  Answer(
      PageJson({{"early", "Ravi", Created("2026-03-03 00:10:00")}}, false, ""));
  PollAt("2026-03-03 00:45:00");
  EXPECT_THAT(poller_->OpenDays(), ElementsAre(Day("2026-03-03")));
  EXPECT_EQ(metrics_->Total(), 2u);
}

TEST_F(CrmPollerTest, SkipsUndatedAndOutOfWindowNodes) {
  Answer(PageJson({{"undated", "Ravi", ""},
                   {"future", "Ravi", Created("2026-03-02 10:29:58")},
                   {"yesterday", "Ravi", Created("2026-03-01 23:00:00")},
                   {"ok", "Ravi", Created("2026-03-02 10:00:00")}},
                  false, ""));
  PollAt("2026-03-02 10:30:00");
  EXPECT_EQ(metrics_->Total(), 1u);
  EXPECT_THAT(log_.str(), HasSubstr("parseable created time"));
}

TEST_F(CrmPollerTest, RepeatedCursorFailsThePoll) {
  const std::string at = Created("2026-03-02 09:00:00");
  Answer(PageJson({{"n1", "Ravi", at}}, true, "same"));
  Answer(PageJson({{"n2", "Ravi", at}}, true, "same"));
  PollAt("2026-03-02 10:30:00");
  EXPECT_EQ(transport_->calls.size(), 2u);
  EXPECT_EQ(metrics_->Total(), 0u);
  EXPECT_THAT(RenderHealth(), HasSubstr("crm_up 0"));
}

TEST_F(CrmPollerTest, NextPollIsAfterTheIntervalOrTheBudgetSlot) {
  Answer(PageJson({}, false, ""));
  EXPECT_EQ(PollAt("2026-03-02 10:30:00"), At("2026-03-02 10:31:00"));

  Answer("", 429);
  const TimePoint next = PollAt("2026-03-02 10:31:00");
  EXPECT_THAT(
      RenderHealth(),
      HasSubstr("crm_api_request_failures_total{reason=\"rate_limited\"} 1"));
  EXPECT_GE(next, At("2026-03-02 10:32:10"));  // the gate's blocked window

  // Before the slot, PollOnce sends nothing and names the slot.
  const size_t sent = transport_->calls.size();
  EXPECT_EQ(PollAt("2026-03-02 10:31:30"), gate_.NextAllowed(ApiFamily::kCrm));
  EXPECT_EQ(transport_->calls.size(), sent);
}

TEST_F(CrmPollerTest, ShutdownDuringAPollCountsNothing) {
  stop_.Stop();
  PollAt("2026-03-02 10:30:00");
  EXPECT_TRUE(transport_->calls.empty());
  EXPECT_THAT(RenderHealth(), HasSubstr("crm_api_requests_total 0"));
  EXPECT_FALSE(poller_->covered_until().has_value());
}

}  // namespace
}  // namespace callcenter::crm
