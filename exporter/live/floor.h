// The live floor: who is logged in, in which state and since when; calls
// waiting per queue and since when; calls in progress. One model and one
// set of metric names (live-floor.md §1-2) serve every platform: Ozonetel
// event webhooks update it event by event, CCCP snapshots replace their
// part of it every fetch. Each source owns its partition, so two sources
// never overwrite each other.
//
// Readers (the metrics render, /live.json) take an immutable view, rebuilt
// only when something changed since the last one.
#ifndef CALLCENTER_LIVE_FLOOR_H_
#define CALLCENTER_LIVE_FLOOR_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "callcenter/common/clock.h"
#include "core/config_reader.h"
#include "core/metric_source.h"

namespace callcenter::live {

// The closed set of live states (live-floor.md §1.1). Logged-out agents
// are not in the floor at all.
enum class State : uint8_t {
  kAvailable = 0,
  kRinging,
  kBusy,
  kHold,
  kWrapup,
  kPause,
  kOutbound,
  kSupervising,
  kUnknown,
};
inline constexpr int kStateCount = 9;
std::string_view StateName(State state);
std::optional<State> ParseState(std::string_view name);

enum class Source : uint8_t { kOzonetelEvents = 0, kCccp = 1 };
inline constexpr int kSourceCount = 2;

struct Agent {
  std::string id;       // the agent label: Ozonetel AgentID or CCCP login
  std::string name;     // display name; published only when enabled
  std::string role = "agent";  // "agent" or "supervisor"
  std::string profile;
  State state = State::kUnknown;
  TimePoint since{};
  std::optional<TimePoint> login_at;
  std::string queue;  // the queue of the current or last call, when known
};

struct Queue {
  std::string name;
  std::string display_name;
  int waiting = 0;
  std::optional<TimePoint> oldest_waiting_since;
  // Staffing by status (logged, working, withdrawn, outbound, supervision,
  // latent), where the source knows it.
  std::map<std::string, int> agents;
};

struct Calls {
  int inbound = 0;
  int outbound = 0;
};

// One source's part of the floor.
struct Partition {
  std::map<std::string, Agent> agents;  // by id
  std::map<std::string, Queue> queues;  // by name
  Calls calls;
};

// An immutable picture of the whole floor. An agent or queue two sources
// name appears once, as the first source (Ozonetel events) has it; a queue
// takes its staffing from CCCP when the events do not report any.
struct FloorView {
  std::vector<Agent> agents;  // sorted by id
  std::vector<Queue> queues;  // sorted by name
  Calls calls;
  std::array<int, kStateCount> counts{};  // agents per state
  uint64_t version = 0;
};

struct FloorOptions {
  bool per_agent_metrics = true;
  bool publish_names = false;  // `name` on callcenter_agent_live_info
  size_t max_agents = 5000;    // per source; further agents are refused
};

// The `live` section of the configuration: agent_names, max_agents.
FloorOptions ParseFloorOptions(core::ConfigNode& root, bool per_agent_metrics);

class Floor final : public core::MetricSource {
 public:
  explicit Floor(FloorOptions options);

  // Replaces a source's partition (a CCCP snapshot).
  void Replace(Source source, Partition partition);
  // Changes a source's partition in place (an Ozonetel event); `change`
  // runs under the floor's lock and must not block.
  void Update(Source source, const std::function<void(Partition&)>& change);
  // Called after every change (marks the metrics source dirty).
  void SetOnChange(std::function<void()> on_change);
  // A module that feeds the floor claims it at start; the app publishes the
  // floor's metrics only then, so an exporter without a live source shows
  // no empty live families.
  void Claim() { claimed_ = true; }
  bool claimed() const { return claimed_; }
  const FloorOptions& options() const { return options_; }

  std::shared_ptr<const FloorView> View() const;
  size_t AgentCount(Source source) const;

  std::vector<core::FamilySpec> Families() const override;
  void Render(core::MetricSink& sink) const override;

 private:
  void Changed();

  const FloorOptions options_;
  const std::vector<core::FamilySpec> families_;
  std::function<void()> on_change_;
  bool claimed_ = false;
  mutable std::mutex mutex_;
  std::array<Partition, kSourceCount> partitions_;
  uint64_t version_ = 1;
  mutable std::shared_ptr<const FloorView> view_;  // for version_ view_->version
};

}  // namespace callcenter::live

#endif  // CALLCENTER_LIVE_FLOOR_H_
