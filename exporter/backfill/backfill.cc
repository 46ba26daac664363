#include "backfill/backfill.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "app/config.h"
#include "app/exporter_app.h"
#include "app/modules.h"
#include "backfill/openmetrics_writer.h"
#include "callcenter/common/files.h"
#include "callcenter/common/http_client.h"
#include "core/budgets.h"
#include "core/state_store.h"
#include "core/stop_signal.h"
#include "core/text_writer.h"
#include "directory/agent_directory.h"
#include "ozonetel/cdr_metrics.h"
#include "ozonetel/cdr_poller.h"
#include "ozonetel/client.h"
#include "ozonetel/config.h"
#include "ozonetel/summary.h"

namespace callcenter::backfill {
namespace {

using ozonetel::CallFacts;

struct DatedCall {
  TimePoint start;
  CallFacts facts;
};

struct DayData {
  Date date;
  std::vector<DatedCall> calls;
  std::map<std::string, ozonetel::StateSeconds> states;
};

class Backfill {
 public:
  Backfill(const app::Flags& flags, ozonetel::OzonetelConfig config,
           directory::DirectoryConfig directory, bool per_agent,
           const Clock& clock, const core::Logger& logger)
      : flags_(flags),
        config_(std::move(config)),
        per_agent_(per_agent),
        clock_(clock),
        logger_(logger),
        store_(flags.storage_path, logger),
        gate_(clock, stop_, logger, &store_.File("request_history.json")),
        agents_(std::move(directory)) {}

  int Run();

 private:
  bool FetchDay(Date day, DayData* data);
  void Progress(size_t done, size_t total, Date day) const;
  // Fills `series` and leaves the totals of every day in `running`.
  void WriteSamples(const std::vector<DayData>& days, Date today,
                    ozonetel::CdrMetrics* running, OpenMetricsSeries* series);
  void AddSamples(TimePoint at, const core::MetricSource& source,
                  OpenMetricsSeries* series) const;
  bool SeedState(const ozonetel::CdrMetrics& totals);

  const app::Flags& flags_;
  const ozonetel::OzonetelConfig config_;
  const bool per_agent_;
  const Clock& clock_;
  const core::Logger& logger_;
  core::StopSignal stop_;
  core::StateStore store_;
  core::BudgetGate gate_;
  directory::AgentDirectory agents_;
  std::unique_ptr<ozonetel::Api> api_;
  int requests_ = 0;
};

bool Backfill::FetchDay(Date day, DayData* data) {
  const Seconds tz = config_.timezone_offset;
  const std::string from = FormatDate(day) + " 00:00:00";
  const std::string to = FormatDate(day) + " 23:59:59";
  data->date = day;
  std::set<uint64_t> seen;
  const TimePoint now = clock_.Now();
  auto on_record = [&](ozonetel::CdrRecord&& record) {
    if (!record.call_id || !seen.insert(*record.call_id).second) return true;
    const auto times = ozonetel::PlaceCall(record, day, tz, now);
    if (!times) return true;
    CallFacts facts;
    facts.agent = record.agent_id.empty()
                      ? std::string(directory::kUnassignedAgent)
                      : agents_.Learn(record.agent_id, record.agent_name,
                                      ToUnixSeconds(times->start));
    facts.inbound = record.inbound;
    facts.answered = record.answered;
    facts.disposition = std::move(record.disposition);
    facts.campaign = std::move(record.campaign);
    facts.talk = record.talk;
    facts.hold = record.hold;
    facts.wrapup = record.wrapup;
    facts.handling = record.handling;
    facts.queue_wait =
        record.time_to_answer > 0 ? record.time_to_answer : record.queue_time;
    data->calls.push_back({times->start, std::move(facts)});
    return true;
  };
  // A past day is final: one request covers it, retried on failure.
  for (int attempt = 0;; ++attempt) {
    data->calls.clear();
    seen.clear();
    const auto outcome = api_->FetchCdrs({from, to}, on_record);
    if (outcome.cancelled || outcome.unrecorded) return false;
    if (outcome.ok()) break;
    logger_.Warn("backfill", "CDR request failed; retrying in the next slot",
                 {{"day", FormatDate(day)}, {"err", outcome.failure->message}});
    if (attempt == 4) return false;
  }
  std::vector<ozonetel::SummaryRow> rows;
  int invalid = 0;
  const auto outcome = api_->FetchSummary({from, to, {}}, &rows, &invalid);
  if (outcome.cancelled || outcome.unrecorded) return false;
  if (!outcome.ok()) {
    logger_.Warn("backfill", "summary request failed; state seconds skipped",
                 {{"day", FormatDate(day)}, {"err", outcome.failure->message}});
  } else {
    data->states =
        ozonetel::SumSummaryRows(rows, day, config_.summary_join_key, agents_);
  }
  std::sort(
      data->calls.begin(), data->calls.end(),
      [](const DatedCall& a, const DatedCall& b) { return a.start < b.start; });
  return true;
}

void Backfill::Progress(size_t done, size_t total, Date day) const {
  // Each remaining day costs one CDR request, the scarcest budget.
  const auto per_day = Seconds(60) / config_.limits.cdr_per_minute;
  const auto left = clock_.ToRealDuration(per_day * (total - done));
  std::cerr << "backfill: " << done << "/" << total << " days done (last "
            << FormatDate(day) << "), " << requests_
            << " requests spent, about "
            << std::chrono::duration_cast<Seconds>(left).count() << "s left\n";
}

void Backfill::AddSamples(TimePoint at, const core::MetricSource& source,
                          OpenMetricsSeries* series) const {
  core::FamilyCollector collector;
  source.Render(collector);
  std::vector<prometheus::MetricFamily> families = collector.Take();
  for (auto& family : families) {
    for (auto& metric : family.metric) {
      for (const auto& [name, value] : flags_.backfill_labels) {
        metric.label.push_back({name, value});
      }
    }
  }
  series->Add(static_cast<int64_t>(ToUnixSeconds(at)), families);
}

void Backfill::WriteSamples(const std::vector<DayData>& days, Date today,
                            ozonetel::CdrMetrics* running,
                            OpenMetricsSeries* series) {
  const Seconds tz = config_.timezone_offset;
  // Five-minute samples by default: rate(...[15m] offset 1d), which the
  // missed-call baseline uses, needs at least two in every 15 minutes.
  const Seconds step(flags_.backfill_step_seconds);
  running->Publish();
  running->KnowAgent(directory::kUnassignedAgent);
  for (const auto& agent : agents_.Ids()) running->KnowAgent(agent);
  std::vector<DatedCall> calls;
  for (const auto& day : days) {
    calls.insert(calls.end(), day.calls.begin(), day.calls.end());
  }
  // Calls count at their start, both stages at once (a past day is
  // final), so increase() over a reporting day is exactly that day's calls.
  size_t next = 0;
  const TimePoint end = LocalMidnight(today, tz);
  for (TimePoint t = LocalMidnight(days.front().date, tz); t <= end;
       t += step) {
    while (next < calls.size() && calls[next].start < t) {
      running->CountCall(calls[next].facts);
      running->CountSettlement(calls[next].facts);
      ++next;
    }
    AddSamples(t, *running, series);
    AddSamples(t, agents_, series);
  }
  // State seconds restart every midnight; only each day's total is known.
  for (const auto& day : days) {
    ozonetel::AgentStateMetrics states(per_agent_);
    for (const auto& [agent, seconds] : day.states) states.KnowAgent(agent);
    int went_down = 0;
    states.Replace(states.Next(day.date, {}, {}, &went_down));
    for (const auto& [agent, seconds] : day.states) states.KnowAgent(agent);
    AddSamples(LocalMidnight(day.date, tz), states, series);
    std::vector<std::string> known;
    for (const auto& [agent, seconds] : day.states) known.push_back(agent);
    states.Replace(states.Next(day.date, day.states, known, &went_down));
    const TimePoint last_second =
        LocalMidnight(AddDays(day.date, 1), tz) - Seconds(1);
    AddSamples(last_second, states, series);
  }
}

bool Backfill::SeedState(const ozonetel::CdrMetrics& totals) {
  // The live exporter starts from these totals, so its first sample
  // continues the backfilled series instead of resetting them.
  core::StateFile& cdr = store_.File("cdr_state.json", true);
  agents_.Bind(&store_.File("agents.json"), nullptr);
  if (!cdr.Save(ozonetel::CdrPoller::SeedSnapshot(totals)) ||
      !agents_.Persist()) {
    logger_.Error("backfill", "cannot seed the exporter state",
                  {{"err", store_.health().problem()}});
    return false;
  }
  return true;
}

int Backfill::Run() {
  std::string error;
  if (!MakeDirectories(flags_.storage_path, &error)) {
    logger_.Error("backfill", "cannot use storage path", {{"err", error}});
    return 1;
  }
  if (FileExists(flags_.storage_path + "/cdr_state.json")) {
    logger_.Error("backfill",
                  "the storage path already holds exporter state; run "
                  "backfill before the exporter's first start, or point "
                  "--storage.path at an empty directory",
                  {{"storage", flags_.storage_path}});
    return 1;
  }
  const auto& limits = config_.limits;
  gate_.AddFamily(ozonetel::kCdrApi, limits.cdr_per_minute, Seconds(60),
                  limits.margin);
  gate_.AddFamily(ozonetel::kSummaryApi, limits.summary_per_minute,
                  Seconds(60), limits.margin);
  gate_.AddFamily(ozonetel::kTokenApi, limits.tokens_per_hour, Seconds(3600),
                  limits.margin);
  gate_.LoadHistory(false);
  api_ = ozonetel::MakeClient(config_.client, MakeCurlTransport(), gate_,
                              clock_);
  api_->on_request = [this](const std::string&, const ozonetel::Outcome&) {
    ++requests_;
  };
  const bool has_instance =
      std::any_of(flags_.backfill_labels.begin(), flags_.backfill_labels.end(),
                  [](const auto& label) { return label.first == "instance"; });
  if (!has_instance) {
    logger_.Warn("backfill",
                  "no --label instance=...: the backfilled series will not "
                  "join the ones Prometheus scrapes from the exporter",
                  {});
  }
  const Date today = LocalDate(clock_.Now(), config_.timezone_offset);
  std::vector<DayData> days;
  const size_t total = static_cast<size_t>(flags_.backfill_days);
  for (int back = flags_.backfill_days; back >= 1; --back) {
    DayData data;
    if (!FetchDay(AddDays(today, -back), &data)) {
      logger_.Error("backfill", "giving up: the API keeps failing",
                    {{"day", FormatDate(AddDays(today, -back))}});
      return 1;
    }
    days.push_back(std::move(data));
    Progress(days.size(), total, days.back().date);
  }
  OpenMetricsSeries series;
  ozonetel::CdrMetrics totals(
      {per_agent_, config_.max_dispositions, config_.max_campaigns});
  WriteSamples(days, today, &totals, &series);
  std::ofstream out(flags_.backfill_output);
  if (!out) {
    logger_.Error("backfill", "cannot write the output",
                  {{"file", flags_.backfill_output}});
    return 1;
  }
  series.Write(out);
  out.close();
  if (!SeedState(totals)) return 1;
  size_t calls = 0;
  for (const auto& day : days) calls += day.calls.size();
  logger_.Info("backfill", "done",
               {{"days", std::to_string(days.size())},
                {"calls", std::to_string(calls)},
                {"series", std::to_string(series.series_count())},
                {"requests", std::to_string(requests_)},
                {"output", flags_.backfill_output}});
  std::cerr << "next: promtool tsdb create-blocks-from openmetrics "
            << flags_.backfill_output << " <prometheus data dir>\n";
  return 0;
}

}  // namespace

int RunBackfill(const app::Flags& flags, const std::string& config_text,
                const core::Logger& logger) {
  // The whole file is validated as the exporter would; backfill then needs
  // the Ozonetel section and the agent directory.
  std::vector<std::string> errors;
  core::ConfigNode root = core::ConfigNode::Parse(config_text, &errors);
  bool per_agent = true;
  root.Bool("per_agent_metrics", &per_agent);
  directory::DirectoryConfig directory =
      directory::ParseDirectoryConfig(root, per_agent);
  ozonetel::OzonetelConfig config;
  const bool has_ozonetel =
      ParseOzonetelConfig(root, core::ProcessEnv, &config);
  if (!has_ozonetel) errors.push_back("ozonetel: is required for backfill");
  if (!errors.empty()) {
    for (const auto& error : errors) std::cerr << "config error: " << error << "\n";
    return 1;
  }
  auto clock = app::MakeClock(flags);
  Backfill backfill(flags, std::move(config), std::move(directory), per_agent,
                    *clock, logger);
  return backfill.Run();
}

}  // namespace callcenter::backfill
