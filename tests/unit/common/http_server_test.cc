// The hardened HTTP server against a real CivetWeb listener on 127.0.0.1:0,
// driven by a raw socket client so a test can send exactly what a hostile
// client would.
#include "callcenter/common/http_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "testing/raw_http.h"

namespace callcenter {
namespace {

using test::RawConnection;
using test::RawRequest;
using test::RawResponse;
using ::testing::HasSubstr;

constexpr size_t kPostCap = 1024;

std::string StreamedPiece(int i) { return std::string(1000, 'a' + i); }

// Mostly a line each; every 500th piece is 100 KiB, over the batch size.
std::string MixedPiece(int i) {
  if (i % 500 == 499)
    return std::string(100 * 1024, static_cast<char>('A' + i % 26));
  return "piece " + std::to_string(i) + "\n";
}
std::string MixedPieces() {
  std::string all;
  for (int i = 0; i < 3000; ++i) all += MixedPiece(i);
  return all;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServer::Options options;
    options.listen_addresses = {"127.0.0.1:0"};
    options.threads = 8;
    // Long per-read timeouts: a server that waited for an unread body or
    // relied on the per-read timeout would hang past the client's guard.
    options.request_timeout_ms = 60000;
    options.body_timeout_ms = 1000;
    server_ = std::make_unique<HttpServer>(options);
    server_->Handle("/get", RouteOptions{}, [](const HttpRequest&) {
      return HttpResponse::Text(200, "hello\n");
    });
    RouteOptions post;
    post.methods = {"POST"};
    post.max_body_bytes = kPostCap;
    server_->Handle("/post", post, [this](const HttpRequest& request) {
      ++handled_;
      return HttpResponse::Text(200, std::to_string(request.body.size()));
    });
    RouteOptions big_post = post;
    big_post.max_body_bytes = 1 << 20;
    server_->Handle("/upload", big_post, [this](const HttpRequest& request) {
      ++handled_;
      return HttpResponse::Text(200, std::to_string(request.body.size()));
    });
    server_->Handle("/stream", RouteOptions{}, [](const HttpRequest&) {
      HttpResponse response;
      response.stream_length = 3000;
      response.stream = [](const BodyWriter& write) {
        for (int i = 0; i < 3; ++i) write(StreamedPiece(i));
      };
      return response;
    });
    // Small pieces (gathered before writing) around pieces larger than the
    // writer's batch (written as they are).
    server_->Handle("/pieces", RouteOptions{}, [](const HttpRequest&) {
      HttpResponse response;
      response.stream_length = MixedPieces().size();
      response.stream = [](const BodyWriter& write) {
        for (int i = 0; i < 3000; ++i) {
          write(MixedPiece(i));
        }
      };
      return response;
    });
    // Writes until told the peer is gone (or far more than a peer that
    // closed could ever take in kernel buffers).
    server_->Handle("/endless", RouteOptions{}, [this](const HttpRequest&) {
      HttpResponse response;
      response.stream_length = size_t{1} << 40;
      response.stream = [this](const BodyWriter& write) {
        const std::string piece(64 * 1024, 'x');
        int written = 0;
        bool told_gone = false;
        while (written < kEndlessPieces && !told_gone) {
          told_gone = !write(piece);
          ++written;
          std::lock_guard<std::mutex> lock(mutex_);
          endless_written_ = written;
          changed_.notify_all();
        }
        std::lock_guard<std::mutex> lock(mutex_);
        endless_done_ = true;
        endless_told_gone_ = told_gone;
        changed_.notify_all();
      };
      return response;
    });
    RouteOptions one_at_a_time;
    one_at_a_time.max_concurrent = 1;
    server_->Handle("/block", one_at_a_time, [this](const HttpRequest&) {
      std::unique_lock<std::mutex> lock(mutex_);
      entered_ = true;
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
      return HttpResponse::Text(200, "released\n");
    });
    server_->Handle("/throw", RouteOptions{},
                    [](const HttpRequest&) -> HttpResponse {
                      throw std::runtime_error("handler bug");
                    });
    server_->Start();
    port_ = server_->ListeningPorts().at(0);
  }

  void TearDown() override {
    Release();
    server_->Stop();
  }

  void Release() {
    std::lock_guard<std::mutex> lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  std::atomic<int> handled_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
  bool entered_ = false;
  bool released_ = false;
  static constexpr int kEndlessPieces = 20000;  // 1.25 GiB
  int endless_written_ = 0;
  bool endless_done_ = false;
  bool endless_told_gone_ = false;
};

TEST_F(HttpServerTest, ServesTheRouteAndClosesTheConnection) {
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send("GET /get HTTP/1.1\r\nHost: x\r\n\r\n"));
  RawResponse response = connection.ReadAll();
  EXPECT_TRUE(response.complete);
  EXPECT_TRUE(connection.ReadAll().closed);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "hello\n");
  EXPECT_EQ(response.headers.at("content-length"), "6");
  EXPECT_EQ(response.headers.at("connection"), "close");
}

TEST_F(HttpServerTest, UnknownPathIsNotFound) {
  EXPECT_EQ(RawRequest(port_, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n").status,
            404);
}

TEST_F(HttpServerTest, OnlyTheRoutesMethodsWith405AndAllow) {
  for (const char* method : {"POST", "DELETE", "PUT"}) {
    const RawResponse response =
        RawRequest(port_, std::string(method) +
                              " /get HTTP/1.1\r\nHost: x\r\n"
                              "Content-Length: 0\r\n\r\n");
    EXPECT_EQ(response.status, 405) << method;
    EXPECT_EQ(response.Header("allow"), "GET, HEAD") << method;
  }
  const RawResponse response =
      RawRequest(port_, "GET /post HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.Header("allow"), "POST");
}

TEST_F(HttpServerTest, HeadHasTheHeadersAndNoBody) {
  const RawResponse response =
      RawRequest(port_, "HEAD /get HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(response.complete);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.headers.at("content-length"), "6");
  EXPECT_EQ(response.body, "");
}

TEST_F(HttpServerTest, DeclaredBodyOnAGetIsRefusedBeforeItIsRead) {
  // Half a gigabyte announced, nothing sent: the answer must come without
  // waiting for (or reading) the body. (The server's 60 s per-read timeout
  // is twice the client's guard, so any wait for the body fails here.)
  RawConnection connection(port_);
  ASSERT_TRUE(connection.Send(
      "GET /get HTTP/1.1\r\nHost: x\r\nContent-Length: 536870912\r\n\r\n"));
  const RawResponse response = connection.ReadAll();
  EXPECT_TRUE(response.complete);
  EXPECT_EQ(response.status, 413);
}

TEST_F(HttpServerTest, ChunkedBodyOnABodylessRouteIsRefused) {
  const RawResponse response = RawRequest(
      port_,
      "GET /get HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(response.status, 413);
}

TEST_F(HttpServerTest, PostBodyWithinTheCapIsRead) {
  const RawResponse response = RawRequest(
      port_,
      "POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "10");
}

TEST_F(HttpServerTest, DeclaredBodyOverTheCapIsRefusedBeforeItIsRead) {
  RawConnection connection(port_);
  ASSERT_TRUE(
      connection.Send("POST /post HTTP/1.1\r\nHost: x\r\n"
                      "Content-Length: 536870912\r\n\r\n"));
  const RawResponse response = connection.ReadAll();
  EXPECT_TRUE(response.complete);
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerTest, ABodyThatStopsShortIsNeverHandled) {
  // A client that sends part of its declared body and goes silent: the
  // per-read timeout ends the read, and the handler must not get half a
  // body as if it were whole.
  HttpServer::Options options;
  options.listen_addresses = {"127.0.0.1:0"};
  options.request_timeout_ms = 500;
  options.body_timeout_ms = 5000;
  HttpServer server(options);
  RouteOptions post;
  post.methods = {"POST"};
  post.max_body_bytes = 100;
  int handled = 0;
  server.Handle("/post", post, [&handled](const HttpRequest&) {
    ++handled;
    return HttpResponse::Text(200, "handled\n");
  });
  server.Start();
  RawConnection connection(server.ListeningPorts().at(0));
  ASSERT_TRUE(
      connection.Send("POST /post HTTP/1.1\r\nHost: x\r\n"
                      "Content-Length: 10\r\n\r\n01234"));
  const RawResponse response = connection.ReadAll();
  EXPECT_EQ(response.status, 408);
  server.Stop();
  EXPECT_EQ(handled, 0);
}

TEST_F(HttpServerTest, ChunkedBodyOverTheCapIsRefused) {
  std::string request =
      "POST /post HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) {
    request += "200\r\n" + std::string(0x200, 'x') + "\r\n";
  }
  request += "0\r\n\r\n";
  const RawResponse response = RawRequest(port_, request);
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerTest, SlowBodyTimesOutUnderTheTotalDeadline) {
  // One byte whenever the server has stayed silent for 100 ms: every read
  // completes long before the 60 s per-read timeout, so only a deadline on
  // the whole body (1 s) can end it.
  RawConnection connection(port_);
  ASSERT_TRUE(
      connection.Send("POST /upload HTTP/1.1\r\nHost: x\r\n"
                      "Content-Length: 1000000\r\n\r\n"));
  bool answered = false;
  for (int i = 0; i < 300 && !answered; ++i) {
    answered = connection.Readable(std::chrono::milliseconds(100));
    if (!answered) connection.Send("x");
  }
  ASSERT_TRUE(answered) << "no answer while the body trickled for 30 s";
  const RawResponse response = connection.ReadAll();
  EXPECT_EQ(response.status, 408);
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpServerTest, StreamedResponseWritesExactlyItsLength) {
  const RawResponse response =
      RawRequest(port_, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(response.complete);
  EXPECT_EQ(response.headers.at("content-length"), "3000");
  EXPECT_EQ(response.body,
            StreamedPiece(0) + StreamedPiece(1) + StreamedPiece(2));
  const RawResponse head =
      RawRequest(port_, "HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(head.headers.at("content-length"), "3000");
  EXPECT_EQ(head.body, "");
}

TEST_F(HttpServerTest, SmallAndLargeStreamedPiecesArriveInOrder) {
  const RawResponse response =
      RawRequest(port_, "GET /pieces HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(response.complete);
  EXPECT_EQ(response.body.size(), MixedPieces().size());
  EXPECT_TRUE(response.body == MixedPieces());
}

TEST_F(HttpServerTest, AStreamIsToldWhenThePeerHasGone) {
  {
    RawConnection connection(port_);
    ASSERT_TRUE(connection.Send("GET /endless HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return endless_written_ > 0; });
  }  // closed without reading
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return endless_done_; });
  EXPECT_TRUE(endless_told_gone_);
  EXPECT_LT(endless_written_, kEndlessPieces);
}

TEST_F(HttpServerTest, RequestsBeyondMaxConcurrentGet503) {
  RawConnection first(port_);
  ASSERT_TRUE(first.Send("GET /block HTTP/1.1\r\nHost: x\r\n\r\n"));
  {
    std::unique_lock<std::mutex> lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, std::chrono::seconds(30),
                                  [this] { return entered_; }));
  }
  const RawResponse second =
      RawRequest(port_, "GET /block HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(second.status, 503);
  EXPECT_EQ(second.Header("retry-after"), "1");
  Release();
  const RawResponse released = first.ReadAll();
  EXPECT_EQ(released.status, 200);
  // The slot is free again.
  EXPECT_EQ(RawRequest(port_, "GET /block HTTP/1.1\r\nHost: x\r\n\r\n").status,
            200);
}

TEST_F(HttpServerTest, HandlerExceptionBecomesA500) {
  const RawResponse response =
      RawRequest(port_, "GET /throw HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(response.status, 500);
  EXPECT_THAT(response.body, HasSubstr("handler bug"));
}

TEST(HttpServerStartTest, ABadAddressThrowsNamingIt) {
  HttpServer::Options options;
  options.listen_addresses = {"no-port"};
  HttpServer server(options);
  try {
    server.Start();
    FAIL() << "started on an invalid address";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("no-port"));
  }
}

HttpRequest WithAcceptEncoding(const std::string& value) {
  HttpRequest request;
  request.headers["accept-encoding"] = value;
  return request;
}

TEST(AcceptsEncodingTest, HonoursQValuesAndTheWildcard) {
  EXPECT_FALSE(HttpRequest().AcceptsEncoding("gzip"));
  EXPECT_TRUE(WithAcceptEncoding("gzip").AcceptsEncoding("gzip"));
  EXPECT_TRUE(WithAcceptEncoding("deflate, GZIP").AcceptsEncoding("gzip"));
  EXPECT_TRUE(WithAcceptEncoding("gzip;q=0.5").AcceptsEncoding("gzip"));
  EXPECT_FALSE(WithAcceptEncoding("gzip;q=0").AcceptsEncoding("gzip"));
  EXPECT_FALSE(WithAcceptEncoding("gzip; q=0.000").AcceptsEncoding("gzip"));
  EXPECT_FALSE(WithAcceptEncoding("deflate").AcceptsEncoding("gzip"));
  EXPECT_TRUE(WithAcceptEncoding("*").AcceptsEncoding("gzip"));
  EXPECT_FALSE(WithAcceptEncoding("*;q=0").AcceptsEncoding("gzip"));
  // An explicit entry wins over the wildcard, in either order.
  EXPECT_FALSE(WithAcceptEncoding("*, gzip;q=0").AcceptsEncoding("gzip"));
  EXPECT_FALSE(WithAcceptEncoding("gzip;q=0, *").AcceptsEncoding("gzip"));
  EXPECT_TRUE(WithAcceptEncoding("*;q=0, gzip").AcceptsEncoding("gzip"));
  EXPECT_FALSE(WithAcceptEncoding("gzip;q=junk").AcceptsEncoding("gzip"));
}

TEST(HttpRequestTest, HeadersAndQueryParameters) {
  HttpRequest request;
  request.headers["content-type"] = "application/json";
  request.query = "date=2026-03-02&name=Zo%C3%AB+R&flag";
  EXPECT_EQ(request.Header("Content-Type"), "application/json");
  EXPECT_EQ(request.Header("absent"), "");
  EXPECT_EQ(request.QueryParam("date"), "2026-03-02");
  EXPECT_EQ(request.QueryParam("name"), "Zoë R");
  EXPECT_TRUE(request.HasQueryParam("flag"));
  EXPECT_FALSE(request.HasQueryParam("nope"));
  EXPECT_EQ(request.QueryParam("flag"), "");
}

TEST(ToCivetListenPortTest, TranslatesPrometheusStyleAddresses) {
  EXPECT_EQ(ToCivetListenPort(":10469"), "10469");
  EXPECT_EQ(ToCivetListenPort("0.0.0.0:80"), "80");
  EXPECT_EQ(ToCivetListenPort("127.0.0.1:0"), "127.0.0.1:0");
  EXPECT_EQ(ToCivetListenPort("[::1]:8080"), "[::1]:8080");
  EXPECT_EQ(ToCivetListenPort("[::]:8080"), "+8080");
  EXPECT_EQ(ToCivetListenPort("host:99999"), "");
  EXPECT_EQ(ToCivetListenPort("host:"), "");
  EXPECT_EQ(ToCivetListenPort("nocolon"), "");
}

}  // namespace
}  // namespace callcenter
