// Ozonetel agent and call events (live-floor.md §3), parsed from either
// envelope: flat ({"eventType","eventTime","username","action",...}) or
// nested under "data" (integrators' code shows both, and the vendor's own
// spelling "agentUniqeId"). Parsing is bounded (depth, size, field
// lengths) and never throws; the receiver decides what an event means.
#ifndef CALLCENTER_OZONETEL_EVENTS_EVENT_H_
#define CALLCENTER_OZONETEL_EVENTS_EVENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "callcenter/common/clock.h"

namespace callcenter::ozonetel::events {

enum class Kind { kAgent, kCall };

struct AgentEvent {
  std::string agent_id;
  std::string action;  // as sent ("incall", "ACW", ...)
  std::string mode;    // agentMode ("INBOUND", "PROGRESSIVE", ...)
  TimePoint time;
};

struct CallEvent {
  uint64_t ucid = 0;   // core::CompactId of the UCID; never a label
  std::string action;  // "Calling", "Answered", "Disconnect"
  std::string call_type;
  std::string agent_id;  // "" when none
  std::string skill;     // the queue; "" when none
  TimePoint time;
};

// One line saying what is wrong; empty when the event parsed.
std::string ParseAgentEvent(std::string_view body, Seconds timezone_offset,
                            AgentEvent* event);
std::string ParseCallEvent(std::string_view body, Seconds timezone_offset,
                           CallEvent* event);

// The longest identifier (agent id, skill, action) kept.
inline constexpr size_t kMaxFieldBytes = 128;

}  // namespace callcenter::ozonetel::events

#endif  // CALLCENTER_OZONETEL_EVENTS_EVENT_H_
