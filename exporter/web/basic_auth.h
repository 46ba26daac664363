// HTTP basic auth against the web config's bcrypt hashes, checked by
// libcrypt (libxcrypt's crypt_r), as the exporter toolkit checks them.
//
// bcrypt at cost 10 takes about 70 ms, so a verified user, password and
// stored hash are remembered (as a SHA-256 digest, never in clear) in a
// small bounded cache; failures are never cached, so guessing stays slow.
// An unknown user is checked against a dummy hash of the same cost as the
// configured ones, and every refusal is the same 401: neither the answer
// nor its timing tells whether a user exists.
#ifndef CALLCENTER_WEB_BASIC_AUTH_H_
#define CALLCENTER_WEB_BASIC_AUTH_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "callcenter/common/http_server.h"

namespace callcenter::web {

struct BasicCredentials {
  std::string user;
  std::string password;
};

// The user and password of an "Authorization: Basic <base64>" header value
// (scheme case-blind, strict base64, split at the first ':'); nullopt for
// anything else.
std::optional<BasicCredentials> ParseBasicAuthorization(
    std::string_view header);

// A bcrypt hash libcrypt checks: $2a$, $2b$ or $2y$, cost 04 to 31, 53
// characters of salt and hash.
bool IsBcryptHash(std::string_view hash);
// The cost of a bcrypt hash (IsBcryptHash must hold).
int BcryptCost(std::string_view hash);
// Whether `password` hashes to `hash`, compared in constant time. A
// password holding a NUL byte never matches (crypt would cut it there).
bool BcryptMatches(std::string_view password, const std::string& hash);
// A bcrypt setting (a fixed salt, no hash) of `cost` that no password
// matches, costing as much to check as a real hash of that cost.
std::string DummyBcryptHash(int cost);

// The 401 every refusal gets.
HttpResponse Unauthorized();

// Remembers verified credentials: a bounded set of digests, the oldest
// forgotten first. Thread-safe.
class VerifiedCache {
 public:
  using Digest = std::array<unsigned char, 32>;
  explicit VerifiedCache(size_t capacity) : capacity_(capacity) {}
  static Digest Key(std::string_view user, std::string_view password,
                    std::string_view hash);
  bool Contains(const Digest& key) const;
  void Insert(const Digest& key);
  size_t size() const;

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::set<Digest> entries_;
  std::deque<Digest> order_;
};

class BasicAuthenticator {
 public:
  // Enough for a few Prometheus servers and people; the toolkit keeps 100.
  static constexpr size_t kCacheCapacity = 100;

  explicit BasicAuthenticator(size_t cache_capacity = kCacheCapacity)
      : cache_(cache_capacity) {}

  // Whether the Authorization header value carries a user of `users` with
  // its password. `dummy` is checked for unknown users (DummyBcryptHash).
  bool Check(const std::map<std::string, std::string>& users,
             const std::string& dummy, std::string_view authorization);

  // bcrypt computations so far (the cache's effect, for tests).
  uint64_t bcrypt_runs() const { return bcrypt_runs_.load(); }
  size_t cached() const { return cache_.size(); }

 private:
  VerifiedCache cache_;
  // One bcrypt at a time, as in the toolkit: a flood of guesses costs one
  // core, not all of them, so scrapes and polls keep running.
  std::mutex bcrypt_mutex_;
  std::atomic<uint64_t> bcrypt_runs_{0};
};

}  // namespace callcenter::web

#endif  // CALLCENTER_WEB_BASIC_AUTH_H_
