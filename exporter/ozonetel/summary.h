// Agent state time from summaryReport. The API answers with the day's
// cumulative seconds per agent and ModeType; the poller sums the ModeType
// rows, maps each row to the CDR AgentID, and publishes
// ozonetel_agent_state_seconds_total: a counter that restarts at the
// reporting day's midnight. Within a day a value never goes down: a lower
// answer keeps the higher value and counts a regression. A new reading is
// saved before it is published, so a restart never shows a value that
// was not on disk.
#ifndef CALLCENTER_OZONETEL_SUMMARY_H_
#define CALLCENTER_OZONETEL_SUMMARY_H_

#include <array>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/common/timeutil.h"
#include "core/logging.h"
#include "core/metric_source.h"
#include "core/poll_loop.h"
#include "core/state_store.h"
#include "directory/agent_directory.h"
#include "ozonetel/client.h"
#include "ozonetel/record_stats.h"

namespace callcenter::ozonetel {

enum AgentState { kLogin = 0, kBusy, kIdle, kPause, kWrapup, kDial, kStates };
// Seconds per state; -1 is unknown (an invalid total), which keeps the
// value already held.
using StateSeconds = std::array<int64_t, kStates>;
const char* AgentStateName(int state);

// The day's state seconds, guarded so that they never decrease in a day.
class AgentStateMetrics final : public core::MetricSource {
 public:
  struct Values {
    std::optional<Date> day;
    std::map<std::string, StateSeconds> agents;
    uint64_t regressions = 0;
  };

  explicit AgentStateMetrics(bool per_agent);

  // The values after a reading for `day`, without applying it: a new day
  // starts from the reading; the same day keeps the maximum per value.
  // Keys absent from the reading that are not in `known_agents` are
  // dropped: they were rows labelled by name before the name's AgentID was
  // learned. `went_down` counts values that went down (and were kept).
  Values Next(Date day, const std::map<std::string, StateSeconds>& reading,
              const std::vector<std::string>& known_agents,
              int* went_down) const;
  void Replace(Values values);
  void KnowAgent(const std::string& agent);
  std::optional<Date> day() const;
  uint64_t regressions() const;

  std::vector<core::FamilySpec> Families() const override;
  void Render(core::MetricSink& sink) const override;
  static std::string SaveJson(const Values& values);
  bool LoadJson(const rapidjson::Value& doc, std::string* error);

 private:
  const bool per_agent_;
  mutable std::mutex mutex_;
  Values values_;
};

// Sums ModeType rows per agent for `day`, keyed by the CDR AgentID. Rows
// whose join key is unknown keep that key as their agent label.
std::map<std::string, StateSeconds> SumSummaryRows(
    const std::vector<SummaryRow>& rows, Date day, const std::string& join_key,
    const directory::AgentDirectory& agents);

struct SummaryPollerOptions {
  Seconds timezone_offset{5 * 3600 + 30 * 60};
  Seconds interval{60};
  std::string join_key = "AgentName";
  std::vector<std::string> restrict_to;  // configured AgentIDs, may be empty
  size_t batch_size = 200;               // agentIds per request
};

class SummaryPoller final : public core::Poller {
 public:
  struct Deps {
    Api& api;
    AgentStateMetrics& metrics;
    directory::AgentDirectory& agents;
    RecordStats& stats;
    core::StateFile* state;  // summary_state.json; null: none (tests)
    const Clock& clock;
    const core::Logger& logger;
    std::function<void()> on_change;
  };
  SummaryPoller(Deps deps, SummaryPollerOptions options);

  void LoadState();
  core::PollResult Poll() override;

 private:
  Outcome Fetch(Date day, TimePoint to, std::vector<SummaryRow>* rows);

  Deps deps_;
  const SummaryPollerOptions options_;
  std::optional<Date> finalized_;  // the last day read in full after midnight
};

}  // namespace callcenter::ozonetel

#endif  // CALLCENTER_OZONETEL_SUMMARY_H_
