#include "web/web_config.h"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "callcenter/common/files.h"
#include "callcenter/common/strings.h"
#include "core/config_reader.h"
#include "web/basic_auth.h"

namespace callcenter::web {
namespace {

constexpr size_t kMaxConfigBytes = size_t{1} << 20;
constexpr size_t kMaxPemBytes = size_t{1} << 20;

struct CipherName {
  const char* go;       // as in Go's tls.CipherSuites(), the toolkit's names
  const char* openssl;  // nullptr: a TLS 1.3 suite
};

// Go's tls.CipherSuites(): the names the toolkit accepts. Go's insecure
// suites (3DES, RC4, CBC-SHA256) are unknown to the toolkit and so here.
constexpr CipherName kCiphers[] = {
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
    {"TLS_AES_128_GCM_SHA256", nullptr},
    {"TLS_AES_256_GCM_SHA384", nullptr},
    {"TLS_CHACHA20_POLY1305_SHA256", nullptr},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
     "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
     "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
     "ECDHE-RSA-CHACHA20-POLY1305"},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
     "ECDHE-ECDSA-CHACHA20-POLY1305"},
};

// The toolkit's curve names and OpenSSL's.
constexpr std::pair<const char*, const char*> kCurves[] = {
    {"CurveP256", "P-256"},
    {"CurveP384", "P-384"},
    {"CurveP521", "P-521"},
    {"X25519", "X25519"},
};

constexpr std::pair<const char*, int> kVersions[] = {
    {"TLS10", kTls10}, {"TLS11", kTls11}, {"TLS12", kTls12}, {"TLS13", kTls13}};

// The toolkit refuses every other header (handler.go, extraHTTPHeaders): a
// web config must not be able to override Content-Type, Set-Cookie or the
// framing headers. An empty list allows any value.
struct AllowedHeader {
  const char* name;
  std::vector<const char*> values;
};
const std::vector<AllowedHeader>& AllowedHeaders() {
  static const std::vector<AllowedHeader> allowed = {
      {"Strict-Transport-Security", {}},
      {"X-Content-Type-Options", {"nosniff"}},
      {"X-Frame-Options", {"deny", "sameorigin"}},
      {"X-XSS-Protection", {}},
      {"Content-Security-Policy", {}},
  };
  return allowed;
}

std::string Quote(const std::string& text) {
  return "\"" + (text.size() > 80 ? text.substr(0, 80) + "..." : text) + "\"";
}

// Relative names are relative to the web config's folder (the toolkit's
// SetDirectory), so the file works wherever the exporter is started.
std::string Resolve(const std::string& dir, const std::string& name) {
  if (name.empty() || name[0] == '/') return name;
  return (std::filesystem::path(dir) / name).lexically_normal().string();
}

bool HasControl(std::string_view text) {
  for (unsigned char c : text) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return true;
  }
  return false;
}

class Parser {
 public:
  Parser(std::string dir, WebConfig* config, std::vector<std::string>* errors)
      : dir_(std::move(dir)), config_(config), errors_(errors) {}

  void Tls(core::ConfigNode& root) {
    core::ConfigNode tls = root.Child("tls_server_config");
    TlsSettings& out = config_->tls;
    std::string cert, cert_file, key, key_file, ca, ca_file, auth;
    tls.String("cert", &cert);
    tls.String("cert_file", &cert_file);
    tls.String("key", &key);
    tls.String("key_file", &key_file);
    tls.String("client_ca", &ca);
    tls.String("client_ca_file", &ca_file);
    tls.String("client_auth_type", &auth);
    std::string min_version, max_version;
    tls.String("min_version", &min_version);
    tls.String("max_version", &max_version);
    std::vector<std::string> ciphers, curves;
    tls.StringList("cipher_suites", &ciphers, /*allow_empty=*/true);
    tls.Bool("prefer_server_cipher_suites", &out.prefer_server_cipher_suites);
    tls.StringList("curve_preferences", &curves, /*allow_empty=*/true);
    if (tls.Has("client_allowed_sans")) {
      tls.Error("client_allowed_sans",
                "not supported by callcenter_exporter; use a client CA that "
                "signs only the allowed clients");
    }
    tls.RejectUnknown();

    // The toolkit's IsEnabled(): any certificate, key, CA or client auth.
    out.enabled = !cert.empty() || !cert_file.empty() || !key.empty() ||
                  !key_file.empty() || !ca.empty() || !ca_file.empty() ||
                  !auth.empty();
    if (!out.enabled) {
      // The toolkit would serve plain HTTP here without a word; a file that
      // sets TLS options surely meant TLS.
      const bool any_setting = !min_version.empty() || !max_version.empty() ||
                               !ciphers.empty() || !curves.empty() ||
                               tls.Has("prefer_server_cipher_suites");
      if (any_setting) {
        tls.Error("cert_file",
                  "is required: TLS settings without a certificate would "
                  "leave the listener on plain HTTP");
      }
      return;
    }
    Pem(tls, "cert", cert, "cert_file", cert_file, /*required=*/true,
        &out.cert_pem, &out.cert_key);
    Pem(tls, "key", key, "key_file", key_file, /*required=*/true, &out.key_pem,
        &out.key_key);
    Pem(tls, "client_ca", ca, "client_ca_file", ca_file, /*required=*/false,
        &out.client_ca_pem, &out.client_ca_key);
    ClientAuthType(tls, auth, !ca.empty() || !ca_file.empty());
    Versions(tls, min_version, max_version);
    Ciphers(tls, ciphers);
    Curves(tls, curves);
  }

  void Http(core::ConfigNode& root) {
    core::ConfigNode http = root.Child("http_server_config");
    bool http2 = true;
    // Accepted for compatibility and without effect: CivetWeb serves
    // HTTP/1.1, which every Prometheus speaks.
    http.Bool("http2", &http2);
    std::vector<std::pair<std::string, std::string>> headers;
    http.StringMap("headers", &headers);
    http.RejectUnknown();
    for (auto& [name, value] : headers) {
      const std::string key = "http_server_config.headers." + name;
      const AllowedHeader* allowed = nullptr;
      for (const AllowedHeader& header : AllowedHeaders()) {
        if (name == header.name) allowed = &header;
      }
      if (allowed == nullptr) {
        std::string names;
        for (const AllowedHeader& header : AllowedHeaders()) {
          names += (names.empty() ? "" : ", ") + std::string(header.name);
        }
        errors_->push_back(key + ": this header cannot be configured (one of " +
                           names + ")");
        continue;
      }
      if (HasControl(value)) {
        errors_->push_back(key + ": must not contain control characters");
        continue;
      }
      if (!allowed->values.empty()) {
        bool ok = false;
        std::string values;
        for (const char* choice : allowed->values) {
          ok = ok || value == choice;
          values += (values.empty() ? "" : ", ") + std::string(choice);
        }
        if (!ok) {
          errors_->push_back(key + ": must be one of " + values + ", got " +
                             Quote(value));
          continue;
        }
      }
      // "Unset if blank", as the toolkit documents.
      if (!Trim(value).empty()) {
        config_->headers.emplace_back(name, value);
      }
    }
  }

  void Users(core::ConfigNode& root) {
    std::vector<std::pair<std::string, std::string>> users;
    root.StringMap("basic_auth_users", &users);
    for (auto& [name, hash] : users) {
      const std::string key = "basic_auth_users." + name;
      if (name.find(':') != std::string::npos || HasControl(name)) {
        // Basic auth splits user:password at the first ':'.
        errors_->push_back(key +
                           ": a user name cannot contain ':' or control "
                           "characters");
        continue;
      }
      // The value is never echoed: it may be a password typed in clear.
      if (!IsBcryptHash(hash)) {
        errors_->push_back(
            key +
            ": must be a bcrypt hash ($2y$, $2b$ or $2a$, cost 4 to 31; "
            "generate one with `htpasswd -nBC 10 \"\" | tr -d ':\\n'`); "
            "plaintext passwords are refused");
        continue;
      }
      config_->users[name] = hash;
    }
  }

 private:
  // One PEM from either `inline_key` or `file_key` (read now).
  void Pem(core::ConfigNode& tls, const std::string& inline_key,
           const std::string& inline_text, const std::string& file_key,
           const std::string& file, bool required, std::string* pem,
           std::string* source) {
    if (!inline_text.empty() && !file.empty()) {
      tls.Error(file_key,
                "give " + inline_key + " or " + file_key + ", not both");
      return;
    }
    if (!inline_text.empty()) {
      *pem = inline_text;
      *source = tls.Path(inline_key);
      return;
    }
    *source = tls.Path(file_key);
    if (file.empty()) {
      if (required) {
        tls.Error(file_key, "is required (or " + inline_key + ")");
      }
      return;
    }
    const std::string path = Resolve(dir_, file);
    config_->files.emplace_back(path, StampFile(path));
    const FileRead read = ReadRegularFile(path, kMaxPemBytes);
    if (read.status == FileRead::Status::kMissing) {
      tls.Error(file_key, "cannot read " + Quote(path) + ": no such file");
    } else if (read.status == FileRead::Status::kError) {
      tls.Error(file_key, "cannot read: " + read.error);
    } else {
      *pem = read.content;
    }
  }

  void ClientAuthType(core::ConfigNode& tls, const std::string& text,
                      bool has_ca) {
    static const std::pair<const char*, ClientAuth> kTypes[] = {
        {"NoClientCert", ClientAuth::kNoClientCert},
        {"RequestClientCert", ClientAuth::kRequestClientCert},
        {"RequireAnyClientCert", ClientAuth::kRequireAnyClientCert},
        // The toolkit keeps this old spelling for compatibility.
        {"RequireClientCert", ClientAuth::kRequireAnyClientCert},
        {"VerifyClientCertIfGiven", ClientAuth::kVerifyClientCertIfGiven},
        {"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerifyClientCert},
    };
    ClientAuth& auth = config_->tls.client_auth;
    if (!text.empty()) {
      bool known = false;
      for (const auto& [name, value] : kTypes) {
        if (text == name) {
          auth = value;
          known = true;
        }
      }
      if (!known) {
        tls.Error("client_auth_type",
                  "must be one of NoClientCert, RequestClientCert, "
                  "RequireAnyClientCert, VerifyClientCertIfGiven, "
                  "RequireAndVerifyClientCert, got " +
                      Quote(text));
        return;
      }
    }
    if (has_ca && auth == ClientAuth::kNoClientCert) {
      tls.Error("client_auth_type",
                "is NoClientCert but a client CA is configured; set "
                "RequireAndVerifyClientCert to check client certificates");
    }
    const bool verifies = auth == ClientAuth::kVerifyClientCertIfGiven ||
                          auth == ClientAuth::kRequireAndVerifyClientCert;
    if (verifies && !has_ca) {
      // Go would verify against the system roots: any public CA's
      // certificate would get in.
      tls.Error("client_ca_file", std::string("is required with ") +
                                      "client_auth_type " +
                                      ClientAuthName(auth));
    }
  }

  void Versions(core::ConfigNode& tls, const std::string& min_text,
                const std::string& max_text) {
    auto parse = [&](const std::string& key, const std::string& text,
                     int* out) {
      if (text.empty()) return true;
      for (const auto& [name, version] : kVersions) {
        if (text == name) {
          *out = version;
          return true;
        }
      }
      tls.Error(
          key, "must be one of TLS10, TLS11, TLS12, TLS13, got " + Quote(text));
      return false;
    };
    TlsSettings& out = config_->tls;
    if (parse("min_version", min_text, &out.min_version) &&
        parse("max_version", max_text, &out.max_version) &&
        out.max_version < out.min_version) {
      tls.Error("max_version", std::string("is below min_version (") +
                                   TlsVersionName(out.min_version) + ")");
    }
  }

  void Ciphers(core::ConfigNode& tls, const std::vector<std::string>& names) {
    if (names.empty()) return;
    bool below_13 = false;
    bool unknown = false;
    for (size_t i = 0; i < names.size(); ++i) {
      const CipherName* found = nullptr;
      for (const CipherName& cipher : kCiphers) {
        if (names[i] == cipher.go) found = &cipher;
      }
      if (found == nullptr) {
        std::string known;
        for (const CipherName& cipher : kCiphers) {
          known += (known.empty() ? "" : ", ") + std::string(cipher.go);
        }
        tls.Error("cipher_suites[" + std::to_string(i) + "]",
                  "unknown or insecure cipher suite " + Quote(names[i]) +
                      " (one of " + known + ")");
        unknown = true;
        continue;
      }
      // TLS 1.3 names are accepted and, as in Go, change nothing.
      if (found->openssl != nullptr) {
        config_->tls.cipher_suites.push_back(found->openssl);
        below_13 = true;
      }
    }
    // (After a misspelt name that line would only repeat the problem.)
    if (!below_13 && !unknown && config_->tls.min_version < kTls13) {
      tls.Error("cipher_suites",
                "names no TLS 1.2 suite, so no TLS 1.2 client could connect; "
                "add one or set min_version: TLS13");
    }
  }

  void Curves(core::ConfigNode& tls, const std::vector<std::string>& names) {
    for (size_t i = 0; i < names.size(); ++i) {
      const char* found = nullptr;
      for (const auto& [go, openssl] : kCurves) {
        if (names[i] == go) found = openssl;
      }
      if (found == nullptr) {
        tls.Error("curve_preferences[" + std::to_string(i) + "]",
                  "unknown curve " + Quote(names[i]) +
                      " (one of CurveP256, CurveP384, CurveP521, X25519)");
        continue;
      }
      config_->tls.curves.push_back(found);
    }
  }

  std::string dir_;
  WebConfig* config_;
  std::vector<std::string>* errors_;
};

// Whether the YAML text holds nothing (empty, comments only): the toolkit
// accepts such a file as "no TLS, no auth".
bool IsEmptyDocument(const std::string& text) {
  try {
    return YAML::Load(text).IsNull();
  } catch (const std::exception&) {
    return false;  // ConfigNode::Parse reports it
  }
}

}  // namespace

FileStamp StampFile(const std::string& path) {
  FileStamp stamp;
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return stamp;
  stamp.exists = true;
  stamp.device = info.st_dev;
  stamp.inode = info.st_ino;
  stamp.size = info.st_size;
  stamp.mtime_ns =
      int64_t{info.st_mtim.tv_sec} * 1000000000 + info.st_mtim.tv_nsec;
  stamp.ctime_ns =
      int64_t{info.st_ctim.tv_sec} * 1000000000 + info.st_ctim.tv_nsec;
  return stamp;
}

const char* ClientAuthName(ClientAuth auth) {
  switch (auth) {
    case ClientAuth::kNoClientCert:
      return "NoClientCert";
    case ClientAuth::kRequestClientCert:
      return "RequestClientCert";
    case ClientAuth::kRequireAnyClientCert:
      return "RequireAnyClientCert";
    case ClientAuth::kVerifyClientCertIfGiven:
      return "VerifyClientCertIfGiven";
    case ClientAuth::kRequireAndVerifyClientCert:
      return "RequireAndVerifyClientCert";
  }
  return "?";
}

const char* TlsVersionName(int version) {
  for (const auto& [name, value] : kVersions) {
    if (value == version) return name;
  }
  return "?";
}

WebConfig ParseWebConfig(const std::string& text, const std::string& path,
                         std::vector<std::string>* errors) {
  WebConfig config;
  if (IsEmptyDocument(text)) return config;
  std::vector<std::string> problems;
  core::ConfigNode root =
      core::ConfigNode::Parse(text, &problems, kMaxConfigBytes);
  Parser parser(std::filesystem::path(path).parent_path().string(), &config,
                &problems);
  parser.Tls(root);
  parser.Http(root);
  parser.Users(root);
  if (root.Has("rate_limit")) {
    root.Error("rate_limit",
               "not supported by callcenter_exporter (--web.max-requests "
               "caps parallel scrapes)");
  }
  root.RejectUnknown();
  for (std::string& problem : problems) {
    // ConfigNode names the root "config"; here the caller names the file.
    if (StartsWith(problem, "config: ")) problem.erase(0, 8);
    errors->push_back(std::move(problem));
  }
  return config;
}

WebConfig ReadWebConfig(const std::string& path,
                        std::vector<std::string>* errors) {
  const FileStamp stamp = StampFile(path);
  const FileRead read = ReadRegularFile(path, kMaxConfigBytes);
  if (read.status != FileRead::Status::kOk) {
    WebConfig config;
    config.files.emplace_back(path, stamp);
    errors->push_back(read.status == FileRead::Status::kMissing
                          ? "cannot read " + Quote(path) + ": no such file"
                          : read.error);
    return config;
  }
  std::vector<std::string> problems;
  WebConfig config = ParseWebConfig(read.content, path, &problems);
  config.files.insert(config.files.begin(), {path, stamp});
  errors->insert(errors->end(), problems.begin(), problems.end());
  return config;
}

}  // namespace callcenter::web
