#include "ozonetel_sim/event_payload.h"

#include "callcenter/common/timeutil.h"
#include "ozonetel_sim/json_util.h"
#include "ozonetel_sim/rng.h"

namespace callcenter::sim {
namespace {

constexpr int64_t kAgentUniqueIdBase = 279800;

std::string LocalTime(int64_t t, Seconds utc_offset) {
  return FormatLocalDateTime(TimePoint(Seconds(t)), utc_offset);
}

std::string CallTypeName(CallType type) {
  switch (type) {
    case CallType::kInBound:
      return "InBound";
    case CallType::kManual:
      return "Manual";
    case CallType::kProgressive:
      return "Progressive";
    case CallType::kPreview:
      return "Preview";
  }
  return "";
}

std::string FakeDigits(uint64_t hash, int count) {
  std::string digits;
  for (int i = 0; i < count; ++i) {
    digits.push_back(static_cast<char>('0' + hash % 10));
    hash /= 10;
  }
  return digits;
}

// The envelope's head; the caller writes the event's own members next.
void OpenEnvelope(JsonWriter* w, const char* type, const std::string& time,
                  const Account& account, bool nested) {
  w->StartObject();
  WriteMember(w, "eventType", type);
  WriteMember(w, "eventTime", time);
  WriteMember(w, "username", account.user_name);
  if (nested) {
    w->Key("data");
    w->StartObject();
  }
}

void CloseEnvelope(JsonWriter* w, bool nested) {
  if (nested) w->EndObject();
  w->EndObject();
}

}  // namespace

int64_t AgentUniqueId(int agent) { return kAgentUniqueIdBase + agent + 1; }

bool IsNested(EventEnvelope envelope, size_t timeline_index) {
  switch (envelope) {
    case EventEnvelope::kFlat:
      return false;
    case EventEnvelope::kNested:
      return true;
    case EventEnvelope::kMixed:
      return timeline_index % 2 == 1;
  }
  return false;
}

std::string AgentEventJson(const Account& account, const FloorEvent& event,
                           Seconds utc_offset, bool nested) {
  const std::string time = LocalTime(event.time, utc_offset);
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  OpenEnvelope(&w, "Agent", time, account, nested);
  WriteMember(&w, "action", ActionName(event.action));
  WriteMember(&w, "agentId", account.agents[event.subject].id);
  WriteMember(&w, "agentUniqeId", AgentUniqueId(event.subject));
  WriteMember(&w, "agentMode", AgentModeName(event.mode));
  if (nested) WriteMember(&w, "eventTime", time);
  CloseEnvelope(&w, nested);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string CallEventJson(const Account& account, const FloorEvent& event,
                          Seconds utc_offset, bool nested) {
  const Call& call = *event.call;
  const std::string time = LocalTime(event.time, utc_offset);
  // Inbound calls name their agent once answered; outbound calls always.
  const bool with_agent =
      call.agent >= 0 &&
      (!call.inbound() ||
       (call.answered && event.action != Action::kCallCalling));
  const std::string ucid = std::to_string(call.ucid);
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  OpenEnvelope(&w, "Call", time, account, nested);
  WriteMember(&w, "action", ActionName(event.action));
  WriteMember(&w, "call_type", CallTypeName(call.type));
  WriteMember(&w, "ucid", ucid);
  WriteMember(&w, "monitor_ucid", ucid);
  WriteMember(&w, "agent_id",
              with_agent ? account.agents[call.agent].id : std::string());
  WriteMember(&w, "skill",
              call.inbound() ? account.queues[call.skill] : std::string());
  WriteMember(&w, "caller_id", "98" + FakeDigits(Mix64(call.ucid), 8));
  WriteMember(&w, "did", "918000000000");
  WriteMember(&w, "agent_number",
              with_agent ? "9170" + FakeDigits(Mix64(call.agent + 77), 8)
                         : std::string());
  WriteMember(&w, "event_time", time);
  CloseEnvelope(&w, nested);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace callcenter::sim
