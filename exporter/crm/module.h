// The CRM source: appointments booked, counted from a GraphQL API
// (ozonetel-api.md §12). Configured by the `crm` section; without it
// nothing about the CRM is published.
#ifndef CALLCENTER_CRM_MODULE_H_
#define CALLCENTER_CRM_MODULE_H_

#include <memory>

#include "core/module.h"
#include "directory/agent_directory.h"

namespace callcenter::crm {

std::unique_ptr<core::Module> MakeModule(directory::AgentDirectory& agents);

}  // namespace callcenter::crm

#endif  // CALLCENTER_CRM_MODULE_H_
