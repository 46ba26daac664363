// JSON bodies of the pushed Ozonetel events (live-floor.md §3,
// ozonetel-api.md §9): flat, or with the event's members under "data".
#ifndef OZONETEL_SIM_EVENT_PAYLOAD_H_
#define OZONETEL_SIM_EVENT_PAYLOAD_H_

#include <cstdint>
#include <string>

#include "callcenter/common/clock.h"
#include "ozonetel_sim/account.h"
#include "ozonetel_sim/floor_events.h"
#include "ozonetel_sim/options.h"

namespace callcenter::sim {

// The vendor's numeric agent id (agentUniqeId): 279800 + the agent's number.
int64_t AgentUniqueId(int agent);

// Mixed envelopes alternate by the event's place in its day's timeline:
// even places flat, odd places nested.
bool IsNested(EventEnvelope envelope, size_t timeline_index);

// Agent event: eventType "Agent", eventTime, username, action, agentId,
// agentUniqeId (sic), agentMode. Times are local at `utc_offset`.
std::string AgentEventJson(const Account& account, const FloorEvent& event,
                           Seconds utc_offset, bool nested);
// Call event: eventType "Call", eventTime, username, action, call_type, ucid,
// monitor_ucid, agent_id, skill, caller_id, did, agent_number, event_time.
// The numbers are fake but stable (they are PII on the real platform).
std::string CallEventJson(const Account& account, const FloorEvent& event,
                          Seconds utc_offset, bool nested);

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_EVENT_PAYLOAD_H_
