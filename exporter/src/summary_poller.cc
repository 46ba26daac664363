#include "callcenter/summary_poller.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <random>
#include <set>

#include "callcenter/state_file.h"

namespace callcenter {
namespace {

constexpr int kStateVersion = 1;
constexpr Seconds kFutureGuard{5};

const char* const kStateNames[] = {"login", "busy",   "idle",
                                   "pause", "wrapup", "dial"};

const std::string& JoinValue(const ozonetel::SummaryRow& row,
                             const std::string& join_key) {
  if (join_key == "AgentUniqueID") return row.agent_unique_id;
  if (join_key == "AgentIncrID") return row.agent_incr_id;
  return row.agent_name;
}

}  // namespace

const char* AgentStateName(int state) { return kStateNames[state]; }

AgentStateMetrics::AgentStateMetrics(bool per_agent) : per_agent_(per_agent) {}

int AgentStateMetrics::Update(
    Date day, const std::map<std::string, StateSeconds>& reading,
    const std::vector<std::string>& known_agents) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (day_ && day < *day_) return 0;  // a late answer about an older day
  if (!known_agents.empty()) {
    const std::set<std::string> known(known_agents.begin(), known_agents.end());
    std::erase_if(values_, [&](const auto& entry) {
      return reading.count(entry.first) == 0 && known.count(entry.first) == 0;
    });
  }
  if (!day_ || day > *day_) {
    // Midnight: every value restarts, which Prometheus reads as a counter
    // reset. Known agents stay, at zero, so their series do not vanish.
    for (auto& [agent, values] : values_) values.fill(0);
    day_ = day;
  }
  int went_down = 0;
  for (const auto& [agent, fresh] : reading) {
    StateSeconds& current = values_[agent];
    for (int s = 0; s < kStates; ++s) {
      if (fresh[s] < current[s]) {
        ++went_down;
      } else {
        current[s] = fresh[s];
      }
    }
  }
  regressions_ += static_cast<uint64_t>(went_down);
  return went_down;
}

void AgentStateMetrics::KnowAgent(const std::string& agent) {
  std::lock_guard<std::mutex> lock(mutex_);
  values_.try_emplace(agent, StateSeconds{});
}

std::optional<Date> AgentStateMetrics::day() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return day_;
}

uint64_t AgentStateMetrics::regressions() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return regressions_;
}

void AgentStateMetrics::Collect(
    std::vector<prometheus::MetricFamily>* out) const {
  auto family = MakeFamily(
      "ozonetel_agent_state_seconds_total",
      "Seconds agents spent in each state today (login, busy, idle, pause, "
      "wrapup, dial), summed over ModeType rows; restarts at the reporting "
      "day's midnight. Cached: from Ozonetel summaryReport (5 requests/min), "
      "polled every summary.interval (default 60 s).",
      prometheus::MetricType::Counter);
  auto regressions = MakeFamily(
      "ozonetel_agent_state_regressions_total",
      "Summary values that went down within a day; the higher value was kept.",
      prometheus::MetricType::Counter);
  std::lock_guard<std::mutex> lock(mutex_);
  std::map<std::string, StateSeconds> values;
  for (const auto& [agent, seconds] : values_) {
    auto& sum = values[per_agent_ ? agent : std::string()];
    for (int s = 0; s < kStates; ++s) sum[s] += seconds[s];
  }
  for (const auto& [agent, seconds] : values) {
    for (int s = 0; s < kStates; ++s) {
      Labels labels;
      if (per_agent_) labels.emplace_back("agent", agent);
      labels.emplace_back("state", kStateNames[s]);
      AddCounter(&family, labels, static_cast<double>(seconds[s]));
    }
  }
  AddCounter(&regressions, {}, static_cast<double>(regressions_));
  if (!family.metric.empty()) out->push_back(std::move(family));
  out->push_back(std::move(regressions));
}

std::string AgentStateMetrics::SaveJson() const {
  std::lock_guard<std::mutex> lock(mutex_);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("version");
  w.Int(kStateVersion);
  w.Key("day");
  if (day_) {
    w.String(FormatDate(*day_).c_str());
  } else {
    w.Null();
  }
  w.Key("regressions");
  w.Uint64(regressions_);
  w.Key("agents");
  w.StartObject();
  for (const auto& [agent, seconds] : values_) {
    w.Key(agent.c_str(), static_cast<rapidjson::SizeType>(agent.size()));
    w.StartArray();
    for (int64_t s : seconds) w.Int64(s);
    w.EndArray();
  }
  w.EndObject();
  w.EndObject();
  return buffer.GetString();
}

bool AgentStateMetrics::LoadJson(const std::string& json, std::string* error) {
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("agents") ||
      !doc["agents"].IsObject() || !doc.HasMember("regressions") ||
      !doc["regressions"].IsUint64()) {
    *error = "malformed summary state";
    return false;
  }
  std::optional<Date> day;
  if (doc.HasMember("day") && doc["day"].IsString()) {
    day = ParseDate(doc["day"].GetString());
  }
  std::map<std::string, StateSeconds> values;
  for (const auto& member : doc["agents"].GetObject()) {
    if (!member.value.IsArray() || member.value.Size() != kStates) {
      *error = "malformed agent state";
      return false;
    }
    StateSeconds& seconds = values[member.name.GetString()];
    for (int s = 0; s < kStates; ++s) {
      const auto& v = member.value[static_cast<rapidjson::SizeType>(s)];
      if (!v.IsInt64()) {
        *error = "malformed agent state value";
        return false;
      }
      seconds[s] = v.GetInt64();
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  day_ = day;
  values_ = std::move(values);
  regressions_ = doc["regressions"].GetUint64();
  return true;
}

std::map<std::string, StateSeconds> SumSummaryRows(
    const std::vector<ozonetel::SummaryRow>& rows, Date day,
    const std::string& join_key, const AgentDirectory& agents) {
  std::map<std::string, StateSeconds> sums;
  for (const auto& row : rows) {
    if (row.call_date && *row.call_date != day) continue;
    const std::string& key = JoinValue(row, join_key);
    if (key.empty()) continue;
    const std::string agent = agents.IdForName(key).value_or(key);
    StateSeconds& sum = sums[agent];
    sum[kLogin] += row.login;
    sum[kBusy] += row.busy;
    sum[kIdle] += row.idle;
    sum[kPause] += row.pause;
    sum[kWrapup] += row.wrapup;
    sum[kDial] += row.dial;
  }
  return sums;
}

SummaryPoller::SummaryPoller(Deps deps, SummaryPollerOptions options)
    : deps_(std::move(deps)),
      options_(std::move(options)),
      backoff_(Seconds(30), Seconds(600), std::random_device{}()) {}

void SummaryPoller::LoadState() {
  if (options_.state_path.empty()) return;
  auto content = ReadWholeFile(options_.state_path);
  if (!content) return;
  std::string error;
  if (!deps_.metrics.LoadJson(*content, &error)) {
    deps_.logger.Error("summary", "state file is corrupt; starting fresh",
                       {{"file", options_.state_path}, {"reason", error}});
  }
}

bool SummaryPoller::Fetch(Date day, TimePoint to,
                          std::vector<ozonetel::SummaryRow>* rows) {
  const Seconds tz = options_.timezone_offset;
  ozonetel::SummaryQuery query;
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
    std::vector<ozonetel::SummaryRow> part;
    const auto started = std::chrono::steady_clock::now();
    const ozonetel::Outcome outcome = deps_.api.FetchSummary(query, &part);
    const double seconds = std::chrono::duration<double>(
                               std::chrono::steady_clock::now() - started)
                               .count();
    if (outcome.cancelled) return false;
    deps_.health.RecordPoll("summary", outcome.ok(), seconds);
    if (!outcome.ok()) {
      deps_.logger.Warn(
          "summary", "poll failed",
          {{"reason",
            std::string(ozonetel::FailureReasonName(outcome.failure->reason))},
           {"err", outcome.failure->message}});
      return false;
    }
    rows->insert(rows->end(), part.begin(), part.end());
  }
  return true;
}

TimePoint SummaryPoller::PollOnce() {
  const TimePoint slot = deps_.gate.NextAllowed(ApiFamily::kSummary);
  if (slot > deps_.clock.Now()) return slot;
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
  if (to < LocalMidnight(day, tz)) return now + Seconds(1);

  std::vector<ozonetel::SummaryRow> rows;
  if (!Fetch(day, to, &rows)) {
    deps_.on_change();
    return deps_.clock.Now() + backoff_.Next();
  }
  backoff_.Reset();
  for (const auto& agent : deps_.agents.Ids()) deps_.metrics.KnowAgent(agent);
  const auto sums = SumSummaryRows(rows, day, options_.join_key, deps_.agents);
  const int went_down = deps_.metrics.Update(day, sums, deps_.agents.Ids());
  if (went_down > 0) {
    deps_.logger.Warn("summary", "values went down within the day; kept",
                      {{"count", std::to_string(went_down)}});
  }
  if (day != today) finalized_ = day;
  if (!options_.state_path.empty()) {
    std::string error;
    if (!WriteFileAtomically(options_.state_path, deps_.metrics.SaveJson(),
                             &error)) {
      deps_.logger.Error("summary", "cannot save state", {{"err", error}});
    }
  }
  deps_.on_change();
  if (day != today) return now;
  return std::max(now + options_.interval,
                  deps_.gate.NextAllowed(ApiFamily::kSummary));
}

}  // namespace callcenter
