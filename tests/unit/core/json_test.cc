#include "core/json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace callcenter::core {
namespace {

using ::testing::HasSubstr;

std::string Nested(int depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST(ParseJsonTest, ParsesAndKeepsNumbersAsText) {
  rapidjson::Document doc;
  ASSERT_EQ(ParseJson(R"({"id":31733467784618213,"n":"x","f":1.5})", &doc), "");
  EXPECT_EQ(StringMember(doc, "id"), "31733467784618213");
  EXPECT_EQ(IntMember(doc, "id"), 31733467784618213);
  EXPECT_EQ(StringMember(doc, "n"), "x");
  EXPECT_FALSE(IntMember(doc, "f").has_value());
  EXPECT_FALSE(StringMember(doc, "absent").has_value());
  EXPECT_EQ(FindMember(doc["n"], "x"), nullptr);  // not an object
}

TEST(ParseJsonTest, TypedNumbersWhenAsked) {
  rapidjson::Document doc;
  JsonLimits limits;
  limits.numbers_as_strings = false;
  ASSERT_EQ(ParseJson(R"({"n":42})", &doc, limits), "");
  EXPECT_TRUE(doc["n"].IsInt64());
}

TEST(ParseJsonTest, RefusesNestingDeeperThan64) {
  rapidjson::Document doc;
  EXPECT_EQ(ParseJson(Nested(64), &doc), "");
  EXPECT_EQ(ParseJson(Nested(65), &doc), "nested deeper than 64");
  EXPECT_TRUE(doc.IsNull());
  JsonLimits shallow;
  shallow.max_depth = 3;
  EXPECT_EQ(ParseJson(R"({"a":{"b":{}}})", &doc, shallow), "");
  EXPECT_EQ(ParseJson(R"({"a":{"b":{"c":[]}}})", &doc, shallow),
            "nested deeper than 3");
}

TEST(ParseJsonTest, AMillionOpenBracketsIsAnErrorNotACrash) {
  rapidjson::Document doc;
  EXPECT_EQ(ParseJson(std::string(1000000, '['), &doc),
            "nested deeper than 64");
  EXPECT_EQ(ParseJson(std::string(200000, '{'), &doc).substr(0, 12),
            "invalid JSON");  // a key is expected first
}

TEST(ParseJsonTest, RefusesOversizedInput) {
  rapidjson::Document doc;
  JsonLimits limits;
  limits.max_bytes = 10;
  EXPECT_EQ(ParseJson("[1,2,3,4]", &doc, limits), "");
  EXPECT_EQ(ParseJson("[1,2,3,4,5]", &doc, limits),
            "document larger than 10 bytes");
}

TEST(ParseJsonTest, SyntaxErrorsNameTheOffset) {
  rapidjson::Document doc;
  EXPECT_THAT(ParseJson(R"({"a":1,})", &doc), HasSubstr("at offset 7"));
  EXPECT_THAT(ParseJson("", &doc), HasSubstr("invalid JSON"));
  EXPECT_THAT(ParseJson("{} x", &doc), HasSubstr("invalid JSON"));
}

TEST(ParseIntTest, RangeChecked) {
  EXPECT_EQ(ParseInt64("-12"), -12);
  EXPECT_FALSE(ParseInt64("9223372036854775808").has_value());
  EXPECT_FALSE(ParseInt64("12a").has_value());
  EXPECT_FALSE(ParseInt64("").has_value());
  EXPECT_EQ(ParseUint64("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(ParseUint64("-1").has_value());
}

}  // namespace
}  // namespace callcenter::core
