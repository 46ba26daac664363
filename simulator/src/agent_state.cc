#include "ozonetel_sim/agent_state.h"

#include <algorithm>

namespace callcenter::sim {
namespace {

int64_t Overlap(int64_t a_from, int64_t a_to, int64_t b_from, int64_t b_to) {
  return std::max<int64_t>(0, std::min(a_to, b_to) - std::max(a_from, b_from));
}

}  // namespace

StateTotals ComputeStates(const AgentDay& day, int64_t from, int64_t to) {
  StateTotals totals;
  totals.login = Overlap(day.login_from, day.login_to, from, to);
  if (totals.login == 0) return totals;
  int64_t covered = 0;
  for (const Segment& segment : day.segments) {
    if (segment.from >= to) break;
    const int64_t seconds = Overlap(segment.from, segment.to, from, to);
    if (seconds == 0) continue;
    const int direction = segment.inbound ? 0 : 1;
    switch (segment.state) {
      case AgentState::kBusy:
        totals.busy[direction] += seconds;
        break;
      case AgentState::kWrapup:
        totals.wrapup[direction] += seconds;
        break;
      case AgentState::kDial:
        totals.dial[direction] += seconds;
        break;
      case AgentState::kPause:
        totals.pause += seconds;
        break;
    }
    covered += seconds;
  }
  // Idle is the rest of the login, so login is exactly the sum of states.
  totals.idle = totals.login - covered;
  return totals;
}

StateTotals ComputeStates(const DayData& day, const DayData* previous,
                          int agent, int64_t from, int64_t to) {
  StateTotals totals = ComputeStates(day.agents[agent], from, to);
  if (previous != nullptr) {
    totals += ComputeStates(previous->agents[agent], from, to);
  }
  return totals;
}

StateTotals& StateTotals::operator+=(const StateTotals& other) {
  login += other.login;
  idle += other.idle;
  pause += other.pause;
  for (int d = 0; d < 2; ++d) {
    busy[d] += other.busy[d];
    wrapup[d] += other.wrapup[d];
    dial[d] += other.dial[d];
  }
  return *this;
}

}  // namespace callcenter::sim
