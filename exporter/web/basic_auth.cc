#include "web/basic_auth.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <memory>

#include "callcenter/common/strings.h"

namespace callcenter::web {
namespace {

// Longest Authorization value decoded: far beyond any real user name and
// password, short enough that decoding costs nothing.
constexpr size_t kMaxAuthorization = 4096;

bool IsBcryptChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '/';
}

// 16 fixed bytes for the dummy's salt: it needs no randomness, only to be a
// valid bcrypt setting.
constexpr unsigned char kDummySalt[16] = {0x63, 0x61, 0x6c, 0x6c, 0x63, 0x65,
                                          0x6e, 0x74, 0x65, 0x72, 0x2d, 0x64,
                                          0x75, 0x6d, 0x6d, 0x79};

}  // namespace

std::optional<BasicCredentials> ParseBasicAuthorization(
    std::string_view header) {
  constexpr std::string_view kScheme = "Basic ";
  if (header.size() <= kScheme.size() || header.size() > kMaxAuthorization ||
      !EqualsIgnoreCase(header.substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  const std::string_view encoded = Trim(header.substr(kScheme.size()));
  // Strict, as Go's base64.StdEncoding: padded, no stray characters.
  if (encoded.empty() || encoded.size() % 4 != 0) return std::nullopt;
  for (size_t i = 0; i < encoded.size(); ++i) {
    const char c = encoded[i];
    const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '+' || c == '/';
    const bool padding = c == '=' && i + 2 >= encoded.size() &&
                         (i + 1 == encoded.size() || encoded[i + 1] == '=');
    if (!alphabet && !padding) return std::nullopt;
  }
  std::string decoded(encoded.size() / 4 * 3, '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                      reinterpret_cast<const unsigned char*>(encoded.data()),
                      static_cast<int>(encoded.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the bytes of the padding too.
  size_t length = static_cast<size_t>(n);
  if (encoded.back() == '=') --length;
  if (encoded[encoded.size() - 2] == '=') --length;
  decoded.resize(length);
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  BasicCredentials credentials{decoded.substr(0, colon),
                               decoded.substr(colon + 1)};
  OPENSSL_cleanse(decoded.data(), decoded.size());
  return credentials;
}

bool IsBcryptHash(std::string_view hash) {
  // $2y$10$ + 22 characters of salt + 31 of hash.
  if (hash.size() != 60 || hash[0] != '$' || hash[1] != '2' ||
      (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') || hash[3] != '$' ||
      hash[6] != '$') {
    return false;
  }
  if (hash[4] < '0' || hash[4] > '9' || hash[5] < '0' || hash[5] > '9') {
    return false;
  }
  const int cost = BcryptCost(hash);
  if (cost < 4 || cost > 31) return false;
  for (size_t i = 7; i < hash.size(); ++i) {
    if (!IsBcryptChar(hash[i])) return false;
  }
  // And libcrypt agrees it can check it.
  return crypt_checksalt(std::string(hash).c_str()) == CRYPT_SALT_OK;
}

int BcryptCost(std::string_view hash) {
  return (hash[4] - '0') * 10 + (hash[5] - '0');
}

bool BcryptMatches(std::string_view password, const std::string& hash) {
  if (password.find('\0') != std::string_view::npos) return false;
  // crypt_data is ~32 KiB: on the heap, zeroed as crypt_r requires.
  auto data = std::make_unique<crypt_data>();
  std::string secret(password);
  const char* out = crypt_r(secret.c_str(), hash.c_str(), data.get());
  // libxcrypt answers a failure with a string starting with '*'.
  const bool matches = out != nullptr && out[0] != '*' &&
                       std::strlen(out) == hash.size() &&
                       CRYPTO_memcmp(out, hash.data(), hash.size()) == 0;
  OPENSSL_cleanse(secret.data(), secret.size());
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  return matches;
}

std::string DummyBcryptHash(int cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2y$", static_cast<unsigned long>(cost),
                       reinterpret_cast<const char*>(kDummySalt),
                       sizeof(kDummySalt), setting,
                       sizeof(setting)) == nullptr) {
    return "$2y$10$" + std::string(53, '.');
  }
  // "$2y$10$" and 22 characters of salt: crypt_r computes the full hash from
  // it, which never equals the bare setting.
  return setting;
}

HttpResponse Unauthorized() {
  HttpResponse response = HttpResponse::Text(401, "Unauthorized\n");
  response.headers.emplace_back("WWW-Authenticate",
                                "Basic realm=\"callcenter_exporter\"");
  return response;
}

VerifiedCache::Digest VerifiedCache::Key(std::string_view user,
                                         std::string_view password,
                                         std::string_view hash) {
  Digest digest{};
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  // Each part prefixed by its length, so no two triples share a digest.
  auto add = [context](std::string_view part) {
    const uint64_t size = part.size();
    EVP_DigestUpdate(context, &size, sizeof(size));
    EVP_DigestUpdate(context, part.data(), part.size());
  };
  unsigned int length = 0;
  if (context != nullptr &&
      EVP_DigestInit_ex(context, EVP_sha256(), nullptr) == 1) {
    add(user);
    add(password);
    add(hash);
    EVP_DigestFinal_ex(context, digest.data(), &length);
  }
  EVP_MD_CTX_free(context);
  return digest;
}

bool VerifiedCache::Contains(const Digest& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.count(key) != 0;
}

void VerifiedCache::Insert(const Digest& key) {
  if (capacity_ == 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!entries_.insert(key).second) return;
  order_.push_back(key);
  while (order_.size() > capacity_) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
}

size_t VerifiedCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

bool BasicAuthenticator::Check(const std::map<std::string, std::string>& users,
                               const std::string& dummy,
                               std::string_view authorization) {
  std::optional<BasicCredentials> credentials =
      ParseBasicAuthorization(authorization);
  if (!credentials) return false;
  const auto user = users.find(credentials->user);
  const bool known = user != users.end();
  const std::string& hash = known ? user->second : dummy;
  const VerifiedCache::Digest key =
      VerifiedCache::Key(credentials->user, credentials->password, hash);
  bool ok = known && cache_.Contains(key);
  if (!ok) {
    bool matches = false;
    {
      std::lock_guard<std::mutex> lock(bcrypt_mutex_);
      ++bcrypt_runs_;
      matches = BcryptMatches(credentials->password, hash);
    }
    ok = known && matches;
    if (ok) cache_.Insert(key);
  }
  OPENSSL_cleanse(credentials->password.data(), credentials->password.size());
  return ok;
}

}  // namespace callcenter::web
