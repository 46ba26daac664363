#include "callcenter/agent_directory.h"

#include <algorithm>

namespace callcenter {

AgentDirectory::AgentDirectory(
    const std::vector<AgentEntry>& configured,
    const std::map<std::string, std::string>& name_overrides,
    bool per_agent_metrics)
    : name_overrides_(name_overrides),
      per_agent_metrics_(per_agent_metrics),
      restricted_(!configured.empty()) {
  for (const auto& entry : configured) {
    agents_[entry.id].name = entry.name;
    if (!entry.name.empty()) learned_names_[entry.name] = entry.id;
  }
}

bool AgentDirectory::Learn(const std::string& id, const std::string& name,
                           double last_call_unix) {
  if (id.empty()) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  auto [it, inserted] = agents_.try_emplace(id);
  bool changed = inserted;
  if (!name.empty() && it->second.name != name) {
    it->second.name = name;
    changed = true;
  }
  if (!name.empty()) {
    auto& mapped = learned_names_[name];
    if (mapped != id) {
      mapped = id;
      changed = true;
    }
  }
  if (last_call_unix > it->second.last_call) {
    it->second.last_call = last_call_unix;
  }
  return changed;
}

bool AgentDirectory::Add(const std::string& id) {
  if (id.empty()) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  return agents_.try_emplace(id).second;
}

std::optional<std::string> AgentDirectory::IdForName(
    const std::string& name) const {
  if (auto it = name_overrides_.find(name); it != name_overrides_.end()) {
    return it->second;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = learned_names_.find(name); it != learned_names_.end()) {
    return it->second;
  }
  // Some accounts use the id as the display name.
  if (agents_.count(name) != 0) return name;
  return std::nullopt;
}

std::vector<std::string> AgentDirectory::Ids() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> ids;
  for (const auto& [id, agent] : agents_) ids.push_back(id);
  return ids;
}

std::vector<std::string> AgentDirectory::IdsByRecency() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::pair<double, std::string>> order;
  for (const auto& [id, agent] : agents_)
    order.emplace_back(agent.last_call, id);
  std::stable_sort(
      order.begin(), order.end(),
      [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> ids;
  for (auto& [when, id] : order) ids.push_back(std::move(id));
  return ids;
}

void AgentDirectory::Collect(std::vector<prometheus::MetricFamily>* out) const {
  if (!per_agent_metrics_) return;
  auto family = MakeFamily(
      "ozonetel_agent_info",
      "Maps an AgentID to its latest AgentName from call records; always 1.",
      prometheus::MetricType::Gauge);
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [id, agent] : agents_) {
    AddGauge(&family, {{"agent", id}, {"agent_name", agent.name}}, 1);
  }
  if (!family.metric.empty()) out->push_back(std::move(family));
}

void AgentDirectory::Save(rapidjson::Writer<rapidjson::StringBuffer>* w) const {
  std::lock_guard<std::mutex> lock(mutex_);
  w->StartArray();
  for (const auto& [id, agent] : agents_) {
    w->StartArray();
    w->String(id.c_str());
    w->String(agent.name.c_str());
    w->Double(agent.last_call);
    w->EndArray();
  }
  w->EndArray();
}

bool AgentDirectory::Load(const rapidjson::Value& value, std::string* error) {
  if (!value.IsArray()) {
    *error = "agents are not a list";
    return false;
  }
  for (const auto& row : value.GetArray()) {
    if (!row.IsArray() || row.Size() != 3 || !row[0].IsString() ||
        !row[1].IsString() || !row[2].IsNumber()) {
      *error = "agent entry is malformed";
      return false;
    }
    Learn(row[0].GetString(), row[1].GetString(), row[2].GetDouble());
  }
  return true;
}

}  // namespace callcenter
