// A plain-socket HTTP client for server tests: it sends exactly the bytes a
// test gives it (a lying Content-Length, half a body, a trickle) and reads
// the answer until the server closes the connection.
#ifndef CALLCENTER_TESTS_UNIT_TESTING_RAW_HTTP_H_
#define CALLCENTER_TESTS_UNIT_TESTING_RAW_HTTP_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "callcenter/common/strings.h"

namespace callcenter::test {

struct RawResponse {
  // The status line, headers and Content-Length bytes of body arrived (or,
  // without a Content-Length, the server closed the connection).
  bool complete = false;
  bool closed = false;  // the server closed the connection
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string raw;

  // A header's value, "" when absent; `name` lower-case.
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

inline RawResponse ParseRawResponse(std::string raw, bool closed, bool head) {
  RawResponse response;
  response.closed = closed;
  response.complete = closed;
  response.raw = std::move(raw);
  const size_t head_end = response.raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return response;
  const std::string head_text = response.raw.substr(0, head_end);
  response.body = response.raw.substr(head_end + 4);
  size_t line_end = head_text.find("\r\n");
  const std::string status_line = head_text.substr(0, line_end);
  if (status_line.size() > 12)
    response.status = std::stoi(status_line.substr(9, 3));
  while (line_end != std::string::npos) {
    const size_t start = line_end + 2;
    line_end = head_text.find("\r\n", start);
    const std::string line = head_text.substr(start, line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    response.headers[ToLower(line.substr(0, colon))] =
        std::string(Trim(line.substr(colon + 1)));
  }
  const std::string length = response.Header("content-length");
  if (!length.empty()) {
    const size_t expected = head ? 0 : std::stoul(length);
    response.complete = response.body.size() >= expected;
  }
  return response;
}

class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address),
                           sizeof(address)) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Whether the server has something to say (or closed) within `wait`.
  bool Readable(std::chrono::milliseconds wait) {
    pollfd entry{fd_, POLLIN, 0};
    return ::poll(&entry, 1, static_cast<int>(wait.count())) > 0;
  }

  // Reads until the response is complete or the server closes; gives up
  // after `guard` (a hung server fails the test instead of hanging it).
  // `head`: the answer to a HEAD request, which has no body.
  RawResponse ReadAll(bool head = false, std::chrono::milliseconds guard =
                                             std::chrono::milliseconds(30000)) {
    std::string raw;
    const auto deadline = std::chrono::steady_clock::now() + guard;
    char buffer[65536];
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !Readable(left)) {
        return ParseRawResponse(std::move(raw), false, head);
      }
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) return ParseRawResponse(std::move(raw), true, head);
      raw.append(buffer, static_cast<size_t>(n));
      RawResponse so_far = ParseRawResponse(raw, false, head);
      if (so_far.complete) return so_far;
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// One request on its own connection.
inline RawResponse RawRequest(int port, std::string_view request) {
  RawConnection connection(port);
  if (!connection.connected() || !connection.Send(request)) return {};
  return connection.ReadAll(request.substr(0, 5) == "HEAD ");
}

}  // namespace callcenter::test

#endif  // CALLCENTER_TESTS_UNIT_TESTING_RAW_HTTP_H_
