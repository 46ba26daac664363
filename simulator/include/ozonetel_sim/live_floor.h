// The live floor at an instant, by replaying the day timelines through the
// rules of live-floor.md: who is logged in, in which state since when, calls
// waiting per queue and calls in progress. Two views of the same events:
//  * Ozonetel: the pushed agent and call events only (no hold, no
//    supervisors), in the live vocabulary;
//  * CCCP: the same plus hold inside calls and supervisors, in the 12-state
//    CCCP vocabulary (mapped to the live one for /_sim/live?view=cccp).
#ifndef OZONETEL_SIM_LIVE_FLOOR_H_
#define OZONETEL_SIM_LIVE_FLOOR_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ozonetel_sim/account.h"
#include "ozonetel_sim/floor_events.h"

namespace callcenter::sim {

// cccp-snapshot.md §3.1.
enum class CccpState : uint8_t {
  kPlugged,
  kRinging,
  kBusy,
  kHold,
  kWrapup,
  kPause,
  kOutbound,
  kSupervisorPlugged,
  kSupervisorUnplugged,
  kSupervisorInterface,
  kLoggedOut,
  kUnknown,
};

// live-floor.md §1.1.
enum class LiveState : uint8_t {
  kAvailable,
  kRinging,
  kBusy,
  kHold,
  kWrapup,
  kPause,
  kOutbound,
  kSupervising,
  kUnknown,
};
inline constexpr int kLiveStateCount = 9;

enum class FloorView { kOzonetel, kCccp };

const char* CccpStateName(CccpState state);
const char* LiveStateName(LiveState state);
LiveState ToLive(CccpState state);
// The state an event puts a logged-in user in (login included).
CccpState StateAfter(const FloorEvent& event);

// One user (agent or supervisor) at the instant.
struct UserFloor {
  bool logged_in = false;
  CccpState state = CccpState::kLoggedOut;
  int64_t since = 0;     // start of the current run of `state`
  int64_t login_at = 0;  // time of the login event
  // The last event applied (Ozonetel view: what a receiver saw last).
  int64_t last_event_time = 0;
  Action last_action = Action::kLogin;
  // The local day of the instant, up to the instant.
  int64_t pause_seconds = 0;
  int64_t outbound_seconds = 0;
  int64_t inbound_managed = 0;  // answered
  int64_t inbound_lost = 0;     // rang this agent, never answered
};

struct QueueStaff {
  int64_t logged = 0;
  int64_t working = 0;    // ringing, busy, hold, wrapup
  int64_t withdrawn = 0;  // pause
  int64_t outbound = 0;
  int64_t supervision = 0;  // supervisors on the supervision interface
  int64_t latent = 0;       // supervisors logged in but unplugged
};

struct QueueFloor {
  int64_t waiting = 0;
  std::optional<int64_t> oldest_since;  // start of the oldest waiting call
  int64_t running = 0;                  // answered, not yet disconnected
  QueueStaff staff;                     // by home queue
  // The local day of the instant, up to it.
  int64_t managed_today = 0;      // answered
  int64_t failed_today = 0;       // disconnected while waiting
  int64_t waiting_max_today = 0;  // longest finished wait, seconds
};

struct Floor {
  int64_t at = 0;
  FloorView view = FloorView::kOzonetel;
  std::vector<UserFloor> agents;       // account order
  std::vector<UserFloor> supervisors;  // CCCP view only
  std::vector<QueueFloor> queues;      // account order
  int64_t active_inbound = 0;
  int64_t active_outbound = 0;
  int64_t waiting = 0;
};

// Replays `previous` (the day before, or null when nothing crosses midnight)
// and `today` up to and including `at`. Users whose login happened before
// the replay's start are not logged in; no shift lasts a day, so that never
// touches the state at `at`.
Floor ComputeFloor(const Account& account, const DayTimeline* previous,
                   const DayTimeline& today, int64_t at, FloorView view);

// Whether the agent's last Ozonetel event (time, action) was dropped.
using DroppedLookup = std::function<bool(int agent, int64_t, Action)>;

// The body of /_sim/live.
std::string LiveFloorJson(const Account& account, const Floor& floor,
                          const DroppedLookup& dropped);

// The agentdetails Status: Ready, Ringing, Busy, ACW, Pause, Dialing, Logout.
std::string AgentDetailsStatus(const UserFloor& agent);

std::string AgentProfile(const Account& account, int agent);
inline constexpr char kSupervisorProfile[] = "Superviseur_default";

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_LIVE_FLOOR_H_
