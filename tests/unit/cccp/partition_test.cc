// From a snapshot to the floor's CCCP partition and CCCP's own rows: the
// state mapping, logged-out agents, names only when enabled, the caps,
// and where a state's start comes from.
#include "cccp/partition.h"

#include <gtest/gtest.h>

#include <map>

#include "test_support.h"

namespace callcenter::cccp {
namespace {

using live::State;
using testing::T0;

Snapshot Parse(const std::string& text) {
  ParsedSnapshot parsed = ParseSnapshot(text);
  EXPECT_EQ(parsed.status, ParsedSnapshot::Status::kOk) << parsed.problem;
  return parsed.snapshot;
}

// live-floor.md §1.1, written out as the table it is.
State ExpectedLiveState(const std::string& sent) {
  static const std::map<std::string, State> table = {
      {"plugged", State::kAvailable},
      {"supervisor_plugged", State::kAvailable},
      {"ringing", State::kRinging},
      {"busy", State::kBusy},
      {"hold", State::kHold},
      {"wrapup", State::kWrapup},
      {"pause", State::kPause},
      {"outbound", State::kOutbound},
      {"supervisor_unplugged", State::kSupervising},
      {"supervisor_interface", State::kSupervising},
      {"unknown", State::kUnknown},
  };
  const auto it = table.find(sent);
  return it == table.end() ? State::kUnknown : it->second;
}

TEST(PartitionTest, EveryStateOf420AgentsLandsWhereTheContractSays) {
  const auto specs = testing::GeneratedAgents(420);
  const Snapshot snapshot = Parse(testing::Document(T0(), specs));
  const Built built = BuildPartition(snapshot, BuildOptions{}, {});
  size_t logged_in = 0;
  std::map<State, int> expected_counts;
  for (const auto& spec : specs) {
    const auto it = built.partition.agents.find(spec.login);
    if (!spec.logged_in) {
      EXPECT_EQ(it, built.partition.agents.end()) << spec.login;
      continue;
    }
    ++logged_in;
    ASSERT_NE(it, built.partition.agents.end()) << spec.login;
    const live::Agent& agent = it->second;
    EXPECT_EQ(agent.state, ExpectedLiveState(spec.state)) << spec.state;
    EXPECT_EQ(agent.role, spec.supervisor ? "supervisor" : "agent");
    EXPECT_EQ(agent.profile,
              spec.supervisor ? "Superviseur_default" : "Profile_Test");
    EXPECT_EQ(agent.name, "") << "names stay out of the floor by default";
    EXPECT_EQ(agent.login_at, T0() - Seconds(3600 + spec.index));
    EXPECT_EQ(agent.since,
              spec.send_state_since ? T0() - Seconds(spec.index) : T0());
    ++expected_counts[agent.state];
  }
  EXPECT_EQ(built.partition.agents.size(), logged_in);
  EXPECT_EQ(built.logged_out, specs.size() - logged_in);
  EXPECT_EQ(built.rows.agents.size(), logged_in);
  EXPECT_EQ(built.dropped_agents, 0u);
  EXPECT_EQ(built.unmapped_states, std::vector<std::string>{"coffee_machine"});
  for (int s = 0; s < live::kStateCount; ++s) {
    EXPECT_GT(expected_counts[static_cast<State>(s)], 0)
        << "the fixture covers " << live::StateName(static_cast<State>(s));
  }
  EXPECT_EQ(built.partition.calls.inbound, 12);
  EXPECT_EQ(built.partition.calls.outbound, 4);
}

TEST(PartitionTest, NamesReachTheFloorOnlyWhenEnabled) {
  const Snapshot snapshot = Parse(testing::GeneratedDocument(T0(), 3));
  BuildOptions options;
  options.publish_names = true;
  const Built built = BuildPartition(snapshot, options, {});
  EXPECT_EQ(built.partition.agents.at("agent0001").name, "Agent 1");
}

TEST(PartitionTest, CustomStateMapping) {
  const Snapshot snapshot = Parse(testing::GeneratedDocument(T0(), 13));
  BuildOptions options;
  options.states.Set(CccpState::kPause, State::kUnknown);
  options.states.Set(CccpState::kSupervisorPlugged, State::kSupervising);
  const Built built = BuildPartition(snapshot, options, {});
  EXPECT_EQ(built.partition.agents.at("agent0005").state, State::kUnknown);
  EXPECT_EQ(built.partition.agents.at("agent0007").state, State::kSupervising);
  EXPECT_EQ(built.partition.agents.at("agent0002").state, State::kBusy);
}

TEST(PartitionTest, AgentsBeyondMaxAgentsAreDroppedTheSameOnesEachTime) {
  const Snapshot snapshot = Parse(testing::GeneratedDocument(T0(), 420));
  BuildOptions options;
  options.max_agents = 100;
  const Built built = BuildPartition(snapshot, options, {});
  EXPECT_EQ(built.partition.agents.size(), 100u);
  EXPECT_EQ(built.rows.agents.size(), 100u);
  EXPECT_EQ(built.dropped_agents, 420u - built.logged_out - 100u);
  // Sorted by login: the first hundred logged-in logins are kept.
  EXPECT_EQ(built.partition.agents.begin()->first, "agent0000");
  EXPECT_EQ(built.rows.agents.back().agent,
            built.partition.agents.rbegin()->first);
}

TEST(PartitionTest, QueuesBeyondMaxQueuesAreDropped) {
  const Snapshot snapshot = Parse(testing::GeneratedDocument(T0(), 1));
  BuildOptions options;
  options.max_queues = 5;
  const Built built = BuildPartition(snapshot, options, {});
  EXPECT_EQ(built.partition.queues.size(), 5u);
  EXPECT_EQ(built.rows.queues.size(), 5u);
  EXPECT_EQ(built.dropped_queues, 7u);
}

TEST(PartitionTest, QueuesCarryWaitsStaffingAndTheirDailyRows) {
  const Snapshot snapshot = Parse(testing::GeneratedDocument(T0(), 1));
  const Built built = BuildPartition(snapshot, BuildOptions{}, {});
  ASSERT_EQ(built.partition.queues.size(), 12u);
  const live::Queue& q03 = built.partition.queues.at("q03");
  EXPECT_EQ(q03.waiting, 3);
  EXPECT_EQ(q03.oldest_waiting_since, T0() - Seconds(180));
  EXPECT_EQ(q03.display_name, "Queue 3");
  EXPECT_EQ(q03.agents.size(), 6u) << "only the six known statuses";
  EXPECT_EQ(q03.agents.at("logged"), 40);
  // Queue 4 sends an oldest wait but nobody waits: not published.
  EXPECT_EQ(built.partition.queues.at("q04").waiting, 0);
  EXPECT_FALSE(built.partition.queues.at("q04").oldest_waiting_since);
  ASSERT_EQ(built.rows.queues.size(), 12u);
  EXPECT_EQ(built.rows.queues[3].queue, "q03");
  EXPECT_EQ(built.rows.queues[3].running_calls, 3);
  EXPECT_EQ(built.rows.queues[3].today.managed, 803);
  EXPECT_EQ(built.rows.queues[7].display_name, "q07")
      << "without a display name, the info series shows the queue name";
}

TEST(PartitionTest, WithoutStateSinceAStateKeepsTheStartItHad) {
  const std::string first = R"({"schema":"cccp-snapshot/v1",)"
                            R"("generated_at":"2026-01-12T09:15:02Z",)"
                            R"("agents":[{"login":"a","state":"busy"}]})";
  const std::string later = R"({"schema":"cccp-snapshot/v1",)"
                            R"("generated_at":"2026-01-12T09:15:12Z",)"
                            R"("agents":[{"login":"a","state":"busy"}]})";
  const std::string changed = R"({"schema":"cccp-snapshot/v1",)"
                              R"("generated_at":"2026-01-12T09:15:22Z",)"
                              R"("agents":[{"login":"a","state":"pause"}]})";
  const Built one = BuildPartition(Parse(first), BuildOptions{}, {});
  EXPECT_EQ(one.partition.agents.at("a").since, T0());
  const Built two = BuildPartition(Parse(later), BuildOptions{}, one.partition);
  EXPECT_EQ(two.partition.agents.at("a").since, T0());
  const Built three =
      BuildPartition(Parse(changed), BuildOptions{}, two.partition);
  EXPECT_EQ(three.partition.agents.at("a").since, T0() + Seconds(20));
}

TEST(PartitionTest, NoAgentDataMeansNoAgents) {
  const Snapshot snapshot = Parse(
      R"({"schema":"cccp-snapshot/v1","generated_at":"2026-01-12T09:15:02Z",)"
      R"("queues":[{"name":"q"}]})");
  const Built built = BuildPartition(snapshot, BuildOptions{}, {});
  EXPECT_TRUE(built.partition.agents.empty());
  EXPECT_EQ(built.partition.queues.size(), 1u);
  EXPECT_EQ(built.partition.calls.inbound, 0);
}

}  // namespace
}  // namespace callcenter::cccp
