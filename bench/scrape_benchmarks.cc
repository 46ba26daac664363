// Figure 1: scrape latency at 5,000 agents over a real loopback connection,
// plain and gzip, for our snapshot behind web::WebServer and for the same
// series in a prometheus-cpp Registry behind its Exposer. Every iteration
// is one scrape on a new connection, read to the end; the benchmark time is
// the mean, and p50/p99 are counters.
#include <benchmark/benchmark.h>
#include <prometheus/exposer.h>

#include <memory>
#include <string>

#include "centre.h"
#include "in_process_exporter.h"
#include "loopback_http.h"
#include "sizes.h"

namespace callcenter::bench {
namespace {

enum class Server { kOurs, kExposer };

// The body as a client sees it after decoding: what both servers must
// agree on.
std::string DecodedBody(const HttpResult& result) {
  return result.gzip ? Gunzip(result.body) : result.body;
}

// Scrapes `port` once per iteration; false when a scrape failed.
void ScrapeLoop(benchmark::State& state, int port, bool gzip) {
  HttpRequestSpec request;
  request.accept_gzip = gzip;
  request.keep_body = true;
  // Untimed: warms the server's caches and checks what it serves.
  const HttpResult first = Fetch(port, request);
  if (first.status != 200 || first.gzip != gzip) {
    state.SkipWithError("the first scrape failed");
    return;
  }
  const std::string text = DecodedBody(first);
  request.keep_body = false;
  Samples samples;
  for (auto _ : state) {
    const HttpResult result = Fetch(port, request);
    if (result.status != 200) {
      state.SkipWithError("a scrape failed");
      break;
    }
    state.SetIterationTime(result.seconds);
    samples.Add(result.seconds);
  }
  state.counters["p50_ms"] = samples.Percentile(50) * 1e3;
  state.counters["p99_ms"] = samples.Percentile(99) * 1e3;
  state.counters["body_bytes"] = static_cast<double>(first.body_bytes);
  state.counters["text_bytes"] = static_cast<double>(text.size());
  state.counters["series"] = static_cast<double>(CountSeries(text));
}

void BM_Scrape(benchmark::State& state, Server server, bool gzip) {
  const int agents = static_cast<int>(state.range(0));
  if (server == Server::kOurs) {
    InProcessExporter exporter({agents, false, false});
    if (exporter.port() == 0)
      return state.SkipWithError(exporter.error().c_str());
    ScrapeLoop(state, exporter.port(), gzip);
    return;
  }
  SystemClock clock;
  Centre centre(agents, clock);
  auto registry = MakeRegistry(centre.Sources());
  // prometheus-cpp's defaults: CivetWeb with two worker threads.
  prometheus::Exposer exposer("127.0.0.1:0");
  exposer.RegisterCollectable(registry);
  ScrapeLoop(state, exposer.GetListeningPorts().front(), gzip);
}

// Ours answers in milliseconds, the Exposer in hundreds of milliseconds:
// fewer iterations of the peer keep the run short (its p99 is then its
// maximum). The Exposer's body holds 7 more series than ours: its own
// exposer_* metrics.
BENCHMARK_CAPTURE(BM_Scrape, ours_plain, Server::kOurs, false)
    ->Arg(kAgents)
    ->Iterations(kOurScrapes)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Scrape, ours_gzip, Server::kOurs, true)
    ->Arg(kAgents)
    ->Iterations(kOurScrapes)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Scrape, exposer_plain, Server::kExposer, false)
    ->Arg(kAgents)
    ->Iterations(kPeerScrapes)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Scrape, exposer_gzip, Server::kExposer, true)
    ->Arg(kAgents)
    ->Iterations(kPeerScrapes)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace callcenter::bench
