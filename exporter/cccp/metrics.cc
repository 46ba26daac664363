#include "cccp/metrics.h"

namespace callcenter::cccp {
namespace {

using core::FamilySpec;
using core::MetricType;

enum Family {
  kUp,
  kTimestamp,
  kFetchDuration,
  kFetchErrors,
  kStale,
  kAgentData,
  kAgentsDropped,
  kQueuesDropped,
  kAgentPause,
  kAgentOutbound,
  kAgentOffered,
  kAgentInbound,
  kQueueInfo,
  kQueueRunning,
  kQueueCalls,
  kQueueWaitingMax,
};

constexpr char kDaily[] =
    " A gauge that resets at the project's day boundary: never rate() it.";

std::vector<FamilySpec> MakeFamilies() {
  return {
      {"cccp_up",
       "1 if the last fetch of the CCCP snapshot succeeded and the document "
       "was valid, else 0.",
       MetricType::kGauge,
       {}},
      {"cccp_snapshot_timestamp_seconds",
       "generated_at of the last good CCCP snapshot; its age is time() "
       "minus this.",
       MetricType::kGauge,
       {}},
      {"cccp_snapshot_fetch_duration_seconds",
       "Duration of the last fetch of the CCCP snapshot (file read, HTTP "
       "request or command run).",
       MetricType::kGauge,
       {}},
      {"cccp_snapshot_fetch_errors_total",
       "Failed fetches of the CCCP snapshot by reason (timeout, exit_code, "
       "http, io, invalid_json, schema).",
       MetricType::kCounter,
       {"reason"}},
      {"cccp_snapshot_stale",
       "1 while the last good CCCP snapshot is older than cccp.max_age: its "
       "per-agent and per-queue series are withheld.",
       MetricType::kGauge,
       {}},
      {"cccp_snapshot_agent_data",
       "1 if the last good CCCP snapshot carried agent data, 0 if it had no "
       "agents array (no agent data, which is not zero agents).",
       MetricType::kGauge,
       {}},
      {"cccp_agents_dropped",
       "Logged-in agents of the last good CCCP snapshot left out beyond "
       "live.max_agents.",
       MetricType::kGauge,
       {}},
      {"cccp_queues_dropped",
       "Queues of the last good CCCP snapshot left out beyond "
       "cccp.max_queues.",
       MetricType::kGauge,
       {}},
      {"cccp_agent_pause_today_seconds",
       std::string("Time the agent spent in pause today, in seconds.") + kDaily,
       MetricType::kGauge,
       {"agent"}},
      {"cccp_agent_outbound_today_seconds",
       std::string("Time the agent spent on outbound activity today, in "
                   "seconds.") +
           kDaily,
       MetricType::kGauge,
       {"agent"}},
      {"cccp_agent_inbound_offered_today",
       std::string("Inbound calls offered to the agent today.") + kDaily,
       MetricType::kGauge,
       {"agent"}},
      {"cccp_agent_inbound_calls_today",
       std::string("Inbound calls of the agent today by outcome (managed, "
                   "lost).") +
           kDaily,
       MetricType::kGauge,
       {"agent", "outcome"}},
      {"cccp_queue_info",
       "Display name of each CCCP queue; always 1.",
       MetricType::kGauge,
       {"queue", "display_name"}},
      {"cccp_queue_running_calls",
       "Calls in progress in each CCCP queue now.",
       MetricType::kGauge,
       {"queue"}},
      {"cccp_queue_calls_today",
       std::string("Calls of the queue today by outcome (managed, failed).") +
           kDaily,
       MetricType::kGauge,
       {"queue", "outcome"}},
      {"cccp_queue_waiting_max_today_seconds",
       std::string("Longest wait in the queue today, in seconds.") + kDaily,
       MetricType::kGauge,
       {"queue"}},
  };
}

void SampleIf(core::MetricSink& sink, const core::LabelSet& labels,
              const std::optional<double>& value) {
  if (value) sink.Sample(labels, *value);
}

void SampleIf(core::MetricSink& sink, const core::LabelSet& labels,
              const std::optional<int64_t>& value) {
  if (value) sink.Sample(labels, static_cast<double>(*value));
}

}  // namespace

CccpMetrics::CccpMetrics(bool per_agent_metrics)
    : per_agent_metrics_(per_agent_metrics), families_(MakeFamilies()) {}

void CccpMetrics::RecordFailure(FetchError reason, double fetch_seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  state_.up = false;
  state_.fetch_seconds = fetch_seconds;
  ++state_.errors[static_cast<size_t>(reason)];
}

void CccpMetrics::RecordSuccess(Good good, double fetch_seconds, bool stale) {
  std::lock_guard<std::mutex> lock(mutex_);
  state_.up = true;
  state_.fetch_seconds = fetch_seconds;
  state_.good = std::move(good);
  state_.stale = stale;
}

void CccpMetrics::SetStale(bool stale) {
  std::lock_guard<std::mutex> lock(mutex_);
  state_.stale = stale;
}

bool CccpMetrics::up() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return state_.up;
}

uint64_t CccpMetrics::errors(FetchError reason) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return state_.errors[static_cast<size_t>(reason)];
}

std::vector<FamilySpec> CccpMetrics::Families() const { return families_; }

void CccpMetrics::Render(core::MetricSink& sink) const {
  State state;
  {
    // Rows are immutable and shared: the copy is a few scalars.
    std::lock_guard<std::mutex> lock(mutex_);
    state = state_;
  }
  RenderHealth(state, sink);
  if (!state.good || state.stale || !state.good->rows) return;
  if (per_agent_metrics_) RenderAgents(*state.good->rows, sink);
  RenderQueues(*state.good->rows, sink);
}

void CccpMetrics::RenderHealth(const State& state,
                               core::MetricSink& sink) const {
  sink.Begin(families_[kUp]);
  sink.Sample({}, state.up ? 1 : 0);
  if (state.good) {
    sink.Begin(families_[kTimestamp]);
    sink.Sample({}, ToUnixSeconds(state.good->generated_at));
  }
  if (state.fetch_seconds) {
    sink.Begin(families_[kFetchDuration]);
    sink.Sample({}, *state.fetch_seconds);
  }
  sink.Begin(families_[kFetchErrors]);
  for (int reason = 0; reason < kFetchErrorCount; ++reason) {
    sink.Sample({{"reason", FetchErrorName(static_cast<FetchError>(reason))}},
                static_cast<double>(state.errors[static_cast<size_t>(reason)]));
  }
  if (!state.good) return;
  sink.Begin(families_[kStale]);
  sink.Sample({}, state.stale ? 1 : 0);
  sink.Begin(families_[kAgentData]);
  sink.Sample({}, state.good->has_agent_data ? 1 : 0);
  sink.Begin(families_[kAgentsDropped]);
  sink.Sample({}, static_cast<double>(state.good->dropped_agents));
  sink.Begin(families_[kQueuesDropped]);
  sink.Sample({}, static_cast<double>(state.good->dropped_queues));
}

void CccpMetrics::RenderAgents(const Rows& rows, core::MetricSink& sink) const {
  sink.Begin(families_[kAgentPause]);
  for (const AgentRow& row : rows.agents) {
    SampleIf(sink, {{"agent", row.agent}}, row.today.pause_seconds);
  }
  sink.Begin(families_[kAgentOutbound]);
  for (const AgentRow& row : rows.agents) {
    SampleIf(sink, {{"agent", row.agent}}, row.today.outbound_seconds);
  }
  sink.Begin(families_[kAgentOffered]);
  for (const AgentRow& row : rows.agents) {
    SampleIf(sink, {{"agent", row.agent}}, row.today.inbound_total);
  }
  sink.Begin(families_[kAgentInbound]);
  for (const AgentRow& row : rows.agents) {
    SampleIf(sink, {{"agent", row.agent}, {"outcome", "managed"}},
             row.today.inbound_managed);
    SampleIf(sink, {{"agent", row.agent}, {"outcome", "lost"}},
             row.today.inbound_lost);
  }
}

void CccpMetrics::RenderQueues(const Rows& rows, core::MetricSink& sink) const {
  sink.Begin(families_[kQueueInfo]);
  for (const QueueRow& row : rows.queues) {
    sink.Sample({{"queue", row.queue}, {"display_name", row.display_name}}, 1);
  }
  sink.Begin(families_[kQueueRunning]);
  for (const QueueRow& row : rows.queues) {
    SampleIf(sink, {{"queue", row.queue}}, row.running_calls);
  }
  sink.Begin(families_[kQueueCalls]);
  for (const QueueRow& row : rows.queues) {
    SampleIf(sink, {{"queue", row.queue}, {"outcome", "managed"}},
             row.today.managed);
    SampleIf(sink, {{"queue", row.queue}, {"outcome", "failed"}},
             row.today.failed);
  }
  sink.Begin(families_[kQueueWaitingMax]);
  for (const QueueRow& row : rows.queues) {
    SampleIf(sink, {{"queue", row.queue}}, row.today.waiting_max_seconds);
  }
}

}  // namespace callcenter::cccp
