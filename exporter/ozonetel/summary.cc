#include "ozonetel/summary.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <set>

#include "callcenter/common/strings.h"

namespace callcenter::ozonetel {
namespace {

constexpr int kStateVersion = 1;
constexpr Seconds kFutureGuard{5};
constexpr int64_t kUnknown = -1;

const char* const kStateNames[] = {"login", "busy",   "idle",
                                   "pause", "wrapup", "dial"};

const std::string& JoinValue(const SummaryRow& row,
                             const std::string& join_key) {
  if (join_key == "AgentUniqueID") return row.agent_unique_id;
  if (join_key == "AgentIncrID") return row.agent_incr_id;
  return row.agent_name;
}

}  // namespace

const char* AgentStateName(int state) { return kStateNames[state]; }

AgentStateMetrics::AgentStateMetrics(bool per_agent) : per_agent_(per_agent) {}

AgentStateMetrics::Values AgentStateMetrics::Next(
    Date day, const std::map<std::string, StateSeconds>& reading,
    const std::vector<std::string>& known_agents, int* went_down) const {
  *went_down = 0;
  std::lock_guard<std::mutex> lock(mutex_);
  Values next = values_;
  if (next.day && day < *next.day) return next;  // a late answer, older day
  const std::set<std::string> known(known_agents.begin(), known_agents.end());
  std::erase_if(next.agents, [&](const auto& entry) {
    return reading.count(entry.first) == 0 && known.count(entry.first) == 0;
  });
  if (!next.day || day > *next.day) {
    // Midnight: every value restarts, which Prometheus reads as a counter
    // reset. Known agents stay, at zero, so their series do not vanish.
    for (auto& [agent, values] : next.agents) values.fill(0);
    next.day = day;
  }
  for (const auto& [agent, fresh] : reading) {
    StateSeconds& current = next.agents[agent];
    for (int s = 0; s < kStates; ++s) {
      if (fresh[s] == kUnknown) continue;
      if (fresh[s] < current[s]) {
        ++*went_down;
      } else {
        current[s] = fresh[s];
      }
    }
  }
  next.regressions += static_cast<uint64_t>(*went_down);
  return next;
}

void AgentStateMetrics::Replace(Values values) {
  std::lock_guard<std::mutex> lock(mutex_);
  values_ = std::move(values);
}

void AgentStateMetrics::KnowAgent(const std::string& agent) {
  std::lock_guard<std::mutex> lock(mutex_);
  values_.agents.try_emplace(agent, StateSeconds{});
}

std::optional<Date> AgentStateMetrics::day() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return values_.day;
}

uint64_t AgentStateMetrics::regressions() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return values_.regressions;
}

std::vector<core::FamilySpec> AgentStateMetrics::Families() const {
  std::vector<std::string> labels = {"state"};
  if (per_agent_) labels.insert(labels.begin(), "agent");
  return {
      {"ozonetel_agent_state_seconds_total",
       "Seconds agents spent in each state today (login, busy, idle, pause, "
       "wrapup, dial), summed over ModeType rows; restarts at the reporting "
       "day's midnight. Cached: from Ozonetel summaryReport (5 requests/min), "
       "polled every summary.interval (default 60 s).",
       core::MetricType::kCounter, labels},
      {"ozonetel_agent_state_regressions_total",
       "Summary values that went down within a day; the higher value was "
       "kept.",
       core::MetricType::kCounter,
       {}},
  };
}

void AgentStateMetrics::Render(core::MetricSink& sink) const {
  const auto families = Families();
  std::lock_guard<std::mutex> lock(mutex_);
  sink.Begin(families[0]);
  if (per_agent_) {
    for (const auto& [agent, seconds] : values_.agents) {
      for (int s = 0; s < kStates; ++s) {
        sink.Sample({{"agent", agent}, {"state", kStateNames[s]}},
                    static_cast<double>(seconds[s]));
      }
    }
  } else if (!values_.agents.empty()) {
    StateSeconds sums{};
    for (const auto& [agent, seconds] : values_.agents) {
      for (int s = 0; s < kStates; ++s) {
        sums[s] = core::SaturatingAdd(sums[s], seconds[s]);
      }
    }
    for (int s = 0; s < kStates; ++s) {
      sink.Sample({{"state", kStateNames[s]}}, static_cast<double>(sums[s]));
    }
  }
  sink.Begin(families[1]);
  sink.Sample({}, static_cast<double>(values_.regressions));
}

std::string AgentStateMetrics::SaveJson(const Values& values) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("version");
  w.Int(kStateVersion);
  w.Key("day");
  if (values.day) {
    w.String(FormatDate(*values.day).c_str());
  } else {
    w.Null();
  }
  w.Key("regressions");
  w.Uint64(values.regressions);
  w.Key("agents");
  w.StartObject();
  for (const auto& [agent, seconds] : values.agents) {
    w.Key(agent.c_str(), static_cast<rapidjson::SizeType>(agent.size()));
    w.StartArray();
    for (int64_t s : seconds) w.Int64(s);
    w.EndArray();
  }
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool AgentStateMetrics::LoadJson(const rapidjson::Value& doc,
                                 std::string* error) {
  if (!doc.IsObject() || !doc.HasMember("version") || !doc["version"].IsInt() ||
      doc["version"].GetInt() != kStateVersion || !doc.HasMember("agents") ||
      !doc["agents"].IsObject() || !doc.HasMember("regressions") ||
      !doc["regressions"].IsUint64()) {
    *error = "malformed summary state";
    return false;
  }
  Values values;
  if (doc.HasMember("day") && doc["day"].IsString()) {
    values.day = ParseDate(doc["day"].GetString());
    if (!values.day) {
      *error = "malformed summary day";
      return false;
    }
  }
  for (const auto& member : doc["agents"].GetObject()) {
    if (!member.value.IsArray() || member.value.Size() != kStates) {
      *error = "malformed agent state";
      return false;
    }
    StateSeconds& seconds = values.agents[member.name.GetString()];
    for (int s = 0; s < kStates; ++s) {
      const auto& v = member.value[static_cast<rapidjson::SizeType>(s)];
      if (!v.IsInt64() || v.GetInt64() < 0 || v.GetInt64() > 86400) {
        *error = "malformed agent state value";
        return false;
      }
      seconds[s] = v.GetInt64();
    }
  }
  values.regressions = doc["regressions"].GetUint64();
  Replace(std::move(values));
  return true;
}

std::map<std::string, StateSeconds> SumSummaryRows(
    const std::vector<SummaryRow>& rows, Date day, const std::string& join_key,
    const directory::AgentDirectory& agents) {
  std::map<std::string, StateSeconds> sums;
  for (const auto& row : rows) {
    if (row.call_date && *row.call_date != day) continue;
    const std::string& key = JoinValue(row, join_key);
    if (key.empty()) continue;
    const std::string agent =
        SanitizeLabelValue(agents.IdForName(key).value_or(key));
    StateSeconds& sum = sums[agent];
    const int64_t values[kStates] = {row.login, row.busy,   row.idle,
                                     row.pause, row.wrapup, row.dial};
    for (int s = 0; s < kStates; ++s) {
      // One unknown row makes the agent's total for that state unknown.
      if (values[s] == kUnknown || sum[s] == kUnknown) {
        sum[s] = kUnknown;
      } else {
        sum[s] = std::min<int64_t>(sum[s] + values[s], 86400);
      }
    }
  }
  return sums;
}

SummaryPoller::SummaryPoller(Deps deps, SummaryPollerOptions options)
    : deps_(std::move(deps)), options_(std::move(options)) {}

void SummaryPoller::LoadState() {
  if (deps_.state == nullptr) return;
  core::StateFile::Loaded loaded = deps_.state->Load();
  if (loaded.status != core::StateFile::Status::kLoaded) return;
  std::string error;
  if (!deps_.metrics.LoadJson(loaded.snapshot, &error)) {
    // The day restarts from the next reading; the values only ever showed
    // the vendor's own totals, so nothing is double counted.
    deps_.state->SetAside(error);
  }
}

Outcome SummaryPoller::Fetch(Date day, TimePoint to,
                             std::vector<SummaryRow>* rows) {
  const Seconds tz = options_.timezone_offset;
  SummaryQuery query;
  query.from = FormatLocalDateTime(LocalMidnight(day, tz), tz);
  query.to = FormatLocalDateTime(to, tz);
  // One request covers every agent; a configured agent list is sent in
  // comma-separated batches.
  std::vector<std::vector<std::string>> batches;
  if (options_.restrict_to.empty()) {
    batches.emplace_back();
  } else {
    for (size_t i = 0; i < options_.restrict_to.size();
         i += options_.batch_size) {
      const size_t end =
          std::min(options_.restrict_to.size(), i + options_.batch_size);
      batches.emplace_back(options_.restrict_to.begin() + i,
                           options_.restrict_to.begin() + end);
    }
  }
  for (auto& batch : batches) {
    query.agent_ids = std::move(batch);
    std::vector<SummaryRow> part;
    int invalid = 0;
    Outcome outcome = deps_.api.FetchSummary(query, &part, &invalid);
    if (!outcome.ok()) return outcome;
    deps_.stats.AddInvalid(RecordStats::kSummary,
                           static_cast<uint64_t>(invalid));
    rows->insert(rows->end(), part.begin(), part.end());
  }
  return Outcome::Ok();
}

core::PollResult SummaryPoller::Poll() {
  const TimePoint now = deps_.clock.Now();
  const Seconds tz = options_.timezone_offset;
  const Date today = LocalDate(now, tz);
  // After midnight, read yesterday once more in full so its last minutes
  // are published before the counters restart.
  Date day = today;
  TimePoint to = std::chrono::floor<Seconds>(now) - kFutureGuard;
  const auto published = deps_.metrics.day();
  if (published && *published == AddDays(today, -1) &&
      finalized_ != published) {
    day = *published;
    to = LocalMidnight(today, tz) - Seconds(1);
  }
  if (to < LocalMidnight(day, tz)) return core::PollResult::Idle(now + Seconds(1));

  std::vector<SummaryRow> rows;
  const Outcome outcome = Fetch(day, to, &rows);
  if (outcome.cancelled) return core::PollResult::Cancelled();
  if (outcome.unrecorded) {
    return core::PollResult::Failed("storage",
                                    "request history cannot be written");
  }
  if (!outcome.ok()) {
    deps_.on_change();
    return core::PollResult::Failed(
        std::string(FailureReasonName(outcome.failure->reason)),
        outcome.failure->message, outcome.failure->retry_after);
  }
  const std::vector<std::string> known = deps_.agents.Ids();
  for (const auto& agent : known) deps_.metrics.KnowAgent(agent);
  const auto sums = SumSummaryRows(rows, day, options_.join_key, deps_.agents);
  int went_down = 0;
  AgentStateMetrics::Values next =
      deps_.metrics.Next(day, sums, known, &went_down);
  // Saved first: what Prometheus sees is always what a restart restores.
  if (deps_.state != nullptr &&
      !deps_.state->Save(AgentStateMetrics::SaveJson(next))) {
    return core::PollResult::Failed("storage",
                                    "summary state cannot be written");
  }
  deps_.metrics.Replace(std::move(next));
  if (went_down > 0) {
    deps_.logger.Warn("summary", "values went down within the day; kept",
                      {{"count", std::to_string(went_down)}});
  }
  if (day != today) finalized_ = day;
  deps_.on_change();
  if (day != today) return core::PollResult::Ok(now);
  return core::PollResult::Ok(now + options_.interval);
}

}  // namespace callcenter::ozonetel
