#include "ozonetel/events/receiver.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "callcenter/common/strings.h"
#include "core/day_ledger.h"
#include "core/json.h"
#include "core/state_store.h"

namespace callcenter::ozonetel::events {
namespace {

using core::FamilySpec;
using core::MetricType;

constexpr size_t kMaxDedupeEntries = 200000;
// Calls in progress at once, per agent the floor may hold: generous for
// conferences and queues, small enough to bound memory.
constexpr size_t kCallsPerAgent = 4;
constexpr Seconds kFutureSkew{300};
constexpr int kStateVersion = 1;

constexpr std::array<std::string_view, 11> kAgentActions = {
    "login", "logout",  "release", "idle", "ready", "aux",
    "pause", "calling", "incall",  "busy", "acw"};
constexpr std::array<std::string_view, 3> kCallActions = {"calling", "answered",
                                                          "disconnect"};
constexpr std::array<std::string_view, 6> kRejectionNames = {
    "auth", "malformed", "too_large", "agent_limit", "call_limit", "method"};

uint64_t Hash(std::initializer_list<std::string_view> parts) {
  uint64_t hash = 14695981039346656037ULL;
  for (std::string_view part : parts) {
    for (unsigned char c : part) {
      hash ^= c;
      hash *= 1099511628211ULL;
    }
    hash ^= 0xff;  // separator, so "ab"+"c" differs from "a"+"bc"
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::string Millis(TimePoint t) { return std::to_string(core::ToMillis(t)); }

HttpResponse Accepted() {
  return HttpResponse::Json(200, "{\"status\":\"ok\"}\n");
}

}  // namespace

Receiver::Receiver(EventsConfig config, Seconds timezone_offset,
                   live::Floor& floor, const Clock& clock,
                   const core::Logger& logger)
    : config_(std::move(config)),
      timezone_offset_(timezone_offset),
      floor_(floor),
      clock_(clock),
      logger_(logger),
      families_({
          {"ozonetel_events_received_total",
           "Ozonetel events received with a valid token and body, by kind "
           "(agent, call) and action (known actions, else other); duplicates "
           "and out-of-order events included.",
           MetricType::kCounter,
           {"kind", "action"}},
          {"ozonetel_events_rejected_total",
           "Ozonetel webhook requests refused, by reason (auth, malformed, "
           "too_large, agent_limit, call_limit, method).",
           MetricType::kCounter,
           {"reason"}},
          {"ozonetel_events_duplicates_total",
           "Events dropped as repeats of one already applied (same agent or "
           "call, action and event time, within events.dedupe_window).",
           MetricType::kCounter,
           {}},
          {"ozonetel_events_out_of_order_total",
           "Events dropped because they were older than what was already "
           "applied for that agent or call.",
           MetricType::kCounter,
           {}},
          {"ozonetel_events_expired_total",
           "Calls dropped without a Disconnect after events.call_ttl.",
           MetricType::kCounter,
           {}},
          {"ozonetel_events_last_received_timestamp_seconds",
           "When the last event of each kind was received, on the exporter's "
           "clock.",
           MetricType::kGauge,
           {"kind"}},
          {"ozonetel_events_reconciliations_total",
           "Agent states re-read from agentdetails, by result (unchanged, "
           "corrected).",
           MetricType::kCounter,
           {"result"}},
      }) {
  for (std::string_view action : kAgentActions) {
    received_[{"agent", std::string(action)}] = 0;
  }
  for (std::string_view action : kCallActions) {
    received_[{"call", std::string(action)}] = 0;
  }
  received_[{"agent", "other"}] = 0;
  received_[{"call", "other"}] = 0;
}

std::string Receiver::ActionLabel(Kind kind, std::string_view action) {
  const std::string lower = ToLower(action);
  if (kind == Kind::kAgent) {
    for (std::string_view known : kAgentActions) {
      if (lower == known) return lower;
    }
  } else {
    for (std::string_view known : kCallActions) {
      if (lower == known) return lower;
    }
  }
  return "other";
}

bool Receiver::Authorized(const HttpRequest& request) const {
  const std::string token = request.QueryParam("token");
  return !config_.token.empty() && !token.empty() &&
         ConstantTimeEquals(token, config_.token);
}

HttpResponse Receiver::Refuse(Rejection reason, int status,
                              const std::string& why) {
  rejected_[static_cast<size_t>(reason)].fetch_add(1);
  HttpResponse response = HttpResponse::Text(status, why + "\n");
  if (reason == Rejection::kMethod)
    response.headers.emplace_back("Allow", "POST");
  return response;
}

void Receiver::CountRefused(int status) {
  if (status == 413 || status == 408) {
    rejected_[static_cast<size_t>(Rejection::kTooLarge)].fetch_add(1);
  } else if (status == 405) {
    rejected_[static_cast<size_t>(Rejection::kMethod)].fetch_add(1);
  }
}

HttpResponse Receiver::HandleAgent(const HttpRequest& request) {
  if (request.method != "POST") {
    return Refuse(Rejection::kMethod, 405, "POST only");
  }
  if (!Authorized(request)) {
    return Refuse(Rejection::kAuth, 401, "missing or wrong token");
  }
  AgentEvent event;
  if (std::string error =
          ParseAgentEvent(request.body, timezone_offset_, &event);
      !error.empty()) {
    return Refuse(Rejection::kMalformed, 400, error);
  }
  const Applied applied = ApplyAgent(event);
  // Counted after it is applied: the publisher re-renders a source changed
  // mid-render (core::SnapshotPublisher::RenderDirty), so a scrape that
  // shows the count shows the event's effect on the floor too.
  CountReceived(Kind::kAgent, event.action);
  if (applied == Applied::kRefused) {
    return Refuse(Rejection::kAgentLimit, 429, "agent limit reached");
  }
  return Accepted();
}

HttpResponse Receiver::HandleCall(const HttpRequest& request) {
  if (request.method != "POST") {
    return Refuse(Rejection::kMethod, 405, "POST only");
  }
  if (!Authorized(request)) {
    return Refuse(Rejection::kAuth, 401, "missing or wrong token");
  }
  CallEvent event;
  if (std::string error =
          ParseCallEvent(request.body, timezone_offset_, &event);
      !error.empty()) {
    return Refuse(Rejection::kMalformed, 400, error);
  }
  const Applied applied = ApplyCall(event);
  CountReceived(Kind::kCall, event.action);
  if (applied == Applied::kRefused) {
    return Refuse(Rejection::kCallLimit, 429, "call limit reached");
  }
  return Accepted();
}

void Receiver::CountReceived(Kind kind, std::string_view action) {
  std::lock_guard<std::mutex> lock(mutex_);
  const bool agent = kind == Kind::kAgent;
  ++received_[{agent ? "agent" : "call", ActionLabel(kind, action)}];
  last_received_[agent ? 0 : 1] = ToUnixSeconds(clock_.Now());
}

bool Receiver::Deduplicate(uint64_t key, TimePoint time) {
  // Entries leave in arrival order, which is monotonic (event times are not).
  (void)time;
  const TimePoint now = clock_.Now();
  const TimePoint horizon = now - config_.dedupe_window;
  while (!dedupe_order_.empty() && (dedupe_order_.front().first < horizon ||
                                    dedupe_order_.size() > kMaxDedupeEntries)) {
    dedupe_.erase(dedupe_order_.front().second);
    dedupe_order_.pop_front();
  }
  if (!dedupe_.insert(key).second) return true;
  dedupe_order_.emplace_back(now, key);
  return false;
}

void Receiver::ForgetLocked(uint64_t key) {
  // Deduplicate() just added it, last, under the same lock.
  if (!dedupe_order_.empty() && dedupe_order_.back().second == key) {
    dedupe_order_.pop_back();
    dedupe_.erase(key);
  }
}

std::string Receiver::QueueLabel(const std::string& skill) {
  std::string label = SanitizeLabelValue(skill);
  if (label.empty()) label = "none";
  if (queues_.count(label) != 0) return label;
  if (queues_.size() >= config_.max_queues) return "other";
  queues_.insert(label);
  return label;
}

void Receiver::SetAgentLocked(const AgentRecord& record) {
  floor_.Update(live::Source::kOzonetelEvents, [&](live::Partition& p) {
    p.agents[record.agent.id] = record.agent;
  });
  dirty_ = true;
}

void Receiver::RemoveAgentLocked(const std::string& id) {
  agents_.erase(id);
  floor_.Update(live::Source::kOzonetelEvents,
                [&](live::Partition& p) { p.agents.erase(id); });
  dirty_ = true;
}

void Receiver::PublishQueueLocked(const std::string& queue) {
  const auto& waiting = waiting_[queue];
  floor_.Update(live::Source::kOzonetelEvents, [&](live::Partition& p) {
    live::Queue& entry = p.queues[queue];
    entry.name = queue;
    entry.waiting = static_cast<int>(waiting.size());
    if (waiting.empty()) {
      entry.oldest_waiting_since.reset();
    } else {
      entry.oldest_waiting_since = *waiting.begin();
    }
  });
}

void Receiver::PublishCallsLocked() {
  live::Calls calls;
  for (const auto& [ucid, call] : calls_) {
    ++(call.inbound ? calls.inbound : calls.outbound);
  }
  floor_.Update(live::Source::kOzonetelEvents,
                [&](live::Partition& p) { p.calls = calls; });
  dirty_ = true;
}

void Receiver::StartWaitingLocked(const CallRecord& call) {
  waiting_[call.queue].insert(call.waiting_since);
  PublishQueueLocked(call.queue);
}

void Receiver::StopWaitingLocked(const CallRecord& call) {
  auto& waiting = waiting_[call.queue];
  if (auto it = waiting.find(call.waiting_since); it != waiting.end()) {
    waiting.erase(it);
  }
  PublishQueueLocked(call.queue);
}

void Receiver::EndCallLocked(uint64_t ucid, TimePoint time) {
  auto it = calls_.find(ucid);
  if (it != calls_.end()) {
    if (it->second.waiting) StopWaitingLocked(it->second);
    calls_.erase(it);
    PublishCallsLocked();
  }
  ended_calls_[ucid] = time;
}

Receiver::Applied Receiver::ApplyAgent(const AgentEvent& event) {
  const std::string action = ToLower(event.action);
  const std::string id = SanitizeLabelValue(event.agent_id, kMaxFieldBytes);
  std::lock_guard<std::mutex> lock(mutex_);
  if (event.time > clock_.Now() + kFutureSkew) {
    // A clock far ahead would block every later event as out of order.
    rejected_[static_cast<size_t>(Rejection::kMalformed)].fetch_add(1);
    return Applied::kFuture;
  }
  const uint64_t key = Hash({"agent", id, action, Millis(event.time)});
  if (Deduplicate(key, event.time)) {
    duplicates_.fetch_add(1);
    return Applied::kDuplicate;
  }
  Effect effect{false, live::State::kUnknown};
  if (action == "calling") {
    effect.state = EqualsIgnoreCase(event.mode, "inbound")
                       ? config_.calling_inbound
                       : config_.calling_outbound;
  } else if (auto it = config_.actions.find(action);
             it != config_.actions.end()) {
    effect = it->second;
  } else {
    logger_.Debug("events", "unmapped agent action",
                  {{"action", event.action.substr(0, 64)}});
  }
  const Applied applied = ApplyAgentLocked(event, effect);
  // Not applied: the vendor's retry, once there is room, must not be
  // dropped as a duplicate.
  if (applied == Applied::kRefused) ForgetLocked(key);
  return applied;
}

Receiver::Applied Receiver::ApplyAgentLocked(const AgentEvent& event,
                                             const Effect& effect) {
  const std::string id = SanitizeLabelValue(event.agent_id, kMaxFieldBytes);
  auto existing = agents_.find(id);
  const bool known = existing != agents_.end();
  const TimePoint last =
      known ? existing->second.last_event
            : (logged_out_.count(id) != 0 ? logged_out_.at(id) : TimePoint{});
  if (event.time < last) {
    out_of_order_.fetch_add(1);
    return Applied::kOutOfOrder;
  }
  if (effect.logout) {
    if (known) RemoveAgentLocked(id);
    logged_out_[id] = event.time;
    return Applied::kApplied;
  }
  logged_out_.erase(id);
  if (!known && agents_.size() >= floor_.options().max_agents) {
    return Applied::kRefused;
  }
  AgentRecord& record = agents_[id];
  const bool login = EqualsIgnoreCase(event.action, "login");
  if (!known || login || record.agent.state != effect.state) {
    record.agent.since = event.time;
  }
  record.agent.id = id;
  record.agent.state = effect.state;
  if (login) record.agent.login_at = event.time;
  record.last_event = event.time;
  record.suspect = false;
  SetAgentLocked(record);
  return Applied::kApplied;
}

Receiver::Applied Receiver::ApplyCall(const CallEvent& event) {
  const std::string action = ToLower(event.action);
  std::lock_guard<std::mutex> lock(mutex_);
  if (event.time > clock_.Now() + kFutureSkew) {
    rejected_[static_cast<size_t>(Rejection::kMalformed)].fetch_add(1);
    return Applied::kFuture;
  }
  const uint64_t key =
      Hash({"call", std::to_string(event.ucid), action, Millis(event.time)});
  if (Deduplicate(key, event.time)) {
    duplicates_.fetch_add(1);
    return Applied::kDuplicate;
  }
  if (action != "calling" && action != "answered" && action != "disconnect") {
    return Applied::kApplied;  // counted as "other"; no effect
  }
  if (ended_calls_.count(event.ucid) != 0) {
    out_of_order_.fetch_add(1);
    return Applied::kOutOfOrder;
  }
  auto it = calls_.find(event.ucid);
  if (it != calls_.end() && event.time < it->second.last_event) {
    out_of_order_.fetch_add(1);
    return Applied::kOutOfOrder;
  }
  if (action == "disconnect") {
    EndCallLocked(event.ucid, event.time);
    return Applied::kApplied;
  }
  if (it == calls_.end()) {
    if (calls_.size() >= floor_.options().max_agents * kCallsPerAgent) {
      ForgetLocked(key);  // its retry may find room
      return Applied::kRefused;
    }
    CallRecord call;
    const std::string type = ToLower(event.call_type);
    call.inbound = std::find(config_.inbound_call_types.begin(),
                             config_.inbound_call_types.end(),
                             type) != config_.inbound_call_types.end();
    call.queue = QueueLabel(event.skill);
    call.first_event = event.time;
    // An inbound call waits from its first event until it is answered (a
    // first event that is already "Answered" never waited for us).
    call.waiting = call.inbound && action == "calling";
    call.waiting_since = event.time;
    it = calls_.emplace(event.ucid, std::move(call)).first;
    if (it->second.waiting) StartWaitingLocked(it->second);
    PublishCallsLocked();
  }
  CallRecord& call = it->second;
  call.last_event = event.time;
  if (action == "answered") {
    if (call.waiting) {
      StopWaitingLocked(call);
      call.waiting = false;
    }
    call.agent = SanitizeLabelValue(event.agent_id, kMaxFieldBytes);
    if (auto agent = agents_.find(call.agent);
        agent != agents_.end() && agent->second.agent.queue != call.queue) {
      agent->second.agent.queue = call.queue;
      SetAgentLocked(agent->second);
    }
  }
  dirty_ = true;
  return Applied::kApplied;
}

void Receiver::Expire(TimePoint now) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<uint64_t> stale_calls;
  for (const auto& [ucid, call] : calls_) {
    if (call.first_event < now - config_.call_ttl) stale_calls.push_back(ucid);
  }
  for (uint64_t ucid : stale_calls) {
    EndCallLocked(ucid, now);
    expired_.fetch_add(1);
  }
  std::vector<std::string> silent;
  for (const auto& [id, record] : agents_) {
    if (record.last_event < now - config_.agent_ttl) silent.push_back(id);
  }
  for (const std::string& id : silent) RemoveAgentLocked(id);
  std::erase_if(logged_out_, [&](const auto& entry) {
    return entry.second < now - config_.agent_ttl;
  });
  std::erase_if(ended_calls_, [&](const auto& entry) {
    return entry.second < now - config_.call_ttl;
  });
}

void Receiver::SetKnownAgents(std::function<std::vector<std::string>()> known) {
  std::lock_guard<std::mutex> lock(mutex_);
  known_agents_ = std::move(known);
}

std::optional<std::string> Receiver::NextToReconcile(TimePoint now) {
  (void)now;
  std::lock_guard<std::mutex> lock(mutex_);
  const AgentRecord* best = nullptr;
  for (const auto& [id, record] : agents_) {
    if (best == nullptr || (record.suspect && !best->suspect) ||
        (record.suspect == best->suspect &&
         record.last_reconciled < best->last_reconciled)) {
      best = &record;
    }
  }
  // Restored agents come first; after them, every other question goes to
  // an agent known from call records but absent from the floor (its login
  // event may have been lost).
  const bool suspect_first = best != nullptr && best->suspect;
  ask_known_next_ = !ask_known_next_;
  if (!suspect_first && (ask_known_next_ || best == nullptr) && known_agents_) {
    const std::vector<std::string> known = known_agents_();
    for (size_t tried = 0; tried < known.size(); ++tried) {
      const std::string& id = known[known_cursor_++ % known.size()];
      if (agents_.count(id) == 0 && logged_out_.count(id) == 0) return id;
    }
  }
  if (best == nullptr) return std::nullopt;
  return best->agent.id;
}

bool Receiver::Reconcile(const std::string& agent_id, const std::string& status,
                         TimePoint asked_at) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = agents_.find(agent_id);
  if (it == agents_.end())
    return AddReconciledLocked(agent_id, status, asked_at);
  AgentRecord& record = it->second;
  record.last_reconciled = clock_.Now();
  record.suspect = false;
  // An event since the question is newer than the answer.
  if (record.last_event > asked_at) return false;
  auto effect = config_.statuses.find(ToLower(status));
  if (effect == config_.statuses.end()) {
    logger_.Debug("events", "unmapped agentdetails status",
                  {{"status", status.substr(0, 64)}});
    return false;
  }
  if (effect->second.logout) {
    logged_out_[agent_id] = asked_at;
    RemoveAgentLocked(agent_id);
    reconciled_corrected_.fetch_add(1);
    return true;
  }
  if (record.agent.state == effect->second.state) {
    reconciled_unchanged_.fetch_add(1);
    return false;
  }
  record.agent.state = effect->second.state;
  record.agent.since = asked_at;
  record.last_event = asked_at;
  SetAgentLocked(record);
  reconciled_corrected_.fetch_add(1);
  return true;
}

bool Receiver::AddReconciledLocked(const std::string& agent_id,
                                   const std::string& status,
                                   TimePoint asked_at) {
  // An event (a logout, or the login itself) since the question wins.
  if (auto out = logged_out_.find(agent_id);
      out != logged_out_.end() && out->second > asked_at) {
    return false;
  }
  auto effect = config_.statuses.find(ToLower(status));
  if (effect == config_.statuses.end() || effect->second.logout ||
      agents_.size() >= floor_.options().max_agents) {
    return false;
  }
  AgentRecord& record = agents_[agent_id];
  record.agent.id = agent_id;
  record.agent.state = effect->second.state;
  record.agent.since = asked_at;
  record.last_event = asked_at;
  record.last_reconciled = clock_.Now();
  SetAgentLocked(record);
  reconciled_corrected_.fetch_add(1);
  return true;
}

std::optional<std::string> Receiver::TakeStateIfChanged() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!dirty_) return std::nullopt;
  dirty_ = false;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("version");
  w.Int(kStateVersion);
  w.Key("agents");
  w.StartArray();
  for (const auto& [id, record] : agents_) {
    const live::Agent& agent = record.agent;
    w.StartObject();
    w.Key("id");
    w.String(id.c_str(), static_cast<rapidjson::SizeType>(id.size()));
    w.Key("state");
    w.String(std::string(live::StateName(agent.state)).c_str());
    w.Key("since");
    w.Int64(core::ToMillis(agent.since));
    core::WriteOptionalTime(&w, "login_at", agent.login_at);
    w.Key("last_event");
    w.Int64(core::ToMillis(record.last_event));
    w.Key("queue");
    w.String(agent.queue.c_str(),
             static_cast<rapidjson::SizeType>(agent.queue.size()));
    w.EndObject();
  }
  w.EndArray();
  w.Key("calls");
  w.StartArray();
  for (const auto& [ucid, call] : calls_) {
    w.StartObject();
    w.Key("ucid");
    w.Uint64(ucid);
    w.Key("inbound");
    w.Bool(call.inbound);
    w.Key("queue");
    w.String(call.queue.c_str(),
             static_cast<rapidjson::SizeType>(call.queue.size()));
    w.Key("first");
    w.Int64(core::ToMillis(call.first_event));
    w.Key("last");
    w.Int64(core::ToMillis(call.last_event));
    std::optional<TimePoint> waiting;
    if (call.waiting) waiting = call.waiting_since;
    core::WriteOptionalTime(&w, "waiting_since", waiting);
    w.Key("agent");
    w.String(call.agent.c_str(),
             static_cast<rapidjson::SizeType>(call.agent.size()));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool Receiver::Restore(const std::string& json, std::string* error) {
  rapidjson::Document doc;
  core::JsonLimits limits;
  limits.numbers_as_strings = false;
  if (*error = core::ParseJson(json, &doc, limits); !error->empty()) {
    return false;
  }
  auto bad = [&](const char* why) {
    *error = why;
    return false;
  };
  if (!doc.IsObject() || !doc.HasMember("version") || !doc["version"].IsInt() ||
      doc["version"].GetInt() != kStateVersion || !doc.HasMember("agents") ||
      !doc["agents"].IsArray() || !doc.HasMember("calls") ||
      !doc["calls"].IsArray()) {
    return bad("no agents or calls, or an unsupported version");
  }
  std::map<std::string, AgentRecord> agents;
  for (const auto& entry : doc["agents"].GetArray()) {
    AgentRecord record;
    std::optional<TimePoint> since;
    std::optional<TimePoint> last;
    if (!entry.IsObject() || !entry.HasMember("id") ||
        !entry["id"].IsString() || !entry.HasMember("state") ||
        !entry["state"].IsString() || !entry.HasMember("queue") ||
        !entry["queue"].IsString() ||
        !core::ReadOptionalTime(entry, "since", &since) || !since ||
        !core::ReadOptionalTime(entry, "last_event", &last) || !last ||
        !core::ReadOptionalTime(entry, "login_at", &record.agent.login_at)) {
      return bad("malformed agent");
    }
    auto state = live::ParseState(entry["state"].GetString());
    if (!state) return bad("unknown agent state");
    record.agent.id =
        SanitizeLabelValue(entry["id"].GetString(), kMaxFieldBytes);
    record.agent.state = *state;
    record.agent.since = *since;
    record.agent.queue = SanitizeLabelValue(entry["queue"].GetString());
    record.last_event = *last;
    record.suspect = true;
    if (record.agent.id.empty()) return bad("agent without an id");
    if (agents.size() < floor_.options().max_agents) {
      agents[record.agent.id] = std::move(record);
    }
  }
  std::unordered_map<uint64_t, CallRecord> calls;
  for (const auto& entry : doc["calls"].GetArray()) {
    CallRecord call;
    std::optional<TimePoint> first;
    std::optional<TimePoint> last;
    std::optional<TimePoint> waiting;
    if (!entry.IsObject() || !entry.HasMember("ucid") ||
        !entry["ucid"].IsUint64() || !entry.HasMember("inbound") ||
        !entry["inbound"].IsBool() || !entry.HasMember("queue") ||
        !entry["queue"].IsString() || !entry.HasMember("agent") ||
        !entry["agent"].IsString() ||
        !core::ReadOptionalTime(entry, "first", &first) || !first ||
        !core::ReadOptionalTime(entry, "last", &last) || !last ||
        !core::ReadOptionalTime(entry, "waiting_since", &waiting)) {
      return bad("malformed call");
    }
    call.inbound = entry["inbound"].GetBool();
    call.queue = SanitizeLabelValue(entry["queue"].GetString());
    call.first_event = *first;
    call.last_event = *last;
    call.waiting = waiting.has_value();
    call.waiting_since = waiting.value_or(*first);
    call.agent = SanitizeLabelValue(entry["agent"].GetString());
    if (calls.size() < floor_.options().max_agents * kCallsPerAgent) {
      calls[entry["ucid"].GetUint64()] = std::move(call);
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  agents_ = std::move(agents);
  calls_ = std::move(calls);
  waiting_.clear();
  queues_.clear();
  live::Partition partition;
  for (const auto& [id, record] : agents_) partition.agents[id] = record.agent;
  for (const auto& [ucid, call] : calls_) {
    queues_.insert(call.queue);
    ++(call.inbound ? partition.calls.inbound : partition.calls.outbound);
    if (call.waiting) waiting_[call.queue].insert(call.waiting_since);
  }
  for (const auto& [queue, waiting] : waiting_) {
    live::Queue& entry = partition.queues[queue];
    entry.name = queue;
    entry.waiting = static_cast<int>(waiting.size());
    if (!waiting.empty()) entry.oldest_waiting_since = *waiting.begin();
  }
  floor_.Replace(live::Source::kOzonetelEvents, std::move(partition));
  return true;
}

std::vector<FamilySpec> Receiver::Families() const { return families_; }

void Receiver::Render(core::MetricSink& sink) const {
  sink.Begin(families_[0]);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [key, count] : received_) {
      sink.Sample({{"kind", key.first}, {"action", key.second}},
                  static_cast<double>(count));
    }
  }
  sink.Begin(families_[1]);
  for (size_t i = 0; i < kRejectionNames.size(); ++i) {
    sink.Sample({{"reason", kRejectionNames[i]}},
                static_cast<double>(rejected_[i].load()));
  }
  sink.Begin(families_[2]);
  sink.Sample({}, static_cast<double>(duplicates_.load()));
  sink.Begin(families_[3]);
  sink.Sample({}, static_cast<double>(out_of_order_.load()));
  sink.Begin(families_[4]);
  sink.Sample({}, static_cast<double>(expired_.load()));
  sink.Begin(families_[5]);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (last_received_[0]) sink.Sample({{"kind", "agent"}}, *last_received_[0]);
    if (last_received_[1]) sink.Sample({{"kind", "call"}}, *last_received_[1]);
  }
  sink.Begin(families_[6]);
  sink.Sample({{"result", "corrected"}},
              static_cast<double>(reconciled_corrected_.load()));
  sink.Sample({{"result", "unchanged"}},
              static_cast<double>(reconciled_unchanged_.load()));
}

}  // namespace callcenter::ozonetel::events
