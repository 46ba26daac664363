#include "ozonetel_sim/options.h"

#include <gtest/gtest.h>

namespace callcenter::sim {
namespace {

TEST(FlagsTest, DefaultsMatchTheContract) {
  FlagParseResult result = ParseFlags({});
  ASSERT_EQ(result.error, "");
  const SimOptions& o = result.options;
  EXPECT_EQ(o.listen_address, "127.0.0.1:18080");
  EXPECT_EQ(o.agents, 20);
  EXPECT_EQ(o.auth, AuthMode::kApiKey);
  EXPECT_EQ(o.utc_offset, Seconds(19800));
  EXPECT_EQ(o.limit_cdr, 2);
  EXPECT_EQ(o.limit_summary, 5);
  EXPECT_EQ(o.limit_aht, 50);
  EXPECT_EQ(o.limit_agentdetails, 10);
  EXPECT_EQ(o.limit_tokens, 10);
  EXPECT_EQ(o.retention_days, 15);
  EXPECT_TRUE(o.reject_future);
  EXPECT_FALSE(o.late_data);
  EXPECT_FALSE(o.clock_origin.has_value());
}

TEST(FlagsTest, BothSpellingsAndBooleans) {
  FlagParseResult result = ParseFlags(
      {"--web.listen-address=:0", "--agents", "120", "--auth=token",
       "--late-data", "--reject-future", "false", "--limit.cdr=4",
       "--clock.origin", "1772400000", "--clock.epoch=1700000000.5",
       "--clock.speed=60", "--timezone=-04:00", "--rate-limit-style", "200"});
  ASSERT_EQ(result.error, "");
  const SimOptions& o = result.options;
  EXPECT_EQ(o.listen_address, ":0");
  EXPECT_EQ(o.agents, 120);
  EXPECT_EQ(o.auth, AuthMode::kToken);
  EXPECT_TRUE(o.late_data);
  EXPECT_FALSE(o.reject_future);
  EXPECT_EQ(o.limit_cdr, 4);
  EXPECT_DOUBLE_EQ(*o.clock_origin, 1772400000);
  EXPECT_DOUBLE_EQ(*o.clock_epoch, 1700000000.5);
  EXPECT_DOUBLE_EQ(*o.clock_speed, 60);
  EXPECT_EQ(o.utc_offset, Seconds(-4 * 3600));
  EXPECT_EQ(o.rate_limit_style, 200);
  EXPECT_FALSE(ParseFlags({"--no-reject-future"}).options.reject_future);
  EXPECT_TRUE(ParseFlags({"--help"}).help);
}

TEST(FlagsTest, BadFlagsAreErrors) {
  EXPECT_NE(ParseFlags({"--nope=1"}).error, "");
  EXPECT_NE(ParseFlags({"--agents=0"}).error, "");
  EXPECT_NE(ParseFlags({"--agents=20001"}).error, "");
  EXPECT_NE(ParseFlags({"--auth=basic"}).error, "");
  EXPECT_NE(ParseFlags({"--seed"}).error, "");
  EXPECT_NE(ParseFlags({"--rate-limit-style=500"}).error, "");
  EXPECT_NE(ParseFlags({"stray"}).error, "");
  EXPECT_NE(FlagHelp().find("--limit.tokens"), std::string::npos);
}

}  // namespace
}  // namespace callcenter::sim
