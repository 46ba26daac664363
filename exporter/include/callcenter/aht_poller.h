// The vendor's AHT (outbound calls, last 2 hours) for every known agent and
// every campaign seen in CDRs. One request per target, in round-robin order
// with the most recently active agents first, at the pace of the AHT
// budget; no target is asked again before `min_refresh`.
#ifndef CALLCENTER_AHT_POLLER_H_
#define CALLCENTER_AHT_POLLER_H_

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "callcenter/agent_directory.h"
#include "callcenter/common/clock.h"
#include "callcenter/health.h"
#include "callcenter/logging.h"
#include "callcenter/metric_source.h"
#include "callcenter/ozonetel/client.h"
#include "callcenter/poll_loop.h"
#include "callcenter/rate_budget.h"

namespace callcenter {

struct AhtTarget {
  enum class Kind { kAgent, kCampaign } kind;
  std::string key;
  bool operator==(const AhtTarget& other) const {
    return kind == other.kind && key == other.key;
  }
};

class AhtMetrics final : public MetricSource {
 public:
  void Set(const AhtTarget& target, int64_t seconds, double at_unix);
  void Collect(std::vector<prometheus::MetricFamily>* out) const override;

 private:
  struct Value {
    int64_t seconds;
    double at;
  };
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

class AhtPoller final : public Poller {
 public:
  struct Deps {
    ozonetel::Api& api;
    AhtMetrics& metrics;
    AgentDirectory& agents;
    std::function<std::vector<std::string>()> campaigns;
    ApiHealth& health;
    BudgetGate& gate;
    const Clock& clock;
    const Logger& logger;
    std::function<void()> on_change;
  };
  AhtPoller(Deps deps, AhtPollerOptions options);

  std::string name() const override { return "aht"; }
  TimePoint PollOnce() override;
  // The next target, or nullopt when every target was refreshed recently;
  // `wait_until` then says when the oldest falls due.
  std::optional<AhtTarget> NextTarget(TimePoint now, TimePoint* wait_until);

 private:
  Deps deps_;
  const AhtPollerOptions options_;
  std::deque<AhtTarget> round_;
  std::map<std::pair<int, std::string>, TimePoint> refreshed_;
};

}  // namespace callcenter

#endif  // CALLCENTER_AHT_POLLER_H_
