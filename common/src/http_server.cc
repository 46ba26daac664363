#include "callcenter/common/http_server.h"

#include <civetweb.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <exception>
#include <mutex>
#include <stdexcept>

namespace callcenter {
namespace {

std::string ToLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

const char* StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string ReadBody(mg_connection* connection) {
  std::string body;
  char buffer[8192];
  for (;;) {
    int n = mg_read(connection, buffer, sizeof(buffer));
    if (n <= 0) break;
    body.append(buffer, static_cast<size_t>(n));
  }
  return body;
}

void WriteResponse(mg_connection* connection, const HttpResponse& response) {
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " +
                     StatusText(response.status) + "\r\n";
  head += "Content-Type: " + response.content_type + "\r\n";
  head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  for (const auto& [name, value] : response.headers) {
    head += name + ": " + value + "\r\n";
  }
  head += "Connection: close\r\n\r\n";
  mg_write(connection, head.data(), head.size());
  if (!response.body.empty()) {
    mg_write(connection, response.body.data(), response.body.size());
  }
}

std::once_flag civetweb_init_once;

}  // namespace

std::string UrlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() &&
               std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out.push_back(static_cast<char>(
          std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string HttpRequest::Header(std::string_view name) const {
  auto it = headers.find(ToLower(name));
  return it == headers.end() ? std::string() : it->second;
}

bool HttpRequest::HasQueryParam(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    std::string_view key = pair.substr(0, pair.find('='));
    if (UrlDecode(key) == name) return true;
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return false;
}

std::string HttpRequest::QueryParam(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    size_t eq = pair.find('=');
    if (UrlDecode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string()
                                          : UrlDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return std::string();
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(body);
  return response;
}

std::string ToCivetListenPort(std::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon + 1 >= address.size()) {
    return std::string();
  }
  std::string_view port = address.substr(colon + 1);
  if (!std::all_of(port.begin(), port.end(),
                   [](unsigned char c) { return std::isdigit(c); })) {
    return std::string();
  }
  std::string_view host = address.substr(0, colon);
  if (host.empty() || host == "0.0.0.0") return std::string(port);
  if (host.front() == '[' && host.back() == ']') {
    // CivetWeb writes IPv6 listeners as "[::1]:8080" too, prefixed with '+'
    // for dual stack only when the host is "::".
    if (host == "[::]") return "+" + std::string(port);
  }
  return std::string(address);
}

HttpServer::HttpServer(Options options) : options_(std::move(options)) {
  std::call_once(civetweb_init_once, [] { mg_init_library(0); });
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Handle(std::string path, HttpHandler handler) {
  routes_[std::move(path)] = std::move(handler);
}

void HttpServer::HandleDefault(HttpHandler handler) {
  default_handler_ = std::move(handler);
}

void HttpServer::Start() {
  std::string ports;
  for (const auto& address : options_.listen_addresses) {
    std::string port = ToCivetListenPort(address);
    if (port.empty()) {
      throw std::runtime_error("invalid listen address \"" + address + "\"");
    }
    if (!ports.empty()) ports += ",";
    ports += port;
  }
  const std::string threads = std::to_string(options_.threads);
  const std::string timeout = std::to_string(options_.request_timeout_ms);
  const char* civet_options[] = {"listening_ports",
                                 ports.c_str(),
                                 "num_threads",
                                 threads.c_str(),
                                 "request_timeout_ms",
                                 timeout.c_str(),
                                 "enable_keep_alive",
                                 "no",
                                 nullptr};
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof(callbacks));
  // CivetWeb logs bind errors itself; keep its messages off stderr and
  // report one clear line instead.
  callbacks.log_message = [](const mg_connection*, const char*) { return 1; };
  context_ = mg_start(&callbacks, this, civet_options);
  if (context_ == nullptr) {
    std::string joined;
    for (const auto& address : options_.listen_addresses) {
      joined += (joined.empty() ? "" : ", ") + address;
    }
    throw std::runtime_error("cannot listen on " + joined +
                             " (address in use or not available)");
  }
  mg_set_request_handler(context_, "/", &HttpServer::Dispatch, this);
}

void HttpServer::Stop() {
  if (context_ != nullptr) {
    mg_stop(context_);
    context_ = nullptr;
  }
}

std::vector<int> HttpServer::ListeningPorts() const {
  std::vector<int> ports;
  if (context_ == nullptr) return ports;
  mg_server_port server_ports[16];
  int n = mg_get_server_ports(context_, 16, server_ports);
  for (int i = 0; i < n; ++i) ports.push_back(server_ports[i].port);
  return ports;
}

int HttpServer::Dispatch(mg_connection* connection, void* self) {
  auto* server = static_cast<HttpServer*>(self);
  HttpResponse response;
  try {
    const mg_request_info* info = mg_get_request_info(connection);
    HttpRequest request;
    request.method = info->request_method ? info->request_method : "";
    request.path = info->local_uri ? info->local_uri : "/";
    request.query = info->query_string ? info->query_string : "";
    for (int i = 0; i < info->num_headers; ++i) {
      request.headers[ToLower(info->http_headers[i].name)] =
          info->http_headers[i].value ? info->http_headers[i].value : "";
    }
    request.body = ReadBody(connection);
    response = server->Route(request);
  } catch (const std::exception& error) {
    response = HttpResponse::Text(
        500, std::string("internal error: ") + error.what() + "\n");
  } catch (...) {
    response = HttpResponse::Text(500, "internal error\n");
  }
  WriteResponse(connection, response);
  return response.status;
}

HttpResponse HttpServer::Route(const HttpRequest& request) const {
  auto it = routes_.find(request.path);
  if (it != routes_.end()) return it->second(request);
  if (default_handler_) return default_handler_(request);
  return HttpResponse::Text(404, "not found\n");
}

}  // namespace callcenter
