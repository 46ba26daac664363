// TLS contexts built from tls_server_config and the per-handshake switch,
// exercised with real OpenSSL handshakes over in-memory BIO pairs.
#include "web/tls_context.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <vector>

#include "test_pki.h"

namespace callcenter::web {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxDeleter>;
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

// What the listener asks for at each handshake: whatever the test put here.
class FakeSource final : public TlsContextSource {
 public:
  std::shared_ptr<const TlsContext> CurrentTls() override {
    ++asked;
    return current;
  }
  std::shared_ptr<const TlsContext> current;
  int asked = 0;
};

struct ClientOptions {
  X509* trust = nullptr;  // the CA the client trusts
  X509* cert = nullptr;   // a client certificate, if any
  EVP_PKEY* key = nullptr;
  int max_version = 0;  // 0: the library's maximum
  const char* server_name = nullptr;
};

struct Outcome {
  bool ok = false;
  std::string peer;  // the server certificate's CN
  int version = 0;
};

std::string CommonName(X509* cert) {
  char name[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name,
                            sizeof(name));
  return name;
}

// One handshake between a fresh client and `listener` (as CivetWeb would
// run it: SSL_new on the listener's context).
Outcome Handshake(SSL_CTX* listener, const ClientOptions& options) {
  CtxPtr client_ctx(SSL_CTX_new(TLS_client_method()));
  if (options.trust != nullptr) {
    X509_STORE_add_cert(SSL_CTX_get_cert_store(client_ctx.get()),
                        options.trust);
    SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_PEER, nullptr);
  }
  if (options.cert != nullptr) {
    SSL_CTX_use_certificate(client_ctx.get(), options.cert);
    SSL_CTX_use_PrivateKey(client_ctx.get(), options.key);
  }
  if (options.max_version != 0) {
    SSL_CTX_set_min_proto_version(client_ctx.get(), options.max_version);
    SSL_CTX_set_max_proto_version(client_ctx.get(), options.max_version);
    // Let the client offer old versions, so that the server is the one
    // that refuses.
    SSL_CTX_set_cipher_list(client_ctx.get(), "DEFAULT:@SECLEVEL=0");
  }
  SslPtr client(SSL_new(client_ctx.get()));
  SslPtr server(SSL_new(listener));
  if (options.server_name != nullptr) {
    SSL_set_tlsext_host_name(client.get(), options.server_name);
  }
  BIO* client_bio = nullptr;
  BIO* server_bio = nullptr;
  BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
  SSL_set_bio(client.get(), client_bio, client_bio);
  SSL_set_bio(server.get(), server_bio, server_bio);
  SSL_set_connect_state(client.get());
  SSL_set_accept_state(server.get());
  bool client_done = false;
  bool server_done = false;
  for (int round = 0; round < 50 && !(client_done && server_done); ++round) {
    if (!client_done) {
      const int r = SSL_do_handshake(client.get());
      if (r == 1) {
        client_done = true;
      } else if (SSL_get_error(client.get(), r) != SSL_ERROR_WANT_READ) {
        break;
      }
    }
    if (!server_done) {
      const int r = SSL_do_handshake(server.get());
      if (r == 1) {
        server_done = true;
      } else if (SSL_get_error(server.get(), r) != SSL_ERROR_WANT_READ) {
        break;
      }
    }
  }
  Outcome outcome;
  // TLS 1.3 servers learn of a refused client certificate only when they
  // read the client's Finished; a read settles it.
  if (client_done && server_done) {
    const char ping = 'x';
    char pong = 0;
    outcome.ok = SSL_write(client.get(), &ping, 1) == 1 &&
                 SSL_read(server.get(), &pong, 1) == 1 && pong == 'x';
  }
  if (X509* peer = SSL_get0_peer_certificate(client.get())) {
    outcome.peer = CommonName(peer);
  }
  outcome.version = SSL_version(client.get());
  ERR_clear_error();
  return outcome;
}

class TlsContextTest : public ::testing::Test {
 protected:
  TlsSettings Settings(X509* cert, EVP_PKEY* key) {
    TlsSettings settings;
    settings.enabled = true;
    settings.cert_pem = test::CertPem(cert);
    settings.key_pem = test::KeyPem(key);
    settings.cert_key = "tls_server_config.cert_file";
    settings.key_key = "tls_server_config.key_file";
    settings.client_ca_key = "tls_server_config.client_ca_file";
    return settings;
  }

  std::shared_ptr<const TlsContext> Build(const TlsSettings& settings) {
    errors_.clear();
    auto context = TlsContext::Build(settings, &errors_);
    EXPECT_THAT(errors_, IsEmpty());
    return context;
  }

  // A listener context as CivetWeb makes one, prepared by PrepareListener.
  SSL_CTX* Listener() {
    if (!listener_) {
      listener_.reset(SSL_CTX_new(TLS_server_method()));
      std::string error;
      EXPECT_TRUE(PrepareListener(listener_.get(), &source_, &error)) << error;
    }
    return listener_.get();
  }

  test::Pki pki_;
  FakeSource source_;
  CtxPtr listener_;
  std::vector<std::string> errors_;
};

TEST_F(TlsContextTest, ServesTheCurrentCertificateAndSwitchesWithoutRestart) {
  source_.current = Build(Settings(pki_.server.get(), pki_.server_key.get()));
  ClientOptions client;
  client.trust = pki_.ca.get();
  Outcome first = Handshake(Listener(), client);
  EXPECT_TRUE(first.ok);
  EXPECT_EQ("localhost", first.peer);
  EXPECT_EQ(TLS1_3_VERSION, first.version);

  // A renewed certificate: the next handshake gets it.
  test::Key key = test::NewKey();
  test::Cert renewed = test::MakeCert(key.get(), "renewed", pki_.ca.get(),
                                      pki_.ca_key.get(), "server", 9);
  source_.current = Build(Settings(renewed.get(), key.get()));
  Outcome second = Handshake(Listener(), client);
  EXPECT_TRUE(second.ok);
  EXPECT_EQ("renewed", second.peer);
  EXPECT_EQ(2, source_.asked - 1);  // once at PrepareListener, once each
}

TEST_F(TlsContextTest, SniDoesNotSwitchBackToTheListenersContext) {
  source_.current = Build(Settings(pki_.server.get(), pki_.server_key.get()));
  // CivetWeb's SNI callback moves a connection back to the listener's
  // context (which has no certificate here); the switched context answers
  // SNI itself, so that never happens.
  SSL_CTX* listener = Listener();
  SSL_CTX_set_tlsext_servername_callback(
      listener, +[](SSL* ssl, int*, void* arg) {
        SSL_set_SSL_CTX(ssl, static_cast<SSL_CTX*>(arg));
        return SSL_TLSEXT_ERR_OK;
      });
  SSL_CTX_set_tlsext_servername_arg(listener, listener);
  ClientOptions client;
  client.trust = pki_.ca.get();
  client.server_name = "localhost";
  Outcome outcome = Handshake(listener, client);
  EXPECT_TRUE(outcome.ok);
  EXPECT_EQ("localhost", outcome.peer);
}

TEST_F(TlsContextTest, RefusesTls11ByDefaultAndHonoursMinVersion) {
  source_.current = Build(Settings(pki_.server.get(), pki_.server_key.get()));
  ClientOptions client;
  client.max_version = TLS1_1_VERSION;
  EXPECT_FALSE(Handshake(Listener(), client).ok);
  client.max_version = TLS1_2_VERSION;
  Outcome tls12 = Handshake(Listener(), client);
  EXPECT_TRUE(tls12.ok);
  EXPECT_EQ(TLS1_2_VERSION, tls12.version);

  TlsSettings only13 = Settings(pki_.server.get(), pki_.server_key.get());
  only13.min_version = kTls13;
  source_.current = Build(only13);
  EXPECT_FALSE(Handshake(Listener(), client).ok);
}

TEST_F(TlsContextTest, RequireAndVerifyClientCert) {
  TlsSettings settings = Settings(pki_.server.get(), pki_.server_key.get());
  settings.client_auth = ClientAuth::kRequireAndVerifyClientCert;
  settings.client_ca_pem = test::CertPem(pki_.ca.get());
  source_.current = Build(settings);
  ClientOptions client;
  client.trust = pki_.ca.get();
  EXPECT_FALSE(Handshake(Listener(), client).ok) << "no client certificate";

  client.cert = pki_.client.get();
  client.key = pki_.client_key.get();
  EXPECT_TRUE(Handshake(Listener(), client).ok);

  // Signed by nobody the server trusts.
  test::Key stranger_key = test::NewKey();
  test::Cert stranger = test::MakeCert(stranger_key.get(), "stranger", nullptr,
                                       nullptr, "client");
  client.cert = stranger.get();
  client.key = stranger_key.get();
  EXPECT_FALSE(Handshake(Listener(), client).ok);

  // Over TLS 1.2 too.
  client.max_version = TLS1_2_VERSION;
  EXPECT_FALSE(Handshake(Listener(), client).ok);
  client.cert = pki_.client.get();
  client.key = pki_.client_key.get();
  EXPECT_TRUE(Handshake(Listener(), client).ok);
}

TEST_F(TlsContextTest, ClientPolicyChangesApplyToTheNextHandshake) {
  source_.current = Build(Settings(pki_.server.get(), pki_.server_key.get()));
  ClientOptions client;
  client.trust = pki_.ca.get();
  EXPECT_TRUE(Handshake(Listener(), client).ok);
  TlsSettings strict = Settings(pki_.server.get(), pki_.server_key.get());
  strict.client_auth = ClientAuth::kRequireAndVerifyClientCert;
  strict.client_ca_pem = test::CertPem(pki_.ca.get());
  source_.current = Build(strict);
  EXPECT_FALSE(Handshake(Listener(), client).ok);
}

TEST_F(TlsContextTest, VerifyIfGivenAndRequireAny) {
  TlsSettings settings = Settings(pki_.server.get(), pki_.server_key.get());
  settings.client_auth = ClientAuth::kVerifyClientCertIfGiven;
  settings.client_ca_pem = test::CertPem(pki_.ca.get());
  source_.current = Build(settings);
  test::Key stranger_key = test::NewKey();
  test::Cert stranger = test::MakeCert(stranger_key.get(), "stranger", nullptr,
                                       nullptr, "client");
  ClientOptions client;
  EXPECT_TRUE(Handshake(Listener(), client).ok);  // none given: fine
  client.cert = stranger.get();
  client.key = stranger_key.get();
  EXPECT_FALSE(Handshake(Listener(), client).ok);  // given: verified

  // RequireAnyClientCert asks for one and takes any (Go's semantics).
  settings.client_auth = ClientAuth::kRequireAnyClientCert;
  source_.current = Build(settings);
  EXPECT_TRUE(Handshake(Listener(), client).ok);
  EXPECT_FALSE(Handshake(Listener(), ClientOptions{}).ok);
}

TEST_F(TlsContextTest, NoContextRefusesTheHandshake) {
  source_.current = Build(Settings(pki_.server.get(), pki_.server_key.get()));
  SSL_CTX* listener = Listener();
  source_.current = nullptr;
  EXPECT_FALSE(Handshake(listener, ClientOptions{}).ok);
}

TEST_F(TlsContextTest, BuildProblemsNameTheKey) {
  struct Case {
    TlsSettings settings;
    std::string starts;
    std::string says;
  };
  test::Key other = test::NewKey();
  std::vector<Case> cases;
  {
    TlsSettings s = Settings(pki_.server.get(), other.get());
    cases.push_back({s, "tls_server_config.key_file: ", "does not match"});
  }
  {
    TlsSettings s = Settings(pki_.server.get(), pki_.server_key.get());
    s.cert_pem = "not a certificate";
    cases.push_back({s, "tls_server_config.cert_file: ", "no PEM certificate"});
  }
  {
    TlsSettings s = Settings(pki_.server.get(), pki_.server_key.get());
    s.key_pem = test::KeyPem(pki_.server_key.get(), "passphrase");
    cases.push_back({s, "tls_server_config.key_file: ", "unencrypted"});
  }
  {
    TlsSettings s = Settings(pki_.server.get(), pki_.server_key.get());
    s.client_auth = ClientAuth::kRequireAndVerifyClientCert;
    s.client_ca_pem = "garbage\n";
    cases.push_back(
        {s, "tls_server_config.client_ca_file: ", "no PEM certificate"});
  }
  for (const Case& c : cases) {
    std::vector<std::string> errors;
    EXPECT_EQ(nullptr, TlsContext::Build(c.settings, &errors));
    ASSERT_EQ(1u, errors.size()) << ::testing::PrintToString(errors);
    EXPECT_THAT(errors[0], StartsWith(c.starts));
    EXPECT_THAT(errors[0], HasSubstr(c.says));
    // Nothing secret in the message.
    EXPECT_THAT(errors[0], ::testing::Not(HasSubstr("PRIVATE KEY")));
  }
}

TEST_F(TlsContextTest, ChainAfterTheLeafIsSent) {
  // An intermediate CA between the root and the server certificate.
  test::Key mid_key = test::NewKey();
  test::Cert mid = test::MakeCert(mid_key.get(), "intermediate", pki_.ca.get(),
                                  pki_.ca_key.get(), "ca", 5);
  test::Key leaf_key = test::NewKey();
  test::Cert leaf = test::MakeCert(leaf_key.get(), "chained", mid.get(),
                                   mid_key.get(), "server", 6);
  TlsSettings settings = Settings(leaf.get(), leaf_key.get());
  settings.cert_pem += test::CertPem(mid.get());
  source_.current = Build(settings);
  ClientOptions client;
  client.trust = pki_.ca.get();  // the root only
  Outcome outcome = Handshake(Listener(), client);
  EXPECT_TRUE(outcome.ok);
  EXPECT_EQ("chained", outcome.peer);
}

}  // namespace
}  // namespace callcenter::web
