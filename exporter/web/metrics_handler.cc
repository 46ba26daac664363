#include "web/metrics_handler.h"

namespace callcenter::web {

HttpResponse MetricsResponse(std::shared_ptr<const core::Snapshot> snapshot,
                             const HttpRequest& request) {
  HttpResponse response;
  response.content_type = kMetricsContentType;
  // The body depends on Accept-Encoding: caches must key on it.
  response.headers.emplace_back("Vary", "Accept-Encoding");
  if (request.AcceptsEncoding("gzip")) {
    response.headers.emplace_back("Content-Encoding", "gzip");
    response.stream_length = snapshot->gzip_size();
    response.stream = [snapshot](const BodyWriter& write) {
      snapshot->ForEachGzipChunk(write);
    };
  } else {
    response.stream_length = snapshot->text_size();
    response.stream = [snapshot](const BodyWriter& write) {
      snapshot->ForEachTextChunk(write);
    };
  }
  return response;
}

}  // namespace callcenter::web
