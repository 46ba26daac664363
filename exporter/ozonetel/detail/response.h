// Internals of the Ozonetel client, exposed for unit tests: the envelope of
// a response, how an exchange is classified into an Outcome, and the DOM
// parsers of the small responses (aht, agentdetails, generateToken), and
// the event-driven parser of summaryReport, which can be megabytes.
#ifndef CALLCENTER_OZONETEL_DETAIL_RESPONSE_H_
#define CALLCENTER_OZONETEL_DETAIL_RESPONSE_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "callcenter/common/http_client.h"
#include "ozonetel/failure.h"
#include "ozonetel/records.h"

namespace callcenter::ozonetel::detail {

// Bytes of the body kept verbatim, to classify bodies that are not JSON
// (a bare "405", an HTML error page, a plain-text rate-limit notice).
inline constexpr size_t kBodyHeadBytes = 512;
// Longest vendor `message` kept in a Failure.
inline constexpr size_t kMaxMessageBytes = 1024;
// Answers other than the streamed CDR body are buffered whole, then parsed;
// anything larger is refused (a summary for 20,000 agents is a few
// megabytes).
inline constexpr size_t kMaxBufferedBody = size_t{32} * 1024 * 1024;
// Most summaryReport rows kept from one answer: a row per agent and mode,
// so 20,000 agents on a few modes fit. A payload with more fails the
// answer, instead of a body of millions of `{}` costing gigabytes of rows.
inline constexpr size_t kMaxSummaryRows = 250'000;

// The root-level `status` and `message` of a response (§3).
struct Envelope {
  enum class Status { kAbsent, kSuccess, kFailure, kUnknown };
  Status status = Status::kAbsent;
  std::string message;  // root `message` when it is a string
  bool root_is_object = false;
};

// "success"/"true" → kSuccess; "false"/"fail"/"failure"/"error" →
// kFailure (any case); anything else → kUnknown.
Envelope::Status StatusFromText(std::string_view text);

// What reading a body produced, whatever the endpoint.
struct BodyResult {
  Envelope envelope;
  bool has_payload = false;  // records array, rows, AHT object or token seen
  bool no_data = false;      // summaryReport "No Data Found": zero rows
  std::string parse_error;   // non-empty: the body is not what we expect
  int invalid_fields = 0;    // values out of range, dropped (small bodies)
  // The caller's record sink stopped the parse (it could not commit): not
  // the upstream's fault, so not a failure of the request.
  bool stopped_by_reader = false;
};

// One request and its response, before classification.
struct Exchange {
  HttpStatus http;
  bool aborted_by_reader = false;  // we stopped the transfer ourselves
  BodyResult body;
  std::string body_head;  // first kBodyHeadBytes of the body
};

struct Classified {
  std::optional<Failure> failure;
  bool rate_limited = false;   // tell the gate
  bool token_expired = false;  // "Token Expired": regenerate and retry once
};

// §3/§10 rules, in order: 429 or a rate-limit message; transport error
// (timeout or connection); "Token Expired"; 401/403 or an auth message;
// other non-2xx; a failure status; a parse error; no status and no payload.
Classified Classify(const Exchange& exchange,
                    const std::vector<std::string>& rate_limit_patterns);

// The documented auth failures of §2.3, §4.3, §6 and §7.
bool IsAuthMessage(std::string_view message);

// Runs `call` collecting the whole body (refusing more than
// kMaxBufferedBody) and hands it to `parse`.
Exchange BufferedExchange(
    Transport& transport, const HttpCall& call,
    const std::function<BodyResult(std::string_view body)>& parse);

// summaryReport (§6): rows under `message` or `data`, object or array,
// read without a DOM. A total that is not a duration or exceeds a day is
// an invalid field: the row keeps -1 there (unknown) and the result counts
// it. A payload of more than kMaxSummaryRows rows fails the body.
BodyResult ParseSummaryBody(std::string_view body,
                            std::vector<SummaryRow>* rows);
// aht (§7): one object under `message` (or `data`).
BodyResult ParseAhtBody(std::string_view body, AhtValue* out);
// agentdetails (§8, assumed shape): `message` (or `data`) object with
// AgentID and Status.
BodyResult ParseAgentDetailsBody(std::string_view body, std::string* agent_id,
                                 std::string* status);
// generateToken (§2.3): a non-empty `token`.
BodyResult ParseTokenBody(std::string_view body, std::string* token);

}  // namespace callcenter::ozonetel::detail

#endif  // CALLCENTER_OZONETEL_DETAIL_RESPONSE_H_
