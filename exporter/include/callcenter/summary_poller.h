// Agent state time from summaryReport. The API answers with the day's
// cumulative seconds per agent and ModeType; the poller sums the ModeType
// rows, maps each row to the CDR AgentID, and publishes
// ozonetel_agent_state_seconds_total: a counter that restarts at the
// reporting day's midnight. Within a day a value never goes down: a lower
// answer keeps the higher value and counts a regression.
#ifndef CALLCENTER_SUMMARY_POLLER_H_
#define CALLCENTER_SUMMARY_POLLER_H_

#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "callcenter/agent_directory.h"
#include "callcenter/common/clock.h"
#include "callcenter/common/timeutil.h"
#include "callcenter/health.h"
#include "callcenter/logging.h"
#include "callcenter/metric_source.h"
#include "callcenter/ozonetel/client.h"
#include "callcenter/poll_loop.h"
#include "callcenter/rate_budget.h"

namespace callcenter {

enum AgentState { kLogin = 0, kBusy, kIdle, kPause, kWrapup, kDial, kStates };
using StateSeconds = std::array<int64_t, kStates>;
const char* AgentStateName(int state);

// The day's state seconds, guarded so that they never decrease in a day.
class AgentStateMetrics final : public MetricSource {
 public:
  explicit AgentStateMetrics(bool per_agent);

  // Replaces the values with a new reading for `day`. A new day starts
  // from the reading; the same day keeps the maximum per value. Returns
  // the number of values that went down (and were kept). Keys absent from
  // the reading that are not in `known_agents` are dropped: they were rows
  // labelled by name before the name's AgentID was learned.
  int Update(Date day, const std::map<std::string, StateSeconds>& reading,
             const std::vector<std::string>& known_agents = {});
  void KnowAgent(const std::string& agent);
  std::optional<Date> day() const;
  uint64_t regressions() const;

  void Collect(std::vector<prometheus::MetricFamily>* out) const override;
  std::string SaveJson() const;
  bool LoadJson(const std::string& json, std::string* error);

 private:
  const bool per_agent_;
  mutable std::mutex mutex_;
  std::optional<Date> day_;
  std::map<std::string, StateSeconds> values_;
  uint64_t regressions_ = 0;
};

// Sums ModeType rows per agent for `day`, keyed by the CDR AgentID. Rows
// whose join key is unknown keep that key as their agent label.
std::map<std::string, StateSeconds> SumSummaryRows(
    const std::vector<ozonetel::SummaryRow>& rows, Date day,
    const std::string& join_key, const AgentDirectory& agents);

struct SummaryPollerOptions {
  Seconds timezone_offset{5 * 3600 + 30 * 60};
  Seconds interval{60};
  std::string join_key = "AgentName";
  std::vector<std::string> restrict_to;  // configured AgentIDs, may be empty
  size_t batch_size = 200;               // agentIds per request
  std::string state_path;
};

class SummaryPoller final : public Poller {
 public:
  struct Deps {
    ozonetel::Api& api;
    AgentStateMetrics& metrics;
    AgentDirectory& agents;
    ApiHealth& health;
    BudgetGate& gate;
    const Clock& clock;
    const Logger& logger;
    std::function<void()> on_change;
  };
  SummaryPoller(Deps deps, SummaryPollerOptions options);

  void LoadState();
  std::string name() const override { return "summary"; }
  TimePoint PollOnce() override;

 private:
  bool Fetch(Date day, TimePoint to, std::vector<ozonetel::SummaryRow>* rows);

  Deps deps_;
  const SummaryPollerOptions options_;
  Backoff backoff_;
  std::optional<Date> finalized_;  // the last day read in full after midnight
};

}  // namespace callcenter

#endif  // CALLCENTER_SUMMARY_POLLER_H_
