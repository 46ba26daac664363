// The web config followed while the exporter runs: changes apply to the
// next request, a broken file keeps the last good config, and reloads are
// counted.
#include "web/web_security.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "test_pki.h"
#include "testing/temp_dir.h"

namespace callcenter::web {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Basic(const std::string& user, const std::string& password) {
  const std::string plain = user + ":" + password;
  std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
  encoded.resize(static_cast<size_t>(
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                      reinterpret_cast<const unsigned char*>(plain.data()),
                      static_cast<int>(plain.size()))));
  return "Basic " + encoded;
}

HttpRequest Request(const std::string& authorization) {
  HttpRequest request;
  request.method = "GET";
  request.path = "/metrics";
  if (!authorization.empty()) request.headers["authorization"] = authorization;
  return request;
}

// Counts the samples a source renders, by series.
class MapSink final : public core::MetricSink {
 public:
  void Begin(const core::FamilySpec& family) override { family_ = family.name; }
  void Sample(const core::LabelSet& labels, double value) override {
    std::string key = family_;
    for (const core::Label& label : labels.view()) {
      key += "|" + std::string(label.name) + "=" + std::string(label.value);
    }
    values[key] = value;
  }
  void Histogram(const core::LabelSet&, const core::HistogramSample&) override {
  }
  std::map<std::string, double> values;

 private:
  std::string family_;
};

class WebSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::WriteText(dir_.File("server.crt"), test::CertPem(pki_.server.get()));
    test::WriteText(dir_.File("server.key"),
                    test::KeyPem(pki_.server_key.get()));
  }

  // Replaces the web config atomically (a new inode each time, as editors
  // and config management do).
  void Write(const std::string& text) {
    test::WriteText(path_ + ".tmp", text);
    std::filesystem::rename(path_ + ".tmp", path_);
  }

  std::unique_ptr<WebSecurity> Start(const std::string& text) {
    Write(text);
    std::vector<std::string> errors;
    auto loaded = LoadWebConfig(path_, &errors);
    EXPECT_THAT(errors, IsEmpty());
    if (loaded == nullptr) return nullptr;
    return std::make_unique<WebSecurity>(path_, loaded, logger_);
  }

  std::map<std::string, double> Metrics(const WebSecurity& security) {
    MapSink sink;
    security.Render(sink);
    return sink.values;
  }

  test::Pki pki_;
  test::TempDir dir_;
  std::string path_ = dir_.File("web.yml");
  std::ostringstream log_;
  core::Logger logger_{log_, core::LogLevel::kInfo};
};

TEST_F(WebSecurityTest, NoUsersLetsEveryoneInAndHeadersApply) {
  auto security = Start(
      "http_server_config:\n  headers:\n    X-Content-Type-Options: "
      "nosniff\n");
  ASSERT_NE(nullptr, security);
  EXPECT_FALSE(security->Authorize(Request("")));
  EXPECT_EQ((std::vector<std::pair<std::string, std::string>>{
                {"X-Content-Type-Options", "nosniff"}}),
            security->ResponseHeaders());
  const Security hooks = security->Hooks();
  EXPECT_TRUE(hooks.authorize);
  EXPECT_TRUE(hooks.response_headers);
  EXPECT_FALSE(hooks.configure_tls);  // plain HTTP listeners
}

TEST_F(WebSecurityTest, RefusalIsTheSame401ForEveryCase) {
  auto security = Start(
      "basic_auth_users:\n  prometheus: " + test::Bcrypt("secret") + "\n");
  ASSERT_NE(nullptr, security);
  EXPECT_FALSE(security->Authorize(Request(Basic("prometheus", "secret"))));
  std::vector<HttpResponse> refusals;
  for (const std::string& header :
       {std::string(), Basic("prometheus", "wrong"), Basic("nobody", "secret"),
        std::string("Bearer x")}) {
    auto refused = security->Authorize(Request(header));
    ASSERT_TRUE(refused) << header;
    refusals.push_back(*refused);
  }
  for (const HttpResponse& refusal : refusals) {
    EXPECT_EQ(401, refusal.status);
    EXPECT_EQ(refusals[0].body, refusal.body);
    EXPECT_EQ(refusals[0].headers, refusal.headers);
  }
}

TEST_F(WebSecurityTest, NewUsersApplyToTheNextRequest) {
  auto security =
      Start("basic_auth_users:\n  prometheus: " + test::Bcrypt("old") + "\n");
  ASSERT_NE(nullptr, security);
  int changes = 0;
  security->SetOnChange([&changes] { ++changes; });
  EXPECT_FALSE(security->Authorize(Request(Basic("prometheus", "old"))));

  Write("basic_auth_users:\n  prometheus: " + test::Bcrypt("new") +
        "\n  grafana: " + test::Bcrypt("g") + "\n");
  EXPECT_TRUE(security->Authorize(Request(Basic("prometheus", "old"))));
  EXPECT_FALSE(security->Authorize(Request(Basic("prometheus", "new"))));
  EXPECT_FALSE(security->Authorize(Request(Basic("grafana", "g"))));
  EXPECT_EQ(1u, security->reloads(true));
  EXPECT_EQ(0u, security->reloads(false));
  EXPECT_EQ(1, changes);
  EXPECT_THAT(log_.str(), HasSubstr("msg=\"web config reloaded\""));
  const auto metrics = Metrics(*security);
  EXPECT_EQ(1, metrics.at("callcenter_exporter_web_config_reloads_total|result="
                          "success"));
  EXPECT_EQ(
      1, metrics.at("callcenter_exporter_web_config_last_reload_successful"));
}

TEST_F(WebSecurityTest, BrokenFileKeepsTheLastGoodOneAndLogsOnce) {
  const std::string hash = test::Bcrypt("secret");
  auto security = Start("basic_auth_users:\n  prometheus: " + hash + "\n");
  ASSERT_NE(nullptr, security);
  Write("basic_auth_users:\n  prometheus: secret\n");  // plaintext
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(security->Authorize(Request(Basic("prometheus", "secret"))));
    EXPECT_TRUE(security->Authorize(Request(Basic("prometheus", "x"))));
  }
  EXPECT_EQ(1u, security->reloads(false));
  const std::string log = log_.str();
  EXPECT_THAT(log, HasSubstr("basic_auth_users.prometheus: must be a bcrypt"));
  EXPECT_EQ(1u, std::count(log.begin(), log.end(), '\n')) << log;
  EXPECT_EQ(std::string::npos, log.find("prometheus: secret"));
  auto metrics = Metrics(*security);
  EXPECT_EQ(1, metrics.at("callcenter_exporter_web_config_reloads_total|result="
                          "failure"));
  EXPECT_EQ(
      0, metrics.at("callcenter_exporter_web_config_last_reload_successful"));

  // Fixed: taken at once.
  Write("basic_auth_users:\n  grafana: " + hash + "\n");
  EXPECT_FALSE(security->Authorize(Request(Basic("grafana", "secret"))));
  EXPECT_EQ(1u, security->reloads(true));
  metrics = Metrics(*security);
  EXPECT_EQ(
      1, metrics.at("callcenter_exporter_web_config_last_reload_successful"));
}

TEST_F(WebSecurityTest, DeletedFileKeepsServing) {
  const std::string hash = test::Bcrypt("secret");
  auto security = Start("basic_auth_users:\n  prometheus: " + hash + "\n");
  ASSERT_NE(nullptr, security);
  std::filesystem::remove(path_);
  EXPECT_FALSE(security->Authorize(Request(Basic("prometheus", "secret"))));
  EXPECT_EQ(1u, security->reloads(false));
  EXPECT_THAT(log_.str(), HasSubstr("no such file"));
}

TEST_F(WebSecurityTest, CertificateFilesAreWatchedToo) {
  auto security = Start(
      "tls_server_config:\n  cert_file: server.crt\n  key_file: "
      "server.key\n");
  ASSERT_NE(nullptr, security);
  EXPECT_TRUE(security->Hooks().configure_tls);
  const auto first = security->CurrentTls();
  EXPECT_EQ(first, security->CurrentTls());  // unchanged: the same context

  // A renewed certificate and key, written in two steps: in between the
  // pair does not match, which keeps the old context; then the new one.
  test::Key key = test::NewKey();
  test::Cert cert = test::MakeCert(key.get(), "renewed", pki_.ca.get(),
                                   pki_.ca_key.get(), "server", 7);
  test::WriteText(dir_.File("server.crt.new"), test::CertPem(cert.get()));
  std::filesystem::rename(dir_.File("server.crt.new"), dir_.File("server.crt"));
  EXPECT_EQ(first, security->CurrentTls());
  EXPECT_EQ(1u, security->reloads(false));
  EXPECT_THAT(log_.str(), HasSubstr("tls_server_config.key_file: does not "
                                    "match"));
  test::WriteText(dir_.File("server.key.new"), test::KeyPem(key.get()));
  std::filesystem::rename(dir_.File("server.key.new"), dir_.File("server.key"));
  const auto second = security->CurrentTls();
  EXPECT_NE(first, second);
  EXPECT_NE(nullptr, second);
  EXPECT_EQ(1u, security->reloads(true));
}

TEST_F(WebSecurityTest, TurningTlsOffNeedsARestart) {
  auto security = Start(
      "tls_server_config:\n  cert_file: server.crt\n  key_file: "
      "server.key\n");
  ASSERT_NE(nullptr, security);
  Write("basic_auth_users: {}\n");
  EXPECT_NE(nullptr, security->CurrentTls());
  EXPECT_EQ(1u, security->reloads(false));
  EXPECT_THAT(log_.str(), HasSubstr("needs a restart"));
}

TEST(LoadWebConfigTest, ProblemsComeOneLineEach) {
  test::TempDir dir;
  test::WriteText(dir.File("web.yml"),
                  "tls_server_config:\n  cert_file: nope.crt\n  key_file: "
                  "nope.key\n  min_version: TLS14\n"
                  "basic_auth_users:\n  u: plain\n");
  std::vector<std::string> errors;
  EXPECT_EQ(nullptr, LoadWebConfig(dir.File("web.yml"), &errors));
  EXPECT_EQ(4u, errors.size()) << ::testing::PrintToString(errors);
}

}  // namespace
}  // namespace callcenter::web
