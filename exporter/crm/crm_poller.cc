#include "crm/crm_poller.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <set>

#include "callcenter/common/strings.h"
#include "core/json.h"

namespace callcenter::crm {
namespace {

constexpr int kStateVersion = 2;
constexpr uint8_t kCounted = 1;
// Nodes created in the last seconds may not be committed (visible) in the
// CRM yet; the next window re-reads them through the overlap anyway.
constexpr Seconds kFutureGuard{5};

}  // namespace

std::string AgentLabel(const std::string& name,
                       const directory::AgentDirectory& agents) {
  if (name.empty()) return directory::kUnassignedAgent;
  return agents.IdForName(name).value_or(name);
}

CrmPoller::CrmPoller(Deps deps, CrmPollerOptions options)
    : deps_(std::move(deps)), options_(std::move(options)) {}

std::pair<TimePoint, TimePoint> CrmPoller::Window(TimePoint now) const {
  const Seconds tz = options_.timezone_offset;
  const TimePoint to = std::chrono::floor<Seconds>(now) - kFutureGuard;
  TimePoint from = covered_until_ ? *covered_until_ - options_.overlap
                                  : LocalMidnight(LocalDate(now, tz), tz);
  if (count_from_) from = std::max(from, *count_from_);
  from = std::min<TimePoint>(std::chrono::floor<Seconds>(from), to);
  return {from, to};
}

core::PollResult CrmPoller::Poll() {
  const TimePoint now = deps_.clock.Now();
  const auto [from, to] = Window(now);
  WindowRead read;
  const Outcome outcome = ReadWindow(from, to, &read);
  if (outcome.cancelled) return core::PollResult::Cancelled();
  if (outcome.unrecorded) {
    return core::PollResult::Failed("storage",
                                    "request history cannot be written");
  }
  if (!outcome.ok()) {
    deps_.on_change();
    return core::PollResult::Failed(
        std::string(FailureReasonName(outcome.failure->reason)),
        outcome.failure->message + " (pages read: " +
            std::to_string(read.pages) + ")",
        outcome.failure->retry_after);
  }
  Report(from, to, read);
  Commit commit;
  commit.nodes = std::move(read.pending);
  commit.covered_until = std::max(covered_until_.value_or(to), to);
  commit.close = DaysToClose(*commit.covered_until);
  if (deps_.state != nullptr) {
    if (!deps_.state->has_snapshot()) Compact();
    if (!deps_.state->Append(Serialize(commit))) {
      return core::PollResult::Failed("storage",
                                      "CRM state cannot be written; nothing "
                                      "counted");
    }
  }
  Apply(commit);
  if (deps_.state != nullptr &&
      (!commit.close.empty() ||
       deps_.state->journal_entries() >= options_.compact_after_entries)) {
    Compact();
  }
  deps_.on_change();
  return core::PollResult::Ok(now + options_.interval);
}

Outcome CrmPoller::ReadWindow(TimePoint from, TimePoint to, WindowRead* read) {
  PageRequest request{from, to, std::nullopt};
  std::set<std::string> cursors;
  for (;;) {
    Page page;
    Outcome outcome = deps_.api.FetchPage(request, &page);
    if (!outcome.ok()) return outcome;
    if (read->pages++ == 0) read->total_count = page.total_count;
    Collect(page, from, to, read);
    if (!page.has_next_page) return Outcome::Ok();
    // A cursor that comes back would page forever, spending the budget.
    if (!cursors.insert(page.end_cursor).second) {
      return Outcome::Fail(FailureReason::kParse,
                           "endCursor repeated; paging stopped");
    }
    request.after = page.end_cursor;
  }
}

void CrmPoller::Collect(const Page& page, TimePoint from, TimePoint to,
                        WindowRead* read) const {
  const Seconds tz = options_.timezone_offset;
  read->nodes += page.nodes.size();
  read->without_id += page.nodes_without_id;
  for (const Appointment& node : page.nodes) {
    if (!node.created) {
      ++read->undated;  // no day to keep its id under: cannot dedupe
      continue;
    }
    // Outside the window means counted already, or in a day whose ids are
    // gone (a CRM that ignores the filter must not recount them), or due
    // in the next window.
    if (*node.created < from || *node.created > to) {
      ++read->outside;
      continue;
    }
    const Date day = LocalDate(*node.created, tz);
    const uint64_t id = core::CompactId(node.id);
    if (seen_.Stage(day, id) != 0) continue;
    if (!read->in_poll.insert(id).second) continue;
    read->pending.push_back({id, day, SanitizeLabelValue(node.agent)});
  }
}

void CrmPoller::Report(TimePoint from, TimePoint to,
                       const WindowRead& read) const {
  if (read.without_id > 0) {
    deps_.logger.Warn("crm", "nodes without an id skipped",
                      {{"count", std::to_string(read.without_id)}});
  }
  if (read.undated > 0) {
    deps_.logger.Warn("crm",
                      "nodes without a parseable created time skipped; "
                      "check crm.created_field and the query",
                      {{"count", std::to_string(read.undated)}});
  }
  deps_.logger.Debug("crm", "poll done",
                     {{"from", FormatRfc3339(from)},
                      {"to", FormatRfc3339(to)},
                      {"pages", std::to_string(read.pages)},
                      {"nodes", std::to_string(read.nodes)},
                      {"outside_window", std::to_string(read.outside)},
                      {"new", std::to_string(read.pending.size())}});
}

std::vector<Date> CrmPoller::DaysToClose(TimePoint covered_until) const {
  // Every later window starts at or after this instant (the end only
  // grows), so a day that ends before it can never show up again.
  TimePoint next_from = covered_until - options_.overlap;
  if (count_from_ && *count_from_ > next_from) next_from = *count_from_;
  std::vector<Date> close;
  for (Date day : seen_.Days()) {
    if (LocalMidnight(AddDays(day, 1), options_.timezone_offset) <= next_from) {
      close.push_back(day);
    }
  }
  return close;
}

void CrmPoller::Apply(const Commit& commit) {
  for (const Node& node : commit.nodes) {
    deps_.metrics.Count(node.agent.empty() ? directory::kUnassignedAgent
                                           : node.agent);
    seen_.Mark(node.day, node.id, kCounted);
  }
  if (commit.covered_until) {
    covered_until_ = commit.covered_until;
    if (count_from_ && *count_from_ <= *covered_until_ - options_.overlap) {
      count_from_.reset();
    }
  }
  for (Date day : commit.close) {
    deps_.logger.Info("crm", "day closed",
                      {{"day", FormatDate(day)},
                       {"appointments", std::to_string(seen_.Size(day))}});
    seen_.Close(day);
  }
}

std::string CrmPoller::Serialize(const Commit& commit) const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("nodes");
  w.StartArray();
  for (const Node& node : commit.nodes) {
    w.StartArray();
    w.Uint64(node.id);
    w.String(FormatDate(node.day).c_str());
    w.String(node.agent.c_str(),
             static_cast<rapidjson::SizeType>(node.agent.size()));
    w.EndArray();
  }
  w.EndArray();
  core::WriteOptionalTime(&w, "covered_until", commit.covered_until);
  w.Key("close");
  w.StartArray();
  for (Date day : commit.close) w.String(FormatDate(day).c_str());
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool CrmPoller::Deserialize(const rapidjson::Value& value,
                            Commit* commit) const {
  if (!value.IsObject() || !value.HasMember("nodes") ||
      !value["nodes"].IsArray() || !value.HasMember("close") ||
      !value["close"].IsArray() ||
      !core::ReadOptionalTime(value, "covered_until", &commit->covered_until)) {
    return false;
  }
  for (const auto& row : value["nodes"].GetArray()) {
    if (!row.IsArray() || row.Size() != 3 || !row[0].IsUint64() ||
        !row[1].IsString() || !row[2].IsString()) {
      return false;
    }
    auto day = ParseDate(row[1].GetString());
    if (!day) return false;
    commit->nodes.push_back(
        {row[0].GetUint64(), *day,
         std::string(row[2].GetString(), row[2].GetStringLength())});
  }
  for (const auto& date : value["close"].GetArray()) {
    auto day = date.IsString() ? ParseDate(date.GetString()) : std::nullopt;
    if (!day) return false;
    commit->close.push_back(*day);
  }
  return true;
}

std::string CrmPoller::SnapshotJson() const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("version");
  w.Int(kStateVersion);
  w.Key("metrics");
  deps_.metrics.Save(&w);
  core::WriteOptionalTime(&w, "covered_until", covered_until_);
  core::WriteOptionalTime(&w, "count_from", count_from_);
  w.Key("ledger");
  seen_.Save(&w);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

void CrmPoller::Compact() {
  if (deps_.state != nullptr && !deps_.state->Save(SnapshotJson())) {
    deps_.logger.Error("crm", "cannot compact the state file; will retry",
                       {{"file", deps_.state->path()}});
  }
}

bool CrmPoller::LoadSnapshot(const rapidjson::Value& doc,
                             std::string* reason) {
  std::optional<TimePoint> covered_until;
  std::optional<TimePoint> count_from;
  if (!doc.HasMember("version") || !doc["version"].IsInt() ||
      doc["version"].GetInt() != kStateVersion) {
    *reason = "missing or unsupported version";
    return false;
  }
  if (!core::ReadOptionalTime(doc, "covered_until", &covered_until) ||
      !core::ReadOptionalTime(doc, "count_from", &count_from)) {
    *reason = "malformed window";
    return false;
  }
  core::DayLedger seen;
  if (!doc.HasMember("ledger") || !seen.Load(doc["ledger"], reason)) {
    if (reason->empty()) *reason = "no ledger";
    return false;
  }
  // Counters last: they load only when everything else did, so old
  // counters never pair with no record of what they counted.
  if (!doc.HasMember("metrics")) {
    *reason = "no counters";
    return false;
  }
  if (!deps_.metrics.Load(doc["metrics"], reason)) return false;
  covered_until_ = covered_until;
  count_from_ = count_from;
  seen_ = std::move(seen);
  return true;
}

void CrmPoller::LoadState(bool ran_before) {
  if (deps_.state == nullptr) return;
  core::StateFile::Loaded loaded = deps_.state->Load();
  std::string reason;
  bool restored = false;
  if (loaded.status == core::StateFile::Status::kLoaded) {
    std::vector<Commit> commits(loaded.journal.size());
    bool journal_ok = true;
    for (size_t i = 0; i < loaded.journal.size() && journal_ok; ++i) {
      rapidjson::Document entry;
      core::JsonLimits limits;
      limits.numbers_as_strings = false;
      journal_ok = core::ParseJson(loaded.journal[i], &entry, limits).empty() &&
                   Deserialize(entry, &commits[i]);
    }
    if (!journal_ok) {
      reason = "malformed journal entry";
    } else if (LoadSnapshot(loaded.snapshot, &reason)) {
      for (const Commit& commit : commits) Apply(commit);
      restored = true;
    }
    if (!restored) deps_.state->SetAside(reason);
  }
  if (restored) {
    deps_.logger.Info("crm", "state restored",
                      {{"open_days", std::to_string(seen_.Days().size())},
                       {"seen_appointments",
                        std::to_string(seen_.TotalSize())}});
  } else if (loaded.status == core::StateFile::Status::kMissing &&
             !ran_before) {
    deps_.logger.Info("crm", "first start; counting from today's 00:00",
                      {{"file", deps_.state->path()}});
  } else {
    // Counting today from midnight after the counters were lost would jump
    // them from 0 to the day's total at once, which rate() reads as a burst
    // of bookings. Earlier bookings are lost instead.
    count_from_ = std::chrono::floor<Seconds>(deps_.clock.Now());
    deps_.logger.Warn("crm",
                      "state file lost or corrupt; counting appointments "
                      "from now, earlier ones today are not counted",
                      {{"file", deps_.state->path()}});
  }
  Compact();
}

std::vector<Date> CrmPoller::OpenDays() const { return seen_.Days(); }

size_t CrmPoller::SeenCount(Date day) const { return seen_.Size(day); }

}  // namespace callcenter::crm
