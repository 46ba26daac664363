#include "crm/detail/response.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "callcenter/common/timeutil.h"
#include "crm_pages.h"

namespace callcenter::crm::detail {
namespace {

using test::Node;
using test::PageJson;
using ::testing::HasSubstr;

TEST(CrmParsePageTest, ReadsNodesPageInfoAndTotalCount) {
  Page page;
  const Outcome outcome =
      ParsePage(PageJson({{"a1", "Asha Rao", "2026-03-02T05:00:00.123Z"},
                          {"a2", "", "2026-03-02T10:30:00+05:30"}},
                         true, "cursor-1", 7),
                FieldPaths{}, &page);
  ASSERT_TRUE(outcome.ok()) << outcome.failure->message;
  ASSERT_EQ(page.nodes.size(), 2u);
  EXPECT_EQ(page.nodes[0].id, "a1");
  EXPECT_EQ(page.nodes[0].agent, "Asha Rao");
  EXPECT_EQ(page.nodes[0].created, ParseRfc3339("2026-03-02T05:00:00Z"));
  EXPECT_EQ(page.nodes[1].agent, "");  // null agentName
  EXPECT_EQ(page.nodes[1].created, ParseRfc3339("2026-03-02T05:00:00Z"));
  EXPECT_TRUE(page.has_next_page);
  EXPECT_EQ(page.end_cursor, "cursor-1");
  EXPECT_EQ(page.total_count, 7);
}

TEST(CrmParsePageTest, NumericIdsKeepTheirDigits) {
  Page page;
  ASSERT_TRUE(
      ParsePage(PageJson({{"31733467784618213", "A", "", true}}, false, ""),
                FieldPaths{}, &page)
          .ok());
  ASSERT_EQ(page.nodes.size(), 1u);
  EXPECT_EQ(page.nodes[0].id, "31733467784618213");
  EXPECT_FALSE(page.nodes[0].created.has_value());
  EXPECT_FALSE(page.has_next_page);
  EXPECT_FALSE(page.total_count.has_value());
}

TEST(CrmParsePageTest, ErrorsFailEvenWithData) {
  Page page;
  const Outcome outcome =
      ParsePage(R"({"errors":[{"message":"Cannot query field \"foo\""}],)"
                R"("data":{"calls":{"edges":[{"node":{"id":"1"}}]}}})",
                FieldPaths{}, &page);
  ASSERT_TRUE(outcome.failure.has_value());
  EXPECT_EQ(outcome.failure->reason, FailureReason::kGraphql);
  EXPECT_THAT(outcome.failure->message, HasSubstr("Cannot query field"));
  EXPECT_TRUE(page.nodes.empty());
}

TEST(CrmParsePageTest, AnErrorWithoutMessageStillExplainsTheFailure) {
  // Found by fuzz/crm_response (regression-empty-graphql-message).
  for (const char* body :
       {R"({"errors":[{"message":""}]})", R"({"errors":[{"message":null}]})",
        R"({"errors":[{}]})", R"({"errors":{}})"}) {
    Page page;
    const Outcome outcome = ParsePage(body, FieldPaths{}, &page);
    ASSERT_TRUE(outcome.failure.has_value()) << body;
    EXPECT_EQ(outcome.failure->reason, FailureReason::kGraphql) << body;
    EXPECT_EQ(outcome.failure->message, "GraphQL errors in the response")
        << body;
  }
}

TEST(CrmParsePageTest, EmptyOrNullErrorsAreFine) {
  Page page;
  EXPECT_TRUE(ParsePage(R"({"errors":[],"data":{"calls":{"edges":[]}}})",
                        FieldPaths{}, &page)
                  .ok());
  EXPECT_TRUE(ParsePage(R"({"errors":null,"data":{"calls":{"edges":[]}}})",
                        FieldPaths{}, &page)
                  .ok());
}

TEST(CrmParsePageTest, BadJsonAndMissingPathsAreParseFailures) {
  Page page;
  for (const char* body :
       {R"({"data":{"calls":)", "[]", R"({"data":{"appointments":{}}})",
        R"({"data":null})", R"({"data":{"calls":{"edges":{}}}})",
        R"({"data":{"calls":{"edges":[{"id":"1"}]}}})",
        R"({"data":{"calls":{"edges":[],"pageInfo":{"hasNextPage":true}}}})"}) {
    const Outcome outcome = ParsePage(body, FieldPaths{}, &page);
    ASSERT_TRUE(outcome.failure.has_value()) << body;
    EXPECT_EQ(outcome.failure->reason, FailureReason::kParse) << body;
  }
}

TEST(CrmParsePageTest, FollowsConfiguredDottedPaths) {
  FieldPaths paths;
  paths.result_path = "data.appointments";
  paths.id_field = "uuid";
  paths.agent_field = "owner.name";
  paths.created_field = "bookedAt";
  Page page;
  ASSERT_TRUE(ParsePage(R"({"data":{"appointments":{"edges":[
      {"node":{"uuid":42,"owner":{"name":"Zoë"},
               "bookedAt":"2026-03-02T01:00:00Z"}},
      {"node":{"owner":{"name":"x"}}}]}}})",
                        paths, &page)
                  .ok());
  ASSERT_EQ(page.nodes.size(), 1u);
  EXPECT_EQ(page.nodes[0].id, "42");
  EXPECT_EQ(page.nodes[0].agent, "Zoë");
  EXPECT_TRUE(page.nodes[0].created.has_value());
  EXPECT_EQ(page.nodes_without_id, 1);
}

TEST(CrmParsePageTest, AMillionOpenBracketsIsAParseFailureNotACrash) {
  Page page;
  const Outcome outcome =
      ParsePage(std::string(1 << 20, '['), FieldPaths{}, &page);
  ASSERT_TRUE(outcome.failure.has_value());
  EXPECT_EQ(outcome.failure->reason, FailureReason::kParse);
  EXPECT_THAT(outcome.failure->message, HasSubstr("nested deeper than 64"));
  const Outcome objects =
      ParsePage(R"({"data":{"calls":)" + std::string(100000, '{') + "}",
                FieldPaths{}, &page);
  ASSERT_TRUE(objects.failure.has_value());
  EXPECT_EQ(objects.failure->reason, FailureReason::kParse);
}

TEST(CrmClassifyStatusTest, MapsStatusesToReasons) {
  auto reason = [](int code, bool timed_out, std::string error) {
    HttpStatus status;
    status.status = code;
    status.timed_out = timed_out;
    status.error = std::move(error);
    auto failure = ClassifyStatus(status);
    return failure ? std::string(FailureReasonName(failure->reason)) : "ok";
  };
  EXPECT_EQ(reason(200, false, ""), "ok");
  EXPECT_EQ(reason(204, false, ""), "ok");
  EXPECT_EQ(reason(401, false, ""), "auth");
  EXPECT_EQ(reason(403, false, ""), "auth");
  EXPECT_EQ(reason(429, false, ""), "rate_limited");
  EXPECT_EQ(reason(500, false, ""), "http");
  EXPECT_EQ(reason(400, false, ""), "http");
  EXPECT_EQ(reason(301, false, ""), "http");
  EXPECT_EQ(reason(0, false, "Couldn't connect to server"), "http");
  EXPECT_EQ(reason(0, true, "Timeout was reached"), "timeout");
}

TEST(CrmRequestBodyTest, CarriesQueryAndVariables) {
  const PageRequest request{*ParseRfc3339("2026-03-02T00:00:00Z"),
                            *ParseRfc3339("2026-03-02T05:00:00Z"),
                            std::string("c\"1")};
  rapidjson::Document doc;
  doc.Parse(BuildRequestBody("query Q { x }", request, 50).c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_STREQ(doc["query"].GetString(), "query Q { x }");
  const auto& vars = doc["variables"];
  EXPECT_STREQ(vars["from"].GetString(), "2026-03-02T00:00:00Z");
  EXPECT_STREQ(vars["to"].GetString(), "2026-03-02T05:00:00Z");
  EXPECT_STREQ(vars["after"].GetString(), "c\"1");
  EXPECT_EQ(vars["first"].GetInt(), 50);
}

}  // namespace
}  // namespace callcenter::crm::detail
