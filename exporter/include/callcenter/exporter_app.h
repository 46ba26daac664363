// Wires the exporter together: budgets, the Ozonetel client, pollers,
// the snapshot publisher and the HTTP server. Owns every component, so
// there is no global state; main() only parses flags and handles signals.
#ifndef CALLCENTER_EXPORTER_APP_H_
#define CALLCENTER_EXPORTER_APP_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/common/http_server.h"
#include "callcenter/config.h"
#include "callcenter/flags.h"
#include "callcenter/logging.h"
#include "callcenter/ozonetel/client.h"
#include "callcenter/snapshot.h"
#include "callcenter/stop_signal.h"

namespace callcenter {

// The Ozonetel client settings of a config (shared with backfill).
ozonetel::ClientOptions ToClientOptions(const OzonetelConfig& config);

// Responses of the HTTP endpoints, separate from the server so they can be
// unit tested without sockets.
HttpResponse MetricsResponse(const Snapshot& snapshot,
                             const HttpRequest& request);
std::string LandingPage(const std::string& version,
                        const std::string& telemetry_path);

std::string ExporterVersion();
std::string ExporterRevision();

class ExporterApp {
 public:
  ExporterApp(Flags flags, Config config, const Clock& clock,
              const Logger& logger);
  ~ExporterApp();

  // Restores state, renders the first snapshot, binds and starts polling.
  // Returns false (after logging one line) when it cannot start.
  bool Start(StopSignal& stop);
  // Stops pollers and the server; state is already saved after each poll.
  void Shutdown();
  std::vector<int> ListeningPorts() const;

 private:
  struct Components;
  void AddCrm(const std::string& storage, bool ran_before,
              const std::function<void()>& on_change);
  Flags flags_;
  Config config_;
  const Clock& clock_;
  const Logger& logger_;
  std::unique_ptr<Components> components_;
};

// Builds the clock the flags ask for: the system clock, or a scaled clock
// shared with ozonetel_sim.
std::unique_ptr<Clock> MakeClock(const Flags& flags);

}  // namespace callcenter

#endif  // CALLCENTER_EXPORTER_APP_H_
