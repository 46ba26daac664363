#include "cccp/document.h"

#include <rapidjson/document.h>

#include <cmath>
#include <limits>
#include <span>
#include <unordered_map>

#include "callcenter/common/strings.h"
#include "callcenter/common/timeutil.h"
#include "core/json.h"

namespace callcenter::cccp {
namespace {

using rapidjson::Value;

constexpr int64_t kMaxCount = std::numeric_limits<int32_t>::max();
// Labels are cut here; two logins equal in their first 128 bytes are a
// duplicate, not two series that look the same.
constexpr size_t kMaxLabelBytes = 128;

constexpr std::string_view kTopKeys[] = {"schema", "generated_at", "source",
                                         "agents", "queues",       "calls"};
constexpr std::string_view kSourceKeys[] = {"project", "dispatch"};
constexpr std::string_view kAgentKeys[] = {
    "login",       "name",      "type", "profile",    "logged_in",
    "state",       "raw_state", "mode", "session_id", "phone",
    "state_since", "login_at",  "today"};
constexpr std::string_view kAgentTodayKeys[] = {
    "pause_seconds", "outbound_seconds", "inbound_total", "inbound_managed",
    "inbound_lost"};
constexpr std::string_view kQueueKeys[] = {
    "name",          "display_name",         "waiting_calls",
    "running_calls", "oldest_waiting_since", "agents",
    "today"};
constexpr std::string_view kQueueTodayKeys[] = {"managed", "failed",
                                                "waiting_max_seconds"};
constexpr std::string_view kCallsKeys[] = {"active_inbound", "active_outbound",
                                           "waiting"};

std::string TypeName(const Value& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "a boolean";
    case rapidjson::kObjectType:
      return "an object";
    case rapidjson::kArrayType:
      return "an array";
    case rapidjson::kStringType:
      return "a string";
    case rapidjson::kNumberType:
      return "a number";
  }
  return "a value";
}

// "None", "undefined", "" and friends stand for "absent" in the vendor's
// raw dumps; the contract forbids them, so they are never mistaken for a
// login, a profile or a queue called "None".
bool IsSentinel(std::string_view text) {
  const std::string_view trimmed = Trim(text);
  return trimmed.empty() || EqualsIgnoreCase(trimmed, "none") ||
         EqualsIgnoreCase(trimmed, "undefined") ||
         EqualsIgnoreCase(trimmed, "null");
}

// A value quoted in a message: short, and sanitised so that it cannot forge
// a log line.
std::string Shown(std::string_view text) {
  return "\"" + SanitizeLabelValue(text, 40) + "\"";
}

// The first problem met; later ones are consequences or noise.
class Problems {
 public:
  void Add(const std::string& path, const std::string& problem) {
    if (first_.empty()) first_ = path + ": " + problem;
  }
  bool any() const { return !first_.empty(); }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

// The members of one JSON object that the contract names. Other members
// are ignored (forward compatibility); a named member given twice is a
// problem, since readers would disagree on which one counts. Absent and
// null are the same thing.
class ObjectReader {
 public:
  ObjectReader(const Value& value, std::string path,
               std::span<const std::string_view> known, Problems& problems)
      : path_(std::move(path)), problems_(problems) {
    if (!value.IsObject()) {
      problems_.Add(path_.empty() ? "document" : path_,
                    "must be an object, got " + TypeName(value));
      return;
    }
    for (std::string_view key : known) members_.push_back({key, nullptr});
    for (const auto& member : value.GetObject()) {
      const std::string_view name(member.name.GetString(),
                                  member.name.GetStringLength());
      for (auto& [key, found] : members_) {
        if (key != name) continue;
        if (found != nullptr) problems_.Add(Path(key), "given twice");
        found = &member.value;
        break;
      }
    }
  }

  std::string Path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  // The member, or null when absent or JSON null.
  const Value* Find(std::string_view key) const {
    for (const auto& [name, value] : members_) {
      if (name == key)
        return value != nullptr && !value->IsNull() ? value : nullptr;
    }
    return nullptr;
  }

  std::optional<std::string_view> String(std::string_view key,
                                         bool required = false) {
    const Value* value = Find(key);
    if (value == nullptr) {
      if (required) Problem(key, "is required");
      return std::nullopt;
    }
    if (!value->IsString()) {
      Problem(key, "must be a string, got " + TypeName(*value));
      return std::nullopt;
    }
    const std::string_view text(value->GetString(), value->GetStringLength());
    if (IsSentinel(text)) {
      Problem(key, "the sentinel " + Shown(text) +
                       " is forbidden: omit the field or send null");
      return std::nullopt;
    }
    return text;
  }

  // A string fit to be a label value; "" when absent.
  std::string Label(std::string_view key, bool required = false) {
    const auto text = String(key, required);
    return text ? SanitizeLabelValue(*text, kMaxLabelBytes) : std::string();
  }

  // A whole number from 0 to 2^31-1 (calls, agents, daily counts).
  std::optional<int64_t> Count(std::string_view key) {
    const Value* value = Find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->IsNumber()) {
      Problem(key, "must be a number, got " + TypeName(*value));
      return std::nullopt;
    }
    const double number = value->GetDouble();
    const bool whole = value->IsInt64() || std::floor(number) == number;
    if (!whole) {
      Problem(key, "must be a whole number");
      return std::nullopt;
    }
    if (value->IsInt64()
            ? value->GetInt64() < 0 || value->GetInt64() > kMaxCount
            : !(number >= 0 && number <= kMaxCount)) {
      Problem(key, "must be from 0 to " + std::to_string(kMaxCount));
      return std::nullopt;
    }
    return value->IsInt64() ? value->GetInt64() : static_cast<int64_t>(number);
  }

  // A non-negative number of seconds.
  std::optional<double> Seconds(std::string_view key) {
    const Value* value = Find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->IsNumber()) {
      Problem(key, "must be a number, got " + TypeName(*value));
      return std::nullopt;
    }
    const double seconds = value->GetDouble();
    if (!std::isfinite(seconds) || seconds < 0) {
      Problem(key, "must be a non-negative number of seconds");
      return std::nullopt;
    }
    return seconds;
  }

  std::optional<bool> Bool(std::string_view key) {
    const Value* value = Find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->IsBool()) {
      Problem(key, "must be a boolean, got " + TypeName(*value));
      return std::nullopt;
    }
    return value->GetBool();
  }

  std::optional<TimePoint> Time(std::string_view key, bool required = false) {
    const auto text = String(key, required);
    if (!text) return std::nullopt;
    const auto time = ParseRfc3339(*text);
    if (!time) {
      Problem(key,
              "must be an RFC 3339 time with an offset (years 2000 to "
              "2100), got " +
                  Shown(*text));
    }
    return time;
  }

  // The reader of a nested object; nullopt when absent or null.
  std::optional<ObjectReader> Child(std::string_view key,
                                    std::span<const std::string_view> known) {
    const Value* value = Find(key);
    if (value == nullptr) return std::nullopt;
    return ObjectReader(*value, Path(key), known, problems_);
  }

  // A nested array; null when absent, JSON null or not an array.
  const Value* Array(std::string_view key) {
    const Value* value = Find(key);
    if (value == nullptr) return nullptr;
    if (!value->IsArray()) {
      Problem(key, "must be an array, got " + TypeName(*value));
      return nullptr;
    }
    return value;
  }

  void Problem(std::string_view key, const std::string& problem) {
    problems_.Add(Path(key), problem);
  }

 private:
  std::string path_;
  Problems& problems_;
  std::vector<std::pair<std::string_view, const Value*>> members_;
};

std::string Indexed(std::string_view array, size_t index) {
  return std::string(array) + "[" + std::to_string(index) + "]";
}

void ReadState(ObjectReader& object, SnapshotAgent* agent) {
  const auto text = object.String("state", /*required=*/true);
  if (!text) return;
  if (const auto state = ParseCccpState(*text)) {
    agent->state = *state;
  } else {
    // Forward compatibility: a state the producer added later is
    // published as unknown, not a reason to drop the whole floor.
    agent->state = CccpState::kUnknown;
    agent->unmapped_state = SanitizeLabelValue(*text, 64);
  }
}

std::string ReadRole(ObjectReader& object, CccpState state) {
  const auto type = object.String("type");
  if (!type) {
    const bool supervisor = state == CccpState::kSupervisorPlugged ||
                            state == CccpState::kSupervisorUnplugged ||
                            state == CccpState::kSupervisorInterface;
    return supervisor ? "supervisor" : "agent";
  }
  if (EqualsIgnoreCase(*type, "agent")) return "agent";
  if (EqualsIgnoreCase(*type, "supervisor")) return "supervisor";
  object.Problem("type",
                 "must be \"agent\" or \"supervisor\", got " + Shown(*type));
  return "agent";
}

AgentToday ReadAgentToday(ObjectReader& agent) {
  AgentToday today;
  auto object = agent.Child("today", kAgentTodayKeys);
  if (!object) return today;
  today.pause_seconds = object->Seconds("pause_seconds");
  today.outbound_seconds = object->Seconds("outbound_seconds");
  today.inbound_total = object->Count("inbound_total");
  today.inbound_managed = object->Count("inbound_managed");
  today.inbound_lost = object->Count("inbound_lost");
  return today;
}

SnapshotAgent ReadAgent(const Value& value, std::string path,
                        Problems& problems) {
  ObjectReader object(value, std::move(path), kAgentKeys, problems);
  SnapshotAgent agent;
  agent.login = object.Label("login", /*required=*/true);
  agent.name = object.Label("name");
  agent.profile = object.Label("profile");
  ReadState(object, &agent);
  agent.role = ReadRole(object, agent.state);
  agent.logged_in = object.Bool("logged_in").value_or(true) &&
                    agent.state != CccpState::kLoggedOut;
  agent.state_since = object.Time("state_since");
  agent.login_at = object.Time("login_at");
  // Checked for their types like every field, and never kept: raw_state
  // and mode are debugging aids, session_id and phone are PII.
  for (std::string_view key : {"raw_state", "mode", "session_id", "phone"}) {
    object.String(key);
  }
  agent.today = ReadAgentToday(object);
  return agent;
}

void ReadQueueAgents(ObjectReader& queue, SnapshotQueue* out) {
  auto object = queue.Child("agents", kQueueAgentStatuses);
  if (!object) return;
  for (std::string_view status : kQueueAgentStatuses) {
    if (const auto count = object->Count(status)) {
      out->agents.emplace(std::string(status), *count);
    }
  }
}

SnapshotQueue ReadQueue(const Value& value, std::string path,
                        Problems& problems) {
  ObjectReader object(value, std::move(path), kQueueKeys, problems);
  SnapshotQueue queue;
  queue.name = object.Label("name", /*required=*/true);
  queue.display_name = object.Label("display_name");
  queue.waiting_calls = object.Count("waiting_calls");
  queue.running_calls = object.Count("running_calls");
  queue.oldest_waiting_since = object.Time("oldest_waiting_since");
  ReadQueueAgents(object, &queue);
  if (auto today = object.Child("today", kQueueTodayKeys)) {
    queue.today.managed = today->Count("managed");
    queue.today.failed = today->Count("failed");
    queue.today.waiting_max_seconds = today->Seconds("waiting_max_seconds");
  }
  return queue;
}

// Reads every element of `array` with `read`, refusing a second element
// with the same `key(element)`; stops at the first problem.
template <typename Item, typename Read, typename Key>
std::vector<Item> ReadUnique(const Value& array, std::string_view name,
                             std::string_view key_name, Read read, Key key,
                             Problems& problems) {
  std::vector<Item> items;
  items.reserve(array.Size());
  std::unordered_map<std::string, size_t> first_index;
  for (rapidjson::SizeType i = 0; i < array.Size() && !problems.any(); ++i) {
    Item item = read(array[i], Indexed(name, i), problems);
    if (problems.any()) break;
    const auto [it, inserted] = first_index.emplace(key(item), i);
    if (!inserted) {
      problems.Add(Indexed(name, i) + "." + std::string(key_name),
                   "duplicate " + Shown(key(item)) + " (also " +
                       Indexed(name, it->second) + ")");
      break;
    }
    items.push_back(std::move(item));
  }
  return items;
}

void ReadCalls(ObjectReader& root, SnapshotCalls* calls) {
  auto object = root.Child("calls", kCallsKeys);
  if (!object) return;
  calls->active_inbound = object->Count("active_inbound");
  calls->active_outbound = object->Count("active_outbound");
  calls->waiting = object->Count("waiting");
}

void ReadDocument(const Value& root_value, Snapshot* snapshot,
                  Problems& problems) {
  ObjectReader root(root_value, "", kTopKeys, problems);
  const auto schema = root.String("schema", /*required=*/true);
  if (problems.any()) return;
  if (*schema != kSchemaVersion) {
    // Another version may differ everywhere: nothing else is read.
    root.Problem("schema", "must be \"" + std::string(kSchemaVersion) +
                               "\", got " + Shown(*schema));
    return;
  }
  if (const auto generated_at = root.Time("generated_at", true)) {
    snapshot->generated_at = *generated_at;
  }
  if (auto source = root.Child("source", kSourceKeys)) {
    source->String("project");
    source->String("dispatch");
  }
  if (const Value* agents = root.Array("agents")) {
    snapshot->has_agent_data = true;
    snapshot->agents = ReadUnique<SnapshotAgent>(
        *agents, "agents", "login", ReadAgent,
        [](const SnapshotAgent& agent) { return agent.login; }, problems);
  }
  if (const Value* queues = root.Array("queues")) {
    snapshot->queues = ReadUnique<SnapshotQueue>(
        *queues, "queues", "name", ReadQueue,
        [](const SnapshotQueue& queue) { return queue.name; }, problems);
  }
  ReadCalls(root, &snapshot->calls);
}

}  // namespace

ParsedSnapshot ParseSnapshot(std::string_view text, ParseLimits limits) {
  ParsedSnapshot parsed;
  rapidjson::Document doc;
  // Numbers stay numbers: a number sent as a string is a schema error.
  const core::JsonLimits json{limits.max_bytes, limits.max_depth,
                              /*numbers_as_strings=*/false};
  if (std::string error = core::ParseJson(text, &doc, json); !error.empty()) {
    parsed.status = ParsedSnapshot::Status::kInvalidJson;
    parsed.problem = std::move(error);
    return parsed;
  }
  Problems problems;
  ReadDocument(doc, &parsed.snapshot, problems);
  if (problems.any()) {
    parsed.status = ParsedSnapshot::Status::kSchema;
    parsed.problem = problems.first();
    parsed.snapshot = Snapshot{};
  }
  return parsed;
}

}  // namespace callcenter::cccp
