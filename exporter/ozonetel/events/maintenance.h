// The events source's background work, kept off the webhook's path: drop
// calls and agents past their time to live, save the live state at most
// every few seconds, and re-read agents whose state may be stale (restored
// after a restart first, then round-robin) from agentdetails, inside that
// API's own budget.
#ifndef CALLCENTER_OZONETEL_EVENTS_MAINTENANCE_H_
#define CALLCENTER_OZONETEL_EVENTS_MAINTENANCE_H_

#include "callcenter/common/clock.h"
#include "core/logging.h"
#include "core/poll_loop.h"
#include "core/state_store.h"
#include "ozonetel/client.h"
#include "ozonetel/events/receiver.h"

namespace callcenter::ozonetel::events {

class Maintenance final : public core::Poller {
 public:
  struct Deps {
    Receiver& receiver;
    Api* api;                // null: no reconciliation
    core::StateFile* state;  // live_state.json; null: not persisted
    const Clock& clock;
    const core::Logger& logger;
  };
  Maintenance(Deps deps, Seconds save_interval);

  // Restores the saved live state (a corrupt file is set aside).
  void LoadState();
  // Saves the live state when it changed; called at shutdown too.
  void Save();
  core::PollResult Poll() override;

 private:
  Deps deps_;
  const Seconds save_interval_;
  TimePoint last_save_{};
};

}  // namespace callcenter::ozonetel::events

#endif  // CALLCENTER_OZONETEL_EVENTS_MAINTENANCE_H_
