// web::WebServer on 127.0.0.1:0 over a small engine: /metrics, the landing
// page, /-/healthy, /-/ready (200, and 503 with its reasons), 405 with
// Allow, HEAD without a body, module routes, and a separate events
// listener. Requests go over real sockets (testing/raw_http.h).
#include "web/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <sstream>

#include "core/health.h"
#include "testing/metrics.h"
#include "testing/raw_http.h"
#include "testing/temp_dir.h"

namespace callcenter::web {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

class Gauge final : public core::MetricSource {
 public:
  std::vector<core::FamilySpec> Families() const override {
    return {{"test_value", "A value.", core::MetricType::kGauge, {"kind"}}};
  }
  void Render(core::MetricSink& sink) const override {
    const auto families = Families();  // Begin keeps a pointer to it
    sink.Begin(families[0]);
    for (int i = 0; i < 50; ++i) {
      sink.Sample({{"kind", "k" + std::to_string(i)}}, value.load() + i);
    }
  }
  std::atomic<double> value{7};
};

// The body, after checking that the server wrote exactly Content-Length
// bytes of it and nothing more before closing.
std::string Body(const test::RawResponse& response) {
  EXPECT_EQ(response.Header("content-length"),
            std::to_string(response.body.size()))
      << response.body;
  return response.body;
}

std::string Get(const std::string& path, const std::string& headers = "",
                const std::string& method = "GET") {
  return method + " " + path + " HTTP/1.1\r\nHost: test\r\n" + headers + "\r\n";
}

class WebServerTest : public ::testing::Test {
 protected:
  WebServerTest() {
    engine_.AddSource("gauge", &gauge_);
    budgets_.AddFamily("cdr", 2, Seconds(60), Seconds(0));
    engine_.AddHealth(&health_);
    engine_.AddReadiness("module", [this]() -> std::optional<std::string> {
      if (ready_) return std::nullopt;
      return "waiting for <first> poll";
    });
    core::Route status;
    status.path = "/module/status";
    status.handler = [](const HttpRequest&) {
      return HttpResponse::Json(200, "{\"module\":\"ok\"}\n");
    };
    engine_.AddRoute(status);
    core::Route hook;
    hook.path = "/module/hook";
    hook.methods = {"POST"};
    hook.max_body_bytes = 1024;
    hook.listener = core::Route::Listener::kEvents;
    hook.basic_auth = false;
    hook.handler = [this](const HttpRequest& request) {
      last_hook_body_ = request.body;
      return HttpResponse::Text(202, "taken\n");
    };
    hook.on_refused = [this](int status) { refused_.push_back(status); };
    engine_.AddRoute(hook);
    publisher_.RenderNow();
  }
  ~WebServerTest() override {
    if (server_) server_->Stop();
  }

  void StartServer(std::vector<std::string> events_listen = {}) {
    WebOptions options;
    options.listen_addresses = {"127.0.0.1:0"};
    options.events_listen_addresses = std::move(events_listen);
    options.max_requests = 2;
    options.version = "9.9.9";
    options.revision = "feedface";
    options.storage_path = dir_.path();
    server_ = std::make_unique<WebServer>(options, engine_, publisher_, clock_);
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    ASSERT_THAT(server_->ListeningPorts(), SizeIs(1));
    port_ = server_->ListeningPorts()[0];
  }

  // One request on its own connection; checks that the server writes
  // nothing after the response before it closes.
  test::RawResponse Request(const std::string& raw, int port = 0) {
    test::RawConnection connection(port == 0 ? port_ : port);
    EXPECT_TRUE(connection.connected());
    EXPECT_TRUE(connection.Send(raw));
    const bool head = raw.rfind("HEAD ", 0) == 0;
    test::RawResponse response = connection.ReadAll(head);
    const test::RawResponse after = connection.ReadAll(head);
    EXPECT_TRUE(after.closed) << raw;
    EXPECT_EQ(after.raw, "") << raw;
    return response;
  }

  test::TempDir dir_;
  std::ostringstream log_;
  core::Logger logger_{log_, core::LogLevel::kError};
  FakeClock clock_{FromUnixSeconds(1772420000)};
  core::StopSignal stop_;
  core::StateStore store_{dir_.path(), logger_};
  core::BudgetGate budgets_{clock_, stop_, logger_, nullptr};
  core::SnapshotPublisher publisher_{logger_, {}};
  core::Engine engine_{clock_, logger_, stop_, store_, budgets_, publisher_};
  Gauge gauge_;
  core::SourceHealth health_{
      {"ozonetel", "this Ozonetel API", {"cdr"}, true, {"http"}}, clock_};
  bool ready_ = true;
  std::string last_hook_body_;
  std::vector<int> refused_;
  std::unique_ptr<WebServer> server_;
  int port_ = 0;
};

TEST_F(WebServerTest, MetricsArePlainOrGzipAsAsked) {
  StartServer();
  const std::string text = publisher_.Current()->Text();
  const test::RawResponse plain = Request(Get("/metrics"));
  EXPECT_TRUE(plain.complete);
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(plain.Header("content-type"),
            "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(plain.Header("vary"), "Accept-Encoding");
  EXPECT_EQ(plain.Header("content-encoding"), "");
  EXPECT_EQ(Body(plain), text);
  EXPECT_THAT(text, HasSubstr("test_value{kind=\"k49\"} 56\n"));

  const test::RawResponse gzip =
      Request(Get("/metrics", "Accept-Encoding: gzip\r\n"));
  EXPECT_EQ(gzip.status, 200);
  EXPECT_EQ(gzip.Header("content-encoding"), "gzip");
  EXPECT_EQ(gzip.Header("vary"), "Accept-Encoding");
  const test::Gunzipped inflated = test::Gunzip(Body(gzip));
  EXPECT_TRUE(inflated.ok);
  EXPECT_EQ(inflated.text, text);

  EXPECT_EQ(Body(Request(Get("/metrics", "Accept-Encoding: gzip;q=0\r\n"))),
            text);
}

TEST_F(WebServerTest, HeadAnswersHeadersWithoutABody) {
  StartServer();
  const test::RawResponse head = Request(Get("/metrics", "", "HEAD"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"),
            std::to_string(publisher_.Current()->text_size()));
  // Nothing follows the headers.
  EXPECT_EQ(head.body, "");
  const test::RawResponse page = Request(Get("/", "", "HEAD"));
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "");
  EXPECT_NE(page.Header("content-length"), "0");
  EXPECT_EQ(page.Header("content-length"),
            std::to_string(Body(Request(Get("/"))).size()));
}

TEST_F(WebServerTest, TheLandingPageShowsTheEngineState) {
  health_.SetLimit("cdr", 2, 60);
  health_.RecordPoll("cdr", true, 0.5);
  clock_.Advance(Seconds(90));
  ASSERT_EQ(budgets_.Acquire("cdr"), core::Admission::kGranted);
  StartServer();
  const test::RawResponse response = Request(Get("/"));
  EXPECT_EQ(response.status, 200);
  const std::string page = Body(response);
  EXPECT_EQ(response.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_THAT(page, HasSubstr("Version 9.9.9, revision feedface."));
  EXPECT_THAT(page,
              HasSubstr("<tr><td>ozonetel</td><td>cdr</td><td><span "
                        "class=\"up\">up</span></td><td>90 s</td><td>1 / 2 "
                        "per 60 s</td>"));
  EXPECT_THAT(page, HasSubstr("<p class=\"up\">Ready.</p>"));
  EXPECT_THAT(page, HasSubstr("<a href=\"/module/status\">"));
  EXPECT_THAT(page, Not(HasSubstr("/module/hook")));  // POST only
  EXPECT_EQ(Request(Get("/nothing-here")).status, 404);
  EXPECT_EQ(Request(Get("/index.html")).status, 404);
}

TEST_F(WebServerTest, LandingDataFollowsTheEngine) {
  health_.RecordPoll("cdr", false, 1, "http: HTTP 502");
  ready_ = false;
  store_.health().RecordWrite("cdr_state.json", false, "cannot write: full");
  StartServer();
  const LandingData data = server_->Landing();
  ASSERT_THAT(data.upstreams, SizeIs(1));
  EXPECT_EQ(data.upstreams[0].source, "ozonetel");
  EXPECT_EQ(data.upstreams[0].api, "cdr");
  EXPECT_TRUE(data.upstreams[0].polled);
  EXPECT_FALSE(data.upstreams[0].up);
  EXPECT_EQ(data.upstreams[0].age_seconds, std::nullopt);
  EXPECT_EQ(data.upstreams[0].last_error, "http: HTTP 502");
  EXPECT_EQ(data.upstreams[0].used, 0);
  EXPECT_EQ(data.upstreams[0].limit, 2);
  EXPECT_FALSE(data.storage_writable);
  EXPECT_THAT(data.storage_problem, HasSubstr("cannot write: full"));
  EXPECT_THAT(data.not_ready, SizeIs(2));
  const std::string page = Body(Request(Get("/")));
  EXPECT_THAT(page, HasSubstr("<span class=\"down\">cannot write</span>"));
  EXPECT_THAT(page,
              HasSubstr("<li>module: waiting for &lt;first&gt; poll</li>"));
  EXPECT_THAT(page, HasSubstr("<td>never</td>"));
}

TEST_F(WebServerTest, HealthyAndReady) {
  StartServer();
  const test::RawResponse healthy = Request(Get("/-/healthy"));
  EXPECT_EQ(healthy.status, 200);
  EXPECT_EQ(Body(healthy), "Healthy.\n");
  const test::RawResponse ready = Request(Get("/-/ready"));
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(Body(ready), "Ready.\n");

  ready_ = false;
  store_.health().RecordWrite("agents.json", false, "No space left");
  const test::RawResponse not_ready = Request(Get("/-/ready"));
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_THAT(Body(not_ready), ::testing::StartsWith("Not ready:\n"));
  EXPECT_THAT(Body(not_ready),
              HasSubstr("- module: waiting for <first> poll\n"));
  EXPECT_THAT(Body(not_ready), HasSubstr("- storage: state cannot be written "
                                         "under " +
                                         dir_.path()));
  // Liveness does not depend on readiness.
  EXPECT_EQ(Request(Get("/-/healthy")).status, 200);

  ready_ = true;
  store_.health().RecordWrite("agents.json", true, "");
  EXPECT_EQ(Request(Get("/-/ready")).status, 200);
}

TEST_F(WebServerTest, AWrongMethodIs405WithAllow) {
  StartServer();
  for (const char* path : {"/metrics", "/", "/-/ready", "/module/status"}) {
    const test::RawResponse response =
        Request(Get(path, "Content-Length: 0\r\n", "POST"));
    EXPECT_EQ(response.status, 405) << path;
    EXPECT_EQ(response.Header("allow"), "GET, HEAD") << path;
  }
  const test::RawResponse hook = Request(Get("/module/hook"));
  EXPECT_EQ(hook.status, 405);
  EXPECT_EQ(hook.Header("allow"), "POST");
  EXPECT_THAT(refused_, ElementsAre(405));
  EXPECT_EQ(last_hook_body_, "");
}

TEST_F(WebServerTest, ModuleRoutesAreServedWithTheirLimits) {
  StartServer();
  const test::RawResponse status = Request(Get("/module/status"));
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(status.Header("content-type"), "application/json");
  EXPECT_EQ(Body(status), "{\"module\":\"ok\"}\n");
  // Without a separate events listener, event routes share the main one.
  const test::RawResponse hook = Request(
      "POST /module/hook HTTP/1.1\r\nHost: t\r\nContent-Length: "
      "5\r\n\r\nhello");
  EXPECT_EQ(hook.status, 202);
  EXPECT_EQ(last_hook_body_, "hello");
  const test::RawResponse large = Request(
      "POST /module/hook HTTP/1.1\r\nHost: t\r\nContent-Length: 1025\r\n\r\n");
  EXPECT_EQ(large.status, 413);
  EXPECT_THAT(refused_, ElementsAre(413));
  // A route that takes no body refuses one.
  EXPECT_EQ(Request(Get("/metrics", "Content-Length: 10\r\n")).status, 413);
}

TEST_F(WebServerTest, EventRoutesCanHaveTheirOwnListener) {
  StartServer({"127.0.0.1:0"});
  const std::vector<int> events = server_->EventsPorts();
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_NE(events[0], port_);
  const std::string post =
      "POST /module/hook HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi";
  EXPECT_EQ(Request(post, events[0]).status, 202);
  EXPECT_EQ(Request("POST /module/hook HTTP/1.1\r\nHost: t\r\n"
                    "Content-Length: 0\r\n\r\n")
                .status,
            404);
  // Pages stay on the main listener.
  EXPECT_EQ(Request(Get("/metrics"), events[0]).status, 404);
  EXPECT_EQ(Request(Get("/module/status")).status, 200);
}

TEST_F(WebServerTest, AnAddressInUseIsOneLine) {
  StartServer();
  WebOptions options;
  options.listen_addresses = {"127.0.0.1:" + std::to_string(port_)};
  WebServer second(options, engine_, publisher_, clock_);
  std::string error;
  EXPECT_FALSE(second.Start(&error));
  EXPECT_THAT(error, HasSubstr("cannot listen on 127.0.0.1:"));
  EXPECT_EQ(error.find('\n'), std::string::npos);
  EXPECT_EQ(Request(Get("/-/healthy")).status, 200);
}

}  // namespace
}  // namespace callcenter::web
