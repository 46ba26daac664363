// A source module: one upstream (Ozonetel, the CRM, CCCP) behind a small
// interface. The app lists its modules in one place (app/modules.cc); a new
// source is its own folder plus one line there.
#ifndef CALLCENTER_CORE_MODULE_H_
#define CALLCENTER_CORE_MODULE_H_

#include <string_view>

#include "core/config_reader.h"
#include "core/engine.h"

namespace callcenter::core {

// Settings every module may read, parsed by the app.
struct GlobalSettings {
  bool per_agent_metrics = true;
};

class Module {
 public:
  virtual ~Module() = default;
  virtual std::string_view name() const = 0;
  // Reads the module's own keys from the config root (problems go to the
  // root's error list). Returns whether this config enables the module.
  virtual bool Configure(ConfigNode& root, const GlobalSettings& global,
                         const EnvLookup& env) = 0;
  // Registers budgets, sources, pollers, routes, health and readiness with
  // the engine, and restores its state files. Returns false (after logging
  // one line) when it cannot start.
  virtual bool Start(Engine& engine) = 0;
  // Called once the poll loops stopped: persist what is kept in memory.
  virtual void Shutdown() {}
};

}  // namespace callcenter::core

#endif  // CALLCENTER_CORE_MODULE_H_
