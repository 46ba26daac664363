// Throwaway keys and certificates made with OpenSSL at test time (nothing
// secret lives in the repository), and bcrypt hashes at the lowest cost so
// that tests stay fast.
#ifndef CALLCENTER_TESTS_UNIT_WEB_CONFIG_TEST_PKI_H_
#define CALLCENTER_TESTS_UNIT_WEB_CONFIG_TEST_PKI_H_

#include <crypt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace callcenter::test {

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertDeleter {
  void operator()(X509* cert) const { X509_free(cert); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using Cert = std::unique_ptr<X509, CertDeleter>;

inline Key NewKey() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) throw std::runtime_error("EVP_EC_gen failed");
  return key;
}

inline std::string KeyPem(EVP_PKEY* key, const char* passphrase = nullptr) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  const EVP_CIPHER* cipher = passphrase ? EVP_aes_128_cbc() : nullptr;
  PEM_write_bio_PrivateKey(
      bio.get(), key, cipher,
      reinterpret_cast<const unsigned char*>(passphrase),
      passphrase ? static_cast<int>(std::char_traits<char>::length(passphrase))
                 : 0,
      nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

inline std::string CertPem(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

inline void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension =
      X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (extension == nullptr) throw std::runtime_error("bad extension");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// A certificate for `key` named `common_name`, signed by `issuer_key` as
// `issuer` (self-signed when issuer is null). `kind`: "ca", "server" or
// "client".
inline Cert MakeCert(EVP_PKEY* key, const std::string& common_name,
                     X509* issuer, EVP_PKEY* issuer_key,
                     const std::string& kind, long serial = 1) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (kind == "ca") {
    AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), signer, NID_key_usage,
                 "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert.get(), signer, NID_basic_constraints, "CA:FALSE");
    AddExtension(cert.get(), signer, NID_ext_key_usage,
                 kind == "server" ? "serverAuth" : "clientAuth");
    if (kind == "server") {
      AddExtension(cert.get(), signer, NID_subject_alt_name,
                   "DNS:localhost,IP:127.0.0.1");
    }
  }
  X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256());
  return cert;
}

// A CA, a server certificate and a client certificate it signed.
struct Pki {
  Key ca_key = NewKey();
  Cert ca = MakeCert(ca_key.get(), "test CA", nullptr, nullptr, "ca");
  Key server_key = NewKey();
  Cert server = MakeCert(server_key.get(), "localhost", ca.get(), ca_key.get(),
                         "server", 2);
  Key client_key = NewKey();
  Cert client = MakeCert(client_key.get(), "prometheus", ca.get(), ca_key.get(),
                         "client", 3);
};

// A bcrypt hash of `password` at cost 4 (the fastest libcrypt allows).
inline std::string Bcrypt(const std::string& password, int cost = 4) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2y$", static_cast<unsigned long>(cost), nullptr, 0,
                       setting, sizeof(setting)) == nullptr) {
    throw std::runtime_error("crypt_gensalt_rn failed");
  }
  crypt_data data{};
  const char* hash = crypt_r(password.c_str(), setting, &data);
  if (hash == nullptr || hash[0] == '*') {
    throw std::runtime_error("crypt_r failed");
  }
  return hash;
}

}  // namespace callcenter::test

#endif  // CALLCENTER_TESTS_UNIT_WEB_CONFIG_TEST_PKI_H_
