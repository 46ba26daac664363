// The fetchCDRDetails push parser: fields, exact ids, escapes, chunking at
// every split point, bounded memory on huge ignored values, limits on kept
// fields and nesting, and every way a body can be malformed.
#include "ozonetel/detail/cdr_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/day_ledger.h"
#include "test_bodies.h"
#include "testing/fake_transport.h"

namespace callcenter::ozonetel::detail {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Parsed {
  BodyResult body;
  std::vector<CdrRecord> records;
  size_t peak = 0;
};

// Feeds `body` in pieces that end at each of `splits`.
Parsed ParseInPieces(const std::string& body, const std::vector<size_t>& splits,
                     CdrParserLimits limits = {}) {
  Parsed parsed;
  CdrParser parser(
      [&](CdrRecord&& record) {
        parsed.records.push_back(std::move(record));
        return true;
      },
      limits);
  size_t start = 0;
  for (size_t split : splits) {
    parser.Feed(std::string_view(body).substr(start, split - start));
    start = split;
  }
  parser.Feed(std::string_view(body).substr(start));
  parsed.body = parser.Finish();
  parsed.peak = parser.peak_buffered_bytes();
  return parsed;
}

Parsed Parse(const std::string& body, CdrParserLimits limits = {}) {
  return ParseInPieces(body, {}, limits);
}

// Every field the metrics use, as a comparable string.
std::string Describe(const CdrRecord& r) {
  auto opt = [](const auto& v) {
    return v ? std::to_string(*v) : std::string("-");
  };
  return opt(r.call_id) + "|" + (r.call_date ? FormatDate(*r.call_date) : "-") +
         "|" + opt(r.start_time) + "|" + opt(r.end_time) + "|" +
         std::to_string(r.has_wrapup_end) + "|" + r.agent_id + "|" +
         r.agent_name + "|" + r.campaign + "|" + r.disposition + "|" +
         std::to_string(r.inbound) + std::to_string(r.answered) + "|" +
         std::to_string(r.duration) + "," + std::to_string(r.talk) + "," +
         std::to_string(r.hold) + "," + std::to_string(r.wrapup) + "," +
         std::to_string(r.handling) + "," + std::to_string(r.queue_time) + "," +
         std::to_string(r.time_to_answer) + "|" +
         std::to_string(r.invalid_fields);
}

std::string Describe(const Parsed& parsed) {
  std::string out =
      parsed.body.parse_error + "#" +
      std::to_string(static_cast<int>(parsed.body.envelope.status)) + "#" +
      parsed.body.envelope.message + "#" +
      std::to_string(parsed.body.has_payload);
  for (const CdrRecord& r : parsed.records) out += "\n" + Describe(r);
  return out;
}

const std::string& MixedBody() {
  static const std::string body =
      std::string(R"({"status":"success","message":"ok \"quoted\" \u00e9",)") +
      R"("extra":[1,-2.5e+3,true,false,null,{"x":[{}]}],"details":[)" +
      test::CompactRecord("31733467784618213") + "," +
      R"({"CallID":"9007199254740993","AgentName":"Zo\u00eb \ud83d\ude00 \"Z\"\\",)"
      R"("Disposition":"a\/b\n\t","Status":"ANSWERED","Type":"inbound",)"
      R"("TalkTime":"00:01:40","CallDate":"2026-03-02","StartTime":"23:59:05",)"
      R"("EndTime":"00:08:29","Rating":4.5e1,"Nested":{"CallID":1}},)" +
      test::CompactRecord("1") + "]}";
  return body;
}

TEST(CdrParserTest, ParsesTheDocumentedExample) {
  const Parsed parsed = Parse(test::kDocumentedCdrExample);
  EXPECT_EQ(parsed.body.parse_error, "");
  EXPECT_EQ(parsed.body.envelope.status, Envelope::Status::kSuccess);
  EXPECT_TRUE(parsed.body.has_payload);
  ASSERT_EQ(parsed.records.size(), 1u);
  const CdrRecord& r = parsed.records[0];
  EXPECT_EQ(r.call_id, 31733467784618213ULL);
  EXPECT_EQ(FormatDate(*r.call_date), "2026-03-02");
  EXPECT_EQ(r.start_time, 12 * 3600 + 20 * 60);
  EXPECT_EQ(r.end_time, 12 * 3600 + 20 * 60 + 57);
  EXPECT_TRUE(r.has_wrapup_end);
  EXPECT_EQ(r.agent_id, "agent01");
  EXPECT_EQ(r.agent_name, "Agent One");
  EXPECT_EQ(r.campaign, "Inbound_Main");
  EXPECT_TRUE(r.inbound);
  EXPECT_TRUE(r.answered);
  EXPECT_EQ(r.disposition, "APPOINTMENT_BOOKED");
  EXPECT_EQ(r.duration, 57);
  EXPECT_EQ(r.talk, 53);
  EXPECT_EQ(r.wrapup, 5);
  EXPECT_EQ(r.handling, 58);
  EXPECT_EQ(r.queue_time, 2);
  EXPECT_EQ(r.time_to_answer, 4);
  EXPECT_EQ(r.invalid_fields, 0);
}

TEST(CdrParserTest, SeventeenDigitIdsAreExactAsNumbersOrStrings) {
  const std::string body = R"({"status":"success","details":[)" +
                           test::CompactRecord("31733467784618213") + "," +
                           test::CompactRecord("9007199254740993") + "," +
                           test::CompactRecord("\"31733467784618215\"") + "]}";
  const Parsed parsed = Parse(body);
  ASSERT_EQ(parsed.records.size(), 3u);
  EXPECT_EQ(parsed.records[0].call_id, 31733467784618213ULL);
  EXPECT_EQ(parsed.records[1].call_id, 9007199254740993ULL);  // 2^53 + 1
  EXPECT_EQ(parsed.records[2].call_id, 31733467784618215ULL);
}

TEST(CdrParserTest, EscapesAndSurrogatesAreDecodedInKeptFields) {
  const Parsed parsed = Parse(MixedBody());
  ASSERT_EQ(parsed.body.parse_error, "");
  EXPECT_EQ(parsed.body.envelope.message, "ok \"quoted\" é");
  ASSERT_EQ(parsed.records.size(), 3u);
  const CdrRecord& r = parsed.records[1];
  EXPECT_EQ(r.agent_name, "Zoë \xF0\x9F\x98\x80 \"Z\"\\");
  EXPECT_EQ(r.disposition, "a/b\n\t");
  EXPECT_TRUE(r.answered);
  EXPECT_TRUE(r.inbound);
  EXPECT_EQ(r.talk, 100);
  // A lone or reversed surrogate becomes U+FFFD, never invalid UTF-8.
  const Parsed lone =
      Parse(R"({"details":[{"AgentName":"a\ud83db\ude00c\ud83d"}]})");
  ASSERT_EQ(lone.records.size(), 1u);
  EXPECT_EQ(lone.records[0].agent_name,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c\xEF\xBF\xBD");
}

TEST(CdrParserTest, EverySplitPointGivesTheOneChunkParse) {
  const std::string& body = MixedBody();
  const std::string whole = Describe(Parse(body));
  for (size_t split = 0; split <= body.size(); ++split) {
    ASSERT_EQ(Describe(ParseInPieces(body, {split})), whole)
        << "split " << split;
  }
  std::vector<size_t> every_byte;
  for (size_t i = 1; i < body.size(); ++i) every_byte.push_back(i);
  EXPECT_EQ(Describe(ParseInPieces(body, every_byte)), whole);
}

TEST(CdrParserTest, RandomChunkSizesGiveTheOneChunkParse) {
  const std::string& body = MixedBody();
  const std::string whole = Describe(Parse(body));
  std::mt19937 random(20260302);
  for (int round = 0; round < 500; ++round) {
    std::vector<size_t> splits;
    size_t at = 0;
    while (true) {
      at += std::uniform_int_distribution<size_t>(1, 40)(random);
      if (at >= body.size()) break;
      splits.push_back(at);
    }
    ASSERT_EQ(Describe(ParseInPieces(body, splits)), whole)
        << "round " << round;
  }
}

TEST(CdrParserTest, A512MiBIgnoredStringIsSkippedInBoundedMemory) {
  // Generated chunk by chunk: neither the test nor the parser holds it.
  constexpr size_t kHuge = size_t{512} << 20;
  const std::string head =
      R"({"status":"success","details":[{"CallID":7,"CallAudio":")";
  const std::string tail = R"(","AgentID":"agent07"}]})";
  const std::string filler(1 << 20, 'x');
  size_t sent = 0;
  int stage = 0;
  test::GeneratorTransport transport([&]() -> std::string {
    if (stage == 0) {
      stage = 1;
      return head;
    }
    if (stage == 1) {
      sent += filler.size();
      if (sent >= kHuge) stage = 2;
      return filler;
    }
    if (stage == 2) {
      stage = 3;
      return tail;
    }
    return "";
  });
  std::vector<CdrRecord> records;
  const Exchange exchange =
      StreamCdrExchange(transport, HttpCall{}, [&](CdrRecord&& record) {
        records.push_back(std::move(record));
        return true;
      });
  EXPECT_EQ(exchange.body.parse_error, "");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].call_id, 7u);
  EXPECT_EQ(records[0].agent_id, "agent07");
  EXPECT_GE(sent, kHuge);
  // The same stream parsed directly, to read the parser's high-water mark.
  CdrParser parser([](CdrRecord&&) { return true; });
  parser.Feed(head);
  for (size_t i = 0; i < 64; ++i) parser.Feed(filler);
  parser.Feed(tail);
  EXPECT_EQ(parser.Finish().parse_error, "");
  EXPECT_LE(parser.peak_buffered_bytes(), 64u);
}

TEST(CdrParserTest, AUsedFieldLongerThan64KiBFailsTheBody) {
  const std::string long_name(64 * 1024 + 1, 'n');
  const Parsed parsed =
      Parse(R"({"details":[{"AgentName":")" + long_name + R"("}]})");
  EXPECT_THAT(parsed.body.parse_error, HasSubstr("longer than 65536 bytes"));
  EXPECT_THAT(parsed.records, IsEmpty());
  const Parsed fits = Parse(R"({"details":[{"AgentName":")" +
                            std::string(64 * 1024, 'n') + R"("}]})");
  EXPECT_EQ(fits.body.parse_error, "");
  // The same length in an ignored field is fine.
  EXPECT_EQ(Parse(R"({"details":[{"Comments":")" + long_name + R"("}]})")
                .body.parse_error,
            "");
}

TEST(CdrParserTest, NestingDeeperThan64Fails) {
  auto nested = [](int depth) {
    std::string inner;
    for (int i = 2; i < depth; ++i) inner += "[";
    std::string close(depth > 2 ? depth - 2 : 0, ']');
    return R"({"details":[)" + inner + close + "]}";
  };
  EXPECT_EQ(Parse(nested(64)).body.parse_error, "");
  EXPECT_THAT(Parse(nested(65)).body.parse_error,
              HasSubstr("nested deeper than 64"));
  EXPECT_THAT(Parse(std::string(1000000, '[')).body.parse_error,
              HasSubstr("not a JSON object"));
  EXPECT_THAT(Parse("{\"a\":" + std::string(1000000, '[')).body.parse_error,
              HasSubstr("nested deeper than 64"));
}

TEST(CdrParserTest, MalformedBodiesFail) {
  struct Case {
    std::string body;
    const char* error;
  };
  const std::vector<Case> cases = {
      {"", "empty body"},
      {"   ", "ended inside the document"},
      {R"({"details":[{"CallID":1})", "ended inside the document"},
      {R"({"details":[]} trailing)", "characters after the document"},
      {R"({"details":[]}})", "characters after the document"},
      {"[1,2]", "not a JSON object"},
      {"405", "not a JSON object"},
      {"<html>502 Bad Gateway</html>", "not a JSON object"},
      {R"({"details":[{"CallID":1,}]})", "expected a key"},
      {R"({"details":[1 2]})", "expected ','"},
      {R"({"a":01})", "expected ','"},
      {R"({"a":1.})", "invalid number"},
      {R"({"a":-})", "invalid number"},
      {R"({"a":tru})", "invalid literal"},
      {R"({"a":"\x"})", "invalid escape"},
      {R"({"a":"\u12G4"})", "invalid \\u escape"},
      {"{\"a\":\"line\nbreak\"}", "control character"},
      {R"({"a":[1}})", "mismatched closing bracket"},
  };
  for (const Case& c : cases) {
    const Parsed parsed = Parse(c.body);
    EXPECT_THAT(parsed.body.parse_error, HasSubstr(c.error)) << c.body;
  }
}

TEST(CdrParserTest, TruncatedBodyFailsAfterDeliveringWholeRecords) {
  std::string body = R"({"status":"success","details":[)" +
                     test::CompactRecord("1") + "," + test::CompactRecord("2");
  body.resize(body.size() - 20);
  const Parsed parsed = ParseInPieces(body, {5, 50, 200});
  EXPECT_THAT(parsed.body.parse_error, HasSubstr("ended inside the document"));
  ASSERT_EQ(parsed.records.size(), 1u);
  EXPECT_EQ(parsed.records[0].call_id, 1u);
}

TEST(CdrParserTest, ARecordSinkReturningFalseStopsTheParse) {
  std::string body = R"({"details":[)";
  for (int i = 0; i < 10; ++i) {
    body += (i ? "," : "") + test::CompactRecord(std::to_string(i));
  }
  body += "]}";
  int seen = 0;
  CdrParser parser([&](CdrRecord&&) { return ++seen < 3; });
  EXPECT_FALSE(parser.Feed(body));
  EXPECT_EQ(seen, 3);
  EXPECT_THAT(parser.Finish().parse_error,
              HasSubstr("stopped by the record reader"));
}

TEST(CdrParserTest, NullsEmptiesAndOutOfRangeValuesAreInvalidFields) {
  const Parsed parsed = Parse(
      R"({"status":"success","details":[{"CallID":null,"CallDate":"9999-12-31",)"
      R"("StartTime":"25:00:00","EndTime":"","WrapUpEndTime":null,)"
      R"("Duration":"168:00:01","TalkTime":"999999999999:00:00",)"
      R"("HoldDuration":"n/a","WrapupDuration":"00:00:07","HandlingTime":604800,)"
      R"("QueueTime":-5,"TimeToAnswer":null,"AgentID":null}]})");
  EXPECT_EQ(parsed.body.parse_error, "");
  ASSERT_EQ(parsed.records.size(), 1u);
  const CdrRecord& r = parsed.records[0];
  EXPECT_FALSE(r.call_id.has_value());
  EXPECT_FALSE(r.call_date.has_value());
  EXPECT_FALSE(r.start_time.has_value());
  EXPECT_FALSE(r.end_time.has_value());
  EXPECT_FALSE(r.has_wrapup_end);
  EXPECT_EQ(r.agent_id, "");
  EXPECT_EQ(r.duration, 0);  // a week and a second: refused
  EXPECT_EQ(r.talk, 0);      // twelve digits of hours: refused
  EXPECT_EQ(r.hold, 0);
  EXPECT_EQ(r.wrapup, 7);
  EXPECT_EQ(r.handling, 604800);  // exactly a week is allowed
  EXPECT_EQ(r.queue_time, 0);
  // CallDate, StartTime, Duration, TalkTime, HoldDuration, QueueTime,
  // TimeToAnswer (null).
  EXPECT_EQ(r.invalid_fields, 7);
}

TEST(CdrParserTest, AbsentFieldsAreZeroWithoutCountingInvalid) {
  const Parsed parsed =
      Parse(R"({"status":"success","details":[{"CallID":5}]})");
  ASSERT_EQ(parsed.records.size(), 1u);
  EXPECT_EQ(parsed.records[0].talk, 0);
  EXPECT_EQ(parsed.records[0].invalid_fields, 0);
}

TEST(CdrParserTest, UnknownFieldsAreSkippedAtAnyDepth) {
  const std::string body = R"({
    "meta": {"details": [{"CallID": 1}], "status": "false"},
    "status": "success",
    "details": [
      {"CallID": 10, "Nested": {"AgentID": "wrong", "Deep": [{"CallID": 99}]},
       "AgentID": "agent10"},
      17, "junk", null, [ {"CallID": 98} ],
      {"CallID": 11, "AgentID": "agent11"}
    ],
    "trailer": {"message": "max limit exceeded"}
  })";
  const Parsed parsed = ParseInPieces(body, {3, 17, 90});
  EXPECT_EQ(parsed.body.parse_error, "");
  EXPECT_EQ(parsed.body.envelope.status, Envelope::Status::kSuccess);
  EXPECT_EQ(parsed.body.envelope.message, "");
  ASSERT_EQ(parsed.records.size(), 2u);
  EXPECT_EQ(parsed.records[0].agent_id, "agent10");
  EXPECT_EQ(parsed.records[1].call_id, 11u);
}

TEST(CdrParserTest, StatusSpellingsAndEnvelopes) {
  EXPECT_EQ(Parse(R"({"status":true,"details":[]})").body.envelope.status,
            Envelope::Status::kSuccess);
  EXPECT_EQ(Parse(R"({"details":[],"status":"true"})").body.envelope.status,
            Envelope::Status::kSuccess);
  for (const char* bad : {"false", "fail", "error", "FALSE"}) {
    const Parsed parsed = Parse(std::string(R"({"status":")") + bad +
                                R"(","message":"Invalid campaignName"})");
    EXPECT_EQ(parsed.body.envelope.status, Envelope::Status::kFailure) << bad;
    EXPECT_EQ(parsed.body.envelope.message, "Invalid campaignName");
    EXPECT_FALSE(parsed.body.has_payload);
  }
  EXPECT_TRUE(Parse(R"({"data":[]})").body.has_payload);
}

TEST(StreamCdrExchangeTest, ParseFailureAbortsTheTransferKeepingTheHead) {
  test::FakeTransport transport;
  transport.Enqueue(
      test::Reply(200, "{\"details\":[}" + std::string(1 << 20, ' '), 1024));
  const Exchange exchange = StreamCdrExchange(transport, HttpCall{},
                                              [](CdrRecord&&) { return true; });
  EXPECT_NE(exchange.body.parse_error, "");
  EXPECT_TRUE(exchange.aborted_by_reader);
  EXPECT_EQ(exchange.body_head.size(), kBodyHeadBytes);
  test::FakeTransport plain;
  plain.Enqueue(test::Reply(429, "Too Many Requests", 4));
  const Exchange limited =
      StreamCdrExchange(plain, HttpCall{}, [](CdrRecord&&) { return true; });
  EXPECT_EQ(limited.http.status, 429);
  EXPECT_EQ(limited.body_head, "Too Many Requests");
}

TEST(StreamCdrExchangeTest, AnExceptionFromTheSinkPropagates) {
  test::FakeTransport transport;
  transport.Enqueue(
      test::Reply(200, R"({"details":[)" + test::CompactRecord("1") + "]}", 7));
  EXPECT_THROW(StreamCdrExchange(transport, HttpCall{},
                                 [](CdrRecord&&) -> bool {
                                   throw std::runtime_error("consumer");
                                 }),
               std::runtime_error);
}

}  // namespace
}  // namespace callcenter::ozonetel::detail
