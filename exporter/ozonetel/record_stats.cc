#include "ozonetel/record_stats.h"

namespace callcenter::ozonetel {

std::vector<core::FamilySpec> RecordStats::Families() const {
  return {{"ozonetel_invalid_fields_total",
           "Values from the Ozonetel API that were refused because they did "
           "not parse or lay outside their range (dates outside 2000-2100, "
           "durations over 7 days, daily totals over a day, a call start that "
           "cannot be placed in the day read); never counted as data.",
           core::MetricType::kCounter,
           {"api"}}};
}

void RecordStats::Render(core::MetricSink& sink) const {
  static const char* const kNames[] = {"cdr", "summary", "aht"};
  const auto families = Families();
  sink.Begin(families[0]);
  for (int api = 0; api < kApis; ++api) {
    sink.Sample({{"api", kNames[api]}},
                static_cast<double>(invalid_[api].load()));
  }
}

}  // namespace callcenter::ozonetel
