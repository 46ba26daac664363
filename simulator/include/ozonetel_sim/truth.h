// Ground truth for a reporting day: what an exporter that counts every
// settled record exactly once must have counted by `until`.
#ifndef OZONETEL_SIM_TRUTH_H_
#define OZONETEL_SIM_TRUTH_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ozonetel_sim/agent_state.h"
#include "ozonetel_sim/traffic.h"

namespace callcenter::sim {

// Index 0 is inbound, 1 outbound.
struct DirectionCounts {
  int64_t answered = 0;
  int64_t unanswered = 0;
};

struct SecondsTally {
  int64_t talk = 0;
  int64_t hold = 0;
  int64_t wrapup = 0;
  int64_t handling = 0;
};

struct CallTally {
  DirectionCounts calls[2];
  std::map<std::string, int64_t> dispositions;  // "none" for empty/null
  SecondsTally seconds[2];
};

struct AgentTruth {
  std::string id;
  std::string name;
  CallTally tally;
  StateTotals states;
  int64_t appointments = 0;
};

struct CampaignTruth {
  std::string name;
  DirectionCounts calls[2];
  std::vector<int64_t> queue_wait_seconds;  // answered inbound TimeToAnswer
};

struct Truth {
  Date date;
  int64_t until = 0;
  std::vector<AgentTruth> agents;  // account order
  CallTally unassigned;
  std::vector<CampaignTruth> campaigns;  // account order
  std::vector<int64_t> talk_seconds[2];
  int64_t total_calls = 0;
  int64_t total_answered = 0;
  int64_t total_missed = 0;  // inbound unanswered
};

Truth ComputeTruth(const Account& account, const DayData& day, int64_t until,
                   bool late_data);
std::string TruthToJson(const Truth& truth);

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_TRUTH_H_
