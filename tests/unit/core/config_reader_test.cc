// ConfigNode never throws: every problem is exactly one line naming the
// dotted key.
#include "core/config_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "testing/temp_dir.h"

namespace callcenter::core {
namespace {

using test::TempDir;
using test::WriteText;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

EnvLookup NoEnv() {
  return [](const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
}

// Reads a small schema: section.name (string), section.count (int),
// section.wait (duration), section.tags (string list), and rejects the rest.
std::vector<std::string> ReadSchema(const std::string& yaml) {
  std::vector<std::string> errors;
  ConfigNode root = ConfigNode::Parse(yaml, &errors);
  ConfigNode section = root.Child("section");
  std::string name;
  int count = 0;
  std::chrono::seconds wait{30};
  std::vector<std::string> tags;
  section.String("name", &name);
  section.Int("count", &count, 1, 100);
  section.Duration("wait", &wait, std::chrono::seconds(1),
                   std::chrono::hours(24));
  section.StringList("tags", &tags);
  section.RejectUnknown();
  root.RejectUnknown();
  return errors;
}

TEST(ConfigNodeTest, AValidDocumentHasNoErrors) {
  EXPECT_THAT(ReadSchema("section: {name: a, count: 3, wait: 5m, tags: [x]}"),
              IsEmpty());
}

TEST(ConfigNodeTest, EachProblemIsOneLineNamingItsKey) {
  struct Case {
    const char* yaml;
    const char* line;
  };
  const Case cases[] = {
      {"section: {? [a, b] : 1, name: a}", "section: keys must be strings"},
      {"? {a: 1}\n: 1\nsection: {name: a}", "config: keys must be strings"},
      {"section: {tags: [x, {a: b}]}", "section.tags[1]: must be a string"},
      {"section: {tags: {a: b}}", "section.tags: must be a list of strings"},
      {"section: {wait: 99999999999999999999s}",
       "section.wait: must be a duration"},
      {"section: {wait: 99999999999999999999}",
       "section.wait: must be a duration"},
      {"section: {count: 99999999999999999999}",
       "section.count: must be an integer from 1 to 100"},
      {"section: {name: a, name: b}", "section.name: duplicate key"},
      {"section: {nmae: a}", "section.nmae: unknown key"},
      {"section: {name: a}\nextra: 1", "extra: unknown key"},
      {"section: {name: [a]}", "section.name: must be a string, got a list"},
      {"section: {count: {a: 1}}",
       "section.count: must be an integer, got a mapping"},
      {"section: [1, 2]", "section: must be a mapping"},
      {"section: {wait: 1500ms}", "section.wait: must be whole seconds"},
  };
  for (const Case& c : cases) {
    const std::vector<std::string> errors = ReadSchema(c.yaml);
    EXPECT_THAT(errors, ElementsAre(HasSubstr(c.line))) << c.yaml;
  }
}

TEST(ConfigNodeTest, InvalidYamlIsOneLineWithItsLine) {
  std::vector<std::string> errors;
  ConfigNode::Parse("section:\n  name: [unclosed\n", &errors);
  EXPECT_THAT(errors, ElementsAre(HasSubstr("config: invalid YAML at line")));
  errors.clear();
  ConfigNode::Parse("- a list at the top", &errors);
  EXPECT_THAT(errors, ElementsAre("config: the top level must be a mapping"));
  errors.clear();
  ConfigNode::Parse(std::string(2 << 20, '#'), &errors);
  EXPECT_THAT(errors, ElementsAre(HasSubstr("config: larger than")));
}

class SecretTest : public ::testing::Test {
 protected:
  std::vector<std::string> ReadSecret(const std::string& file,
                                      std::string* secret) {
    std::vector<std::string> errors;
    ConfigNode root =
        ConfigNode::Parse("section: {api_key_file: \"" + file + "\"}", &errors);
    ConfigNode section = root.Child("section");
    section.Secret("api_key_file", "API_KEY", NoEnv(), secret);
    section.RejectUnknown();
    return errors;
  }
  TempDir dir_;
};

TEST_F(SecretTest, ReadsATrimmedKeyFile) {
  WriteText(dir_.File("key"), "  s3cret\n");
  std::string secret;
  EXPECT_THAT(ReadSecret(dir_.File("key"), &secret), IsEmpty());
  EXPECT_EQ(secret, "s3cret");
}

TEST_F(SecretTest, RefusesWhatIsNotASmallRegularFile) {
  WriteText(dir_.File("big"), std::string(4097, 'k'));
  ASSERT_EQ(::mkfifo(dir_.File("fifo").c_str(), 0600), 0);
  std::filesystem::create_directory(dir_.File("dir"));
  for (const std::string& path : {std::string("/dev/zero"), dir_.File("big"),
                                  dir_.File("fifo"), dir_.File("dir")}) {
    std::string secret;
    EXPECT_THAT(ReadSecret(path, &secret),
                ElementsAre(HasSubstr("section.api_key_file: must name a "
                                      "regular file under 4 KiB")))
        << path;
    EXPECT_EQ(secret, "") << path;
  }
}

TEST_F(SecretTest, MissingOrEmptyFilesAreOneLine) {
  std::string secret;
  EXPECT_THAT(ReadSecret(dir_.File("absent"), &secret),
              ElementsAre(HasSubstr("section.api_key_file: cannot read")));
  WriteText(dir_.File("empty"), "\n");
  EXPECT_THAT(ReadSecret(dir_.File("empty"), &secret),
              ElementsAre(HasSubstr("is empty")));
}

TEST(SecretEnvTest, FallsBackToTheEnvironment) {
  std::vector<std::string> errors;
  ConfigNode root = ConfigNode::Parse("section: {}", &errors);
  ConfigNode section = root.Child("section");
  std::string secret;
  section.Secret(
      "api_key_file", "API_KEY",
      [](const std::string& name) -> std::optional<std::string> {
        if (name == "API_KEY") return " from-env\n";
        return std::nullopt;
      },
      &secret);
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_EQ(secret, "from-env");
  section.Secret("api_key_file", "OTHER", NoEnv(), &secret);
  EXPECT_THAT(errors,
              ElementsAre(HasSubstr("section.api_key_file: no secret")));
}

TEST(ConfigNodeTest, TypedAccessors) {
  std::vector<std::string> errors;
  ConfigNode root = ConfigNode::Parse(
      "flag: yes\nratio: 0.5\nmode: token\nmap: {a: b}\nitems: [x, {id: y}]",
      &errors);
  bool flag = false;
  double ratio = 0;
  std::string mode = "api_key";
  std::vector<std::pair<std::string, std::string>> map;
  root.Bool("flag", &flag);
  root.Double("ratio", &ratio, 0, 1);
  root.Enum("mode", &mode, {"api_key", "token"});
  root.StringMap("map", &map);
  std::vector<ConfigNode> items = root.Items("items");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_TRUE(items[0].IsScalar());
  EXPECT_EQ(items[0].ScalarText(), "x");
  EXPECT_TRUE(items[1].IsMap());
  root.RejectUnknown();
  EXPECT_THAT(errors, IsEmpty());
  EXPECT_TRUE(flag);
  EXPECT_EQ(ratio, 0.5);
  EXPECT_EQ(mode, "token");
  EXPECT_EQ(map,
            (std::vector<std::pair<std::string, std::string>>{{"a", "b"}}));
  root.Enum("mode", &mode, {"api_key"});
  EXPECT_THAT(errors, ElementsAre(HasSubstr("mode: must be one of api_key")));
}

TEST(ParseGoDurationTest, Units) {
  EXPECT_EQ(ParseGoDuration("30s")->count(), 30000);
  EXPECT_EQ(ParseGoDuration("1h30m")->count(), 5400000);
  EXPECT_EQ(ParseGoDuration("250ms")->count(), 250);
  EXPECT_EQ(ParseGoDuration("2d")->count(), 172800000);
  EXPECT_EQ(ParseGoDuration("15")->count(), 15000);
  EXPECT_FALSE(ParseGoDuration("5 minutes").has_value());
  EXPECT_FALSE(ParseGoDuration("").has_value());
  EXPECT_FALSE(ParseGoDuration("5x").has_value());
  EXPECT_FALSE(ParseGoDuration("99999999999999999999s").has_value());
  EXPECT_FALSE(ParseGoDuration("999999999d").has_value());  // > 100 years
}

}  // namespace
}  // namespace callcenter::core
