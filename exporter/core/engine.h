// The engine every source module plugs into. The app builds one Engine
// (clock, logger, stop signal, state store, budgets, snapshot publisher);
// each module registers its metric sources, pollers, HTTP routes, health
// and readiness conditions with it, and the engine runs the poll loops.
#ifndef CALLCENTER_CORE_ENGINE_H_
#define CALLCENTER_CORE_ENGINE_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/common/http_server.h"
#include "core/budgets.h"
#include "core/health.h"
#include "core/logging.h"
#include "core/metric_source.h"
#include "core/poll_loop.h"
#include "core/snapshot.h"
#include "core/state_store.h"
#include "core/stop_signal.h"

namespace callcenter::core {

// An HTTP endpoint a module serves.
struct Route {
  enum class Listener {
    kMain,    // --web.listen-address: /metrics, pages
    kEvents,  // --events.listen-address when given, else the main listener
  };
  std::string path;
  std::vector<std::string> methods = {"GET", "HEAD"};
  // Largest request body read; 0 refuses any body with 413 before reading.
  size_t max_body_bytes = 0;
  Listener listener = Listener::kMain;
  // Behind the web configuration's basic auth (webhooks carry their own
  // token instead).
  bool basic_auth = true;
  HttpHandler handler;
  // Told when the server refuses a request before the handler (405, 413).
  std::function<void(int status)> on_refused;
};

// A condition for /-/ready: nullopt when satisfied, else the reason.
using ReadinessCheck = std::function<std::optional<std::string>()>;

class Engine {
 public:
  Engine(const Clock& clock, const Logger& logger, StopSignal& stop,
         StateStore& store, BudgetGate& budgets, SnapshotPublisher& publisher);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const Clock& clock() const { return clock_; }
  const Logger& logger() const { return logger_; }
  StopSignal& stop() { return stop_; }
  StateStore& store() { return store_; }
  BudgetGate& budgets() { return budgets_; }

  // Publishes `source`; the returned function marks it changed (cheap,
  // callable from any thread). `ticking` sources re-render every second.
  std::function<void()> AddSource(std::string name, const MetricSource* source,
                                  bool ticking = false);
  void AddPoller(Poller* poller, PollerSpec spec);
  void AddRoute(Route route);
  void AddReadiness(std::string name, ReadinessCheck check);
  void AddHealth(const SourceHealth* health);

  const std::vector<Route>& routes() const { return routes_; }
  const std::vector<const SourceHealth*>& healths() const { return healths_; }
  // Every reason the exporter is not ready, empty when ready.
  std::vector<std::string> NotReady() const;
  // Exceptions caught at poll loop boundaries, by poller.
  std::vector<std::pair<std::string, uint64_t>> PollExceptions() const;

  // Starts every poll loop; Stop() joins them.
  void StartPolling();
  void Stop();

 private:
  struct Readiness {
    std::string name;
    ReadinessCheck check;
  };
  const Clock& clock_;
  const Logger& logger_;
  StopSignal& stop_;
  StateStore& store_;
  BudgetGate& budgets_;
  SnapshotPublisher& publisher_;
  std::vector<std::unique_ptr<PollLoop>> loops_;
  std::vector<Route> routes_;
  std::vector<Readiness> readiness_;
  std::vector<const SourceHealth*> healths_;
};

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_ENGINE_H_
