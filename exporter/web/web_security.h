// The web config file at work: validated at start (and by --check-config),
// then followed while the exporter runs. Like the exporter toolkit, which
// re-reads the file on every request and handshake, every request and
// every TLS handshake stats the file and the certificate, key and CA files
// it names; when one changed (inode, size, mtime or ctime) the config is
// read again:
//   - users, passwords and headers apply to the next request;
//   - certificates, client CAs and the TLS policy to the next handshake;
//   - a broken new file (or one that would turn TLS on or off, which needs
//     a restart) keeps the last good config and logs one error line, once
//     per broken version.
// Reloads are counted in callcenter_exporter_web_config_reloads_total
// {result="success|failure"}, with
// callcenter_exporter_web_config_last_reload_successful beside it.
//
// Basic auth covers every route with RouteOptions::authenticate, which is
// every route but those registered with Route::basic_auth = false (the
// webhooks, which carry their own token). /-/healthy and /-/ready are
// covered too, as in the toolkit, which has no exception for them: a
// liveness probe that must work without credentials can treat any HTTP
// answer, 401 included, as alive (curl without -f).
#ifndef CALLCENTER_WEB_WEB_SECURITY_H_
#define CALLCENTER_WEB_WEB_SECURITY_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/logging.h"
#include "core/metric_source.h"
#include "web/basic_auth.h"
#include "web/server.h"
#include "web/tls_context.h"
#include "web/web_config.h"

namespace callcenter::web {

// A web config read, validated and ready to serve.
struct LoadedWebConfig {
  WebConfig config;
  std::shared_ptr<const TlsContext> tls;  // nullptr without TLS
  std::string dummy_hash;                 // for unknown users
};

// Reads `path`, validates it and builds its TLS context; the problems, one
// line each naming the key, go to `errors` (then the result is nullptr).
std::shared_ptr<const LoadedWebConfig> LoadWebConfig(
    const std::string& path, std::vector<std::string>* errors);

class WebSecurity final : public core::MetricSource, public TlsContextSource {
 public:
  WebSecurity(std::string path, std::shared_ptr<const LoadedWebConfig> initial,
              const core::Logger& logger);

  // The hooks every listener shares. configure_tls is set only when the
  // file enables TLS. `this` must outlive the servers using them.
  Security Hooks();
  // Called after each reload attempt (to re-render the metrics).
  void SetOnChange(std::function<void()> on_change);

  // The config for a request or handshake starting now, re-read first when
  // a file changed.
  std::shared_ptr<const LoadedWebConfig> Current();
  std::shared_ptr<const TlsContext> CurrentTls() override;

  // nullopt when the request may proceed, else the 401.
  std::optional<HttpResponse> Authorize(const HttpRequest& request);
  std::vector<std::pair<std::string, std::string>> ResponseHeaders();

  std::vector<core::FamilySpec> Families() const override;
  void Render(core::MetricSink& sink) const override;

  uint64_t reloads(bool success) const {
    return (success ? successes_ : failures_).load();
  }

 private:
  bool Changed() const;  // under mutex_
  static std::vector<core::FamilySpec> MakeFamilies();

  const std::string path_;
  const core::Logger& logger_;
  const bool tls_;
  BasicAuthenticator authenticator_;
  std::mutex mutex_;
  std::shared_ptr<const LoadedWebConfig> current_;
  // The files of the last attempt, good or not, as stamped when read.
  std::vector<std::pair<std::string, FileStamp>> watched_;
  std::function<void()> on_change_;
  std::atomic<uint64_t> successes_{0};
  std::atomic<uint64_t> failures_{0};
  std::atomic<bool> last_ok_{true};
  const std::vector<core::FamilySpec> families_;
};

}  // namespace callcenter::web

#endif  // CALLCENTER_WEB_WEB_SECURITY_H_
