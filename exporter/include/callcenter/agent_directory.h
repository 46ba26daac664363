// Who the agents are. CDRs carry both AgentID and AgentName; the summary
// report and the CRM carry only a name. The directory learns the mapping
// from CDRs, lets config override it, remembers when each agent last had a
// call (the AHT poller refreshes recent agents first), and publishes
// ozonetel_agent_info.
#ifndef CALLCENTER_AGENT_DIRECTORY_H_
#define CALLCENTER_AGENT_DIRECTORY_H_

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "callcenter/config.h"
#include "callcenter/metric_source.h"

namespace callcenter {

class AgentDirectory final : public MetricSource {
 public:
  AgentDirectory(const std::vector<AgentEntry>& configured,
                 const std::map<std::string, std::string>& name_overrides,
                 bool per_agent_metrics);

  // Records a CDR's agent. Returns true when something new was learned.
  bool Learn(const std::string& id, const std::string& name,
             double last_call_unix);
  // Adds an agent seen only by id (for example in a summary row that
  // already names an id). Returns true when it was new.
  bool Add(const std::string& id);

  // The AgentID for a display name: config override, then configured
  // agents, then learned from CDRs. nullopt when unknown.
  std::optional<std::string> IdForName(const std::string& name) const;
  std::vector<std::string> Ids() const;
  // All ids, the most recent call first; agents without calls last.
  std::vector<std::string> IdsByRecency() const;
  // Restricting summary requests to configured agents needs their names.
  bool restricted() const { return restricted_; }

  void Collect(std::vector<prometheus::MetricFamily>* out) const override;
  void Save(rapidjson::Writer<rapidjson::StringBuffer>* writer) const;
  bool Load(const rapidjson::Value& value, std::string* error);

 private:
  struct Agent {
    std::string name;
    double last_call = 0;
  };

  const std::map<std::string, std::string> name_overrides_;
  const bool per_agent_metrics_;
  const bool restricted_;
  mutable std::mutex mutex_;
  std::map<std::string, Agent> agents_;               // by AgentID
  std::map<std::string, std::string> learned_names_;  // AgentName -> AgentID
};

}  // namespace callcenter

#endif  // CALLCENTER_AGENT_DIRECTORY_H_
