// Makes Debian 12's CivetWeb 1.15 usable with OpenSSL 3 (see
// common/civetweb_openssl/libssl_shim.cc for the problem). Internal to
// callcenter_common: HttpServer calls these around mg_init_library.
#ifndef CALLCENTER_COMMON_SRC_CIVETWEB_OPENSSL_H_
#define CALLCENTER_COMMON_SRC_CIVETWEB_OPENSSL_H_

namespace callcenter::internal {

// Loads the embedded libssl.so and libcrypto.so shims from memory, so that
// CivetWeb's dlopen of those names finds them (the dynamic loader matches
// a requested name against the sonames of loaded libraries before it looks
// at the disk). Must run before the first mg_init_library; false when the
// system does not allow it (then CivetWebOpenSslUsable() says no).
bool LoadCivetWebOpenSslShims();

// Whether what CivetWeb gets for "libssl.so" and "libcrypto.so" has every
// function it calls, SSL_get_peer_certificate included.
bool CivetWebOpenSslUsable();

}  // namespace callcenter::internal

#endif  // CALLCENTER_COMMON_SRC_CIVETWEB_OPENSSL_H_
