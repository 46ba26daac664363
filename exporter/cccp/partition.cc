#include "cccp/partition.h"

#include <algorithm>

namespace callcenter::cccp {
namespace {

constexpr size_t kMaxUnmappedShown = 5;

TimePoint StateStart(const SnapshotAgent& agent, live::State state,
                     TimePoint generated_at, const live::Partition& previous) {
  if (agent.state_since) return *agent.state_since;
  const auto it = previous.agents.find(agent.login);
  if (it != previous.agents.end() && it->second.state == state) {
    return it->second.since;
  }
  return generated_at;
}

live::Agent ToLiveAgent(const SnapshotAgent& agent, const Snapshot& snapshot,
                        const BuildOptions& options,
                        const live::Partition& previous) {
  live::Agent live;
  live.id = agent.login;
  // The name is PII: it does not even reach the floor unless enabled.
  if (options.publish_names) live.name = agent.name;
  live.role = agent.role;
  live.profile = agent.profile;
  live.state = options.states.Map(agent.state);
  live.since = StateStart(agent, live.state, snapshot.generated_at, previous);
  live.login_at = agent.login_at;
  return live;
}

void AddAgents(const Snapshot& snapshot, const BuildOptions& options,
               const live::Partition& previous, Built* built) {
  std::vector<const SnapshotAgent*> logged_in;
  for (const SnapshotAgent& agent : snapshot.agents) {
    if (!agent.logged_in) {
      ++built->logged_out;
      continue;
    }
    logged_in.push_back(&agent);
    if (!agent.unmapped_state.empty() &&
        built->unmapped_states.size() < kMaxUnmappedShown &&
        std::find(built->unmapped_states.begin(), built->unmapped_states.end(),
                  agent.unmapped_state) == built->unmapped_states.end()) {
      built->unmapped_states.push_back(agent.unmapped_state);
    }
  }
  // Sorted, so the agents kept under the cap are the same every fetch.
  std::sort(logged_in.begin(), logged_in.end(),
            [](const SnapshotAgent* a, const SnapshotAgent* b) {
              return a->login < b->login;
            });
  if (logged_in.size() > options.max_agents) {
    built->dropped_agents = logged_in.size() - options.max_agents;
    logged_in.resize(options.max_agents);
  }
  for (const SnapshotAgent* agent : logged_in) {
    built->partition.agents.emplace(
        agent->login, ToLiveAgent(*agent, snapshot, options, previous));
    built->rows.agents.push_back({agent->login, agent->today});
  }
}

live::Queue ToLiveQueue(const SnapshotQueue& queue) {
  live::Queue live;
  live.name = queue.name;
  live.display_name = queue.display_name;
  live.waiting = static_cast<int>(queue.waiting_calls.value_or(0));
  if (live.waiting > 0) live.oldest_waiting_since = queue.oldest_waiting_since;
  for (const auto& [status, count] : queue.agents) {
    live.agents.emplace(status, static_cast<int>(count));
  }
  return live;
}

void AddQueues(const Snapshot& snapshot, const BuildOptions& options,
               Built* built) {
  std::vector<const SnapshotQueue*> queues;
  for (const SnapshotQueue& queue : snapshot.queues) queues.push_back(&queue);
  std::sort(queues.begin(), queues.end(),
            [](const SnapshotQueue* a, const SnapshotQueue* b) {
              return a->name < b->name;
            });
  if (queues.size() > options.max_queues) {
    built->dropped_queues = queues.size() - options.max_queues;
    queues.resize(options.max_queues);
  }
  for (const SnapshotQueue* queue : queues) {
    built->partition.queues.emplace(queue->name, ToLiveQueue(*queue));
    // Without a display name the info series still names the queue.
    const std::string& display =
        queue->display_name.empty() ? queue->name : queue->display_name;
    built->rows.queues.push_back(
        {queue->name, display, queue->running_calls, queue->today});
  }
}

}  // namespace

Built BuildPartition(const Snapshot& snapshot, const BuildOptions& options,
                     const live::Partition& previous) {
  Built built;
  AddAgents(snapshot, options, previous, &built);
  AddQueues(snapshot, options, &built);
  built.partition.calls.inbound =
      static_cast<int>(snapshot.calls.active_inbound.value_or(0));
  built.partition.calls.outbound =
      static_cast<int>(snapshot.calls.active_outbound.value_or(0));
  return built;
}

}  // namespace callcenter::cccp
