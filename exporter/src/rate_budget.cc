#include "callcenter/rate_budget.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>

#include "callcenter/state_file.h"

namespace callcenter {

std::string_view ApiFamilyName(ApiFamily family) {
  switch (family) {
    case ApiFamily::kCdr:
      return "cdr";
    case ApiFamily::kSummary:
      return "summary";
    case ApiFamily::kAht:
      return "aht";
    case ApiFamily::kToken:
      return "token";
    case ApiFamily::kCrm:
      return "crm";
  }
  return "unknown";
}

namespace {

constexpr int kHistoryVersion = 1;

std::optional<ApiFamily> ApiFamilyFromName(std::string_view name) {
  for (ApiFamily family :
       {ApiFamily::kCdr, ApiFamily::kSummary, ApiFamily::kAht,
        ApiFamily::kToken, ApiFamily::kCrm}) {
    if (ApiFamilyName(family) == name) return family;
  }
  return std::nullopt;
}

}  // namespace

RateBudget::RateBudget(int limit, Seconds window, Seconds margin)
    : limit_(std::max(limit, 1)), window_(window), margin_(margin) {}

TimePoint RateBudget::NextAllowed(TimePoint now) const {
  TimePoint next = std::max(now, blocked_until_);
  if (!history_.empty()) {
    next = std::max(next, history_.back() + Span() / limit_);
  }
  if (static_cast<int>(history_.size()) >= limit_) {
    // The oldest of the last `limit` requests must leave the window first.
    next = std::max(next, history_[history_.size() - limit_] + Span());
  }
  return next;
}

bool RateBudget::TryAcquire(TimePoint now) {
  if (NextAllowed(now) > now) return false;
  history_.push_back(now);
  while (static_cast<int>(history_.size()) > limit_) history_.pop_front();
  return true;
}

void RateBudget::BlockUntil(TimePoint until) {
  blocked_until_ = std::max(blocked_until_, until);
}

int RateBudget::UsedInWindow(TimePoint now) const {
  return static_cast<int>(std::count_if(
      history_.begin(), history_.end(),
      [&](TimePoint t) { return t > now - window_ && t <= now; }));
}

void RateBudget::Restore(const std::vector<TimePoint>& history,
                         TimePoint blocked_until) {
  history_.assign(history.begin(), history.end());
  std::sort(history_.begin(), history_.end());
  while (static_cast<int>(history_.size()) > limit_) history_.pop_front();
  blocked_until_ = blocked_until;
}

BudgetGate::BudgetGate(const Clock& clock, StopSignal& stop,
                       const Logger& logger, std::string history_path)
    : clock_(clock),
      stop_(stop),
      logger_(logger),
      history_path_(std::move(history_path)) {}

void BudgetGate::AddFamily(ApiFamily family, int limit, Seconds window,
                           Seconds margin) {
  std::lock_guard<std::mutex> lock(mutex_);
  budgets_.insert_or_assign(family, RateBudget(limit, window, margin));
}

void BudgetGate::LoadHistory(bool expect_history) {
  std::lock_guard<std::mutex> lock(mutex_);
  const TimePoint now = clock_.Now();
  auto block_all = [&](const std::string& why) {
    logger_.Warn("budget",
                 why +
                     "; waiting one full window per API family "
                     "before the first request",
                 {{"file", history_path_}});
    for (auto& [family, budget] : budgets_) {
      budget.BlockUntil(now + budget.window());
    }
  };
  if (history_path_.empty()) return;
  rapidjson::Document document;
  std::string reason;
  switch (LoadJsonState(history_path_, kHistoryVersion, &document, &reason)) {
    case LoadStatus::kMissing:
      if (expect_history) block_all("request history missing");
      return;
    case LoadStatus::kCorrupt:
      block_all("request history unreadable (" + reason + ")");
      return;
    case LoadStatus::kLoaded:
      break;
  }
  if (!document.HasMember("families") || !document["families"].IsObject()) {
    block_all("request history has no families");
    return;
  }
  for (const auto& member : document["families"].GetObject()) {
    auto family = ApiFamilyFromName(member.name.GetString());
    if (!family || budgets_.count(*family) == 0 || !member.value.IsObject()) {
      continue;
    }
    std::vector<TimePoint> history;
    if (member.value.HasMember("sent") && member.value["sent"].IsArray()) {
      for (const auto& t : member.value["sent"].GetArray()) {
        if (t.IsInt64()) history.push_back(FromMillis(t.GetInt64()));
      }
    }
    TimePoint blocked{};
    if (member.value.HasMember("blocked_until") &&
        member.value["blocked_until"].IsInt64()) {
      blocked = FromMillis(member.value["blocked_until"].GetInt64());
    }
    budgets_.at(*family).Restore(history, blocked);
  }
}

bool BudgetGate::Acquire(ApiFamily family) {
  for (;;) {
    TimePoint next;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = budgets_.find(family);
      if (it == budgets_.end()) return !stop_.stopped();
      const TimePoint now = clock_.Now();
      if (stop_.stopped()) return false;
      if (it->second.TryAcquire(now)) {
        // Written before the request leaves, so a kill -9 right after it
        // still remembers that the request was sent.
        SaveLocked();
        return true;
      }
      next = it->second.NextAllowed(now);
    }
    if (!stop_.SleepUntil(clock_, next)) return false;
  }
}

TimePoint BudgetGate::NextAllowed(ApiFamily family) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const TimePoint now = clock_.Now();
  auto it = budgets_.find(family);
  return it == budgets_.end() ? now : it->second.NextAllowed(now);
}

void BudgetGate::OnRateLimited(ApiFamily family) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = budgets_.find(family);
  if (it == budgets_.end()) return;
  it->second.BlockUntil(clock_.Now() + it->second.window());
  SaveLocked();
}

std::vector<BudgetGate::FamilyUsage> BudgetGate::Usage() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<FamilyUsage> usage;
  const TimePoint now = clock_.Now();
  for (const auto& [family, budget] : budgets_) {
    usage.push_back(
        {family, budget.limit(), budget.window(), budget.UsedInWindow(now)});
  }
  return usage;
}

void BudgetGate::SaveLocked() const {
  if (history_path_.empty()) return;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("version");
  writer.Int(kHistoryVersion);
  writer.Key("families");
  writer.StartObject();
  for (const auto& [family, budget] : budgets_) {
    const std::string name(ApiFamilyName(family));
    writer.Key(name.c_str());
    writer.StartObject();
    writer.Key("sent");
    writer.StartArray();
    for (TimePoint t : budget.history()) writer.Int64(ToMillis(t));
    writer.EndArray();
    writer.Key("blocked_until");
    writer.Int64(ToMillis(budget.blocked_until()));
    writer.EndObject();
  }
  writer.EndObject();
  writer.EndObject();
  std::string error;
  if (!WriteFileAtomically(history_path_, buffer.GetString(), &error)) {
    logger_.Error("budget", "cannot persist request history", {{"err", error}});
  }
}

}  // namespace callcenter
