#include "crm/module.h"

#include "callcenter/common/http_client.h"
#include "callcenter/common/strings.h"
#include "callcenter/common/timeutil.h"
#include "core/health.h"
#include "crm/api.h"
#include "crm/appointment_metrics.h"
#include "crm/crm_poller.h"

namespace callcenter::crm {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

struct CrmConfig {
  ClientOptions client;
  int requests_per_minute = 6;
  Seconds interval{60};
  Seconds overlap{30 * 60};
  Seconds timezone_offset{5 * 3600 + 30 * 60};
};

void ParseCrm(core::ConfigNode section, const core::EnvLookup& env,
              CrmConfig* config) {
  ClientOptions& client = config->client;
  section.String("url", &client.url, true);
  if (!client.url.empty() && !StartsWith(client.url, "http://") &&
      !StartsWith(client.url, "https://")) {
    section.Error("url", "must start with http:// or https://");
  }
  section.Secret("api_key_file", "CRM_API_KEY", env, &client.api_key);
  client.query = kDefaultCrmQuery;
  section.String("query", &client.query);
  section.String("result_path", &client.result_path);
  section.String("agent_field", &client.agent_field);
  section.String("id_field", &client.id_field);
  section.String("created_field", &client.created_field);
  section.Int("page_size", &client.page_size, 1, 10000);
  section.Int("requests_per_minute", &config->requests_per_minute, 1, 10000);
  section.Duration("interval", &config->interval, Seconds(1), hours(24));
  section.Duration("overlap", &config->overlap, Seconds(1), hours(24));
  section.Duration("request_timeout", &client.request_timeout,
                   milliseconds(100), minutes(10));
  std::string timezone = "+05:30";
  section.String("timezone", &timezone);
  if (auto offset = ParseUtcOffset(timezone)) {
    config->timezone_offset = *offset;
  } else {
    section.Error("timezone", "must be a UTC offset such as +05:30, got \"" +
                                  timezone + "\"");
  }
  section.RejectUnknown();
}

class CrmModule final : public core::Module {
 public:
  explicit CrmModule(directory::AgentDirectory& agents) : agents_(agents) {}

  std::string_view name() const override { return "crm"; }

  bool Configure(core::ConfigNode& root, const core::GlobalSettings& global,
                 const core::EnvLookup& env) override {
    per_agent_ = global.per_agent_metrics;
    if (!root.Has("crm")) return false;
    ParseCrm(root.Child("crm"), env, &config_);
    return true;
  }

  bool Start(core::Engine& engine) override {
    engine.budgets().AddFamily(kCrmApi, config_.requests_per_minute,
                               Seconds(60), Seconds(1));
    health_ = std::make_unique<core::SourceHealth>(
        core::SourceHealth::Options{"crm", "the CRM GraphQL API", {kCrmApi},
                                    false, FailureReasonNames()},
        engine.clock());
    health_->SetLimit(kCrmApi, config_.requests_per_minute, 60);
    directory::AgentDirectory* agents = &agents_;
    metrics_ = std::make_unique<AppointmentMetrics>(AppointmentMetricsOptions{
        per_agent_, config_.interval, config_.requests_per_minute,
        [agents](const std::string& name) { return AgentLabel(name, *agents); },
        [agents] { return agents->Ids(); }});
    api_ = MakeClient(config_.client, MakeCurlTransport(), engine.budgets());
    core::SourceHealth* health = health_.get();
    api_->on_request = [health](const Outcome& outcome) {
      health->RecordRequest(
          kCrmApi, outcome.failure ? FailureReasonName(outcome.failure->reason)
                                   : std::string_view());
    };
    const auto changed = engine.AddSource("crm_appointments", metrics_.get());
    // Its series follow the agent directory (every known agent at 0).
    agents_.AddListener(changed);
    poller_ = std::make_unique<CrmPoller>(
        CrmPoller::Deps{*api_, *metrics_,
                        &engine.store().File("crm_state.json", true),
                        engine.clock(), engine.logger(), changed},
        CrmPollerOptions{config_.timezone_offset, config_.interval,
                         config_.overlap});
    poller_->LoadState(engine.store().RanBefore());
    engine.AddPoller(poller_.get(),
                     {kCrmApi, kCrmApi, health_.get(), config_.interval});
    engine.AddSource("crm_health", health_.get(), /*ticking=*/true);
    engine.AddHealth(health_.get());
    return true;
  }

 private:
  directory::AgentDirectory& agents_;
  CrmConfig config_;
  bool per_agent_ = true;
  std::unique_ptr<core::SourceHealth> health_;
  std::unique_ptr<AppointmentMetrics> metrics_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<CrmPoller> poller_;
};

}  // namespace

std::unique_ptr<core::Module> MakeModule(directory::AgentDirectory& agents) {
  return std::make_unique<CrmModule>(agents);
}

}  // namespace callcenter::crm
