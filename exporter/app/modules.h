// The source modules this exporter is built with. Adding a source is its
// own folder plus one line in modules.cc.
#ifndef CALLCENTER_APP_MODULES_H_
#define CALLCENTER_APP_MODULES_H_

#include <memory>
#include <vector>

#include "core/module.h"
#include "directory/agent_directory.h"
#include "live/floor.h"

namespace callcenter::app {

// Data that several modules share, owned by the app.
struct SharedData {
  directory::AgentDirectory& agents;
  live::Floor& floor;
};

std::vector<std::unique_ptr<core::Module>> MakeModules(SharedData& shared);

}  // namespace callcenter::app

#endif  // CALLCENTER_APP_MODULES_H_
