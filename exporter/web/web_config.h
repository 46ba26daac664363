// The web configuration file (--web.config.file), in the exporter-toolkit
// format that node_exporter and Prometheus read, so one file serves both:
//
//   tls_server_config:
//     cert_file: server.crt          # or cert: <PEM>, relative to this file
//     key_file: server.key           # or key: <PEM>
//     client_auth_type: RequireAndVerifyClientCert
//     client_ca_file: ca.crt         # or client_ca: <PEM>
//     min_version: TLS12             # TLS10..TLS13, default TLS12
//     max_version: TLS13
//     cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
//     prefer_server_cipher_suites: true
//     curve_preferences: [X25519, CurveP256]
//   http_server_config:
//     http2: true                    # accepted; CivetWeb speaks HTTP/1.1
//     headers: {Strict-Transport-Security: max-age=31536000}
//   basic_auth_users:
//     prometheus: $2y$10$...         # bcrypt only
//
// Parsing never throws: every problem is one line naming the key. Where the
// toolkit would silently do something unsafe, this refuses instead: TLS
// settings without a certificate (the toolkit serves plain HTTP), a
// verifying client_auth_type without client_ca_file (Go falls back to the
// system roots), a plaintext password. client_allowed_sans and rate_limit
// are refused as not supported rather than ignored.
#ifndef CALLCENTER_WEB_WEB_CONFIG_H_
#define CALLCENTER_WEB_WEB_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace callcenter::web {

// What stat() says about a file, to notice that it changed: a new inode
// (an atomic rename, a Kubernetes secret's symlink swap), a new size, a
// new mtime or ctime (an edit in place).
struct FileStamp {
  bool exists = false;
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};
FileStamp StampFile(const std::string& path);

// The toolkit's client_auth_type values (Go's tls.ClientAuthType).
enum class ClientAuth {
  kNoClientCert,
  kRequestClientCert,
  kRequireAnyClientCert,
  kVerifyClientCertIfGiven,
  kRequireAndVerifyClientCert,
};
const char* ClientAuthName(ClientAuth auth);

// TLS protocol versions as on the wire (and as OpenSSL numbers them).
inline constexpr int kTls10 = 0x0301;
inline constexpr int kTls11 = 0x0302;
inline constexpr int kTls12 = 0x0303;
inline constexpr int kTls13 = 0x0304;
const char* TlsVersionName(int version);

struct TlsSettings {
  // False when the file has no certificate: the listener serves plain HTTP.
  bool enabled = false;
  // The PEM text of the certificate (chain), key and client CAs, read from
  // the *_file keys or given inline; `*_key` names the key it came from,
  // for messages ("tls_server_config.cert_file").
  std::string cert_pem, key_pem, client_ca_pem;
  std::string cert_key, key_key, client_ca_key;
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  int min_version = kTls12;
  int max_version = kTls13;
  // OpenSSL names of the TLS 1.0-1.2 suites allowed; empty: OpenSSL's
  // defaults. TLS 1.3 suites are not configurable, as in Go.
  std::vector<std::string> cipher_suites;
  bool prefer_server_cipher_suites = true;
  // OpenSSL group names ("P-256", "X25519"); empty: OpenSSL's defaults.
  std::vector<std::string> curves;
};

struct WebConfig {
  TlsSettings tls;
  // User name -> bcrypt hash. Empty: no basic auth.
  std::map<std::string, std::string> users;
  // Added to every response; only the names the toolkit allows.
  std::vector<std::pair<std::string, std::string>> headers;
  // Every file read (the config itself, then the certificate, key and CA
  // files), stamped just before it was read: when a stamp no longer
  // matches, the file changed after it was read and the config is re-read.
  std::vector<std::pair<std::string, FileStamp>> files;
};

// Parses the text of the web config at `path` (relative file names are
// resolved against its folder, as the toolkit does) and reads the PEM files
// it names. Problems go to `errors`, one line each naming the key.
WebConfig ParseWebConfig(const std::string& text, const std::string& path,
                         std::vector<std::string>* errors);

// Reads and parses `path` (a regular file of at most 1 MiB).
WebConfig ReadWebConfig(const std::string& path,
                        std::vector<std::string>* errors);

}  // namespace callcenter::web

#endif  // CALLCENTER_WEB_WEB_CONFIG_H_
