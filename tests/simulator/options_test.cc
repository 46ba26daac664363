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

TEST(FlagsTest, LiveFloorEventAndCccpSwitches) {
  FlagParseResult result =
      ParseFlags({"--agents=19000",
                  "--night-agents=1000",
                  "--crossing-call-date=start",
                  "--no-wrapup-end-rate=0.25",
                  "--queues=12",
                  "--supervisors=3",
                  "--events.agent-url=http://h/a?token=x",
                  "--events.call-url",
                  "http://h/c",
                  "--events.replay-from=2026-03-02T00:00:00+05:30",
                  "--events-envelope=nested",
                  "--events.paused",
                  "--events.drop-rate=0.1",
                  "--events.duplicate-rate=0.2",
                  "--events.reorder-rate=0.3",
                  "--events.delay-ms=250",
                  "--no-events.retry",
                  "--events.max-retries=5",
                  "--cccp-file=/tmp/s.json",
                  "--cccp-interval=15s"});
  ASSERT_EQ(result.error, "");
  const SimOptions& o = result.options;
  EXPECT_EQ(o.night_agents, 1000);
  EXPECT_EQ(o.crossing_call_date, CrossingCallDate::kStart);
  EXPECT_DOUBLE_EQ(o.no_wrapup_end_rate, 0.25);
  EXPECT_EQ(o.queues, 12);
  EXPECT_EQ(o.supervisors, 3);
  EXPECT_EQ(o.events.agent_url, "http://h/a?token=x");
  EXPECT_EQ(o.events.call_url, "http://h/c");
  EXPECT_EQ(o.events.replay_from, 1772389800);
  EXPECT_EQ(o.events.envelope, EventEnvelope::kNested);
  EXPECT_TRUE(o.events.paused);
  EXPECT_DOUBLE_EQ(o.events.reorder_rate, 0.3);
  EXPECT_EQ(o.events.delay_ms, 250);
  EXPECT_FALSE(o.events.retry);
  EXPECT_EQ(o.events.max_retries, 5);
  EXPECT_EQ(o.cccp_file, "/tmp/s.json");
  EXPECT_EQ(o.cccp_interval, Seconds(15));
  // Defaults leave every new behaviour off.
  const SimOptions d = ParseFlags({}).options;
  EXPECT_EQ(d.night_agents, 0);
  EXPECT_EQ(d.crossing_call_date, CrossingCallDate::kEnd);
  EXPECT_EQ(d.no_wrapup_end_rate, 0);
  EXPECT_EQ(d.events.envelope, EventEnvelope::kMixed);
  EXPECT_TRUE(d.events.retry);
  EXPECT_EQ(d.cccp_interval, Seconds(10));
  EXPECT_FALSE(d.events.replay_from.has_value());
}

TEST(FlagsTest, NewSwitchesRejectBadValues) {
  EXPECT_NE(ParseFlags({"--agents=15000", "--night-agents=5001"}).error, "");
  EXPECT_NE(ParseFlags({"--crossing-call-date=middle"}).error, "");
  EXPECT_NE(ParseFlags({"--no-wrapup-end-rate=1.5"}).error, "");
  EXPECT_NE(ParseFlags({"--queues=100"}).error, "");
  EXPECT_NE(ParseFlags({"--events-envelope=soap"}).error, "");
  EXPECT_NE(
      ParseFlags({"--events.drop-rate=0.6", "--events.duplicate-rate=0.6"})
          .error,
      "");
  EXPECT_NE(ParseFlags({"--events.delay-ms=-3"}).error, "");
  EXPECT_NE(ParseFlags({"--cccp-interval=0s"}).error, "");
  EXPECT_NE(FlagHelp().find("--events.reorder-rate"), std::string::npos);
}

}  // namespace
}  // namespace callcenter::sim
