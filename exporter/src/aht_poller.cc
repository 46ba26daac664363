#include "callcenter/aht_poller.h"

namespace callcenter {

void AhtMetrics::Set(const AhtTarget& target, int64_t seconds, double at_unix) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& map = target.kind == AhtTarget::Kind::kAgent ? agents_ : campaigns_;
  map[target.key] = {seconds, at_unix};
}

void AhtMetrics::Collect(std::vector<prometheus::MetricFamily>* out) const {
  using prometheus::MetricType;
  const std::string note =
      " Cached: from Ozonetel aht (outbound calls of the last 2 hours, 50 "
      "requests/min), one target per request in round-robin.";
  auto agent_aht = MakeFamily("ozonetel_agent_aht_seconds",
                              "Vendor average handling time per agent." + note,
                              MetricType::Gauge);
  auto agent_at = MakeFamily("ozonetel_agent_aht_timestamp_seconds",
                             "When ozonetel_agent_aht_seconds was refreshed.",
                             MetricType::Gauge);
  auto campaign_aht = MakeFamily(
      "ozonetel_campaign_aht_seconds",
      "Vendor average handling time per campaign." + note, MetricType::Gauge);
  auto campaign_at = MakeFamily(
      "ozonetel_campaign_aht_timestamp_seconds",
      "When ozonetel_campaign_aht_seconds was refreshed.", MetricType::Gauge);
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [agent, value] : agents_) {
    AddGauge(&agent_aht, {{"agent", agent}},
             static_cast<double>(value.seconds));
    AddGauge(&agent_at, {{"agent", agent}}, value.at);
  }
  for (const auto& [campaign, value] : campaigns_) {
    AddGauge(&campaign_aht, {{"campaign", campaign}},
             static_cast<double>(value.seconds));
    AddGauge(&campaign_at, {{"campaign", campaign}}, value.at);
  }
  for (auto* family : {&agent_aht, &agent_at, &campaign_aht, &campaign_at}) {
    if (!family->metric.empty()) out->push_back(std::move(*family));
  }
}

std::vector<AhtTarget> AhtRound(const std::vector<std::string>& agents,
                                const std::vector<std::string>& campaigns) {
  std::vector<AhtTarget> round;
  for (const auto& agent : agents) {
    round.push_back({AhtTarget::Kind::kAgent, agent});
  }
  for (const auto& campaign : campaigns) {
    round.push_back({AhtTarget::Kind::kCampaign, campaign});
  }
  return round;
}

AhtPoller::AhtPoller(Deps deps, AhtPollerOptions options)
    : deps_(std::move(deps)), options_(options) {}

std::optional<AhtTarget> AhtPoller::NextTarget(TimePoint now,
                                               TimePoint* wait_until) {
  if (round_.empty()) {
    const auto agents = options_.per_agent ? deps_.agents.IdsByRecency()
                                           : std::vector<std::string>{};
    for (auto& target : AhtRound(agents, deps_.campaigns())) {
      round_.push_back(std::move(target));
    }
  }
  *wait_until = now + options_.min_refresh;
  while (!round_.empty()) {
    AhtTarget target = round_.front();
    const auto key = std::make_pair(static_cast<int>(target.kind), target.key);
    auto it = refreshed_.find(key);
    const TimePoint due = it == refreshed_.end()
                              ? TimePoint{}
                              : it->second + options_.min_refresh;
    if (due <= now) {
      round_.pop_front();
      return target;
    }
    // The round is ordered by priority, not due time; stop at the first
    // target that is not due and retry when it is.
    *wait_until = due;
    return std::nullopt;
  }
  return std::nullopt;
}

TimePoint AhtPoller::PollOnce() {
  const TimePoint slot = deps_.gate.NextAllowed(ApiFamily::kAht);
  if (slot > deps_.clock.Now()) return slot;
  const TimePoint now = deps_.clock.Now();
  TimePoint wait_until;
  auto target = NextTarget(now, &wait_until);
  if (!target) return wait_until;

  ozonetel::AhtValue value;
  const auto started = std::chrono::steady_clock::now();
  const ozonetel::Outcome outcome =
      target->kind == AhtTarget::Kind::kAgent
          ? deps_.api.FetchAgentAht(target->key, &value)
          : deps_.api.FetchCampaignAht(target->key, &value);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  if (outcome.cancelled) return now;
  deps_.health.RecordPoll("aht", outcome.ok(), seconds);
  refreshed_[{static_cast<int>(target->kind), target->key}] = now;
  if (!outcome.ok()) {
    deps_.logger.Debug(
        "aht", "request failed",
        {{"target", target->key},
         {"reason",
          std::string(ozonetel::FailureReasonName(outcome.failure->reason))},
         {"err", outcome.failure->message}});
  } else {
    // Stamped with the request's start: the vendor computes its two-hour
    // window when the request arrives.
    deps_.metrics.Set(*target, value.seconds, ToUnixSeconds(now));
  }
  deps_.on_change();
  return deps_.gate.NextAllowed(ApiFamily::kAht);
}

}  // namespace callcenter
