// The Ozonetel event webhook (live-floor.md §3). Ozonetel POSTs agent and
// call events to the URLs registered for the account; this receiver checks
// the shared token (in the query: Ozonetel sends no custom header),
// parses either envelope, drops duplicates and events older than what it
// already applied, and updates the live floor. An answer never waits on
// upstream or on disk: persistence, expiry and reconciliation run on the
// maintenance poller (events/maintenance.h).
//
// Bounded: at most live.max_agents agents (events for further unknown
// agents are refused and counted), events.max_queues queue labels, active
// calls expire after call_ttl, the dedupe window holds at most
// dedupe_window of events (and never more than a fixed count).
#ifndef CALLCENTER_OZONETEL_EVENTS_RECEIVER_H_
#define CALLCENTER_OZONETEL_EVENTS_RECEIVER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/common/http_server.h"
#include "core/logging.h"
#include "core/metric_source.h"
#include "live/floor.h"
#include "ozonetel/events/config.h"
#include "ozonetel/events/event.h"

namespace callcenter::ozonetel::events {

// Why an event was refused (ozonetel_events_rejected_total{reason}).
enum class Rejection {
  kAuth,
  kMalformed,
  kTooLarge,
  kAgentLimit,
  kCallLimit,
  kMethod,
  kCount
};

class Receiver final : public core::MetricSource {
 public:
  Receiver(EventsConfig config, Seconds timezone_offset, live::Floor& floor,
           const Clock& clock, const core::Logger& logger);

  // The two webhook endpoints; any method reaches them so that a wrong one
  // is counted.
  HttpResponse HandleAgent(const HttpRequest& request);
  HttpResponse HandleCall(const HttpRequest& request);
  // The HTTP server refused a request before the handler (413, 405, 408).
  void CountRefused(int status);

  // Applied directly by tests and the benchmark (no HTTP).
  // kRefused: over the agent or call limit (answered 429). kFuture: the
  // event time is beyond the allowed clock skew; counted as malformed and
  // dropped, like a duplicate.
  enum class Applied { kApplied, kDuplicate, kOutOfOrder, kRefused, kFuture };
  Applied ApplyAgent(const AgentEvent& event);
  Applied ApplyCall(const CallEvent& event);

  // Maintenance, on the maintenance poller's thread.
  // Drops calls older than call_ttl and agents silent for agent_ttl.
  void Expire(TimePoint now);
  // Agents the exporter knows of elsewhere (the CDR directory): one that
  // logged in while we missed its events is found by reconciliation.
  void SetKnownAgents(std::function<std::vector<std::string>()> known);
  // The next agent to re-read from agentdetails: restored ones first, then
  // the one read longest ago, then known agents not on the floor; nullopt
  // when there is none.
  std::optional<std::string> NextToReconcile(TimePoint now);
  // The agent's status read at `asked_at`; ignored when an event for the
  // agent arrived since (the event is newer). Returns whether it changed.
  bool Reconcile(const std::string& agent_id, const std::string& status,
                 TimePoint asked_at);
  // The state to persist, when it changed since the last call.
  std::optional<std::string> TakeStateIfChanged();
  // Restores a persisted state; false (nothing changed) when malformed.
  // Restored agents are re-read from agentdetails first.
  bool Restore(const std::string& json, std::string* error);

  std::vector<core::FamilySpec> Families() const override;
  void Render(core::MetricSink& sink) const override;

  uint64_t duplicates() const { return duplicates_.load(); }
  uint64_t out_of_order() const { return out_of_order_.load(); }

 private:
  struct AgentRecord {
    live::Agent agent;
    TimePoint last_event{};
    bool suspect = false;  // restored: its state may have moved since
    TimePoint last_reconciled{};
  };
  struct CallRecord {
    bool inbound = false;
    std::string queue;
    TimePoint first_event{};
    TimePoint last_event{};
    bool waiting = false;
    TimePoint waiting_since{};
    std::string agent;
  };

  bool Authorized(const HttpRequest& request) const;
  void CountReceived(Kind kind, std::string_view action);
  HttpResponse Refuse(Rejection reason, int status, const std::string& why);
  bool Deduplicate(uint64_t key, TimePoint time);
  // Takes back the key Deduplicate() recorded last (the event was refused).
  void ForgetLocked(uint64_t key);
  std::string QueueLabel(const std::string& skill);
  void SetAgentLocked(const AgentRecord& record);
  void RemoveAgentLocked(const std::string& id);
  void StartWaitingLocked(const CallRecord& call);
  void StopWaitingLocked(const CallRecord& call);
  void EndCallLocked(uint64_t ucid, TimePoint time);
  void PublishQueueLocked(const std::string& queue);
  void PublishCallsLocked();
  Applied ApplyAgentLocked(const AgentEvent& event, const Effect& effect);
  bool AddReconciledLocked(const std::string& agent_id,
                           const std::string& status, TimePoint asked_at);
  static std::string ActionLabel(Kind kind, std::string_view action);

  const EventsConfig config_;
  const Seconds timezone_offset_;
  live::Floor& floor_;
  const Clock& clock_;
  const core::Logger& logger_;
  const std::vector<core::FamilySpec> families_;

  mutable std::mutex mutex_;
  std::map<std::string, AgentRecord> agents_;
  std::map<std::string, TimePoint> logged_out_;  // for late events
  std::unordered_map<uint64_t, CallRecord> calls_;
  std::map<uint64_t, TimePoint> ended_calls_;     // ucid -> end
  std::map<std::string, std::multiset<TimePoint>> waiting_;  // by queue
  std::set<std::string> queues_;
  std::deque<std::pair<TimePoint, uint64_t>> dedupe_order_;
  std::unordered_set<uint64_t> dedupe_;
  std::function<std::vector<std::string>()> known_agents_;
  size_t known_cursor_ = 0;
  bool ask_known_next_ = false;  // alternate floor agents and known ones
  bool dirty_ = false;

  // Counters, rendered by Render().
  std::map<std::pair<std::string, std::string>, uint64_t> received_;
  std::array<std::atomic<uint64_t>, static_cast<size_t>(Rejection::kCount)>
      rejected_{};
  std::atomic<uint64_t> duplicates_{0};
  std::atomic<uint64_t> out_of_order_{0};
  std::atomic<uint64_t> expired_{0};
  std::atomic<uint64_t> reconciled_unchanged_{0};
  std::atomic<uint64_t> reconciled_corrected_{0};
  std::array<std::optional<double>, 2> last_received_;  // by Kind
};

}  // namespace callcenter::ozonetel::events

#endif  // CALLCENTER_OZONETEL_EVENTS_RECEIVER_H_
