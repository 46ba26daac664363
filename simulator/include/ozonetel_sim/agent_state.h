// Agent state seconds as summaryReport reports them, from an agent's day.
#ifndef OZONETEL_SIM_AGENT_STATE_H_
#define OZONETEL_SIM_AGENT_STATE_H_

#include <cstdint>
#include <string>

#include "ozonetel_sim/traffic.h"

namespace callcenter::sim {

// Index 0 is inbound, 1 outbound.
struct StateTotals {
  int64_t login = 0;
  int64_t idle = 0;
  int64_t pause = 0;
  int64_t busy[2] = {0, 0};
  int64_t wrapup[2] = {0, 0};
  int64_t dial[2] = {0, 0};

  StateTotals& operator+=(const StateTotals& other);
};

// Seconds of each state inside [from, to).
StateTotals ComputeStates(const AgentDay& day, int64_t from, int64_t to);
// The same over both shifts that can reach into [from, to) of `day`: the
// day's own and, when `previous` is given, the one of the day before (a
// night shift that ran past midnight).
StateTotals ComputeStates(const DayData& day, const DayData* previous,
                          int agent, int64_t from, int64_t to);

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_AGENT_STATE_H_
