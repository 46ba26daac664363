// Figures for the hot paths: the streaming CDR parse, a snapshot render for
// a large centre (all sources, and one dirty source among many), and what a
// scrape costs. Benchmarks report numbers; they are not tests and assert
// nothing.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "callcenter/common/http_server.h"
#include "core/logging.h"
#include "core/snapshot.h"
#include "ozonetel/cdr_metrics.h"
#include "ozonetel/detail/cdr_parser.h"
#include "web/metrics_handler.h"

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

// The body fed in 16 KiB pieces, as libcurl delivers it.
void BM_StreamingCdrParse(benchmark::State& state) {
  const std::string body = CdrBody(static_cast<int>(state.range(0)));
  size_t peak = 0;
  for (auto _ : state) {
    size_t records = 0;
    ozonetel::detail::CdrParser parser([&](ozonetel::CdrRecord&&) {
      ++records;
      return true;
    });
    for (size_t at = 0; at < body.size(); at += 16384) {
      parser.Feed(std::string_view(body).substr(at, 16384));
    }
    benchmark::DoNotOptimize(parser.Finish());
    peak = std::max(peak, parser.peak_buffered_bytes());
    benchmark::DoNotOptimize(records);
  }
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["peak_buffered_bytes"] = static_cast<double>(peak);
}
BENCHMARK(BM_StreamingCdrParse)->Arg(1000)->Arg(20000);

std::unique_ptr<ozonetel::CdrMetrics> BigCentre(int agents) {
  auto metrics = std::make_unique<ozonetel::CdrMetrics>(
      ozonetel::CdrMetricsOptions{true, 50, 50});
  metrics->Publish();
  for (int a = 0; a < agents; ++a) {
    for (int d = 0; d < 8; ++d) {
      ozonetel::CallFacts call;
      call.agent = "agent" + std::to_string(a);
      call.inbound = d % 2 != 0;
      call.answered = d % 3 != 0;
      call.disposition = "DISPOSITION_" + std::to_string(d);
      call.campaign = "Campaign_" + std::to_string(d % 4);
      call.talk = 100 + d;
      metrics->CountCall(call);
      metrics->CountSettlement(call);
    }
  }
  return metrics;
}

// Every source dirty: the first render after a start.
void BM_RenderSnapshot(benchmark::State& state) {
  std::ostringstream log;
  core::Logger logger(log, core::LogLevel::kError);
  auto metrics = BigCentre(static_cast<int>(state.range(0)));
  core::SnapshotPublisher publisher(logger, {});
  publisher.Add("cdr", metrics.get());
  for (auto _ : state) {
    publisher.MarkAllDirty();
    publisher.RenderNow();
  }
  state.counters["bytes"] =
      static_cast<double>(publisher.Current()->text_size());
  state.counters["gzip_bytes"] =
      static_cast<double>(publisher.Current()->gzip_size());
}
BENCHMARK(BM_RenderSnapshot)
    ->Arg(50)
    ->Arg(400)
    ->Arg(5000)
    ->Unit(benchmark::kMillisecond);

// One small source changes among a large centre's: only its part is
// rendered and compressed again.
void BM_RenderOneDirtySource(benchmark::State& state) {
  std::ostringstream log;
  core::Logger logger(log, core::LogLevel::kError);
  auto big = BigCentre(static_cast<int>(state.range(0)));
  auto small = BigCentre(1);
  core::SnapshotPublisher publisher(logger, {});
  publisher.Add("cdr", big.get());
  const auto small_id = publisher.Add("small", small.get());
  publisher.RenderNow();
  for (auto _ : state) {
    publisher.MarkDirty(small_id);
    publisher.RenderNow();
  }
  state.counters["bytes"] =
      static_cast<double>(publisher.Current()->text_size());
}
BENCHMARK(BM_RenderOneDirtySource)
    ->Arg(400)
    ->Arg(5000)
    ->Unit(benchmark::kMicrosecond);

// What one gzip scrape costs the exporter: the response and its body
// written from the snapshot's shared parts.
void BM_ScrapeFromSnapshot(benchmark::State& state) {
  std::ostringstream log;
  core::Logger logger(log, core::LogLevel::kError);
  auto metrics = BigCentre(400);
  core::SnapshotPublisher publisher(logger, {});
  publisher.Add("cdr", metrics.get());
  publisher.RenderNow();
  HttpRequest request;
  request.headers["accept-encoding"] = "gzip";
  size_t written = 0;
  for (auto _ : state) {
    HttpResponse response = web::MetricsResponse(publisher.Current(), request);
    response.stream(
        [&written](std::string_view chunk) { written += chunk.size(); });
    benchmark::DoNotOptimize(response);
  }
  state.counters["body_bytes"] =
      static_cast<double>(publisher.Current()->gzip_size());
  benchmark::DoNotOptimize(written);
}
BENCHMARK(BM_ScrapeFromSnapshot);

}  // namespace
}  // namespace callcenter

BENCHMARK_MAIN();
