// The exporter's HTTP side: /metrics, the landing page, /-/healthy,
// /-/ready and every route a module registered, on the main listener and,
// when --events.listen-address is given, the webhook routes on a listener
// of their own (so that only they face the internet). Both listeners share
// the web configuration's TLS and basic auth.
#ifndef CALLCENTER_WEB_SERVER_H_
#define CALLCENTER_WEB_SERVER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/common/http_server.h"
#include "core/engine.h"
#include "core/logging.h"
#include "core/snapshot.h"
#include "web/landing_page.h"

namespace callcenter::web {

// What the web configuration file adds to every listener (TLS, basic auth,
// headers); empty members leave that part off.
struct Security {
  std::function<std::optional<HttpResponse>(const HttpRequest&)> authorize;
  std::function<std::vector<std::pair<std::string, std::string>>()>
      response_headers;
  std::function<bool(void* ssl_ctx, std::string* error)> configure_tls;
};

struct WebOptions {
  std::vector<std::string> listen_addresses;
  std::vector<std::string> events_listen_addresses;  // empty: main listener
  std::string telemetry_path = "/metrics";
  int max_requests = 40;
  std::string version;
  std::string revision;
  std::string storage_path;
  Security security;
};

class WebServer {
 public:
  WebServer(WebOptions options, core::Engine& engine,
            core::SnapshotPublisher& publisher, const Clock& clock);
  ~WebServer();

  // Binds every listener; false with one line in `error` when it cannot.
  bool Start(std::string* error);
  void Stop();
  std::vector<int> ListeningPorts() const;
  std::vector<int> EventsPorts() const;

  // Built from the engine's state, for the landing page (and tests).
  LandingData Landing() const;

 private:
  HttpServer::Options ServerOptions(
      const std::vector<std::string>& addresses) const;
  void AddBuiltInRoutes(HttpServer& server);
  static void AddRoute(HttpServer& server, const core::Route& route);

  const WebOptions options_;
  core::Engine& engine_;
  core::SnapshotPublisher& publisher_;
  const Clock& clock_;
  std::unique_ptr<HttpServer> main_;
  std::unique_ptr<HttpServer> events_;
};

}  // namespace callcenter::web

#endif  // CALLCENTER_WEB_SERVER_H_
