#include "app/modules.h"

#include "cccp/module.h"
#include "crm/module.h"
#include "ozonetel/module.h"

namespace callcenter::app {

std::vector<std::unique_ptr<core::Module>> MakeModules(SharedData& shared) {
  std::vector<std::unique_ptr<core::Module>> modules;
  modules.push_back(ozonetel::MakeModule(shared.agents, shared.floor));
  modules.push_back(crm::MakeModule(shared.agents));
  modules.push_back(cccp::MakeModule(shared.floor));
  return modules;
}

}  // namespace callcenter::app
