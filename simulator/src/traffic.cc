#include "ozonetel_sim/traffic.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "ozonetel_sim/rng.h"

namespace callcenter::sim {
namespace {

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 24 * kHour;
// 17-digit ids well above 2^53 (9007199254740992), so a consumer that
// parses them as doubles loses digits and fails loudly.
constexpr int64_t kCallIdBase = 31700000000000000LL;
constexpr int64_t kUcidOffset = 100000000000000LL;
constexpr int64_t kIdsPerDay = 10000000;
constexpr int64_t kSpikeIdBase = 5000000;
constexpr int64_t kIdsPerSpike = 100000;
constexpr double kInboundShare = 0.6;
// Spike calls start before this local hour so none crosses midnight.
constexpr int64_t kLastSpikeStart = 22 * kHour;
// The live floor shows an inbound call ringing its agent for this long
// before pickup, or from the call's start when it was answered sooner.
constexpr int64_t kMaxRingSeconds = 5;
// Generated days are dropped least recently used first once the cache holds
// more calls than this (about 300 MB), but never below two days.
constexpr size_t kCachedCallBudget = 4000000;
// Salts of the per-call decisions, so each draws an independent hash.
constexpr uint64_t kLateSalt = 0x1A7E;
constexpr uint64_t kQueueSalt = 0x5C111;
constexpr uint64_t kNoWrapUpEndSalt = 0x40E4D;

// Relative arrival intensity over the day: peaks late morning and
// mid-afternoon, about 1.0 on average over working hours.
double ArrivalShape(double local_hour) {
  auto bump = [local_hour](double center, double width) {
    const double d = (local_hour - center) / width;
    return std::exp(-0.5 * d * d);
  };
  return 0.5 + 0.8 * bump(11.5, 1.3) + 0.7 * bump(15.5, 1.5);
}

// Talk seconds: log-normal around 3 minutes, 30 s to 20 min.
int64_t TalkSeconds(Rng* rng) {
  const double value = 180.0 * std::exp(0.75 * rng->Normal());
  return std::clamp<int64_t>(std::llround(value), 30, 1200);
}

int64_t HoldSeconds(Rng* rng) {
  return rng->Bernoulli(0.15) ? rng->UniformInt(10, 120) : 0;
}

int64_t QueueSeconds(Rng* rng) {
  return rng->Bernoulli(0.8) ? rng->UniformInt(0, 30)
                             : rng->UniformInt(31, 300);
}

int AnsweredDisposition(Rng* rng) {
  const double r = rng->Uniform();
  if (r < 0.15) return kAppointmentBooked;
  if (r < 0.35) return kCallback;
  if (r < 0.55) return kNotInterested;
  if (r < 0.70) return kInformationProvided;
  if (r < 0.75) return kWrongNumber;
  if (r < 0.82) return kWrapUpExceeded;
  if (r < 0.92) return kDispositionEmpty;
  return kDispositionNull;
}

int UnansweredDisposition(Rng* rng, bool inbound) {
  const double r = rng->Uniform();
  if (r < 0.6) return kDispositionEmpty;
  if (r < 0.85 || inbound) return kDispositionNull;
  return kCallback;
}

// Fills the answered part of a call that is picked up at `pickup`.
void Answer(Rng* rng, int64_t pickup, Call* call) {
  call->answered = true;
  call->pickup = pickup;
  call->hold = static_cast<int32_t>(HoldSeconds(rng));
  call->end = pickup + TalkSeconds(rng) + call->hold;
  call->wrap_end = call->end + rng->UniformInt(5, 90);
  call->disposition = static_cast<int8_t>(AnsweredDisposition(rng));
}

// Which shift an AgentDayBuilder plans.
enum class ShiftKind { kDay, kNight };

// Simulates one agent's shift, appending the calls it handles.
class AgentDayBuilder {
 public:
  AgentDayBuilder(int agent, int64_t midnight, const TrafficParams& params,
                  uint64_t rng_seed, std::vector<Call>* calls)
      : agent_(agent),
        midnight_(midnight),
        params_(params),
        rng_(rng_seed),
        calls_(calls) {}

  // About 08:00-19:00 with two pauses.
  AgentDay Build() {
    if (rng_.Bernoulli(0.04)) return day_;  // a day off
    const int64_t shift_start =
        midnight_ + 8 * kHour + rng_.UniformInt(0, 7200);
    const int64_t shift_end =
        shift_start + 8 * kHour + rng_.UniformInt(0, 3600);
    PlanPauses(shift_start);
    Work(shift_start, shift_end);
    return day_;
  }

  // About 21:00-02:00 with one pause, and (unless a call already runs
  // through it) one inbound call that starts a few minutes before midnight
  // and ends after it: the record the exporter's day counting must survive.
  AgentDay BuildNight() {
    if (rng_.Bernoulli(0.04)) return day_;
    const int64_t shift_start =
        midnight_ + 21 * kHour + rng_.UniformInt(0, 1800);
    const int64_t shift_end =
        shift_start + 5 * kHour + rng_.UniformInt(0, 1800);
    pauses_.push_back(
        {shift_start + kHour + kHour / 2 + rng_.UniformInt(0, 1200),
         rng_.UniformInt(600, 900)});
    crossing_from_ = midnight_ + kDay - rng_.UniformInt(60, 400);
    Work(shift_start, shift_end);
    return day_;
  }

 private:
  struct Pause {
    int64_t from;
    int64_t length;
  };

  void Work(int64_t shift_start, int64_t shift_end) {
    day_.login_from = shift_start;
    int64_t t = shift_start;
    size_t next_pause = 0;
    for (;;) {
      const int64_t start = t + Gap(t);
      if (next_pause < pauses_.size() && start >= pauses_[next_pause].from) {
        t = TakePause(t, pauses_[next_pause++]);
        continue;
      }
      if (crossing_from_ && start >= *crossing_from_) {
        const int64_t from = std::max(t + 5, *crossing_from_);
        crossing_from_.reset();
        if (from < midnight_ + kDay) {
          t = CrossingInbound(from);
          continue;
        }
      }
      if (start >= shift_end - 120) break;
      t = rng_.Bernoulli(kInboundShare) ? Inbound(start) : Outbound(start);
    }
    day_.login_to = std::max(shift_end, t);
  }

  void PlanPauses(int64_t shift_start) {
    pauses_.push_back({shift_start + 2 * kHour + rng_.UniformInt(0, 1800),
                       rng_.UniformInt(600, 900)});
    pauses_.push_back({shift_start + 4 * kHour + rng_.UniformInt(0, 3600),
                       rng_.UniformInt(1500, 2100)});
  }

  int64_t TakePause(int64_t free_at, const Pause& pause) {
    const int64_t from = std::max(free_at, pause.from);
    AddSegment({from, from + pause.length, AgentState::kPause, true});
    return from + pause.length;
  }

  // Idle seconds before the agent's next call, shorter at busy hours.
  int64_t Gap(int64_t t) {
    const double hour = static_cast<double>(t - midnight_) / kHour;
    const double rate = params_.calls_per_agent_hour * ArrivalShape(hour);
    const double mean = std::max(15.0, 3600.0 / rate - 200.0);
    return std::max<int64_t>(5, std::llround(rng_.Exponential(mean)));
  }

  void AddSegment(const Segment& segment) {
    if (segment.to > segment.from) day_.segments.push_back(segment);
  }

  // Busy then wrap-up for an answered call. An inbound call rang the agent
  // for up to 5 s before pickup (never before the call arrived).
  void AddAnsweredSegments(const Call& call) {
    Segment busy{call.pickup, call.end, AgentState::kBusy, call.inbound(),
                 call.type};
    if (call.inbound()) {
      busy.ring = static_cast<uint8_t>(
          std::min<int64_t>(kMaxRingSeconds, call.pickup - call.start));
    }
    busy.hold = call.hold;
    AddSegment(busy);
    AddSegment({call.end, call.wrap_end, AgentState::kWrapup, call.inbound(),
                call.type});
  }

  Call NewCall(int64_t start, CallType type, int campaign) {
    Call call;
    call.start = start;
    call.type = type;
    call.campaign = static_cast<int8_t>(campaign);
    call.agent = static_cast<int16_t>(agent_);
    call.lower_case = rng_.Bernoulli(0.05);
    return call;
  }

  // An inbound call arriving at `start`; returns when the agent is free.
  int64_t Inbound(int64_t start) {
    Call call = NewCall(start, CallType::kInBound,
                        rng_.Bernoulli(0.7) ? kInboundMain : kInboundSupport);
    const int64_t queue = QueueSeconds(&rng_);
    const double outcome = rng_.Uniform();
    int64_t free_at = start;
    if (outcome < 0.85) {
      call.queue = static_cast<int32_t>(queue);
      Answer(&rng_, start + queue + rng_.UniformInt(2, 12), &call);
      AddAnsweredSegments(call);
      free_at = call.wrap_end;
    } else if (outcome < 0.92) {
      // Rang this agent, nobody picked up.
      call.queue = static_cast<int32_t>(queue);
      call.end = start + queue + rng_.UniformInt(15, 30);
      call.wrap_end = call.end;
      call.disposition =
          static_cast<int8_t>(UnansweredDisposition(&rng_, true));
      free_at = call.end;
    } else {
      // Abandoned in the queue before reaching any agent.
      call.agent = -1;
      call.agent_null = rng_.Bernoulli(0.4);
      call.queue = static_cast<int32_t>(std::max<int64_t>(queue, 3));
      call.end = start + call.queue;
      call.wrap_end = call.end;
      call.disposition =
          static_cast<int8_t>(UnansweredDisposition(&rng_, true));
    }
    calls_->push_back(call);
    return free_at;
  }

  // An answered inbound call from `start` (before midnight) that ends
  // 30-400 s after midnight.
  int64_t CrossingInbound(int64_t start) {
    Call call = NewCall(start, CallType::kInBound,
                        rng_.Bernoulli(0.7) ? kInboundMain : kInboundSupport);
    call.queue = static_cast<int32_t>(rng_.UniformInt(0, 20));
    Answer(&rng_, start + call.queue + rng_.UniformInt(2, 12), &call);
    const int64_t end = midnight_ + kDay + rng_.UniformInt(30, 400);
    if (call.end < end) {
      const int64_t wrapup = call.wrap_end - call.end;
      call.end = end;
      call.wrap_end = end + wrapup;
    }
    AddAnsweredSegments(call);
    calls_->push_back(call);
    return call.wrap_end;
  }

  int64_t Outbound(int64_t start) {
    const double mode = rng_.Uniform();
    const CallType type = mode < 0.5   ? CallType::kManual
                          : mode < 0.8 ? CallType::kProgressive
                                       : CallType::kPreview;
    Call call = NewCall(
        start, type, rng_.Bernoulli(0.6) ? kOutboundSales : kOutboundFollowup);
    const int64_t dial = rng_.UniformInt(5, 35);
    call.ring = static_cast<int32_t>(dial);
    AddSegment({start, start + dial, AgentState::kDial, false, type});
    int64_t free_at = start + dial;
    if (rng_.Bernoulli(0.7)) {
      Answer(&rng_, start + dial, &call);
      AddAnsweredSegments(call);
      free_at = call.wrap_end;
    } else {
      call.end = start + dial;
      call.wrap_end = call.end;
      call.disposition =
          static_cast<int8_t>(UnansweredDisposition(&rng_, false));
    }
    calls_->push_back(call);
    return free_at;
  }

  int agent_;
  int64_t midnight_;
  const TrafficParams& params_;
  Rng rng_;
  std::vector<Call>* calls_;
  std::vector<Pause> pauses_;
  std::optional<int64_t> crossing_from_;  // night shifts only
  AgentDay day_;
};

bool StartsEarlier(const Call& a, const Call& b) {
  if (a.start != b.start) return a.start < b.start;
  return a.call_id < b.call_id;
}

}  // namespace

int64_t DaysSinceEpoch(Date date) {
  return std::chrono::sys_days(date).time_since_epoch().count();
}

TrafficGenerator::TrafficGenerator(const Account* account, TrafficParams params)
    : account_(account), params_(params) {}

int64_t TrafficGenerator::Midnight(Date date) const {
  return DaysSinceEpoch(date) * kDay - params_.utc_offset_seconds;
}

DayData TrafficGenerator::GenerateDay(Date date,
                                      const std::vector<Spike>& spikes) const {
  DayData day;
  day.date = date;
  day.midnight = Midnight(date);
  const int64_t days = DaysSinceEpoch(date);
  const int agent_count = static_cast<int>(account_->agents.size());
  day.agents.reserve(static_cast<size_t>(agent_count));
  for (int agent = 0; agent < agent_count; ++agent) {
    if (account_->IsNightAgent(agent)) {
      day.agents.push_back(AgentDay());  // filled by AppendNightCalls
      continue;
    }
    const uint64_t seed = HashOf({params_.seed, static_cast<uint64_t>(days),
                                  static_cast<uint64_t>(agent), 0xA6E7});
    AgentDayBuilder builder(agent, day.midnight, params_, seed, &day.calls);
    day.agents.push_back(builder.Build());
  }
  AppendNightCalls(date, &day);
  AssignIds(&day, static_cast<int>(days));
  for (size_t i = 0; i < spikes.size(); ++i) {
    AppendSpikeCalls(static_cast<int>(i), spikes[i], static_cast<int>(days),
                     &day);
  }
  std::stable_sort(day.calls.begin(), day.calls.end(), StartsEarlier);
  return day;
}

AgentDay TrafficGenerator::BuildShift(int agent, Date shift_date,
                                      std::vector<Call>* calls) const {
  const uint64_t seed =
      HashOf({params_.seed, static_cast<uint64_t>(DaysSinceEpoch(shift_date)),
              static_cast<uint64_t>(agent), 0x4E16});
  AgentDayBuilder builder(agent, Midnight(shift_date), params_, seed, calls);
  return builder.BuildNight();
}

void TrafficGenerator::AppendNightCalls(Date date, DayData* day) const {
  const int agent_count = static_cast<int>(account_->agents.size());
  const int64_t next_midnight = day->midnight + kDay;
  std::vector<Call> calls;
  for (int agent = agent_count - account_->night_agents; agent < agent_count;
       ++agent) {
    // Yesterday's shift is rebuilt (it is a pure function of its date) for
    // the calls it started after midnight.
    calls.clear();
    BuildShift(agent, AddDays(date, -1), &calls);
    for (const Call& call : calls) {
      if (call.start >= day->midnight) day->calls.push_back(call);
    }
    calls.clear();
    day->agents[static_cast<size_t>(agent)] = BuildShift(agent, date, &calls);
    for (const Call& call : calls) {
      if (call.start < next_midnight) day->calls.push_back(call);
    }
  }
}

void TrafficGenerator::AssignIds(DayData* day, int days) const {
  // Ids follow start order, as a real switch hands them out.
  std::stable_sort(day->calls.begin(), day->calls.end(),
                   [](const Call& a, const Call& b) {
                     if (a.start != b.start) return a.start < b.start;
                     return a.agent < b.agent;
                   });
  int64_t sequence = 1;
  for (Call& call : day->calls) {
    call.call_id = kCallIdBase + days * kIdsPerDay + sequence++;
    call.ucid = call.call_id + kUcidOffset;
    Classify(&call);
  }
}

// Per-call decisions drawn from the call's id, so they never disturb the
// traffic draws and stay put when other switches change.
void TrafficGenerator::Classify(Call* call) const {
  const uint64_t id = static_cast<uint64_t>(call->call_id);
  call->late = HashOf({params_.seed, id, kLateSalt}) % 10 == 0;
  const uint64_t queues = account_->queues.size();
  call->skill = static_cast<int8_t>(
      call->agent >= 0 ? account_->HomeQueue(call->agent)
                       : HashOf({params_.seed, id, kQueueSalt}) % queues);
  call->no_wrapup_end =
      call->answered && params_.no_wrapup_end_rate > 0 &&
      UnitInterval(HashOf({params_.seed, id, kNoWrapUpEndSalt})) <
          params_.no_wrapup_end_rate;
}

void TrafficGenerator::AppendSpikeCalls(int index, const Spike& spike, int days,
                                        DayData* day) const {
  const int64_t from = std::max(spike.from, day->midnight);
  const int64_t to = std::min(spike.to, day->midnight + kLastSpikeStart);
  if (to <= from || spike.extra_calls_per_hour <= 0) return;
  Rng rng(HashOf({params_.seed, static_cast<uint64_t>(days), 0x5B1CE,
                  static_cast<uint64_t>(index)}));
  const double mean_gap = 3600.0 / spike.extra_calls_per_hour;
  const int agent_count = static_cast<int>(account_->agents.size());
  double t = static_cast<double>(from) + rng.Exponential(mean_gap);
  for (int64_t k = 0; t < static_cast<double>(to) && k < kIdsPerSpike; ++k) {
    Call call;
    call.start = static_cast<int64_t>(t);
    call.spike = static_cast<int16_t>(index);
    call.campaign = rng.Bernoulli(0.7) ? kInboundMain : kInboundSupport;
    call.queue = static_cast<int32_t>(rng.UniformInt(5, 300));
    if (rng.Bernoulli(spike.answer_rate) && agent_count > 0) {
      // Answered spike calls do not enter agent timelines, so the summary
      // report does not see them; the CDR-based truth does.
      call.agent = static_cast<int16_t>(rng.UniformInt(0, agent_count - 1));
      Answer(&rng, call.start + call.queue + rng.UniformInt(2, 12), &call);
    } else {
      call.agent_null = rng.Bernoulli(0.3);
      call.end = call.start + call.queue;
      call.wrap_end = call.end;
      call.disposition = static_cast<int8_t>(UnansweredDisposition(&rng, true));
    }
    call.call_id = kCallIdBase + days * kIdsPerDay + kSpikeIdBase +
                   index * kIdsPerSpike + k;
    call.ucid = call.call_id + kUcidOffset;
    Classify(&call);
    day->calls.push_back(call);
    t += rng.Exponential(mean_gap);
  }
}

TrafficModel::TrafficModel(const Account* account, TrafficParams params,
                           size_t max_cached_days)
    : account_(account),
      params_(params),
      generator_(account, params),
      max_cached_days_(std::max<size_t>(1, max_cached_days)) {}

Date TrafficModel::DateOf(int64_t unix_seconds) const {
  return LocalDate(TimePoint(Seconds(unix_seconds)),
                   Seconds(params_.utc_offset_seconds));
}

std::shared_ptr<const DayData> TrafficModel::Day(Date date) {
  const int64_t key = DaysSinceEpoch(date);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    it->second.last_use = ++use_counter_;
    return it->second.day;
  }
  // Generating under the lock keeps concurrent first requests for a day
  // from doing the work twice; a day of 400 agents takes milliseconds.
  auto day =
      std::make_shared<const DayData>(generator_.GenerateDay(date, spikes_));
  size_t cached_calls = day->calls.size();
  for (const auto& [unused, entry] : cache_) {
    cached_calls += entry.day->calls.size();
  }
  // Large floors keep fewer days: 20,000 agents make a million calls a day.
  while (!cache_.empty() &&
         (cache_.size() >= max_cached_days_ ||
          (cached_calls > kCachedCallBudget && cache_.size() >= 2))) {
    auto oldest = std::min_element(
        cache_.begin(), cache_.end(), [](const auto& a, const auto& b) {
          return a.second.last_use < b.second.last_use;
        });
    cached_calls -= oldest->second.day->calls.size();
    cache_.erase(oldest);
  }
  cache_[key] = Entry{day, ++use_counter_};
  return day;
}

uint64_t TrafficModel::version() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return version_;
}

int64_t TrafficModel::AddSpike(const Spike& spike) {
  int index = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    index = static_cast<int>(spikes_.size());
    if (index >= kMaxSpikes) return -1;
    spikes_.push_back(spike);
    ++version_;
    // Only days the spike touches change; their base traffic regenerates
    // identically, so the cached copies can simply be dropped.
    for (auto it = cache_.begin(); it != cache_.end();) {
      const int64_t midnight = it->second.day->midnight;
      const bool touched = spike.from < midnight + kDay && spike.to > midnight;
      it = touched ? cache_.erase(it) : std::next(it);
    }
  }
  int64_t added = 0;
  for (Date date = DateOf(spike.from); Midnight(date) < spike.to;
       date = AddDays(date, 1)) {
    auto day = Day(date);
    added += std::count_if(day->calls.begin(), day->calls.end(),
                           [index](const Call& c) { return c.spike == index; });
  }
  return added;
}

}  // namespace callcenter::sim
