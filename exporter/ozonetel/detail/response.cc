#include "ozonetel/detail/response.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <array>
#include <bitset>
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

// "HH:MM:SS" or whole seconds of at most a day; "" (absent, null or not
// text) reads as 0. Anything else is unknown (-1) and returns false.
bool ReadSeconds(std::string_view text, int64_t* out) {
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

// The summaryReport row fields the metrics use.
enum SummaryField {
  kAgentName,
  kAgentIncrId,
  kAgentUniqueId,
  kModeType,
  kCallDate,
  kLoginDuration,
  kBusyTime,
  kIdleTime,
  kPauseTime,
  kWrapupTime,
  kDialTime,
  kSummaryFields
};
constexpr std::array<std::string_view, kSummaryFields> kSummaryFieldNames = {
    "AgentName",      "AgentIncrID",        "AgentUniqueID", "ModeType",
    "CallDate",       "TotalLoginDuration", "TotalBusyTime", "TotalIdleTime",
    "TotalPauseTime", "TotalWrapupTime",    "TotalDialTime"};

// One row's field texts as read: a value that is not a string (or a
// number, read as its text) counts as "".
using SummaryRowTexts = std::array<std::string, kSummaryFields>;

SummaryRow ReadSummaryRow(const SummaryRowTexts& texts, int* invalid_fields) {
  SummaryRow row;
  row.agent_name = texts[kAgentName];
  row.agent_incr_id = texts[kAgentIncrId];
  row.agent_unique_id = texts[kAgentUniqueId];
  row.mode_type = texts[kModeType];
  row.call_date = ParseDate(texts[kCallDate]);
  const std::array<std::pair<SummaryField, int64_t*>, 6> durations = {{
      {kLoginDuration, &row.login},
      {kBusyTime, &row.busy},
      {kIdleTime, &row.idle},
      {kPauseTime, &row.pause},
      {kWrapupTime, &row.wrapup},
      {kDialTime, &row.dial},
  }};
  for (const auto& [field, value] : durations) {
    // A garbled total must not publish as 0 (a regression of a per-day
    // counter) nor as a huge number: it stays unknown and is counted.
    if (!ReadSeconds(texts[field], value)) ++*invalid_fields;
  }
  return row;
}

// Reads a summaryReport answer from the parser's events into its envelope
// and rows, without a DOM: at 20,000 agents the answer is megabytes, and a
// tree of it would cost more again. It reads what the DOM lookups it
// replaced read: a key's first occurrence counts, and the rows are those
// under `message` when it is an object or an array, else under `data`
// (§6); a payload object is one row, a payload array's objects are rows
// and its other elements are skipped.
class SummaryReader {
 public:
  using Ch = char;
  using SizeType = rapidjson::SizeType;

  explicit SummaryReader(BodyResult* result) : result_(result) {}

  bool Null() { return Scalar(Kind::kNull, {}); }
  bool Bool(bool value) {
    return Scalar(value ? Kind::kTrue : Kind::kFalse, {});
  }
  // With numbers read as strings only RawNumber is called; the rest are
  // there for the reader's other instantiations.
  bool Int(int /*value*/) { return Scalar(Kind::kOther, {}); }
  bool Uint(unsigned /*value*/) { return Scalar(Kind::kOther, {}); }
  bool Int64(int64_t /*value*/) { return Scalar(Kind::kOther, {}); }
  bool Uint64(uint64_t /*value*/) { return Scalar(Kind::kOther, {}); }
  bool Double(double /*value*/) { return Scalar(Kind::kOther, {}); }
  bool RawNumber(const Ch* text, SizeType length, bool /*copy*/) {
    return Scalar(Kind::kText, {text, length});
  }
  bool String(const Ch* text, SizeType length, bool /*copy*/) {
    return Scalar(Kind::kText, {text, length});
  }
  bool Key(const Ch* text, SizeType length, bool /*copy*/);
  bool StartObject() { return Open(/*is_object=*/true); }
  bool EndObject(SizeType /*members*/) { return Close(); }
  bool StartArray() { return Open(/*is_object=*/false); }
  bool EndArray(SizeType /*elements*/) { return Close(); }

  // The rows of the payload, if there is one (has_payload is set); false
  // when it held more than kMaxSummaryRows rows.
  bool TakeRows(std::vector<SummaryRow>* rows);

 private:
  enum class Kind { kNull, kTrue, kFalse, kText, kOther };
  // The root members read, and the two payload candidates' indexes.
  enum RootKey { kStatus = 0, kMessage = 1, kData = 2, kRootKeys, kNoKey };

  bool Scalar(Kind kind, std::string_view text);
  bool Open(bool is_object);
  bool Close();
  void ReadStatus(Kind kind, std::string_view text);
  void FinishRow();

  BodyResult* result_;
  int depth_ = 0;  // containers open
  RootKey root_key_ = kNoKey;
  std::array<bool, kRootKeys> root_key_seen_{};
  // Per candidate (message, data): seen as an object or array, its rows,
  // and whether it had more than the cap (the rest were not kept).
  std::array<bool, 2> is_payload_{};
  std::array<std::vector<SummaryRow>, 2> rows_;
  std::array<int, 2> invalid_fields_{};
  std::array<bool, 2> too_many_rows_{};
  // The payload being read and the row within it.
  RootKey payload_ = kNoKey;
  bool payload_is_array_ = false;
  int row_depth_ = 0;  // 0: not in a row
  int field_ = -1;     // the row member being read, -1 when not a field
  SummaryRowTexts row_;
  std::bitset<kSummaryFields> row_seen_;
};

bool SummaryReader::Key(const Ch* text, SizeType length, bool /*copy*/) {
  const std::string_view key(text, length);
  if (depth_ == 1) {
    root_key_ = kNoKey;
    constexpr std::array<std::string_view, kRootKeys> kNames = {
        "status", "message", "data"};
    for (int k = 0; k < kRootKeys; ++k) {
      if (key == kNames[k] && !root_key_seen_[k]) {
        root_key_seen_[k] = true;
        root_key_ = static_cast<RootKey>(k);
      }
    }
  } else if (row_depth_ != 0 && depth_ == row_depth_) {
    field_ = -1;
    for (int f = 0; f < kSummaryFields; ++f) {
      if (key == kSummaryFieldNames[f] && !row_seen_[f]) {
        row_seen_[f] = true;
        field_ = f;
      }
    }
  }
  return true;
}

bool SummaryReader::Scalar(Kind kind, std::string_view text) {
  if (depth_ == 1) {
    if (root_key_ == kStatus) ReadStatus(kind, text);
    if (root_key_ == kMessage && kind == Kind::kText) {
      result_->envelope.message = std::string(text.substr(0, kMaxMessageBytes));
    }
  } else if (row_depth_ != 0 && depth_ == row_depth_ && field_ >= 0 &&
             kind == Kind::kText) {
    row_[field_].assign(text);
  }
  return true;
}

void SummaryReader::ReadStatus(Kind kind, std::string_view text) {
  using Status = Envelope::Status;
  switch (kind) {
    case Kind::kNull:
      result_->envelope.status = Status::kAbsent;
      break;
    case Kind::kTrue:
      result_->envelope.status = Status::kSuccess;
      break;
    case Kind::kFalse:
      result_->envelope.status = Status::kFailure;
      break;
    case Kind::kText:
      result_->envelope.status = StatusFromText(text);
      break;
    case Kind::kOther:
      result_->envelope.status = Status::kUnknown;
      break;
  }
}

bool SummaryReader::Open(bool is_object) {
  if (depth_ == 0) {
    result_->envelope.root_is_object = is_object;
  } else if (depth_ == 1) {
    if (root_key_ == kStatus) ReadStatus(Kind::kOther, {});
    if (root_key_ == kMessage || root_key_ == kData) {
      payload_ = root_key_;
      payload_is_array_ = !is_object;
      is_payload_[payload_ - kMessage] = true;
      if (is_object) row_depth_ = 2;  // the payload is the row
    }
  } else if (depth_ == 2 && payload_ != kNoKey && payload_is_array_ &&
             is_object) {
    row_depth_ = 3;
  }
  if (row_depth_ == depth_ + 1) {
    for (std::string& text : row_) text.clear();
    row_seen_.reset();
    field_ = -1;
  }
  ++depth_;
  return true;
}

bool SummaryReader::Close() {
  if (row_depth_ != 0 && depth_ == row_depth_) {
    FinishRow();
    row_depth_ = 0;
  }
  --depth_;
  if (depth_ == 1) payload_ = kNoKey;
  return true;
}

// The parse goes on past the cap: the candidate may not be the payload
// (message before data), or the answer may say "No Data Found".
void SummaryReader::FinishRow() {
  const int candidate = payload_ - kMessage;
  if (rows_[candidate].size() >= kMaxSummaryRows) {
    too_many_rows_[candidate] = true;
    return;
  }
  rows_[candidate].push_back(ReadSummaryRow(row_, &invalid_fields_[candidate]));
}

bool SummaryReader::TakeRows(std::vector<SummaryRow>* rows) {
  for (int candidate = 0; candidate < 2; ++candidate) {
    if (is_payload_[candidate]) {
      result_->has_payload = true;
      if (too_many_rows_[candidate]) return false;
      result_->invalid_fields = invalid_fields_[candidate];
      *rows = std::move(rows_[candidate]);
      return true;
    }
  }
  return true;
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
  SummaryReader reader(&result);
  core::JsonLimits limits;
  limits.max_bytes = kMaxBufferedBody;
  if (std::string error = core::ParseJsonEvents(body, reader, limits);
      !error.empty()) {
    result = BodyResult{};
    result.parse_error = std::move(error);
    return result;
  }
  if (!result.envelope.root_is_object) {
    result.parse_error = "response is not a JSON object";
    return result;
  }
  // "No Data Found" means nobody logged in: zeros, and a successful poll.
  if (ContainsIgnoreCase(result.envelope.message, "No Data Found")) {
    result.no_data = true;
    return result;
  }
  if (!reader.TakeRows(rows)) {
    result.parse_error =
        "more than " + std::to_string(kMaxSummaryRows) + " rows";
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
