// Built as a shared library named (and with the soname) "libssl.so", and
// embedded in the binary (src/civetweb_openssl.cc loads it first thing).
//
// Debian 12's CivetWeb 1.15 opens OpenSSL at run time by that name and
// looks up SSL_get_peer_certificate, which OpenSSL 3 only has as a macro
// for SSL_get1_peer_certificate: the lookup fails, CivetWeb keeps a null
// pointer and calls it after every TLS handshake (CivetWeb issue #1334).
// Loaded under the name CivetWeb asks for, this library answers that
// lookup, and every other one through its dependency, the real
// libssl.so.3.
#include <openssl/ssl.h>

#undef SSL_get_peer_certificate

extern "C" __attribute__((visibility("default"))) X509*
SSL_get_peer_certificate(const SSL* ssl) {
  // The old function also returned a reference the caller frees.
  return SSL_get1_peer_certificate(ssl);
}
