#include "core/engine.h"

namespace callcenter::core {

Engine::Engine(const Clock& clock, const Logger& logger, StopSignal& stop,
               StateStore& store, BudgetGate& budgets,
               SnapshotPublisher& publisher)
    : clock_(clock),
      logger_(logger),
      stop_(stop),
      store_(store),
      budgets_(budgets),
      publisher_(publisher) {
  AddReadiness("storage", [this]() -> std::optional<std::string> {
    if (store_.health().writable()) return std::nullopt;
    return "state cannot be written under " + store_.directory() + " (" +
           store_.health().problem() + ")";
  });
}

Engine::~Engine() { Stop(); }

std::function<void()> Engine::AddSource(std::string name,
                                        const MetricSource* source,
                                        bool ticking) {
  const SnapshotPublisher::SourceId id =
      publisher_.Add(std::move(name), source, ticking);
  SnapshotPublisher* publisher = &publisher_;
  return [publisher, id] { publisher->MarkDirty(id); };
}

void Engine::AddPoller(Poller* poller, PollerSpec spec) {
  loops_.push_back(std::make_unique<PollLoop>(*poller, std::move(spec), clock_,
                                              stop_, logger_, &budgets_));
}

void Engine::AddRoute(Route route) { routes_.push_back(std::move(route)); }

void Engine::AddReadiness(std::string name, ReadinessCheck check) {
  readiness_.push_back({std::move(name), std::move(check)});
}

void Engine::AddHealth(const SourceHealth* health) {
  healths_.push_back(health);
}

std::vector<std::string> Engine::NotReady() const {
  std::vector<std::string> reasons;
  for (const Readiness& readiness : readiness_) {
    if (auto reason = readiness.check()) {
      reasons.push_back(readiness.name + ": " + *reason);
    }
  }
  return reasons;
}

std::vector<std::pair<std::string, uint64_t>> Engine::PollExceptions() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const auto& loop : loops_) out.emplace_back(loop->name(), loop->exceptions());
  return out;
}

void Engine::StartPolling() {
  for (auto& loop : loops_) loop->Start();
}

void Engine::Stop() {
  stop_.Stop();
  for (auto& loop : loops_) loop->Join();
}

}  // namespace callcenter::core
