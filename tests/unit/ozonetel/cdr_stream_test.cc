// The streaming fetchCDRDetails parser: fields, ids, tolerance, chunking and
// bounded memory.
#include "callcenter/ozonetel/detail/cdr_stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "fakes.h"
#include "test_bodies.h"

namespace callcenter::ozonetel {
namespace {

using detail::CdrStreamStats;
using detail::Envelope;
using detail::Exchange;
using detail::StreamCdrExchange;
using testing::CannedResponse;
using ::testing::ElementsAre;
using testing::FakeTransport;
using testing::GeneratorTransport;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::Reply;

struct Parsed {
  Exchange exchange;
  std::vector<CdrRecord> records;
  CdrStreamStats stats;
};

Parsed StreamBody(const std::string& body, size_t chunk_size = 0,
                  int status = 200) {
  FakeTransport transport;
  transport.Enqueue(Reply(status, body, chunk_size));
  Parsed parsed;
  parsed.exchange = StreamCdrExchange(
      transport, HttpCall{},
      [&](CdrRecord&& record) { parsed.records.push_back(std::move(record)); },
      &parsed.stats);
  return parsed;
}

void ExpectDocumentedRecord(const CdrRecord& r) {
  EXPECT_EQ(r.call_id, "31733467784618213");
  EXPECT_EQ(r.ucid, "31733467784618213");
  ASSERT_TRUE(r.call_date.has_value());
  EXPECT_EQ(FormatDate(*r.call_date), "2026-03-02");
  EXPECT_EQ(r.start_time, 12 * 3600 + 20 * 60);
  EXPECT_EQ(r.end_time, 12 * 3600 + 20 * 60 + 57);
  EXPECT_EQ(r.pickup_time, 12 * 3600 + 20 * 60 + 4);
  EXPECT_EQ(r.wrapup_end_time, "12:21:02");
  EXPECT_EQ(r.agent_id, "agent01");
  EXPECT_EQ(r.agent_name, "Agent One");
  EXPECT_EQ(r.campaign, "Inbound_Main");
  EXPECT_EQ(r.type, "InBound");
  EXPECT_EQ(r.status, "Answered");
  EXPECT_EQ(r.disposition, "APPOINTMENT_BOOKED");
  EXPECT_EQ(r.duration, 57);
  EXPECT_EQ(r.talk, 53);
  EXPECT_EQ(r.hold, 0);
  EXPECT_EQ(r.wrapup, 5);
  EXPECT_EQ(r.handling, 58);
  EXPECT_EQ(r.queue_time, 2);
  EXPECT_EQ(r.time_to_answer, 4);
  EXPECT_EQ(r.invalid_fields, 0);
}

TEST(CdrStreamTest, ParsesDocumentedExample) {
  Parsed parsed = StreamBody(testing::kDocumentedCdrExample);
  EXPECT_EQ(parsed.exchange.body.parse_error, "");
  EXPECT_EQ(parsed.exchange.body.envelope.status, Envelope::Status::kSuccess);
  EXPECT_TRUE(parsed.exchange.body.has_payload);
  ASSERT_EQ(parsed.records.size(), 1u);
  ExpectDocumentedRecord(parsed.records[0]);
}

TEST(CdrStreamTest, OneBytePerChunkGivesTheSameRecord) {
  Parsed parsed = StreamBody(testing::kDocumentedCdrExample, /*chunk_size=*/1);
  EXPECT_EQ(parsed.exchange.body.parse_error, "");
  ASSERT_EQ(parsed.records.size(), 1u);
  ExpectDocumentedRecord(parsed.records[0]);
  EXPECT_EQ(parsed.stats.body_bytes,
            std::string(testing::kDocumentedCdrExample).size());
}

TEST(CdrStreamTest, IdsAbove2To53KeepEveryDigit) {
  // 2^53 + 1 is the first integer a double cannot hold.
  const std::string body = R"({"status":"success","details":[)" +
                           testing::CompactRecord("31733467784618213") + "," +
                           testing::CompactRecord("9007199254740993") + "," +
                           testing::CompactRecord("\"31733467784618215\"") +
                           "]}";
  Parsed parsed = StreamBody(body, 7);
  ASSERT_EQ(parsed.records.size(), 3u);
  EXPECT_EQ(parsed.records[0].call_id, "31733467784618213");
  EXPECT_EQ(parsed.records[1].call_id, "9007199254740993");
  EXPECT_EQ(parsed.records[1].ucid, "9007199254740993");
  EXPECT_EQ(parsed.records[2].call_id, "31733467784618215");  // a string
}

TEST(CdrStreamTest, NullFieldsReadAsAbsentAndDurationsCountInvalid) {
  const std::string body = R"({"status":"success","message":null,"details":[{
      "CallID":null,"UCID":null,"CallDate":null,"StartTime":null,"EndTime":"",
      "PickupTime":null,"WrapUpEndTime":null,"AgentID":null,"AgentName":null,
      "CampaignName":null,"Type":null,"Status":null,"Disposition":null,
      "Duration":null,"TalkTime":"","HoldDuration":"n/a","WrapupDuration":"00:00:07",
      "HandlingTime":null,"QueueTime":null,"TimeToAnswer":null,"Rating":null}]})";
  Parsed parsed = StreamBody(body);
  EXPECT_EQ(parsed.exchange.body.parse_error, "");
  ASSERT_EQ(parsed.records.size(), 1u);
  const CdrRecord& r = parsed.records[0];
  EXPECT_EQ(r.call_id, "");
  EXPECT_EQ(r.agent_id, "");
  EXPECT_EQ(r.disposition, "");
  EXPECT_FALSE(r.call_date.has_value());
  EXPECT_FALSE(r.start_time.has_value());
  EXPECT_FALSE(r.end_time.has_value());
  EXPECT_FALSE(r.pickup_time.has_value());
  EXPECT_EQ(r.wrapup, 7);
  EXPECT_EQ(r.duration, 0);
  EXPECT_EQ(r.hold, 0);
  // Duration, TalkTime, HoldDuration, HandlingTime, QueueTime, TimeToAnswer.
  EXPECT_EQ(r.invalid_fields, 6);
}

TEST(CdrStreamTest, AbsentDurationsAreZeroWithoutCountingInvalid) {
  Parsed parsed =
      StreamBody(R"({"status":"success","details":[{"CallID":5}]})");
  ASSERT_EQ(parsed.records.size(), 1u);
  EXPECT_EQ(parsed.records[0].call_id, "5");
  EXPECT_EQ(parsed.records[0].talk, 0);
  EXPECT_EQ(parsed.records[0].invalid_fields, 0);
}

TEST(CdrStreamTest, UnparseableTimesAndDatesCountInvalid) {
  Parsed parsed = StreamBody(
      R"({"details":[{"CallDate":"2026-02-30","StartTime":"25:00:00"}]})");
  ASSERT_EQ(parsed.records.size(), 1u);
  EXPECT_FALSE(parsed.records[0].call_date.has_value());
  EXPECT_FALSE(parsed.records[0].start_time.has_value());
  EXPECT_EQ(parsed.records[0].invalid_fields, 2);
}

TEST(CdrStreamTest, UnknownFieldsAreSkippedAtAnyDepth) {
  const std::string body = R"({
    "meta": {"details": [{"CallID": 1}], "status": "false"},
    "extra": [1, [2, {"CallID": 3}], "x"],
    "status": "success",
    "details": [
      {"CallID": 10, "Nested": {"AgentID": "wrong", "Deep": [{"CallID": 99}]},
       "List": [1, 2, {"a": null}], "AgentID": "agent10", "Rating": 4.5e1},
      17, "junk", null, [ {"CallID": 98} ],
      {"CallID": 11, "AgentID": "agent11"}
    ],
    "trailer": {"message": "max limit exceeded"}
  })";
  Parsed parsed = StreamBody(body, 3);
  EXPECT_EQ(parsed.exchange.body.parse_error, "");
  EXPECT_EQ(parsed.exchange.body.envelope.status, Envelope::Status::kSuccess);
  EXPECT_EQ(parsed.exchange.body.envelope.message, "");
  ASSERT_EQ(parsed.records.size(), 2u);
  EXPECT_EQ(parsed.records[0].call_id, "10");
  EXPECT_EQ(parsed.records[0].agent_id, "agent10");
  EXPECT_EQ(parsed.records[1].call_id, "11");
  EXPECT_EQ(parsed.records[1].agent_id, "agent11");
}

TEST(CdrStreamTest, StatusMayFollowDetails) {
  Parsed parsed = StreamBody(
      R"({"details":[{"CallID":1},{"CallID":2}],"message":"","status":"success"})");
  EXPECT_EQ(parsed.exchange.body.envelope.status, Envelope::Status::kSuccess);
  EXPECT_EQ(parsed.records.size(), 2u);
}

TEST(CdrStreamTest, StatusSpellings) {
  EXPECT_EQ(StreamBody(R"({"status":true,"details":[]})")
                .exchange.body.envelope.status,
            Envelope::Status::kSuccess);
  EXPECT_EQ(StreamBody(R"({"status":"true","details":[]})")
                .exchange.body.envelope.status,
            Envelope::Status::kSuccess);
  for (const char* bad : {"false", "fail", "error", "FALSE"}) {
    Parsed parsed = StreamBody(std::string(R"({"status":")") + bad +
                               R"(","message":"Invalid campaignName"})");
    EXPECT_EQ(parsed.exchange.body.envelope.status, Envelope::Status::kFailure)
        << bad;
    EXPECT_EQ(parsed.exchange.body.envelope.message, "Invalid campaignName");
  }
}

TEST(CdrStreamTest, EmptyDetailsIsASuccessWithoutRecords) {
  Parsed parsed =
      StreamBody(R"({"status":"success","message":"","details":[]})");
  EXPECT_EQ(parsed.exchange.body.parse_error, "");
  EXPECT_TRUE(parsed.exchange.body.has_payload);
  EXPECT_THAT(parsed.records, IsEmpty());
}

TEST(CdrStreamTest, TruncatedBodyIsAParseErrorAfterDeliveringWholeRecords) {
  std::string body = R"({"status":"success","details":[)" +
                     testing::CompactRecord("1") + "," +
                     testing::CompactRecord("2");
  body.resize(body.size() - 20);  // cut inside the second record
  Parsed parsed = StreamBody(body, 5);
  EXPECT_THAT(parsed.exchange.body.parse_error, HasSubstr("invalid JSON"));
  ASSERT_EQ(parsed.records.size(), 1u);  // only the complete one
  EXPECT_EQ(parsed.records[0].call_id, "1");
}

TEST(CdrStreamTest, MalformedAndNonObjectBodiesAreParseErrors) {
  for (const char* body :
       {"", "<html>502 Bad Gateway</html>", "405", "[1,2]",
        R"({"details":[{"CallID":1,}]})", R"({"details":[]} trailing)"}) {
    Parsed parsed = StreamBody(body, 2);
    EXPECT_NE(parsed.exchange.body.parse_error, "") << body;
  }
}

TEST(CdrStreamTest, ParseFailureAbortsTheTransfer) {
  // A long body whose start is broken: the reader gives up and the
  // producer must be told to stop rather than deliver the rest.
  std::string body = "{\"details\":[}" + std::string(1 << 20, ' ');
  Parsed parsed = StreamBody(body, 1024);
  EXPECT_NE(parsed.exchange.body.parse_error, "");
  EXPECT_TRUE(parsed.exchange.aborted_by_reader);
}

TEST(CdrStreamTest, BodyHeadKeepsTheStartOfTheBody) {
  Parsed parsed = StreamBody("Too Many Requests", 4, 429);
  EXPECT_EQ(parsed.exchange.http.status, 429);
  EXPECT_EQ(parsed.exchange.body_head, "Too Many Requests");
}

TEST(CdrStreamTest, FiveThousandRecordsStreamInBoundedMemory) {
  // The body is generated lazily in 4 KiB chunks, so neither side ever holds
  // it whole; the parser may buffer at most its queue plus one piece.
  constexpr int kRecords = 5000;
  int next_record = 0;
  std::string pending = R"({"status":"success","message":"","details":[)";
  bool closed = false;
  size_t total = 0;
  GeneratorTransport transport([&]() -> std::string {
    while (pending.size() < 4096 && !closed) {
      if (next_record < kRecords) {
        if (next_record > 0) pending += ",";
        pending += testing::CompactRecord(
            std::to_string(31733467784618213LL + next_record));
        ++next_record;
      } else {
        pending += "]}";
        closed = true;
      }
    }
    std::string chunk = pending.substr(0, 4096);
    pending.erase(0, chunk.size());
    total += chunk.size();
    return chunk;
  });
  size_t delivered = 0;
  std::string last_id;
  CdrStreamStats stats;
  Exchange exchange = StreamCdrExchange(
      transport, HttpCall{},
      [&](CdrRecord&& record) {
        ++delivered;
        last_id = record.call_id;
      },
      &stats);
  EXPECT_EQ(exchange.body.parse_error, "");
  EXPECT_EQ(delivered, static_cast<size_t>(kRecords));
  EXPECT_EQ(stats.records, static_cast<size_t>(kRecords));
  EXPECT_EQ(last_id, std::to_string(31733467784618213LL + kRecords - 1));
  EXPECT_GT(total, 2'000'000u);
  EXPECT_EQ(stats.body_bytes, total);
  // Queue of 4 pieces plus the one being read, 4 KiB each here.
  EXPECT_LE(stats.peak_buffered_bytes, 5u * 4096u);
}

TEST(CdrStreamTest, HugeTransportChunksAreSplitIntoBoundedPieces) {
  std::string body = R"({"status":"success","details":[)";
  for (int i = 0; i < 3000; ++i) {
    if (i > 0) body += ",";
    body += testing::CompactRecord(std::to_string(i));
  }
  body += "]}";
  Parsed parsed = StreamBody(body);  // one chunk of about 1.3 MB
  EXPECT_EQ(parsed.records.size(), 3000u);
  EXPECT_LE(parsed.stats.peak_buffered_bytes,
            (detail::ChunkQueue::kDefaultMaxPieces + 1) *
                detail::ChunkQueue::kMaxPieceBytes);
}

TEST(CdrStreamTest, ExceptionFromOnRecordPropagatesAndJoins) {
  std::string body = R"({"details":[)";
  for (int i = 0; i < 2000; ++i) {
    if (i > 0) body += ",";
    body += testing::CompactRecord(std::to_string(i));
  }
  body += "]}";
  FakeTransport transport;
  transport.Enqueue(Reply(200, body, 512));
  EXPECT_THROW(StreamCdrExchange(
                   transport, HttpCall{},
                   [](CdrRecord&&) { throw std::runtime_error("consumer"); }),
               std::runtime_error);
}

TEST(ChunkQueueTest, PushAfterCloseIsRefused) {
  detail::ChunkQueue queue(2);
  EXPECT_TRUE(queue.Push("ab"));
  queue.Close();
  EXPECT_FALSE(queue.Push("cd"));
  EXPECT_TRUE(queue.refused_push());
}

TEST(ChunkQueueTest, PopDrainsThenEnds) {
  detail::ChunkQueue queue(4);
  EXPECT_TRUE(queue.Push("ab"));
  EXPECT_TRUE(queue.Push("cd"));
  queue.Finish();
  std::string piece;
  std::vector<std::string> pieces;
  while (queue.Pop(&piece)) pieces.push_back(piece);
  EXPECT_THAT(pieces, ElementsAre("ab", "cd"));
  EXPECT_EQ(queue.peak_buffered_bytes(), 4u);
}

}  // namespace
}  // namespace callcenter::ozonetel
