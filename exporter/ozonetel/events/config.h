// The `ozonetel.events` section: the webhook receiver for Ozonetel agent and
// call events (live-floor.md §3). The state mappings are configuration
// because the vendor's action names come from integrators' code, not docs.
#ifndef CALLCENTER_OZONETEL_EVENTS_CONFIG_H_
#define CALLCENTER_OZONETEL_EVENTS_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "core/config_reader.h"
#include "live/floor.h"

namespace callcenter::ozonetel::events {

// What an agent event or an agentdetails status does to the agent.
struct Effect {
  bool logout = false;
  live::State state = live::State::kUnknown;
};

struct EventsConfig {
  std::string path_prefix = "/ozonetel/events";
  std::string token;  // from token_file or OZONETEL_EVENTS_TOKEN; never logged
  // Agent actions, matched case-insensitively; `calling` depends on the
  // agent's mode (inbound -> ringing, else outbound).
  std::map<std::string, Effect> actions;
  live::State calling_inbound = live::State::kRinging;
  live::State calling_outbound = live::State::kOutbound;
  // agentdetails Status values (lower-cased).
  std::map<std::string, Effect> statuses;
  // call_type values (lower-cased) that mean an inbound call.
  std::vector<std::string> inbound_call_types = {"inbound"};
  Seconds call_ttl{4 * 3600};
  Seconds agent_ttl{12 * 3600};
  Seconds dedupe_window{10 * 60};
  size_t max_queues = 200;
  bool reconcile = true;
  Seconds save_interval{5};
  std::string subscription_url = "https://subscription.ozonetel.com";
};

EventsConfig DefaultEventsConfig();

// Reads `ozonetel.events`; false when it is absent.
bool ParseEventsConfig(core::ConfigNode& ozonetel, const core::EnvLookup& env,
                       EventsConfig* config);

}  // namespace callcenter::ozonetel::events

#endif  // CALLCENTER_OZONETEL_EVENTS_CONFIG_H_
