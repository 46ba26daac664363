#include "live/floor.h"

#include <algorithm>

namespace callcenter::live {
namespace {

using core::FamilySpec;
using core::MetricType;

constexpr std::array<std::string_view, kStateCount> kStateNames = {
    "available", "ringing",  "busy",        "hold",   "wrapup",
    "pause",     "outbound", "supervising", "unknown"};

enum FamilyIndex {
  kAgentState,
  kAgentSince,
  kAgentLogin,
  kAgentInfo,
  kAgents,
  kQueueWaiting,
  kQueueOldest,
  kQueueAgents,
  kCallsActive,
};

std::vector<FamilySpec> MakeFamilies(const FloorOptions& options) {
  std::vector<std::string> info = {"agent", "role", "profile"};
  if (options.publish_names) info.push_back("name");
  return {
      {"callcenter_agent_state",
       "Live state of each logged-in agent: one series per state, exactly one "
       "is 1 (available, ringing, busy, hold, wrapup, pause, outbound, "
       "supervising, unknown).",
       MetricType::kGauge,
       {"agent", "state"}},
      {"callcenter_agent_state_since_timestamp_seconds",
       "When the agent's current state started; time in state is "
       "callcenter_exporter_time_seconds minus this.",
       MetricType::kGauge,
       {"agent"}},
      {"callcenter_agent_login_timestamp_seconds",
       "When the agent logged in, where the source knows it.",
       MetricType::kGauge,
       {"agent"}},
      {"callcenter_agent_live_info",
       "Role and profile of each logged-in agent; always 1.",
       MetricType::kGauge, info},
      {"callcenter_agents",
       "Logged-in agents per live state, every state present (0 included).",
       MetricType::kGauge,
       {"state"}},
      {"callcenter_queue_waiting_calls",
       "Calls waiting in each queue now.",
       MetricType::kGauge,
       {"queue"}},
      {"callcenter_queue_oldest_waiting_timestamp_seconds",
       "When the longest-waiting call of the queue started waiting; absent "
       "when none waits.",
       MetricType::kGauge,
       {"queue"}},
      {"callcenter_queue_agents",
       "Agents of the queue by status (logged, working, withdrawn, outbound, "
       "supervision, latent), where the source knows it.",
       MetricType::kGauge,
       {"queue", "status"}},
      {"callcenter_calls_active",
       "Calls in progress by direction.",
       MetricType::kGauge,
       {"direction"}},
  };
}

double Unix(TimePoint t) { return ToUnixSeconds(t); }

}  // namespace

FloorOptions ParseFloorOptions(core::ConfigNode& root, bool per_agent_metrics) {
  FloorOptions options;
  options.per_agent_metrics = per_agent_metrics;
  core::ConfigNode live = root.Child("live");
  live.Bool("agent_names", &options.publish_names);
  int max_agents = static_cast<int>(options.max_agents);
  live.Int("max_agents", &max_agents, 1, 100000);
  options.max_agents = static_cast<size_t>(max_agents);
  live.RejectUnknown();
  return options;
}

std::string_view StateName(State state) {
  return kStateNames[static_cast<size_t>(state)];
}

std::optional<State> ParseState(std::string_view name) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == name) return static_cast<State>(i);
  }
  return std::nullopt;
}

Floor::Floor(FloorOptions options)
    : options_(options), families_(MakeFamilies(options)) {}

void Floor::SetOnChange(std::function<void()> on_change) {
  on_change_ = std::move(on_change);
}

void Floor::Replace(Source source, Partition partition) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    partitions_[static_cast<size_t>(source)] = std::move(partition);
    ++version_;
  }
  Changed();
}

void Floor::Update(Source source,
                   const std::function<void(Partition&)>& change) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    change(partitions_[static_cast<size_t>(source)]);
    ++version_;
  }
  Changed();
}

void Floor::Changed() {
  if (on_change_) on_change_();
}

size_t Floor::AgentCount(Source source) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return partitions_[static_cast<size_t>(source)].agents.size();
}

std::shared_ptr<const FloorView> Floor::View() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (view_ && view_->version == version_) return view_;
  auto view = std::make_shared<FloorView>();
  view->version = version_;
  for (const Partition& partition : partitions_) {
    for (const auto& [id, agent] : partition.agents) {
      view->agents.push_back(agent);
    }
    for (const auto& [name, queue] : partition.queues) {
      view->queues.push_back(queue);
    }
    view->calls.inbound += partition.calls.inbound;
    view->calls.outbound += partition.calls.outbound;
  }
  // Two sources naming the same agent or queue: the first source's entry
  // stays, so no series repeats. Stable sorts: std::sort would keep either,
  // depending on the rest of the floor. A queue keeps its waiting calls
  // from the first source and the staffing only the other one reports.
  std::stable_sort(view->agents.begin(), view->agents.end(),
                   [](const Agent& a, const Agent& b) { return a.id < b.id; });
  view->agents.erase(
      std::unique(view->agents.begin(), view->agents.end(),
                  [](const Agent& a, const Agent& b) { return a.id == b.id; }),
      view->agents.end());
  std::stable_sort(
      view->queues.begin(), view->queues.end(),
      [](const Queue& a, const Queue& b) { return a.name < b.name; });
  std::vector<Queue> queues;
  for (Queue& queue : view->queues) {
    if (!queues.empty() && queues.back().name == queue.name) {
      if (queues.back().agents.empty()) {
        queues.back().agents = std::move(queue.agents);
      }
      continue;
    }
    queues.push_back(std::move(queue));
  }
  view->queues = std::move(queues);
  for (const Agent& agent : view->agents) {
    ++view->counts[static_cast<size_t>(agent.state)];
  }
  view_ = std::move(view);
  return view_;
}

std::vector<FamilySpec> Floor::Families() const { return families_; }

void Floor::Render(core::MetricSink& sink) const {
  const std::shared_ptr<const FloorView> view = View();
  if (options_.per_agent_metrics) {
    sink.Begin(families_[kAgentState]);
    for (const Agent& agent : view->agents) {
      for (int s = 0; s < kStateCount; ++s) {
        const State state = static_cast<State>(s);
        sink.Sample({{"agent", agent.id}, {"state", StateName(state)}},
                    agent.state == state ? 1 : 0);
      }
    }
    sink.Begin(families_[kAgentSince]);
    for (const Agent& agent : view->agents) {
      sink.Sample({{"agent", agent.id}}, Unix(agent.since));
    }
    sink.Begin(families_[kAgentLogin]);
    for (const Agent& agent : view->agents) {
      if (agent.login_at)
        sink.Sample({{"agent", agent.id}}, Unix(*agent.login_at));
    }
    sink.Begin(families_[kAgentInfo]);
    for (const Agent& agent : view->agents) {
      core::LabelSet labels{{"agent", agent.id},
                            {"role", agent.role},
                            {"profile", agent.profile}};
      if (options_.publish_names) labels.Add("name", agent.name);
      sink.Sample(labels, 1);
    }
  }
  sink.Begin(families_[kAgents]);
  for (int s = 0; s < kStateCount; ++s) {
    sink.Sample({{"state", StateName(static_cast<State>(s))}},
                view->counts[static_cast<size_t>(s)]);
  }
  sink.Begin(families_[kQueueWaiting]);
  for (const Queue& queue : view->queues) {
    sink.Sample({{"queue", queue.name}}, queue.waiting);
  }
  sink.Begin(families_[kQueueOldest]);
  for (const Queue& queue : view->queues) {
    if (queue.waiting > 0 && queue.oldest_waiting_since) {
      sink.Sample({{"queue", queue.name}}, Unix(*queue.oldest_waiting_since));
    }
  }
  sink.Begin(families_[kQueueAgents]);
  for (const Queue& queue : view->queues) {
    for (const auto& [status, count] : queue.agents) {
      sink.Sample({{"queue", queue.name}, {"status", status}}, count);
    }
  }
  sink.Begin(families_[kCallsActive]);
  sink.Sample({{"direction", "inbound"}}, view->calls.inbound);
  sink.Sample({{"direction", "outbound"}}, view->calls.outbound);
}

}  // namespace callcenter::live
