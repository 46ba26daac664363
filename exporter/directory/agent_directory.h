// Who the agents are: data shared by every module, owned here and persisted
// in its own file (agents.json), so that losing another module's state
// never splits an agent's series between its id and its display name.
//
// CDRs carry both AgentID and AgentName; the summary report and the CRM
// carry only a name. The directory learns the mapping from CDRs, lets the
// config override it, remembers when each agent last had a call (the AHT
// poller refreshes recent agents first), caps how many agents get their own
// label (later ones are "other": a hostile upstream cannot explode the
// series count), and publishes ozonetel_agent_info.
#ifndef CALLCENTER_DIRECTORY_AGENT_DIRECTORY_H_
#define CALLCENTER_DIRECTORY_AGENT_DIRECTORY_H_

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/config_reader.h"
#include "core/logging.h"
#include "core/metric_source.h"
#include "core/state_store.h"

namespace callcenter::directory {

struct AgentEntry {
  std::string id;
  std::string name;  // optional display name; also the summaryReport key
};

struct DirectoryConfig {
  std::vector<AgentEntry> agents;  // empty: discover from CDRs
  // Overrides of the learned AgentName -> AgentID mapping.
  std::vector<std::pair<std::string, std::string>> name_overrides;
  int max_agents = 10000;
  bool per_agent_metrics = true;
};

// Reads `agents`, `agent_name_map` and `max_agents` from the config root.
DirectoryConfig ParseDirectoryConfig(core::ConfigNode& root,
                                     bool per_agent_metrics);

// The label of agents beyond max_agents.
inline constexpr char kOtherAgent[] = "other";
inline constexpr char kUnassignedAgent[] = "unassigned";

class AgentDirectory final : public core::MetricSource {
 public:
  explicit AgentDirectory(DirectoryConfig config);

  // Records a CDR's agent. Returns the label to count it under: the id, or
  // "other" once max_agents distinct agents are known.
  std::string Learn(const std::string& id, const std::string& name,
                    double last_call_unix);
  // The label for an id without learning a name (live events, summaries).
  std::string Admit(const std::string& id);

  // The AgentID for a display name: config override, then configured
  // agents, then learned from CDRs. nullopt when unknown.
  std::optional<std::string> IdForName(const std::string& name) const;
  std::vector<std::string> Ids() const;
  // All ids, the most recent call first; agents without calls last.
  std::vector<std::string> IdsByRecency() const;
  const std::vector<AgentEntry>& configured() const {
    return config_.agents;
  }
  bool per_agent_metrics() const { return config_.per_agent_metrics; }

  // Where the directory persists (agents.json) and how it tells the
  // snapshot that ozonetel_agent_info changed. Set once by the app.
  void Bind(core::StateFile* file, std::function<void()> on_change);
  // Also called when agents change (sources that render per known agent).
  void AddListener(std::function<void()> on_change);
  // Restores agents.json (a corrupt file is set aside: the directory is
  // relearned from CDRs). Returns whether the file was loaded.
  bool Load(const core::Logger& logger);
  // Writes agents.json and marks the info metric changed when something
  // changed since the last save. False when the write failed (the store
  // reports it; the next call tries again).
  bool Persist();

  std::vector<core::FamilySpec> Families() const override;
  void Render(core::MetricSink& sink) const override;

 private:
  struct Agent {
    std::string name;
    double last_call = 0;
  };
  bool AdmitLocked(const std::string& id);

  const DirectoryConfig config_;
  std::map<std::string, std::string> overrides_;
  core::StateFile* file_ = nullptr;
  std::vector<std::function<void()>> listeners_;
  mutable std::mutex mutex_;
  std::map<std::string, Agent> agents_;               // by AgentID
  std::map<std::string, std::string> learned_names_;  // AgentName -> AgentID
  bool changed_ = false;
};

}  // namespace callcenter::directory

#endif  // CALLCENTER_DIRECTORY_AGENT_DIRECTORY_H_
