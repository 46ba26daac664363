// The parsers of the buffered Ozonetel responses (summaryReport, aht,
// agentdetails, generateToken) and Classify on an Exchange built from the
// input.
//
// Input: a 2-byte header, then the body (fuzz/README.md):
//   byte 0: the HTTP status, from a table (200, 401, 429, 0, ...)
//   byte 1: bit 0 a transport error, bit 1 timed out, bit 2 aborted by the
//           reader, bit 3 a Retry-After, bit 4 a custom rate-limit pattern
//           (the first 8 bytes of the body)
//
// The summary body is read from parser events; it is checked against a
// DOM reading of the same body (the code it replaced), row by row.
//
// Invariants: each parser's results stay within their documented ranges
// (durations, the -1 marker counted in invalid_fields, the message cap, a
// token exactly when has_payload); Classify never answers "ok" for a
// failed transfer, a non-2xx status, a failure status or a parse error,
// flags rate_limited and token_expired only with a failure, and ignores
// empty rate-limit patterns.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "callcenter/common/strings.h"
#include "callcenter/common/timeutil.h"
#include "core/json.h"
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

// The oracle for ParseSummaryBody: a DOM of the body and FindMember
// lookups, which take a key's first occurrence.
std::string_view DomText(const rapidjson::Value& object, const char* name) {
  const rapidjson::Value* value = core::FindMember(object, name);
  if (value == nullptr || !value->IsString()) return {};
  return {value->GetString(), value->GetStringLength()};
}

int64_t DomSeconds(const rapidjson::Value& row, const char* name,
                   int* invalid) {
  const std::string_view text = DomText(row, name);
  if (text.empty()) return 0;
  std::optional<int64_t> seconds = ParseDuration(text);
  if (!seconds) seconds = core::ParseInt64(text);
  if (!seconds || *seconds < 0 || *seconds > 86400) {
    ++*invalid;
    return -1;
  }
  return *seconds;
}

Envelope::Status DomStatus(const rapidjson::Value& root) {
  const rapidjson::Value* status = core::FindMember(root, "status");
  if (status == nullptr || status->IsNull()) return Envelope::Status::kAbsent;
  if (status->IsBool()) {
    return status->GetBool() ? Envelope::Status::kSuccess
                             : Envelope::Status::kFailure;
  }
  if (status->IsString()) return StatusFromText(DomText(root, "status"));
  return Envelope::Status::kUnknown;
}

void CheckSummaryAgainstDom(std::string_view body, const BodyResult& result,
                            const std::vector<SummaryRow>& rows) {
  rapidjson::Document doc;
  core::JsonLimits limits;
  limits.max_bytes = kMaxBufferedBody;
  if (std::string error = core::ParseJson(body, &doc, limits); !error.empty()) {
    FUZZ_CHECK(result.parse_error == error && rows.empty());
    return;
  }
  FUZZ_CHECK(result.envelope.root_is_object == doc.IsObject());
  if (!doc.IsObject()) return;
  FUZZ_CHECK(result.envelope.status == DomStatus(doc));
  FUZZ_CHECK(result.envelope.message ==
             DomText(doc, "message").substr(0, kMaxMessageBytes));
  FUZZ_CHECK(result.no_data ==
             ContainsIgnoreCase(result.envelope.message, "No Data Found"));
  if (result.no_data) return;
  const rapidjson::Value* payload = nullptr;
  for (const char* name : {"message", "data"}) {
    const rapidjson::Value* value = core::FindMember(doc, name);
    if (payload == nullptr && value != nullptr &&
        (value->IsObject() || value->IsArray())) {
      payload = value;
    }
  }
  FUZZ_CHECK(result.has_payload == (payload != nullptr));
  if (payload == nullptr) return;
  std::vector<const rapidjson::Value*> objects;
  if (payload->IsObject()) {
    objects.push_back(payload);
  } else {
    for (const rapidjson::Value& element : payload->GetArray()) {
      if (element.IsObject()) objects.push_back(&element);
    }
  }
  if (objects.size() > kMaxSummaryRows) {
    FUZZ_CHECK(!result.parse_error.empty() && rows.empty());
    return;
  }
  FUZZ_CHECK(objects.size() == rows.size());
  int invalid = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const rapidjson::Value& object = *objects[i];
    const SummaryRow& row = rows[i];
    FUZZ_CHECK(row.agent_name == DomText(object, "AgentName"));
    FUZZ_CHECK(row.agent_incr_id == DomText(object, "AgentIncrID"));
    FUZZ_CHECK(row.agent_unique_id == DomText(object, "AgentUniqueID"));
    FUZZ_CHECK(row.mode_type == DomText(object, "ModeType"));
    FUZZ_CHECK(row.call_date == ParseDate(DomText(object, "CallDate")));
    FUZZ_CHECK(row.login == DomSeconds(object, "TotalLoginDuration", &invalid));
    FUZZ_CHECK(row.busy == DomSeconds(object, "TotalBusyTime", &invalid));
    FUZZ_CHECK(row.idle == DomSeconds(object, "TotalIdleTime", &invalid));
    FUZZ_CHECK(row.pause == DomSeconds(object, "TotalPauseTime", &invalid));
    FUZZ_CHECK(row.wrapup == DomSeconds(object, "TotalWrapupTime", &invalid));
    FUZZ_CHECK(row.dial == DomSeconds(object, "TotalDialTime", &invalid));
  }
  FUZZ_CHECK(invalid == result.invalid_fields);
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
    CheckSummaryAgainstDom(body, exchange.body, rows);
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
