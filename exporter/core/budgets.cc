#include "core/budgets.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>

namespace callcenter::core {
namespace {

constexpr int kHistoryVersion = 1;
// A Retry-After beyond this is not believed: one hour is the longest window
// of any vendor budget.
constexpr Seconds kMaxRetryAfter{3600};

bool ReadHistory(const rapidjson::Value& value, std::vector<TimePoint>* sent,
                 std::optional<TimePoint>* blocked) {
  if (!value.IsObject() || !value.HasMember("sent") ||
      !value["sent"].IsArray() || value["sent"].Size() > 10000) {
    return false;
  }
  for (const auto& t : value["sent"].GetArray()) {
    if (!t.IsInt64()) return false;
    auto time = TimeFromMillis(t.GetInt64());
    if (!time) return false;
    sent->push_back(*time);
  }
  // A time outside 2000..2100 (a year-2200 block that would silence the
  // family for good) makes the file corrupt, which is logged and waits one
  // window instead.
  return ReadOptionalTime(value, "blocked_until", blocked);
}

}  // namespace

RateBudget::RateBudget(int limit, Seconds window, Seconds margin)
    : limit_(std::max(limit, 1)), window_(window), margin_(margin) {}

TimePoint RateBudget::NextAllowed(TimePoint now) const {
  TimePoint next = std::max(now, blocked_until_);
  if (!history_.empty()) {
    next = std::max(next, history_.back() + spacing());
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

void RateBudget::Unacquire() {
  if (!history_.empty()) history_.pop_back();
}

void RateBudget::BlockUntil(TimePoint until) {
  blocked_until_ = std::max(blocked_until_, until);
}

int RateBudget::UsedInWindow(TimePoint now) const {
  return static_cast<int>(std::count_if(
      history_.begin(), history_.end(),
      [&](TimePoint t) { return t > now - window_ && t <= now; }));
}

void RateBudget::Restore(std::vector<TimePoint> history,
                         TimePoint blocked_until, TimePoint now) {
  for (TimePoint& t : history) t = std::min(t, now);
  std::sort(history.begin(), history.end());
  history_.assign(history.begin(), history.end());
  while (static_cast<int>(history_.size()) > limit_) history_.pop_front();
  blocked_until_ = std::min(blocked_until, now + Span());
}

BudgetGate::BudgetGate(const Clock& clock, StopSignal& stop,
                       const Logger& logger, StateFile* history)
    : clock_(clock), stop_(stop), logger_(logger), history_(history) {}

void BudgetGate::AddFamily(const std::string& family, int limit,
                           Seconds window, Seconds margin) {
  std::lock_guard<std::mutex> lock(mutex_);
  budgets_.insert_or_assign(family, RateBudget(limit, window, margin));
}

void BudgetGate::LoadHistory(bool expect_history) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (history_ == nullptr) return;
  const TimePoint now = clock_.Now();
  auto block_all = [&](const std::string& why) {
    logger_.Warn("budget",
                 why + "; waiting one full window per API family before the "
                       "first request",
                 {{"file", history_->path()}});
    for (auto& [family, budget] : budgets_) {
      budget.BlockUntil(now + budget.window());
    }
  };
  StateFile::Loaded loaded = history_->Load();
  if (loaded.status == StateFile::Status::kMissing) {
    if (expect_history) block_all("request history missing");
    return;
  }
  if (loaded.status == StateFile::Status::kCorrupt) {
    block_all("request history unreadable (" + loaded.reason + ")");
    return;
  }
  const rapidjson::Value& doc = loaded.snapshot;
  if (!doc.HasMember("version") || !doc["version"].IsInt() ||
      doc["version"].GetInt() != kHistoryVersion ||
      !doc.HasMember("families") || !doc["families"].IsObject()) {
    history_->SetAside("no families or unsupported version");
    block_all("request history malformed");
    return;
  }
  // Every family is read before any is restored: a file with one bad
  // family is distrusted whole, so no family keeps what it said.
  struct Restored {
    RateBudget* budget;
    std::vector<TimePoint> sent;
    std::optional<TimePoint> blocked;
  };
  std::vector<Restored> restored;
  for (const auto& member : doc["families"].GetObject()) {
    auto budget = budgets_.find(member.name.GetString());
    if (budget == budgets_.end()) continue;  // a family no longer configured
    Restored family{&budget->second, {}, std::nullopt};
    if (!ReadHistory(member.value, &family.sent, &family.blocked)) {
      history_->SetAside("malformed family " +
                         std::string(member.name.GetString()));
      block_all("request history malformed");
      return;
    }
    restored.push_back(std::move(family));
  }
  for (Restored& family : restored) {
    family.budget->Restore(std::move(family.sent),
                           family.blocked.value_or(TimePoint{}), now);
  }
}

Admission BudgetGate::Acquire(const std::string& family) {
  for (;;) {
    TimePoint next;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_.stopped()) return Admission::kStopped;
      auto it = budgets_.find(family);
      if (it == budgets_.end()) return Admission::kGranted;
      const TimePoint now = clock_.Now();
      if (it->second.TryAcquire(now)) {
        // On disk before the request leaves, so a kill -9 right after it
        // still remembers that the request was sent. Fail closed: what
        // cannot be remembered is not sent.
        if (SaveLocked()) return Admission::kGranted;
        it->second.Unacquire();
        return Admission::kUnrecorded;
      }
      next = it->second.NextAllowed(now);
    }
    if (!stop_.SleepUntil(clock_, next)) return Admission::kStopped;
  }
}

TimePoint BudgetGate::NextAllowed(const std::string& family) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const TimePoint now = clock_.Now();
  auto it = budgets_.find(family);
  return it == budgets_.end() ? now : it->second.NextAllowed(now);
}

TimePoint::duration BudgetGate::Spacing(const std::string& family) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = budgets_.find(family);
  return it == budgets_.end() ? TimePoint::duration::zero()
                              : it->second.spacing();
}

void BudgetGate::OnRateLimited(const std::string& family,
                               std::optional<Seconds> retry_after) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = budgets_.find(family);
  if (it == budgets_.end()) return;
  const Seconds wait =
      retry_after ? std::clamp(*retry_after, Seconds(1), kMaxRetryAfter)
                  : it->second.window();
  it->second.BlockUntil(clock_.Now() + wait);
  SaveLocked();
}

std::vector<BudgetGate::FamilyUsage> BudgetGate::Usage() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<FamilyUsage> usage;
  const TimePoint now = clock_.Now();
  for (const auto& [family, budget] : budgets_) {
    usage.push_back({family, budget.limit(), budget.window(),
                     budget.UsedInWindow(now), budget.blocked_until()});
  }
  return usage;
}

bool BudgetGate::SaveLocked() const {
  if (history_ == nullptr) return true;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("version");
  writer.Int(kHistoryVersion);
  writer.Key("families");
  writer.StartObject();
  for (const auto& [family, budget] : budgets_) {
    writer.Key(family.c_str(), static_cast<rapidjson::SizeType>(family.size()));
    writer.StartObject();
    writer.Key("sent");
    writer.StartArray();
    for (TimePoint t : budget.history()) writer.Int64(ToMillis(t));
    writer.EndArray();
    std::optional<TimePoint> blocked;
    if (budget.blocked_until() != TimePoint{}) blocked = budget.blocked_until();
    WriteOptionalTime(&writer, "blocked_until", blocked);
    writer.EndObject();
  }
  writer.EndObject();
  writer.EndObject();
  if (history_->Save(buffer.GetString())) return true;
  logger_.Error("budget",
                "cannot record the request history; sending nothing until "
                "it can be written",
                {{"file", history_->path()}});
  return false;
}

}  // namespace callcenter::core
