// Figure 3: the resident memory of the real callcenter_exporter serving a
// 5,000-agent centre. It starts ozonetel_sim --agents=5000 and the
// exporter (with the CRM, as tests/integration/harness.py does) on one
// simulated clock, waits until the call counters are published and the AHT
// poller's round-robin has visited every agent once (its request count
// reaches the number of agents; agents without outbound calls in the last
// two hours have no gauge), then samples VmRSS for a quiet
// phase and for a phase with 8 concurrent scrapers (4 plain, 4 gzip),
// resetting VmHWM before each so that each peak is the phase's own.
#ifndef CALLCENTER_BENCH_EXPORTER_RSS_H_
#define CALLCENTER_BENCH_EXPORTER_RSS_H_

#include <chrono>
#include <cstddef>
#include <string>

namespace callcenter::bench {

struct RssScenario {
  int agents = 5000;
  // Simulated seconds per real second: the AHT budget (50/min in simulated
  // time) visits 5,000 agents in about 100 real seconds at best (175 s on
  // two shared cores); a slower fill ends at `fill_timeout` all the same.
  double speed = 60;
  std::chrono::seconds fill_timeout{240};
  std::chrono::seconds phase{15};  // each of the two measured phases
  int scrapers = 8;
};

struct RssPhase {
  long max_rss_kb = 0;  // the largest VmRSS sampled every 100 ms
  long hwm_kb = 0;      // VmHWM at the end (reset at the phase's start)
};

struct RssFigures {
  std::string error;  // empty when the scenario ran
  RssPhase steady;
  RssPhase scraping;
  size_t series = 0;
  size_t aht_agents = 0;
  double scrapes_per_second = 0;
  double fill_seconds = 0;  // from start until the phases began
};

RssFigures MeasureExporterRss(const RssScenario& scenario);

}  // namespace callcenter::bench

#endif  // CALLCENTER_BENCH_EXPORTER_RSS_H_
