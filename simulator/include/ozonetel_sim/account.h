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

// CCCP-only users (never Ozonetel agents): they appear in the CCCP floor.
struct SupervisorInfo {
  std::string id;  // CCCP login, sup01..
  std::string name;
};

struct Account {
  std::string user_name;
  // Day agents first, then the night agents (the last `night_agents`).
  std::vector<AgentInfo> agents;
  int night_agents = 0;
  std::vector<std::string> campaigns;
  std::vector<std::string> dispositions;
  // Live-floor queues (Ozonetel skills, CCCP queues); never empty.
  std::vector<std::string> queues;
  std::vector<SupervisorInfo> supervisors;

  // Index of the agent whose id or display name is `key`; -1 if none.
  int FindAgent(std::string_view key) const;
  int FindCampaign(std::string_view name) const;
  bool IsNightAgent(int agent) const {
    return agent >= static_cast<int>(agents.size()) - night_agents;
  }
  // The queue an agent (or supervisor) belongs to: index % queue count.
  int HomeQueue(int index) const {
    return index % static_cast<int>(queues.size());
  }
};

struct AccountSpec {
  std::string user_name = "demo";
  int agents = 20;
  int night_agents = 0;  // extra agents working about 21:00-02:00
  int queues = 0;        // 0: the inbound campaign names; N: queue01..
  int supervisors = 0;
};

Account MakeAccount(const std::string& user_name, int agent_count);
Account MakeAccount(const AccountSpec& spec);

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_ACCOUNT_H_
