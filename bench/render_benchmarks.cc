// Figure 2: what one changed gauge costs at 5,000 agents. Only the changed
// source is rendered and compressed again, then a new snapshot is
// published. Three cases: one agent's AHT gauge (the AHT poller's change),
// one health gauge (a small source), and every source (the full render of
// a start, what a change is compared with). The two
// parts of the AHT re-render, its text and its deflate, are timed on their
// own too, so a miss can be traced.
#include <benchmark/benchmark.h>

#include <chrono>
#include <ostream>
#include <string>

#include "centre.h"
#include "core/logging.h"
#include "core/snapshot.h"
#include "core/text_writer.h"
#include "in_process_exporter.h"
#include "loopback_http.h"
#include "sizes.h"

namespace callcenter::bench {
namespace {

enum class Change { kAhtGauge, kHealthGauge, kEverySource };

// The centre's sources in a publisher, as the engine registers them.
class Publisher {
 public:
  explicit Publisher(Centre& centre) {
    for (const NamedSource& source : centre.Sources()) {
      const auto id =
          publisher_.Add(source.name, source.source, source.ticking);
      if (source.name == "ozonetel_aht") aht_ = id;
      if (source.name == "ozonetel_health") health_ = id;
    }
    publisher_.RenderNow();
  }
  core::SnapshotPublisher& get() { return publisher_; }
  core::SnapshotPublisher::SourceId aht() const { return aht_; }
  core::SnapshotPublisher::SourceId health() const { return health_; }

 private:
  NullBuffer null_buffer_;
  std::ostream null_stream_{&null_buffer_};
  core::Logger logger_{null_stream_, core::LogLevel::kError};
  core::SnapshotPublisher publisher_{logger_, {}};
  core::SnapshotPublisher::SourceId aht_ = 0;
  core::SnapshotPublisher::SourceId health_ = 0;
};

void ApplyChange(Change change, int iteration, Centre& centre,
                 Publisher& publisher) {
  switch (change) {
    case Change::kAhtGauge:
      centre.ChangeAht(iteration % centre.agents(), 100 + iteration % 500);
      publisher.get().MarkDirty(publisher.aht());
      break;
    case Change::kHealthGauge:
      centre.ozonetel_health().RecordPoll("aht", true, 0.001 * iteration);
      publisher.get().MarkDirty(publisher.health());
      break;
    case Change::kEverySource:
      publisher.get().MarkAllDirty();
      break;
  }
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

void BM_RenderAfterChange(benchmark::State& state, Change change) {
  SystemClock clock;
  Centre centre(static_cast<int>(state.range(0)), clock);
  Publisher publisher(centre);
  Samples samples;
  int iteration = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    ApplyChange(change, ++iteration, centre, publisher);
    publisher.get().RenderNow();
    const double seconds = SecondsSince(start);
    state.SetIterationTime(seconds);
    samples.Add(seconds);
  }
  state.counters["p50_ms"] = samples.Percentile(50) * 1e3;
  state.counters["p99_ms"] = samples.Percentile(99) * 1e3;
  state.counters["snapshot_bytes"] =
      static_cast<double>(publisher.get().Current()->text_size());
}
BENCHMARK_CAPTURE(BM_RenderAfterChange, aht_gauge, Change::kAhtGauge)
    ->Arg(kAgents)
    ->Iterations(200)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RenderAfterChange, health_gauge, Change::kHealthGauge)
    ->Arg(kAgents)
    ->Iterations(200)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RenderAfterChange, every_source, Change::kEverySource)
    ->Arg(kAgents)
    ->Iterations(10)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// The AHT source's re-render split: text alone, then text plus deflate and
// CRC (core::RenderPart); the difference is the compression.
void BM_AhtPart(benchmark::State& state, bool compress) {
  SystemClock clock;
  Centre centre(static_cast<int>(state.range(0)), clock);
  size_t bytes = 0;
  for (auto _ : state) {
    if (compress) {
      auto part = core::RenderPart(centre.aht());
      bytes = part->text.size();
      benchmark::DoNotOptimize(part);
    } else {
      std::string text = core::RenderText(centre.aht());
      bytes = text.size();
      benchmark::DoNotOptimize(text);
    }
  }
  state.counters["part_bytes"] = static_cast<double>(bytes);
}
BENCHMARK_CAPTURE(BM_AhtPart, text_only, false)
    ->Arg(kAgents)
    ->Iterations(200)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_AhtPart, text_and_deflate, true)
    ->Arg(kAgents)
    ->Iterations(200)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace callcenter::bench
