#include "callcenter/backfill.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <fstream>
#include <iostream>

#include "callcenter/agent_directory.h"
#include "callcenter/cdr_metrics.h"
#include "callcenter/cdr_poller.h"
#include "callcenter/exporter_app.h"
#include "callcenter/openmetrics_writer.h"
#include "callcenter/ozonetel/client.h"
#include "callcenter/rate_budget.h"
#include "callcenter/state_file.h"
#include "callcenter/stop_signal.h"
#include "callcenter/summary_poller.h"

namespace callcenter {
namespace {

struct DatedCall {
  TimePoint start;
  CallFacts facts;
};

struct DayData {
  Date date;
  std::vector<DatedCall> calls;
  std::map<std::string, StateSeconds> states;
};

class Backfill {
 public:
  Backfill(const Flags& flags, const Config& config, const Clock& clock,
           const Logger& logger)
      : flags_(flags),
        config_(config),
        clock_(clock),
        logger_(logger),
        gate_(clock, stop_, logger,
              flags.storage_path + "/request_history.json"),
        agents_(config.agents, config.agent_name_map,
                config.per_agent_metrics) {}

  int Run();

 private:
  bool FetchDay(Date day, DayData* data);
  void Progress(size_t done, size_t total, Date day) const;
  // Fills `series` and leaves the totals of every day in `running`.
  void WriteSamples(const std::vector<DayData>& days, Date today,
                    CdrMetrics* running, OpenMetricsSeries* series);
  bool SeedState(const CdrMetrics& totals);
  void AddSamples(TimePoint at, std::vector<prometheus::MetricFamily> families,
                  OpenMetricsSeries* series) const;

  const Flags& flags_;
  const Config& config_;
  const Clock& clock_;
  const Logger& logger_;
  StopSignal stop_;
  BudgetGate gate_;
  AgentDirectory agents_;
  std::unique_ptr<ozonetel::Api> api_;
  int requests_ = 0;
};

bool Backfill::FetchDay(Date day, DayData* data) {
  const Seconds tz = config_.ozonetel.timezone_offset;
  const std::string from = FormatDate(day) + " 00:00:00";
  const std::string to = FormatDate(day) + " 23:59:59";
  data->date = day;
  std::set<std::string> seen;
  auto on_record = [&](ozonetel::CdrRecord&& record) {
    if (record.call_id.empty() || !seen.insert(record.call_id).second) return;
    const TimePoint start = LocalMidnight(record.call_date.value_or(day), tz) +
                            Seconds(record.start_time.value_or(0));
    CallFacts facts = ToCallFacts(record);
    if (facts.agent != "unassigned") {
      agents_.Learn(facts.agent, record.agent_name, ToUnixSeconds(start));
    }
    data->calls.push_back({start, std::move(facts)});
  };
  // A past day is final: one request covers it, retried on failure.
  for (int attempt = 0; attempt < 5; ++attempt) {
    data->calls.clear();
    seen.clear();
    const auto outcome = api_->FetchCdrs({from, to}, on_record);
    if (outcome.cancelled) return false;
    if (outcome.ok()) break;
    logger_.Warn("backfill", "CDR request failed; retrying in the next slot",
                 {{"day", FormatDate(day)}, {"err", outcome.failure->message}});
    if (attempt == 4) return false;
  }
  std::vector<ozonetel::SummaryRow> rows;
  const auto outcome = api_->FetchSummary({from, to, {}}, &rows);
  if (outcome.cancelled) return false;
  if (!outcome.ok()) {
    logger_.Warn("backfill", "summary request failed; state seconds skipped",
                 {{"day", FormatDate(day)}, {"err", outcome.failure->message}});
  } else {
    data->states =
        SumSummaryRows(rows, day, config_.ozonetel.summary_join_key, agents_);
  }
  std::sort(
      data->calls.begin(), data->calls.end(),
      [](const DatedCall& a, const DatedCall& b) { return a.start < b.start; });
  return true;
}

void Backfill::Progress(size_t done, size_t total, Date day) const {
  // Each remaining day costs one CDR request, the scarcest budget.
  const auto per_day = Seconds(60) / config_.ozonetel.limits.cdr_per_minute;
  const auto left = clock_.ToRealDuration(per_day * (total - done));
  std::cerr << "backfill: " << done << "/" << total << " days done (last "
            << FormatDate(day) << "), " << requests_
            << " requests spent, about "
            << std::chrono::duration_cast<Seconds>(left).count() << "s left\n";
}

void Backfill::WriteSamples(const std::vector<DayData>& days, Date today,
                            CdrMetrics* running, OpenMetricsSeries* series) {
  const Seconds tz = config_.ozonetel.timezone_offset;
  // Five-minute samples by default: rate(...[15m] offset 1d), which the
  // missed-call baseline uses, needs at least two in every 15 minutes.
  const Seconds step(flags_.backfill_step_seconds);
  running->KnowAgent("unassigned");
  for (const auto& agent : agents_.Ids()) running->KnowAgent(agent);
  std::vector<DatedCall> calls;
  for (const auto& day : days) {
    calls.insert(calls.end(), day.calls.begin(), day.calls.end());
  }
  // Calls count at their start, so increase() over a reporting day is
  // exactly that day's calls.
  size_t next = 0;
  const TimePoint end = LocalMidnight(today, tz);
  for (TimePoint t = LocalMidnight(days.front().date, tz); t <= end;
       t += step) {
    while (next < calls.size() && calls[next].start < t) {
      running->Count(calls[next++].facts);
    }
    std::vector<prometheus::MetricFamily> families;
    running->Collect(&families);
    agents_.Collect(&families);
    AddSamples(t, std::move(families), series);
  }
  // State seconds restart every midnight; only each day's total is known.
  for (const auto& day : days) {
    AgentStateMetrics states(config_.per_agent_metrics);
    for (const auto& [agent, seconds] : day.states) states.KnowAgent(agent);
    std::vector<prometheus::MetricFamily> start_of_day;
    states.Update(day.date, {});
    states.Collect(&start_of_day);
    AddSamples(LocalMidnight(day.date, tz), std::move(start_of_day), series);
    states.Update(day.date, day.states);
    std::vector<prometheus::MetricFamily> end_of_day;
    states.Collect(&end_of_day);
    const TimePoint last_second =
        LocalMidnight(AddDays(day.date, 1), tz) - Seconds(1);
    AddSamples(last_second, std::move(end_of_day), series);
  }
}

void Backfill::AddSamples(TimePoint at,
                          std::vector<prometheus::MetricFamily> families,
                          OpenMetricsSeries* series) const {
  for (auto& family : families) {
    for (auto& metric : family.metric) {
      for (const auto& [name, value] : flags_.backfill_labels) {
        metric.label.push_back({name, value});
      }
    }
  }
  series->Add(static_cast<int64_t>(ToUnixSeconds(at)), families);
}

bool Backfill::SeedState(const CdrMetrics& totals) {
  // The live exporter starts from these totals, so its first sample
  // continues the backfilled series instead of resetting them.
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("version");
  w.Int(1);
  w.Key("metrics");
  totals.Save(&w);
  w.Key("agents");
  agents_.Save(&w);
  w.Key("days");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  std::string error;
  if (!WriteFileAtomically(flags_.storage_path + "/cdr_state.json",
                           buffer.GetString(), &error)) {
    logger_.Error("backfill", "cannot seed the exporter state",
                  {{"err", error}});
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
  const auto& limits = config_.ozonetel.limits;
  gate_.AddFamily(ApiFamily::kCdr, limits.cdr_per_minute, Seconds(60),
                  limits.margin);
  gate_.AddFamily(ApiFamily::kSummary, limits.summary_per_minute, Seconds(60),
                  limits.margin);
  gate_.AddFamily(ApiFamily::kToken, limits.tokens_per_hour, Seconds(3600),
                  limits.margin);
  gate_.LoadHistory(false);
  api_ = ozonetel::MakeClient(ToClientOptions(config_.ozonetel),
                              ozonetel::MakeCurlTransport(), gate_, clock_);
  api_->on_request = [this](ApiFamily, const ozonetel::Outcome&) {
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
  const Seconds tz = config_.ozonetel.timezone_offset;
  const Date today = LocalDate(clock_.Now(), tz);
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
  CdrMetrics totals({config_.per_agent_metrics, config_.max_dispositions,
                     config_.max_campaigns});
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

int RunBackfill(const Flags& flags, const Config& config,
                const Logger& logger) {
  auto clock = MakeClock(flags);
  Backfill backfill(flags, config, *clock, logger);
  return backfill.Run();
}

}  // namespace callcenter
