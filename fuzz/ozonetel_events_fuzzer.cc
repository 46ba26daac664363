// The Ozonetel event webhook: ParseAgentEvent / ParseCallEvent, then the
// Receiver applying a sequence of events to a live::Floor on a FakeClock.
//
// Input: lines (fuzz/README.md), each one step:
//   A<json>   an agent event body        C<json>  a call event body
//   T<n>      the clock moves n seconds forward (0..86400)
//   E         expiry at the clock's time
//   N<ids>    agents the CDR directory learns (comma-separated), known
//             for reconciliation
//   K<status> the next agent to reconcile reads `status` now
//   O<agents> <queues> <names>   (first line only) live.max_agents,
//             events.max_queues, publish_names (0/1)
//
// Invariants: a parsed event keeps its fields within kMaxFieldBytes; the
// floor's view is sorted, its state counts add up to its agents, waits and
// calls are never negative, and agents stay within max_agents; the floor
// and the receiver render valid exposition text; the state the receiver
// saves restores into a fresh receiver and floor as the same floor (agents
// with their state, times and queue; calls; waiting queues).
#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/common/timeutil.h"
#include "core/text_writer.h"
#include "directory/agent_directory.h"
#include "fuzz_util.h"
#include "live/floor.h"
#include "ozonetel/events/config.h"
#include "ozonetel/events/event.h"
#include "ozonetel/events/receiver.h"

namespace callcenter::ozonetel::events {
namespace {

const Seconds kIst{5 * 3600 + 30 * 60};

size_t Number(std::string_view text, size_t fallback) {
  size_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() ? value : fallback;
}

void CheckView(const live::FloorView& view, size_t max_agents) {
  FUZZ_CHECK(view.agents.size() <= max_agents);
  int counted = 0;
  for (int count : view.counts) {
    FUZZ_CHECK(count >= 0);
    counted += count;
  }
  FUZZ_CHECK(static_cast<size_t>(counted) == view.agents.size());
  for (size_t i = 1; i < view.agents.size(); ++i) {
    FUZZ_CHECK(view.agents[i - 1].id < view.agents[i].id);
  }
  for (size_t i = 1; i < view.queues.size(); ++i) {
    FUZZ_CHECK(view.queues[i - 1].name < view.queues[i].name);
  }
  for (const live::Queue& queue : view.queues) {
    FUZZ_CHECK(queue.waiting >= 0);
    FUZZ_CHECK((queue.waiting > 0) == queue.oldest_waiting_since.has_value());
  }
  FUZZ_CHECK(view.calls.inbound >= 0 && view.calls.outbound >= 0);
}

bool SameAgent(const live::Agent& a, const live::Agent& b) {
  return a.id == b.id && a.state == b.state && a.since == b.since &&
         a.login_at == b.login_at && a.queue == b.queue;
}

// The floor as the saved state can hold it: queues only while calls wait.
bool SameFloor(const live::FloorView& a, const live::FloorView& b) {
  if (a.agents.size() != b.agents.size()) return false;
  for (size_t i = 0; i < a.agents.size(); ++i) {
    if (!SameAgent(a.agents[i], b.agents[i])) return false;
  }
  if (a.calls.inbound != b.calls.inbound ||
      a.calls.outbound != b.calls.outbound) {
    return false;
  }
  auto waiting = [](const live::FloorView& view) {
    std::vector<const live::Queue*> queues;
    for (const live::Queue& queue : view.queues) {
      if (queue.waiting > 0) queues.push_back(&queue);
    }
    return queues;
  };
  const auto wa = waiting(a);
  const auto wb = waiting(b);
  if (wa.size() != wb.size()) return false;
  for (size_t i = 0; i < wa.size(); ++i) {
    if (wa[i]->name != wb[i]->name || wa[i]->waiting != wb[i]->waiting ||
        wa[i]->oldest_waiting_since != wb[i]->oldest_waiting_since) {
      return false;
    }
  }
  return true;
}

}  // namespace
}  // namespace callcenter::ozonetel::events

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callcenter;
  using namespace callcenter::ozonetel::events;
  using callcenter::fuzz::IsValidExposition;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines = fuzz::SplitAt(input, "\n");
  if (lines.size() > 2000) return 0;

  live::FloorOptions options;
  EventsConfig config = DefaultEventsConfig();
  config.token = "fuzz";
  if (!lines.empty() && !lines[0].empty() && lines[0][0] == 'O') {
    const std::vector<std::string_view> words =
        fuzz::SplitAt(lines[0].substr(1), " ");
    options.max_agents = std::min<size_t>(Number(words[0], 5000), 5000);
    if (words.size() > 1) {
      config.max_queues = std::min<size_t>(Number(words[1], 200), 1000);
    }
    if (words.size() > 2) options.publish_names = words[2] == "1";
  }

  const fuzz::NullLogger logger;
  FakeClock clock(*ParseLocalDateTime("2026-03-02 10:00:00", kIst));
  auto floor = std::make_unique<live::Floor>(options);
  auto receiver =
      std::make_unique<Receiver>(config, kIst, *floor, clock, logger.get());
  // Known agents come from the CDR directory, as in ozonetel/module.cc.
  directory::AgentDirectory known(directory::DirectoryConfig{});
  receiver->SetKnownAgents([&known] { return known.Ids(); });

  for (std::string_view line : lines) {
    if (line.empty()) continue;
    const std::string_view rest = line.substr(1);
    switch (line[0]) {
      case 'A': {
        AgentEvent event;
        if (ParseAgentEvent(rest, kIst, &event).empty()) {
          FUZZ_CHECK(!event.agent_id.empty() &&
                     event.agent_id.size() <= kMaxFieldBytes);
          FUZZ_CHECK(!event.action.empty() &&
                     event.action.size() <= kMaxFieldBytes);
          FUZZ_CHECK(event.mode.size() <= kMaxFieldBytes);
          receiver->ApplyAgent(event);
        }
        break;
      }
      case 'C': {
        CallEvent event;
        if (ParseCallEvent(rest, kIst, &event).empty()) {
          FUZZ_CHECK(!event.action.empty() &&
                     event.action.size() <= kMaxFieldBytes);
          FUZZ_CHECK(event.agent_id.size() <= kMaxFieldBytes);
          FUZZ_CHECK(event.skill.size() <= kMaxFieldBytes);
          FUZZ_CHECK(event.call_type.size() <= kMaxFieldBytes);
          receiver->ApplyCall(event);
        }
        break;
      }
      case 'T':
        clock.Advance(Seconds(std::min<size_t>(Number(rest, 0), 86400)));
        break;
      case 'E':
        receiver->Expire(clock.Now());
        break;
      case 'N':
        for (std::string_view id : fuzz::SplitAt(rest, ",")) {
          known.Learn(std::string(id), "", 0);
        }
        break;
      case 'K':
        if (auto id = receiver->NextToReconcile(clock.Now())) {
          receiver->Reconcile(*id, std::string(rest), clock.Now());
        }
        break;
      default:
        break;
    }
  }

  const std::shared_ptr<const live::FloorView> view = floor->View();
  CheckView(*view, options.max_agents);
  FUZZ_CHECK(IsValidExposition(core::RenderText(*floor)));
  FUZZ_CHECK(IsValidExposition(core::RenderText(*receiver)));

  // What a restart restores.
  if (const std::optional<std::string> state = receiver->TakeStateIfChanged()) {
    live::Floor restored_floor(options);
    Receiver restored(config, kIst, restored_floor, clock, logger.get());
    std::string error;
    const bool ok = restored.Restore(*state, &error);
    if (!ok) fprintf(stderr, "restore failed: %s\n", error.c_str());
    FUZZ_CHECK(ok);
    FUZZ_CHECK(SameFloor(*view, *restored_floor.View()));
  }
  return 0;
}
