// The CCCP source: real-time agent and queue state from a
// `cccp-snapshot/v1` document (cccp-snapshot.md), pulled from a file, a URL
// or a command, feeding the live floor's CCCP partition and CCCP's own
// daily and health metrics. Enabled by a `cccp` section (cccp/config.h).
//
// Readiness: the module adds no readiness condition. A CCCP outage must
// not take the exporter out of its Service (nor get it restarted): it
// shows in cccp_up, cccp_snapshot_fetch_errors_total and on the landing
// page, through the SourceHealth the poll loop records.
#ifndef CALLCENTER_CCCP_MODULE_H_
#define CALLCENTER_CCCP_MODULE_H_

#include <functional>
#include <memory>

#include "cccp/config.h"
#include "cccp/fetcher.h"
#include "cccp/metrics.h"
#include "cccp/poller.h"
#include "core/health.h"
#include "core/module.h"
#include "live/floor.h"

namespace callcenter::cccp {

std::unique_ptr<core::Module> MakeModule(live::Floor& floor);

// The fetcher for a configured source (libcurl for http(s)).
std::unique_ptr<Fetcher> MakeFetcher(const CccpConfig& config,
                                     FetchOptions options);

namespace detail {

using FetcherFactory =
    std::function<std::unique_ptr<Fetcher>(const CccpConfig&, FetchOptions)>;

// The module with its parts reachable, so tests can drive the poller by
// hand on a fake clock.
class CccpModule final : public core::Module {
 public:
  CccpModule(live::Floor& floor, FetcherFactory make_fetcher);

  std::string_view name() const override { return "cccp"; }
  bool Configure(core::ConfigNode& root, const core::GlobalSettings& global,
                 const core::EnvLookup& env) override;
  bool Start(core::Engine& engine) override;

  const CccpConfig& config() const { return config_; }
  CccpPoller& poller() { return *poller_; }
  StalenessWatch& watch() { return *watch_; }
  CccpMetrics& metrics() { return *metrics_; }

 private:
  live::Floor& floor_;
  const FetcherFactory make_fetcher_;
  CccpConfig config_;
  std::unique_ptr<CccpMetrics> metrics_;
  std::unique_ptr<core::SourceHealth> health_;
  std::unique_ptr<Fetcher> fetcher_;
  std::unique_ptr<CccpPoller> poller_;
  std::unique_ptr<StalenessWatch> watch_;
};

}  // namespace detail
}  // namespace callcenter::cccp

#endif  // CALLCENTER_CCCP_MODULE_H_
