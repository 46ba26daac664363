#include "ozonetel/aht.h"

namespace callcenter::ozonetel {

namespace {

std::vector<core::FamilySpec> AhtFamilies() {
  const std::string note =
      " Cached: from Ozonetel aht (outbound calls of the last 2 hours, 50 "
      "requests/min), one target per request in round-robin.";
  using core::MetricType;
  return {
      {"ozonetel_agent_aht_seconds",
       "Vendor average handling time per agent." + note,
       MetricType::kGauge,
       {"agent"}},
      {"ozonetel_agent_aht_timestamp_seconds",
       "When ozonetel_agent_aht_seconds was refreshed.",
       MetricType::kGauge,
       {"agent"}},
      {"ozonetel_campaign_aht_seconds",
       "Vendor average handling time per campaign." + note,
       MetricType::kGauge,
       {"campaign"}},
      {"ozonetel_campaign_aht_timestamp_seconds",
       "When ozonetel_campaign_aht_seconds was refreshed.",
       MetricType::kGauge,
       {"campaign"}},
  };
}

}  // namespace

AhtMetrics::AhtMetrics(bool per_agent)
    : per_agent_(per_agent),
      families_(AhtFamilies()),
      changed_(piece_count(), true) {}

void AhtMetrics::Set(const AhtTarget& target, int64_t seconds, double at_unix) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (target.kind == AhtTarget::Kind::kCampaign) {
    campaigns_[target.key] = {seconds, at_unix};
    changed_[kCampaignPiece] = true;
    return;
  }
  auto [it, inserted] = agents_.try_emplace(target.key);
  if (inserted) {
    it->second.shard = (agents_.size() - 1) % kAgentShards;
    shards_[it->second.shard].push_back(&*it);
  }
  it->second.reading = {seconds, at_unix};
  changed_[it->second.shard] = changed_[kAgentShards + it->second.shard] = true;
}

std::vector<core::FamilySpec> AhtMetrics::Families() const { return families_; }

void AhtMetrics::RenderPiece(size_t piece, core::MetricSink& sink) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (piece == kCampaignPiece) {
    RenderCampaigns(sink);
  } else if (piece < kCampaignPiece && per_agent_) {
    RenderAgents(piece % kAgentShards, piece >= kAgentShards, sink);
  }
}

void AhtMetrics::RenderAgents(size_t shard, bool timestamps,
                              core::MetricSink& sink) const {
  const core::FamilySpec& family = families_[timestamps ? 1 : 0];
  if (shard == 0) {
    sink.Begin(family);
  } else {
    sink.Continue(family);
  }
  for (const AgentEntry* agent : shards_[shard]) {
    const Reading& value = agent->second.reading;
    sink.Sample({{"agent", agent->first}},
                timestamps ? value.at : static_cast<double>(value.seconds));
  }
}

void AhtMetrics::RenderCampaigns(core::MetricSink& sink) const {
  sink.Begin(families_[2]);
  for (const auto& [campaign, value] : campaigns_) {
    sink.Sample({{"campaign", campaign}}, static_cast<double>(value.seconds));
  }
  sink.Begin(families_[3]);
  for (const auto& [campaign, value] : campaigns_) {
    sink.Sample({{"campaign", campaign}}, value.at);
  }
}

std::vector<size_t> AhtMetrics::TakeChangedPieces() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<size_t> pieces;
  for (size_t piece = 0; piece < changed_.size(); ++piece) {
    if (changed_[piece]) pieces.push_back(piece);
    changed_[piece] = false;
  }
  return pieces;
}

std::vector<AhtTarget> AhtRound(const std::vector<std::string>& agents,
                                const std::vector<std::string>& campaigns) {
  std::vector<AhtTarget> round;
  for (const auto& agent : agents) {
    if (agent == directory::kOtherAgent) continue;
    round.push_back({AhtTarget::Kind::kAgent, agent});
  }
  for (const auto& campaign : campaigns) {
    if (campaign == "other" || campaign == "none") continue;
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
  if (round_.empty()) return std::nullopt;
  const AhtTarget& target = round_.front();
  const auto key = std::make_pair(static_cast<int>(target.kind), target.key);
  auto it = refreshed_.find(key);
  const TimePoint due =
      it == refreshed_.end() ? TimePoint{} : it->second + options_.min_refresh;
  if (due > now) {
    // The round is ordered by priority, not due time; wait for the first
    // target rather than skipping it.
    *wait_until = due;
    return std::nullopt;
  }
  AhtTarget next = target;
  round_.pop_front();
  return next;
}

core::PollResult AhtPoller::Poll() {
  const TimePoint now = deps_.clock.Now();
  TimePoint wait_until;
  auto target = NextTarget(now, &wait_until);
  if (!target) return core::PollResult::Idle(wait_until);

  AhtValue value;
  const Outcome outcome = target->kind == AhtTarget::Kind::kAgent
                              ? deps_.api.FetchAgentAht(target->key, &value)
                              : deps_.api.FetchCampaignAht(target->key, &value);
  if (outcome.cancelled) return core::PollResult::Cancelled();
  if (outcome.unrecorded) {
    // Not asked: put it back so the round does not skip it.
    round_.push_front(*target);
    return core::PollResult::Failed("storage",
                                    "request history cannot be written");
  }
  refreshed_[{static_cast<int>(target->kind), target->key}] = now;
  const bool target_refused =
      outcome.failure && outcome.failure->reason == FailureReason::kHttp &&
      outcome.failure->http_status >= 200 && outcome.failure->http_status < 300;
  if (target_refused) {
    // "agentId is Invalid" and the like concern one target, not the API:
    // the request is counted as failed, the poller does not back off.
    deps_.logger.Debug(
        "aht", "target refused",
        {{"target", target->key}, {"err", outcome.failure->message}});
    return core::PollResult::Ok();
  }
  if (!outcome.ok()) {
    deps_.on_change();
    return core::PollResult::Failed(
        std::string(FailureReasonName(outcome.failure->reason)),
        target->key + ": " + outcome.failure->message,
        outcome.failure->retry_after);
  }
  // Stamped with the request's start: the vendor computes its two-hour
  // window when the request arrives.
  deps_.metrics.Set(*target, value.seconds, ToUnixSeconds(now));
  deps_.on_change();
  return core::PollResult::Ok();
}

}  // namespace callcenter::ozonetel
