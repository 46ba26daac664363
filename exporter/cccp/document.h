// The `cccp-snapshot/v1` document (cccp-snapshot.md §2), validated. A
// snapshot that parses here is safe to publish: every type was checked,
// every label value sanitised, duplicates refused. Anything else is one
// failure with one line naming the first problem by its JSON path.
#ifndef CALLCENTER_CCCP_DOCUMENT_H_
#define CALLCENTER_CCCP_DOCUMENT_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "callcenter/common/clock.h"
#include "cccp/states.h"

namespace callcenter::cccp {

inline constexpr std::string_view kSchemaVersion = "cccp-snapshot/v1";

struct AgentToday {
  std::optional<double> pause_seconds;
  std::optional<double> outbound_seconds;
  std::optional<int64_t> inbound_total;
  std::optional<int64_t> inbound_managed;
  std::optional<int64_t> inbound_lost;
};

struct SnapshotAgent {
  std::string login;  // sanitised label value, unique in the snapshot
  std::string name;   // sanitised; PII, published only when enabled
  std::string role;   // "agent" or "supervisor"
  std::string profile;
  CccpState state = CccpState::kUnknown;
  // The document's state when it is outside the vocabulary (then `state`
  // is kUnknown); for a debug log, never a label.
  std::string unmapped_state;
  bool logged_in = true;  // false: logged_in:false or state logged_out
  std::optional<TimePoint> state_since;
  std::optional<TimePoint> login_at;
  AgentToday today;
};

struct QueueToday {
  std::optional<int64_t> managed;
  std::optional<int64_t> failed;
  std::optional<double> waiting_max_seconds;
};

struct SnapshotQueue {
  std::string name;  // sanitised label value, unique in the snapshot
  std::string display_name;
  std::optional<int64_t> waiting_calls;
  std::optional<int64_t> running_calls;
  std::optional<TimePoint> oldest_waiting_since;
  std::map<std::string, int64_t> agents;  // by status, known statuses only
  QueueToday today;
};

struct SnapshotCalls {
  std::optional<int64_t> active_inbound;
  std::optional<int64_t> active_outbound;
  std::optional<int64_t> waiting;
};

struct Snapshot {
  TimePoint generated_at{};
  // False when `agents` is missing or null: "no agent data", which is not
  // "zero agents".
  bool has_agent_data = false;
  std::vector<SnapshotAgent> agents;  // document order
  std::vector<SnapshotQueue> queues;  // document order
  SnapshotCalls calls;
};

struct ParseLimits {
  size_t max_bytes = size_t{64} << 20;
  // The document itself is 4 deep; unknown fields may nest a little more.
  int max_depth = 32;
};

struct ParsedSnapshot {
  enum class Status { kOk, kInvalidJson, kSchema };
  Status status = Status::kOk;
  std::string problem;  // one line, for kInvalidJson and kSchema
  Snapshot snapshot;
};

// Parses and validates `text`. Never throws, whatever the input.
ParsedSnapshot ParseSnapshot(std::string_view text, ParseLimits limits = {});

// Statuses of `queues[].agents` that are published; others are ignored.
inline constexpr std::string_view kQueueAgentStatuses[] = {
    "logged", "working", "withdrawn", "outbound", "supervision", "latent"};

}  // namespace callcenter::cccp

#endif  // CALLCENTER_CCCP_DOCUMENT_H_
