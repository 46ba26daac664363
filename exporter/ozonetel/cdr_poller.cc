#include "ozonetel/cdr_poller.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "core/json.h"

namespace callcenter::ozonetel {
namespace {

constexpr int kStateVersion = 2;
constexpr uint8_t kCounted = 1;  // the call itself
constexpr uint8_t kSettled = 2;  // and its wrap-up
// The vendor rejects a toDate in its future; our clock may run a little
// ahead of its clock, and the next window overlaps anyway.
constexpr Seconds kFutureGuard{5};
// How far a record's times may lie ahead of our clock (skew) and still be
// believed.
constexpr Seconds kClockSkew{300};
constexpr int64_t kDay = 86400;

void WriteString(rapidjson::Writer<rapidjson::StringBuffer>* w,
                 const std::string& s) {
  w->String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
}

void WriteWindow(rapidjson::Writer<rapidjson::StringBuffer>* w,
                 const std::optional<TimePoint>& covered_until,
                 const std::optional<TimePoint>& unsettled_from,
                 const std::optional<TimePoint>& count_from,
                 TimePoint last_polled) {
  core::WriteOptionalTime(w, "covered_until", covered_until);
  core::WriteOptionalTime(w, "unsettled_from", unsettled_from);
  core::WriteOptionalTime(w, "count_from", count_from);
  std::optional<TimePoint> polled;
  if (last_polled != TimePoint{}) polled = last_polled;
  core::WriteOptionalTime(w, "last_polled", polled);
}

bool ReadString(const rapidjson::Value& v, std::string* out) {
  if (!v.IsString()) return false;
  out->assign(v.GetString(), v.GetStringLength());
  return true;
}

bool ReadSeconds(const rapidjson::Value& v, int64_t* out) {
  if (!v.IsInt64() || v.GetInt64() < 0 ||
      v.GetInt64() > kMaxRecordDuration) {
    return false;
  }
  *out = v.GetInt64();
  return true;
}

}  // namespace

std::optional<CallTimes> PlaceCall(const CdrRecord& record, Date day,
                                   Seconds timezone_offset, TimePoint now) {
  if (!record.start_time) return std::nullopt;
  const Date call_date = record.call_date.value_or(day);
  const bool crossed =
      record.end_time && *record.end_time < *record.start_time;
  // The query selected calls that started on `day`: a CallDate of the next
  // day can only be the end date of a call that crossed midnight.
  if (call_date != day && !(crossed && call_date == AddDays(day, 1))) {
    return std::nullopt;
  }
  CallTimes times;
  times.start = LocalMidnight(day, timezone_offset) + Seconds(*record.start_time);
  if (record.end_time) {
    const int64_t length =
        ((*record.end_time - *record.start_time) % kDay + kDay) % kDay;
    times.end = times.start + Seconds(length);
  } else {
    times.end = times.start + Seconds(record.duration);
  }
  if (times.start > now + kClockSkew) return std::nullopt;
  return times;
}

CdrPoller::CdrPoller(Deps deps, CdrPollerOptions options)
    : deps_(std::move(deps)), options_(std::move(options)) {}

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
  if (windows_.empty()) return;
  const Date today = LocalDate(now, options_.timezone_offset);
  const Date oldest = AddDays(today, -(options_.lookback_days - 1));
  Date day = std::max(AddDays(windows_.rbegin()->first, 1), oldest);
  for (; day < today; day = AddDays(day, 1)) windows_.try_emplace(day);
}

std::vector<Date> CdrPoller::DaysToClose(const std::map<Date, Window>& windows,
                                         TimePoint now) const {
  const Date today = LocalDate(now, options_.timezone_offset);
  const Date oldest = AddDays(today, -(options_.lookback_days - 1));
  std::vector<Date> close;
  for (const auto& [day, window] : windows) {
    const bool finished = day < today && window.last_polled >= CutOff(day);
    if (finished || day < oldest) close.push_back(day);
  }
  return close;
}

Date CdrPoller::ChooseDay(TimePoint now) {
  const Date today = LocalDate(now, options_.timezone_offset);
  windows_.try_emplace(today);
  // A closing day whose cut-off has passed gets its final read first.
  for (const auto& [day, window] : windows_) {
    if (day < today && now >= CutOff(day)) return day;
  }
  // Inside the late-data window, alternate with yesterday.
  Date choice = today;
  for (const auto& [day, window] : windows_) {
    if (day < today && window.last_polled < windows_.at(choice).last_polled) {
      choice = day;
    }
  }
  return choice;
}

std::pair<TimePoint, TimePoint> CdrPoller::QueryWindow(Date day,
                                                       TimePoint now) const {
  const Seconds tz = options_.timezone_offset;
  const TimePoint day_start = LocalMidnight(day, tz);
  const TimePoint day_end = LocalMidnight(AddDays(day, 1), tz) - Seconds(1);
  const TimePoint to = std::min<TimePoint>(
      day_end, std::chrono::floor<Seconds>(now) - kFutureGuard);
  const Window& window = windows_.at(day);
  if (IsClosing(day, now) || !window.covered_until) return {day_start, to};
  TimePoint from = *window.covered_until - options_.overlap;
  if (window.unsettled_from) from = std::min(from, *window.unsettled_from);
  from = std::clamp<TimePoint>(std::chrono::floor<Seconds>(from), day_start, to);
  return {from, to};
}

bool CdrPoller::TakeRecord(CdrRecord&& record, Date day, TimePoint now,
                           Batch* batch,
                           std::optional<TimePoint>* unsettled_from) {
  if (record.invalid_fields > 0) {
    deps_.stats.AddInvalid(RecordStats::kCdr,
                           static_cast<uint64_t>(record.invalid_fields));
  }
  const std::optional<CallTimes> times =
      record.call_id ? PlaceCall(record, day, options_.timezone_offset, now)
                     : std::nullopt;
  if (!times) {
    deps_.stats.AddInvalid(RecordStats::kCdr, 1);
    return true;
  }
  const Window& window = windows_.at(day);
  if (window.count_from && times->start < *window.count_from) return true;
  const uint64_t id = *record.call_id;
  uint8_t stage = ledger_.Stage(day, id);
  if (auto it = batch->stages.find(id); it != batch->stages.end()) {
    stage = std::max(stage, it->second);
  }
  if (stage >= kSettled) return true;
  // An answered call gains wrap-up and disposition after it ends: those
  // count once they are there, or once the call is too old to change.
  const bool ended = times->end <= now + kClockSkew;
  const bool settled = ended && (!record.answered || record.has_wrapup_end ||
                                 now - times->end >= options_.settle_timeout);
  const uint8_t target = settled ? kSettled : (ended ? kCounted : 0);
  if (target < kSettled) {
    *unsettled_from = std::min(unsettled_from->value_or(times->start),
                               times->start);
  }
  if (target <= stage) return true;

  CallFacts facts;
  facts.agent =
      record.agent_id.empty()
          ? std::string(directory::kUnassignedAgent)
          : deps_.agents.Learn(record.agent_id, record.agent_name,
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
  batch->calls.push_back({id, stage, target, std::move(facts)});
  batch->stages[id] = target;
  if (batch->calls.size() < options_.batch_calls) return true;
  // A full batch is committed now, so a huge response never holds more
  // than one batch; the window stays where it was until the last one.
  return Commit(batch);
}

bool CdrPoller::Commit(Batch* batch) {
  if (deps_.state != nullptr) {
    // After a failed write the snapshot may be missing; journal entries
    // need one to follow.
    if (!deps_.state->has_snapshot()) CompactIfDue(true);
    if (!deps_.state->Append(Serialize(*batch))) {
      storage_failed_ = true;
      return false;
    }
  }
  Apply(*batch);
  batch->calls.clear();
  batch->stages.clear();
  return true;
}

void CdrPoller::Apply(const Batch& batch) {
  for (const Batch::Call& call : batch.calls) {
    ledger_.Mark(batch.day, call.id, call.to);
    if (call.from < kCounted && call.to >= kCounted) {
      deps_.metrics.CountCall(call.facts);
    }
    if (call.from < kSettled && call.to >= kSettled) {
      deps_.metrics.CountSettlement(call.facts);
    }
  }
  if (batch.window) {
    Window& window = windows_[batch.day];
    const std::optional<TimePoint> count_from = window.count_from;
    window = *batch.window;
    window.count_from = count_from;
  }
  for (Date day : batch.close) {
    windows_.erase(day);
    deps_.logger.Info("cdr", "day closed",
                      {{"day", FormatDate(day)},
                       {"calls", std::to_string(ledger_.Size(day))}});
    ledger_.Close(day);
  }
}

core::PollResult CdrPoller::Poll() {
  const TimePoint now = deps_.clock.Now();
  OpenMissingDays(now);
  const Date day = ChooseDay(now);
  const auto [from, to] = QueryWindow(day, now);
  const Seconds tz = options_.timezone_offset;
  const CdrQuery query{FormatLocalDateTime(from, tz),
                       FormatLocalDateTime(to, tz)};

  Batch batch;
  batch.day = day;
  std::optional<TimePoint> unsettled_from;
  storage_failed_ = false;
  const size_t counted_before = ledger_.Size(day);
  const Outcome outcome = deps_.api.FetchCdrs(query, [&](CdrRecord&& record) {
    return TakeRecord(std::move(record), day, now, &batch, &unsettled_from);
  });
  if (outcome.cancelled) return core::PollResult::Cancelled();
  if (storage_failed_ || outcome.unrecorded) {
    deps_.on_change();
    return core::PollResult::Failed(
        "storage", "state cannot be written; nothing sent or counted");
  }
  if (!outcome.ok()) {
    // Batches committed before the failure stay counted, each call once;
    // the window did not move, so the next poll reads them again and the
    // ledger skips them.
    deps_.on_change();
    return core::PollResult::Failed(
        std::string(FailureReasonName(outcome.failure->reason)),
        outcome.failure->message, outcome.failure->retry_after);
  }

  Window window = windows_.at(day);
  window.covered_until = std::max(window.covered_until.value_or(to), to);
  window.unsettled_from = unsettled_from;
  window.last_polled = now;
  batch.window = window;
  std::map<Date, Window> after = windows_;
  after[day] = window;
  batch.close = DaysToClose(after, now);
  if (!Commit(&batch)) {
    deps_.on_change();
    return core::PollResult::Failed(
        "storage", "state cannot be written; nothing counted");
  }
  deps_.agents.Persist();
  CompactIfDue(!batch.close.empty());
  CheckCaughtUp(now);
  deps_.on_change();
  deps_.logger.Debug(
      "cdr", "poll done",
      {{"day", FormatDate(day)},
       {"from", query.from},
       {"to", query.to},
       {"new", std::to_string(ledger_.Size(day) - counted_before)}});
  return core::PollResult::Ok();
}

std::string CdrPoller::Serialize(const Batch& batch) const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("day");
  w.String(FormatDate(batch.day).c_str());
  w.Key("calls");
  w.StartArray();
  for (const Batch::Call& call : batch.calls) {
    const CallFacts& f = call.facts;
    w.StartArray();
    w.Uint64(call.id);
    w.Uint(call.from);
    w.Uint(call.to);
    WriteString(&w, f.agent);
    w.Bool(f.inbound);
    w.Bool(f.answered);
    WriteString(&w, f.disposition);
    WriteString(&w, f.campaign);
    for (int64_t seconds : {f.talk, f.hold, f.wrapup, f.handling, f.queue_wait}) {
      w.Int64(seconds);
    }
    w.EndArray();
  }
  w.EndArray();
  if (batch.window) {
    w.Key("window");
    w.StartObject();
    WriteWindow(&w, batch.window->covered_until, batch.window->unsettled_from,
                std::nullopt, batch.window->last_polled);
    w.EndObject();
  }
  w.Key("close");
  w.StartArray();
  for (Date day : batch.close) w.String(FormatDate(day).c_str());
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool CdrPoller::Deserialize(const rapidjson::Value& value,
                            Batch* batch) const {
  if (!value.IsObject() || !value.HasMember("day") ||
      !value["day"].IsString() || !value.HasMember("calls") ||
      !value["calls"].IsArray() || !value.HasMember("close") ||
      !value["close"].IsArray()) {
    return false;
  }
  auto day = ParseDate(value["day"].GetString());
  if (!day) return false;
  batch->day = *day;
  for (const auto& row : value["calls"].GetArray()) {
    if (!row.IsArray() || row.Size() != 13 || !row[0].IsUint64() ||
        !row[1].IsUint() || !row[2].IsUint() || row[2].GetUint() > kSettled ||
        row[1].GetUint() >= row[2].GetUint() || !row[4].IsBool() ||
        !row[5].IsBool()) {
      return false;
    }
    Batch::Call call;
    call.id = row[0].GetUint64();
    call.from = static_cast<uint8_t>(row[1].GetUint());
    call.to = static_cast<uint8_t>(row[2].GetUint());
    CallFacts& f = call.facts;
    f.inbound = row[4].GetBool();
    f.answered = row[5].GetBool();
    if (!ReadString(row[3], &f.agent) || !ReadString(row[6], &f.disposition) ||
        !ReadString(row[7], &f.campaign) || !ReadSeconds(row[8], &f.talk) ||
        !ReadSeconds(row[9], &f.hold) || !ReadSeconds(row[10], &f.wrapup) ||
        !ReadSeconds(row[11], &f.handling) ||
        !ReadSeconds(row[12], &f.queue_wait)) {
      return false;
    }
    batch->calls.push_back(std::move(call));
  }
  if (value.HasMember("window")) {
    Window window;
    std::optional<TimePoint> polled;
    const rapidjson::Value& w = value["window"];
    if (!core::ReadOptionalTime(w, "covered_until", &window.covered_until) ||
        !core::ReadOptionalTime(w, "unsettled_from", &window.unsettled_from) ||
        !core::ReadOptionalTime(w, "last_polled", &polled)) {
      return false;
    }
    window.last_polled = polled.value_or(TimePoint{});
    batch->window = window;
  }
  for (const auto& date : value["close"].GetArray()) {
    if (!date.IsString()) return false;
    auto parsed = ParseDate(date.GetString());
    if (!parsed) return false;
    batch->close.push_back(*parsed);
  }
  return true;
}

std::string CdrPoller::SnapshotJson() const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("version");
  w.Int(kStateVersion);
  w.Key("metrics");
  deps_.metrics.Save(&w);
  w.Key("ledger");
  ledger_.Save(&w);
  w.Key("windows");
  w.StartArray();
  for (const auto& [day, window] : windows_) {
    w.StartObject();
    w.Key("date");
    w.String(FormatDate(day).c_str());
    WriteWindow(&w, window.covered_until, window.unsettled_from,
                window.count_from, window.last_polled);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string CdrPoller::SeedSnapshot(const CdrMetrics& totals) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("version");
  w.Int(kStateVersion);
  w.Key("metrics");
  totals.Save(&w);
  w.Key("ledger");
  core::DayLedger().Save(&w);
  w.Key("windows");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

void CdrPoller::CompactIfDue(bool force) {
  if (deps_.state == nullptr) return;
  if (!force &&
      deps_.state->journal_entries() < options_.compact_after_entries &&
      deps_.state->journal_bytes() < options_.compact_after_bytes) {
    return;
  }
  // A failed compaction loses nothing: the journal still holds every
  // batch, and the next poll tries again.
  if (!deps_.state->Save(SnapshotJson())) {
    deps_.logger.Error("cdr", "cannot compact the state file; will retry",
                       {{"file", deps_.state->path()}});
  }
}

bool CdrPoller::LoadSnapshot(const rapidjson::Value& doc, std::string* reason) {
  if (!doc.HasMember("version") || !doc["version"].IsInt() ||
      doc["version"].GetInt() != kStateVersion) {
    *reason = "missing or unsupported version";
    return false;
  }
  if (!doc.HasMember("windows") || !doc["windows"].IsArray() ||
      !doc.HasMember("ledger") || !doc.HasMember("metrics")) {
    *reason = "no windows, ledger or counters";
    return false;
  }
  std::map<Date, Window> windows;
  for (const auto& entry : doc["windows"].GetArray()) {
    if (!entry.IsObject() || !entry.HasMember("date") ||
        !entry["date"].IsString()) {
      *reason = "malformed day window";
      return false;
    }
    auto day = ParseDate(entry["date"].GetString());
    Window window;
    std::optional<TimePoint> polled;
    if (!day ||
        !core::ReadOptionalTime(entry, "covered_until", &window.covered_until) ||
        !core::ReadOptionalTime(entry, "unsettled_from",
                                &window.unsettled_from) ||
        !core::ReadOptionalTime(entry, "count_from", &window.count_from) ||
        !core::ReadOptionalTime(entry, "last_polled", &polled)) {
      *reason = "malformed day window";
      return false;
    }
    window.last_polled = polled.value_or(TimePoint{});
    windows[*day] = window;
  }
  core::DayLedger ledger;
  if (!ledger.Load(doc["ledger"], reason)) return false;
  // Counters last: they load only when everything else did, so old
  // counters never pair with no record of what they counted.
  if (!deps_.metrics.Load(doc["metrics"], reason)) return false;
  windows_ = std::move(windows);
  ledger_ = std::move(ledger);
  return true;
}

void CdrPoller::StartFromNow(TimePoint now) {
  // Counting today's calls from 00:00 after counters were lost would jump
  // every counter from 0 to the day's total at once, and Prometheus reads
  // that jump as a burst of new calls: a false missed-call spike. Calls
  // before `now` are lost instead, which no alert mistakes for traffic.
  windows_[LocalDate(now, options_.timezone_offset)].count_from = now;
}

void CdrPoller::LoadState(bool ran_before) {
  if (deps_.state == nullptr) return;
  const TimePoint now = deps_.clock.Now();
  core::StateFile::Loaded loaded = deps_.state->Load();
  std::string reason;
  bool restored = false;
  if (loaded.status == core::StateFile::Status::kLoaded) {
    std::vector<Batch> batches(loaded.journal.size());
    bool journal_ok = true;
    for (size_t i = 0; i < loaded.journal.size() && journal_ok; ++i) {
      rapidjson::Document entry;
      core::JsonLimits limits;
      limits.numbers_as_strings = false;
      limits.max_bytes = loaded.journal[i].size();
      journal_ok = core::ParseJson(loaded.journal[i], &entry, limits).empty() &&
                   Deserialize(entry, &batches[i]);
    }
    if (!journal_ok) {
      reason = "malformed journal entry";
    } else if (LoadSnapshot(loaded.snapshot, &reason)) {
      for (const Batch& batch : batches) Apply(batch);
      restored = true;
    }
    if (!restored) deps_.state->SetAside(reason);
  }
  if (restored) {
    deps_.logger.Info("cdr", "state restored",
                      {{"open_days", std::to_string(windows_.size())},
                       {"seen_calls", std::to_string(ledger_.TotalSize())},
                       {"journal_entries",
                        std::to_string(loaded.journal.size())}});
  } else if (loaded.status == core::StateFile::Status::kMissing &&
             !ran_before) {
    deps_.logger.Info("cdr", "first start; counting from today's 00:00",
                      {{"file", deps_.state->path()}});
  } else {
    StartFromNow(now);
    deps_.logger.Warn("cdr",
                      "state file lost or corrupt; counting calls from now, "
                      "earlier calls today are not counted",
                      {{"file", deps_.state->path()}});
  }
  // A fresh snapshot, so that journal entries always follow one.
  CompactIfDue(true);
  CheckCaughtUp(now);
}

bool CdrPoller::ReadUpTo(TimePoint now) const {
  const Seconds tz = options_.timezone_offset;
  const Date today = LocalDate(now, tz);
  if (windows_.find(today) == windows_.end()) return false;
  // Every day from the oldest open one to today, including the ones the
  // next poll would open after downtime, must be read up to its end or now.
  for (Date day = windows_.begin()->first; day <= today;
       day = AddDays(day, 1)) {
    auto it = windows_.find(day);
    if (it == windows_.end()) return false;
    const TimePoint end = std::min(LocalMidnight(AddDays(day, 1), tz), now);
    const auto& covered = it->second.covered_until;
    if (!covered || *covered < end - options_.publish_lag) return false;
  }
  return true;
}

void CdrPoller::CheckCaughtUp(TimePoint now) {
  if (caught_up_.load() || !ReadUpTo(now)) return;
  caught_up_.store(true);
  deps_.metrics.Publish();
  deps_.on_change();
  deps_.logger.Info("cdr", "caught up; publishing call counters", {});
}

std::string CdrPoller::CatchUpStatus() const {
  if (caught_up_.load()) return {};
  return "call counters withheld until today's call records are read";
}

std::vector<Date> CdrPoller::OpenDays() const {
  std::vector<Date> days;
  for (const auto& [day, window] : windows_) days.push_back(day);
  return days;
}

size_t CdrPoller::SeenCount(Date day) const { return ledger_.Size(day); }

uint8_t CdrPoller::Stage(Date day, const std::string& call_id) const {
  return ledger_.Stage(day, core::CompactId(call_id));
}

}  // namespace callcenter::ozonetel
