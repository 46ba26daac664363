// Figures 3 and 4: resident memory of the real exporter at 5,000 agents
// (quiet and under 8 concurrent scrapers), and the growth during one
// catch-up read of 200k CDR records. Each runs once: the figures are
// kilobytes read from /proc, not timings.
#include <benchmark/benchmark.h>

#include "catch_up.h"
#include "exporter_rss.h"
#include "sizes.h"

namespace callcenter::bench {
namespace {

double Megabytes(long kb) { return static_cast<double>(kb) / 1024.0; }

void BM_ExporterRss(benchmark::State& state) {
  RssScenario scenario;
  scenario.agents = static_cast<int>(state.range(0));
  RssFigures figures;
  for (auto _ : state) figures = MeasureExporterRss(scenario);
  if (!figures.error.empty()) return state.SkipWithError(figures.error.c_str());
  state.counters["steady_rss_mb"] = Megabytes(figures.steady.max_rss_kb);
  state.counters["steady_hwm_mb"] = Megabytes(figures.steady.hwm_kb);
  state.counters["scraping_rss_mb"] = Megabytes(figures.scraping.max_rss_kb);
  state.counters["scraping_hwm_mb"] = Megabytes(figures.scraping.hwm_kb);
  state.counters["scrapes_per_s"] = figures.scrapes_per_second;
  state.counters["series"] = static_cast<double>(figures.series);
  state.counters["aht_agents"] = static_cast<double>(figures.aht_agents);
  state.counters["fill_s"] = figures.fill_seconds;
}
BENCHMARK(BM_ExporterRss)
    ->ArgName("agents")
    ->Arg(kAgents)
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

void BM_CatchUpRss(benchmark::State& state) {
  CatchUpFigures figures;
  for (auto _ : state) figures = MeasureCatchUp(state.range(0));
  if (!figures.error.empty()) return state.SkipWithError(figures.error.c_str());
  state.counters["rss_before_mb"] = Megabytes(figures.rss_before_kb);
  state.counters["peak_mb"] = Megabytes(figures.peak_kb);
  state.counters["growth_mb"] =
      Megabytes(figures.peak_kb - figures.rss_before_kb);
  state.counters["rss_after_mb"] = Megabytes(figures.rss_after_kb);
  state.counters["counted"] = static_cast<double>(figures.counted);
  state.counters["records_per_s"] =
      static_cast<double>(state.range(0)) / figures.seconds;
  state.counters["peak_reset"] = figures.peak_reset ? 1 : 0;
}
BENCHMARK(BM_CatchUpRss)
    ->ArgName("records")
    ->Arg(kCatchUpRecords)
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace callcenter::bench
