#include "callcenter/common/strings.h"

#include <gtest/gtest.h>

namespace callcenter {
namespace {

TEST(StringsTest, TrimAndCase) {
  EXPECT_EQ(Trim("  a b\t\n"), "a b");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(ToLower("InBound"), "inbound");
  EXPECT_TRUE(EqualsIgnoreCase("ANSWERED", "answered"));
  EXPECT_FALSE(EqualsIgnoreCase("answered", "answere"));
  EXPECT_TRUE(ContainsIgnoreCase("Max Limit Exceeded, try", "max limit"));
  EXPECT_FALSE(ContainsIgnoreCase("ok", "okay"));
  EXPECT_TRUE(StartsWith("https://x", "https://"));
}

TEST(SanitizeLabelValueTest, KeepsValidUtf8AndReplacesTheRest) {
  EXPECT_EQ(SanitizeLabelValue("Zoë"), "Zoë");
  EXPECT_EQ(SanitizeLabelValue("a\xff"
                               "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(SanitizeLabelValue("line\nbreak\ttab"), "line break tab");
  // An encoded surrogate is not valid UTF-8.
  EXPECT_EQ(SanitizeLabelValue("\xED\xA0\x80"),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(SanitizeLabelValueTest, CutsOnACharacterBoundary) {
  EXPECT_EQ(SanitizeLabelValue("abcdef", 4), "abcd");
  // "ë" is two bytes: it does not fit in the last byte.
  EXPECT_EQ(SanitizeLabelValue("abcë", 4), "abc");
}

TEST(HtmlEscapeTest, EscapesMarkup) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(ConstantTimeEqualsTest, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("token", "token"));
  EXPECT_FALSE(ConstantTimeEquals("token", "tokem"));
  EXPECT_FALSE(ConstantTimeEquals("token", "token2"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace callcenter
