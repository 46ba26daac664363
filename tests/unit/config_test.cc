#include "callcenter/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace callcenter {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

EnvLookup Env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

const char kMinimal[] = R"(
ozonetel:
  url: https://in1-ccaas-api.ozonetel.com/
  user_name: acme
)";

TEST(ConfigTest, MinimalConfigTakesDefaults) {
  auto result = ParseConfig(kMinimal, Env({{"OZONETEL_API_KEY", "k3y\n"}}));
  ASSERT_TRUE(result.ok()) << result.errors.front();
  const auto& oz = result.config.ozonetel;
  EXPECT_EQ(oz.url, "https://in1-ccaas-api.ozonetel.com");
  EXPECT_EQ(oz.api_key, "k3y");
  EXPECT_EQ(oz.auth, OzonetelConfig::Auth::kApiKey);
  EXPECT_EQ(oz.timezone_offset, Seconds(19800));
  EXPECT_EQ(oz.limits.cdr_per_minute, 2);
  EXPECT_EQ(oz.limits.tokens_per_hour, 10);
  EXPECT_EQ(result.config.max_dispositions, 50);
  EXPECT_TRUE(result.config.per_agent_metrics);
  EXPECT_FALSE(result.config.crm.has_value());
}

TEST(ConfigTest, FullConfigParses) {
  const char* yaml = R"(
ozonetel:
  url: http://127.0.0.1:18080
  user_name: acme
  auth: token
  timezone: "+05:30"
  limits: {cdr_per_minute: 2, summary_per_minute: 5, aht_per_minute: 50, tokens_per_hour: 10, margin: 3s}
  cdr: {overlap: 45m, late_data_until: 3h, settle_timeout: 10m}
  summary: {interval: 30s, join_key: AgentName}
  aht: {min_refresh: 2m}
agents: [agent01, {id: agent02, name: "Zoë"}]
per_agent_metrics: false
max_dispositions: 10
crm:
  url: http://127.0.0.1:18080/graphql
  requests_per_minute: 4
)";
  auto result =
      ParseConfig(yaml, Env({{"OZONETEL_API_KEY", "a"}, {"CRM_API_KEY", "b"}}));
  ASSERT_TRUE(result.ok()) << result.errors.front();
  const auto& config = result.config;
  EXPECT_EQ(config.ozonetel.auth, OzonetelConfig::Auth::kToken);
  EXPECT_EQ(config.ozonetel.limits.margin, Seconds(3));
  EXPECT_EQ(config.ozonetel.cdr_overlap, Seconds(45 * 60));
  EXPECT_EQ(config.ozonetel.aht_min_refresh, Seconds(120));
  ASSERT_EQ(config.agents.size(), 2u);
  EXPECT_EQ(config.agents[1].name, "Zoë");
  EXPECT_EQ(config.agent_name_map.at("Zoë"), "agent02");
  EXPECT_FALSE(config.per_agent_metrics);
  ASSERT_TRUE(config.crm.has_value());
  EXPECT_EQ(config.crm->api_key, "b");
  EXPECT_EQ(config.crm->requests_per_minute, 4);
  EXPECT_THAT(config.crm->query, HasSubstr("APPOINTMENT_BOOKED"));
}

TEST(ConfigTest, EveryErrorNamesItsKey) {
  const char* yaml = R"(
ozonetel:
  url: ftp://example
  auth: password
  timezone: IST
  limits: {cdr_per_minute: abc, summary_per_minte: 5}
max_dispositions: -1
per_agent_metric: true
)";
  auto result = ParseConfig(yaml, Env({}));
  EXPECT_THAT(
      result.errors,
      ElementsAre(HasSubstr("ozonetel.url: must start with http"),
                  HasSubstr("ozonetel.user_name: is required"),
                  HasSubstr("ozonetel.auth: must be api_key or token"),
                  HasSubstr("ozonetel.api_key_file: no API key"),
                  HasSubstr("ozonetel.timezone: must be a UTC offset"),
                  HasSubstr("ozonetel.limits.cdr_per_minute: must be a "
                            "positive integer, got \"abc\""),
                  HasSubstr("ozonetel.limits.summary_per_minte: unknown key"),
                  HasSubstr("max_dispositions: must be a positive integer"),
                  HasSubstr("per_agent_metric: unknown key")));
}

TEST(ConfigTest, InvalidYamlReportsLine) {
  auto result = ParseConfig("ozonetel:\n  url: [unclosed\n", Env({}));
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0], HasSubstr("invalid YAML at line"));
}

TEST(ConfigTest, UnreadableKeyFileNamesTheKey) {
  const char* yaml = R"(
ozonetel:
  url: https://x
  user_name: acme
  api_key_file: /nonexistent/key
)";
  auto result = ParseConfig(yaml, Env({{"OZONETEL_API_KEY", "ignored"}}));
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0],
              HasSubstr("ozonetel.api_key_file: cannot read"));
}

TEST(ConfigTest, MissingFileIsOneClearError) {
  auto result = LoadConfigFile("/nonexistent/config.yml", Env({}));
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_THAT(result.errors[0], HasSubstr("config.file: cannot read"));
}

TEST(ParseGoDurationTest, Units) {
  EXPECT_EQ(ParseGoDuration("30s")->count(), 30000);
  EXPECT_EQ(ParseGoDuration("1h30m")->count(), 5400000);
  EXPECT_EQ(ParseGoDuration("250ms")->count(), 250);
  EXPECT_EQ(ParseGoDuration("15")->count(), 15000);
  EXPECT_FALSE(ParseGoDuration("5 minutes").has_value());
  EXPECT_FALSE(ParseGoDuration("").has_value());
}

}  // namespace
}  // namespace callcenter
