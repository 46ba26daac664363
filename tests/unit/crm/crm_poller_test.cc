// CrmPoller over the real GraphQL client, a fake transport, a real budget
// and real state files.
#include "crm/crm_poller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <sstream>

#include "callcenter/common/files.h"
#include "core/budgets.h"
#include "core/text_writer.h"
#include "crm_pages.h"
#include "testing/fake_transport.h"
#include "testing/metrics.h"
#include "testing/temp_dir.h"

namespace callcenter::crm {
namespace {

using test::Node;
using test::PageJson;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const Seconds kIst{19800};

TimePoint At(const std::string& local) {
  return *ParseLocalDateTime(local, kIst);
}

std::string Created(const std::string& local) {
  std::string text = FormatRfc3339(At(local));
  return text.insert(text.size() - 1, ".250");
}

Date Day(const std::string& text) { return *ParseDate(text); }

class CrmPollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gate_.AddFamily(kCrmApi, 6, Seconds(60), Seconds(0));
    auto transport =
        std::make_unique<test::FakeTransport>(&clock_, Seconds(10));
    transport_ = transport.get();
    ClientOptions options;
    options.url = "http://crm.test/graphql";
    options.api_key = "k3y";
    api_ = MakeClient(options, std::move(transport), gate_);
    directory::DirectoryConfig config;
    config.agents = {{"agent01", "Asha Rao"}};
    config.name_overrides = {{"Asha Rao", "agent01"}, {"Zoë", "agent02"}};
    agents_ = std::make_unique<directory::AgentDirectory>(config);
    agents_->Learn("agent03", "Ravi", 0);
    MakePoller();
  }

  // A fresh exporter process: new counters and poller, the same files.
  void MakePoller(bool per_agent = true) {
    poller_.reset();
    metrics_.reset();
    store_ = std::make_unique<core::StateStore>(dir_.path(), logger_);
    metrics_ = std::make_unique<AppointmentMetrics>(AppointmentMetricsOptions{
        per_agent, Seconds(60), 6,
        [this](const std::string& name) { return AgentLabel(name, *agents_); },
        [this] { return agents_->Ids(); }});
    CrmPollerOptions options;
    options.timezone_offset = kIst;
    poller_ = std::make_unique<CrmPoller>(
        CrmPoller::Deps{*api_, *metrics_, &store_->File("crm_state.json", true),
                        clock_, logger_, [this] { ++changes_; }},
        options);
  }

  void Answer(const std::string& body, int status = 200) {
    transport_->Enqueue(test::Reply(status, body, 7));
  }

  core::PollResult PollAt(const std::string& local) {
    clock_.Set(std::max(clock_.Now(), At(local)));
    return poller_->Poll();
  }

  rapidjson::Document Variables(size_t i) const {
    rapidjson::Document body;
    body.Parse(transport_->calls().at(i).body.c_str());
    rapidjson::Document vars;
    vars.CopyFrom(body["variables"], vars.GetAllocator());
    return vars;
  }
  std::string From(size_t i) const { return Variables(i)["from"].GetString(); }

  test::TempDir dir_;
  std::ostringstream log_;
  core::Logger logger_{log_, core::LogLevel::kDebug};
  FakeClock clock_{At("2026-03-02 10:30:00")};
  core::StopSignal stop_;
  core::BudgetGate gate_{clock_, stop_, logger_, nullptr};
  test::FakeTransport* transport_ = nullptr;
  std::unique_ptr<Api> api_;
  std::unique_ptr<directory::AgentDirectory> agents_;
  std::unique_ptr<core::StateStore> store_;
  std::unique_ptr<AppointmentMetrics> metrics_;
  std::unique_ptr<CrmPoller> poller_;
  int changes_ = 0;
};

TEST_F(CrmPollerTest, PaginatesFollowingEndCursorAndCountsEachNodeOnce) {
  Answer(PageJson({{"n1", "Ravi", Created("2026-03-02 09:00:00")},
                   {"n2", "Ravi", Created("2026-03-02 09:01:00")}},
                  true, "c1", 5));
  Answer(PageJson({{"n3", "Ravi", Created("2026-03-02 09:02:00")},
                   {"n2", "Ravi", Created("2026-03-02 09:01:00")}},
                  true, "c2", 5));
  Answer(PageJson({{"n4", "Ravi", Created("2026-03-02 09:03:00")},
                   {"5", "Ravi", Created("2026-03-02 09:04:00"), true}},
                  false, "", 5));
  EXPECT_EQ(PollAt("2026-03-02 10:30:00").status,
            core::PollResult::Status::kOk);
  ASSERT_EQ(transport_->calls().size(), 3u);
  EXPECT_TRUE(Variables(0)["after"].IsNull());
  EXPECT_STREQ(Variables(1)["after"].GetString(), "c1");
  EXPECT_STREQ(Variables(2)["after"].GetString(), "c2");
  EXPECT_EQ(From(0), "2026-03-01T18:30:00Z");  // IST midnight, first start
  EXPECT_EQ(metrics_->Booked("agent03"), 5u);
  EXPECT_EQ(poller_->SeenCount(Day("2026-03-02")), 5u);
}

TEST_F(CrmPollerTest, AFailedPageCommitsNothingAndTheRetryCountsOnce) {
  Answer(
      PageJson({{"n1", "Ravi", Created("2026-03-02 09:00:00")}}, true, "c1"));
  Answer("upstream exploded", 502);
  const core::PollResult failed = PollAt("2026-03-02 10:30:00");
  EXPECT_EQ(failed.status, core::PollResult::Status::kFailed);
  EXPECT_EQ(failed.reason, "http");
  EXPECT_EQ(metrics_->Total(), 0u);
  EXPECT_FALSE(poller_->covered_until().has_value());
  Answer(
      PageJson({{"n1", "Ravi", Created("2026-03-02 09:00:00")}}, true, "c1"));
  Answer(PageJson({{"n2", "Ravi", Created("2026-03-02 09:02:00")}}, false, ""));
  PollAt("2026-03-02 10:35:00");
  EXPECT_EQ(From(2), "2026-03-01T18:30:00Z");  // the same window again
  EXPECT_EQ(metrics_->Booked("agent03"), 2u);
}

TEST_F(CrmPollerTest, AgentNamesMapToCdrAgentIds) {
  const std::string at = Created("2026-03-02 09:00:00");
  Answer(PageJson({{"n1", "Asha Rao", at},
                   {"n2", "Zoë", at},
                   {"n3", "Ravi", at},
                   {"n4", "Walk-in Desk", at},
                   {"n5", "", at}},
                  false, ""));
  PollAt("2026-03-02 10:30:00");
  EXPECT_EQ(metrics_->Booked("agent01"), 1u);
  EXPECT_EQ(metrics_->Booked("agent02"), 1u);
  EXPECT_EQ(metrics_->Booked("agent03"), 1u);
  EXPECT_EQ(metrics_->Booked("Walk-in Desk"), 1u);
  EXPECT_EQ(metrics_->Booked("unassigned"), 1u);
  EXPECT_THAT(test::SourceProblems(*metrics_), IsEmpty());
}

TEST_F(CrmPollerTest, StateSurvivesARestartWithoutRecounting) {
  Answer(PageJson({{"n1", "Ravi", Created("2026-03-02 09:00:00")},
                   {"n2", "Asha Rao", Created("2026-03-02 10:20:00")}},
                  false, ""));
  PollAt("2026-03-02 10:30:00");
  MakePoller();
  poller_->LoadState(/*ran_before=*/true);
  EXPECT_EQ(metrics_->Total(), 2u);
  EXPECT_EQ(poller_->SeenCount(Day("2026-03-02")), 2u);
  Answer(PageJson({{"n2", "Asha Rao", Created("2026-03-02 10:20:00")},
                   {"n3", "Asha Rao", Created("2026-03-02 10:32:00")}},
                  false, ""));
  PollAt("2026-03-02 10:33:00");
  EXPECT_EQ(metrics_->Booked("agent01"), 2u);
  EXPECT_EQ(metrics_->Total(), 3u);
}

class CrmStateLossTest : public CrmPollerTest,
                         public ::testing::WithParamInterface<std::string> {};

TEST_P(CrmStateLossTest, IsSetAsideAndCountingStartsFromNow) {
  test::WriteText(dir_.File("crm_state.json"), GetParam());
  MakePoller();
  poller_->LoadState(/*ran_before=*/true);
  EXPECT_TRUE(FileExists(dir_.File("crm_state.json.corrupt")));
  EXPECT_THAT(log_.str(), HasSubstr("state file is corrupt"));
  Answer(PageJson({{"old", "Ravi", Created("2026-03-02 09:00:00")},
                   {"new", "Ravi", Created("2026-03-02 10:35:00")}},
                  false, ""));
  PollAt("2026-03-02 10:40:00");
  EXPECT_EQ(From(0), FormatRfc3339(At("2026-03-02 10:30:00")));
  EXPECT_EQ(metrics_->Total(), 1u);  // "old" predates the restart
}

INSTANTIATE_TEST_SUITE_P(
    CorruptOrDeep, CrmStateLossTest,
    ::testing::Values(std::string(R"({"version":2,"ledger":[{"date":"no"}]})"),
                      std::string(R"({"version":2,"metrics":)") +
                          std::string(200000, '[') + "}"));

// The directory's own file keeps the name -> AgentID mapping, so bookings
// stay on the AgentID series even when the CDR state is lost.
TEST_F(CrmPollerTest, ACorruptCdrStateKeepsBookingsOnTheAgentId) {
  {
    directory::AgentDirectory before{directory::DirectoryConfig{}};
    before.Bind(&store_->File("agents.json"), nullptr);
    before.Learn("agent42", "New Hire", 1);
    ASSERT_TRUE(before.Persist());
  }
  test::WriteText(dir_.File("cdr_state.json"), "{\"version\":2,");
  agents_ =
      std::make_unique<directory::AgentDirectory>(directory::DirectoryConfig{});
  agents_->Bind(&store_->File("agents.json"), nullptr);
  ASSERT_TRUE(agents_->Load(logger_));
  MakePoller();
  Answer(PageJson({{"n1", "New Hire", Created("2026-03-02 09:00:00")}}, false,
                  ""));
  PollAt("2026-03-02 10:30:00");
  const std::string text = core::RenderText(*metrics_);
  EXPECT_EQ(test::SampleValue(
                text, "crm_appointments_booked_total{agent=\"agent42\"}"),
            1);
  EXPECT_THAT(text, ::testing::Not(HasSubstr("New Hire")));
}

TEST_F(CrmPollerTest, ARepeatedCursorFailsThePoll) {
  const std::string at = Created("2026-03-02 09:00:00");
  Answer(PageJson({{"n1", "Ravi", at}}, true, "same"));
  Answer(PageJson({{"n2", "Ravi", at}}, true, "same"));
  EXPECT_EQ(PollAt("2026-03-02 10:30:00").reason, "parse");
  EXPECT_EQ(transport_->calls().size(), 2u);
  EXPECT_EQ(metrics_->Total(), 0u);
}

TEST_F(CrmPollerTest, DayLedgerIsDroppedOnceTheOverlapPassesMidnight) {
  Answer(
      PageJson({{"late", "Ravi", Created("2026-03-02 23:40:00")}}, false, ""));
  PollAt("2026-03-02 23:50:00");
  Answer(PageJson({{"late", "Ravi", Created("2026-03-02 23:40:00")},
                   {"early", "Ravi", Created("2026-03-03 00:10:00")}},
                  false, ""));
  PollAt("2026-03-03 00:20:00");
  EXPECT_THAT(poller_->OpenDays(),
              ElementsAre(Day("2026-03-02"), Day("2026-03-03")));
  Answer(
      PageJson({{"early", "Ravi", Created("2026-03-03 00:10:00")}}, false, ""));
  PollAt("2026-03-03 00:45:00");
  EXPECT_THAT(poller_->OpenDays(), ElementsAre(Day("2026-03-03")));
  EXPECT_EQ(metrics_->Total(), 2u);
}

}  // namespace
}  // namespace callcenter::crm
