#include "web/metrics_handler.h"

namespace callcenter::web {

HttpResponse MetricsResponse(const core::Snapshot& snapshot,
                             const HttpRequest& request) {
  HttpResponse response;
  response.content_type = kMetricsContentType;
  // The body depends on Accept-Encoding: caches must key on it.
  response.headers.emplace_back("Vary", "Accept-Encoding");
  const bool gzip = request.AcceptsEncoding("gzip");
  if (gzip) response.headers.emplace_back("Content-Encoding", "gzip");
  // The body holds the parts, not the snapshot: see core::SnapshotBody.
  auto body = std::make_shared<core::SnapshotBody>(snapshot, gzip);
  response.stream_length = body->size();
  response.stream = [body](const BodyWriter& write) { body->WriteTo(write); };
  return response;
}

}  // namespace callcenter::web
