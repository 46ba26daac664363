// Figure 6: Ozonetel agent events at 5,000 logged-in agents, with the
// publisher's render thread re-rendering the live floor (55k series) as
// it does in the exporter. Three numbers: events applied per second when
// POSTed over loopback by two clients, the same applied straight through
// the receiver's handler (no sockets: the receiver and rendering alone),
// and the latency from POST to the change being visible in a scrape while
// a background load of 2,000 events/s runs.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "callcenter/common/timeutil.h"
#include "centre.h"
#include "in_process_exporter.h"
#include "loopback_http.h"
#include "sizes.h"

namespace callcenter::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr Seconds kIst{5 * 3600 + 30 * 60};
constexpr int kClients = 2;
constexpr int kHttpEvents = 20000;
constexpr int kDirectEvents = 100000;
constexpr int kLatencySamples = 20;
// Agents the latency probe uses; the background load uses the others.
constexpr int kProbeAgents = 100;
constexpr double kBackgroundPerSecond = 2000;
// The state each round of events puts an agent in, and how it is shown.
constexpr const char* kActions[] = {"incall", "ACW", "pause", "release"};
constexpr const char* kStates[] = {"busy", "wrapup", "pause", "available"};

// The flat envelope, as ozonetel_sim sends it (simulator/src/event_payload.cc).
std::string AgentEventJson(int agent, const char* action, TimePoint time) {
  return R"({"eventType":"Agent","eventTime":")" +
         FormatLocalDateTime(time, kIst) + R"(","username":"acme","action":")" +
         action + R"(","agentId":")" + AgentId(agent) + R"(","agentUniqeId":)" +
         std::to_string(279801 + agent) + R"(,"agentMode":"INBOUND"})";
}

// Event `index` of a sequence: agents in turn, each round one second later
// than the last (after the logins an hour ago), so none is a duplicate or
// out of order.
struct EventPlan {
  TimePoint base = std::chrono::system_clock::now() - Seconds(3000);
  int agents = kAgents;
  int first_agent = 0;

  std::string Body(int index) const {
    const int span = agents - first_agent;
    const int round = index / span;
    return AgentEventJson(first_agent + index % span, kActions[round % 4],
                          base + Seconds(round + 1));
  }
};

bool PostEvent(int port, std::string body) {
  HttpRequestSpec request;
  request.method = "POST";
  request.target = InProcessExporter::kAgentPath;
  request.body = std::move(body);
  return Fetch(port, request).status == 200;
}

void ReportRenders(benchmark::State& state, InProcessExporter& exporter,
                   uint64_t renders_before, double seconds) {
  state.counters["renders_per_s"] =
      static_cast<double>(exporter.publisher().renders() - renders_before) /
      seconds;
  state.counters["duplicates_or_late"] = static_cast<double>(
      exporter.receiver()->duplicates() + exporter.receiver()->out_of_order());
}

void BM_EventsOverHttp(benchmark::State& state) {
  InProcessExporter exporter({kAgents, true, true});
  if (exporter.port() == 0)
    return state.SkipWithError(exporter.error().c_str());
  const EventPlan plan;
  std::atomic<int> accepted{0};
  double seconds = 0;
  const uint64_t renders = exporter.publisher().renders();
  for (auto _ : state) {
    const auto start = SteadyClock::now();
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        for (int i = c; i < kHttpEvents; i += kClients) {
          if (PostEvent(exporter.port(), plan.Body(i))) accepted.fetch_add(1);
        }
      });
    }
    for (std::thread& client : clients) client.join();
    seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    state.SetIterationTime(seconds);
  }
  state.counters["events_per_s"] = accepted.load() / seconds;
  state.counters["accepted"] = accepted.load();
  ReportRenders(state, exporter, renders, seconds);
}
BENCHMARK(BM_EventsOverHttp)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_EventsThroughHandler(benchmark::State& state) {
  InProcessExporter exporter({kAgents, true, true});
  const EventPlan plan;
  HttpRequest request;
  request.method = "POST";
  request.path = "/ozonetel/events/agent";
  request.query = std::string("token=") + InProcessExporter::kEventsToken;
  int accepted = 0;
  double seconds = 0;
  const uint64_t renders = exporter.publisher().renders();
  for (auto _ : state) {
    const auto start = SteadyClock::now();
    for (int i = 0; i < kDirectEvents; ++i) {
      request.body = plan.Body(i);
      if (exporter.receiver()->HandleAgent(request).status == 200) ++accepted;
    }
    seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    state.SetIterationTime(seconds);
  }
  state.counters["events_per_s"] = accepted / seconds;
  state.counters["accepted"] = accepted;
  ReportRenders(state, exporter, renders, seconds);
}
BENCHMARK(BM_EventsThroughHandler)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// Posts the plan's events at `per_second` until `stop`.
void BackgroundLoad(int port, const EventPlan& plan, double per_second,
                    const std::atomic<bool>& stop, std::atomic<int>* sent) {
  const auto interval = std::chrono::duration<double>(1.0 / per_second);
  auto next = SteadyClock::now();
  for (int i = 0; !stop.load(); ++i) {
    if (PostEvent(port, plan.Body(i))) sent->fetch_add(1);
    next += std::chrono::duration_cast<SteadyClock::duration>(interval);
    std::this_thread::sleep_until(next);
  }
}

// POSTs one probe event and scrapes until its state shows; seconds taken.
double ProbeLatency(int port, int sample, const EventPlan& probes) {
  const int agent = sample % kProbeAgents;
  const int round = sample / kProbeAgents;
  const std::string line = "callcenter_agent_state{agent=\"" + AgentId(agent) +
                           "\",state=\"" + kStates[round % 4] + "\"} 1\n";
  const auto start = SteadyClock::now();
  PostEvent(port, probes.Body(sample));
  HttpRequestSpec scrape;
  scrape.keep_body = true;
  while (Fetch(port, scrape).body.find(line) == std::string::npos) {
    if (SteadyClock::now() - start > std::chrono::seconds(10)) return 10;
  }
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

void BM_EventToScrape(benchmark::State& state) {
  InProcessExporter exporter({kAgents, true, true});
  if (exporter.port() == 0)
    return state.SkipWithError(exporter.error().c_str());
  EventPlan background;
  background.first_agent = kProbeAgents;
  EventPlan probes;
  probes.agents = kProbeAgents;
  std::atomic<bool> stop{false};
  std::atomic<int> sent{0};
  std::vector<std::thread> load;
  for (int c = 0; c < kClients; ++c) {
    load.emplace_back(BackgroundLoad, exporter.port(), std::cref(background),
                      kBackgroundPerSecond / kClients, std::cref(stop), &sent);
  }
  Samples samples;
  const auto start = SteadyClock::now();
  int sample = 0;
  for (auto _ : state) {
    const double seconds = ProbeLatency(exporter.port(), sample++, probes);
    state.SetIterationTime(seconds);
    samples.Add(seconds);
  }
  stop.store(true);
  for (std::thread& thread : load) thread.join();
  const double elapsed =
      std::chrono::duration<double>(SteadyClock::now() - start).count();
  state.counters["p50_ms"] = samples.Percentile(50) * 1e3;
  state.counters["p99_ms"] = samples.Percentile(99) * 1e3;
  state.counters["background_per_s"] = sent.load() / elapsed;
}
BENCHMARK(BM_EventToScrape)
    ->Iterations(kLatencySamples)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace callcenter::bench
