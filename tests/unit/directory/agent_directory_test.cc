#include "directory/agent_directory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "callcenter/common/files.h"
#include "core/text_writer.h"
#include "testing/metrics.h"
#include "testing/temp_dir.h"

namespace callcenter::directory {
namespace {

using test::TempDir;
using test::WriteText;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

DirectoryConfig Config(int max_agents = 10000) {
  DirectoryConfig config;
  config.max_agents = max_agents;
  return config;
}

TEST(AgentDirectoryTest, LearnsNamesAndMapsThemToIds) {
  AgentDirectory agents(Config());
  EXPECT_EQ(agents.Learn("agent01", "Asha Rao", 100), "agent01");
  EXPECT_EQ(agents.IdForName("Asha Rao"), "agent01");
  EXPECT_EQ(agents.IdForName("agent01"), "agent01");  // ids as names
  EXPECT_FALSE(agents.IdForName("Stranger").has_value());
  EXPECT_EQ(agents.Learn("", "Nobody", 1), kUnassignedAgent);
  EXPECT_THAT(agents.Ids(), ElementsAre("agent01"));
}

TEST(AgentDirectoryTest, ConfigOverridesWinOverLearnedNames) {
  DirectoryConfig config = Config();
  config.agents = {{"agent02", "Zoë"}};
  config.name_overrides = {{"Zoë", "agent02"}, {"Front Desk", "agent09"}};
  AgentDirectory agents(config);
  agents.Learn("agent05", "Front Desk", 1);
  EXPECT_EQ(agents.IdForName("Front Desk"), "agent09");
  EXPECT_EQ(agents.IdForName("Zoë"), "agent02");
  EXPECT_THAT(agents.Ids(), ElementsAre("agent02", "agent05"));
}

TEST(AgentDirectoryTest, AgentsBeyondTheCapAreOther) {
  AgentDirectory agents(Config(2));
  EXPECT_EQ(agents.Learn("a1", "", 1), "a1");
  EXPECT_EQ(agents.Admit("a2"), "a2");
  EXPECT_EQ(agents.Learn("a3", "Three", 1), kOtherAgent);
  EXPECT_EQ(agents.Admit("a4"), kOtherAgent);
  EXPECT_EQ(agents.Learn("a1", "", 2), "a1");
  EXPECT_EQ(agents.Ids().size(), 2u);
}

TEST(AgentDirectoryTest, RecentAgentsFirst) {
  AgentDirectory agents(Config());
  agents.Learn("quiet", "", 100);
  agents.Learn("busy", "", 300);
  agents.Learn("middle", "", 200);
  agents.Admit("never");
  EXPECT_THAT(agents.IdsByRecency(),
              ElementsAre("busy", "middle", "quiet", "never"));
}

TEST(AgentDirectoryTest, InfoMetricEscapesAndSanitisesNames) {
  AgentDirectory agents(Config());
  agents.Learn("agent03", "Zoë O'Brien \"ZB\"\n", 1);
  const std::string text = core::RenderText(agents);
  EXPECT_THAT(
      text,
      HasSubstr(
          R"(ozonetel_agent_info{agent="agent03",agent_name="Zoë O'Brien \"ZB\" "} 1)"));
  EXPECT_THAT(test::SourceProblems(agents), IsEmpty());
  DirectoryConfig aggregate = Config();
  aggregate.per_agent_metrics = false;
  AgentDirectory without(aggregate);
  without.Learn("agent03", "Name", 1);
  EXPECT_EQ(core::RenderText(without), "");
}

TEST(ParseDirectoryConfigTest, AgentsAsIdsOrMappings) {
  std::vector<std::string> errors;
  core::ConfigNode root = core::ConfigNode::Parse(
      "agents: [agent01, {id: agent02, name: Priya}]\n"
      "agent_name_map: {Front Desk: agent09}\nmax_agents: 20",
      &errors);
  const DirectoryConfig config = ParseDirectoryConfig(root, true);
  root.RejectUnknown();
  EXPECT_THAT(errors, IsEmpty());
  ASSERT_EQ(config.agents.size(), 2u);
  EXPECT_EQ(config.agents[1].name, "Priya");
  EXPECT_EQ(config.max_agents, 20);
  EXPECT_THAT(
      config.name_overrides,
      ElementsAre(
          std::make_pair(std::string("Priya"), std::string("agent02")),
          std::make_pair(std::string("Front Desk"), std::string("agent09"))));
}

TEST(ParseDirectoryConfigTest, EachBadItemIsOneLine) {
  struct Case {
    const char* yaml;
    const char* line;
  };
  const Case cases[] = {
      {"agents: [[x]]", "agents[0]: must be an agent id or a mapping"},
      {"agents: [{name: x}]", "agents[0].id: is required"},
      {"agents: [{id: a, nmae: x}]", "agents[0].nmae: unknown key"},
      {"agent_name_map: {a: [b]}", "agent_name_map.a: must be a string"},
      {"max_agents: 0", "max_agents: must be an integer from 1"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> errors;
    core::ConfigNode root = core::ConfigNode::Parse(c.yaml, &errors);
    ParseDirectoryConfig(root, true);
    root.RejectUnknown();
    EXPECT_THAT(errors, ElementsAre(HasSubstr(c.line))) << c.yaml;
  }
}

class AgentDirectoryFileTest : public ::testing::Test {
 protected:
  std::unique_ptr<AgentDirectory> Open() {
    store_ = std::make_unique<core::StateStore>(dir_.path(), logger_);
    auto agents = std::make_unique<AgentDirectory>(Config());
    agents->Bind(&store_->File("agents.json"), [this] { ++changes_; });
    return agents;
  }

  TempDir dir_;
  std::ostringstream log_;
  core::Logger logger_{log_, core::LogLevel::kDebug};
  std::unique_ptr<core::StateStore> store_;
  int changes_ = 0;
};

TEST_F(AgentDirectoryFileTest, PersistsAndRestoresTheMapping) {
  auto agents = Open();
  agents->Learn("agent01", "Asha Rao", 100);
  ASSERT_TRUE(agents->Persist());
  EXPECT_EQ(changes_, 1);
  ASSERT_TRUE(agents->Persist());  // nothing changed: no write, no change
  EXPECT_EQ(changes_, 1);
  auto restarted = Open();
  ASSERT_TRUE(restarted->Load(logger_));
  EXPECT_EQ(restarted->IdForName("Asha Rao"), "agent01");
  EXPECT_EQ(core::RenderText(*restarted), core::RenderText(*agents));
}

TEST_F(AgentDirectoryFileTest, CorruptOrDeepFileIsSetAsideAndRelearned) {
  for (const std::string& content :
       {std::string(R"({"version":1,"agents":[["a"]]})"),
        std::string(R"({"version":1,"agents":)") + std::string(200000, '[') +
            "]}",
        std::string("not json")}) {
    WriteText(dir_.File("agents.json"), content);
    auto agents = Open();
    EXPECT_FALSE(agents->Load(logger_));
    EXPECT_TRUE(FileExists(dir_.File("agents.json.corrupt")));
    EXPECT_FALSE(FileExists(dir_.File("agents.json")));
    EXPECT_THAT(agents->Ids(), IsEmpty());
    agents->Learn("agent01", "Asha", 1);
    EXPECT_TRUE(agents->Persist());
    EXPECT_TRUE(FileExists(dir_.File("agents.json")));
  }
}

}  // namespace
}  // namespace callcenter::directory
