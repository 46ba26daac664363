// A small HTTP server on CivetWeb's C API, shared by the exporter and the
// simulator. Handlers are plain functions from request to response; an
// exception thrown by a handler becomes a 500 and never reaches CivetWeb.
#ifndef CALLCENTER_COMMON_HTTP_SERVER_H_
#define CALLCENTER_COMMON_HTTP_SERVER_H_

#include <functional>
#include <map>
#include <memory>
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

  // The header's value, or "" when absent. `name` is matched case-blind.
  std::string Header(std::string_view name) const;
  // A decoded query-string parameter, or "" when absent.
  std::string QueryParam(std::string_view name) const;
  bool HasQueryParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static HttpResponse Text(int status, std::string body);
  static HttpResponse Json(int status, std::string body);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  struct Options {
    // Prometheus-style addresses: ":10469", "127.0.0.1:0", "[::1]:8080".
    std::vector<std::string> listen_addresses;
    int threads = 8;
    int request_timeout_ms = 10000;
  };

  explicit HttpServer(Options options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes an exact path. Must be called before Start().
  void Handle(std::string path, HttpHandler handler);
  // Routes every path that no exact route matches.
  void HandleDefault(HttpHandler handler);

  // Binds and starts serving. Throws std::runtime_error naming the
  // address when it cannot bind.
  void Start();
  void Stop();
  // The bound ports, in the order of the listen addresses (resolves ":0").
  std::vector<int> ListeningPorts() const;

 private:
  static int Dispatch(mg_connection* connection, void* self);
  HttpResponse Route(const HttpRequest& request) const;

  Options options_;
  std::map<std::string, HttpHandler> routes_;
  HttpHandler default_handler_;
  mg_context* context_ = nullptr;
};

// ":10469" -> "10469"; "host:port" and "[v6]:port" pass through as CivetWeb
// wants them. Empty on a malformed address.
std::string ToCivetListenPort(std::string_view address);

std::string UrlDecode(std::string_view text);

}  // namespace callcenter

#endif  // CALLCENTER_COMMON_HTTP_SERVER_H_
