// The closed CCCP state vocabulary (cccp-snapshot.md §3.1) and its mapping
// onto the live floor's states (live-floor.md §1.1). The mapping is
// configuration with the documented defaults; a document's state is
// matched case-insensitively.
#ifndef CALLCENTER_CCCP_STATES_H_
#define CALLCENTER_CCCP_STATES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/config_reader.h"
#include "live/floor.h"

namespace callcenter::cccp {

enum class CccpState : uint8_t {
  kPlugged = 0,
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
inline constexpr int kCccpStateCount = 12;

std::string_view CccpStateName(CccpState state);
// One of the 12 names, in any case; nullopt for anything else.
std::optional<CccpState> ParseCccpState(std::string_view name);

// CCCP state -> live state. `logged_out` has no live state: such agents
// are not on the floor at all.
class StateMapping {
 public:
  // The defaults of live-floor.md §1.1.
  StateMapping();
  live::State Map(CccpState state) const;
  void Set(CccpState state, live::State live);

 private:
  std::array<live::State, kCccpStateCount> map_;
};

// Reads `states:` below `section`: keys from the CCCP vocabulary (except
// logged_out), values live states. Missing keys keep their defaults.
void ParseStateMapping(core::ConfigNode& section, StateMapping* mapping);

}  // namespace callcenter::cccp

#endif  // CALLCENTER_CCCP_STATES_H_
