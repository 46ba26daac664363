// `callcenter_exporter backfill`: fetches past days within the same request
// budgets as the running exporter and writes OpenMetrics that
// `promtool tsdb create-blocks-from openmetrics` turns into TSDB blocks.
#ifndef CALLCENTER_BACKFILL_H_
#define CALLCENTER_BACKFILL_H_

#include "callcenter/config.h"
#include "callcenter/flags.h"
#include "callcenter/logging.h"

namespace callcenter {

int RunBackfill(const Flags& flags, const Config& config, const Logger& logger);

}  // namespace callcenter

#endif  // CALLCENTER_BACKFILL_H_
