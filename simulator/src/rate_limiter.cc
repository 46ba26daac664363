#include "ozonetel_sim/rate_limiter.h"

#include <chrono>

namespace callcenter::sim {

SlidingWindowLimiter::SlidingWindowLimiter(int limit, Seconds window)
    : limit_(limit), window_(window) {}

void SlidingWindowLimiter::Expire(TimePoint now) {
  // An admission at t occupies the window while now - t < window.
  while (!admitted_.empty() && now - admitted_.front() >= window_) {
    admitted_.pop_front();
  }
}

bool SlidingWindowLimiter::TryAdmit(TimePoint now) {
  Expire(now);
  if (static_cast<int>(admitted_.size()) >= limit_) return false;
  admitted_.push_back(now);
  return true;
}

int64_t SlidingWindowLimiter::RetryAfterSeconds(TimePoint now) {
  Expire(now);
  if (static_cast<int>(admitted_.size()) < limit_) return 0;
  const auto wait = admitted_.front() + window_ - now;
  return std::chrono::ceil<Seconds>(wait).count();
}

const char* FamilyName(Family family) {
  switch (family) {
    case Family::kToken:
      return "token";
    case Family::kCdr:
      return "cdr";
    case Family::kSummary:
      return "summary";
    case Family::kAht:
      return "aht";
    case Family::kAgentDetails:
      return "agentdetails";
    case Family::kGraphql:
      return "graphql";
    case Family::kSubscription:
      return "subscription";
  }
  return "unknown";
}

RateLimits::RateLimits(const SimOptions& options) {
  auto set = [this](Family family, int limit, int window_seconds) {
    limiters_[static_cast<int>(family)].emplace(limit, Seconds(window_seconds));
  };
  set(Family::kToken, options.limit_tokens, 3600);
  set(Family::kCdr, options.limit_cdr, 60);
  set(Family::kSummary, options.limit_summary, 60);
  set(Family::kAht, options.limit_aht, 60);
  set(Family::kAgentDetails, options.limit_agentdetails, 60);
}

void RateLimits::CountRequest(Family family) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[static_cast<int>(family)];
}

RateLimits::Admission RateLimits::TryAdmit(Family family, TimePoint now) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& limiter = limiters_[static_cast<int>(family)];
  Admission admission;
  if (!limiter || limiter->TryAdmit(now)) return admission;
  ++violations_[static_cast<int>(family)];
  admission.admitted = false;
  admission.retry_after_seconds = limiter->RetryAfterSeconds(now);
  return admission;
}

std::array<int64_t, kFamilyCount> RateLimits::Requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

std::array<int64_t, kFamilyCount> RateLimits::Violations() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return violations_;
}

}  // namespace callcenter::sim
