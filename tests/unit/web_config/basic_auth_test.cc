// Basic auth: bcrypt through libcrypt, the verified-credentials cache, and
// a refusal that says nothing about whether the user exists.
#include "web/basic_auth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <map>
#include <string>

#include "test_pki.h"

namespace callcenter::web {
namespace {

using ::testing::HasSubstr;

std::string Header(const std::string& user, const std::string& password) {
  const std::string plain = user + ":" + password;
  std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                      reinterpret_cast<const unsigned char*>(plain.data()),
                      static_cast<int>(plain.size()));
  encoded.resize(static_cast<size_t>(n));
  return "Basic " + encoded;
}

TEST(ParseBasicAuthorizationTest, DecodesUserAndPassword) {
  auto credentials = ParseBasicAuthorization(Header("prometheus", "s:e:c"));
  ASSERT_TRUE(credentials);
  EXPECT_EQ("prometheus", credentials->user);
  EXPECT_EQ("s:e:c", credentials->password);  // split at the first ':'
  // Every padding length, and the scheme in any case.
  for (const std::string password : {"a", "ab", "abc"}) {
    auto parsed = ParseBasicAuthorization(Header("u", password));
    ASSERT_TRUE(parsed) << password;
    EXPECT_EQ(password, parsed->password);
  }
  EXPECT_TRUE(ParseBasicAuthorization("bAsIc dTpw"));
  EXPECT_EQ("", ParseBasicAuthorization(Header("", ""))->user);
}

TEST(ParseBasicAuthorizationTest, RefusesAnythingElse) {
  for (const std::string& header :
       {std::string(), std::string("Basic"), std::string("Basic "),
        std::string("Bearer dTpw"), std::string("Basic dTpw="),
        std::string("Basic dTp"), std::string("Basic dT=w"),
        std::string("Basic d*pw"), std::string("Basic ====") /* empty */,
        std::string("Basic dXNlcg==") /* "user": no ':' */,
        "Basic " + std::string(8192, 'A')}) {
    EXPECT_FALSE(ParseBasicAuthorization(header)) << header;
  }
}

TEST(BcryptTest, RecognisesBcryptOnly) {
  const std::string hash = test::Bcrypt("secret");
  EXPECT_TRUE(IsBcryptHash(hash));
  EXPECT_EQ(4, BcryptCost(hash));
  std::string b = hash;
  b[2] = 'b';
  EXPECT_TRUE(IsBcryptHash(b));
  for (const std::string& bad :
       {std::string("secret"), hash.substr(0, 59), hash + "x",
        "$2x$" + hash.substr(4), "$2y$03$" + hash.substr(7),
        "$2y$32$" + hash.substr(7), "$2y$1a$" + hash.substr(7),
        hash.substr(0, 30) + "!" + hash.substr(31),
        std::string("$6$saltsalt$") + std::string(48, 'a')}) {
    EXPECT_FALSE(IsBcryptHash(bad)) << bad;
  }
}

TEST(BcryptTest, MatchesTheRightPasswordOnly) {
  const std::string hash = test::Bcrypt("correct horse");
  EXPECT_TRUE(BcryptMatches("correct horse", hash));
  EXPECT_FALSE(BcryptMatches("correct hors", hash));
  EXPECT_FALSE(BcryptMatches("", hash));
  // crypt() would stop at the NUL and accept the prefix.
  EXPECT_FALSE(BcryptMatches(std::string("correct horse\0x", 15), hash));
  EXPECT_FALSE(BcryptMatches("correct horse", "not a hash"));
}

TEST(BcryptTest, DummyHasTheCostAskedAndMatchesNothing) {
  const std::string dummy = DummyBcryptHash(5);
  EXPECT_EQ("$2y$05$", dummy.substr(0, 7));
  EXPECT_EQ(dummy, DummyBcryptHash(5));  // fixed, not random
  EXPECT_FALSE(BcryptMatches("", dummy));
  EXPECT_FALSE(BcryptMatches("fakepassword", dummy));
}

TEST(UnauthorizedTest, NamesTheRealm) {
  const HttpResponse response = Unauthorized();
  EXPECT_EQ(401, response.status);
  ASSERT_EQ(1u, response.headers.size());
  EXPECT_EQ("WWW-Authenticate", response.headers[0].first);
  EXPECT_EQ("Basic realm=\"callcenter_exporter\"", response.headers[0].second);
}

class AuthenticatorTest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> users_ = {
      {"prometheus", test::Bcrypt("secret")},
      {"grafana", test::Bcrypt("other")}};
  std::string dummy_ = DummyBcryptHash(4);
  BasicAuthenticator auth_;
};

TEST_F(AuthenticatorTest, GoodBadUnknownAndMissing) {
  EXPECT_TRUE(auth_.Check(users_, dummy_, Header("prometheus", "secret")));
  EXPECT_TRUE(auth_.Check(users_, dummy_, Header("grafana", "other")));
  EXPECT_FALSE(auth_.Check(users_, dummy_, Header("prometheus", "other")));
  EXPECT_FALSE(auth_.Check(users_, dummy_, Header("prometheus", "")));
  EXPECT_FALSE(auth_.Check(users_, dummy_, Header("nobody", "secret")));
  EXPECT_FALSE(auth_.Check(users_, dummy_, ""));
  EXPECT_FALSE(auth_.Check(users_, dummy_, "Bearer token"));
}

TEST_F(AuthenticatorTest, UnknownUserCostsABcryptToo) {
  // Same work as a wrong password, so timing cannot tell the two apart.
  const uint64_t before = auth_.bcrypt_runs();
  EXPECT_FALSE(auth_.Check(users_, dummy_, Header("nobody", "x")));
  EXPECT_EQ(before + 1, auth_.bcrypt_runs());
  EXPECT_FALSE(auth_.Check(users_, dummy_, Header("prometheus", "x")));
  EXPECT_EQ(before + 2, auth_.bcrypt_runs());
}

TEST_F(AuthenticatorTest, CachesSuccessesOnly) {
  ASSERT_TRUE(auth_.Check(users_, dummy_, Header("prometheus", "secret")));
  const uint64_t runs = auth_.bcrypt_runs();
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(auth_.Check(users_, dummy_, Header("prometheus", "secret")));
  }
  EXPECT_EQ(runs, auth_.bcrypt_runs());  // served from the cache
  EXPECT_EQ(1u, auth_.cached());
  // Failures always pay: guessing stays slow.
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(auth_.Check(users_, dummy_, Header("prometheus", "guess")));
  }
  EXPECT_EQ(runs + 3, auth_.bcrypt_runs());
  EXPECT_EQ(1u, auth_.cached());
}

TEST_F(AuthenticatorTest, NewPasswordOrRemovedUserIsNotServedFromCache) {
  ASSERT_TRUE(auth_.Check(users_, dummy_, Header("prometheus", "secret")));
  // The file now holds another password: the cached entry was for the old
  // hash.
  users_["prometheus"] = test::Bcrypt("rotated");
  EXPECT_FALSE(auth_.Check(users_, dummy_, Header("prometheus", "secret")));
  EXPECT_TRUE(auth_.Check(users_, dummy_, Header("prometheus", "rotated")));
  // And a removed user is refused at once.
  users_.erase("prometheus");
  EXPECT_FALSE(auth_.Check(users_, dummy_, Header("prometheus", "rotated")));
}

TEST(VerifiedCacheTest, IsBoundedOldestFirst) {
  VerifiedCache cache(2);
  const auto a = VerifiedCache::Key("a", "p", "h");
  const auto b = VerifiedCache::Key("b", "p", "h");
  const auto c = VerifiedCache::Key("c", "p", "h");
  cache.Insert(a);
  cache.Insert(b);
  cache.Insert(b);
  EXPECT_EQ(2u, cache.size());
  cache.Insert(c);
  EXPECT_EQ(2u, cache.size());
  EXPECT_FALSE(cache.Contains(a));
  EXPECT_TRUE(cache.Contains(b));
  EXPECT_TRUE(cache.Contains(c));
}

TEST(VerifiedCacheTest, KeyTellsFieldsApart) {
  // Without length prefixes "ab"+"c" and "a"+"bc" would collide.
  EXPECT_NE(VerifiedCache::Key("ab", "c", "h"),
            VerifiedCache::Key("a", "bc", "h"));
  EXPECT_NE(VerifiedCache::Key("a", "b", "h1"),
            VerifiedCache::Key("a", "b", "h2"));
  EXPECT_EQ(VerifiedCache::Key("a", "b", "h"),
            VerifiedCache::Key("a", "b", "h"));
}

TEST(BasicAuthenticatorBoundTest, CacheNeverGrowsPastItsCapacity) {
  std::map<std::string, std::string> users;
  const std::string hash = test::Bcrypt("pw");
  for (int i = 0; i < 5; ++i) users["user" + std::to_string(i)] = hash;
  BasicAuthenticator auth(3);
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(auth.Check(users, DummyBcryptHash(4),
                           Header("user" + std::to_string(i), "pw")));
  }
  EXPECT_EQ(3u, auth.cached());
}

}  // namespace
}  // namespace callcenter::web
