// The exporter's own metrics: build info, its clock, process start, and the
// exceptions caught at poll loop boundaries.
#ifndef CALLCENTER_APP_SELF_METRICS_H_
#define CALLCENTER_APP_SELF_METRICS_H_

#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "core/engine.h"
#include "core/metric_source.h"

namespace callcenter::app {

class SelfMetrics final : public core::MetricSource {
 public:
  // `detailed` false (--web.disable-exporter-metrics) keeps only what rules
  // depend on: build info and the exporter's clock.
  SelfMetrics(std::string version, std::string revision, double start_time,
              const Clock& clock, const core::Engine& engine, bool detailed);

  std::vector<core::FamilySpec> Families() const override;
  void Render(core::MetricSink& sink) const override;

 private:
  const std::string version_;
  const std::string revision_;
  const double start_time_;
  const Clock& clock_;
  const core::Engine& engine_;
  const bool detailed_;
};

}  // namespace callcenter::app

#endif  // CALLCENTER_APP_SELF_METRICS_H_
