#include "directory/agent_directory.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "callcenter/common/strings.h"

namespace callcenter::directory {
namespace {

constexpr int kStateVersion = 1;
constexpr size_t kMaxNameBytes = 128;

}  // namespace

DirectoryConfig ParseDirectoryConfig(core::ConfigNode& root,
                                     bool per_agent_metrics) {
  DirectoryConfig config;
  config.per_agent_metrics = per_agent_metrics;
  root.Int("max_agents", &config.max_agents, 1, 100000);
  for (core::ConfigNode& item : root.Items("agents")) {
    AgentEntry agent;
    if (item.IsScalar()) {
      agent.id = item.ScalarText();
    } else if (item.IsMap()) {
      item.String("id", &agent.id, true);
      item.String("name", &agent.name);
      item.RejectUnknown();
      if (agent.id.empty()) continue;  // String reported it, once
      if (!agent.name.empty()) {
        config.name_overrides.emplace_back(agent.name, agent.id);
      }
    } else {
      item.ErrorHere("must be an agent id or a mapping with an id");
      continue;
    }
    if (agent.id.empty()) {
      item.ErrorHere("must be an agent id or a mapping with an id");
      continue;
    }
    config.agents.push_back(std::move(agent));
  }
  root.StringMap("agent_name_map", &config.name_overrides);
  return config;
}

AgentDirectory::AgentDirectory(DirectoryConfig config)
    : config_(std::move(config)) {
  for (const auto& [name, id] : config_.name_overrides) overrides_[name] = id;
  for (const auto& entry : config_.agents) {
    agents_[SanitizeLabelValue(entry.id)].name =
        SanitizeLabelValue(entry.name, kMaxNameBytes);
  }
}

bool AgentDirectory::AdmitLocked(const std::string& id) {
  if (agents_.count(id) != 0) return true;
  if (static_cast<int>(agents_.size()) >= config_.max_agents) return false;
  agents_.emplace(id, Agent{});
  changed_ = true;
  return true;
}

std::string AgentDirectory::Learn(const std::string& raw_id,
                                  const std::string& raw_name,
                                  double last_call_unix) {
  const std::string id = SanitizeLabelValue(raw_id);
  if (id.empty()) return kUnassignedAgent;
  const std::string name = SanitizeLabelValue(raw_name, kMaxNameBytes);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!AdmitLocked(id)) return kOtherAgent;
  Agent& agent = agents_.at(id);
  if (!name.empty() && agent.name != name) {
    agent.name = name;
    changed_ = true;
  }
  if (!name.empty()) {
    auto [it, inserted] = learned_names_.try_emplace(name, id);
    if (!inserted && it->second != id) {
      it->second = id;
      changed_ = true;
    }
    changed_ = changed_ || inserted;
  }
  if (last_call_unix > agent.last_call) agent.last_call = last_call_unix;
  return id;
}

std::string AgentDirectory::Admit(const std::string& raw_id) {
  const std::string id = SanitizeLabelValue(raw_id);
  if (id.empty()) return kUnassignedAgent;
  std::lock_guard<std::mutex> lock(mutex_);
  return AdmitLocked(id) ? id : kOtherAgent;
}

std::optional<std::string> AgentDirectory::IdForName(
    const std::string& name) const {
  if (auto it = overrides_.find(name); it != overrides_.end()) {
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
  ids.reserve(agents_.size());
  for (const auto& [id, agent] : agents_) ids.push_back(id);
  return ids;
}

std::vector<std::string> AgentDirectory::IdsByRecency() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::pair<double, std::string>> order;
  for (const auto& [id, agent] : agents_) order.emplace_back(agent.last_call, id);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.first > b.first;
  });
  std::vector<std::string> ids;
  for (auto& [when, id] : order) ids.push_back(std::move(id));
  return ids;
}

std::vector<core::FamilySpec> AgentDirectory::Families() const {
  return {{"ozonetel_agent_info",
           "Maps an AgentID to its latest AgentName from call records; "
           "always 1.",
           core::MetricType::kGauge,
           {"agent", "agent_name"}}};
}

void AgentDirectory::Render(core::MetricSink& sink) const {
  if (!config_.per_agent_metrics) return;
  const std::vector<core::FamilySpec> families = Families();
  sink.Begin(families[0]);
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [id, agent] : agents_) {
    sink.Sample({{"agent", id}, {"agent_name", agent.name}}, 1);
  }
}

void AgentDirectory::Bind(core::StateFile* file,
                          std::function<void()> on_change) {
  file_ = file;
  AddListener(std::move(on_change));
}

void AgentDirectory::AddListener(std::function<void()> on_change) {
  if (on_change) listeners_.push_back(std::move(on_change));
}

bool AgentDirectory::Load(const core::Logger& logger) {
  if (file_ == nullptr) return false;
  core::StateFile& file = *file_;
  core::StateFile::Loaded loaded = file.Load();
  if (loaded.status != core::StateFile::Status::kLoaded) return false;
  const rapidjson::Value& doc = loaded.snapshot;
  auto malformed = [&](const char* why) {
    file.SetAside(why);
    return false;
  };
  if (!doc.HasMember("version") || !doc["version"].IsInt() ||
      doc["version"].GetInt() != kStateVersion || !doc.HasMember("agents") ||
      !doc["agents"].IsArray()) {
    return malformed("no agents or unsupported version");
  }
  std::map<std::string, Agent> agents;
  std::map<std::string, std::string> names;
  for (const auto& row : doc["agents"].GetArray()) {
    if (!row.IsArray() || row.Size() != 3 || !row[0].IsString() ||
        !row[1].IsString() || !row[2].IsNumber()) {
      return malformed("agent entry is malformed");
    }
    const std::string id = SanitizeLabelValue(row[0].GetString());
    const std::string name =
        SanitizeLabelValue(row[1].GetString(), kMaxNameBytes);
    if (id.empty()) return malformed("agent entry without an id");
    agents[id] = Agent{name, row[2].GetDouble()};
    if (!name.empty()) names[name] = id;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [id, agent] : agents) {
    if (static_cast<int>(agents_.size()) >= config_.max_agents &&
        agents_.count(id) == 0) {
      continue;
    }
    Agent& entry = agents_[id];
    if (!agent.name.empty()) entry.name = agent.name;
    entry.last_call = std::max(entry.last_call, agent.last_call);
  }
  for (auto& [name, id] : names) learned_names_.try_emplace(name, id);
  logger.Info("directory", "agents restored",
              {{"agents", std::to_string(agents_.size())}});
  return true;
}

bool AgentDirectory::Persist() {
  std::string content;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!changed_) return true;
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("version");
    w.Int(kStateVersion);
    w.Key("agents");
    w.StartArray();
    for (const auto& [id, agent] : agents_) {
      w.StartArray();
      w.String(id.c_str(), static_cast<rapidjson::SizeType>(id.size()));
      w.String(agent.name.c_str(),
               static_cast<rapidjson::SizeType>(agent.name.size()));
      w.Double(agent.last_call);
      w.EndArray();
    }
    w.EndArray();
    w.EndObject();
    content.assign(buffer.GetString(), buffer.GetSize());
    changed_ = false;
  }
  for (const auto& listener : listeners_) listener();
  if (file_ == nullptr || file_->Save(content)) return true;
  std::lock_guard<std::mutex> lock(mutex_);
  changed_ = true;  // try again after the next change or poll
  return false;
}

}  // namespace callcenter::directory
