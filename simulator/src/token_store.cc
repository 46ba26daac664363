#include "ozonetel_sim/token_store.h"

#include <chrono>

#include "ozonetel_sim/rng.h"

namespace callcenter::sim {

std::string Base64UrlEncode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : data) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3f]);
  return out;
}

TokenStore::TokenStore(uint64_t seed, Seconds ttl) : seed_(seed), ttl_(ttl) {}

std::string TokenStore::Issue(std::string_view user_name, TimePoint now) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++issued_;
  const int64_t iat =
      std::chrono::floor<Seconds>(now).time_since_epoch().count();
  const std::string payload = "{\"sub\":\"" + std::string(user_name) +
                              "\",\"iat\":" + std::to_string(iat) +
                              ",\"exp\":" + std::to_string(iat + ttl_.count()) +
                              ",\"jti\":" + std::to_string(issued_) + "}";
  // 64 pseudo-random bytes stand in for the HS512 signature.
  std::string signature;
  for (uint64_t i = 0; i < 8; ++i) {
    uint64_t word = HashOf({seed_, issued_, i});
    for (int b = 0; b < 8; ++b)
      signature.push_back(static_cast<char>(word >> (8 * b)));
  }
  current_ = Base64UrlEncode("{\"alg\":\"HS512\"}") + "." +
             Base64UrlEncode(payload) + "." + Base64UrlEncode(signature);
  expires_ = now + ttl_;
  return current_;
}

bool TokenStore::IsValid(std::string_view token, TimePoint now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !current_.empty() && token == current_ && now < expires_;
}

}  // namespace callcenter::sim
