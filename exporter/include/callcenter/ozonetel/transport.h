// The HTTP seam of the Ozonetel client: libcurl in production, a fake in
// unit tests.
#ifndef CALLCENTER_OZONETEL_TRANSPORT_H_
#define CALLCENTER_OZONETEL_TRANSPORT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callcenter::ozonetel {

struct HttpCall {
  std::string method;  // "GET" may carry a body (fetchCDRDetails does)
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};
  std::chrono::milliseconds connect_timeout{5000};
};

struct HttpStatus {
  int status = 0;          // HTTP status of the response, 0 if none arrived
  bool timed_out = false;  // the request or connect timeout expired
  std::string error;       // non-empty: the transfer failed (or was aborted)
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

}  // namespace callcenter::ozonetel

#endif  // CALLCENTER_OZONETEL_TRANSPORT_H_
