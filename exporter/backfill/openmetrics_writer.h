// Writes timestamped samples in the OpenMetrics text format that
// `promtool tsdb create-blocks-from openmetrics` reads. Samples are
// grouped family by family and, within a family, series by series in time
// order, as the format requires.
#ifndef CALLCENTER_BACKFILL_OPENMETRICS_WRITER_H_
#define CALLCENTER_BACKFILL_OPENMETRICS_WRITER_H_

#include <prometheus/metric_family.h>

#include <cstdint>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace callcenter::backfill {

class OpenMetricsSeries {
 public:
  // Records one snapshot of `families` at `unix_seconds`, in any order.
  void Add(int64_t unix_seconds,
           const std::vector<prometheus::MetricFamily>& families);
  // Writes every family at the times it was snapshotted. A counter or
  // histogram series first seen late is zero at the family's earlier
  // times, so increase() never misses its first events.
  void Write(std::ostream& out) const;
  size_t series_count() const;

 private:
  using LabelKey = std::vector<prometheus::ClientMetric::Label>;
  struct Family {
    std::string help;
    prometheus::MetricType type;
    std::set<int64_t> times;
    std::map<LabelKey, std::map<int64_t, prometheus::ClientMetric>> series;
  };
  void WriteFamily(std::ostream& out, const std::string& name,
                   const Family& family) const;

  std::map<std::string, Family> families_;
};

}  // namespace callcenter::backfill

#endif  // CALLCENTER_BACKFILL_OPENMETRICS_WRITER_H_
