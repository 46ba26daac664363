// generateToken's tokens: one current token per account, 60 minute TTL in
// simulated time; issuing a new one invalidates every earlier one (§2.3).
#ifndef OZONETEL_SIM_TOKEN_STORE_H_
#define OZONETEL_SIM_TOKEN_STORE_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "callcenter/common/clock.h"

namespace callcenter::sim {

class TokenStore {
 public:
  explicit TokenStore(uint64_t seed, Seconds ttl = Seconds(3600));

  // A JWT-shaped (HS512) token, deterministic from the seed and a counter.
  std::string Issue(std::string_view user_name, TimePoint now);
  // True only for the current token before it expires.
  bool IsValid(std::string_view token, TimePoint now) const;

 private:
  uint64_t seed_;
  Seconds ttl_;
  mutable std::mutex mutex_;
  std::string current_;
  TimePoint expires_{};
  uint64_t issued_ = 0;
};

std::string Base64UrlEncode(std::string_view data);

}  // namespace callcenter::sim

#endif  // OZONETEL_SIM_TOKEN_STORE_H_
