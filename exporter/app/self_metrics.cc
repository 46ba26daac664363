#include "app/self_metrics.h"

#include <cmath>

namespace callcenter::app {

SelfMetrics::SelfMetrics(std::string version, std::string revision,
                         double start_time, const Clock& clock,
                         const core::Engine& engine, bool detailed)
    : version_(std::move(version)),
      revision_(std::move(revision)),
      start_time_(start_time),
      clock_(clock),
      engine_(engine),
      detailed_(detailed) {}

std::vector<core::FamilySpec> SelfMetrics::Families() const {
  using core::MetricType;
  return {
      {"callcenter_exporter_build_info",
       "Build metadata of callcenter_exporter; always 1.", MetricType::kGauge,
       {"version", "revision"}},
      {"callcenter_exporter_time_seconds",
       "The exporter's clock (Unix seconds), refreshed every second. Ages "
       "and staleness compare timestamps against this, not time(), so a "
       "simulated or skewed clock gives no false alert.",
       MetricType::kGauge,
       {}},
      {"process_start_time_seconds",
       "Start time of the process since the Unix epoch.", MetricType::kGauge,
       {}},
      {"callcenter_exporter_poll_exceptions_total",
       "Exceptions caught at a poll loop's thread boundary, by poller; each "
       "became a failed poll and a backoff.",
       MetricType::kCounter,
       {"poller"}},
  };
}

void SelfMetrics::Render(core::MetricSink& sink) const {
  const auto families = Families();
  sink.Begin(families[0]);
  sink.Sample({{"version", version_}, {"revision", revision_}}, 1);
  sink.Begin(families[1]);
  sink.Sample({}, std::floor(ToUnixSeconds(clock_.Now())));
  if (!detailed_) return;
  sink.Begin(families[2]);
  sink.Sample({}, start_time_);
  sink.Begin(families[3]);
  for (const auto& [poller, count] : engine_.PollExceptions()) {
    sink.Sample({{"poller", poller}}, static_cast<double>(count));
  }
}

}  // namespace callcenter::app
