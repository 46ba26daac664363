// The summaryReport body read from parser events (detail::ParseSummaryBody):
// the same rows and envelope a DOM lookup would give, on the shapes a
// hostile or sloppy upstream can send.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ozonetel/detail/response.h"

namespace callcenter::ozonetel::detail {
namespace {

struct Parsed {
  BodyResult result;
  std::vector<SummaryRow> rows;
};

Parsed Parse(const std::string& body) {
  Parsed parsed;
  parsed.result = ParseSummaryBody(body, &parsed.rows);
  return parsed;
}

TEST(SummaryBodyTest, TheFirstOccurrenceOfAKeyCounts) {
  const Parsed parsed = Parse(
      R"({"status":"success","status":"false","message":[{"AgentName":"a",)"
      R"("AgentName":"b","TotalBusyTime":"00:01:00","TotalBusyTime":"junk"}]})");
  EXPECT_EQ(parsed.result.envelope.status, Envelope::Status::kSuccess);
  ASSERT_EQ(parsed.rows.size(), 1u);
  EXPECT_EQ(parsed.rows[0].agent_name, "a");
  EXPECT_EQ(parsed.rows[0].busy, 60);
  EXPECT_EQ(parsed.result.invalid_fields, 0);
}

TEST(SummaryBodyTest, MessageIsThePayloadWhateverTheOrderElseData) {
  const Parsed message_last = Parse(
      R"({"data":[{"AgentName":"from-data"}],"message":{"AgentName":"m"}})");
  ASSERT_EQ(message_last.rows.size(), 1u);
  EXPECT_EQ(message_last.rows[0].agent_name, "m");
  EXPECT_TRUE(message_last.result.has_payload);

  // A text message is the envelope's message; the rows are under data.
  const Parsed text_message =
      Parse(R"({"message":"ok","data":[{"AgentName":"x"},{"AgentName":"y"}]})");
  EXPECT_EQ(text_message.result.envelope.message, "ok");
  ASSERT_EQ(text_message.rows.size(), 2u);
  EXPECT_EQ(text_message.rows[1].agent_name, "y");
}

TEST(SummaryBodyTest, OnlyThePayloadsInvalidFieldsAreCounted) {
  const Parsed parsed =
      Parse(R"({"message":[{"TotalIdleTime":"1:2"}],)"
            R"("data":[{"TotalIdleTime":"x","TotalBusyTime":"y"}]})");
  ASSERT_EQ(parsed.rows.size(), 1u);
  EXPECT_EQ(parsed.rows[0].idle, -1);
  EXPECT_EQ(parsed.result.invalid_fields, 1);
}

TEST(SummaryBodyTest, ValuesThatAreNotTextReadAsAbsent) {
  const Parsed parsed = Parse(
      R"({"status":true,"message":[{"AgentName":{"AgentName":"deep"},)"
      R"("AgentIncrID":101,"ModeType":null,"TotalBusyTime":[1],)"
      R"("TotalIdleTime":false,"CallDate":"2026-03-02"}, 7, "row", [{}], null]})");
  ASSERT_EQ(parsed.rows.size(), 1u);  // only the object is a row
  const SummaryRow& row = parsed.rows[0];
  EXPECT_EQ(row.agent_name, "");
  EXPECT_EQ(row.agent_incr_id, "101");  // a number reads as its text
  EXPECT_EQ(row.mode_type, "");
  EXPECT_EQ(row.busy, 0);
  EXPECT_EQ(row.idle, 0);
  ASSERT_TRUE(row.call_date.has_value());
  EXPECT_EQ(parsed.result.invalid_fields, 0);
}

TEST(SummaryBodyTest, EnvelopeStatusOfEveryType) {
  EXPECT_EQ(Parse(R"({"status":null})").result.envelope.status,
            Envelope::Status::kAbsent);
  EXPECT_EQ(Parse(R"({"status":false})").result.envelope.status,
            Envelope::Status::kFailure);
  EXPECT_EQ(Parse(R"({"status":"Error"})").result.envelope.status,
            Envelope::Status::kFailure);
  EXPECT_EQ(Parse(R"({"status":200})").result.envelope.status,
            Envelope::Status::kUnknown);
  EXPECT_EQ(Parse(R"({"status":{"ok":true}})").result.envelope.status,
            Envelope::Status::kUnknown);
  EXPECT_EQ(Parse(R"({"message":[]})").result.envelope.status,
            Envelope::Status::kAbsent);
}

TEST(SummaryBodyTest, NoDataFoundIsZeroRows) {
  const Parsed parsed = Parse(
      R"({"status":"success","message":"No Data Found","data":[{"TotalIdleTime":"x"}]})");
  EXPECT_TRUE(parsed.result.no_data);
  EXPECT_TRUE(parsed.rows.empty());
  EXPECT_EQ(parsed.result.invalid_fields, 0);
}

TEST(SummaryBodyTest, ABodyThatIsNotAnObjectOrNotJsonFails) {
  const Parsed array = Parse(R"([{"AgentName":"a"}])");
  EXPECT_EQ(array.result.parse_error, "response is not a JSON object");
  EXPECT_FALSE(array.result.envelope.root_is_object);
  EXPECT_TRUE(array.rows.empty());

  const Parsed truncated = Parse(R"({"status":"success","message":[{"Age)");
  EXPECT_NE(truncated.result.parse_error.find("invalid JSON"),
            std::string::npos);
  EXPECT_EQ(truncated.result.envelope.status, Envelope::Status::kAbsent);
  EXPECT_TRUE(truncated.rows.empty());

  std::string deep = R"({"message":)";
  for (int i = 0; i < 100; ++i) deep += "[";
  const Parsed nested = Parse(deep);
  EXPECT_EQ(nested.result.parse_error, "nested deeper than 64");
}

TEST(SummaryBodyTest, OnlyTheFirstMessageDecidesThePayload) {
  const Parsed parsed =
      Parse(R"({"message":"ok","message":[{"AgentName":"second"}],)"
            R"("data":[{"AgentName":"from-data"}]})");
  EXPECT_EQ(parsed.result.envelope.message, "ok");
  ASSERT_EQ(parsed.rows.size(), 1u);
  EXPECT_EQ(parsed.rows[0].agent_name, "from-data");
}

TEST(SummaryBodyTest, RowShapedObjectsElsewhereAreNotRows) {
  const Parsed parsed =
      Parse(R"({"status":[{"AgentName":"s"}],"rows":[{"AgentName":"r"}],)"
            R"("message":[[{"AgentName":"nested"}]]})");
  EXPECT_EQ(parsed.result.envelope.status, Envelope::Status::kUnknown);
  EXPECT_TRUE(parsed.result.has_payload);
  EXPECT_TRUE(parsed.rows.empty());
}

TEST(SummaryBodyTest, AnEmptyPayloadObjectIsOneRowOfZeros) {
  const Parsed parsed = Parse(R"({"status":"success","message":{}})");
  ASSERT_EQ(parsed.rows.size(), 1u);
  EXPECT_EQ(parsed.rows[0].agent_name, "");
  EXPECT_EQ(parsed.rows[0].login, 0);
  EXPECT_FALSE(parsed.rows[0].call_date.has_value());
}

// `{"status":"success","<key>":[{},{},...]}` with `rows` empty objects.
std::string EmptyRows(const std::string& key, size_t rows) {
  std::string body = R"({"status":"success",")" + key + R"(":[)";
  for (size_t i = 0; i < rows; ++i) body += "{},";
  if (rows > 0) body.pop_back();
  return body + "]";
}

// A body of small empty rows would otherwise cost about 200 bytes of row
// per 3 bytes of body.
TEST(SummaryBodyTest, APayloadOfMoreRowsThanTheCapFailsTheBody) {
  const Parsed over = Parse(EmptyRows("message", kMaxSummaryRows + 1) + "}");
  EXPECT_EQ(over.result.parse_error,
            "more than " + std::to_string(kMaxSummaryRows) + " rows");
  EXPECT_TRUE(over.rows.empty());
  EXPECT_EQ(Parse(EmptyRows("data", kMaxSummaryRows) + "}").rows.size(),
            kMaxSummaryRows);
}

// The cap is on what is kept: rows that are not the payload cost nothing
// past it and fail nothing.
TEST(SummaryBodyTest, RowsOverTheCapOutsideThePayloadAreHarmless) {
  const Parsed no_data = Parse(EmptyRows("data", kMaxSummaryRows + 1) +
                               R"(,"message":"No Data Found"})");
  EXPECT_TRUE(no_data.result.parse_error.empty());
  EXPECT_TRUE(no_data.result.no_data);

  const Parsed message_wins = Parse(EmptyRows("data", kMaxSummaryRows + 1) +
                                    R"(,"message":[{"AgentName":"a"}]})");
  EXPECT_TRUE(message_wins.result.parse_error.empty());
  ASSERT_EQ(message_wins.rows.size(), 1u);
  EXPECT_EQ(message_wins.rows[0].agent_name, "a");
}

}  // namespace
}  // namespace callcenter::ozonetel::detail
