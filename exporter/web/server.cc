#include "web/server.h"

#include <algorithm>
#include <exception>
#include <map>

#include "web/metrics_handler.h"

namespace callcenter::web {
namespace {

// Workers beyond the scrapes allowed at once, for pages, probes and
// webhooks, so that a flood of one kind cannot starve the others.
constexpr int kExtraWorkers = 24;

}  // namespace

WebServer::WebServer(WebOptions options, core::Engine& engine,
                     core::SnapshotPublisher& publisher, const Clock& clock)
    : options_(std::move(options)),
      engine_(engine),
      publisher_(publisher),
      clock_(clock) {}

WebServer::~WebServer() { Stop(); }

HttpServer::Options WebServer::ServerOptions(
    const std::vector<std::string>& addresses) const {
  HttpServer::Options server;
  server.listen_addresses = addresses;
  server.threads = options_.max_requests + kExtraWorkers;
  server.request_timeout_ms = 5000;
  server.body_timeout_ms = 5000;
  server.authorize = options_.security.authorize;
  server.response_headers = options_.security.response_headers;
  server.configure_tls = options_.security.configure_tls;
  return server;
}

void WebServer::AddRoute(HttpServer& server, const core::Route& route) {
  RouteOptions route_options;
  route_options.methods = route.methods;
  route_options.max_body_bytes = route.max_body_bytes;
  route_options.authenticate = route.basic_auth;
  route_options.on_refused = route.on_refused;
  // A webhook flood may take at most half the workers.
  if (route.max_body_bytes > 0)
    route_options.max_concurrent = kExtraWorkers / 2;
  server.Handle(route.path, route_options, route.handler);
}

void WebServer::AddBuiltInRoutes(HttpServer& server) {
  RouteOptions metrics;
  metrics.max_concurrent = options_.max_requests;
  core::SnapshotPublisher* publisher = &publisher_;
  server.Handle(options_.telemetry_path, metrics,
                [publisher](const HttpRequest& request) {
                  return MetricsResponse(*publisher->Current(), request);
                });
  server.Handle("/", RouteOptions{}, [this](const HttpRequest& request) {
    if (request.path != "/") return HttpResponse::Text(404, "not found\n");
    return HttpResponse::Html(200, LandingPage(Landing()));
  });
  server.Handle("/-/healthy", RouteOptions{}, [](const HttpRequest&) {
    return HttpResponse::Text(200, "Healthy.\n");
  });
  core::Engine* engine = &engine_;
  server.Handle("/-/ready", RouteOptions{}, [engine](const HttpRequest&) {
    const std::vector<std::string> reasons = engine->NotReady();
    if (reasons.empty()) return HttpResponse::Text(200, "Ready.\n");
    std::string body = "Not ready:\n";
    for (const std::string& reason : reasons) body += "- " + reason + "\n";
    return HttpResponse::Text(503, body);
  });
}

bool WebServer::Start(std::string* error) {
  main_ =
      std::make_unique<HttpServer>(ServerOptions(options_.listen_addresses));
  AddBuiltInRoutes(*main_);
  const bool separate_events = !options_.events_listen_addresses.empty();
  if (separate_events) {
    events_ = std::make_unique<HttpServer>(
        ServerOptions(options_.events_listen_addresses));
  }
  for (const core::Route& route : engine_.routes()) {
    const bool on_events =
        separate_events && route.listener == core::Route::Listener::kEvents;
    AddRoute(on_events ? *events_ : *main_, route);
  }
  try {
    main_->Start();
    if (events_) events_->Start();
  } catch (const std::exception& failure) {
    *error = failure.what();
    Stop();
    return false;
  }
  return true;
}

void WebServer::Stop() {
  if (events_) events_->Stop();
  if (main_) main_->Stop();
}

std::vector<int> WebServer::ListeningPorts() const {
  return main_ ? main_->ListeningPorts() : std::vector<int>{};
}

std::vector<int> WebServer::EventsPorts() const {
  return events_ ? events_->ListeningPorts() : ListeningPorts();
}

LandingData WebServer::Landing() const {
  LandingData data;
  data.version = options_.version;
  data.revision = options_.revision;
  data.telemetry_path = options_.telemetry_path;
  data.storage_path = options_.storage_path;
  data.storage_writable = engine_.store().health().writable();
  data.storage_problem = engine_.store().health().problem();
  data.not_ready = engine_.NotReady();
  std::map<std::string, core::BudgetGate::FamilyUsage> usage;
  for (auto& family : engine_.budgets().Usage()) {
    usage.emplace(family.family, family);
  }
  const double now = ToUnixSeconds(clock_.Now());
  for (const core::SourceHealth* health : engine_.healths()) {
    for (const auto& status : health->Statuses()) {
      UpstreamStatus upstream;
      upstream.source = health->prefix();
      upstream.api = status.api == health->prefix() ? "" : status.api;
      upstream.polled = status.polled;
      upstream.up = status.up;
      if (status.last_success) {
        upstream.age_seconds = std::max(0.0, now - *status.last_success);
      }
      if (auto it = usage.find(status.api); it != usage.end()) {
        upstream.used = it->second.used;
        upstream.limit = it->second.limit;
        upstream.window_seconds = static_cast<int>(it->second.window.count());
      }
      upstream.last_error = status.last_error;
      data.upstreams.push_back(std::move(upstream));
    }
  }
  for (const core::Route& route : engine_.routes()) {
    if (route.methods.size() == 2 && route.methods[0] == "GET" &&
        route.path.find('.') == std::string::npos) {
      data.links.emplace_back(route.path, route.path);
    }
  }
  return data;
}

}  // namespace callcenter::web
