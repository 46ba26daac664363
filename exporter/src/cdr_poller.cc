#include "callcenter/cdr_poller.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <random>

#include "callcenter/state_file.h"

namespace callcenter {
namespace {

constexpr int kStateVersion = 1;
// The vendor rejects a toDate in its future; our clock may run a little
// ahead of its clock, and the next window overlaps anyway.
constexpr Seconds kFutureGuard{5};

bool EqualsIgnoreCase(const std::string& a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<TimePoint> ReadOptionalTime(const rapidjson::Value& v,
                                          const char* key) {
  if (!v.HasMember(key) || !v[key].IsInt64()) return std::nullopt;
  return FromMillis(v[key].GetInt64());
}

bool ReadLedgerEntry(const rapidjson::Value& entry, Date* date,
                     std::optional<TimePoint>* covered_until,
                     std::optional<TimePoint>* unsettled_from,
                     std::optional<TimePoint>* count_from,
                     TimePoint* last_polled,
                     std::unordered_set<std::string>* seen) {
  if (!entry.IsObject() || !entry.HasMember("date") ||
      !entry["date"].IsString() || !entry.HasMember("seen") ||
      !entry["seen"].IsArray()) {
    return false;
  }
  auto parsed = ParseDate(entry["date"].GetString());
  if (!parsed) return false;
  *date = *parsed;
  *covered_until = ReadOptionalTime(entry, "covered_until");
  *unsettled_from = ReadOptionalTime(entry, "unsettled_from");
  *count_from = ReadOptionalTime(entry, "count_from");
  *last_polled = ReadOptionalTime(entry, "last_polled").value_or(TimePoint{});
  for (const auto& id : entry["seen"].GetArray()) {
    if (!id.IsString()) return false;
    seen->insert(id.GetString());
  }
  return true;
}

}  // namespace

bool CdrPoller::ReadLedgers(const rapidjson::Value& doc,
                            std::map<Date, Ledger>* ledgers,
                            std::string* reason) {
  if (!doc.HasMember("days") || !doc["days"].IsArray()) {
    *reason = "no day ledgers";
    return false;
  }
  for (const auto& entry : doc["days"].GetArray()) {
    Date date;
    Ledger ledger;
    if (!ReadLedgerEntry(entry, &date, &ledger.covered_until,
                         &ledger.unsettled_from, &ledger.count_from,
                         &ledger.last_polled, &ledger.seen)) {
      *reason = "malformed day ledger";
      return false;
    }
    (*ledgers)[date] = std::move(ledger);
  }
  return true;
}

CallFacts ToCallFacts(const ozonetel::CdrRecord& record) {
  CallFacts facts;
  facts.agent = record.agent_id.empty() ? "unassigned" : record.agent_id;
  facts.direction =
      EqualsIgnoreCase(record.type, "inbound") ? "inbound" : "outbound";
  facts.answered = EqualsIgnoreCase(record.status, "answered");
  facts.disposition = record.disposition;
  facts.campaign = record.campaign;
  facts.talk = record.talk;
  facts.hold = record.hold;
  facts.wrapup = record.wrapup;
  facts.handling = record.handling;
  facts.queue_wait =
      record.time_to_answer > 0 ? record.time_to_answer : record.queue_time;
  return facts;
}

CdrPoller::CdrPoller(Deps deps, CdrPollerOptions options)
    : deps_(std::move(deps)),
      options_(std::move(options)),
      backoff_(Seconds(30), Seconds(600), std::random_device{}()) {}

TimePoint CdrPoller::CutOff(Date day) const {
  return LocalMidnight(AddDays(day, 1), options_.timezone_offset) +
         options_.late_data_until;
}

bool CdrPoller::IsClosing(Date day, TimePoint now) const {
  return day < LocalDate(now, options_.timezone_offset);
}

void CdrPoller::OpenMissingDays(TimePoint now) {
  // After downtime, re-read the days in between (within the API's
  // lookback) instead of silently losing their calls.
  if (ledgers_.empty()) return;
  const Date today = LocalDate(now, options_.timezone_offset);
  const Date oldest = AddDays(today, -(options_.lookback_days - 1));
  Date day = std::max(AddDays(ledgers_.rbegin()->first, 1), oldest);
  for (; day < today; day = AddDays(day, 1)) ledgers_.try_emplace(day);
}

void CdrPoller::CloseFinishedDays(TimePoint now) {
  const Date today = LocalDate(now, options_.timezone_offset);
  const Date oldest = AddDays(today, -(options_.lookback_days - 1));
  for (auto it = ledgers_.begin(); it != ledgers_.end();) {
    const bool finished =
        it->first < today && it->second.last_polled >= CutOff(it->first);
    if (finished || it->first < oldest) {
      deps_.logger.Info("cdr", "day closed",
                        {{"day", FormatDate(it->first)},
                         {"calls", std::to_string(it->second.seen.size())}});
      it = ledgers_.erase(it);
    } else {
      ++it;
    }
  }
}

Date CdrPoller::ChooseDay(TimePoint now) {
  const Date today = LocalDate(now, options_.timezone_offset);
  ledgers_.try_emplace(today);
  // A closing day whose cut-off has passed gets its final read first.
  for (const auto& [day, ledger] : ledgers_) {
    if (day < today && now >= CutOff(day)) return day;
  }
  // Inside the late-data window, alternate with yesterday.
  Date choice = today;
  for (const auto& [day, ledger] : ledgers_) {
    if (day < today && ledger.last_polled < ledgers_.at(choice).last_polled) {
      choice = day;
    }
  }
  return choice;
}

std::pair<TimePoint, TimePoint> CdrPoller::Window(Date day,
                                                  TimePoint now) const {
  const Seconds tz = options_.timezone_offset;
  const TimePoint day_start = LocalMidnight(day, tz);
  const TimePoint day_end = LocalMidnight(AddDays(day, 1), tz) - Seconds(1);
  const TimePoint to = std::min<TimePoint>(
      day_end, std::chrono::floor<Seconds>(now) - kFutureGuard);
  const Ledger& ledger = ledgers_.at(day);
  if (IsClosing(day, now) || !ledger.covered_until) return {day_start, to};
  TimePoint from = *ledger.covered_until - options_.overlap;
  if (ledger.unsettled_from) from = std::min(from, *ledger.unsettled_from);
  from =
      std::clamp<TimePoint>(std::chrono::floor<Seconds>(from), day_start, to);
  return {from, to};
}

TimePoint CdrPoller::PollOnce() {
  // Sleep for the budget here, so the poll duration is the request alone.
  const TimePoint slot = deps_.gate.NextAllowed(ApiFamily::kCdr);
  if (slot > deps_.clock.Now()) return slot;

  const TimePoint now = deps_.clock.Now();
  OpenMissingDays(now);
  const Date day = ChooseDay(now);
  const auto [from, to] = Window(day, now);
  const Seconds tz = options_.timezone_offset;
  const ozonetel::CdrQuery query{FormatLocalDateTime(from, tz),
                                 FormatLocalDateTime(to, tz)};

  const Ledger& ledger = ledgers_.at(day);
  std::vector<PendingCall> calls;
  std::unordered_set<std::string> in_response;
  std::optional<TimePoint> unsettled_from;
  int invalid = 0;
  auto on_record = [&](ozonetel::CdrRecord&& record) {
    if (record.call_id.empty()) {
      ++invalid;
      return;
    }
    if (ledger.seen.count(record.call_id) != 0 ||
        !in_response.insert(record.call_id).second) {
      return;
    }
    const Date call_date = record.call_date.value_or(day);
    const TimePoint start =
        LocalMidnight(call_date, tz) + Seconds(record.start_time.value_or(0));
    const TimePoint end = start + Seconds(record.duration);
    if (ledger.count_from && start < *ledger.count_from) return;
    CallFacts facts = ToCallFacts(record);
    // An answered call gains wrap-up and disposition after it ends; count
    // it once they are there, or once it is too old to change.
    const bool settled = !facts.answered || !record.wrapup_end_time.empty() ||
                         now - end >= options_.settle_timeout;
    if (!settled) {
      unsettled_from = std::min(unsettled_from.value_or(start), start);
      return;
    }
    calls.push_back(
        {record.call_id, std::move(facts), record.agent_name, start});
  };

  const auto started = std::chrono::steady_clock::now();
  const ozonetel::Outcome outcome = deps_.api.FetchCdrs(query, on_record);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  if (outcome.cancelled) return now;
  deps_.health.RecordPoll("cdr", outcome.ok(), seconds);
  if (!outcome.ok()) {
    const auto delay = backoff_.Next();
    deps_.logger.Warn(
        "cdr", "poll failed",
        {{"day", FormatDate(day)},
         {"reason",
          std::string(ozonetel::FailureReasonName(outcome.failure->reason))},
         {"err", outcome.failure->message},
         {"retry_in", std::to_string(delay.count()) + "ms"}});
    deps_.on_change();
    return std::max(deps_.clock.Now() + delay,
                    deps_.gate.NextAllowed(ApiFamily::kCdr));
  }
  backoff_.Reset();
  if (invalid > 0) {
    deps_.logger.Warn("cdr", "records without CallID skipped",
                      {{"count", std::to_string(invalid)}});
  }
  const size_t counted = calls.size();
  Commit(day, now, to, unsettled_from, &calls);
  deps_.logger.Debug("cdr", "poll done",
                     {{"day", FormatDate(day)},
                      {"from", query.from},
                      {"to", query.to},
                      {"new", std::to_string(counted)}});
  return deps_.gate.NextAllowed(ApiFamily::kCdr);
}

void CdrPoller::Commit(Date day, TimePoint polled_at, TimePoint to,
                       std::optional<TimePoint> unsettled_from,
                       std::vector<PendingCall>* calls) {
  Ledger& ledger = ledgers_.at(day);
  for (PendingCall& call : *calls) {
    if (call.facts.agent != "unassigned") {
      deps_.agents.Learn(call.facts.agent, call.agent_name,
                         ToUnixSeconds(call.start));
    }
    deps_.metrics.Count(call.facts);
    ledger.seen.insert(std::move(call.call_id));
  }
  ledger.covered_until = std::max(ledger.covered_until.value_or(to), to);
  ledger.unsettled_from = unsettled_from;
  ledger.last_polled = polled_at;
  CloseFinishedDays(polled_at);
  SaveState();
  CheckCaughtUp(polled_at);
  deps_.on_change();
}

bool CdrPoller::ReadUpTo(TimePoint now) const {
  const Seconds tz = options_.timezone_offset;
  const Date today = LocalDate(now, tz);
  if (ledgers_.find(today) == ledgers_.end()) return false;
  // Every day from the oldest open one to today, including the ones the
  // next poll would open after downtime, must be read up to its end or now.
  for (Date day = ledgers_.begin()->first; day <= today;
       day = AddDays(day, 1)) {
    auto it = ledgers_.find(day);
    if (it == ledgers_.end()) return false;
    const TimePoint end = std::min(LocalMidnight(AddDays(day, 1), tz), now);
    const auto& covered = it->second.covered_until;
    if (!covered || *covered < end - options_.publish_lag) return false;
  }
  return true;
}

void CdrPoller::CheckCaughtUp(TimePoint now) {
  if (caught_up_.load() || !ReadUpTo(now)) return;
  caught_up_.store(true);
  deps_.logger.Info("cdr", "caught up; publishing call counters", {});
}

std::vector<Date> CdrPoller::OpenDays() const {
  std::vector<Date> days;
  for (const auto& [day, ledger] : ledgers_) days.push_back(day);
  return days;
}

size_t CdrPoller::SeenCount(Date day) const {
  auto it = ledgers_.find(day);
  return it == ledgers_.end() ? 0 : it->second.seen.size();
}

void CdrPoller::SaveState() const {
  if (options_.state_path.empty()) return;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("version");
  w.Int(kStateVersion);
  w.Key("metrics");
  deps_.metrics.Save(&w);
  w.Key("agents");
  deps_.agents.Save(&w);
  w.Key("days");
  w.StartArray();
  for (const auto& [day, ledger] : ledgers_) {
    w.StartObject();
    w.Key("date");
    w.String(FormatDate(day).c_str());
    WriteOptionalTime(&w, "covered_until", ledger.covered_until);
    WriteOptionalTime(&w, "unsettled_from", ledger.unsettled_from);
    WriteOptionalTime(&w, "count_from", ledger.count_from);
    w.Key("last_polled");
    w.Int64(ToMillis(ledger.last_polled));
    w.Key("seen");
    w.StartArray();
    for (const auto& id : ledger.seen) {
      w.String(id.c_str(), static_cast<rapidjson::SizeType>(id.size()));
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::string error;
  if (!WriteFileAtomically(options_.state_path, buffer.GetString(), &error)) {
    deps_.logger.Error("cdr", "cannot save state", {{"err", error}});
  }
}

void CdrPoller::StartFromNow(TimePoint now) {
  // Counting today's calls from 00:00 after counters were lost would jump
  // every counter from 0 to the day's total at once, and Prometheus reads
  // that jump as a burst of new calls: a false missed-call spike. Calls
  // before `now` are lost instead, which no alert mistakes for traffic.
  Ledger& ledger = ledgers_[LocalDate(now, options_.timezone_offset)];
  ledger.count_from = now;
}

void CdrPoller::LoadState(bool ran_before) {
  if (options_.state_path.empty()) return;
  rapidjson::Document doc;
  std::string reason;
  const LoadStatus status =
      LoadJsonState(options_.state_path, kStateVersion, &doc, &reason);
  if (status == LoadStatus::kMissing) {
    if (ran_before) {
      StartFromNow(deps_.clock.Now());
      deps_.logger.Warn("cdr",
                        "state file missing after an earlier run; counting "
                        "calls from now, earlier calls today are not counted",
                        {{"file", options_.state_path}});
    } else {
      deps_.logger.Info("cdr", "first start; counting from today's 00:00",
                        {{"file", options_.state_path}});
    }
    return;
  }
  std::map<Date, Ledger> ledgers;
  if (status == LoadStatus::kLoaded) {
    // Ledgers first, counters last: the counters only load when everything
    // else did, so a half-read file can never pair old counters with no
    // record of what they counted.
    if (!ReadLedgers(doc, &ledgers, &reason)) {
      if (reason.empty()) reason = "malformed day ledgers";
    } else if (!doc.HasMember("agents") ||
               !deps_.agents.Load(doc["agents"], &reason)) {
      if (reason.empty()) reason = "no agents";
    } else if (!doc.HasMember("metrics") ||
               !deps_.metrics.Load(doc["metrics"], &reason)) {
      if (reason.empty()) reason = "no counters";
    }
  }
  if (!reason.empty()) {
    const std::string aside = options_.state_path + ".corrupt";
    std::rename(options_.state_path.c_str(), aside.c_str());
    StartFromNow(deps_.clock.Now());
    deps_.logger.Error("cdr",
                       "state file is corrupt; counters start fresh and "
                       "count calls from now (the old file was kept aside)",
                       {{"file", options_.state_path},
                        {"kept_as", aside},
                        {"reason", reason}});
    return;
  }
  ledgers_ = std::move(ledgers);
  size_t seen = 0;
  for (const auto& [day, ledger] : ledgers_) seen += ledger.seen.size();
  deps_.logger.Info("cdr", "state restored",
                    {{"open_days", std::to_string(ledgers_.size())},
                     {"seen_calls", std::to_string(seen)}});
  CheckCaughtUp(deps_.clock.Now());
}

}  // namespace callcenter
