// Counts appointments booked in the CRM, each node id once.
//
// A poll reads the window [last end - overlap, now - 5 s] (from today's
// local midnight on a first start) page by page, each page one request
// drawn from the "crm" budget. The overlap catches nodes that match the
// query late (a disposition set minutes after the call was created). Node
// ids already counted are remembered per local day of the created field; a
// day's ids are dropped once every later window starts after that day, since
// no later answer can hold its nodes. A poll's new nodes, the window's end
// and the days it closes are appended to the state file's journal before
// they count, and only when every page succeeded: a failed page, a failed
// write or a kill -9 never counts a node twice or loses one.
#ifndef CALLCENTER_CRM_CRM_POLLER_H_
#define CALLCENTER_CRM_CRM_POLLER_H_

#include <rapidjson/document.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/common/timeutil.h"
#include "core/day_ledger.h"
#include "core/health.h"
#include "core/logging.h"
#include "core/poll_loop.h"
#include "core/state_store.h"
#include "crm/api.h"
#include "crm/appointment_metrics.h"
#include "directory/agent_directory.h"

namespace callcenter::crm {

// The agent label for a CRM agent name: the CDR AgentID when the directory
// knows the name, else the name itself; "unassigned" when empty.
std::string AgentLabel(const std::string& name,
                       const directory::AgentDirectory& agents);

struct CrmPollerOptions {
  Seconds timezone_offset{5 * 3600 + 30 * 60};  // days for cold start, ledgers
  Seconds interval{60};
  Seconds overlap{30 * 60};
  size_t compact_after_entries = 256;
};

class CrmPoller final : public core::Poller {
 public:
  struct Deps {
    Api& api;
    AppointmentMetrics& metrics;
    core::StateFile* state;  // crm_state.json; null: no persistence (tests)
    const Clock& clock;
    const core::Logger& logger;
    std::function<void()> on_change;  // marks the snapshot dirty
  };

  CrmPoller(Deps deps, CrmPollerOptions options);

  // Restores the state file. On a first start (no file, `ran_before`
  // false) today is counted from local midnight. A corrupt file is kept
  // aside as *.corrupt; then, as when the file is missing after an earlier
  // run, counters start at zero and count appointments from now on.
  void LoadState(bool ran_before);
  core::PollResult Poll() override;

  // For tests.
  std::vector<Date> OpenDays() const;
  size_t SeenCount(Date day) const;
  std::optional<TimePoint> covered_until() const { return covered_until_; }

 private:
  struct Node {
    uint64_t id;
    Date day;
    std::string agent;
  };
  struct Commit {
    std::vector<Node> nodes;
    std::optional<TimePoint> covered_until;
    std::vector<Date> close;
  };
  struct WindowRead {
    std::vector<Node> pending;
    std::unordered_set<uint64_t> in_poll;  // ids met in this poll
    int pages = 0;
    size_t nodes = 0;
    int without_id = 0;
    int undated = 0;
    int outside = 0;
    std::optional<int64_t> total_count;
  };

  std::pair<TimePoint, TimePoint> Window(TimePoint now) const;
  Outcome ReadWindow(TimePoint from, TimePoint to, WindowRead* read);
  void Collect(const Page& page, TimePoint from, TimePoint to,
               WindowRead* read) const;
  void Report(TimePoint from, TimePoint to, const WindowRead& read) const;
  std::vector<Date> DaysToClose(TimePoint covered_until) const;
  void Apply(const Commit& commit);
  std::string Serialize(const Commit& commit) const;
  bool Deserialize(const rapidjson::Value& value, Commit* commit) const;
  std::string SnapshotJson() const;
  bool LoadSnapshot(const rapidjson::Value& doc, std::string* reason);
  void Compact();

  Deps deps_;
  const CrmPollerOptions options_;
  std::optional<TimePoint> covered_until_;  // `to` of the last good poll
  std::optional<TimePoint> count_from_;     // nothing earlier is counted
  core::DayLedger seen_;                    // node ids by created day
};

}  // namespace callcenter::crm

#endif  // CALLCENTER_CRM_CRM_POLLER_H_
