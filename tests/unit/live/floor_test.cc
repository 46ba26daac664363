// live::Floor's view when two sources describe the same agents and queues:
// one series each, the first source's entry, stable across views.
#include "live/floor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace callcenter::live {
namespace {

Agent MakeAgent(const std::string& id, State state) {
  Agent agent;
  agent.id = id;
  agent.state = state;
  return agent;
}

Queue MakeQueue(const std::string& name, int waiting,
                std::map<std::string, int> agents = {}) {
  Queue queue;
  queue.name = name;
  queue.waiting = waiting;
  queue.agents = std::move(agents);
  return queue;
}

TEST(FloorViewTest, AgentsBothSourcesNameAreOneAgentFromTheFirstSource) {
  // Enough agents that an unstable sort would reorder equal ids (libstdc++
  // insertion-sorts fewer than 16).
  constexpr int kAgents = 200;
  Floor floor({});
  floor.Update(Source::kOzonetelEvents, [](Partition& partition) {
    for (int i = 0; i < kAgents; ++i) {
      const std::string id = "a" + std::to_string(i);
      partition.agents[id] = MakeAgent(id, State::kBusy);
    }
  });
  Partition cccp;
  for (int i = 0; i < kAgents + 1; ++i) {
    const std::string id = "a" + std::to_string(i);
    cccp.agents[id] = MakeAgent(id, State::kPause);
  }
  floor.Replace(Source::kCccp, cccp);

  const auto view = floor.View();
  ASSERT_EQ(view->agents.size(), static_cast<size_t>(kAgents + 1));
  for (const Agent& agent : view->agents) {
    EXPECT_EQ(agent.state, agent.id == "a200" ? State::kPause : State::kBusy)
        << agent.id;
  }
  EXPECT_EQ(view->counts[static_cast<size_t>(State::kBusy)], kAgents);
  EXPECT_EQ(view->counts[static_cast<size_t>(State::kPause)], 1);
}

TEST(FloorViewTest, AQueueBothSourcesNameKeepsTheStaffingOnlyOneKnows) {
  Floor floor({});
  floor.Update(Source::kOzonetelEvents, [](Partition& partition) {
    partition.queues["Sales"] = MakeQueue("Sales", 3);
    partition.queues["Support"] = MakeQueue("Support", 1);
  });
  Partition cccp;
  cccp.queues["Sales"] = MakeQueue("Sales", 5, {{"logged", 4}, {"working", 2}});
  floor.Replace(Source::kCccp, cccp);

  const auto view = floor.View();
  ASSERT_EQ(view->queues.size(), 2u);
  const Queue& sales = view->queues[0];
  EXPECT_EQ(sales.name, "Sales");
  EXPECT_EQ(sales.waiting, 3);  // the first source's count
  EXPECT_EQ(sales.agents,
            (std::map<std::string, int>{{"logged", 4}, {"working", 2}}));
  EXPECT_EQ(view->queues[1].name, "Support");
  EXPECT_TRUE(view->queues[1].agents.empty());
}

TEST(FloorViewTest, TheViewIsRebuiltOnlyAfterAChange) {
  Floor floor({});
  const auto first = floor.View();
  EXPECT_EQ(floor.View(), first);
  floor.Update(Source::kCccp,
               [](Partition& partition) { partition.calls.inbound = 2; });
  const auto second = floor.View();
  EXPECT_NE(second, first);
  EXPECT_EQ(second->calls.inbound, 2);
}

}  // namespace
}  // namespace callcenter::live
