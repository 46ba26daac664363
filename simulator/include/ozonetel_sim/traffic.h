// The traffic model: per agent a shift with pauses, idle gaps, inbound and
// outbound calls and wrap-up; per day the resulting call records and agent
// state timelines. A day is a pure function of (seed, date, spikes); it is
// generated once on first use and cached.
//
// Day agents work about 08:00-19:00. Night agents (the last
// Account::night_agents) work about 21:00-02:00, so their shift belongs to
// the day it starts on while its calls belong to the day each call starts
// on: DayData(D).calls holds every call that starts on D, DayData(D).agents
// every shift that starts on D.
#ifndef OZONETEL_SIM_TRAFFIC_H_
#define OZONETEL_SIM_TRAFFIC_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "callcenter/common/timeutil.h"
#include "ozonetel_sim/account.h"

namespace callcenter::sim {

enum class CallType : uint8_t { kInBound, kManual, kProgressive, kPreview };

inline constexpr int kDispositionEmpty = -1;  // ""
inline constexpr int kDispositionNull = -2;   // null
inline constexpr int kMaxSpikes = 49;

// One call, in absolute unix seconds. Every CDR field derives from these.
struct Call {
  int64_t call_id = 0;
  int64_t ucid = 0;
  int64_t start = 0;
  int64_t pickup = 0;  // answered calls only
  int64_t end = 0;
  int64_t wrap_end = 0;  // == end unless answered
  int32_t queue = 0;     // QueueTime (inbound)
  int32_t hold = 0;
  int32_t ring = 0;    // CustomerRingTime (outbound dialing)
  int16_t agent = -1;  // index into Account::agents; -1: none
  int16_t spike = -1;  // index of the spike that added it; -1: base traffic
  int8_t campaign = 0;
  int8_t disposition = kDispositionEmpty;
  int8_t skill = 0;  // live-floor queue (index into Account::queues), inbound
  CallType type = CallType::kInBound;
  bool answered = false;
  bool agent_null = false;  // AgentID null rather than ""
  bool late = false;        // withheld until 03:00 next day under --late-data
  bool lower_case = false;  // Status/Type spelled in lower case
  bool no_wrapup_end = false;  // WrapUpEndTime stays null in the record

  bool inbound() const { return type == CallType::kInBound; }
  int64_t talk() const { return answered ? end - pickup - hold : 0; }
  int64_t hold_seconds() const { return answered ? hold : 0; }
  int64_t wrapup() const { return answered ? wrap_end - end : 0; }
  int64_t handling() const { return talk() + hold_seconds() + wrapup(); }
  int64_t time_to_answer() const { return answered ? pickup - start : 0; }
};

enum class AgentState : uint8_t { kBusy, kWrapup, kDial, kPause };

// A non-idle stretch of an agent's login. Idle is whatever login time no
// segment covers.
struct Segment {
  int64_t from = 0;
  int64_t to = 0;
  AgentState state = AgentState::kBusy;
  bool inbound = true;  // direction of the call behind busy/wrapup/dial
  CallType type = CallType::kInBound;  // the call behind busy/wrapup/dial
  uint8_t ring = 0;  // inbound busy: seconds the agent rang before `from`
  int32_t hold = 0;  // busy: HoldDuration of the call
};

struct AgentDay {
  int64_t login_from = 0;  // login_from == login_to: not working that day
  int64_t login_to = 0;
  std::vector<Segment> segments;  // ordered, non-overlapping, inside login
};

struct DayData {
  Date date;
  int64_t midnight = 0;     // unix seconds of local midnight
  std::vector<Call> calls;  // ordered by start
  std::vector<AgentDay> agents;
};

// Extra inbound calls in [from, to) with a low answer rate.
struct Spike {
  int64_t from = 0;
  int64_t to = 0;
  double answer_rate = 0.2;
  double extra_calls_per_hour = 60;
};

struct TrafficParams {
  uint64_t seed = 1;
  double calls_per_agent_hour = 6.0;
  int64_t utc_offset_seconds = 19800;
  // Fraction of answered calls whose record never shows a WrapUpEndTime.
  double no_wrapup_end_rate = 0;
};

class TrafficGenerator {
 public:
  TrafficGenerator(const Account* account, TrafficParams params);

  DayData GenerateDay(Date date, const std::vector<Spike>& spikes) const;
  int64_t Midnight(Date date) const;

 private:
  // The calls of night shifts that start on `date`: the shift of the day
  // before crosses into it, the day's own shift crosses out of it.
  void AppendNightCalls(Date date, DayData* day) const;
  AgentDay BuildShift(int agent, Date shift_date,
                      std::vector<Call>* calls) const;
  void AssignIds(DayData* day, int days) const;
  void Classify(Call* call) const;
  void AppendSpikeCalls(int index, const Spike& spike, int days,
                        DayData* day) const;

  const Account* account_;
  TrafficParams params_;
};

// Thread-safe cache of generated days plus the spikes injected at runtime.
class TrafficModel {
 public:
  TrafficModel(const Account* account, TrafficParams params,
               size_t max_cached_days = 32);

  std::shared_ptr<const DayData> Day(Date date);
  // Adds a spike; returns how many calls it added over all its days, or -1
  // when kMaxSpikes are already in place (their ids would collide).
  int64_t AddSpike(const Spike& spike);

  Date DateOf(int64_t unix_seconds) const;
  int64_t Midnight(Date date) const { return generator_.Midnight(date); }
  const Account& account() const { return *account_; }
  // Whether anything of a day (a shift, a call) reaches into the next one;
  // only night agents do, so readers of day D consult D - 1 only then.
  bool CrossesMidnight() const { return account_->night_agents > 0; }
  // Increases whenever a spike changes already generated days.
  uint64_t version() const;

 private:
  struct Entry {
    std::shared_ptr<const DayData> day;
    uint64_t last_use = 0;
  };

  const Account* account_;
  TrafficParams params_;
  TrafficGenerator generator_;
  size_t max_cached_days_;
  mutable std::mutex mutex_;
  std::vector<Spike> spikes_;
  std::map<int64_t, Entry> cache_;  // by days since the epoch
  uint64_t use_counter_ = 0;
  uint64_t version_ = 0;
};

int64_t DaysSinceEpoch(Date date);

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_TRAFFIC_H_
