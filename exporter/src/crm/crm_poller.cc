#include "callcenter/crm/crm_poller.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

#include "callcenter/state_file.h"

namespace callcenter::crm {
namespace {

constexpr int kStateVersion = 1;
// Nodes created in the last seconds may not be committed (visible) in the
// CRM yet; the next window re-reads them through the overlap anyway.
constexpr Seconds kFutureGuard{5};

// Absent or null is nullopt; any other non-integer is malformed.
bool ReadOptionalTime(const rapidjson::Value& doc, const char* key,
                      std::optional<TimePoint>* out) {
  if (!doc.HasMember(key) || doc[key].IsNull()) return true;
  if (!doc[key].IsInt64()) return false;
  *out = FromMillis(doc[key].GetInt64());
  return true;
}

bool ReadDay(const rapidjson::Value& entry,
             std::map<Date, std::unordered_set<std::string>>* seen) {
  if (!entry.IsObject() || !entry.HasMember("date") ||
      !entry["date"].IsString() || !entry.HasMember("seen") ||
      !entry["seen"].IsArray()) {
    return false;
  }
  auto date = ParseDate(entry["date"].GetString());
  if (!date) return false;
  auto& ids = (*seen)[*date];
  for (const auto& id : entry["seen"].GetArray()) {
    if (!id.IsString()) return false;
    ids.emplace(id.GetString(), id.GetStringLength());
  }
  return true;
}

}  // namespace

ApiHealth::Options HealthOptions() {
  return {"crm", {kHealthApi}, false, FailureReasonNames()};
}

std::function<void(const Outcome&)> HealthRecorder(ApiHealth& health) {
  return [&health](const Outcome& outcome) {
    health.RecordRequest(
        kHealthApi, outcome.failure ? FailureReasonName(outcome.failure->reason)
                                    : std::string_view());
  };
}

std::string AgentLabel(const std::string& name, const AgentDirectory& agents) {
  if (name.empty()) return "unassigned";
  return agents.IdForName(name).value_or(name);
}

CrmPoller::CrmPoller(Deps deps, CrmPollerOptions options)
    : deps_(std::move(deps)),
      options_(std::move(options)),
      backoff_(Seconds(30), Seconds(600), std::random_device{}()) {}

std::pair<TimePoint, TimePoint> CrmPoller::Window(TimePoint now) const {
  const Seconds tz = options_.timezone_offset;
  const TimePoint to = std::chrono::floor<Seconds>(now) - kFutureGuard;
  TimePoint from = covered_until_ ? *covered_until_ - options_.overlap
                                  : LocalMidnight(LocalDate(now, tz), tz);
  if (count_from_) from = std::max(from, *count_from_);
  from = std::min<TimePoint>(std::chrono::floor<Seconds>(from), to);
  return {from, to};
}

TimePoint CrmPoller::PollOnce() {
  // Wait for the budget outside the poll, so its duration is the requests.
  const TimePoint slot = deps_.gate.NextAllowed(ApiFamily::kCrm);
  if (slot > deps_.clock.Now()) return slot;

  const TimePoint now = deps_.clock.Now();
  const auto [from, to] = Window(now);
  WindowRead read;
  const auto started = std::chrono::steady_clock::now();
  const Outcome outcome = ReadWindow(from, to, &read);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  if (outcome.cancelled) return now;
  deps_.health.RecordPoll(kHealthApi, outcome.ok(), seconds);
  if (!outcome.ok()) return Failed(outcome, read);
  backoff_.Reset();
  Report(from, to, read);
  Commit(to, &read);
  return std::max(now + options_.interval,
                  deps_.gate.NextAllowed(ApiFamily::kCrm));
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
    auto ledger = seen_.find(day);
    if (ledger != seen_.end() && ledger->second.count(node.id) != 0) continue;
    if (!read->in_poll.insert(node.id).second) continue;
    read->pending.push_back({node.id, node.agent, day});
  }
}

TimePoint CrmPoller::Failed(const Outcome& outcome, const WindowRead& read) {
  const auto delay = backoff_.Next();
  deps_.logger.Warn(
      "crm", "poll failed; nothing counted",
      {{"reason", std::string(FailureReasonName(outcome.failure->reason))},
       {"err", outcome.failure->message},
       {"pages_read", std::to_string(read.pages)},
       {"retry_in", std::to_string(delay.count()) + "ms"}});
  deps_.on_change();
  return std::max(deps_.clock.Now() + delay,
                  deps_.gate.NextAllowed(ApiFamily::kCrm));
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
  const size_t received = read.nodes + read.without_id;
  if (read.total_count && *read.total_count >= 0 &&
      static_cast<size_t>(*read.total_count) != received) {
    // Nodes created or re-dispositioned while paging shift the count; the
    // overlap of the next window catches them, so this is only a hint.
    deps_.logger.Debug("crm", "totalCount differs from the nodes received",
                       {{"total_count", std::to_string(*read.total_count)},
                        {"received", std::to_string(received)}});
  }
  deps_.logger.Debug("crm", "poll done",
                     {{"from", FormatRfc3339(from)},
                      {"to", FormatRfc3339(to)},
                      {"pages", std::to_string(read.pages)},
                      {"nodes", std::to_string(read.nodes)},
                      {"outside_window", std::to_string(read.outside)},
                      {"new", std::to_string(read.pending.size())}});
}

void CrmPoller::Commit(TimePoint to, WindowRead* read) {
  for (Pending& node : read->pending) {
    deps_.metrics.Count(node.agent.empty() ? "unassigned" : node.agent);
    seen_[node.day].insert(std::move(node.id));
  }
  covered_until_ = std::max(covered_until_.value_or(to), to);
  CloseFinishedDays();
  SaveState();
  deps_.on_change();
}

void CrmPoller::CloseFinishedDays() {
  if (!covered_until_) return;
  // Every later window starts at or after this instant (the end only
  // grows), so a day that ends before it can never show up again.
  TimePoint next_from = *covered_until_ - options_.overlap;
  if (count_from_) {
    if (*count_from_ <= next_from) {
      count_from_.reset();
    } else {
      next_from = *count_from_;
    }
  }
  const Seconds tz = options_.timezone_offset;
  for (auto it = seen_.begin(); it != seen_.end();) {
    if (LocalMidnight(AddDays(it->first, 1), tz) <= next_from) {
      deps_.logger.Info("crm", "day closed",
                        {{"day", FormatDate(it->first)},
                         {"appointments", std::to_string(it->second.size())}});
      it = seen_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<Date> CrmPoller::OpenDays() const {
  std::vector<Date> days;
  for (const auto& [day, ids] : seen_) days.push_back(day);
  return days;
}

size_t CrmPoller::SeenCount(Date day) const {
  auto it = seen_.find(day);
  return it == seen_.end() ? 0 : it->second.size();
}

void CrmPoller::SaveState() const {
  if (options_.state_path.empty()) return;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("version");
  w.Int(kStateVersion);
  w.Key("metrics");
  deps_.metrics.Save(&w);
  WriteOptionalTime(&w, "covered_until", covered_until_);
  WriteOptionalTime(&w, "count_from", count_from_);
  w.Key("days");
  w.StartArray();
  for (const auto& [day, ids] : seen_) {
    w.StartObject();
    w.Key("date");
    w.String(FormatDate(day).c_str());
    w.Key("seen");
    w.StartArray();
    for (const auto& id : ids) {
      w.String(id.c_str(), static_cast<rapidjson::SizeType>(id.size()));
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  std::string error;
  if (!WriteFileAtomically(options_.state_path, buffer.GetString(), &error)) {
    deps_.logger.Error("crm", "cannot save state", {{"err", error}});
  }
}

void CrmPoller::StartFromNow(TimePoint now) {
  // Counting today from midnight after the counters were lost would jump
  // them from 0 to the day's total at once, which rate() reads as a burst
  // of bookings. Earlier bookings are lost instead.
  count_from_ = std::chrono::floor<Seconds>(now);
}

bool CrmPoller::ReadState(const rapidjson::Value& doc, std::string* reason) {
  std::optional<TimePoint> covered_until;
  std::optional<TimePoint> count_from;
  std::map<Date, std::unordered_set<std::string>> seen;
  if (!ReadOptionalTime(doc, "covered_until", &covered_until) ||
      !ReadOptionalTime(doc, "count_from", &count_from)) {
    *reason = "malformed window";
    return false;
  }
  if (!doc.HasMember("days") || !doc["days"].IsArray()) {
    *reason = "no day ledgers";
    return false;
  }
  for (const auto& entry : doc["days"].GetArray()) {
    if (!ReadDay(entry, &seen)) {
      *reason = "malformed day ledger";
      return false;
    }
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
  if (options_.state_path.empty()) return;
  rapidjson::Document doc;
  std::string reason;
  const LoadStatus status =
      LoadJsonState(options_.state_path, kStateVersion, &doc, &reason);
  if (status == LoadStatus::kMissing) {
    if (ran_before) {
      StartFromNow(deps_.clock.Now());
      deps_.logger.Warn("crm",
                        "state file missing after an earlier run; counting "
                        "appointments from now, earlier ones today are not "
                        "counted",
                        {{"file", options_.state_path}});
    } else {
      deps_.logger.Info("crm", "first start; counting from today's 00:00",
                        {{"file", options_.state_path}});
    }
    return;
  }
  if (status == LoadStatus::kLoaded && ReadState(doc, &reason)) {
    size_t ids = 0;
    for (const auto& [day, seen] : seen_) ids += seen.size();
    deps_.logger.Info("crm", "state restored",
                      {{"open_days", std::to_string(seen_.size())},
                       {"seen_appointments", std::to_string(ids)}});
    return;
  }
  const std::string aside = options_.state_path + ".corrupt";
  std::rename(options_.state_path.c_str(), aside.c_str());
  StartFromNow(deps_.clock.Now());
  deps_.logger.Error(
      "crm",
      "state file is corrupt; counters start fresh and count "
      "appointments from now (the old file was kept aside)",
      {{"file", options_.state_path}, {"kept_as", aside}, {"reason", reason}});
}

}  // namespace callcenter::crm
