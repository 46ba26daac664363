// The /metrics answer: the current snapshot, plain or gzip as the client
// asks, written straight from the snapshot's shared buffers.
#ifndef CALLCENTER_WEB_METRICS_HANDLER_H_
#define CALLCENTER_WEB_METRICS_HANDLER_H_

#include <memory>

#include "callcenter/common/http_server.h"
#include "core/snapshot.h"

namespace callcenter::web {

inline constexpr char kMetricsContentType[] =
    "text/plain; version=0.0.4; charset=utf-8";

// The response holds the snapshot's parts until each is written (not the
// snapshot itself); nothing proportional to the body is copied.
HttpResponse MetricsResponse(const core::Snapshot& snapshot,
                             const HttpRequest& request);

}  // namespace callcenter::web

#endif  // CALLCENTER_WEB_METRICS_HANDLER_H_
