// The Ozonetel CloudAgent source: CDR, summary and AHT pollers within the
// vendor's budgets, their metrics and state files; with `ozonetel.events`,
// the event webhook that feeds the live floor.
#ifndef CALLCENTER_OZONETEL_MODULE_H_
#define CALLCENTER_OZONETEL_MODULE_H_

#include <memory>

#include "core/module.h"
#include "directory/agent_directory.h"
#include "live/floor.h"

namespace callcenter::ozonetel {

std::unique_ptr<core::Module> MakeModule(directory::AgentDirectory& agents,
                                         live::Floor& floor);

}  // namespace callcenter::ozonetel

#endif  // CALLCENTER_OZONETEL_MODULE_H_
