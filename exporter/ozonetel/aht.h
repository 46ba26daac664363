// The vendor's AHT (outbound calls, last 2 hours) for every known agent and
// every campaign seen in CDRs. One request per target, in round-robin order
// with the most recently active agents first, at the pace of the AHT
// budget; no target is asked again before `min_refresh`.
#ifndef CALLCENTER_OZONETEL_AHT_H_
#define CALLCENTER_OZONETEL_AHT_H_

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

class AhtMetrics final : public core::MetricSource {
 public:
  explicit AhtMetrics(bool per_agent = true) : per_agent_(per_agent) {}
  void Set(const AhtTarget& target, int64_t seconds, double at_unix);
  std::vector<core::FamilySpec> Families() const override;
  void Render(core::MetricSink& sink) const override;

 private:
  struct Value {
    int64_t seconds;
    double at;
  };
  const bool per_agent_;
  mutable std::mutex mutex_;
  std::map<std::string, Value> agents_;
  std::map<std::string, Value> campaigns_;
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
