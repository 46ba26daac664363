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
  Account account;
  account.user_name = user_name;
  const int width =
      std::max<int>(2, static_cast<int>(std::to_string(agent_count).size()));
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
  return account;
}

}  // namespace callcenter::sim
