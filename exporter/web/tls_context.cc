#include "web/tls_context.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace callcenter::web {
namespace {

// Connection options every handshake gets: no compression (CRIME), no
// renegotiation, and no session tickets or cache. Without resumption every
// connection is checked against the current client_auth_type and CAs: a
// session resumed from before a reload would skip that check.
constexpr uint64_t kOptions =
    SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET;
// Options that the policy of each context decides.
constexpr uint64_t kPolicyOptions =
    SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_TLSv1_2 |
    SSL_OP_NO_TLSv1_3 | SSL_OP_CIPHER_SERVER_PREFERENCE;

constexpr unsigned char kSessionContext[] = "callcenter_exporter";

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* x509) const { X509_free(x509); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

// OpenSSL's reason for the last failure, and an empty error queue after
// (the queue is per thread, and CivetWeb reads it on its own failures).
std::string OpenSslError() {
  std::string text;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    text = buffer;  // the last one is the innermost cause
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Encrypted keys would make OpenSSL prompt on the terminal: refuse them.
int NoPassphrase(char*, int, int, void*) { return -1; }

// RequestClientCert and RequireAnyClientCert: ask for a certificate but do
// not verify it (Go's semantics; the toolkit warns these are insecure).
int AcceptAnyCertificate(int, X509_STORE_CTX*) { return 1; }

// CivetWeb's SNI callback on the listener's context would switch the
// connection back to that context; every built context answers SNI itself.
int AcceptServerName(SSL*, int*, void*) { return SSL_TLSEXT_ERR_OK; }

int OnClientHello(SSL* ssl, int* alert, void* arg) {
  std::shared_ptr<const TlsContext> context;
  try {
    context = static_cast<TlsContextSource*>(arg)->CurrentTls();
  } catch (...) {
    context = nullptr;
  }
  if (context == nullptr || !context->ApplyTo(ssl)) {
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  return SSL_CLIENT_HELLO_SUCCESS;
}

std::string Join(const std::vector<std::string>& parts, const char* glue) {
  std::string joined;
  for (const std::string& part : parts) {
    joined += (joined.empty() ? "" : glue) + part;
  }
  return joined;
}

class Builder {
 public:
  Builder(const TlsSettings& settings, std::vector<std::string>* errors)
      : settings_(settings), errors_(errors) {}

  bool Certificate(SSL_CTX* ctx) {
    BioPtr bio = MemoryBio(settings_.cert_pem);
    X509Ptr leaf(
        PEM_read_bio_X509_AUX(bio.get(), nullptr, NoPassphrase, nullptr));
    if (!leaf) {
      return Fail(settings_.cert_key,
                  "no PEM certificate found (" + OpenSslError() + ")");
    }
    if (SSL_CTX_use_certificate(ctx, leaf.get()) != 1) {
      return Fail(settings_.cert_key,
                  "OpenSSL refused the certificate: " + OpenSslError());
    }
    // The rest of the file is the chain up to (not including) the root.
    while (X509* extra =
               PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr)) {
      if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
        X509_free(extra);
        return Fail(settings_.cert_key,
                    "OpenSSL refused a chain certificate: " + OpenSslError());
      }
    }
    ERR_clear_error();  // the loop ends on "no start line"
    BioPtr key_bio = MemoryBio(settings_.key_pem);
    KeyPtr key(
        PEM_read_bio_PrivateKey(key_bio.get(), nullptr, NoPassphrase, nullptr));
    if (!key) {
      return Fail(settings_.key_key, "no unencrypted PEM private key found (" +
                                         OpenSslError() + ")");
    }
    if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
      ERR_clear_error();
      return Fail(settings_.key_key,
                  "does not match the certificate in " + settings_.cert_key);
    }
    return true;
  }

  bool ClientCas(SSL_CTX* ctx) {
    if (settings_.client_ca_pem.empty()) return true;
    BioPtr bio = MemoryBio(settings_.client_ca_pem);
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    int count = 0;
    while (X509Ptr ca{
        PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr)}) {
      // The store verifies; the list names the CAs in CertificateRequest.
      if (X509_STORE_add_cert(store, ca.get()) != 1 ||
          SSL_CTX_add_client_CA(ctx, ca.get()) != 1) {
        return Fail(settings_.client_ca_key,
                    "OpenSSL refused a CA certificate: " + OpenSslError());
      }
      ++count;
    }
    ERR_clear_error();
    if (count == 0) {
      return Fail(settings_.client_ca_key, "no PEM certificate found");
    }
    return true;
  }

  bool Fail(const std::string& key, const std::string& problem) {
    errors_->push_back(key + ": " + problem);
    return false;
  }

 private:
  const TlsSettings& settings_;
  std::vector<std::string>* errors_;
};

}  // namespace

std::shared_ptr<const TlsContext> TlsContext::Build(
    const TlsSettings& settings, std::vector<std::string>* errors) {
  ERR_clear_error();
  std::shared_ptr<TlsContext> context(new TlsContext());
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) {
    errors->push_back("tls_server_config: cannot create an OpenSSL context: " +
                      OpenSslError());
    return nullptr;
  }
  context->ctx_ = ctx;
  Builder builder(settings, errors);
  const size_t errors_before = errors->size();
  builder.Certificate(ctx);
  builder.ClientCas(ctx);

  context->min_version_ = settings.min_version;
  context->max_version_ = settings.max_version;
  context->options_ = kOptions | (settings.prefer_server_cipher_suites
                                      ? SSL_OP_CIPHER_SERVER_PREFERENCE
                                      : 0);
  SSL_CTX_clear_options(ctx, kPolicyOptions);
  SSL_CTX_set_options(ctx, context->options_);
  if (SSL_CTX_set_min_proto_version(ctx, settings.min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, settings.max_version) != 1) {
    builder.Fail("tls_server_config.min_version",
                 "OpenSSL refused the version range: " + OpenSslError());
  }
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_session_id_context(ctx, kSessionContext,
                                 sizeof(kSessionContext) - 1);
  SSL_CTX_set_tlsext_servername_callback(ctx, AcceptServerName);
  if (!settings.cipher_suites.empty()) {
    context->cipher_list_ = Join(settings.cipher_suites, ":");
    if (SSL_CTX_set_cipher_list(ctx, context->cipher_list_.c_str()) != 1) {
      builder.Fail("tls_server_config.cipher_suites",
                   "OpenSSL supports none of them: " + OpenSslError());
    }
  }
  if (!settings.curves.empty()) {
    context->groups_ = Join(settings.curves, ":");
    if (SSL_CTX_set1_groups_list(ctx, context->groups_.c_str()) != 1) {
      builder.Fail("tls_server_config.curve_preferences",
                   "OpenSSL refused them: " + OpenSslError());
    }
  }
  switch (settings.client_auth) {
    case ClientAuth::kNoClientCert:
      context->verify_mode_ = SSL_VERIFY_NONE;
      break;
    case ClientAuth::kRequestClientCert:
      context->verify_mode_ = SSL_VERIFY_PEER;
      context->accept_any_certificate_ = true;
      break;
    case ClientAuth::kRequireAnyClientCert:
      context->verify_mode_ = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      context->accept_any_certificate_ = true;
      break;
    case ClientAuth::kVerifyClientCertIfGiven:
      context->verify_mode_ = SSL_VERIFY_PEER;
      break;
    case ClientAuth::kRequireAndVerifyClientCert:
      context->verify_mode_ = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      break;
  }
  SSL_CTX_set_verify(
      ctx, context->verify_mode_,
      context->accept_any_certificate_ ? AcceptAnyCertificate : nullptr);
  ERR_clear_error();
  if (errors->size() != errors_before) return nullptr;
  return context;
}

TlsContext::~TlsContext() {
  // Connections still using it hold their own reference.
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

bool TlsContext::ApplyTo(SSL* ssl) const {
  if (SSL_set_SSL_CTX(ssl, ctx_) != ctx_) return false;
  // SSL_set_SSL_CTX moves the certificate, key, chain and verify store;
  // the rest was copied from the listener's context at SSL_new.
  SSL_set_verify(ssl, verify_mode_,
                 accept_any_certificate_ ? AcceptAnyCertificate : nullptr);
  SSL_clear_options(ssl, kPolicyOptions);
  SSL_set_options(ssl, options_);
  if (SSL_set_min_proto_version(ssl, min_version_) != 1 ||
      SSL_set_max_proto_version(ssl, max_version_) != 1) {
    return false;
  }
  SSL_set_num_tickets(ssl, 0);
  if (!cipher_list_.empty() &&
      SSL_set_cipher_list(ssl, cipher_list_.c_str()) != 1) {
    return false;
  }
  if (!groups_.empty() && SSL_set1_groups_list(ssl, groups_.c_str()) != 1) {
    return false;
  }
  if (verify_mode_ != SSL_VERIFY_NONE) {
    // The CA names sent in CertificateRequest (the SSL has its own copy).
    STACK_OF(X509_NAME)* names =
        SSL_dup_CA_list(SSL_CTX_get_client_CA_list(ctx_));
    if (names == nullptr) return false;
    SSL_set_client_CA_list(ssl, names);
  }
  return true;
}

bool PrepareListener(void* ssl_ctx, TlsContextSource* source,
                     std::string* error) {
  SSL_CTX* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  std::shared_ptr<const TlsContext> current = source->CurrentTls();
  if (current == nullptr) {
    *error = "no usable TLS configuration";
    return false;
  }
  // The listener's context only starts handshakes: CivetWeb's version
  // options are cleared (each context sets its own range), resumption is
  // off (so the session cache is this context's), and the client-hello
  // callback moves every connection to the current context.
  SSL_CTX_clear_options(ctx, kPolicyOptions);
  SSL_CTX_set_options(ctx, kOptions);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_session_id_context(ctx, kSessionContext,
                                 sizeof(kSessionContext) - 1);
  SSL_CTX_set_client_hello_cb(ctx, OnClientHello, source);
  ERR_clear_error();
  return true;
}

}  // namespace callcenter::web
