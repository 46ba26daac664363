// A contact centre as the exporter holds it after a working day, built from
// the real metric sources (CDR counters, the agent directory, state
// seconds, AHT, CRM appointments, health) fed synthetic data. Every agent
// has the series of README "Series per agent": 21 + D + 1, with D = 5 or 6
// dispositions, so 5,000 agents make about 138k series and 10 MB of text,
// the size issue 11 measures.
#ifndef CALLCENTER_BENCH_CENTRE_H_
#define CALLCENTER_BENCH_CENTRE_H_

#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "core/health.h"
#include "core/metric_source.h"
#include "crm/appointment_metrics.h"
#include "directory/agent_directory.h"
#include "ozonetel/aht.h"
#include "ozonetel/cdr_metrics.h"
#include "ozonetel/record_stats.h"
#include "ozonetel/summary.h"

namespace callcenter::bench {

// The simulator's AgentID for agent `index` (0-based): agent0001...
std::string AgentId(int index);

// A source as the exporter registers it with the snapshot publisher.
struct NamedSource {
  std::string name;
  const core::MetricSource* source;
  bool ticking;
};

class Centre {
 public:
  Centre(int agents, const Clock& clock);
  Centre(const Centre&) = delete;
  Centre& operator=(const Centre&) = delete;

  // Every source, in the order the exporter adds them.
  std::vector<NamedSource> Sources() const;
  int agents() const { return agents_; }

  // One agent's AHT gauge changes, as one AHT poll does.
  void ChangeAht(int agent, int64_t seconds);
  ozonetel::AhtMetrics& aht() { return *aht_; }
  core::SourceHealth& ozonetel_health() { return *ozonetel_health_; }

 private:
  void CountCalls(int agent);
  void FillStates(int agents);
  void FillAht(int agents);
  void FillAppointments(int agents);

  const int agents_;
  const Clock& clock_;
  std::unique_ptr<directory::AgentDirectory> directory_;
  std::unique_ptr<ozonetel::CdrMetrics> cdr_;
  std::unique_ptr<ozonetel::AgentStateMetrics> states_;
  std::unique_ptr<ozonetel::AhtMetrics> aht_;
  std::unique_ptr<crm::AppointmentMetrics> appointments_;
  std::unique_ptr<core::SourceHealth> ozonetel_health_;
  std::unique_ptr<core::SourceHealth> crm_health_;
  ozonetel::RecordStats record_stats_;
};

// The same series in a prometheus-cpp Registry (counters, gauges and
// histograms with the same values), for serving through its Exposer.
std::shared_ptr<prometheus::Registry> MakeRegistry(
    const std::vector<NamedSource>& sources);

// Sample lines in a text exposition (lines that are not comments).
size_t CountSeries(std::string_view text);

}  // namespace callcenter::bench

#endif  // CALLCENTER_BENCH_CENTRE_H_
