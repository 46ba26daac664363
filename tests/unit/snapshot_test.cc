#include "callcenter/snapshot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>
#include <zlib.h>

#include <sstream>

#include "callcenter/exporter_app.h"
#include "callcenter/health.h"

namespace callcenter {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Gunzip(const std::string& data) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  inflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

class StaticSource : public MetricSource {
 public:
  explicit StaticSource(std::string name) : name_(std::move(name)) {}
  void Collect(std::vector<prometheus::MetricFamily>* out) const override {
    auto family =
        MakeFamily(name_, "help with\nnewline", prometheus::MetricType::Gauge);
    AddGauge(&family, {}, 1);
    out->push_back(std::move(family));
  }

 private:
  std::string name_;
};

TEST(SnapshotTest, RendersTextAndGzipOfTheSameBytes) {
  std::ostringstream log;
  Logger logger(log, LogLevel::kDebug);
  SnapshotPublisher publisher(logger, std::chrono::milliseconds(1));
  StaticSource source("a_metric");
  publisher.AddSource(&source);
  publisher.RenderNow();
  auto snapshot = publisher.Current();
  EXPECT_THAT(snapshot->text, HasSubstr("# HELP a_metric help with newline\n"));
  EXPECT_EQ(Gunzip(snapshot->gzip), snapshot->text);
}

TEST(SnapshotTest, DropsInvalidAndDuplicateFamilies) {
  std::ostringstream log;
  Logger logger(log, LogLevel::kDebug);
  SnapshotPublisher publisher(logger, std::chrono::milliseconds(1));
  StaticSource good("ok_metric");
  StaticSource duplicate("ok_metric");
  StaticSource bad("0bad-name");
  publisher.AddSource(&good);
  publisher.AddSource(&duplicate);
  publisher.AddSource(&bad);
  publisher.RenderNow();
  const std::string text = publisher.Current()->text;
  EXPECT_EQ(text.find("ok_metric 1"), text.rfind("ok_metric 1"));
  EXPECT_THAT(text, Not(HasSubstr("0bad")));
  EXPECT_THAT(log.str(), HasSubstr("dropping invalid or duplicate family"));
}

TEST(SnapshotTest, GenerationIncreasesPerRender) {
  std::ostringstream log;
  Logger logger(log, LogLevel::kDebug);
  SnapshotPublisher publisher(logger, std::chrono::milliseconds(1));
  publisher.RenderNow();
  const auto first = publisher.Current();
  publisher.RenderNow();
  EXPECT_GT(publisher.Current()->generation, first->generation);
}

TEST(MetricsResponseTest, ServesGzipOnlyWhenAsked) {
  Snapshot snapshot;
  snapshot.text = "plain";
  snapshot.gzip = "zipped";
  HttpRequest request;
  auto plain = MetricsResponse(snapshot, request);
  EXPECT_EQ(plain.body, "plain");
  EXPECT_EQ(plain.content_type, "text/plain; version=0.0.4; charset=utf-8");
  request.headers["accept-encoding"] = "gzip, deflate";
  auto zipped = MetricsResponse(snapshot, request);
  EXPECT_EQ(zipped.body, "zipped");
  ASSERT_EQ(zipped.headers.size(), 1u);
  EXPECT_EQ(zipped.headers[0].second, "gzip");
}

TEST(LandingPageTest, LinksTheTelemetryPathAndShowsNoSecrets) {
  const std::string page = LandingPage("1.2.3", "/metrics");
  EXPECT_THAT(page, HasSubstr("href=\"/metrics\""));
  EXPECT_THAT(page, HasSubstr("1.2.3"));
  EXPECT_THAT(page, Not(HasSubstr("apiKey")));
}

TEST(ApiHealthTest, PreinitialisesFailureReasons) {
  FakeClock clock(FromUnixSeconds(1000));
  ApiHealth health({"ozonetel", {"cdr"}, true, {"auth", "http"}}, clock);
  health.RecordRequest("cdr", "http");
  health.RecordPoll("cdr", true, 0.25);
  std::vector<prometheus::MetricFamily> families;
  health.Collect(&families);
  const std::string text = prometheus::TextSerializer().Serialize(families);
  EXPECT_THAT(text, HasSubstr("ozonetel_api_request_failures_total{api=\"cdr\","
                              "reason=\"auth\"} 0"));
  EXPECT_THAT(text, HasSubstr("ozonetel_api_request_failures_total{api=\"cdr\","
                              "reason=\"http\"} 1"));
  EXPECT_THAT(text, HasSubstr("ozonetel_last_success_timestamp_seconds{api="
                              "\"cdr\"} 1000"));
  EXPECT_THAT(text, HasSubstr("ozonetel_up{api=\"cdr\"} 1"));
}

}  // namespace
}  // namespace callcenter
