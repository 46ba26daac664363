#include "cccp/states.h"

#include "callcenter/common/strings.h"

namespace callcenter::cccp {
namespace {

constexpr std::array<std::string_view, kCccpStateCount> kNames = {
    "plugged",
    "ringing",
    "busy",
    "hold",
    "wrapup",
    "pause",
    "outbound",
    "supervisor_plugged",
    "supervisor_unplugged",
    "supervisor_interface",
    "logged_out",
    "unknown",
};

std::string LiveStateChoices() {
  std::string choices;
  for (int s = 0; s < live::kStateCount; ++s) {
    if (!choices.empty()) choices += ", ";
    choices += live::StateName(static_cast<live::State>(s));
  }
  return choices;
}

}  // namespace

std::string_view CccpStateName(CccpState state) {
  return kNames[static_cast<size_t>(state)];
}

std::optional<CccpState> ParseCccpState(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (EqualsIgnoreCase(kNames[i], name)) return static_cast<CccpState>(i);
  }
  return std::nullopt;
}

StateMapping::StateMapping() {
  using live::State;
  map_ = {State::kAvailable,   State::kRinging,   State::kBusy,
          State::kHold,        State::kWrapup,    State::kPause,
          State::kOutbound,    State::kAvailable, State::kSupervising,
          State::kSupervising, State::kUnknown,   State::kUnknown};
}

live::State StateMapping::Map(CccpState state) const {
  return map_[static_cast<size_t>(state)];
}

void StateMapping::Set(CccpState state, live::State live) {
  map_[static_cast<size_t>(state)] = live;
}

void ParseStateMapping(core::ConfigNode& section, StateMapping* mapping) {
  std::vector<std::pair<std::string, std::string>> entries;
  section.StringMap("states", &entries);
  for (const auto& [key, value] : entries) {
    const std::string path = "states." + key;
    const auto state = ParseCccpState(key);
    if (!state || *state == CccpState::kLoggedOut) {
      section.Error(path,
                    "not a CCCP state (logged_out has no live state; the "
                    "others are plugged, ringing, busy, hold, wrapup, pause, "
                    "outbound, supervisor_plugged, supervisor_unplugged, "
                    "supervisor_interface, unknown)");
      continue;
    }
    const auto live = live::ParseState(ToLower(value));
    if (!live) {
      section.Error(path, "must be one of " + LiveStateChoices() + ", got \"" +
                              value + "\"");
      continue;
    }
    mapping->Set(*state, *live);
  }
}

}  // namespace callcenter::cccp
