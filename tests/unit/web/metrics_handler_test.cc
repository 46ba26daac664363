// web::MetricsResponse: the current snapshot, plain or as one gzip member
// (decoded here with zlib), chosen by Accept-Encoding with its q-values,
// and always with Vary: Accept-Encoding.
#include "web/metrics_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "testing/metrics.h"

namespace callcenter::web {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using Header = std::pair<std::string, std::string>;

// A few hundred series, so that gzip has something to compress.
class ManySeries final : public core::MetricSource {
 public:
  std::vector<core::FamilySpec> Families() const override {
    return {{"test_calls_total",
             "Calls by agent.",
             core::MetricType::kCounter,
             {"agent"}},
            {"test_level", "A level.", core::MetricType::kGauge, {}}};
  }
  void Render(core::MetricSink& sink) const override {
    const auto families = Families();
    sink.Begin(families[0]);
    for (int i = 0; i < 300; ++i) {
      const std::string agent = "agent" + std::to_string(i);
      sink.Sample({{"agent", agent}}, i * 7);
    }
    sink.Begin(families[1]);
    sink.Sample({}, level);
  }
  double level = 1;
};

std::string Collect(const HttpResponse& response) {
  std::string body;
  response.stream([&](std::string_view chunk) {
    body.append(chunk);
    return true;
  });
  return body;
}

std::optional<std::string> FindHeader(const HttpResponse& response,
                                      const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

HttpRequest WithAcceptEncoding(const std::string& value) {
  HttpRequest request;
  request.method = "GET";
  request.path = "/metrics";
  if (!value.empty()) request.headers["accept-encoding"] = value;
  return request;
}

class MetricsResponseTest : public ::testing::Test {
 protected:
  MetricsResponseTest() {
    publisher_.Add("many", &source_);
    publisher_.RenderNow();
  }

  std::ostringstream log_;
  core::Logger logger_{log_, core::LogLevel::kError};
  ManySeries source_;
  core::SnapshotPublisher publisher_{logger_, {}};
};

TEST_F(MetricsResponseTest, PlainTextIsTheSnapshotText) {
  const auto snapshot = publisher_.Current();
  const HttpResponse response =
      MetricsResponse(*snapshot, WithAcceptEncoding(""));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(response.headers, Contains(Header("Vary", "Accept-Encoding")));
  EXPECT_EQ(FindHeader(response, "Content-Encoding"), std::nullopt);
  const std::string body = Collect(response);
  EXPECT_EQ(body, snapshot->Text());
  EXPECT_EQ(response.stream_length, body.size());
  EXPECT_THAT(body, HasSubstr("test_calls_total{agent=\"agent299\"} 2093\n"));
}

TEST_F(MetricsResponseTest, GzipIsOneMemberThatInflatesToTheText) {
  const auto snapshot = publisher_.Current();
  const HttpResponse response =
      MetricsResponse(*snapshot, WithAcceptEncoding("deflate, gzip"));
  EXPECT_EQ(FindHeader(response, "Content-Encoding"), "gzip");
  EXPECT_THAT(response.headers, Contains(Header("Vary", "Accept-Encoding")));
  EXPECT_EQ(response.content_type, kMetricsContentType);
  const std::string body = Collect(response);
  EXPECT_EQ(response.stream_length, body.size());
  EXPECT_LT(body.size(), snapshot->text_size() / 2);
  const test::Gunzipped inflated = test::Gunzip(body);
  EXPECT_TRUE(inflated.ok);
  EXPECT_EQ(inflated.trailing, 0u);
  EXPECT_EQ(inflated.text, snapshot->Text());
}

TEST_F(MetricsResponseTest, AcceptEncodingQValuesChooseTheBody) {
  struct Case {
    std::string accept;
    bool gzip;
  };
  const std::vector<Case> cases = {
      {"", false},
      {"identity", false},
      {"gzip", true},
      {"GZIP", true},
      {"gzip;q=0.5", true},
      {"gzip;q=0", false},
      {"gzip; q=0.0", false},
      {"br, gzip;q=0", false},
      {"*", true},
      {"*;q=0", false},
      {"gzip;q=0, *", false},  // the explicit entry wins over *
      {"*, gzip;q=0", false},
      {"gzip;q=1, *;q=0", true},
      {"x-gzip", false},
  };
  const auto snapshot = publisher_.Current();
  for (const Case& c : cases) {
    const HttpResponse response =
        MetricsResponse(*snapshot, WithAcceptEncoding(c.accept));
    EXPECT_EQ(FindHeader(response, "Content-Encoding").has_value(), c.gzip)
        << c.accept;
    EXPECT_THAT(response.headers, Contains(Header("Vary", "Accept-Encoding")))
        << c.accept;
    const std::string body = Collect(response);
    EXPECT_EQ(c.gzip ? test::Gunzip(body).text : body, snapshot->Text())
        << c.accept;
  }
}

TEST_F(MetricsResponseTest,
       AResponseKeepsItsPartsWhileANewSnapshotIsPublished) {
  const HttpResponse plain =
      MetricsResponse(*publisher_.Current(), WithAcceptEncoding(""));
  const HttpResponse gzip =
      MetricsResponse(*publisher_.Current(), WithAcceptEncoding("gzip"));
  source_.level = 42;
  publisher_.MarkAllDirty();
  publisher_.RenderNow();
  EXPECT_THAT(publisher_.Current()->Text(), HasSubstr("test_level 42\n"));
  const std::string plain_body = Collect(plain);
  EXPECT_THAT(plain_body, HasSubstr("test_level 1\n"));
  EXPECT_THAT(plain_body, Not(HasSubstr("test_level 42")));
  EXPECT_THAT(test::Gunzip(Collect(gzip)).text, HasSubstr("test_level 1\n"));
}

}  // namespace
}  // namespace callcenter::web
