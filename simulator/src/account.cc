#include "ozonetel_sim/account.h"

#include <algorithm>
#include <string>

namespace callcenter::sim {
namespace {

std::string ZeroPad(int value, int width) {
  std::string text = std::to_string(value);
  if (static_cast<int>(text.size()) < width) {
    text.insert(0, static_cast<size_t>(width) - text.size(), '0');
  }
  return text;
}

// Ids are zero-padded to the width of the largest number, at least two.
int NumberWidth(int count) {
  return std::max<int>(2, static_cast<int>(std::to_string(count).size()));
}

// A few names carry non-ASCII letters, quotes and apostrophes so that every
// consumer's JSON and label escaping gets exercised.
std::string SpecialName(int number) {
  switch (number) {
    case 3:
      return "Zo\u00eb O'Brien";
    case 5:
      return "Ravi \"RK\" Kumar";
    case 8:
      return "Jos\u00e9 N\u00fa\u00f1ez";
    case 12:
      return "Ananya Iyer (\u0905\u0928\u0928\u094d\u092f\u093e)";
    default:
      return "";
  }
}

std::vector<std::string> QueueNames(const Account& account, int count) {
  // Without --queues the live floor keeps the inbound campaign names.
  if (count <= 0) {
    return {account.campaigns[kInboundMain],
            account.campaigns[kInboundSupport]};
  }
  std::vector<std::string> names;
  for (int number = 1; number <= count; ++number) {
    names.push_back("queue" + ZeroPad(number, NumberWidth(count)));
  }
  return names;
}

}  // namespace

int Account::FindAgent(std::string_view key) const {
  for (size_t i = 0; i < agents.size(); ++i) {
    if (agents[i].id == key || agents[i].name == key) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

int Account::FindCampaign(std::string_view name) const {
  auto it = std::find(campaigns.begin(), campaigns.end(), name);
  return it == campaigns.end() ? -1 : static_cast<int>(it - campaigns.begin());
}

Account MakeAccount(const std::string& user_name, int agent_count) {
  AccountSpec spec;
  spec.user_name = user_name;
  spec.agents = agent_count;
  return MakeAccount(spec);
}

Account MakeAccount(const AccountSpec& spec) {
  Account account;
  account.user_name = spec.user_name;
  account.night_agents = spec.night_agents;
  const int agent_count = spec.agents + spec.night_agents;
  const int width = NumberWidth(agent_count);
  for (int number = 1; number <= agent_count; ++number) {
    AgentInfo agent;
    agent.id = "agent" + ZeroPad(number, width);
    agent.name = SpecialName(number);
    if (agent.name.empty()) agent.name = "Agent " + ZeroPad(number, width);
    agent.incr_id = std::to_string(10400 + number);
    account.agents.push_back(std::move(agent));
  }
  account.campaigns = {"Inbound_Main", "Inbound_Support", "Outbound_Sales",
                       "Outbound_Followup"};
  account.dispositions = {"APPOINTMENT_BOOKED", "CALLBACK",
                          "NOT_INTERESTED",     "INFORMATION_PROVIDED",
                          "WRONG_NUMBER",       "Wrap up time exceeded :1"};
  account.queues = QueueNames(account, spec.queues);
  const int supervisor_width = NumberWidth(spec.supervisors);
  for (int number = 1; number <= spec.supervisors; ++number) {
    const std::string padded = ZeroPad(number, supervisor_width);
    account.supervisors.push_back({"sup" + padded, "Supervisor " + padded});
  }
  return account;
}

}  // namespace callcenter::sim
