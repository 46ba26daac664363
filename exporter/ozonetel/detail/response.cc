#include "ozonetel/detail/response.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "callcenter/common/strings.h"
#include "callcenter/common/timeutil.h"
#include "core/json.h"

namespace callcenter::ozonetel::detail {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

bool IsSuccessStatus(int status) { return status >= 200 && status < 300; }

std::string WithStatus(int status, std::string_view message) {
  std::string text = "HTTP " + std::to_string(status);
  if (!message.empty()) text.append(": ").append(message);
  return text;
}

Classified Fail(FailureReason reason, std::string message, int status) {
  Classified result;
  result.failure = Failure{reason, std::move(message), status};
  return result;
}

// The text the vendor sent as its reason: `message` when the body was a
// JSON object, else the raw start of the body (a non-JSON error page).
std::string_view ReasonText(const Exchange& exchange) {
  if (exchange.body.envelope.root_is_object) {
    return exchange.body.envelope.message;
  }
  return exchange.body_head;
}

bool MatchesAny(std::string_view text,
                const std::vector<std::string>& patterns) {
  return std::any_of(
      patterns.begin(), patterns.end(), [&](const std::string& pattern) {
        return !pattern.empty() && ContainsIgnoreCase(text, pattern);
      });
}

std::string_view ValueText(const rapidjson::Value* value) {
  if (value == nullptr || !value->IsString()) return {};
  return {value->GetString(), value->GetStringLength()};
}

const rapidjson::Value* Member(const rapidjson::Value& object,
                               const char* name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// Strings and (numbers-as-strings) numbers read as text; null as "".
std::string Text(const rapidjson::Value& object, const char* name) {
  return std::string(ValueText(Member(object, name)));
}

Envelope ReadEnvelope(const rapidjson::Value& root) {
  Envelope envelope;
  envelope.root_is_object = root.IsObject();
  if (!root.IsObject()) return envelope;
  const rapidjson::Value* status = Member(root, "status");
  if (status == nullptr || status->IsNull()) {
    envelope.status = Envelope::Status::kAbsent;
  } else if (status->IsBool()) {
    envelope.status = status->GetBool() ? Envelope::Status::kSuccess
                                        : Envelope::Status::kFailure;
  } else if (status->IsString()) {
    envelope.status = StatusFromText(ValueText(status));
  } else {
    envelope.status = Envelope::Status::kUnknown;
  }
  envelope.message = std::string(
      ValueText(Member(root, "message")).substr(0, kMaxMessageBytes));
  return envelope;
}

// Parses the body; on success *doc holds it and the envelope is read.
bool ParseDocument(std::string_view body, rapidjson::Document* doc,
                   BodyResult* result) {
  // Numbers as strings: ids above 2^53 must never become doubles.
  core::JsonLimits limits;
  limits.max_bytes = kMaxBufferedBody;
  if (std::string error = core::ParseJson(body, doc, limits); !error.empty()) {
    result->parse_error = error;
    return false;
  }
  result->envelope = ReadEnvelope(*doc);
  if (!doc->IsObject()) {
    result->parse_error = "response is not a JSON object";
    return false;
  }
  return true;
}

// The payload under `message` or `data` when it is an object or array
// (§6 documents `message`; scripts read `data`).
const rapidjson::Value* Payload(const rapidjson::Value& root) {
  for (const char* name : {"message", "data"}) {
    const rapidjson::Value* value = Member(root, name);
    if (value != nullptr && (value->IsObject() || value->IsArray())) {
      return value;
    }
  }
  return nullptr;
}

// "HH:MM:SS" or whole seconds of at most a day; null, absent and "" read
// as 0. Anything else is unknown (-1) and returns false.
bool ReadSeconds(const rapidjson::Value& object, const char* name,
                 int64_t* out) {
  std::string_view text = ValueText(Member(object, name));
  *out = 0;
  if (text.empty()) return true;
  std::optional<int64_t> seconds = ParseDuration(text);
  if (!seconds) seconds = core::ParseInt64(text);
  if (!seconds || *seconds < 0 || *seconds > kSecondsPerDay) {
    *out = -1;
    return false;
  }
  *out = *seconds;
  return true;
}

void ReadSummaryRow(const rapidjson::Value& row, SummaryRow* out,
                    int* invalid_fields) {
  out->agent_name = Text(row, "AgentName");
  out->agent_incr_id = Text(row, "AgentIncrID");
  out->agent_unique_id = Text(row, "AgentUniqueID");
  out->mode_type = Text(row, "ModeType");
  out->call_date = ParseDate(Text(row, "CallDate"));
  const std::array<std::pair<const char*, int64_t*>, 6> durations = {{
      {"TotalLoginDuration", &out->login},
      {"TotalBusyTime", &out->busy},
      {"TotalIdleTime", &out->idle},
      {"TotalPauseTime", &out->pause},
      {"TotalWrapupTime", &out->wrapup},
      {"TotalDialTime", &out->dial},
  }};
  for (const auto& [name, field] : durations) {
    // A garbled total must not publish as 0 (a regression of a per-day
    // counter) nor as a huge number: it stays unknown and is counted.
    if (!ReadSeconds(row, name, field)) ++*invalid_fields;
  }
}

}  // namespace

bool IsAuthMessage(std::string_view message) {
  static constexpr std::array<std::string_view, 6> kAuthMessages = {
      "Missing userName or apiKey", "userName or apiKey is Invalid",
      "Invalid userName or apiKey", "UserName is null",
      "apiKey should not be empty", "userName should not be empty"};
  return std::any_of(kAuthMessages.begin(), kAuthMessages.end(),
                     [&](std::string_view known) {
                       return ContainsIgnoreCase(message, known);
                     });
}

Envelope::Status StatusFromText(std::string_view text) {
  for (std::string_view ok : {"success", "true"}) {
    if (EqualsIgnoreCase(text, ok)) return Envelope::Status::kSuccess;
  }
  for (std::string_view bad : {"false", "fail", "failure", "error"}) {
    if (EqualsIgnoreCase(text, bad)) return Envelope::Status::kFailure;
  }
  return Envelope::Status::kUnknown;
}

Classified Classify(const Exchange& exchange,
                    const std::vector<std::string>& rate_limit_patterns) {
  const int status = exchange.http.status;
  const std::string_view text = ReasonText(exchange);
  const std::string message(text.substr(0, kMaxMessageBytes));
  if (status == 429 || MatchesAny(text, rate_limit_patterns)) {
    Classified result =
        Fail(FailureReason::kRateLimited,
             message.empty() ? WithStatus(status, "") : message, status);
    result.rate_limited = true;
    result.failure->retry_after = exchange.http.retry_after;
    return result;
  }
  // An abort we caused ourselves is explained by the parse error below.
  if (!exchange.http.error.empty() && !exchange.aborted_by_reader) {
    return Fail(exchange.http.timed_out ? FailureReason::kTimeout
                                        : FailureReason::kHttp,
                exchange.http.error, status);
  }
  if (exchange.body.no_data || exchange.body.stopped_by_reader) return {};
  if (ContainsIgnoreCase(text, "Token Expired")) {
    Classified result = Fail(FailureReason::kAuth, message, status);
    result.token_expired = true;
    return result;
  }
  if (status == 401 || status == 403 || IsAuthMessage(text)) {
    return Fail(FailureReason::kAuth,
                message.empty() ? WithStatus(status, "") : message, status);
  }
  if (!IsSuccessStatus(status)) {
    return Fail(FailureReason::kHttp, WithStatus(status, message), status);
  }
  const Envelope::Status envelope = exchange.body.envelope.status;
  if (envelope == Envelope::Status::kFailure ||
      envelope == Envelope::Status::kUnknown) {
    return Fail(FailureReason::kHttp,
                message.empty() ? "status is not success" : message, status);
  }
  if (!exchange.body.parse_error.empty()) {
    return Fail(FailureReason::kParse, exchange.body.parse_error, status);
  }
  if (envelope == Envelope::Status::kAbsent && !exchange.body.has_payload) {
    if (!message.empty()) return Fail(FailureReason::kHttp, message, status);
    return Fail(FailureReason::kParse, "response has neither status nor data",
                status);
  }
  return {};
}

Exchange BufferedExchange(
    Transport& transport, const HttpCall& call,
    const std::function<BodyResult(std::string_view body)>& parse) {
  Exchange exchange;
  std::string body;
  bool too_large = false;
  exchange.http = transport.Perform(call, [&](std::string_view chunk) {
    if (body.size() + chunk.size() > kMaxBufferedBody) {
      too_large = true;
      return false;
    }
    body.append(chunk);
    return true;
  });
  exchange.body_head = body.substr(0, kBodyHeadBytes);
  if (too_large) {
    exchange.aborted_by_reader = true;
    exchange.body.parse_error =
        "response larger than " + std::to_string(kMaxBufferedBody) + " bytes";
    return exchange;
  }
  exchange.body = parse(body);
  return exchange;
}

BodyResult ParseSummaryBody(std::string_view body,
                            std::vector<SummaryRow>* rows) {
  BodyResult result;
  rows->clear();
  rapidjson::Document doc;
  if (!ParseDocument(body, &doc, &result)) return result;
  // "No Data Found" means nobody logged in: zeros, and a successful poll.
  if (ContainsIgnoreCase(result.envelope.message, "No Data Found")) {
    result.no_data = true;
    return result;
  }
  const rapidjson::Value* payload = Payload(doc);
  if (payload == nullptr) return result;
  result.has_payload = true;
  auto read = [&](const rapidjson::Value& row) {
    if (!row.IsObject()) return;  // tolerate junk elements
    SummaryRow parsed;
    ReadSummaryRow(row, &parsed, &result.invalid_fields);
    rows->push_back(std::move(parsed));
  };
  if (payload->IsObject()) {
    read(*payload);
  } else {
    rows->reserve(payload->Size());
    for (const rapidjson::Value& row : payload->GetArray()) read(row);
  }
  return result;
}

BodyResult ParseAhtBody(std::string_view body, AhtValue* out) {
  BodyResult result;
  rapidjson::Document doc;
  if (!ParseDocument(body, &doc, &result)) return result;
  const rapidjson::Value* payload = Payload(doc);
  if (payload != nullptr && payload->IsArray()) {
    payload = payload->Empty() ? nullptr : &(*payload)[0];
  }
  if (payload == nullptr || !payload->IsObject()) return result;
  result.has_payload = true;
  const bool campaign = Member(*payload, "CampaignID") != nullptr ||
                        Member(*payload, "CampaignName") != nullptr;
  out->id = Text(*payload, campaign ? "CampaignID" : "AgentID");
  out->name = Text(*payload, campaign ? "CampaignName" : "AgentName");
  std::optional<int64_t> seconds =
      ParseDuration(ValueText(Member(*payload, "AHT")));
  if (!seconds || *seconds > kMaxRecordDuration) {
    result.parse_error = "missing or invalid AHT";
    return result;
  }
  out->seconds = *seconds;
  return result;
}

BodyResult ParseAgentDetailsBody(std::string_view body, std::string* agent_id,
                                 std::string* status) {
  BodyResult result;
  rapidjson::Document doc;
  if (!ParseDocument(body, &doc, &result)) return result;
  const rapidjson::Value* payload = Payload(doc);
  if (payload != nullptr && payload->IsArray()) {
    payload = payload->Empty() ? nullptr : &(*payload)[0];
  }
  if (payload == nullptr || !payload->IsObject()) return result;
  result.has_payload = true;
  *agent_id = Text(*payload, "AgentID");
  *status = Text(*payload, "Status");
  if (status->empty() || status->size() > 64) {
    result.parse_error = "missing or invalid Status";
  }
  return result;
}

BodyResult ParseTokenBody(std::string_view body, std::string* token) {
  BodyResult result;
  rapidjson::Document doc;
  if (!ParseDocument(body, &doc, &result)) return result;
  *token = std::string(ValueText(Member(doc, "token")));
  result.has_payload = !token->empty();
  if (!result.has_payload &&
      result.envelope.status == Envelope::Status::kSuccess) {
    result.parse_error = "token response without a token";
  }
  return result;
}

}  // namespace callcenter::ozonetel::detail
