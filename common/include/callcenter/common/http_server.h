// A small HTTP server on CivetWeb's C API, shared by the exporter and the
// simulator. Handlers are plain functions from request to response; an
// exception thrown by a handler becomes a 500 and never reaches CivetWeb.
//
// Hostile clients are answered before they cost anything: each route names
// its methods (405 with Allow otherwise) and the largest body it reads (a
// larger declared body, or any body on a route that takes none, is refused
// with 413 before a byte of it is read); a body is read under a total
// deadline, not a per-read one, so a client trickling one byte at a time
// frees its worker within the deadline; routes can cap their concurrency
// (503 beyond), so a flood on one endpoint cannot take every worker; HEAD
// answers headers only. Keep-alive is off: every response closes its
// connection, so an unread body can never be mistaken for a request.
#ifndef CALLCENTER_COMMON_HTTP_SERVER_H_
#define CALLCENTER_COMMON_HTTP_SERVER_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct mg_context;
struct mg_connection;

namespace callcenter {

struct HttpRequest {
  std::string method;
  std::string path;
  std::string query;  // without the '?'
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string remote_address;
  bool tls = false;

  // The header's value, or "" when absent. `name` is matched case-blind.
  std::string Header(std::string_view name) const;
  // A decoded query-string parameter, or "" when absent.
  std::string QueryParam(std::string_view name) const;
  bool HasQueryParam(std::string_view name) const;
  // Whether the client accepts `coding` (e.g. "gzip"): listed, or matched by
  // "*", with a q-value above 0.
  bool AcceptsEncoding(std::string_view coding) const;
};

// Writes one piece of a streamed body; false once the peer is gone, so a
// producer that paces or computes its pieces can stop early.
using BodyWriter = std::function<bool(std::string_view chunk)>;

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // A body written from shared buffers instead of `body`: `stream_length`
  // bytes in total, handed out by `stream` in pieces. Called at most once:
  // a producer may let go of each buffer once it is written.
  std::function<void(const BodyWriter&)> stream;
  size_t stream_length = 0;

  static HttpResponse Text(int status, std::string body);
  static HttpResponse Json(int status, std::string body);
  static HttpResponse Html(int status, std::string body);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct RouteOptions {
  // Accepted methods; empty accepts any.
  std::vector<std::string> methods = {"GET", "HEAD"};
  // The largest body read; 0 refuses a body (413) without reading it.
  size_t max_body_bytes = 0;
  // Handlers of this route running at once; beyond, 503 at once. 0: no cap.
  int max_concurrent = 0;
  // Passes through the server's `authorize` hook (basic auth).
  bool authenticate = true;
  // Told the status when the server refuses a request before the handler
  // (405, 408, 413, 503), so the route can count it.
  std::function<void(int status)> on_refused;
};

class HttpServer {
 public:
  struct Options {
    // Prometheus-style addresses: ":10469", "127.0.0.1:0", "[::1]:8080".
    std::vector<std::string> listen_addresses;
    int threads = 8;
    // Per socket read or write; also the total time to receive the headers.
    int request_timeout_ms = 10000;
    // The total time to receive a request body.
    int body_timeout_ms = 5000;
    // Runs before the handler of a route with `authenticate`, and for a
    // path no route matches (before its 404); a response (401) stops the
    // request there.
    std::function<std::optional<HttpResponse>(const HttpRequest&)> authorize;
    // Headers added to every response (web config http_server_config).
    std::function<std::vector<std::pair<std::string, std::string>>()>
        response_headers;
    // TLS on every listener: called with the server's SSL_CTX at start to
    // load certificates and set the policy (it may install OpenSSL
    // callbacks that pick a context per handshake); false (with an error)
    // fails the start. Start() also fails, naming the cause, when CivetWeb
    // could not load the system OpenSSL.
    std::function<bool(void* ssl_ctx, std::string* error)> configure_tls;
  };

  explicit HttpServer(Options options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes an exact path. Must be called before Start().
  void Handle(std::string path, RouteOptions route, HttpHandler handler);
  // Any method, bodies up to 8 MiB (the simulator's routes).
  void Handle(std::string path, HttpHandler handler);
  // Routes every path that no exact route matches (any method, 8 MiB).
  void HandleDefault(HttpHandler handler);

  // Binds and starts serving. Throws std::runtime_error naming the
  // address when it cannot bind.
  void Start();
  void Stop();
  // The bound ports, in the order of the listen addresses (resolves ":0").
  std::vector<int> ListeningPorts() const;

 private:
  struct Route {
    RouteOptions options;
    HttpHandler handler;
    std::unique_ptr<std::atomic<int>> running;
  };
  static int Dispatch(mg_connection* connection, void* self);
  HttpResponse Serve(mg_connection* connection, HttpRequest request);
  // Status 0: the request may reach the route's handler; else the refusal.
  HttpResponse Admit(mg_connection* connection, const Route* route,
                     HttpRequest* request);
  const Route* FindRoute(const std::string& path) const;

  Options options_;
  std::map<std::string, Route> routes_;
  std::optional<Route> default_route_;
  mg_context* context_ = nullptr;
  std::string tls_error_;
};

// ":10469" -> "10469"; "host:port" and "[v6]:port" pass through as CivetWeb
// wants them. Empty on a malformed address.
std::string ToCivetListenPort(std::string_view address);

std::string UrlDecode(std::string_view text);

}  // namespace callcenter

#endif  // CALLCENTER_COMMON_HTTP_SERVER_H_
