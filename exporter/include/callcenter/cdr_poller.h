// Polls fetchCDRDetails inside the reporting day and counts each settled
// call exactly once.
//
// Each open day has a ledger: the end of the last window read, the start
// of the earliest record seen but not yet settled, and the CallIDs already
// counted. A poll reads [last end - overlap, now] of today (from 00:00 on a
// cold start). After midnight yesterday stays open until `late_data_until`
// (03:00) and is re-read whole, because late records can land anywhere in
// the day; its ledger, CallIDs included, is dropped once a read that
// started after the cut-off succeeded. Counters, ledgers and the agent
// directory are saved in one atomic file after every successful poll, so a
// kill -9 leaves either the state before a poll or after it: never a call
// counted twice.
#ifndef CALLCENTER_CDR_POLLER_H_
#define CALLCENTER_CDR_POLLER_H_

#include <rapidjson/document.h>

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>

#include "callcenter/agent_directory.h"
#include "callcenter/cdr_metrics.h"
#include "callcenter/common/clock.h"
#include "callcenter/common/timeutil.h"
#include "callcenter/health.h"
#include "callcenter/logging.h"
#include "callcenter/ozonetel/client.h"
#include "callcenter/poll_loop.h"
#include "callcenter/rate_budget.h"

namespace callcenter {

struct CdrPollerOptions {
  Seconds timezone_offset{5 * 3600 + 30 * 60};
  Seconds overlap{30 * 60};
  Seconds late_data_until{3 * 3600};
  Seconds settle_timeout{15 * 60};
  int lookback_days = 15;  // the API returns nothing older
  std::string state_path;  // empty: no persistence (tests)
  // How far behind `now` the restored state may be and still be published
  // before the first poll; see CaughtUp().
  Seconds publish_lag{5 * 60};
};

// Reduces a record to the facts the metrics need.
CallFacts ToCallFacts(const ozonetel::CdrRecord& record);

class CdrPoller final : public Poller {
 public:
  struct Deps {
    ozonetel::Api& api;
    CdrMetrics& metrics;
    AgentDirectory& agents;
    ApiHealth& health;
    BudgetGate& gate;
    const Clock& clock;
    const Logger& logger;
    std::function<void()> on_change;  // marks the snapshot dirty
  };

  CdrPoller(Deps deps, CdrPollerOptions options);

  // Restores the state file. On a first start (no file, `ran_before`
  // false) today is counted from 00:00. A corrupt file is logged and kept
  // aside as *.corrupt; then, as when the file is missing after an earlier
  // run, counters start at zero and count calls from now on.
  void LoadState(bool ran_before);
  std::string name() const override { return "cdr"; }
  TimePoint PollOnce() override;

  // False from start until every open day has been read up to now (within
  // publish_lag), then true for good. Until then the counters must not be
  // published: a scrape of them followed by a catch-up poll that adds hours
  // of calls at once (a first start at 14:00, a start after a backfill or
  // after downtime) shows Prometheus a burst of calls that never happened,
  // and pages for a missed-call spike.
  bool CaughtUp() const { return caught_up_.load(); }

  // For tests: the days that still hold a ledger.
  std::vector<Date> OpenDays() const;
  size_t SeenCount(Date day) const;

 private:
  struct Ledger {
    std::optional<TimePoint> covered_until;
    std::optional<TimePoint> unsettled_from;
    std::optional<TimePoint>
        count_from;  // calls that start earlier are skipped
    TimePoint last_polled{};
    std::unordered_set<std::string> seen;
  };
  struct PendingCall {
    std::string call_id;
    CallFacts facts;
    std::string agent_name;
    TimePoint start;
  };

  Date ChooseDay(TimePoint now);
  bool ReadUpTo(TimePoint now) const;
  void CheckCaughtUp(TimePoint now);
  bool IsClosing(Date day, TimePoint now) const;
  TimePoint CutOff(Date day) const;
  std::pair<TimePoint, TimePoint> Window(Date day, TimePoint now) const;
  void Commit(Date day, TimePoint polled_at, TimePoint to,
              std::optional<TimePoint> unsettled_from,
              std::vector<PendingCall>* calls);
  void CloseFinishedDays(TimePoint now);
  void StartFromNow(TimePoint now);
  void OpenMissingDays(TimePoint now);
  void SaveState() const;
  static bool ReadLedgers(const rapidjson::Value& doc,
                          std::map<Date, Ledger>* ledgers, std::string* reason);

  Deps deps_;
  const CdrPollerOptions options_;
  std::map<Date, Ledger> ledgers_;
  std::atomic<bool> caught_up_{false};
  Backoff backoff_;
};

}  // namespace callcenter

#endif  // CALLCENTER_CDR_POLLER_H_
