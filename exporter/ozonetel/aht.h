// The vendor's AHT (outbound calls, last 2 hours) for every known agent and
// every campaign seen in CDRs. One request per target, in round-robin order
// with the most recently active agents first, at the pace of the AHT
// budget; no target is asked again before `min_refresh`.
#ifndef CALLCENTER_OZONETEL_AHT_H_
#define CALLCENTER_OZONETEL_AHT_H_

#include <array>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "core/logging.h"
#include "core/metric_source.h"
#include "core/poll_loop.h"
#include "directory/agent_directory.h"
#include "ozonetel/client.h"

namespace callcenter::ozonetel {

struct AhtTarget {
  enum class Kind { kAgent, kCampaign } kind;
  std::string key;
  bool operator==(const AhtTarget& other) const {
    return kind == other.kind && key == other.key;
  }
};

// Rendered in pieces: at 5,000 agents the agents' series are 620 kB of
// text, and each AHT answer changes one agent. Agents are dealt to
// kAgentShards shards in the order first seen (so shard 0 is never empty
// while another is not, and carries each family's header); pieces are the
// shards of the AHT gauge, then the shards of its timestamp, then every
// campaign. One answer re-renders two pieces of 1/kAgentShards each.
class AhtMetrics final : public core::PiecewiseSource {
 public:
  static constexpr size_t kAgentShards = 64;

  explicit AhtMetrics(bool per_agent = true);
  void Set(const AhtTarget& target, int64_t seconds, double at_unix);
  std::vector<core::FamilySpec> Families() const override;
  size_t piece_count() const override { return kCampaignPiece + 1; }
  void RenderPiece(size_t piece, core::MetricSink& sink) const override;
  std::vector<size_t> TakeChangedPieces() const override;

 private:
  static constexpr size_t kCampaignPiece = 2 * kAgentShards;
  struct Reading {
    int64_t seconds = 0;
    double at = 0;
  };
  struct Agent {
    Reading reading;
    size_t shard = 0;
  };
  using AgentEntry = std::pair<const std::string, Agent>;
  void RenderAgents(size_t shard, bool timestamps,
                    core::MetricSink& sink) const;
  void RenderCampaigns(core::MetricSink& sink) const;

  const bool per_agent_;
  const std::vector<core::FamilySpec> families_;
  mutable std::mutex mutex_;
  std::map<std::string, Agent> agents_;
  // Each shard's agents in the order first seen; map nodes never move.
  std::array<std::vector<const AgentEntry*>, kAgentShards> shards_;
  std::map<std::string, Reading> campaigns_;
  // Pieces changed since the publisher last took them.
  mutable std::vector<bool> changed_;
};

// The order of one round: agents by recency, then campaigns.
std::vector<AhtTarget> AhtRound(const std::vector<std::string>& agents,
                                const std::vector<std::string>& campaigns);

struct AhtPollerOptions {
  Seconds min_refresh{60};
  bool per_agent = true;
};

class AhtPoller final : public core::Poller {
 public:
  struct Deps {
    Api& api;
    AhtMetrics& metrics;
    directory::AgentDirectory& agents;
    std::function<std::vector<std::string>()> campaigns;
    const Clock& clock;
    const core::Logger& logger;
    std::function<void()> on_change;
  };
  AhtPoller(Deps deps, AhtPollerOptions options);

  core::PollResult Poll() override;
  // The next target, or nullopt when every target was refreshed recently;
  // `wait_until` then says when the oldest falls due.
  std::optional<AhtTarget> NextTarget(TimePoint now, TimePoint* wait_until);

 private:
  Deps deps_;
  const AhtPollerOptions options_;
  std::deque<AhtTarget> round_;
  std::map<std::pair<int, std::string>, TimePoint> refreshed_;
};

}  // namespace callcenter::ozonetel

#endif  // CALLCENTER_OZONETEL_AHT_H_
