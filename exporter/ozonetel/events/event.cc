#include "ozonetel/events/event.h"

#include <rapidjson/document.h>

#include "callcenter/common/timeutil.h"
#include "core/day_ledger.h"
#include "core/json.h"
#include "core/state_store.h"

namespace callcenter::ozonetel::events {
namespace {

constexpr size_t kMaxBodyBytes = 64 * 1024;
constexpr int kMaxDepth = 8;

// A member from the nested `data` object first, else from the root.
const rapidjson::Value* Field(const rapidjson::Value& root,
                              std::initializer_list<std::string_view> names) {
  const rapidjson::Value* data = core::FindMember(root, "data");
  for (const rapidjson::Value* scope : {data, &root}) {
    if (scope == nullptr || !scope->IsObject()) continue;
    for (std::string_view name : names) {
      const rapidjson::Value* value = core::FindMember(*scope, name);
      if (value != nullptr && !value->IsNull()) return value;
    }
  }
  return nullptr;
}

// Strings and numbers (read as text) up to kMaxFieldBytes; nullopt else.
std::optional<std::string> Text(const rapidjson::Value& root,
                                std::initializer_list<std::string_view> names) {
  const rapidjson::Value* value = Field(root, names);
  if (value == nullptr || !value->IsString() ||
      value->GetStringLength() > kMaxFieldBytes) {
    return std::nullopt;
  }
  return std::string(value->GetString(), value->GetStringLength());
}

std::string ParseRoot(std::string_view body, rapidjson::Document* doc) {
  core::JsonLimits limits;
  limits.max_bytes = kMaxBodyBytes;
  limits.max_depth = kMaxDepth;
  if (std::string error = core::ParseJson(body, doc, limits); !error.empty()) {
    return error;
  }
  if (!doc->IsObject()) return "not a JSON object";
  return {};
}

std::string ParseTime(const rapidjson::Value& root, Seconds timezone_offset,
                      std::initializer_list<std::string_view> names,
                      TimePoint* time) {
  const std::optional<std::string> text = Text(root, names);
  if (!text) return "no event time";
  const auto parsed = ParseLocalDateTime(*text, timezone_offset);
  if (!parsed) return "event time is not YYYY-MM-DD HH:MM:SS";
  // Only times the saved state can hold (2000..2100 UTC): one event dated
  // 2000-01-01 00:00 IST (1999 in UTC) would make the whole state file
  // unreadable at the next start.
  if (!core::TimeFromMillis(core::ToMillis(*parsed))) {
    return "event time is out of range";
  }
  *time = *parsed;
  return {};
}

}  // namespace

std::string ParseAgentEvent(std::string_view body, Seconds timezone_offset,
                            AgentEvent* event) {
  rapidjson::Document doc;
  if (std::string error = ParseRoot(body, &doc); !error.empty()) return error;
  const auto agent = Text(doc, {"agentId", "agent_id", "AgentID"});
  const auto action = Text(doc, {"action"});
  if (!agent || agent->empty()) return "no agentId";
  if (!action || action->empty()) return "no action";
  event->agent_id = *agent;
  event->action = *action;
  event->mode = Text(doc, {"agentMode", "agent_mode"}).value_or("");
  return ParseTime(doc, timezone_offset, {"eventTime", "event_time"},
                   &event->time);
}

std::string ParseCallEvent(std::string_view body, Seconds timezone_offset,
                           CallEvent* event) {
  rapidjson::Document doc;
  if (std::string error = ParseRoot(body, &doc); !error.empty()) return error;
  const auto ucid = Text(doc, {"ucid", "UCID"});
  const auto action = Text(doc, {"action"});
  if (!ucid || ucid->empty()) return "no ucid";
  if (!action || action->empty()) return "no action";
  event->ucid = core::CompactId(*ucid);
  event->action = *action;
  event->call_type = Text(doc, {"call_type", "callType"}).value_or("");
  event->agent_id = Text(doc, {"agent_id", "agentId"}).value_or("");
  event->skill = Text(doc, {"skill", "Skill"}).value_or("");
  return ParseTime(doc, timezone_offset,
                   {"event_time", "eventTime"}, &event->time);
}

}  // namespace callcenter::ozonetel::events
