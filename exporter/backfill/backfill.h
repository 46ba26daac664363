// `callcenter_exporter backfill`: fetches past days within the same request
// budgets as the running exporter and writes OpenMetrics that
// `promtool tsdb create-blocks-from openmetrics` turns into TSDB blocks, then
// seeds the storage path so the live counters continue those series.
#ifndef CALLCENTER_BACKFILL_BACKFILL_H_
#define CALLCENTER_BACKFILL_BACKFILL_H_

#include <string>

#include "app/flags.h"
#include "core/logging.h"

namespace callcenter::backfill {

int RunBackfill(const app::Flags& flags, const std::string& config_text,
                const core::Logger& logger);

}  // namespace callcenter::backfill

#endif  // CALLCENTER_BACKFILL_BACKFILL_H_
