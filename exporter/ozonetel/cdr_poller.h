// Polls fetchCDRDetails inside the reporting day and counts each call
// exactly once, in two stages (see CdrMetrics): the call at the first poll
// that sees it ended, its disposition and wrap-up once they are final.
//
// Each open day has a window (the end of the last window read, the start of
// the earliest call whose wrap-up is not over yet, when counting started)
// and a ledger of the CallIDs counted with their stage. A poll reads
// [last end - overlap, now] of today (from 00:00 on a first start). After
// midnight yesterday stays open until `late_data_until` (03:00) and is
// re-read whole, because late records can land anywhere in the day; its
// ledger is dropped once a read that started after the cut-off succeeded.
//
// Calls are committed in bounded batches while the response streams in:
// each batch is appended to the state file's journal (fsync) before it is
// counted, so memory stays flat however large the response, a kill -9 in
// the middle of a response loses nothing and counts nothing twice (the
// ledger remembers the batches; the window advances only with the last
// one), and a batch that cannot be written is not counted.
#ifndef CALLCENTER_OZONETEL_CDR_POLLER_H_
#define CALLCENTER_OZONETEL_CDR_POLLER_H_

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/common/timeutil.h"
#include "core/day_ledger.h"
#include "core/logging.h"
#include "core/poll_loop.h"
#include "core/state_store.h"
#include "directory/agent_directory.h"
#include "ozonetel/cdr_metrics.h"
#include "ozonetel/client.h"
#include "ozonetel/record_stats.h"

namespace callcenter::ozonetel {

struct CdrPollerOptions {
  Seconds timezone_offset{5 * 3600 + 30 * 60};
  Seconds overlap{30 * 60};
  Seconds late_data_until{3 * 3600};
  Seconds settle_timeout{15 * 60};
  int lookback_days = 15;  // the API returns nothing older
  // How far behind `now` the restored state may be and still be published
  // before the first poll; see CaughtUp().
  Seconds publish_lag{5 * 60};
  size_t batch_calls = 2000;  // calls per journal entry
  // The journal is folded into a new snapshot past either size.
  size_t compact_after_entries = 256;
  size_t compact_after_bytes = size_t{8} << 20;
};

// When a record's call started and ended, or nullopt when its CallDate and
// StartTime cannot be placed in the day `day` that was queried. A call that
// crosses midnight may carry the date of its end (StartTime 23:59:05,
// EndTime 00:08:29, CallDate the next day); it still started on `day`.
// A start after `now` (beyond clock skew) is never trusted.
struct CallTimes {
  TimePoint start;
  TimePoint end;
};
std::optional<CallTimes> PlaceCall(const CdrRecord& record, Date day,
                                   Seconds timezone_offset, TimePoint now);

class CdrPoller final : public core::Poller {
 public:
  struct Deps {
    Api& api;
    CdrMetrics& metrics;
    directory::AgentDirectory& agents;
    RecordStats& stats;
    core::StateFile* state;  // cdr_state.json; null: no persistence
    const Clock& clock;
    const core::Logger& logger;
    std::function<void()> on_change;  // counters or agents changed
  };

  CdrPoller(Deps deps, CdrPollerOptions options);

  // Restores the snapshot and replays its journal. On a first start (no
  // file, `ran_before` false) today is counted from 00:00. A corrupt file
  // is kept aside as *.corrupt; then, as when the file is missing after an
  // earlier run, counters start at zero and count calls from now on.
  void LoadState(bool ran_before);
  core::PollResult Poll() override;

  // False from start until every open day has been read up to now (within
  // publish_lag), then true for good. Until then the counters are not
  // published: a scrape of them followed by a catch-up poll that adds hours
  // of calls at once (a first start at 14:00, a start after a backfill or
  // after downtime) shows Prometheus a burst of calls that never happened,
  // and pages for a missed-call spike.
  bool CaughtUp() const { return caught_up_.load(); }
  // For /-/ready: why the counters are still withheld.
  std::string CatchUpStatus() const;

  // The state a backfill leaves for the exporter's first start: `totals`
  // and no open day, so the live counters continue the backfilled series.
  static std::string SeedSnapshot(const CdrMetrics& totals);

  // For tests.
  std::vector<Date> OpenDays() const;
  size_t SeenCount(Date day) const;
  uint8_t Stage(Date day, const std::string& call_id) const;

 private:
  struct Window {
    std::optional<TimePoint> covered_until;
    std::optional<TimePoint> unsettled_from;
    std::optional<TimePoint> count_from;  // calls that start earlier: skipped
    TimePoint last_polled{};
  };
  // One committed step: calls moved to a stage, and for the last batch of
  // a poll the window update and the days it closes.
  struct Batch {
    struct Call {
      uint64_t id = 0;
      uint8_t from = 0;
      uint8_t to = 0;
      CallFacts facts;
    };
    Date day;
    std::vector<Call> calls;
    std::unordered_map<uint64_t, uint8_t> stages;  // not serialised
    std::optional<Window> window;
    std::vector<Date> close;
  };

  Date ChooseDay(TimePoint now);
  std::pair<TimePoint, TimePoint> QueryWindow(Date day, TimePoint now) const;
  bool IsClosing(Date day, TimePoint now) const;
  TimePoint CutOff(Date day) const;
  std::vector<Date> DaysToClose(const std::map<Date, Window>& windows,
                                TimePoint now) const;
  void OpenMissingDays(TimePoint now);
  void StartFromNow(TimePoint now);
  bool ReadUpTo(TimePoint now) const;
  void CheckCaughtUp(TimePoint now);

  // Takes one record of the response into `batch`; false stops the read.
  bool TakeRecord(CdrRecord&& record, Date day, TimePoint now, Batch* batch,
                  std::optional<TimePoint>* unsettled_from);
  bool Commit(Batch* batch);
  void Apply(const Batch& batch);
  std::string Serialize(const Batch& batch) const;
  bool Deserialize(const rapidjson::Value& value, Batch* batch) const;
  void CompactIfDue(bool force);
  std::string SnapshotJson() const;
  bool LoadSnapshot(const rapidjson::Value& doc, std::string* reason);

  Deps deps_;
  const CdrPollerOptions options_;
  std::map<Date, Window> windows_;
  core::DayLedger ledger_;
  std::atomic<bool> caught_up_{false};
  bool storage_failed_ = false;  // the current poll could not commit
};

}  // namespace callcenter::ozonetel

#endif  // CALLCENTER_OZONETEL_CDR_POLLER_H_
