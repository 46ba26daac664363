// The Ozonetel CloudAgent source: CDR, summary and AHT pollers within the
// vendor's budgets, their metrics and state files.
#ifndef CALLCENTER_OZONETEL_MODULE_H_
#define CALLCENTER_OZONETEL_MODULE_H_

#include <memory>

#include "core/module.h"
#include "directory/agent_directory.h"

namespace callcenter::ozonetel {

std::unique_ptr<core::Module> MakeModule(directory::AgentDirectory& agents);

}  // namespace callcenter::ozonetel

#endif  // CALLCENTER_OZONETEL_MODULE_H_
