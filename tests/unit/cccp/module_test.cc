// The module through the engine, as the app wires it: configured from
// YAML, started on an Engine with a fake clock, its poller and staleness
// watch run by hand, and /metrics read from the engine's snapshot
// publisher next to the live floor.
#include "cccp/module.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <sstream>

#include "core/engine.h"
#include "core/text_writer.h"
#include "live/floor.h"
#include "test_support.h"

namespace callcenter::cccp {
namespace {

using testing::HasSamples;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::SampleValue;
using testing::T0;
using PollStatus = core::PollResult::Status;

class ScriptedFetcher final : public Fetcher {
 public:
  FetchResult Fetch() override {
    if (results.empty()) return FetchResult::Failed(FetchError::kIo, "none");
    FetchResult result = results.front();
    results.pop_front();
    return result;
  }
  std::deque<FetchResult> results;
};

class CccpModuleTest : public ::testing::Test {
 protected:
  CccpModuleTest()
      : store_(dir_.File("state"), logger_),
        budgets_(clock_, stop_, logger_, nullptr),
        publisher_(logger_, core::SnapshotPublisher::Options{}),
        engine_(clock_, logger_, stop_, store_, budgets_, publisher_) {}

  // Configures and starts the module as the app does; false if either
  // step refused.
  bool Start(const std::string& yaml, live::FloorOptions floor_options = {},
             detail::FetcherFactory factory = MakeFetcher) {
    floor_ = std::make_unique<live::Floor>(floor_options);
    module_ = std::make_unique<detail::CccpModule>(*floor_, std::move(factory));
    core::ConfigNode root = core::ConfigNode::Parse(yaml, &errors_);
    core::GlobalSettings global;
    global.per_agent_metrics = floor_options.per_agent_metrics;
    if (!module_->Configure(root, global, core::ProcessEnv)) return false;
    root.RejectUnknown();
    if (!errors_.empty() || !module_->Start(engine_)) return false;
    if (floor_->claimed()) {
      floor_->SetOnChange(engine_.AddSource("live_floor", floor_.get()));
    }
    return true;
  }

  bool StartOnFile(live::FloorOptions floor_options = {},
                   const std::string& extra = "") {
    return Start("cccp:\n  source: file:" + SnapshotPath() + "\n" + extra,
                 floor_options);
  }

  // A fetcher the test feeds by hand.
  bool StartScripted() {
    return Start("cccp:\n  source: cmd:/bin/true\n", {},
                 [this](const CccpConfig&, FetchOptions) {
                   auto fetcher = std::make_unique<ScriptedFetcher>();
                   scripted_ = fetcher.get();
                   return fetcher;
                 });
  }

  std::string SnapshotPath() const { return dir_.File("snapshot.json"); }
  void Publish(const std::string& text) {
    testing::WriteAtomically(SnapshotPath(), text);
  }
  core::PollResult Poll() { return module_->poller().Poll(); }

  std::string Scrape() {
    publisher_.RenderNow();
    return publisher_.Current()->Text();
  }

  double Value(const std::string& series) {
    const auto value = SampleValue(Scrape(), series);
    EXPECT_TRUE(value) << "no series " << series;
    return value.value_or(-1);
  }

  double Errors(const std::string& reason) {
    return Value("cccp_snapshot_fetch_errors_total{reason=\"" + reason + "\"}");
  }

  testing::TempDir dir_;
  FakeClock clock_{T0()};
  std::ostringstream log_;
  core::Logger logger_{log_, core::LogLevel::kDebug};
  core::StopSignal stop_;
  core::StateStore store_;
  core::BudgetGate budgets_;
  core::SnapshotPublisher publisher_;
  core::Engine engine_;
  std::vector<std::string> errors_;
  std::unique_ptr<live::Floor> floor_;
  std::unique_ptr<detail::CccpModule> module_;
  ScriptedFetcher* scripted_ = nullptr;
};

TEST_F(CccpModuleTest, DisabledWithoutItsSection) {
  EXPECT_FALSE(Start("crm:\n  url: https://x\n"));
  EXPECT_FALSE(floor_->claimed());
}

TEST_F(CccpModuleTest, ConfigProblemsAreReported) {
  EXPECT_FALSE(Start("cccp:\n  source: snapshot.json\n  interval: soon\n"));
  EXPECT_THAT(errors_, ::testing::ElementsAre(HasSubstr("cccp.source"),
                                              HasSubstr("cccp.interval")));
}

TEST_F(CccpModuleTest, PublishesTheFloorAndItsOwnFamilies) {
  ASSERT_TRUE(StartOnFile());
  EXPECT_TRUE(floor_->claimed());
  EXPECT_THAT(publisher_.CheckFamilies(), IsEmpty())
      << "no family repeats the floor's, every name is valid";
  EXPECT_THAT(core::CheckFamilies(module_->metrics().Families()), IsEmpty());
  // Before the first fetch: health only, every reason at 0.
  std::string text = Scrape();
  EXPECT_EQ(SampleValue(text, "cccp_up"), 0);
  EXPECT_FALSE(HasSamples(text, "cccp_snapshot_timestamp_seconds"));
  for (const char* reason :
       {"timeout", "exit_code", "http", "io", "invalid_json", "schema"}) {
    EXPECT_EQ(Errors(reason), 0) << reason;
  }

  Publish(testing::GeneratedDocument(T0(), 420));
  const core::PollResult result = Poll();
  ASSERT_EQ(result.status, PollStatus::kOk) << result.message;
  EXPECT_EQ(result.next, T0() + Seconds(10));
  text = Scrape();
  EXPECT_EQ(SampleValue(text, "cccp_up"), 1);
  EXPECT_EQ(SampleValue(text, "cccp_snapshot_timestamp_seconds"),
            ToUnixSeconds(T0()));
  EXPECT_TRUE(HasSamples(text, "cccp_snapshot_fetch_duration_seconds"));
  EXPECT_EQ(SampleValue(text, "cccp_snapshot_stale"), 0);
  EXPECT_EQ(SampleValue(text, "cccp_snapshot_agent_data"), 1);
  EXPECT_EQ(SampleValue(text, "cccp_agents_dropped"), 0);
  // The live families, labelled `agent`.
  EXPECT_EQ(
      SampleValue(text,
                  R"(callcenter_agent_state{agent="agent0002",state="busy"})"),
      1);
  EXPECT_EQ(
      SampleValue(text,
                  R"(callcenter_agent_state{agent="agent0002",state="pause"})"),
      0);
  EXPECT_EQ(
      SampleValue(
          text,
          R"(callcenter_agent_state{agent="agent0007",state="available"})"),
      1);
  EXPECT_EQ(
      SampleValue(
          text,
          R"(callcenter_agent_state{agent="agent0008",state="supervising"})"),
      1);
  EXPECT_EQ(
      SampleValue(
          text, R"(callcenter_agent_state{agent="agent0012",state="unknown"})"),
      1);
  EXPECT_FALSE(SampleValue(
      text, R"(callcenter_agent_state{agent="agent0010",state="unknown"})"))
      << "agent0010 is logged out";
  EXPECT_EQ(
      SampleValue(
          text,
          R"(callcenter_agent_live_info{agent="agent0007",role="supervisor",profile="Superviseur_default"})"),
      1);
  EXPECT_EQ(text.find(",name=\""), std::string::npos) << "names are off";
  EXPECT_EQ(SampleValue(text, R"(callcenter_queue_waiting_calls{queue="q03"})"),
            3);
  EXPECT_EQ(
      SampleValue(text,
                  R"(callcenter_queue_agents{queue="q03",status="working"})"),
      12);
  EXPECT_EQ(
      SampleValue(text, R"(callcenter_calls_active{direction="inbound"})"), 12);
  // CCCP's own daily figures.
  EXPECT_EQ(
      SampleValue(text, R"(cccp_agent_pause_today_seconds{agent="agent0001"})"),
      1.5);
  EXPECT_EQ(
      SampleValue(text,
                  R"(cccp_agent_outbound_today_seconds{agent="agent0001"})"),
      2);
  EXPECT_EQ(SampleValue(
                text, R"(cccp_agent_inbound_offered_today{agent="agent0001"})"),
            3);
  EXPECT_EQ(
      SampleValue(
          text,
          R"(cccp_agent_inbound_calls_today{agent="agent0001",outcome="managed"})"),
      1);
  EXPECT_EQ(
      SampleValue(
          text,
          R"(cccp_agent_inbound_calls_today{agent="agent0001",outcome="lost"})"),
      2);
  EXPECT_FALSE(
      SampleValue(text, R"(cccp_agent_pause_today_seconds{agent="agent0002"})"))
      << "agent0002 sends no today figures";
  EXPECT_EQ(SampleValue(
                text, R"(cccp_queue_info{queue="q03",display_name="Queue 3"})"),
            1);
  EXPECT_EQ(SampleValue(text, R"(cccp_queue_running_calls{queue="q03"})"), 3);
  EXPECT_EQ(
      SampleValue(text,
                  R"(cccp_queue_calls_today{queue="q03",outcome="managed"})"),
      803);
  EXPECT_EQ(
      SampleValue(text,
                  R"(cccp_queue_calls_today{queue="q03",outcome="failed"})"),
      3);
  EXPECT_EQ(
      SampleValue(text, R"(cccp_queue_waiting_max_today_seconds{queue="q03"})"),
      95.5);
  EXPECT_THAT(text, HasSubstr("# HELP cccp_agent_pause_today_seconds Time the "
                              "agent spent in pause today, in seconds. A gauge "
                              "that resets at the project's day boundary"));
  EXPECT_THAT(text, HasSubstr("# TYPE cccp_queue_calls_today gauge"));
}

TEST_F(CccpModuleTest, AFailedFetchKeepsTheLastGoodSnapshotWithUpZero) {
  ASSERT_TRUE(StartOnFile());
  Publish(testing::GeneratedDocument(T0(), 420));
  ASSERT_EQ(Poll().status, PollStatus::kOk);

  Publish("{\"schema\": \"cccp-snapshot/v1\", ");
  core::PollResult result = Poll();
  EXPECT_EQ(result.status, PollStatus::kFailed);
  EXPECT_EQ(result.reason, "invalid_json");
  std::string text = Scrape();
  EXPECT_EQ(SampleValue(text, "cccp_up"), 0);
  EXPECT_EQ(Errors("invalid_json"), 1);
  EXPECT_EQ(
      SampleValue(text,
                  R"(callcenter_agent_state{agent="agent0002",state="busy"})"),
      1);
  EXPECT_EQ(SampleValue(
                text, R"(cccp_queue_info{queue="q03",display_name="Queue 3"})"),
            1);
  EXPECT_EQ(SampleValue(text, "cccp_snapshot_timestamp_seconds"),
            ToUnixSeconds(T0()));

  Publish(
      testing::OneAgentDocument(R"("login":"a","state":"busy","name":"None")"));
  result = Poll();
  EXPECT_EQ(result.reason, "schema");
  EXPECT_EQ(result.message,
            "agents[0].name: the sentinel \"None\" is forbidden: omit the "
            "field or send null");
  EXPECT_EQ(Errors("schema"), 1);

  std::filesystem::remove(SnapshotPath());
  EXPECT_EQ(Poll().reason, "io");
  EXPECT_EQ(Errors("io"), 1);
  EXPECT_EQ(Value(R"(callcenter_agent_state{agent="agent0002",state="busy"})"),
            1);

  Publish(testing::GeneratedDocument(T0() + Seconds(30), 3));
  ASSERT_EQ(Poll().status, PollStatus::kOk);
  text = Scrape();
  EXPECT_EQ(SampleValue(text, "cccp_up"), 1);
  EXPECT_FALSE(SampleValue(
      text, R"(callcenter_agent_state{agent="agent0100",state="busy"})"));
  EXPECT_EQ(Errors("invalid_json"), 1) << "counters never go back";
}

TEST_F(CccpModuleTest, ErrorsAreCountedByReason) {
  ASSERT_TRUE(StartScripted());
  scripted_->results = {
      FetchResult::Failed(FetchError::kTimeout, "still running after 20000ms"),
      FetchResult::Failed(FetchError::kExitCode, "exited with status 1"),
      FetchResult::Failed(FetchError::kExitCode, "exited with status 2"),
      FetchResult::Failed(FetchError::kHttp, "HTTP status 503"),
      FetchResult::Failed(FetchError::kIo, "cannot read"),
      FetchResult::Ok("[1,2"),
      FetchResult::Ok("{\"schema\":\"cccp-snapshot/v0\"}"),
  };
  for (const char* reason : {"timeout", "exit_code", "exit_code", "http", "io",
                             "invalid_json", "schema"}) {
    const core::PollResult result = Poll();
    EXPECT_EQ(result.status, PollStatus::kFailed);
    EXPECT_EQ(result.reason, reason);
  }
  EXPECT_EQ(Errors("timeout"), 1);
  EXPECT_EQ(Errors("exit_code"), 2);
  EXPECT_EQ(Errors("http"), 1);
  EXPECT_EQ(Errors("io"), 1);
  EXPECT_EQ(Errors("invalid_json"), 1);
  EXPECT_EQ(Errors("schema"), 1);
  EXPECT_EQ(Value("cccp_up"), 0);
  EXPECT_THAT(engine_.NotReady(), IsEmpty())
      << "a CCCP outage never makes the exporter unready";

  scripted_->results = {FetchResult::Cancelled()};
  EXPECT_EQ(Poll().status, PollStatus::kCancelled);
  EXPECT_EQ(Errors("io"), 1) << "a shutdown is no failure";
}

TEST_F(CccpModuleTest, SeriesAreDroppedPastMaxAgeAndComeBack) {
  ASSERT_TRUE(StartOnFile());
  Publish(testing::GeneratedDocument(T0(), 420));
  ASSERT_EQ(Poll().status, PollStatus::kOk);
  clock_.Advance(Seconds(60));
  EXPECT_EQ(module_->watch().Poll().status, PollStatus::kIdle);
  EXPECT_FALSE(module_->poller().stale()) << "exactly max_age is not past it";

  clock_.Advance(Seconds(1));
  const core::PollResult watch = module_->watch().Poll();
  EXPECT_EQ(watch.status, PollStatus::kIdle);
  EXPECT_EQ(watch.next, clock_.Now() + Seconds(1));
  EXPECT_TRUE(module_->poller().stale());
  std::string text = Scrape();
  for (const char* family :
       {"callcenter_agent_state", "callcenter_agent_live_info",
        "callcenter_queue_waiting_calls", "callcenter_queue_agents",
        "cccp_agent_pause_today_seconds", "cccp_agent_inbound_calls_today",
        "cccp_queue_info", "cccp_queue_running_calls", "cccp_queue_calls_today",
        "cccp_queue_waiting_max_today_seconds"}) {
    EXPECT_FALSE(HasSamples(text, family)) << family;
  }
  EXPECT_EQ(SampleValue(text, R"(callcenter_agents{state="busy"})"), 0);
  EXPECT_EQ(
      SampleValue(text, R"(callcenter_calls_active{direction="inbound"})"), 0);
  EXPECT_EQ(SampleValue(text, "cccp_up"), 1) << "the last fetch did succeed";
  EXPECT_EQ(SampleValue(text, "cccp_snapshot_stale"), 1);
  EXPECT_EQ(SampleValue(text, "cccp_snapshot_timestamp_seconds"),
            ToUnixSeconds(T0()));
  EXPECT_THAT(log_.str(), HasSubstr("older than max_age"));

  // Failures while stale change nothing but the health.
  std::filesystem::remove(SnapshotPath());
  EXPECT_EQ(Poll().reason, "io");
  EXPECT_FALSE(HasSamples(Scrape(), "callcenter_agent_state"));

  Publish(testing::GeneratedDocument(clock_.Now(), 420));
  ASSERT_EQ(Poll().status, PollStatus::kOk);
  text = Scrape();
  EXPECT_EQ(SampleValue(text, "cccp_snapshot_stale"), 0);
  EXPECT_EQ(
      SampleValue(text,
                  R"(callcenter_agent_state{agent="agent0002",state="busy"})"),
      1);
  EXPECT_EQ(SampleValue(
                text, R"(cccp_queue_info{queue="q03",display_name="Queue 3"})"),
            1);
}

TEST_F(CccpModuleTest, ASnapshotTooOldOnArrivalIsValidButWithheld) {
  ASSERT_TRUE(StartOnFile());
  Publish(testing::GeneratedDocument(T0() - Seconds(300), 420));
  ASSERT_EQ(Poll().status, PollStatus::kOk);
  const std::string text = Scrape();
  EXPECT_EQ(SampleValue(text, "cccp_up"), 1);
  EXPECT_EQ(SampleValue(text, "cccp_snapshot_stale"), 1);
  EXPECT_EQ(SampleValue(text, "cccp_snapshot_timestamp_seconds"),
            ToUnixSeconds(T0() - Seconds(300)));
  EXPECT_FALSE(HasSamples(text, "callcenter_agent_state"));
  EXPECT_FALSE(HasSamples(text, "cccp_queue_info"));
  EXPECT_EQ(floor_->AgentCount(live::Source::kCccp), 0u);
}

TEST_F(CccpModuleTest, AFutureGeneratedAtAgesFromTheFetch) {
  ASSERT_TRUE(StartOnFile());
  Publish(testing::GeneratedDocument(T0() + Seconds(3600), 20));
  ASSERT_EQ(Poll().status, PollStatus::kOk);
  EXPECT_FALSE(module_->poller().stale());
  clock_.Advance(Seconds(61));
  module_->watch().Poll();
  EXPECT_TRUE(module_->poller().stale())
      << "a producer clock ahead of ours cannot keep a dead floor alive";
}

TEST_F(CccpModuleTest, NamesAndTheAgentCapFollowTheLiveSettings) {
  live::FloorOptions options;
  options.publish_names = true;
  options.max_agents = 100;
  ASSERT_TRUE(StartOnFile(options));
  Publish(testing::GeneratedDocument(T0(), 420));
  ASSERT_EQ(Poll().status, PollStatus::kOk);
  const std::string text = Scrape();
  EXPECT_EQ(
      SampleValue(
          text,
          R"(callcenter_agent_live_info{agent="agent0001",role="agent",profile="Profile_Test",name="Agent 1"})"),
      1);
  EXPECT_EQ(floor_->AgentCount(live::Source::kCccp), 100u);
  EXPECT_GT(SampleValue(text, "cccp_agents_dropped").value_or(0), 200);
  EXPECT_THAT(log_.str(), HasSubstr("agents beyond live.max_agents left out"));
}

TEST_F(CccpModuleTest, WithoutPerAgentMetricsOnlyCountsAndQueuesRemain) {
  live::FloorOptions options;
  options.per_agent_metrics = false;
  ASSERT_TRUE(StartOnFile(options));
  Publish(testing::GeneratedDocument(T0(), 420));
  ASSERT_EQ(Poll().status, PollStatus::kOk);
  const std::string text = Scrape();
  EXPECT_FALSE(HasSamples(text, "callcenter_agent_state"));
  EXPECT_FALSE(HasSamples(text, "cccp_agent_pause_today_seconds"));
  EXPECT_FALSE(HasSamples(text, "cccp_agent_inbound_calls_today"));
  EXPECT_GT(SampleValue(text, R"(callcenter_agents{state="busy"})").value_or(0),
            0);
  EXPECT_EQ(SampleValue(
                text, R"(cccp_queue_info{queue="q03",display_name="Queue 3"})"),
            1);
}

TEST_F(CccpModuleTest, ACustomStateMappingFromTheConfig) {
  ASSERT_TRUE(StartOnFile(
      {}, "  states: {pause: unknown, supervisor_plugged: supervising}\n"));
  Publish(testing::GeneratedDocument(T0(), 20));
  ASSERT_EQ(Poll().status, PollStatus::kOk);
  const std::string text = Scrape();
  EXPECT_EQ(
      SampleValue(
          text, R"(callcenter_agent_state{agent="agent0005",state="unknown"})"),
      1);
  EXPECT_EQ(
      SampleValue(
          text,
          R"(callcenter_agent_state{agent="agent0007",state="supervising"})"),
      1);
  EXPECT_EQ(
      SampleValue(text,
                  R"(callcenter_agent_state{agent="agent0002",state="busy"})"),
      1);
}

TEST_F(CccpModuleTest, NoAgentsArrayIsSaidAndPublishesNoAgent) {
  ASSERT_TRUE(StartOnFile());
  Publish(R"({"schema":"cccp-snapshot/v1","generated_at":")" +
          testing::Rfc3339(T0()) +
          R"(","queues":[{"name":"sav","waiting_calls":2}]})");
  ASSERT_EQ(Poll().status, PollStatus::kOk);
  const std::string text = Scrape();
  EXPECT_EQ(SampleValue(text, "cccp_snapshot_agent_data"), 0);
  EXPECT_EQ(SampleValue(text, R"(callcenter_queue_waiting_calls{queue="sav"})"),
            2);
  EXPECT_EQ(floor_->AgentCount(live::Source::kCccp), 0u);
  EXPECT_THAT(log_.str(), HasSubstr("no agent data"));
}

TEST_F(CccpModuleTest, SecretsStayOutOfLogsAndMessages) {
  testing::WriteText(dir_.File("headers"), "Authorization: Bearer s3cret\n");
  ASSERT_TRUE(
      Start("cccp:\n  source: http://user:pw0rd@127.0.0.1:1/x?token=t0k3n\n"
            "  headers_file: " +
            dir_.File("headers") + "\n"));
  const core::PollResult result = Poll();
  EXPECT_EQ(result.reason, "http");
  for (const std::string& text : {log_.str(), result.message}) {
    EXPECT_THAT(text, Not(HasSubstr("s3cret")));
    EXPECT_THAT(text, Not(HasSubstr("pw0rd")));
    EXPECT_THAT(text, Not(HasSubstr("t0k3n")));
  }
  EXPECT_THAT(log_.str(), HasSubstr("source=http://127.0.0.1:1/x"));
}

TEST_F(CccpModuleTest, TheSourceShowsOnTheLandingPageThroughSourceHealth) {
  ASSERT_TRUE(StartOnFile());
  ASSERT_EQ(engine_.healths().size(), 1u);
  EXPECT_EQ(engine_.healths()[0]->prefix(), "cccp");
  EXPECT_THAT(engine_.healths()[0]->Families()[0].labels, IsEmpty());
}

}  // namespace
}  // namespace callcenter::cccp
