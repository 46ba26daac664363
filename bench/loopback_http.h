// A minimal HTTP/1.1 client over loopback, for timing servers from the
// outside as Prometheus does: one connection per request (both servers
// close after a response), the whole response read until the server
// closes. Plain sockets, so the client adds as little as possible to what
// is measured.
#ifndef CALLCENTER_BENCH_LOOPBACK_HTTP_H_
#define CALLCENTER_BENCH_LOOPBACK_HTTP_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace callcenter::bench {

struct HttpResult {
  int status = 0;         // 0: no response (connection failed)
  size_t body_bytes = 0;  // bytes after the headers
  double seconds = 0;     // connect to the server's close
  bool gzip = false;      // Content-Encoding: gzip
  std::string body;       // only when asked for
};

struct HttpRequestSpec {
  std::string method = "GET";
  std::string target = "/metrics";  // path and query
  bool accept_gzip = false;
  std::string body;        // sent with Content-Length when not empty
  bool keep_body = false;  // fill HttpResult::body
};

// One request to 127.0.0.1:`port`.
HttpResult Fetch(int port, const HttpRequestSpec& request);

// The body inflated from gzip; empty on an invalid stream.
std::string Gunzip(std::string_view gzip);

// Nearest-rank percentiles of a set of samples.
class Samples {
 public:
  void Add(double value) { values_.push_back(value); }
  size_t size() const { return values_.size(); }
  // `p` in (0, 100]; 0 when there are no samples.
  double Percentile(double p) const;

 private:
  std::vector<double> values_;
};

}  // namespace callcenter::bench

#endif  // CALLCENTER_BENCH_LOOPBACK_HTTP_H_
