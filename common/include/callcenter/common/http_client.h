// The HTTP client seam of every upstream client (Ozonetel, the CRM, a CCCP
// snapshot URL): libcurl in production, a fake in unit tests.
#ifndef CALLCENTER_COMMON_HTTP_CLIENT_H_
#define CALLCENTER_COMMON_HTTP_CLIENT_H_

#include <chrono>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callcenter {

struct HttpCall {
  std::string method;  // "GET" may carry a body (fetchCDRDetails does)
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};
  std::chrono::milliseconds connect_timeout{5000};
  // TLS: a CA bundle to trust instead of the system's; empty: system.
  std::string ca_file;
};

struct HttpStatus {
  int status = 0;          // HTTP status of the response, 0 if none arrived
  bool timed_out = false;  // the request or connect timeout expired
  std::string error;       // non-empty: the transfer failed (or was aborted)
  // A Retry-After header in seconds (the HTTP-date form is not used by the
  // APIs we read), clamped to a day.
  std::optional<std::chrono::seconds> retry_after;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends `call` and delivers the response body in chunks as they arrive;
  // returning false from on_chunk aborts the transfer (the result then has a
  // non-empty error). Must be safe to call from several threads at once.
  virtual HttpStatus Perform(
      const HttpCall& call,
      const std::function<bool(std::string_view)>& on_chunk) = 0;
};

// libcurl, one easy handle per call; follows no redirects, never signals.
std::unique_ptr<Transport> MakeCurlTransport();

}  // namespace callcenter

#endif  // CALLCENTER_COMMON_HTTP_CLIENT_H_
