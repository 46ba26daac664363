#include "civetweb_openssl.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <string>

namespace callcenter::internal {

// civetweb_openssl_shims.cc, generated at build time.
extern const unsigned char kCivetWebLibSsl[];
extern const std::size_t kCivetWebLibSslSize;
extern const unsigned char kCivetWebLibCrypto[];
extern const std::size_t kCivetWebLibCryptoSize;

namespace {

// A sealed memfd holding `bytes`: no file to install or to be tampered
// with, and nothing left on disk. -1 on failure.
int MemoryFile(const char* name, const unsigned char* bytes, std::size_t size) {
  const int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return -1;
  std::size_t written = 0;
  while (written < size) {
    const ssize_t n = write(fd, bytes + written, size - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      return -1;
    }
    written += static_cast<std::size_t>(n);
  }
  fcntl(fd, F_ADD_SEALS,
        F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  return fd;
}

// Kept loaded for the life of the process, like CivetWeb's own handles.
bool Load(int fd) {
  if (fd < 0) return false;
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  return dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL) != nullptr;
}

}  // namespace

bool LoadCivetWebOpenSslShims() {
  // Both descriptors stay open until both are loaded: the loader knows a
  // library by its path, and a reused descriptor number would make the
  // second dlopen return the first library.
  const int crypto =
      MemoryFile("libcrypto.so", kCivetWebLibCrypto, kCivetWebLibCryptoSize);
  const int ssl = MemoryFile("libssl.so", kCivetWebLibSsl, kCivetWebLibSslSize);
  // libcrypto first, the dependency of the other.
  const bool loaded = Load(crypto) && Load(ssl);
  if (crypto >= 0) close(crypto);
  if (ssl >= 0) close(ssl);
  return loaded;
}

bool CivetWebOpenSslUsable() {
  void* crypto = dlopen("libcrypto.so", RTLD_LAZY);
  void* ssl = dlopen("libssl.so", RTLD_LAZY);
  const bool usable = crypto != nullptr && ssl != nullptr &&
                      dlsym(ssl, "SSL_get_peer_certificate") != nullptr;
  if (ssl != nullptr) dlclose(ssl);
  if (crypto != nullptr) dlclose(crypto);
  return usable;
}

}  // namespace callcenter::internal
