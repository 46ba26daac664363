// app::ParseFlags: Prometheus-style flags, every bad one a single line.
#include "app/flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace callcenter::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(FlagsTest, DefaultsFollowPrometheusConventions) {
  auto result = ParseFlags({});
  ASSERT_TRUE(result.errors.empty());
  EXPECT_THAT(result.flags.listen_addresses, ElementsAre(":10469"));
  EXPECT_EQ(result.flags.telemetry_path, "/metrics");
  EXPECT_EQ(result.flags.storage_path, "./data");
}

TEST(FlagsTest, ParsesBothSpellingsAndRepeats) {
  auto result = ParseFlags({"--web.listen-address=:1", "--web.listen-address",
                            "127.0.0.1:2", "--log.level=debug",
                            "--check-config", "--clock.speed=60"});
  ASSERT_TRUE(result.errors.empty()) << result.errors[0];
  EXPECT_THAT(result.flags.listen_addresses, ElementsAre(":1", "127.0.0.1:2"));
  EXPECT_TRUE(result.flags.check_config);
  EXPECT_EQ(result.flags.clock_speed, 60);
}

TEST(FlagsTest, RejectsUnknownAndInvalid) {
  auto result = ParseFlags({"--web.listen", "x", "--log.level=loud"});
  ASSERT_EQ(result.errors.size(), 3u);
  EXPECT_THAT(result.errors[0], HasSubstr("unknown flag --web.listen"));
  EXPECT_THAT(result.errors[2], HasSubstr("--log.level"));
}

TEST(FlagsTest, BackfillNeedsOutputAndBoundedDays) {
  EXPECT_FALSE(ParseFlags({"backfill"}).errors.empty());
  EXPECT_FALSE(
      ParseFlags({"backfill", "--days=16", "--output=x"}).errors.empty());
  auto ok = ParseFlags({"backfill", "--days", "7", "--output", "out.om"});
  ASSERT_TRUE(ok.errors.empty());
  EXPECT_EQ(ok.flags.command, "backfill");
  EXPECT_EQ(ok.flags.backfill_days, 7);
}

TEST(FlagsTest, BackfillStepMustDivideTheDay) {
  EXPECT_EQ(ParseFlags({"backfill", "--output=x"}).flags.backfill_step_seconds,
            300);
  EXPECT_EQ(ParseFlags({"backfill", "--output=x", "--step=15m"})
                .flags.backfill_step_seconds,
            900);
  EXPECT_FALSE(
      ParseFlags({"backfill", "--output=x", "--step=7m"}).errors.empty());
  EXPECT_FALSE(
      ParseFlags({"backfill", "--output=x", "--step=30s"}).errors.empty());
}

TEST(FlagsTest, BackfillLabelsDefaultToTheExporterJob) {
  using Labels = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(ParseFlags({"backfill", "--output=x"}).flags.backfill_labels,
            (Labels{{"job", "callcenter_exporter"}}));
  auto parsed =
      ParseFlags({"backfill", "--output=x", "--label=instance=exporter:10469",
                  "--label", "job=cc", "--label=job=contact"});
  ASSERT_TRUE(parsed.errors.empty());
  EXPECT_EQ(parsed.flags.backfill_labels,
            (Labels{{"instance", "exporter:10469"}, {"job", "contact"}}));
  for (const char* bad :
       {"--label=noequals", "--label=9x=1", "--label=__x=1", "--label==v"}) {
    EXPECT_FALSE(ParseFlags({"backfill", "--output=x", bad}).errors.empty())
        << bad;
  }
}

TEST(FlagsTest, EachBadFlagIsOneLineAndNothingThrows) {
  struct Case {
    std::vector<std::string> args;
    const char* line;
  };
  const std::vector<Case> cases = {
      {{"--clock.origin=946684799"}, "flag --clock.origin: invalid value"},
      {{"--clock.origin=4102444801"}, "flag --clock.origin: invalid value"},
      {{"--clock.epoch=-1"}, "flag --clock.epoch: invalid value"},
      {{"--clock.speed=1e308"}, "flag --clock.speed: invalid value"},
      {{"--clock.speed=nan"}, "flag --clock.speed: invalid value"},
      {{"--clock.speed=0"}, "flag --clock.speed: invalid value"},
      {{"--storage.path=a", "--storage.path=b"},
       "flag --storage.path given more than once"},
      {{"--web.max-requests=99999999999999999999"},
       "flag --web.max-requests: invalid value"},
      {{"--version=maybe"}, "flag --version takes no value"},
      {{"--config.file"}, "flag --config.file needs a value"},
      {{"stray"}, "unexpected argument \"stray\""},
      {{"--clock.epoch=4102444801"}, "flag --clock.epoch: invalid value"},
      {{"--clock.origin=1e308"}, "flag --clock.origin: invalid value"},
      {{"--clock.speed=inf"}, "flag --clock.speed: invalid value"},
      {{"--clock.speed=-1"}, "flag --clock.speed: invalid value"},
      {{"--clock.origin=1772400000", "--clock.origin=1772400001"},
       "flag --clock.origin given more than once"},
      {{"--config.file=a.yml", "--config.file", "b.yml"},
       "flag --config.file given more than once"},
      {{"backfill", "--output=x", "--days=99999999999999999999"},
       "flag --days: invalid value"},
      {{"backfill", "--output=x", "--step=99999999999999999999m"},
       "flag --step: invalid value"},
      {{"--web.telemetry-path=metrics"},
       "flag --web.telemetry-path: invalid value"},
  };
  for (const Case& c : cases) {
    FlagsResult result;
    EXPECT_NO_THROW(result = ParseFlags(c.args)) << c.args.back();
    EXPECT_THAT(result.errors, ElementsAre(HasSubstr(c.line))) << c.args.back();
  }
  const FlagsResult ok =
      ParseFlags({"--clock.origin=1772400000", "--clock.speed=10"});
  EXPECT_TRUE(ok.errors.empty());
  EXPECT_EQ(ok.flags.clock_origin, 1772400000);
}

}  // namespace
}  // namespace callcenter::app
