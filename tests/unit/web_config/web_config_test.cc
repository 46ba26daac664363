// The web config parser: what the exporter-toolkit format accepts, and one
// line naming the key for every problem.
#include "web/web_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "test_pki.h"
#include "testing/temp_dir.h"

namespace callcenter::web {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

class WebConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::WriteText(dir_.File("server.crt"), test::CertPem(pki_.server.get()));
    test::WriteText(dir_.File("server.key"),
                    test::KeyPem(pki_.server_key.get()));
    test::WriteText(dir_.File("ca.crt"), test::CertPem(pki_.ca.get()));
  }

  // Parses `text` as if read from <dir>/web.yml.
  WebConfig Parse(const std::string& text) {
    errors_.clear();
    return ParseWebConfig(text, dir_.File("web.yml"), &errors_);
  }

  // The one error `text` must produce.
  std::string OnlyError(const std::string& text) {
    Parse(text);
    EXPECT_EQ(1u, errors_.size()) << ::testing::PrintToString(errors_);
    return errors_.empty() ? "" : errors_.front();
  }

  static constexpr const char* kTls =
      "tls_server_config:\n"
      "  cert_file: server.crt\n"
      "  key_file: server.key\n";

  test::Pki pki_;
  test::TempDir dir_;
  std::vector<std::string> errors_;
};

TEST_F(WebConfigTest, EmptyFileMeansNoTlsAndNoAuth) {
  for (const char* text : {"", "\n", "# nothing yet\n"}) {
    const WebConfig config = Parse(text);
    EXPECT_THAT(errors_, IsEmpty()) << text;
    EXPECT_FALSE(config.tls.enabled);
    EXPECT_TRUE(config.users.empty());
  }
}

TEST_F(WebConfigTest, ReadsTheToolkitFormat) {
  const std::string hash = test::Bcrypt("secret");
  const WebConfig config = Parse(std::string(kTls) +
                                 "  client_auth_type: "
                                 "RequireAndVerifyClientCert\n"
                                 "  client_ca_file: ca.crt\n"
                                 "  min_version: TLS13\n"
                                 "  max_version: TLS13\n"
                                 "  cipher_suites:\n"
                                 "    - TLS_AES_128_GCM_SHA256\n"
                                 "  prefer_server_cipher_suites: false\n"
                                 "  curve_preferences: [X25519, CurveP256]\n"
                                 "http_server_config:\n"
                                 "  http2: false\n"
                                 "  headers:\n"
                                 "    Strict-Transport-Security: "
                                 "max-age=31536000\n"
                                 "    X-Frame-Options: deny\n"
                                 "basic_auth_users:\n"
                                 "  prometheus: " +
                                 hash + "\n");
  ASSERT_THAT(errors_, IsEmpty());
  EXPECT_TRUE(config.tls.enabled);
  EXPECT_THAT(config.tls.cert_pem, StartsWith("-----BEGIN CERTIFICATE"));
  EXPECT_THAT(config.tls.key_pem, HasSubstr("PRIVATE KEY"));
  EXPECT_THAT(config.tls.client_ca_pem, StartsWith("-----BEGIN CERTIFICATE"));
  EXPECT_EQ("tls_server_config.key_file", config.tls.key_key);
  EXPECT_EQ(ClientAuth::kRequireAndVerifyClientCert, config.tls.client_auth);
  EXPECT_EQ(kTls13, config.tls.min_version);
  EXPECT_EQ(kTls13, config.tls.max_version);
  EXPECT_THAT(config.tls.cipher_suites, IsEmpty());  // TLS 1.3: as in Go
  EXPECT_FALSE(config.tls.prefer_server_cipher_suites);
  EXPECT_THAT(config.tls.curves, ElementsAre("X25519", "P-256"));
  EXPECT_EQ(hash, config.users.at("prometheus"));
  EXPECT_THAT(config.headers,
              ElementsAre(std::pair<std::string, std::string>(
                              "Strict-Transport-Security", "max-age=31536000"),
                          std::pair<std::string, std::string>("X-Frame-Options",
                                                              "deny")));
  // The files it read, to be watched for changes.
  ASSERT_EQ(3u, config.files.size());
  EXPECT_EQ(dir_.File("server.crt"), config.files[0].first);
  EXPECT_TRUE(config.files[0].second.exists);
}

TEST_F(WebConfigTest, DefaultsAreTheToolkits) {
  const WebConfig config = Parse(kTls);
  ASSERT_THAT(errors_, IsEmpty());
  EXPECT_EQ(kTls12, config.tls.min_version);
  EXPECT_EQ(kTls13, config.tls.max_version);
  EXPECT_EQ(ClientAuth::kNoClientCert, config.tls.client_auth);
  EXPECT_TRUE(config.tls.prefer_server_cipher_suites);
}

TEST_F(WebConfigTest, InlinePemAndAbsolutePaths) {
  const std::string pem = test::CertPem(pki_.server.get());
  std::string text = "tls_server_config:\n  cert: |\n";
  for (size_t start = 0; start < pem.size();) {
    const size_t end = pem.find('\n', start);
    text += "    " + pem.substr(start, end - start) + "\n";
    start = end + 1;
  }
  text += "  key_file: " + dir_.File("server.key") + "\n";
  const WebConfig config = Parse(text);
  ASSERT_THAT(errors_, IsEmpty());
  EXPECT_EQ(pem, config.tls.cert_pem);
  EXPECT_EQ("tls_server_config.cert", config.tls.cert_key);
}

TEST_F(WebConfigTest, TlsCipherNamesMapToOpenSsl) {
  const WebConfig config =
      Parse(std::string(kTls) +
            "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "
            "TLS_AES_256_GCM_SHA384]\n");
  ASSERT_THAT(errors_, IsEmpty());
  EXPECT_THAT(config.tls.cipher_suites,
              ElementsAre("ECDHE-ECDSA-AES128-GCM-SHA256",
                          "ECDHE-RSA-CHACHA20-POLY1305"));
}

TEST_F(WebConfigTest, EachProblemIsOneLineNamingTheKey) {
  struct Case {
    std::string text;
    std::string starts;  // the key the line must start with
    std::string says;
  };
  const std::string tls = kTls;
  const std::string hash = test::Bcrypt("secret");
  const std::vector<Case> cases = {
      {"tls_server_config:\n  min_version: TLS13\n",
       "tls_server_config.cert_file: ", "is required"},
      {"tls_server_config:\n  cert_file: server.crt\n",
       "tls_server_config.key_file: ", "is required"},
      {"tls_server_config:\n  cert_file: missing.crt\n  key_file: "
       "server.key\n",
       "tls_server_config.cert_file: ", "no such file"},
      {tls + "  cert: inline\n", "tls_server_config.cert_file: ", "not both"},
      {tls + "  min_version: TLS9\n",
       "tls_server_config.min_version: ", "TLS10, TLS11, TLS12, TLS13"},
      {tls + "  min_version: TLS13\n  max_version: TLS12\n",
       "tls_server_config.max_version: ", "below min_version"},
      {tls + "  client_auth_type: Sometimes\n",
       "tls_server_config.client_auth_type: ", "\"Sometimes\""},
      {tls + "  client_auth_type: RequireAndVerifyClientCert\n",
       "tls_server_config.client_ca_file: ", "is required"},
      {tls + "  client_ca_file: ca.crt\n",
       "tls_server_config.client_auth_type: ", "NoClientCert"},
      {tls + "  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n",
       "tls_server_config.cipher_suites[0]: ", "unknown or insecure"},
      {tls + "  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
       "tls_server_config.cipher_suites: ", "no TLS 1.2 suite"},
      {tls + "  curve_preferences: [CurveP999]\n",
       "tls_server_config.curve_preferences[0]: ", "unknown curve"},
      {tls + "  prefer_server_cipher_suites: maybe\n",
       "tls_server_config.prefer_server_cipher_suites: ", "true or false"},
      {tls + "  client_allowed_sans: [prometheus]\n",
       "tls_server_config.client_allowed_sans: ", "not supported"},
      {tls + "  cert_flie: x\n",
       "tls_server_config.cert_flie: ", "unknown key"},
      {"http_server_config:\n  headers:\n    Set-Cookie: a=b\n",
       "http_server_config.headers.Set-Cookie: ", "cannot be configured"},
      {"http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
       "http_server_config.headers.X-Frame-Options: ", "deny, sameorigin"},
      {"http_server_config:\n  headers:\n    Content-Security-Policy: "
       "\"a\\r\\nSet-Cookie: x\"\n",
       "http_server_config.headers.Content-Security-Policy: ",
       "control characters"},
      {"http_server_config:\n  http3: true\n",
       "http_server_config.http3: ", "unknown key"},
      {"basic_auth_users:\n  a:b: $2y$04$abc\n",
       "basic_auth_users.a:b: ", "cannot contain ':'"},
      {"basic_auth_users: [prometheus]\n", "basic_auth_users: ", "mapping"},
      {"rate_limit:\n  interval: 1s\n", "rate_limit: ", "not supported"},
      {"tls_server_confg: {}\n", "tls_server_confg: ", "unknown key"},
      {"basic_auth_users:\n  a: " + hash + "\n  a: " + hash + "\n",
       "basic_auth_users.a: ", "duplicate key"},
      {"tls_server_config: [1\n", "invalid YAML", ""},
      {"- a\n", "the top level must be a mapping", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const std::string error = OnlyError(c.text);
    EXPECT_THAT(error, StartsWith(c.starts));
    EXPECT_THAT(error, HasSubstr(c.says));
    EXPECT_EQ(std::string::npos, error.find('\n'));
  }
}

TEST_F(WebConfigTest, PlaintextPasswordIsRefusedWithoutEchoingIt) {
  for (const char* value :
       {"hunter2", "$1$saltsalt$hashhashhashhashhashh",
        "$6$rounds=5000$salt$hash", "$2y$99$" /* no salt */,
        "$2x$04$abcdefghijklmnopqrstuuUhI2kmMeg2X3HV6hZ0CI1glxAJzWkpW"}) {
    SCOPED_TRACE(value);
    const std::string error = OnlyError(
        std::string("basic_auth_users:\n  prometheus: '") + value + "'\n");
    EXPECT_THAT(error, StartsWith("basic_auth_users.prometheus: "));
    EXPECT_THAT(error, HasSubstr("bcrypt"));
    EXPECT_THAT(error, HasSubstr("plaintext passwords are refused"));
    EXPECT_THAT(error, Not(HasSubstr(value)));
  }
}

TEST_F(WebConfigTest, SettingsWithoutCertificateAreRefusedNotIgnored) {
  // The toolkit would serve plain HTTP here.
  EXPECT_THAT(OnlyError("tls_server_config:\n  min_version: TLS13\n"),
              HasSubstr("plain HTTP"));
  // An empty section is just no TLS.
  EXPECT_FALSE(Parse("tls_server_config: {}\n").tls.enabled);
  EXPECT_THAT(errors_, IsEmpty());
}

TEST_F(WebConfigTest, BlankHeaderIsUnset) {
  const WebConfig config =
      Parse("http_server_config:\n  headers:\n    X-XSS-Protection: ''\n");
  EXPECT_THAT(errors_, IsEmpty());
  EXPECT_THAT(config.headers, IsEmpty());
}

TEST_F(WebConfigTest, ReadWebConfigNamesAMissingFile) {
  std::vector<std::string> errors;
  const WebConfig config = ReadWebConfig(dir_.File("absent.yml"), &errors);
  ASSERT_EQ(1u, errors.size());
  EXPECT_THAT(errors[0], HasSubstr("no such file"));
  // Watched anyway: creating it is a change.
  ASSERT_EQ(1u, config.files.size());
  EXPECT_FALSE(config.files[0].second.exists);
}

TEST_F(WebConfigTest, ReadWebConfigStampsTheConfigFirst) {
  test::WriteText(dir_.File("web.yml"), kTls);
  std::vector<std::string> errors;
  const WebConfig config = ReadWebConfig(dir_.File("web.yml"), &errors);
  ASSERT_THAT(errors, IsEmpty());
  ASSERT_EQ(3u, config.files.size());
  EXPECT_EQ(dir_.File("web.yml"), config.files[0].first);
  EXPECT_EQ(StampFile(dir_.File("web.yml")), config.files[0].second);
}

TEST(StampFileTest, SeesARewriteOfTheSameSize) {
  test::TempDir dir;
  const std::string path = dir.File("f");
  test::WriteText(path, "aaaa");
  const FileStamp before = StampFile(path);
  // An atomic replace by rename: a new inode even within the same
  // timestamp granule.
  test::WriteText(path + ".new", "bbbb");
  std::filesystem::rename(path + ".new", path);
  EXPECT_NE(before, StampFile(path));
  EXPECT_FALSE(StampFile(dir.File("none")).exists);
}

}  // namespace
}  // namespace callcenter::web
