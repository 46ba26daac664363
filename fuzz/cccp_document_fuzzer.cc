// The cccp-snapshot/v1 document: cccp::ParseSnapshot, then BuildPartition
// and the live floor it feeds. The input is the document itself.
//
// Invariants: ParseSnapshot never throws; a problem is one line; a snapshot
// that parses has unique, sanitised logins and queue names, counts within
// 0..2^31-1 and non-negative seconds. BuildPartition keeps at most
// max_agents agents and max_queues queues (counting the rest as dropped),
// only logged-in agents, rows sorted and matching the partition; built
// again with its own result as `previous` it gives the same partition; the
// floor it replaces renders valid exposition text. Run with two option
// sets: the defaults, and tiny caps with names published.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "callcenter/common/strings.h"
#include "cccp/document.h"
#include "cccp/partition.h"
#include "core/text_writer.h"
#include "fuzz_util.h"
#include "live/floor.h"

namespace callcenter::cccp {
namespace {

constexpr int64_t kMaxCount = 2147483647;

void CheckCount(const std::optional<int64_t>& count) {
  if (count) FUZZ_CHECK(*count >= 0 && *count <= kMaxCount);
}
void CheckSeconds(const std::optional<double>& seconds) {
  if (seconds) FUZZ_CHECK(*seconds >= 0);
}

void CheckSnapshot(const Snapshot& snapshot) {
  std::set<std::string> logins;
  for (const SnapshotAgent& agent : snapshot.agents) {
    FUZZ_CHECK(!agent.login.empty());
    FUZZ_CHECK(SanitizeLabelValue(agent.login) == agent.login);
    FUZZ_CHECK(SanitizeLabelValue(agent.profile) == agent.profile);
    FUZZ_CHECK(SanitizeLabelValue(agent.role) == agent.role);
    FUZZ_CHECK(logins.insert(agent.login).second);
    if (!agent.unmapped_state.empty()) {
      FUZZ_CHECK(agent.state == CccpState::kUnknown);
    }
    CheckSeconds(agent.today.pause_seconds);
    CheckSeconds(agent.today.outbound_seconds);
    CheckCount(agent.today.inbound_total);
    CheckCount(agent.today.inbound_managed);
    CheckCount(agent.today.inbound_lost);
  }
  FUZZ_CHECK(snapshot.has_agent_data || snapshot.agents.empty());
  std::set<std::string> names;
  for (const SnapshotQueue& queue : snapshot.queues) {
    FUZZ_CHECK(!queue.name.empty());
    FUZZ_CHECK(SanitizeLabelValue(queue.name) == queue.name);
    FUZZ_CHECK(names.insert(queue.name).second);
    CheckCount(queue.waiting_calls);
    CheckCount(queue.running_calls);
    CheckCount(queue.today.managed);
    CheckCount(queue.today.failed);
    CheckSeconds(queue.today.waiting_max_seconds);
    for (const auto& [status, count] : queue.agents) {
      bool known = false;
      for (std::string_view name : kQueueAgentStatuses) known |= name == status;
      FUZZ_CHECK(known);
      FUZZ_CHECK(count >= 0 && count <= kMaxCount);
    }
  }
  CheckCount(snapshot.calls.active_inbound);
  CheckCount(snapshot.calls.active_outbound);
  CheckCount(snapshot.calls.waiting);
}

bool SamePartition(const live::Partition& a, const live::Partition& b) {
  if (a.agents.size() != b.agents.size() ||
      a.queues.size() != b.queues.size() ||
      a.calls.inbound != b.calls.inbound ||
      a.calls.outbound != b.calls.outbound) {
    return false;
  }
  for (auto i = a.agents.begin(), j = b.agents.begin(); i != a.agents.end();
       ++i, ++j) {
    const live::Agent& x = i->second;
    const live::Agent& y = j->second;
    if (i->first != j->first || x.id != y.id || x.name != y.name ||
        x.role != y.role || x.profile != y.profile || x.state != y.state ||
        x.since != y.since || x.login_at != y.login_at || x.queue != y.queue) {
      return false;
    }
  }
  for (auto i = a.queues.begin(), j = b.queues.begin(); i != a.queues.end();
       ++i, ++j) {
    const live::Queue& x = i->second;
    const live::Queue& y = j->second;
    if (i->first != j->first || x.name != y.name ||
        x.display_name != y.display_name || x.waiting != y.waiting ||
        x.oldest_waiting_since != y.oldest_waiting_since ||
        x.agents != y.agents) {
      return false;
    }
  }
  return true;
}

void Build(const Snapshot& snapshot, const BuildOptions& options) {
  const Built built = BuildPartition(snapshot, options, live::Partition{});
  const live::Partition& partition = built.partition;
  FUZZ_CHECK(partition.agents.size() <= options.max_agents);
  FUZZ_CHECK(partition.queues.size() <= options.max_queues);
  size_t logged_in = 0;
  for (const SnapshotAgent& agent : snapshot.agents)
    logged_in += agent.logged_in;
  FUZZ_CHECK(built.logged_out == snapshot.agents.size() - logged_in);
  FUZZ_CHECK(partition.agents.size() + built.dropped_agents == logged_in);
  FUZZ_CHECK(partition.queues.size() + built.dropped_queues ==
             snapshot.queues.size());
  FUZZ_CHECK(built.rows.agents.size() == partition.agents.size());
  FUZZ_CHECK(built.rows.queues.size() == partition.queues.size());
  for (size_t i = 1; i < built.rows.agents.size(); ++i) {
    FUZZ_CHECK(built.rows.agents[i - 1].agent < built.rows.agents[i].agent);
  }
  for (size_t i = 1; i < built.rows.queues.size(); ++i) {
    FUZZ_CHECK(built.rows.queues[i - 1].queue < built.rows.queues[i].queue);
  }
  for (const auto& [id, agent] : partition.agents) {
    FUZZ_CHECK(id == agent.id);
    if (!options.publish_names) FUZZ_CHECK(agent.name.empty());
  }
  for (const auto& [name, queue] : partition.queues) {
    FUZZ_CHECK(queue.waiting >= 0);
  }
  FUZZ_CHECK(partition.calls.inbound >= 0 && partition.calls.outbound >= 0);

  // The next fetch of the same document changes nothing.
  const Built again = BuildPartition(snapshot, options, partition);
  FUZZ_CHECK(SamePartition(partition, again.partition));

  live::FloorOptions floor_options;
  floor_options.publish_names = options.publish_names;
  floor_options.max_agents = options.max_agents;
  live::Floor floor(floor_options);
  floor.Replace(live::Source::kCccp, built.partition);
  FUZZ_CHECK(fuzz::IsValidExposition(core::RenderText(floor)));
}

}  // namespace
}  // namespace callcenter::cccp

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callcenter::cccp;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ParsedSnapshot parsed = ParseSnapshot(text);
  if (parsed.status != ParsedSnapshot::Status::kOk) {
    FUZZ_CHECK(!parsed.problem.empty());
    FUZZ_CHECK(parsed.problem.find('\n') == std::string::npos);
    return 0;
  }
  CheckSnapshot(parsed.snapshot);
  Build(parsed.snapshot, BuildOptions{});
  BuildOptions tiny;
  tiny.publish_names = true;
  tiny.max_agents = 2;
  tiny.max_queues = 1;
  Build(parsed.snapshot, tiny);
  return 0;
}
