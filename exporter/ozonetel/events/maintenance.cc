#include "ozonetel/events/maintenance.h"

namespace callcenter::ozonetel::events {

Maintenance::Maintenance(Deps deps, Seconds save_interval)
    : deps_(std::move(deps)), save_interval_(save_interval) {}

void Maintenance::LoadState() {
  if (deps_.state == nullptr) return;
  core::StateFile::Loaded loaded = deps_.state->Load();
  if (loaded.status != core::StateFile::Status::kLoaded) return;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  loaded.snapshot.Accept(writer);
  std::string error;
  if (!deps_.receiver.Restore(
          std::string(buffer.GetString(), buffer.GetSize()), &error)) {
    deps_.state->SetAside(error);
    return;
  }
  deps_.logger.Info("events", "live state restored; re-reading agents",
                    {{"file", deps_.state->path()}});
}

void Maintenance::Save() {
  if (deps_.state == nullptr) return;
  if (auto state = deps_.receiver.TakeStateIfChanged()) {
    // A failed save shows in the store's health; the next change retries.
    deps_.state->Save(*state);
  }
  last_save_ = deps_.clock.Now();
}

core::PollResult Maintenance::Poll() {
  const TimePoint now = deps_.clock.Now();
  deps_.receiver.Expire(now);
  if (now - last_save_ >= save_interval_) Save();
  if (deps_.api == nullptr) return core::PollResult::Idle(now + save_interval_);
  const auto agent = deps_.receiver.NextToReconcile(now);
  if (!agent) return core::PollResult::Idle(now + save_interval_);
  AgentDetails details;
  const TimePoint asked_at = deps_.clock.Now();
  const Outcome outcome = deps_.api->FetchAgentDetails(*agent, &details);
  if (outcome.cancelled) return core::PollResult::Cancelled();
  if (outcome.unrecorded) {
    return core::PollResult::Failed("storage",
                                    "request history cannot be written");
  }
  if (!outcome.ok()) {
    return core::PollResult::Failed(
        std::string(FailureReasonName(outcome.failure->reason)),
        outcome.failure->message, outcome.failure->retry_after);
  }
  deps_.receiver.Reconcile(*agent, details.status, asked_at);
  return core::PollResult::Ok();
}

}  // namespace callcenter::ozonetel::events
