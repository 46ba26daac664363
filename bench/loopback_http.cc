#include "loopback_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>

namespace callcenter::bench {
namespace {

// Large reads keep the client's share of a 10 MB scrape small.
constexpr size_t kReadBytes = 256 * 1024;
// Headers longer than this are not ours or prometheus-cpp's.
constexpr size_t kMaxHeadBytes = 16 * 1024;

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string RequestText(const HttpRequestSpec& request) {
  std::string text = request.method + " " + request.target +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (request.accept_gzip) text += "Accept-Encoding: gzip\r\n";
  if (!request.body.empty()) {
    text += "Content-Type: application/json\r\nContent-Length: " +
            std::to_string(request.body.size()) + "\r\n";
  }
  return text + "\r\n" + request.body;
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool HasGzipEncoding(std::string_view head) {
  std::string lower(head);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return lower.find("\r\ncontent-encoding: gzip") != std::string::npos;
}

// Reads the response: the head is kept until its end is found, the body
// only counted unless `keep_body`.
void ReadResponse(int fd, bool keep_body, HttpResult* result) {
  std::string head;
  bool in_body = false;
  std::vector<char> buffer(kReadBytes);
  for (;;) {
    const ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n <= 0) break;
    std::string_view piece(buffer.data(), static_cast<size_t>(n));
    if (!in_body) {
      head.append(piece);
      const size_t end = head.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (head.size() > kMaxHeadBytes) break;
        continue;
      }
      in_body = true;
      piece = std::string_view(head).substr(end + 4);
      result->status = std::atoi(head.c_str() + head.find(' ') + 1);
      result->gzip = HasGzipEncoding(head.substr(0, end + 2));
    }
    result->body_bytes += piece.size();
    if (keep_body) result->body.append(piece);
  }
}

}  // namespace

HttpResult Fetch(int port, const HttpRequestSpec& request) {
  HttpResult result;
  const auto start = std::chrono::steady_clock::now();
  const int fd = Connect(port);
  if (fd < 0) return result;
  if (SendAll(fd, RequestText(request))) {
    ReadResponse(fd, request.keep_body, &result);
  }
  close(fd);
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return result;
}

std::string Gunzip(std::string_view gzip) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return {};
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip.data()));
  stream.avail_in = static_cast<uInt>(gzip.size());
  std::string out;
  char buffer[1 << 16];
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - stream.avail_out);
  }
  inflateEnd(&stream);
  return status == Z_STREAM_END ? out : std::string();
}

double Samples::Percentile(double p) const {
  if (values_.empty()) return 0;
  std::vector<double> sorted = values_;
  std::sort(sorted.begin(), sorted.end());
  const size_t rank = static_cast<size_t>(
      std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace callcenter::bench
