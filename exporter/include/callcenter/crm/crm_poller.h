// Counts appointments booked in the CRM, each node id once.
//
// A poll reads the window [last end - overlap, now - 5 s] (from today's
// local midnight on a first start) page by page, each page one request
// drawn from the kCrm budget. The overlap catches nodes that match the
// query late (a disposition set minutes after the call was created). Node
// ids already counted are remembered per local day of the created field;
// a day's ids are dropped once every later window starts after that day,
// since no later answer can hold its nodes. Counts, the window's end and
// the id ledgers change only when every page of a poll succeeded, and are
// then saved in one atomic file, so a failed page or a kill -9 never counts
// a node twice.
#ifndef CALLCENTER_CRM_CRM_POLLER_H_
#define CALLCENTER_CRM_CRM_POLLER_H_

#include <rapidjson/document.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "callcenter/agent_directory.h"
#include "callcenter/common/clock.h"
#include "callcenter/common/timeutil.h"
#include "callcenter/crm/api.h"
#include "callcenter/crm/appointment_metrics.h"
#include "callcenter/health.h"
#include "callcenter/logging.h"
#include "callcenter/poll_loop.h"
#include "callcenter/rate_budget.h"

namespace callcenter::crm {

// The `api` key under which CRM requests and polls are recorded in ApiHealth.
inline constexpr char kHealthApi[] = "crm";

// ApiHealth options for the CRM: prefix "crm", no api label, every reason.
ApiHealth::Options HealthOptions();
// An Api::on_request that counts each request in `health`.
std::function<void(const Outcome&)> HealthRecorder(ApiHealth& health);

// The agent label for a CRM agent name: the CDR AgentID when the directory
// knows the name, else the name itself; "unassigned" when empty.
std::string AgentLabel(const std::string& name, const AgentDirectory& agents);

struct CrmPollerOptions {
  Seconds timezone_offset{5 * 3600 + 30 * 60};  // days for cold start, ledgers
  Seconds interval{60};
  Seconds overlap{30 * 60};
  std::string state_path;  // crm_state.json; empty: no persistence (tests)
};

class CrmPoller final : public Poller {
 public:
  struct Deps {
    Api& api;
    AppointmentMetrics& metrics;
    const AgentDirectory& agents;
    ApiHealth& health;
    BudgetGate& gate;
    const Clock& clock;
    const Logger& logger;
    std::function<void()> on_change;  // marks the snapshot dirty
  };

  CrmPoller(Deps deps, CrmPollerOptions options);

  // Restores the state file. On a first start (no file, `ran_before`
  // false) today is counted from local midnight. A corrupt file is logged
  // and kept aside as *.corrupt; then, as when the file is missing after an
  // earlier run, counters start at zero and count appointments from now on.
  void LoadState(bool ran_before);
  std::string name() const override { return "crm"; }
  TimePoint PollOnce() override;

  // For tests.
  std::vector<Date> OpenDays() const;
  size_t SeenCount(Date day) const;
  std::optional<TimePoint> covered_until() const { return covered_until_; }

 private:
  struct Pending {
    std::string id;
    std::string agent;
    Date day;
  };
  struct WindowRead {
    std::vector<Pending> pending;
    std::unordered_set<std::string> in_poll;  // ids met in this poll
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
  TimePoint Failed(const Outcome& outcome, const WindowRead& read);
  void Commit(TimePoint to, WindowRead* read);
  void Report(TimePoint from, TimePoint to, const WindowRead& read) const;
  void CloseFinishedDays();
  void StartFromNow(TimePoint now);
  void SaveState() const;
  bool ReadState(const rapidjson::Value& doc, std::string* reason);

  Deps deps_;
  const CrmPollerOptions options_;
  std::optional<TimePoint> covered_until_;  // `to` of the last good poll
  std::optional<TimePoint> count_from_;     // nothing earlier is counted
  std::map<Date, std::unordered_set<std::string>> seen_;  // by created day
  Backoff backoff_;
};

}  // namespace callcenter::crm

#endif  // CALLCENTER_CRM_CRM_POLLER_H_
