// The `cccp` section: sources, durations, the HTTP-only options, the state
// mapping, and problems reported one line each, never with a secret.
#include "cccp/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cccp/detail/headers.h"
#include "test_support.h"

namespace callcenter::cccp {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Parsed {
  CccpConfig config;
  std::vector<std::string> errors;
};

Parsed ParseYaml(const std::string& yaml) {
  Parsed parsed;
  core::ConfigNode root = core::ConfigNode::Parse(yaml, &parsed.errors);
  core::ConfigNode section = root.Child("cccp");
  ParseCccpConfig(section, &parsed.config);
  return parsed;
}

TEST(SourceSpecTest, FileHttpAndCommandSources) {
  std::string error;
  auto file = ParseSourceSpec("file:/var/lib/cccp/snapshot.json", &error);
  ASSERT_TRUE(file) << error;
  EXPECT_EQ(file->kind, SourceSpec::Kind::kFile);
  EXPECT_EQ(file->path, "/var/lib/cccp/snapshot.json");
  EXPECT_EQ(ParseSourceSpec("file:///var/x.json", &error)->path, "/var/x.json");
  auto http = ParseSourceSpec("https://host:8443/snapshot", &error);
  ASSERT_TRUE(http) << error;
  EXPECT_EQ(http->kind, SourceSpec::Kind::kHttp);
  auto cmd = ParseSourceSpec(
      R"(cmd:/usr/bin/producer --project 'PROJECT A' --tz="Europe/Paris" a\ b)",
      &error);
  ASSERT_TRUE(cmd) << error;
  EXPECT_EQ(cmd->kind, SourceSpec::Kind::kCommand);
  EXPECT_THAT(cmd->argv, ElementsAre("/usr/bin/producer", "--project",
                                     "PROJECT A", "--tz=Europe/Paris", "a b"));
}

TEST(SourceSpecTest, RefusesWhatItCannotRunSafely) {
  std::string error;
  EXPECT_FALSE(ParseSourceSpec("file:snapshot.json", &error));
  EXPECT_THAT(error, HasSubstr("absolute path"));
  EXPECT_FALSE(ParseSourceSpec("cmd:producer --flag", &error));
  EXPECT_THAT(error, HasSubstr("absolute path"));
  EXPECT_FALSE(ParseSourceSpec("cmd:/bin/x 'unterminated", &error));
  EXPECT_THAT(error, HasSubstr("unterminated single quote"));
  EXPECT_FALSE(ParseSourceSpec("cmd:   ", &error));
  EXPECT_FALSE(ParseSourceSpec("ftp://host/x", &error));
  EXPECT_FALSE(ParseSourceSpec("https://", &error));
  EXPECT_FALSE(ParseSourceSpec("/var/lib/cccp/snapshot.json", &error));
}

TEST(SourceSpecTest, DescriptionsHideWhatMayBeSecret) {
  std::string error;
  EXPECT_EQ(DescribeSource(*ParseSourceSpec(
                "https://user:pass@host:8443/snapshot?token=abc#x", &error)),
            "https://host:8443/snapshot");
  EXPECT_EQ(DescribeSource(*ParseSourceSpec(
                "cmd:/usr/bin/producer --password hunter2", &error)),
            "cmd:/usr/bin/producer");
  EXPECT_EQ(DescribeSource(*ParseSourceSpec("file:/x.json", &error)),
            "file:/x.json");
}

TEST(CccpConfigTest, DefaultsMatchTheContract) {
  const Parsed parsed = ParseYaml("cccp:\n  source: file:/x.json\n");
  EXPECT_THAT(parsed.errors, IsEmpty());
  EXPECT_EQ(parsed.config.interval, milliseconds(10000));
  EXPECT_EQ(parsed.config.timeout, milliseconds(20000));
  EXPECT_EQ(parsed.config.max_age, milliseconds(60000));
  EXPECT_EQ(parsed.config.max_queues, 1000);
  EXPECT_EQ(parsed.config.states.Map(CccpState::kSupervisorPlugged),
            live::State::kAvailable);
}

TEST(CccpConfigTest, ReadsEveryKey) {
  testing::TempDir dir;
  testing::WriteText(dir.File("headers"), "Authorization: Bearer s3cret\n");
  testing::WriteText(dir.File("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
  const Parsed parsed = ParseYaml(
      "cccp:\n"
      "  source: https://cccp.example/snapshot\n"
      "  interval: 5s\n"
      "  timeout: 2500ms\n"
      "  max_age: 2m\n"
      "  headers_file: " +
      dir.File("headers") +
      "\n"
      "  ca_file: " +
      dir.File("ca.pem") +
      "\n"
      "  max_queues: 50\n"
      "  states: {pause: unknown, Supervisor_Interface: available}\n");
  EXPECT_THAT(parsed.errors, IsEmpty());
  EXPECT_EQ(parsed.config.interval, milliseconds(5000));
  EXPECT_EQ(parsed.config.timeout, milliseconds(2500));
  EXPECT_EQ(parsed.config.max_age, milliseconds(120000));
  EXPECT_EQ(parsed.config.max_queues, 50);
  EXPECT_EQ(parsed.config.states.Map(CccpState::kPause), live::State::kUnknown);
  EXPECT_EQ(parsed.config.states.Map(CccpState::kSupervisorInterface),
            live::State::kAvailable);
  EXPECT_EQ(parsed.config.states.Map(CccpState::kBusy), live::State::kBusy);
}

TEST(CccpConfigTest, ProblemsNameTheirKey) {
  const Parsed parsed = ParseYaml(
      "cccp:\n"
      "  source: file:/x.json\n"
      "  interval: 0s\n"
      "  ca_file: /etc/ssl/ca.pem\n"
      "  states: {logged_out: available, busy: lunch, napping: pause}\n"
      "  mapping: {}\n");
  EXPECT_THAT(
      parsed.errors,
      ElementsAre(HasSubstr("cccp.interval: must be a duration"),
                  HasSubstr("cccp.ca_file: only applies to an https source"),
                  HasSubstr("cccp.states.logged_out: not a CCCP state"),
                  HasSubstr("cccp.states.busy: must be one of available,"),
                  HasSubstr("cccp.states.napping: not a CCCP state"),
                  HasSubstr("cccp.mapping: unknown")));
  EXPECT_THAT(ParseYaml("cccp:\n  interval: 1s\n").errors,
              ElementsAre("cccp.source: is required"));
  EXPECT_THAT(
      ParseYaml("cccp:\n  source: file:/x.json\n  max_age: 10s\n").errors,
      ElementsAre(HasSubstr("cccp.max_age: must be longer than "
                            "interval")));
}

TEST(CccpConfigTest, AHeadersFileProblemNeverShowsItsContent) {
  testing::TempDir dir;
  testing::WriteText(dir.File("headers"),
                     "# comment\n\nAuthorization Bearer s3cret\n");
  const Parsed parsed = ParseYaml(
      "cccp:\n  source: http://h/x\n  headers_file: " + dir.File("headers") +
      "\n");
  ASSERT_EQ(parsed.errors.size(), 1u);
  EXPECT_THAT(parsed.errors[0], HasSubstr("line 3 is not a"));
  EXPECT_THAT(parsed.errors[0], ::testing::Not(HasSubstr("s3cret")));
  EXPECT_THAT(
      ParseYaml("cccp:\n  source: file:/x\n  headers_file: /nope\n").errors,
      ElementsAre(HasSubstr("only applies to an http(s) source")));
  EXPECT_THAT(
      ParseYaml("cccp:\n  source: http://h/x\n  headers_file: /nope\n").errors,
      ElementsAre(HasSubstr("no such file")));
}

TEST(HeaderLinesTest, ParsesNamesAndValues) {
  detail::Headers headers;
  std::string error;
  ASSERT_TRUE(detail::ParseHeaderLines(
      "Authorization: Bearer a b\r\n# x\n  X-Project:PROJECT_A  \nX-Empty:\n",
      &headers, &error))
      << error;
  EXPECT_THAT(
      headers,
      ElementsAre(
          std::pair<std::string, std::string>("Authorization", "Bearer a b"),
          std::pair<std::string, std::string>("X-Project", "PROJECT_A"),
          std::pair<std::string, std::string>("X-Empty", "")));
  EXPECT_FALSE(detail::ParseHeaderLines("Bad Name: x\n", &headers, &error));
  EXPECT_FALSE(
      detail::ParseHeaderLines(std::string("X: a\0b", 6), &headers, &error));
}

}  // namespace
}  // namespace callcenter::cccp
