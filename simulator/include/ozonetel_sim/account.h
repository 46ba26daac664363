// The simulated account: its agents, campaigns and disposition list. Stable
// across days so that names and ids never change under the exporter.
#ifndef OZONETEL_SIM_ACCOUNT_H_
#define OZONETEL_SIM_ACCOUNT_H_

#include <string>
#include <string_view>
#include <vector>

namespace callcenter::sim {

struct AgentInfo {
  std::string id;       // CDR AgentID, summary AgentUniqueID
  std::string name;     // CDR AgentName, summary AgentName, CRM agentName
  std::string incr_id;  // summary AgentIncrID
};

// Campaign indices; the traffic model relies on this order.
enum CampaignIndex : int {
  kInboundMain = 0,
  kInboundSupport = 1,
  kOutboundSales = 2,
  kOutboundFollowup = 3,
};

// Disposition indices into Account::dispositions.
enum DispositionIndex : int {
  kAppointmentBooked = 0,
  kCallback = 1,
  kNotInterested = 2,
  kInformationProvided = 3,
  kWrongNumber = 4,
  kWrapUpExceeded = 5,
};

struct Account {
  std::string user_name;
  std::vector<AgentInfo> agents;
  std::vector<std::string> campaigns;
  std::vector<std::string> dispositions;

  // Index of the agent whose id or display name is `key`; -1 if none.
  int FindAgent(std::string_view key) const;
  int FindCampaign(std::string_view name) const;
};

Account MakeAccount(const std::string& user_name, int agent_count);

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_ACCOUNT_H_
