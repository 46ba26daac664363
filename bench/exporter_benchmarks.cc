// Figures for the hot paths: the streaming CDR parse, a snapshot render for
// a large centre, and what a scrape costs. Benchmarks report numbers; they
// are not tests and assert nothing.
#include <benchmark/benchmark.h>

#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "callcenter/cdr_metrics.h"
#include "callcenter/common/http_server.h"
#include "callcenter/exporter_app.h"
#include "callcenter/logging.h"
#include "callcenter/ozonetel/detail/cdr_stream.h"
#include "callcenter/snapshot.h"

namespace callcenter {
namespace {

std::string CdrBody(int records) {
  std::string body = R"({"status":"success","message":"","details":[)";
  for (int i = 0; i < records; ++i) {
    if (i > 0) body += ",";
    body +=
        R"({"CallID":)" + std::to_string(31733467784618213LL + i) +
        R"(,"CallDate":"2026-03-02","StartTime":"12:20:00","EndTime":"12:20:57","Duration":"00:00:57","TalkTime":"00:00:53","HandlingTime":"00:00:58","CallerID":"9800000000","AgentID":"agent)" +
        std::to_string(i % 400) +
        R"(","AgentName":"Agent","CampaignName":"Inbound_Main","Type":"InBound","Status":"Answered","Disposition":"APPOINTMENT_BOOKED","QueueTime":"00:00:02","HoldDuration":"00:00:00","WrapupDuration":"00:00:05","TimeToAnswer":"00:00:04","DialCount":1,"UCID":31733467784618213,"WrapUpEndTime":"12:21:02","WrapUpStartTime":"12:20:57"})";
  }
  return body + "]}";
}

void BM_StreamingCdrParse(benchmark::State& state) {
  const std::string body = CdrBody(static_cast<int>(state.range(0)));
  size_t peak = 0;
  for (auto _ : state) {
    ozonetel::detail::ChunkQueue queue;
    std::thread producer([&] {
      for (size_t at = 0; at < body.size(); at += 16384) {
        if (!queue.Push(std::string_view(body).substr(at, 16384))) break;
      }
      queue.Finish();
    });
    size_t records = 0;
    ozonetel::detail::CdrStreamStats stats;
    ozonetel::detail::ParseCdrBody(
        queue, [&](ozonetel::CdrRecord&&) { ++records; }, &stats);
    producer.join();
    peak = std::max(peak, stats.peak_buffered_bytes);
    benchmark::DoNotOptimize(records);
  }
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["peak_buffered_bytes"] = static_cast<double>(peak);
}
BENCHMARK(BM_StreamingCdrParse)->Arg(1000)->Arg(20000);

std::unique_ptr<CdrMetrics> BigCentre(int agents) {
  auto metrics = std::make_unique<CdrMetrics>(CdrMetricsOptions{true, 50, 50});
  for (int a = 0; a < agents; ++a) {
    for (int d = 0; d < 8; ++d) {
      CallFacts call;
      call.agent = "agent" + std::to_string(a);
      call.direction = d % 2 ? "inbound" : "outbound";
      call.answered = d % 3 != 0;
      call.disposition = "DISPOSITION_" + std::to_string(d);
      call.campaign = "Campaign_" + std::to_string(d % 4);
      call.talk = 100 + d;
      metrics->Count(call);
    }
  }
  return metrics;
}

void BM_RenderSnapshot(benchmark::State& state) {
  std::ostringstream log;
  Logger logger(log, LogLevel::kError);
  auto metrics = BigCentre(static_cast<int>(state.range(0)));
  SnapshotPublisher publisher(logger, std::chrono::milliseconds(0));
  publisher.AddSource(metrics.get());
  for (auto _ : state) publisher.RenderNow();
  state.counters["bytes"] =
      static_cast<double>(publisher.Current()->text.size());
  state.counters["gzip_bytes"] =
      static_cast<double>(publisher.Current()->gzip.size());
}
BENCHMARK(BM_RenderSnapshot)->Arg(50)->Arg(400)->Unit(benchmark::kMillisecond);

void BM_ScrapeFromSnapshot(benchmark::State& state) {
  std::ostringstream log;
  Logger logger(log, LogLevel::kError);
  auto metrics = BigCentre(400);
  SnapshotPublisher publisher(logger, std::chrono::milliseconds(0));
  publisher.AddSource(metrics.get());
  publisher.RenderNow();
  HttpRequest request;
  request.headers["accept-encoding"] = "gzip";
  for (auto _ : state) {
    auto response = MetricsResponse(*publisher.Current(), request);
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_ScrapeFromSnapshot);

}  // namespace
}  // namespace callcenter

BENCHMARK_MAIN();
