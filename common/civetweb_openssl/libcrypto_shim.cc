// Built as a shared library named "libcrypto.so" that only depends on the
// real libcrypto.so.3: CivetWeb opens libcrypto by that unversioned name,
// which only libssl-dev installs (see libssl_shim.cc).
extern "C" __attribute__((visibility("default"))) int
callcenter_civetweb_libcrypto_shim() {
  return 1;
}
