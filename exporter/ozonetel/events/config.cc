#include "ozonetel/events/config.h"

#include "callcenter/common/strings.h"

namespace callcenter::ozonetel::events {
namespace {

using live::State;

std::map<std::string, Effect> DefaultActions() {
  return {
      {"login", {false, State::kAvailable}},
      {"release", {false, State::kAvailable}},
      {"idle", {false, State::kAvailable}},
      {"ready", {false, State::kAvailable}},
      {"incall", {false, State::kBusy}},
      {"busy", {false, State::kBusy}},
      {"acw", {false, State::kWrapup}},
      {"aux", {false, State::kPause}},
      {"pause", {false, State::kPause}},
      {"logout", {true, State::kUnknown}},
  };
}

std::map<std::string, Effect> DefaultStatuses() {
  return {
      {"ready", {false, State::kAvailable}},
      {"ringing", {false, State::kRinging}},
      {"busy", {false, State::kBusy}},
      {"acw", {false, State::kWrapup}},
      {"pause", {false, State::kPause}},
      {"dialing", {false, State::kOutbound}},
      {"logout", {true, State::kUnknown}},
  };
}

// A mapping `{raw: state}`; "logged_out" means the agent leaves the floor.
void ParseEffects(core::ConfigNode& section, const std::string& key,
                  std::map<std::string, Effect>* effects) {
  std::vector<std::pair<std::string, std::string>> entries;
  section.StringMap(key, &entries);
  if (entries.empty()) return;
  effects->clear();
  for (const auto& [raw, state] : entries) {
    Effect effect;
    if (state == "logged_out") {
      effect.logout = true;
    } else if (auto parsed = live::ParseState(state)) {
      effect.state = *parsed;
    } else {
      section.Error(key + "." + raw,
                    "must be a live state (available, ringing, busy, hold, "
                    "wrapup, pause, outbound, supervising, unknown) or "
                    "logged_out, got \"" + state + "\"");
      continue;
    }
    (*effects)[ToLower(raw)] = effect;
  }
}

void ParseState(core::ConfigNode& section, const std::string& key,
                State* out) {
  std::string name(live::StateName(*out));
  section.String(key, &name);
  if (auto parsed = live::ParseState(name)) {
    *out = *parsed;
  } else {
    section.Error(key, "must be a live state, got \"" + name + "\"");
  }
}

}  // namespace

EventsConfig DefaultEventsConfig() {
  EventsConfig config;
  config.actions = DefaultActions();
  config.statuses = DefaultStatuses();
  return config;
}

bool ParseEventsConfig(core::ConfigNode& ozonetel, const core::EnvLookup& env,
                       EventsConfig* config) {
  if (!ozonetel.Has("events")) return false;
  *config = DefaultEventsConfig();
  core::ConfigNode section = ozonetel.Child("events");
  section.String("path_prefix", &config->path_prefix);
  if (config->path_prefix.empty() || config->path_prefix[0] != '/' ||
      config->path_prefix.back() == '/') {
    section.Error("path_prefix", "must start with / and not end with /");
  }
  section.Secret("token_file", "OZONETEL_EVENTS_TOKEN", env, &config->token);
  if (!config->token.empty() && config->token.size() < 16) {
    section.Error("token_file", "the token must be at least 16 characters");
  }
  ParseEffects(section, "agent_states", &config->actions);
  ParseState(section, "calling_inbound", &config->calling_inbound);
  ParseState(section, "calling_outbound", &config->calling_outbound);
  ParseEffects(section, "status_states", &config->statuses);
  section.StringList("inbound_call_types", &config->inbound_call_types);
  for (std::string& type : config->inbound_call_types) type = ToLower(type);
  section.Duration("call_ttl", &config->call_ttl, Seconds(60),
                   std::chrono::hours(48));
  section.Duration("agent_ttl", &config->agent_ttl, Seconds(60),
                   std::chrono::hours(72));
  section.Duration("dedupe_window", &config->dedupe_window, Seconds(1),
                   std::chrono::hours(1));
  int max_queues = static_cast<int>(config->max_queues);
  section.Int("max_queues", &max_queues, 1, 10000);
  config->max_queues = static_cast<size_t>(max_queues);
  section.Bool("reconcile", &config->reconcile);
  section.Duration("save_interval", &config->save_interval, Seconds(1),
                   std::chrono::minutes(10));
  section.String("subscription_url", &config->subscription_url);
  if (!StartsWith(config->subscription_url, "http://") &&
      !StartsWith(config->subscription_url, "https://")) {
    section.Error("subscription_url", "must start with http:// or https://");
  }
  section.RejectUnknown();
  return true;
}

}  // namespace callcenter::ozonetel::events
