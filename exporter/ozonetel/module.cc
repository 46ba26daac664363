#include "ozonetel/module.h"

#include <vector>

#include "callcenter/common/http_client.h"
#include "core/health.h"
#include "ozonetel/aht.h"
#include "ozonetel/cdr_metrics.h"
#include "ozonetel/cdr_poller.h"
#include "ozonetel/config.h"
#include "ozonetel/events/maintenance.h"
#include "ozonetel/events/receiver.h"
#include "ozonetel/record_stats.h"
#include "ozonetel/summary.h"

namespace callcenter::ozonetel {
namespace {

constexpr Seconds kMinute{60};

class OzonetelModule final : public core::Module {
 public:
  OzonetelModule(directory::AgentDirectory& agents, live::Floor& floor)
      : agents_(agents), floor_(floor) {}

  std::string_view name() const override { return "ozonetel"; }

  bool Configure(core::ConfigNode& root, const core::GlobalSettings& global,
                 const core::EnvLookup& env) override {
    per_agent_ = global.per_agent_metrics;
    return ParseOzonetelConfig(root, env, &config_);
  }

  bool Start(core::Engine& engine) override {
    const bool token_mode =
        config_.client.auth == ClientOptions::Auth::kToken;
    AddBudgets(engine);
    std::vector<std::string> apis = {kCdrApi, kSummaryApi, kAhtApi};
    if (token_mode) apis.push_back(kTokenApi);
    if (config_.events && config_.events->reconcile) {
      apis.push_back(kAgentDetailsApi);
    }
    health_ = std::make_unique<core::SourceHealth>(
        core::SourceHealth::Options{"ozonetel", "this Ozonetel API", apis,
                                    true, FailureReasonNames()},
        engine.clock());
    SetLimits(token_mode);
    api_ = MakeClient(config_.client, MakeCurlTransport(), engine.budgets(),
                      engine.clock());
    core::SourceHealth* health = health_.get();
    api_->on_request = [health](const std::string& api, const Outcome& outcome) {
      health->RecordRequest(
          api, outcome.failure ? FailureReasonName(outcome.failure->reason)
                               : std::string_view());
      // A token generation is its own "poll" of the token API.
      if (api == kTokenApi) health->RecordPoll(api, outcome.ok(), 0);
    };
    StartCdr(engine);
    StartSummary(engine);
    StartAht(engine);
    if (config_.events) StartEvents(engine);
    // Polls and requests change health all the time; a second's delay is
    // fine and costs a few hundred bytes of rendering.
    engine.AddSource("ozonetel_health", health_.get(), /*ticking=*/true);
    engine.AddSource("ozonetel_records", &stats_, /*ticking=*/true);
    engine.AddHealth(health_.get());
    return true;
  }

  void Shutdown() override {
    if (maintenance_) maintenance_->Save();
  }

 private:
  void AddBudgets(core::Engine& engine) {
    const Limits& limits = config_.limits;
    core::BudgetGate& budgets = engine.budgets();
    budgets.AddFamily(kCdrApi, limits.cdr_per_minute, kMinute, limits.margin);
    budgets.AddFamily(kSummaryApi, limits.summary_per_minute, kMinute,
                      limits.margin);
    budgets.AddFamily(kAhtApi, limits.aht_per_minute, kMinute, limits.margin);
    budgets.AddFamily(kAgentDetailsApi, limits.agentdetails_per_minute,
                      kMinute, limits.margin);
    budgets.AddFamily(kTokenApi, limits.tokens_per_hour, Seconds(3600),
                      limits.margin);
  }

  void SetLimits(bool token_mode) {
    const Limits& limits = config_.limits;
    health_->SetLimit(kCdrApi, limits.cdr_per_minute, 60);
    health_->SetLimit(kSummaryApi, limits.summary_per_minute, 60);
    health_->SetLimit(kAhtApi, limits.aht_per_minute, 60);
    if (token_mode) health_->SetLimit(kTokenApi, limits.tokens_per_hour, 3600);
  }

  void StartCdr(core::Engine& engine) {
    cdr_metrics_ = std::make_unique<CdrMetrics>(CdrMetricsOptions{
        per_agent_, config_.max_dispositions, config_.max_campaigns});
    // Missed inbound calls carry no AgentID: their series exist from the
    // start, like every known agent's, so no first increment is lost.
    cdr_metrics_->KnowAgent(directory::kUnassignedAgent);
    for (const auto& agent : agents_.configured()) {
      cdr_metrics_->KnowAgent(agents_.Admit(agent.id));
    }
    const auto cdr_changed =
        engine.AddSource("ozonetel_cdr", cdr_metrics_.get());
    cdr_ = std::make_unique<CdrPoller>(
        CdrPoller::Deps{*api_, *cdr_metrics_, agents_, stats_,
                        &engine.store().File("cdr_state.json", true),
                        engine.clock(), engine.logger(), cdr_changed},
        CdrPollerOptions{config_.timezone_offset, config_.cdr_overlap,
                         config_.late_data_until, config_.settle_timeout});
    cdr_->LoadState(engine.store().RanBefore());
    for (const auto& agent : agents_.Ids()) cdr_metrics_->KnowAgent(agent);
    CdrPoller* cdr = cdr_.get();
    engine.AddReadiness("cdr", [cdr]() -> std::optional<std::string> {
      const std::string status = cdr->CatchUpStatus();
      if (status.empty()) return std::nullopt;
      return status;
    });
    engine.AddPoller(cdr_.get(),
                     {kCdrApi, kCdrApi, health_.get(),
                      engine.budgets().Spacing(kCdrApi)});
  }

  void StartSummary(core::Engine& engine) {
    state_metrics_ = std::make_unique<AgentStateMetrics>(per_agent_);
    const auto changed =
        engine.AddSource("ozonetel_summary", state_metrics_.get());
    std::vector<std::string> restrict_to;
    for (const auto& agent : agents_.configured()) {
      restrict_to.push_back(agent.id);
    }
    summary_ = std::make_unique<SummaryPoller>(
        SummaryPoller::Deps{*api_, *state_metrics_, agents_, stats_,
                            &engine.store().File("summary_state.json"),
                            engine.clock(), engine.logger(), changed},
        SummaryPollerOptions{config_.timezone_offset, config_.summary_interval,
                             config_.summary_join_key, restrict_to});
    summary_->LoadState();
    engine.AddPoller(summary_.get(), {kSummaryApi, kSummaryApi, health_.get(),
                                      config_.summary_interval});
  }

  void StartAht(core::Engine& engine) {
    aht_metrics_ = std::make_unique<AhtMetrics>(per_agent_);
    const auto changed = engine.AddSource("ozonetel_aht", aht_metrics_.get());
    CdrMetrics* metrics = cdr_metrics_.get();
    aht_ = std::make_unique<AhtPoller>(
        AhtPoller::Deps{*api_, *aht_metrics_, agents_,
                        [metrics] { return metrics->Campaigns(); },
                        engine.clock(), engine.logger(), changed},
        AhtPollerOptions{config_.aht_min_refresh, per_agent_});
    engine.AddPoller(aht_.get(), {kAhtApi, kAhtApi, health_.get(),
                                  config_.aht_min_refresh});
  }

  void StartEvents(core::Engine& engine) {
    const events::EventsConfig& config = *config_.events;
    floor_.Claim();
    receiver_ = std::make_unique<events::Receiver>(
        config, config_.timezone_offset, floor_, engine.clock(),
        engine.logger());
    engine.AddSource("ozonetel_events", receiver_.get(), /*ticking=*/true);
    directory::AgentDirectory* agents = &agents_;
    receiver_->SetKnownAgents([agents] { return agents->Ids(); });
    events::Receiver* receiver = receiver_.get();
    auto route = [&](const std::string& kind, HttpHandler handler) {
      core::Route route;
      route.path = config.path_prefix + "/" + kind;
      route.methods = {};  // a wrong method reaches the handler, counted
      route.max_body_bytes = 64 * 1024;
      route.listener = core::Route::Listener::kEvents;
      route.basic_auth = false;  // the token in the URL is the credential
      route.handler = std::move(handler);
      route.on_refused = [receiver](int status) {
        receiver->CountRefused(status);
      };
      engine.AddRoute(std::move(route));
    };
    route("agent", [receiver](const HttpRequest& request) {
      return receiver->HandleAgent(request);
    });
    route("call", [receiver](const HttpRequest& request) {
      return receiver->HandleCall(request);
    });
    maintenance_ = std::make_unique<events::Maintenance>(
        events::Maintenance::Deps{*receiver_,
                                  config.reconcile ? api_.get() : nullptr,
                                  &engine.store().File("live_state.json"),
                                  engine.clock(), engine.logger()},
        config.save_interval);
    maintenance_->LoadState();
    engine.AddPoller(maintenance_.get(),
                     {kAgentDetailsApi,
                      config.reconcile ? kAgentDetailsApi : "",
                      config.reconcile ? health_.get() : nullptr,
                      engine.budgets().Spacing(kAgentDetailsApi)});
  }

  directory::AgentDirectory& agents_;
  live::Floor& floor_;
  OzonetelConfig config_;
  bool per_agent_ = true;
  std::unique_ptr<core::SourceHealth> health_;
  std::unique_ptr<Api> api_;
  RecordStats stats_;
  std::unique_ptr<CdrMetrics> cdr_metrics_;
  std::unique_ptr<AgentStateMetrics> state_metrics_;
  std::unique_ptr<AhtMetrics> aht_metrics_;
  std::unique_ptr<CdrPoller> cdr_;
  std::unique_ptr<SummaryPoller> summary_;
  std::unique_ptr<AhtPoller> aht_;
  std::unique_ptr<events::Receiver> receiver_;
  std::unique_ptr<events::Maintenance> maintenance_;
};

}  // namespace

std::unique_ptr<core::Module> MakeModule(directory::AgentDirectory& agents,
                                         live::Floor& floor) {
  return std::make_unique<OzonetelModule>(agents, floor);
}

}  // namespace callcenter::ozonetel
