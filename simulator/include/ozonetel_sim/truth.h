// Ground truth for a reporting day: what an exporter that counts every
// record exactly once must have counted by `until`. Calls count on the day
// they start. Two stages:
//  * settled (the original fields): every figure of a record counts once it
//    is settled (visible and, if answered, wrap-up over);
//  * visible: calls, talk, hold, queue wait and talk durations count as
//    soon as the record is visible (the call ended), before wrap-up is over.
// A two-stage exporter matches `visible` for those and the settled fields
// for dispositions, wrap-up and handling seconds.
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

// What a record shows for good as soon as it is visible.
struct VisibleTally {
  DirectionCounts calls[2];
  int64_t talk[2] = {0, 0};
  int64_t hold[2] = {0, 0};
};

struct AgentTruth {
  std::string id;
  std::string name;
  CallTally tally;  // settled
  VisibleTally visible;
  StateTotals states;
  int64_t appointments = 0;
};

struct CampaignTruth {
  std::string name;
  DirectionCounts calls[2];
  std::vector<int64_t> queue_wait_seconds;  // answered inbound TimeToAnswer
  DirectionCounts visible_calls[2];
  std::vector<int64_t> visible_queue_wait_seconds;
};

struct Totals {
  int64_t calls = 0;
  int64_t answered = 0;
  int64_t missed = 0;  // inbound unanswered
};

struct Truth {
  Date date;
  int64_t until = 0;
  std::vector<AgentTruth> agents;  // account order
  CallTally unassigned;
  VisibleTally unassigned_visible;
  std::vector<CampaignTruth> campaigns;  // account order
  std::vector<int64_t> talk_seconds[2];
  std::vector<int64_t> visible_talk_seconds[2];
  int64_t total_calls = 0;
  int64_t total_answered = 0;
  int64_t total_missed = 0;  // inbound unanswered
  Totals visible_totals;
};

// `previous` (the day before, or null when no shift crosses midnight) adds
// the tail of a night shift to the day's state seconds.
Truth ComputeTruth(const Account& account, const DayData& day,
                   const DayData* previous, int64_t until, bool late_data);
std::string TruthToJson(const Truth& truth);

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_TRUTH_H_
