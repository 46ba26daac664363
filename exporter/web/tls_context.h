// TLS for CivetWeb listeners with the system OpenSSL, reloaded per
// handshake the way the exporter toolkit's GetConfigForClient does it.
//
// CivetWeb builds one SSL_CTX per listener at start and hands it to the
// init_ssl hook. PrepareListener() turns that into an entry point only: an
// OpenSSL client-hello callback asks the TlsContextSource for the current
// TlsContext (re-reading the web config when a file changed) and switches
// the connection to it with SSL_set_SSL_CTX, then sets what SSL_set_SSL_CTX
// does not carry over (verify mode, versions, options, ciphers, curves,
// client CA names). So new certificates, CAs and policies apply from the
// next handshake, without a restart and without touching connections in
// flight (each holds a reference to the SSL_CTX it started with).
#ifndef CALLCENTER_WEB_TLS_CONTEXT_H_
#define CALLCENTER_WEB_TLS_CONTEXT_H_

#include <memory>
#include <string>
#include <vector>

#include "web/web_config.h"

struct ssl_ctx_st;
struct ssl_st;

namespace callcenter::web {

// One immutable SSL_CTX built from tls_server_config.
class TlsContext {
 public:
  // Loads the certificate chain, key and client CAs and sets the policy;
  // nullptr with one line per problem (naming the key) in `errors`.
  static std::shared_ptr<const TlsContext> Build(
      const TlsSettings& settings, std::vector<std::string>* errors);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // Moves a connection whose ClientHello just arrived onto this context.
  bool ApplyTo(ssl_st* ssl) const;
  ssl_ctx_st* ctx() const { return ctx_; }

 private:
  TlsContext() = default;
  ssl_ctx_st* ctx_ = nullptr;
  int verify_mode_ = 0;
  bool accept_any_certificate_ = false;
  int min_version_ = 0;
  int max_version_ = 0;
  unsigned long long options_ = 0;
  std::string cipher_list_;
  std::string groups_;
};

class TlsContextSource {
 public:
  virtual ~TlsContextSource() = default;
  // The context for a handshake starting now; nullptr refuses it.
  virtual std::shared_ptr<const TlsContext> CurrentTls() = 0;
};

// Sets up the SSL_CTX CivetWeb made for a listener (the init_ssl hook's
// argument) to take every handshake's context from `source`, which must
// outlive the listener. False with `error` when OpenSSL refuses.
bool PrepareListener(void* ssl_ctx, TlsContextSource* source,
                     std::string* error);

}  // namespace callcenter::web

#endif  // CALLCENTER_WEB_TLS_CONTEXT_H_
