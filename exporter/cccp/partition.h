// From a validated snapshot to what is published: the CCCP partition of
// the live floor (agents, queues, calls; live-floor.md §1) and the rows of
// CCCP's own daily figures. Both hold the same agents and queues, bounded
// by live.max_agents and cccp.max_queues so that a runaway producer never
// grows the series without bound.
#ifndef CALLCENTER_CCCP_PARTITION_H_
#define CALLCENTER_CCCP_PARTITION_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "cccp/document.h"
#include "cccp/states.h"
#include "live/floor.h"

namespace callcenter::cccp {

struct AgentRow {
  std::string agent;
  AgentToday today;
};

struct QueueRow {
  std::string queue;
  std::string display_name;
  std::optional<int64_t> running_calls;
  QueueToday today;
};

// CCCP's own per-agent and per-queue series (cccp-snapshot.md §5.1, the
// ones the live floor does not replace), sorted by agent and queue.
struct Rows {
  std::vector<AgentRow> agents;
  std::vector<QueueRow> queues;
};

struct BuildOptions {
  StateMapping states;
  bool publish_names = false;
  size_t max_agents = 5000;
  size_t max_queues = 1000;
};

struct Built {
  live::Partition partition;
  Rows rows;
  size_t logged_out = 0;      // agents in the document without series
  size_t dropped_agents = 0;  // logged in, beyond max_agents
  size_t dropped_queues = 0;  // beyond max_queues
  // Distinct states outside the vocabulary (a few at most), for a debug
  // line: published as `unknown`, never as a label.
  std::vector<std::string> unmapped_states;
};

// `previous` is the partition built from the last good snapshot: an agent
// whose document gives no state_since keeps the start it had there while
// its live state stays the same, else starts at generated_at (the state
// held at least since then).
Built BuildPartition(const Snapshot& snapshot, const BuildOptions& options,
                     const live::Partition& previous);

}  // namespace callcenter::cccp

#endif  // CALLCENTER_CCCP_PARTITION_H_
