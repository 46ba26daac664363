// The file and HTTP sources end to end: a real file replaced atomically
// while it is read, a sparse 100 MB file refused by its size, and a local
// HTTP server answering 200, 500, too much, or too late.
#include "cccp/fetcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "callcenter/common/http_server.h"
#include "cccp/document.h"
#include "test_support.h"

namespace callcenter::cccp {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using testing::TempDir;

TEST(FileFetcherTest, ReadsTheWholeFile) {
  TempDir dir;
  const std::string doc = testing::GeneratedDocument(testing::T0(), 420);
  testing::WriteAtomically(dir.File("snapshot.json"), doc);
  const auto result = MakeFileFetcher(dir.File("snapshot.json"), {})->Fetch();
  ASSERT_EQ(result.status, FetchResult::Status::kOk) << result.message;
  EXPECT_EQ(result.body, doc);
}

TEST(FileFetcherTest, ReadErrorsAreIo) {
  TempDir dir;
  const auto missing = MakeFileFetcher(dir.File("missing.json"), {})->Fetch();
  EXPECT_EQ(missing.status, FetchResult::Status::kFailed);
  EXPECT_EQ(missing.error, FetchError::kIo);
  EXPECT_THAT(missing.message, HasSubstr("no such file"));
  const auto directory = MakeFileFetcher(dir.path(), {})->Fetch();
  EXPECT_EQ(directory.error, FetchError::kIo);
  EXPECT_THAT(directory.message, HasSubstr("not a regular file"));
  ASSERT_EQ(::mkfifo(dir.File("fifo").c_str(), 0600), 0);
  const auto fifo = MakeFileFetcher(dir.File("fifo"), {})->Fetch();
  EXPECT_EQ(fifo.error, FetchError::kIo) << "a FIFO must not block the fetch";
}

TEST(FileFetcherTest, ASparse100MegabyteFileIsRefusedByItsSize) {
  TempDir dir;
  const std::string path = dir.File("huge.json");
  testing::WriteText(path, "{");
  ASSERT_EQ(::truncate(path.c_str(), 100 * 1024 * 1024), 0);
  const auto result = MakeFileFetcher(path, {})->Fetch();
  EXPECT_EQ(result.status, FetchResult::Status::kFailed);
  EXPECT_EQ(result.error, FetchError::kIo);
  EXPECT_THAT(result.message, HasSubstr("larger than 67108864 bytes"));
  EXPECT_TRUE(result.body.empty());
}

TEST(FileFetcherTest, AReaderNeverSeesAHalfWrittenDocument) {
  TempDir dir;
  const std::string path = dir.File("snapshot.json");
  const std::string small = testing::GeneratedDocument(testing::T0(), 3);
  const std::string large = testing::GeneratedDocument(testing::T0(), 600);
  testing::WriteAtomically(path, small);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 300; ++i) {
      testing::WriteAtomically(path, i % 2 == 0 ? large : small);
    }
    done = true;
  });
  const auto fetcher = MakeFileFetcher(path, {});
  int reads = 0;
  while (!done || reads < 50) {
    const auto result = fetcher->Fetch();
    ASSERT_EQ(result.status, FetchResult::Status::kOk) << result.message;
    ASSERT_TRUE(result.body == small || result.body == large)
        << "read " << result.body.size() << " bytes";
    ASSERT_EQ(ParseSnapshot(result.body).status, ParsedSnapshot::Status::kOk);
    ++reads;
  }
  writer.join();
}

HttpServer::Options ServerOptions() {
  HttpServer::Options options;
  options.listen_addresses = {"127.0.0.1:0"};
  options.threads = 4;
  return options;
}

// One server for the suite: CivetWeb takes a while to stop.
class HttpFetcherTest : public ::testing::Test {
 protected:
  struct Shared {
    HttpServer server{ServerOptions()};
    std::string base;
    std::mutex mutex;
    std::condition_variable released;
    bool release = false;
    std::vector<HttpRequest> seen;
    std::string document;
  };

  static void SetUpTestSuite() {
    shared_ = new Shared;
    Shared& s = *shared_;
    s.document = testing::GeneratedDocument(testing::T0(), 420);
    s.server.Handle("/snapshot", [&s](const HttpRequest& request) {
      std::lock_guard<std::mutex> lock(s.mutex);
      s.seen.push_back(request);
      return HttpResponse::Json(200, s.document);
    });
    s.server.Handle("/broken", [](const HttpRequest&) {
      return HttpResponse::Text(500, "dispatch unreachable");
    });
    s.server.Handle("/redirect", [](const HttpRequest&) {
      HttpResponse response = HttpResponse::Text(302, "");
      response.headers.emplace_back("Location", "/snapshot");
      return response;
    });
    // Answers only once released, so a timeout needs no sleep.
    s.server.Handle("/slow", [&s](const HttpRequest&) {
      std::unique_lock<std::mutex> lock(s.mutex);
      s.released.wait(lock, [&s] { return s.release; });
      return HttpResponse::Json(200, "{}");
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

  static void Release() {
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      shared_->release = true;
    }
    shared_->released.notify_all();
  }

  static FetchResult Fetch(const std::string& path, FetchOptions options = {},
                           std::string headers_file = "") {
    return MakeHttpFetcher({shared_->base + path, std::move(headers_file), ""},
                           MakeCurlTransport(), std::move(options))
        ->Fetch();
  }

  static Shared* shared_;
};

HttpFetcherTest::Shared* HttpFetcherTest::shared_ = nullptr;

TEST_F(HttpFetcherTest, OkWithHeadersFromTheFile) {
  TempDir dir;
  testing::WriteText(dir.File("headers"),
                     "Authorization: Bearer s3cret\nX-Project: PROJECT_A\n");
  const auto result = Fetch("/snapshot", {}, dir.File("headers"));
  ASSERT_EQ(result.status, FetchResult::Status::kOk) << result.message;
  EXPECT_EQ(result.body, shared_->document);
  std::lock_guard<std::mutex> lock(shared_->mutex);
  ASSERT_FALSE(shared_->seen.empty());
  const HttpRequest& request = shared_->seen.back();
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.Header("authorization"), "Bearer s3cret");
  EXPECT_EQ(request.Header("x-project"), "PROJECT_A");
}

TEST_F(HttpFetcherTest, NonSuccessStatusesAreHttp) {
  const auto broken = Fetch("/broken");
  EXPECT_EQ(broken.status, FetchResult::Status::kFailed);
  EXPECT_EQ(broken.error, FetchError::kHttp);
  EXPECT_EQ(broken.message, "HTTP status 500");
  const auto missing = Fetch("/nothing-here");
  EXPECT_EQ(missing.error, FetchError::kHttp);
  EXPECT_EQ(Fetch("/redirect").message, "HTTP status 302");
}

TEST_F(HttpFetcherTest, AnAnswerOverTheCapIsHttp) {
  FetchOptions options;
  options.max_bytes = 1000;
  const auto result = Fetch("/snapshot", options);
  EXPECT_EQ(result.error, FetchError::kHttp);
  EXPECT_EQ(result.message, "answer larger than 1000 bytes");
}

TEST_F(HttpFetcherTest, ASlowAnswerIsATimeout) {
  FetchOptions options;
  options.timeout = milliseconds(300);
  const auto result = Fetch("/slow", options);
  Release();
  EXPECT_EQ(result.status, FetchResult::Status::kFailed);
  EXPECT_EQ(result.error, FetchError::kTimeout);
  EXPECT_EQ(result.message, "no complete answer within 300ms");
}

TEST_F(HttpFetcherTest, AMissingHeadersFileIsIoAndNothingIsSent) {
  const size_t before = [] {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    return shared_->seen.size();
  }();
  const auto result = Fetch("/snapshot", {}, "/nonexistent/headers");
  EXPECT_EQ(result.error, FetchError::kIo);
  std::lock_guard<std::mutex> lock(shared_->mutex);
  EXPECT_EQ(shared_->seen.size(), before);
}

TEST(HttpFetcherNoServerTest, ARefusedConnectionIsHttp) {
  // Port 1 on loopback: nothing listens there.
  const auto result = MakeHttpFetcher({"http://127.0.0.1:1/snapshot", "", ""},
                                      MakeCurlTransport(), {})
                          ->Fetch();
  EXPECT_EQ(result.status, FetchResult::Status::kFailed);
  EXPECT_EQ(result.error, FetchError::kHttp);
}

}  // namespace
}  // namespace callcenter::cccp
