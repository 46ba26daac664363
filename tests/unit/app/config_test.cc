// app::ParseConfig with the real modules: defaults, a config using every
// section, and every problem as exactly one line naming its key, never an
// exception.
#include "app/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "app/modules.h"
#include "testing/temp_dir.h"

namespace callcenter::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

core::EnvLookup Env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

const char kMinimal[] = R"(
ozonetel:
  url: https://in1-ccaas-api.ozonetel.com/
  user_name: acme
)";

class ParseConfigTest : public ::testing::Test {
 protected:
  LoadedConfig Parse(const std::string& yaml,
                     std::map<std::string, std::string> env = {
                         {"OZONETEL_API_KEY", "k3y"}}) {
    enabled_.clear();
    LoadedConfig config;
    EXPECT_NO_THROW(config = ParseConfig(yaml, Env(env), Modules(), &enabled_))
        << yaml;
    return config;
  }

  std::vector<core::Module*> Modules() const {
    std::vector<core::Module*> modules;
    for (const auto& module : modules_) modules.push_back(module.get());
    return modules;
  }

  bool Built(std::string_view name) const {
    for (const auto& module : modules_) {
      if (module->name() == name) return true;
    }
    return false;
  }

  std::vector<std::string> EnabledNames() const {
    std::vector<std::string> names;
    for (const core::Module* module : enabled_) {
      names.emplace_back(module->name());
    }
    return names;
  }

  directory::AgentDirectory agents_{directory::DirectoryConfig{}};
  live::Floor floor_{live::FloorOptions{}};
  SharedData shared_{agents_, floor_};
  std::vector<std::unique_ptr<core::Module>> modules_ = MakeModules(shared_);
  std::vector<core::Module*> enabled_;
};

TEST_F(ParseConfigTest, MinimalConfigEnablesOzonetelWithDefaults) {
  const LoadedConfig config = Parse(kMinimal);
  EXPECT_THAT(config.errors, IsEmpty());
  EXPECT_THAT(EnabledNames(), ElementsAre("ozonetel"));
  EXPECT_TRUE(config.global.per_agent_metrics);
  EXPECT_TRUE(config.floor.per_agent_metrics);
  EXPECT_FALSE(config.floor.publish_names);
  EXPECT_EQ(config.floor.max_agents, 5000u);
  EXPECT_THAT(config.directory.agents, IsEmpty());
}

TEST_F(ParseConfigTest, EverySectionAtOnceIsValid) {
  test::TempDir dir;
  test::WriteText(dir.File("ozonetel.key"), "oz-key\n");
  test::WriteText(dir.File("events.token"),
                  "a-token-of-32-characters-length\n");
  test::WriteText(dir.File("crm.key"), "crm-key");
  std::string yaml = R"(
per_agent_metrics: false
max_agents: 300
max_dispositions: 20
max_campaigns: 30
agents:
  - agent01
  - {id: agent02, name: Asha Rao}
agent_name_map:
  Ravi K: agent03
live:
  agent_names: true
  max_agents: 400
ozonetel:
  url: https://in1-ccaas-api.ozonetel.com
  user_name: acme
  auth: token
  api_key_file: )" + dir.File("ozonetel.key") +
                     R"(
  timezone: "+05:30"
  token_ttl: 50m
  request_timeout: 20s
  rate_limit_patterns: [max limit exceeded, quota]
  limits:
    cdr_per_minute: 2
    summary_per_minute: 5
    aht_per_minute: 40
    agentdetails_per_minute: 8
    tokens_per_hour: 9
    margin: 2s
  cdr:
    endpoint: /ca_reports/fetchCDRDetails
    overlap: 20m
    late_data_until: 3h
    settle_timeout: 10m
  summary:
    interval: 2m
    join_key: AgentUniqueID
  aht:
    min_refresh: 90s
  events:
    path_prefix: /hooks/ozonetel
    token_file: )" + dir.File("events.token") +
                     R"(
    agent_states: {Talking: busy, Gone: logged_out}
    calling_inbound: ringing
    calling_outbound: outbound
    status_states: {Ready: available, Logout: logged_out}
    inbound_call_types: [InBound, Transfer]
    call_ttl: 2h
    agent_ttl: 10h
    dedupe_window: 5m
    max_queues: 50
    reconcile: false
    save_interval: 10s
    subscription_url: https://subscription.ozonetel.com
crm:
  url: https://crm.example/graphql
  api_key_file: )" + dir.File("crm.key") +
                     R"(
  page_size: 100
  requests_per_minute: 4
  interval: 90s
  overlap: 15m
  request_timeout: 10s
  timezone: "+05:30"
)";
  std::vector<std::string> expected = {"ozonetel", "crm"};
  if (Built("cccp")) {
    test::WriteText(dir.File("snapshot.json"), "{}");
    yaml += "cccp:\n  source: file:" + dir.File("snapshot.json") +
            "\n  interval: 10s\n  max_age: 60s\n";
    expected.push_back("cccp");
  }
  const LoadedConfig config = Parse(yaml, {});
  EXPECT_THAT(config.errors, IsEmpty());
  std::vector<std::string> names = EnabledNames();
  std::sort(names.begin(), names.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(names, expected);
  EXPECT_FALSE(config.global.per_agent_metrics);
  EXPECT_FALSE(config.directory.per_agent_metrics);
  EXPECT_EQ(config.directory.max_agents, 300);
  ASSERT_EQ(config.directory.agents.size(), 2u);
  EXPECT_EQ(config.directory.agents[1].id, "agent02");
  EXPECT_EQ(config.directory.agents[1].name, "Asha Rao");
  EXPECT_THAT(config.directory.name_overrides,
              UnorderedElementsAre(
                  std::pair<std::string, std::string>("Asha Rao", "agent02"),
                  std::pair<std::string, std::string>("Ravi K", "agent03")));
  EXPECT_TRUE(config.floor.publish_names);
  EXPECT_EQ(config.floor.max_agents, 400u);
  EXPECT_FALSE(config.floor.per_agent_metrics);
}

TEST_F(ParseConfigTest, NoSourceIsAnError) {
  for (const char* yaml :
       {"per_agent_metrics: false\n", "live: {}\n", "agents: [agent01]\n"}) {
    const LoadedConfig config = Parse(yaml);
    EXPECT_THAT(config.errors, ElementsAre(HasSubstr("no source configured")))
        << yaml;
    EXPECT_THAT(enabled_, IsEmpty());
  }
}

TEST_F(ParseConfigTest, EachProblemIsExactlyOneLineNamingItsKey) {
  test::TempDir dir;
  test::WriteText(dir.File("big"), std::string(5000, 'k'));
  ASSERT_EQ(::mkfifo(dir.File("fifo").c_str(), 0600), 0);
  std::filesystem::create_directory(dir.File("dir"));
  struct Case {
    std::string extra;
    std::string line;  // the start of the one error line
  };
  const std::vector<Case> cases = {
      // A key that is not a string (a flow sequence as a key).
      {"? [a, b]\n: 1\n", "config: keys must be strings"},
      {"  ? {x: 1}\n  : 2\n", "ozonetel: keys must be strings"},
      // A list where a list item string is expected, and a mapping.
      {"agents: [agent01, [x]]\n", "agents[1]: must be an agent id"},
      {"  rate_limit_patterns: [{a: b}]\n",
       "ozonetel.rate_limit_patterns[0]: must be a string"},
      {"  rate_limit_patterns: [quota, [x]]\n",
       "ozonetel.rate_limit_patterns[1]: must be a string"},
      // 20 digits cannot be a duration (and must not overflow into one).
      {"  cdr: {overlap: 99999999999999999999s}\n",
       "ozonetel.cdr.overlap: must be a duration"},
      {"  cdr: {overlap: 99999999999999999999}\n",
       "ozonetel.cdr.overlap: must be a duration"},
      {"  token_ttl: 18446744073709551617ms\n",
       "ozonetel.token_ttl: must be a duration"},
      // The secret file: a device, a large file, a FIFO, a directory.
      {"  api_key_file: /dev/zero\n",
       "ozonetel.api_key_file: must name a regular file under 4 KiB"},
      {"  api_key_file: " + dir.File("big") + "\n",
       "ozonetel.api_key_file: must name a regular file under 4 KiB"},
      {"  api_key_file: " + dir.File("fifo") + "\n",
       "ozonetel.api_key_file: must name a regular file under 4 KiB"},
      {"  api_key_file: " + dir.File("dir") + "\n",
       "ozonetel.api_key_file: must name a regular file under 4 KiB"},
      {"  user_name: again\n", "ozonetel.user_name: duplicate key"},
      {"per_agent_metrics: true\nper_agent_metrics: false\n",
       "per_agent_metrics: duplicate key"},
      {"  usr_name: typo\n", "ozonetel.usr_name: unknown key"},
      {"per_agent_metric: true\n", "per_agent_metric: unknown key"},
      {"  limits: {cdr_per_minute: abc}\n",
       "ozonetel.limits.cdr_per_minute: must be an integer"},
      {"  limits: {cdr_per_minute: 99999999999999999999}\n",
       "ozonetel.limits.cdr_per_minute: must be an integer"},
      {"  limits: [1, 2]\n", "ozonetel.limits: must be a mapping"},
      {"  timezone: {a: b}\n",
       "ozonetel.timezone: must be a string, got a mapping"},
      {"live: {max_agents: 0}\n", "live.max_agents: must be an integer"},
  };
  for (const Case& c : cases) {
    // Extra ozonetel keys go inside the section, the rest at the top.
    const std::string yaml = c.extra.rfind("  ", 0) == 0
                                 ? std::string(kMinimal) + c.extra
                                 : c.extra + kMinimal;
    EXPECT_THAT(Parse(yaml).errors, ElementsAre(StartsWith(c.line))) << yaml;
  }
}

TEST_F(ParseConfigTest, SeveralProblemsAreReportedTogether) {
  const LoadedConfig config = Parse(R"(
ozonetel:
  url: ftp://x
  auth: oauth
  api_key_file: /nonexistent/key
  timezone: IST
  limits: {cdr_per_minute: 0, summary_per_minte: 5}
max_dispositions: -1
per_agent_metric: true
)",
                                    {});
  EXPECT_THAT(
      config.errors,
      UnorderedElementsAre(
          StartsWith("ozonetel.url: must start with http"),
          StartsWith("ozonetel.user_name: is required"),
          StartsWith("ozonetel.auth: must be one of api_key, token"),
          StartsWith("ozonetel.api_key_file: cannot read"),
          StartsWith("ozonetel.timezone: must be a UTC offset"),
          StartsWith("ozonetel.limits.cdr_per_minute: must be an integer"),
          StartsWith("ozonetel.limits.summary_per_minte: unknown key"),
          StartsWith("max_dispositions: must be an integer"),
          StartsWith("per_agent_metric: unknown key")));
}

TEST_F(ParseConfigTest, InvalidYamlIsOneLineWithItsPosition) {
  EXPECT_THAT(Parse("ozonetel: [\n").errors,
              ElementsAre(StartsWith("config: invalid YAML at line")));
  EXPECT_THAT(Parse("- a\n- b\n").errors,
              ElementsAre("config: the top level must be a mapping"));
  EXPECT_THAT(enabled_, IsEmpty());
}

TEST_F(ParseConfigTest, MissingFileIsOneClearError) {
  std::string text;
  const LoadedConfig read = ReadConfigFile("/nonexistent/config.yml", &text);
  EXPECT_THAT(read.errors, ElementsAre(HasSubstr("config.file: cannot read")));
  EXPECT_THAT(
      ReadConfigFile("/dev/zero", &text).errors,
      ElementsAre(HasSubstr("config.file: /dev/zero is not a regular")));
  test::TempDir dir;
  test::WriteText(dir.File("ok.yml"), kMinimal);
  const LoadedConfig ok = ReadConfigFile(dir.File("ok.yml"), &text);
  EXPECT_THAT(ok.errors, IsEmpty());
  EXPECT_EQ(text, kMinimal);
}

}  // namespace
}  // namespace callcenter::app
