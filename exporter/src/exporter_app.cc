#include "callcenter/exporter_app.h"

#include <filesystem>
#include <optional>

#include "callcenter/agent_directory.h"
#include "callcenter/aht_poller.h"
#include "callcenter/cdr_metrics.h"
#include "callcenter/cdr_poller.h"
#include "callcenter/crm/api.h"
#include "callcenter/crm/appointment_metrics.h"
#include "callcenter/crm/crm_poller.h"
#include "callcenter/health.h"
#include "callcenter/ozonetel/client.h"
#include "callcenter/poll_loop.h"
#include "callcenter/rate_budget.h"
#include "callcenter/state_file.h"
#include "callcenter/summary_poller.h"

#ifndef CALLCENTER_VERSION
#define CALLCENTER_VERSION "0.0.0"
#endif
#ifndef CALLCENTER_REVISION
#define CALLCENTER_REVISION "unknown"
#endif

namespace callcenter {
namespace {

constexpr char kMetricsContentType[] =
    "text/plain; version=0.0.4; charset=utf-8";

bool AcceptsGzip(const HttpRequest& request) {
  return request.Header("accept-encoding").find("gzip") != std::string::npos;
}

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

}  // namespace

ozonetel::ClientOptions ToClientOptions(const OzonetelConfig& config) {
  ozonetel::ClientOptions options;
  options.base_url = config.url;
  options.user_name = config.user_name;
  options.auth = config.auth == OzonetelConfig::Auth::kToken
                     ? ozonetel::ClientOptions::Auth::kToken
                     : ozonetel::ClientOptions::Auth::kApiKey;
  options.api_key = config.api_key;
  options.cdr_path = config.cdr_endpoint;
  options.token_ttl = config.token_ttl;
  options.request_timeout = config.request_timeout;
  options.rate_limit_patterns = config.rate_limit_patterns;
  return options;
}

std::string ExporterVersion() { return CALLCENTER_VERSION; }
std::string ExporterRevision() { return CALLCENTER_REVISION; }

HttpResponse MetricsResponse(const Snapshot& snapshot,
                             const HttpRequest& request) {
  HttpResponse response;
  response.content_type = kMetricsContentType;
  if (AcceptsGzip(request)) {
    response.body = snapshot.gzip;
    response.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    response.body = snapshot.text;
  }
  return response;
}

std::string LandingPage(const std::string& version,
                        const std::string& telemetry_path) {
  const std::string path = HtmlEscape(telemetry_path);
  return "<!DOCTYPE html>\n<html><head><title>callcenter_exporter</title>"
         "</head><body>\n<h1>callcenter_exporter</h1>\n"
         "<p>Prometheus exporter for Ozonetel CloudAgent contact centres. "
         "Metrics come from background pollers that stay within the "
         "vendor's rate limits; a scrape never calls the vendor.</p>\n"
         "<p>Version: " +
         HtmlEscape(version) + "</p>\n<ul>\n<li><a href=\"" + path +
         "\">Metrics</a></li>\n"
         "<li><a href=\"/-/healthy\">Health</a></li>\n"
         "<li><a href=\"/-/ready\">Readiness</a></li>\n</ul>\n"
         "</body></html>\n";
}

std::unique_ptr<Clock> MakeClock(const Flags& flags) {
  if (!flags.clock_origin && !flags.clock_speed && !flags.clock_epoch) {
    return std::make_unique<SystemClock>();
  }
  const TimePoint real_now = std::chrono::system_clock::now();
  const TimePoint epoch =
      flags.clock_epoch ? FromUnixSeconds(*flags.clock_epoch) : real_now;
  const TimePoint origin =
      flags.clock_origin ? FromUnixSeconds(*flags.clock_origin) : epoch;
  return std::make_unique<ScaledClock>(origin, epoch,
                                       flags.clock_speed.value_or(1.0));
}

struct ExporterApp::Components {
  Components(const Config& config, const Flags& flags, const Clock& clock,
             const Logger& logger, StopSignal& stop)
      : gate(clock, stop, logger, flags.storage_path + "/request_history.json"),
        health({"ozonetel",
                config.ozonetel.auth == OzonetelConfig::Auth::kToken
                    ? std::vector<std::string>{"cdr", "summary", "aht", "token"}
                    : std::vector<std::string>{"cdr", "summary", "aht"},
                true, ozonetel::FailureReasonNames()},
               clock),
        process(ExporterVersion(), ExporterRevision(),
                ToUnixSeconds(std::chrono::system_clock::now())),
        agents(config.agents, config.agent_name_map, config.per_agent_metrics),
        cdr_metrics({config.per_agent_metrics, config.max_dispositions,
                     config.max_campaigns}),
        state_metrics(config.per_agent_metrics),
        publisher(logger, std::chrono::milliseconds(100)) {}

  BudgetGate gate;
  ApiHealth health;
  ProcessInfo process;
  AgentDirectory agents;
  CdrMetrics cdr_metrics;
  AgentStateMetrics state_metrics;
  AhtMetrics aht_metrics;
  SnapshotPublisher publisher;
  std::unique_ptr<ozonetel::Api> api;
  // Present only when the config has a crm section: nothing about the CRM
  // is published otherwise.
  std::optional<ApiHealth> crm_health;
  std::unique_ptr<crm::AppointmentMetrics> crm_metrics;
  std::unique_ptr<crm::Api> crm_api;
  std::vector<std::unique_ptr<Poller>> pollers;
  // cdr_metrics, withheld until the CDR poller has caught up.
  std::unique_ptr<PublishedWhen> cdr_published;
  std::vector<std::unique_ptr<PollLoop>> loops;
  std::unique_ptr<HttpServer> server;
};

ExporterApp::ExporterApp(Flags flags, Config config, const Clock& clock,
                         const Logger& logger)
    : flags_(std::move(flags)),
      config_(std::move(config)),
      clock_(clock),
      logger_(logger) {}

ExporterApp::~ExporterApp() { Shutdown(); }

bool ExporterApp::Start(StopSignal& stop) {
  std::string error;
  if (!MakeDirectories(flags_.storage_path, &error)) {
    logger_.Error("main", "cannot use storage path", {{"err", error}});
    return false;
  }
  const std::string storage = flags_.storage_path;
  const bool ran_before = FileExists(storage + "/request_history.json") ||
                          FileExists(storage + "/cdr_state.json") ||
                          FileExists(storage + "/summary_state.json") ||
                          FileExists(storage + "/crm_state.json");
  components_ =
      std::make_unique<Components>(config_, flags_, clock_, logger_, stop);
  Components& c = *components_;
  const OzonetelConfig& oz = config_.ozonetel;
  const Seconds minute(60);
  c.gate.AddFamily(ApiFamily::kCdr, oz.limits.cdr_per_minute, minute,
                   oz.limits.margin);
  c.gate.AddFamily(ApiFamily::kSummary, oz.limits.summary_per_minute, minute,
                   oz.limits.margin);
  c.gate.AddFamily(ApiFamily::kAht, oz.limits.aht_per_minute, minute,
                   oz.limits.margin);
  c.gate.AddFamily(ApiFamily::kToken, oz.limits.tokens_per_hour, Seconds(3600),
                   oz.limits.margin);
  if (config_.crm) {
    c.gate.AddFamily(ApiFamily::kCrm, config_.crm->requests_per_minute, minute,
                     oz.limits.margin);
  }
  c.gate.LoadHistory(ran_before);
  c.health.SetLimit("cdr", oz.limits.cdr_per_minute, 60);
  c.health.SetLimit("summary", oz.limits.summary_per_minute, 60);
  c.health.SetLimit("aht", oz.limits.aht_per_minute, 60);
  if (oz.auth == OzonetelConfig::Auth::kToken) {
    c.health.SetLimit("token", oz.limits.tokens_per_hour, 3600);
  }

  c.api = ozonetel::MakeClient(ToClientOptions(oz),
                               ozonetel::MakeCurlTransport(), c.gate, clock_);
  c.api->on_request = [&c](ApiFamily family, const ozonetel::Outcome& outcome) {
    const std::string api(ApiFamilyName(family));
    c.health.RecordRequest(api, outcome.failure ? ozonetel::FailureReasonName(
                                                      outcome.failure->reason)
                                                : std::string_view());
    // A token generation is its own "poll" of the token API.
    if (family == ApiFamily::kToken) c.health.RecordPoll(api, outcome.ok(), 0);
  };
  auto on_change = [&c] { c.publisher.MarkDirty(); };

  // Missed inbound calls carry no AgentID: their series exist from the
  // start, like every known agent's, so no first increment is lost.
  c.cdr_metrics.KnowAgent("unassigned");
  for (const auto& agent : config_.agents) c.cdr_metrics.KnowAgent(agent.id);
  auto cdr = std::make_unique<CdrPoller>(
      CdrPoller::Deps{*c.api, c.cdr_metrics, c.agents, c.health, c.gate, clock_,
                      logger_, on_change},
      CdrPollerOptions{oz.timezone_offset, oz.cdr_overlap, oz.late_data_until,
                       oz.settle_timeout, 15, storage + "/cdr_state.json"});
  cdr->LoadState(ran_before);
  c.cdr_published = std::make_unique<PublishedWhen>(
      c.cdr_metrics, [poller = cdr.get()] { return poller->CaughtUp(); });
  for (const auto& agent : c.agents.Ids()) c.cdr_metrics.KnowAgent(agent);

  std::vector<std::string> restrict_to;
  for (const auto& agent : config_.agents) restrict_to.push_back(agent.id);
  auto summary = std::make_unique<SummaryPoller>(
      SummaryPoller::Deps{*c.api, c.state_metrics, c.agents, c.health, c.gate,
                          clock_, logger_, on_change},
      SummaryPollerOptions{oz.timezone_offset, oz.summary_interval,
                           oz.summary_join_key, restrict_to, 200,
                           storage + "/summary_state.json"});
  summary->LoadState();

  auto aht = std::make_unique<AhtPoller>(
      AhtPoller::Deps{*c.api, c.aht_metrics, c.agents,
                      [&c] { return c.cdr_metrics.Campaigns(); }, c.health,
                      c.gate, clock_, logger_, on_change},
      AhtPollerOptions{oz.aht_min_refresh, config_.per_agent_metrics});

  c.pollers.push_back(std::move(cdr));
  c.pollers.push_back(std::move(summary));
  c.pollers.push_back(std::move(aht));
  if (config_.crm) AddCrm(storage, ran_before, on_change);

  for (const MetricSource* source : std::initializer_list<const MetricSource*>{
           &c.process, &c.agents, c.cdr_published.get(), &c.state_metrics,
           &c.aht_metrics, &c.health}) {
    c.publisher.AddSource(source);
  }
  if (c.crm_metrics) {
    c.publisher.AddSource(c.crm_metrics.get());
    c.publisher.AddSource(&*c.crm_health);
  }
  // The first snapshot holds the restored counters, so the first scrape
  // after a restart already sees them: no dip to zero.
  c.publisher.RenderNow();

  HttpServer::Options server_options;
  server_options.listen_addresses = flags_.listen_addresses;
  server_options.threads = flags_.max_requests;
  c.server = std::make_unique<HttpServer>(server_options);
  const std::string telemetry = flags_.telemetry_path;
  c.server->Handle(telemetry, [&c](const HttpRequest& request) {
    return MetricsResponse(*c.publisher.Current(), request);
  });
  c.server->Handle("/", [telemetry](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/html; charset=utf-8";
    response.body = LandingPage(ExporterVersion(), telemetry);
    return response;
  });
  c.server->Handle("/-/healthy", [](const HttpRequest&) {
    return HttpResponse::Text(200, "Healthy.\n");
  });
  c.server->Handle("/-/ready", [](const HttpRequest&) {
    return HttpResponse::Text(200, "Ready.\n");
  });
  try {
    c.server->Start();
  } catch (const std::exception& error) {
    logger_.Error("main", "cannot start the HTTP server",
                  {{"err", error.what()}});
    return false;
  }
  std::string ports;
  for (int port : c.server->ListeningPorts()) {
    ports += (ports.empty() ? "" : ",") + std::to_string(port);
  }
  logger_.Info("main", "listening",
               {{"address", flags_.listen_addresses.front()},
                {"ports", ports},
                {"telemetry_path", telemetry}});

  c.publisher.Start();
  for (auto& poller : c.pollers) {
    c.loops.push_back(
        std::make_unique<PollLoop>(*poller, clock_, stop, logger_));
    c.loops.back()->Start();
  }
  return true;
}

void ExporterApp::AddCrm(const std::string& storage, bool ran_before,
                         const std::function<void()>& on_change) {
  Components& c = *components_;
  const CrmConfig& crm = *config_.crm;
  c.crm_health.emplace(crm::HealthOptions(), clock_);
  c.crm_health->SetLimit(crm::kHealthApi, crm.requests_per_minute, 60);
  AgentDirectory& agents = c.agents;
  c.crm_metrics =
      std::make_unique<crm::AppointmentMetrics>(crm::AppointmentMetricsOptions{
          config_.per_agent_metrics, crm.interval, crm.requests_per_minute,
          [&agents](const std::string& name) {
            return crm::AgentLabel(name, agents);
          },
          [&agents] { return agents.Ids(); }});
  c.crm_api = crm::MakeClient(crm::ToClientOptions(crm),
                              ozonetel::MakeCurlTransport(), c.gate);
  c.crm_api->on_request = crm::HealthRecorder(*c.crm_health);
  auto poller = std::make_unique<crm::CrmPoller>(
      crm::CrmPoller::Deps{*c.crm_api, *c.crm_metrics, c.agents, *c.crm_health,
                           c.gate, clock_, logger_, on_change},
      crm::CrmPollerOptions{config_.ozonetel.timezone_offset, crm.interval,
                            crm.overlap, storage + "/crm_state.json"});
  poller->LoadState(ran_before);
  c.pollers.push_back(std::move(poller));
}

void ExporterApp::Shutdown() {
  if (!components_) return;
  for (auto& loop : components_->loops) loop->Join();
  components_->loops.clear();
  if (components_->server) components_->server->Stop();
  components_->publisher.Stop();
  components_.reset();
}

std::vector<int> ExporterApp::ListeningPorts() const {
  if (!components_ || !components_->server) return {};
  return components_->server->ListeningPorts();
}

}  // namespace callcenter
