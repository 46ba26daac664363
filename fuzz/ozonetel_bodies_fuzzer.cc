// The DOM parsers of the small Ozonetel responses (summaryReport, aht,
// agentdetails, generateToken) and Classify on an Exchange built from the
// input.
//
// Input: a 2-byte header, then the body (fuzz/README.md):
//   byte 0: the HTTP status, from a table (200, 401, 429, 0, ...)
//   byte 1: bit 0 a transport error, bit 1 timed out, bit 2 aborted by the
//           reader, bit 3 a Retry-After, bit 4 a custom rate-limit pattern
//           (the first 8 bytes of the body)
//
// Invariants: each parser's results stay within their documented ranges
// (durations, the -1 marker counted in invalid_fields, the message cap, a
// token exactly when has_payload); Classify never answers "ok" for a
// failed transfer, a non-2xx status, a failure status or a parse error,
// flags rate_limited and token_expired only with a failure, and ignores
// empty rate-limit patterns.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "ozonetel/detail/cdr_parser.h"
#include "ozonetel/detail/response.h"

namespace callcenter::ozonetel::detail {
namespace {

constexpr int kStatuses[] = {200, 200, 200, 204, 401, 403, 404,
                             405, 429, 500, 502, 503, 0,   299};

void CheckEnvelope(const BodyResult& result) {
  FUZZ_CHECK(result.envelope.message.size() <= kMaxMessageBytes);
  if (!result.envelope.root_is_object) {
    FUZZ_CHECK(!result.parse_error.empty());
    FUZZ_CHECK(!result.has_payload);
  }
}

bool SameClassified(const Classified& a, const Classified& b) {
  if (a.failure.has_value() != b.failure.has_value()) return false;
  if (a.failure && (a.failure->reason != b.failure->reason ||
                    a.failure->message != b.failure->message ||
                    a.failure->http_status != b.failure->http_status)) {
    return false;
  }
  return a.rate_limited == b.rate_limited && a.token_expired == b.token_expired;
}

void CheckClassify(const Exchange& exchange,
                   const std::vector<std::string>& patterns) {
  const Classified c = Classify(exchange, patterns);
  if (c.rate_limited || c.token_expired) FUZZ_CHECK(c.failure.has_value());
  if (c.token_expired) FUZZ_CHECK(c.failure->reason == FailureReason::kAuth);
  if (c.rate_limited) {
    FUZZ_CHECK(c.failure->reason == FailureReason::kRateLimited);
    FUZZ_CHECK(c.failure->retry_after == exchange.http.retry_after);
  }
  if (c.failure) {
    // The vendor's text is cut at kMaxMessageBytes; a prefix like
    // "HTTP 503: " may precede it.
    FUZZ_CHECK(c.failure->message.size() <=
               kMaxMessageBytes + 32 + exchange.http.error.size() +
                   exchange.body.parse_error.size());
    FUZZ_CHECK(!c.failure->message.empty());
  } else {
    const int status = exchange.http.status;
    FUZZ_CHECK(exchange.http.error.empty() || exchange.aborted_by_reader);
    const bool explained =
        exchange.body.no_data || exchange.body.stopped_by_reader;
    if (!explained) {
      FUZZ_CHECK(status >= 200 && status < 300);
      FUZZ_CHECK(exchange.body.parse_error.empty());
      FUZZ_CHECK(exchange.body.envelope.status == Envelope::Status::kSuccess ||
                 exchange.body.envelope.status == Envelope::Status::kAbsent);
    }
  }
  // Empty patterns match nothing.
  std::vector<std::string> with_empty = patterns;
  with_empty.push_back("");
  FUZZ_CHECK(SameClassified(c, Classify(exchange, with_empty)));
}

}  // namespace
}  // namespace callcenter::ozonetel::detail

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callcenter::ozonetel;
  using namespace callcenter::ozonetel::detail;
  if (size < 2) return 0;
  const uint8_t flags = data[1];
  const std::string_view body(reinterpret_cast<const char*>(data) + 2,
                              size - 2);

  Exchange exchange;
  exchange.http.status =
      kStatuses[data[0] % (sizeof(kStatuses) / sizeof(kStatuses[0]))];
  if (flags & 1) exchange.http.error = "Couldn't connect to server";
  exchange.http.timed_out = (flags & 2) != 0;
  exchange.aborted_by_reader = (flags & 4) != 0;
  if (flags & 8) exchange.http.retry_after = std::chrono::seconds(data[0]);
  exchange.body_head = std::string(body.substr(0, kBodyHeadBytes));
  std::vector<std::string> patterns = {"max limit exceeded", "only 1 hit"};
  if (flags & 16) patterns.emplace_back(body.substr(0, 8));

  {
    std::vector<SummaryRow> rows = {SummaryRow{}};  // cleared by the parser
    exchange.body = ParseSummaryBody(body, &rows);
    CheckEnvelope(exchange.body);
    if (exchange.body.no_data) FUZZ_CHECK(rows.empty());
    if (!exchange.body.has_payload) FUZZ_CHECK(rows.empty());
    int unknown = 0;
    for (const SummaryRow& row : rows) {
      for (int64_t seconds :
           {row.login, row.busy, row.idle, row.pause, row.wrapup, row.dial}) {
        FUZZ_CHECK(seconds >= -1 && seconds <= 86400);
        if (seconds == -1) ++unknown;
      }
    }
    FUZZ_CHECK(unknown == exchange.body.invalid_fields);
    CheckClassify(exchange, patterns);
  }
  {
    AhtValue aht;
    exchange.body = ParseAhtBody(body, &aht);
    CheckEnvelope(exchange.body);
    if (exchange.body.has_payload && exchange.body.parse_error.empty()) {
      FUZZ_CHECK(aht.seconds >= 0 && aht.seconds <= kMaxRecordDuration);
    }
    CheckClassify(exchange, patterns);
  }
  {
    std::string agent_id, status;
    exchange.body = ParseAgentDetailsBody(body, &agent_id, &status);
    CheckEnvelope(exchange.body);
    if (exchange.body.has_payload && exchange.body.parse_error.empty()) {
      FUZZ_CHECK(!status.empty() && status.size() <= 64);
    }
    CheckClassify(exchange, patterns);
  }
  {
    std::string token;
    exchange.body = ParseTokenBody(body, &token);
    CheckEnvelope(exchange.body);
    FUZZ_CHECK(exchange.body.has_payload == !token.empty());
    if (exchange.body.envelope.status == Envelope::Status::kSuccess &&
        exchange.body.parse_error.empty()) {
      FUZZ_CHECK(!token.empty());
    }
    CheckClassify(exchange, patterns);
  }
  {
    // The streamed CDR body goes through the same classification.
    size_t records = 0;
    exchange.body = ParseCdrBody(body, [&](CdrRecord&&) {
      ++records;
      return records < 3 || (flags & 32) == 0;
    });
    CheckEnvelope(exchange.body);
    CheckClassify(exchange, patterns);
  }
  return 0;
}
