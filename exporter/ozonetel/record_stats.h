// ozonetel_invalid_fields_total: values the vendor sent that the exporter
// refused (dates outside 2000..2100, durations over a week, daily totals
// over a day, records whose start cannot be placed), by API. A refused value
// is never a counter value; this counter says it happened.
#ifndef CALLCENTER_OZONETEL_RECORD_STATS_H_
#define CALLCENTER_OZONETEL_RECORD_STATS_H_

#include <atomic>
#include <cstdint>
#include <vector>

#include "core/metric_source.h"

namespace callcenter::ozonetel {

class RecordStats final : public core::MetricSource {
 public:
  enum Api { kCdr = 0, kSummary, kAht, kApis };
  void AddInvalid(Api api, uint64_t count) { invalid_[api].fetch_add(count); }
  uint64_t invalid(Api api) const { return invalid_[api].load(); }

  std::vector<core::FamilySpec> Families() const override;
  void Render(core::MetricSink& sink) const override;

 private:
  std::atomic<uint64_t> invalid_[kApis] = {};
};

}  // namespace callcenter::ozonetel

#endif  // CALLCENTER_OZONETEL_RECORD_STATS_H_
