// The libcurl transport against a local CivetWeb server: a GET carries its
// JSON body, POSTs stay POSTs, large bodies arrive in chunks, and aborts,
// refusals and timeouts surface as transport errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "callcenter/common/clock.h"
#include "callcenter/common/http_server.h"
#include "callcenter/ozonetel/client.h"
#include "callcenter/ozonetel/transport.h"
#include "fakes.h"
#include "test_bodies.h"

namespace callcenter::ozonetel {
namespace {

using ::testing::HasSubstr;

// One server for the suite: CivetWeb takes about two seconds to stop.
class CurlTransportTest : public ::testing::Test {
 protected:
  struct Shared {
    HttpServer server{HttpServer::Options{{"127.0.0.1:0"}, 4, 10000}};
    std::string base;
    std::mutex mutex;
    std::condition_variable released;
    bool release = false;
    std::vector<HttpRequest> seen;
  };

  static void SetUpTestSuite() {
    shared_ = new Shared;
    Shared& s = *shared_;
    s.server.Handle("/echo", [&s](const HttpRequest& request) {
      std::lock_guard<std::mutex> lock(s.mutex);
      s.seen.push_back(request);
      return HttpResponse::Json(200, R"({"status":"success"})");
    });
    s.server.Handle("/big", [](const HttpRequest&) {
      return HttpResponse::Json(200, BigBody());
    });
    // Answers only once the test releases it, so a timeout needs no sleep.
    s.server.Handle("/slow", [&s](const HttpRequest&) {
      std::unique_lock<std::mutex> lock(s.mutex);
      s.released.wait(lock, [&s] { return s.release; });
      return HttpResponse::Json(200, "{}");
    });
    s.server.Handle("/ca_reports/fetchCDRDetails", [&s](const HttpRequest& r) {
      {
        std::lock_guard<std::mutex> lock(s.mutex);
        s.seen.push_back(r);
      }
      if (r.method != "GET") return HttpResponse::Text(405, "405");
      if (r.body.find("\"fromDate\"") == std::string::npos) {
        return HttpResponse::Json(
            200,
            R"({"status":"false","message":"Invalid Json Pass Valid Json"})");
      }
      return HttpResponse::Json(200, BigBody());
    });
    s.server.Start();
    s.base =
        "http://127.0.0.1:" + std::to_string(s.server.ListeningPorts().at(0));
  }

  static void TearDownTestSuite() {
    Release();
    shared_->server.Stop();
    delete shared_;
    shared_ = nullptr;
  }

  void SetUp() override {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->seen.clear();
    shared_->release = false;
  }

  static void Release() {
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      shared_->release = true;
    }
    shared_->released.notify_all();
  }

  std::vector<HttpRequest> Seen() {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    return shared_->seen;
  }

  static constexpr int kBigRecords = 2000;

  static std::string BigBody() {
    std::string body = R"({"status":"success","message":"","details":[)";
    for (int i = 0; i < kBigRecords; ++i) {
      if (i > 0) body += ",";
      body += testing::CompactRecord(std::to_string(31733467784618213LL + i));
    }
    return body + "]}";
  }

  HttpCall Call(std::string method, std::string path, std::string body) {
    HttpCall call;
    call.method = std::move(method);
    call.url = shared_->base + path;
    call.body = std::move(body);
    call.headers = {{"apiKey", "KK-secret"},
                    {"Content-Type", "application/json"}};
    call.timeout = std::chrono::milliseconds(10000);
    call.connect_timeout = std::chrono::milliseconds(2000);
    return call;
  }

  static Shared* shared_;
};

CurlTransportTest::Shared* CurlTransportTest::shared_ = nullptr;

TEST_F(CurlTransportTest, GetCarriesItsJsonBody) {
  auto transport = MakeCurlTransport();
  const std::string body =
      R"({"fromDate":"2026-03-02 00:00:00","userName":"acme"})";
  std::string received;
  HttpStatus status = transport->Perform(Call("GET", "/echo", body),
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
  HttpStatus status =
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
  std::string received;
  int chunks = 0;
  HttpStatus status =
      transport->Perform(Call("GET", "/big", ""), [&](std::string_view chunk) {
        received.append(chunk);
        ++chunks;
        return true;
      });
  EXPECT_EQ(status.error, "");
  EXPECT_EQ(received, BigBody());
  EXPECT_GT(chunks, 1);
}

TEST_F(CurlTransportTest, ReturningFalseAbortsTheTransfer) {
  auto transport = MakeCurlTransport();
  int chunks = 0;
  HttpStatus status =
      transport->Perform(Call("GET", "/big", ""), [&](std::string_view) {
        ++chunks;
        return false;
      });
  EXPECT_EQ(chunks, 1);
  EXPECT_NE(status.error, "");
  EXPECT_FALSE(status.timed_out);
}

TEST_F(CurlTransportTest, TimeoutIsReportedAsTimedOut) {
  auto transport = MakeCurlTransport();
  HttpCall call = Call("GET", "/slow", "");
  call.timeout = std::chrono::milliseconds(200);
  HttpStatus status =
      transport->Perform(call, [](std::string_view) { return true; });
  Release();
  EXPECT_TRUE(status.timed_out);
  EXPECT_NE(status.error, "");
}

TEST_F(CurlTransportTest, ConnectionRefusedIsAnError) {
  HttpServer other(HttpServer::Options{{"127.0.0.1:0"}, 1, 1000});
  other.Start();
  const int port = other.ListeningPorts().at(0);
  other.Stop();
  auto transport = MakeCurlTransport();
  HttpCall call = Call("GET", "/", "");
  call.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  HttpStatus status =
      transport->Perform(call, [](std::string_view) { return true; });
  EXPECT_NE(status.error, "");
  EXPECT_FALSE(status.timed_out);
  EXPECT_EQ(status.status, 0);
}

TEST_F(CurlTransportTest, ClientStreamsCdrsOverCurl) {
  ClientOptions options;
  options.base_url = shared_->base + "/";
  options.user_name = "acme";
  options.api_key = "KK-secret";
  testing::FakeGate gate;
  FakeClock clock(FromUnixSeconds(1'772'400'000));
  auto api = MakeClient(options, MakeCurlTransport(), gate, clock);
  size_t records = 0;
  std::string last;
  Outcome outcome = api->FetchCdrs(
      {"2026-03-02 00:00:00", "2026-03-02 23:59:59"}, [&](CdrRecord&& record) {
        ++records;
        last = record.call_id;
      });
  ASSERT_TRUE(outcome.ok()) << outcome.failure->message;
  EXPECT_EQ(records, static_cast<size_t>(kBigRecords));
  EXPECT_EQ(last, std::to_string(31733467784618213LL + kBigRecords - 1));
  const std::vector<HttpRequest> seen = Seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_THAT(seen[0].body, HasSubstr(R"("userName":"acme")"));
}

}  // namespace
}  // namespace callcenter::ozonetel
