// Wires the exporter together: the engine (state store, budgets, snapshot),
// the shared agent directory, the configured source modules and the web
// server. Owns every component, so there is no global state; main() only
// parses flags and handles signals.
#ifndef CALLCENTER_APP_EXPORTER_APP_H_
#define CALLCENTER_APP_EXPORTER_APP_H_

#include <memory>
#include <string>
#include <vector>

#include "app/flags.h"
#include "callcenter/common/clock.h"
#include "core/config_reader.h"
#include "core/logging.h"
#include "core/metric_source.h"
#include "core/stop_signal.h"

namespace callcenter::app {

std::string ExporterVersion();
std::string ExporterRevision();

class ExporterApp {
 public:
  ExporterApp(Flags flags, const Clock& clock, const core::Logger& logger);
  ~ExporterApp();

  // Reads and validates the configuration; the problems, one per line.
  std::vector<std::string> Configure(const std::string& config_text,
                                     const core::EnvLookup& env);
  // Restores state, renders the first snapshot, binds and starts polling.
  // Returns false (after logging one line) when it cannot start.
  bool Start();
  // Stops pollers and the server and saves what is kept in memory.
  void Shutdown();
  std::vector<int> ListeningPorts() const;
  // Every metric family the started exporter may publish (the README's
  // catalogue is checked against it).
  std::vector<core::FamilySpec> DeclaredFamilies() const;

 private:
  struct Components;
  Flags flags_;
  const Clock& clock_;
  const core::Logger& logger_;
  std::unique_ptr<Components> components_;
};

// Builds the clock the flags ask for: the system clock, or a scaled clock
// shared with ozonetel_sim.
std::unique_ptr<Clock> MakeClock(const Flags& flags);

}  // namespace callcenter::app

#endif  // CALLCENTER_APP_EXPORTER_APP_H_
