// The libcurl transport against a local CivetWeb server: a GET carries its
// JSON body, POSTs stay POSTs, large bodies arrive in chunks, Retry-After
// is read, and aborts, refusals and timeouts surface as transport errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "callcenter/common/http_client.h"
#include "callcenter/common/http_server.h"

namespace callcenter {
namespace {

constexpr int kBigBytes = 1 << 20;

HttpServer::Options LocalServer(int threads, int request_timeout_ms) {
  HttpServer::Options options;
  options.listen_addresses = {"127.0.0.1:0"};
  options.threads = threads;
  options.request_timeout_ms = request_timeout_ms;
  return options;
}

class CurlTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Handle("/echo", [this](const HttpRequest& request) {
      std::lock_guard<std::mutex> lock(mutex_);
      seen_.push_back(request);
      return HttpResponse::Json(200, R"({"status":"success"})");
    });
    server_.Handle("/big", [](const HttpRequest&) {
      return HttpResponse::Text(200, std::string(kBigBytes, 'b'));
    });
    server_.Handle("/retry", [](const HttpRequest&) {
      HttpResponse response = HttpResponse::Text(429, "slow down");
      response.headers.emplace_back("Retry-After", "120");
      return response;
    });
    server_.Handle("/retry-date", [](const HttpRequest&) {
      HttpResponse response = HttpResponse::Text(429, "slow down");
      response.headers.emplace_back("Retry-After",
                                    "Wed, 21 Oct 2026 07:28:00 GMT");
      return response;
    });
    // Answers only once the test releases it, so a timeout needs no sleep.
    server_.Handle("/slow", [this](const HttpRequest&) {
      std::unique_lock<std::mutex> lock(mutex_);
      released_.wait(lock, [this] { return release_; });
      return HttpResponse::Json(200, "{}");
    });
    server_.Start();
    base_ =
        "http://127.0.0.1:" + std::to_string(server_.ListeningPorts().at(0));
  }

  void TearDown() override {
    Release();
    server_.Stop();
  }

  void Release() {
    std::lock_guard<std::mutex> lock(mutex_);
    release_ = true;
    released_.notify_all();
  }

  std::vector<HttpRequest> Seen() {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }

  HttpCall Call(std::string method, const std::string& path,
                std::string body) const {
    HttpCall call;
    call.method = std::move(method);
    call.url = base_ + path;
    call.body = std::move(body);
    call.headers = {{"apiKey", "KK-secret"},
                    {"Content-Type", "application/json"}};
    call.timeout = std::chrono::milliseconds(10000);
    call.connect_timeout = std::chrono::milliseconds(2000);
    return call;
  }

  HttpServer server_{LocalServer(4, 10000)};
  std::string base_;
  std::mutex mutex_;
  std::condition_variable released_;
  bool release_ = false;
  std::vector<HttpRequest> seen_;
};

TEST_F(CurlTransportTest, GetCarriesItsJsonBody) {
  auto transport = MakeCurlTransport();
  const std::string body =
      R"({"fromDate":"2026-03-02 00:00:00","userName":"acme"})";
  std::string received;
  const HttpStatus status = transport->Perform(Call("GET", "/echo", body),
                                               [&](std::string_view chunk) {
                                                 received.append(chunk);
                                                 return true;
                                               });
  EXPECT_EQ(status.error, "");
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(received, R"({"status":"success"})");
  const std::vector<HttpRequest> seen = Seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].body, body);
  EXPECT_EQ(seen[0].Header("apikey"), "KK-secret");
  EXPECT_EQ(seen[0].Header("content-type"), "application/json");
  EXPECT_EQ(seen[0].Header("authorization"), "");
  EXPECT_EQ(seen[0].Header("expect"), "");
}

TEST_F(CurlTransportTest, PostStaysAPost) {
  auto transport = MakeCurlTransport();
  const HttpStatus status =
      transport->Perform(Call("POST", "/echo", R"({"userName":"acme"})"),
                         [](std::string_view) { return true; });
  EXPECT_EQ(status.status, 200);
  const std::vector<HttpRequest> seen = Seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].body, R"({"userName":"acme"})");
}

TEST_F(CurlTransportTest, LargeBodiesArriveInChunks) {
  auto transport = MakeCurlTransport();
  size_t received = 0;
  int chunks = 0;
  const HttpStatus status =
      transport->Perform(Call("GET", "/big", ""), [&](std::string_view chunk) {
        received += chunk.size();
        ++chunks;
        return true;
      });
  EXPECT_EQ(status.error, "");
  EXPECT_EQ(received, static_cast<size_t>(kBigBytes));
  EXPECT_GT(chunks, 1);
}

TEST_F(CurlTransportTest, ReturningFalseAbortsTheTransfer) {
  auto transport = MakeCurlTransport();
  int chunks = 0;
  const HttpStatus status =
      transport->Perform(Call("GET", "/big", ""), [&](std::string_view) {
        ++chunks;
        return false;
      });
  EXPECT_EQ(chunks, 1);
  EXPECT_NE(status.error, "");
  EXPECT_FALSE(status.timed_out);
}

TEST_F(CurlTransportTest, RetryAfterSecondsAreRead) {
  auto transport = MakeCurlTransport();
  HttpStatus status = transport->Perform(Call("GET", "/retry", ""),
                                         [](std::string_view) { return true; });
  EXPECT_EQ(status.status, 429);
  EXPECT_EQ(status.retry_after, std::chrono::seconds(120));
  // The HTTP-date form is not used by the APIs we read: ignored.
  status = transport->Perform(Call("GET", "/retry-date", ""),
                              [](std::string_view) { return true; });
  EXPECT_EQ(status.status, 429);
  EXPECT_FALSE(status.retry_after.has_value());
}

TEST_F(CurlTransportTest, TimeoutIsReportedAsTimedOut) {
  auto transport = MakeCurlTransport();
  HttpCall call = Call("GET", "/slow", "");
  call.timeout = std::chrono::milliseconds(200);
  const HttpStatus status =
      transport->Perform(call, [](std::string_view) { return true; });
  Release();
  EXPECT_TRUE(status.timed_out);
  EXPECT_NE(status.error, "");
}

TEST_F(CurlTransportTest, ConnectionRefusedIsAnError) {
  HttpServer other(LocalServer(1, 1000));
  other.Start();
  const int port = other.ListeningPorts().at(0);
  other.Stop();
  auto transport = MakeCurlTransport();
  HttpCall call = Call("GET", "/", "");
  call.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  const HttpStatus status =
      transport->Perform(call, [](std::string_view) { return true; });
  EXPECT_NE(status.error, "");
  EXPECT_FALSE(status.timed_out);
  EXPECT_EQ(status.status, 0);
}

}  // namespace
}  // namespace callcenter
