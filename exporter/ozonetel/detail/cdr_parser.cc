#include "ozonetel/detail/cdr_parser.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <array>
#include <bit>
#include <charconv>
#include <exception>
#include <utility>

#include "callcenter/common/strings.h"
#include "callcenter/common/timeutil.h"
#include "core/day_ledger.h"

namespace callcenter::ozonetel::detail {
namespace {

enum RootKey { kOther = 0, kStatus, kMessage, kRecords };

enum Field {
  kIgnored = 0,
  kCallId,
  kCallDate,
  kStartTime,
  kEndTime,
  kWrapUpEndTime,
  kAgentId,
  kAgentName,
  kCampaign,
  kType,
  kStatusField,
  kDisposition,
  kDuration,
  kTalk,
  kHold,
  kWrapup,
  kHandling,
  kQueueTime,
  kTimeToAnswer,
};

// The bytes that end a run of plain string content: a quote, a backslash,
// or a control character (an error).
constexpr std::array<bool, 256> kStringStops = [] {
  std::array<bool, 256> stops{};
  for (int c = 0; c < 0x20; ++c) stops[c] = true;
  stops['"'] = stops['\\'] = true;
  return stops;
}();

// The offset of the first string stop at or after `i`, or the chunk's
// size. Most of a body is string content: sixteen bytes are checked at a
// time where SSE2 is there (every x86-64), the rest one table look-up each.
size_t FindStringStop(std::string_view chunk, size_t i) {
  const size_t n = chunk.size();
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i last_control = _mm_set1_epi8(0x1f);
  for (; i + 16 <= n; i += 16) {
    const __m128i bytes = _mm_loadu_si128(
        reinterpret_cast<const __m128i*>(chunk.data() + i));  // NOLINT
    // Unsigned c <= 0x1f exactly when max(c, 0x1f) == 0x1f.
    const __m128i control =
        _mm_cmpeq_epi8(_mm_max_epu8(bytes, last_control), last_control);
    const __m128i stops =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, quote),
                                  _mm_cmpeq_epi8(bytes, backslash)),
                     control);
    const int mask = _mm_movemask_epi8(stops);
    if (mask != 0)
      return i +
             static_cast<size_t>(std::countr_zero(static_cast<unsigned>(mask)));
  }
#endif
  while (i < n && !kStringStops[static_cast<unsigned char>(chunk[i])]) ++i;
  return i;
}

// The longest key worth reading in full: every known key is shorter.
constexpr size_t kMaxKeyBytes = 32;
constexpr size_t kMaxStatusBytes = 64;

RootKey RootKeyFrom(std::string_view key) {
  if (key == "status") return kStatus;
  if (key == "message") return kMessage;
  // §4.3 documents `details`; `data` is accepted the way §6 accepts it.
  if (key == "details" || key == "data") return kRecords;
  return kOther;
}

Field FieldFromKey(std::string_view key) {
  // Exact spellings of §4.4 (note HoldDuration, WrapupDuration, WrapUpEndTime).
  static constexpr std::array<std::pair<std::string_view, Field>, 18> kFields{{
      {"CallID", kCallId},
      {"CallDate", kCallDate},
      {"StartTime", kStartTime},
      {"EndTime", kEndTime},
      {"WrapUpEndTime", kWrapUpEndTime},
      {"AgentID", kAgentId},
      {"AgentName", kAgentName},
      {"CampaignName", kCampaign},
      {"Type", kType},
      {"Status", kStatusField},
      {"Disposition", kDisposition},
      {"Duration", kDuration},
      {"TalkTime", kTalk},
      {"HoldDuration", kHold},
      {"WrapupDuration", kWrapup},
      {"HandlingTime", kHandling},
      {"QueueTime", kQueueTime},
      {"TimeToAnswer", kTimeToAnswer},
  }};
  // Every key of every record comes through here: only the names of the
  // key's length are compared (one bit per name, by length).
  static constexpr std::array<uint32_t, kMaxKeyBytes + 1> kByLength = [] {
    std::array<uint32_t, kMaxKeyBytes + 1> by_length{};
    for (size_t i = 0; i < kFields.size(); ++i) {
      by_length[kFields[i].first.size()] |= uint32_t{1} << i;
    }
    return by_length;
  }();
  if (key.size() > kMaxKeyBytes) return kIgnored;
  for (uint32_t names = kByLength[key.size()]; names != 0; names &= names - 1) {
    const auto& [name, field] =
        kFields[static_cast<size_t>(std::countr_zero(names))];
    if (name == key) return field;
  }
  return kIgnored;
}

bool IsWhitespace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// A scalar as the record sees it: nullopt text for JSON null.
struct Scalar {
  std::optional<std::string_view> text;
  bool is_number = false;
};

// Durations are "H+:MM:SS"; a bare whole number is taken as seconds.
std::optional<int64_t> ParseSeconds(const Scalar& value) {
  if (!value.text || value.text->empty()) return std::nullopt;
  const std::string_view text = *value.text;
  std::optional<int64_t> seconds;
  if (value.is_number) {
    int64_t parsed = 0;
    auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec == std::errc() && end == text.data() + text.size()) seconds = parsed;
  } else {
    seconds = ParseDuration(text);
  }
  if (!seconds || *seconds < 0 || *seconds > kMaxRecordDuration) {
    return std::nullopt;
  }
  return seconds;
}

void SetSeconds(const Scalar& value, int64_t* out, int* invalid) {
  const std::optional<int64_t> seconds = ParseSeconds(value);
  *out = seconds.value_or(0);
  if (!seconds) ++*invalid;
}

template <typename T, typename Parse>
void SetOptional(const Scalar& value, Parse parse, std::optional<T>* out,
                 int* invalid) {
  *out = std::nullopt;
  if (!value.text || value.text->empty()) return;
  *out = parse(*value.text);
  if (!*out) ++*invalid;
}

void Assign(int field, const Scalar& value, CdrRecord* record) {
  const std::string_view text = value.text.value_or(std::string_view());
  int* invalid = &record->invalid_fields;
  switch (static_cast<Field>(field)) {
    case kIgnored:
      return;
    case kCallId:
      if (text.empty()) {
        record->call_id.reset();
      } else {
        record->call_id = core::CompactId(text);
      }
      return;
    case kWrapUpEndTime: {
      std::optional<int64_t> time;
      SetOptional(value, ParseTimeOfDay, &time, invalid);
      record->has_wrapup_end = time.has_value();
      return;
    }
    case kAgentId:
      record->agent_id.assign(text);
      return;
    case kAgentName:
      record->agent_name.assign(text);
      return;
    case kCampaign:
      record->campaign.assign(text);
      return;
    case kType:
      record->inbound = EqualsIgnoreCase(text, "inbound");
      return;
    case kStatusField:
      record->answered = EqualsIgnoreCase(text, "answered");
      return;
    case kDisposition:
      record->disposition.assign(text);
      return;
    case kCallDate:
      SetOptional(value, ParseDate, &record->call_date, invalid);
      return;
    case kStartTime:
      SetOptional(value, ParseTimeOfDay, &record->start_time, invalid);
      return;
    case kEndTime:
      SetOptional(value, ParseTimeOfDay, &record->end_time, invalid);
      return;
    case kDuration:
      SetSeconds(value, &record->duration, invalid);
      return;
    case kTalk:
      SetSeconds(value, &record->talk, invalid);
      return;
    case kHold:
      SetSeconds(value, &record->hold, invalid);
      return;
    case kWrapup:
      SetSeconds(value, &record->wrapup, invalid);
      return;
    case kHandling:
      SetSeconds(value, &record->handling, invalid);
      return;
    case kQueueTime:
      SetSeconds(value, &record->queue_time, invalid);
      return;
    case kTimeToAnswer:
      SetSeconds(value, &record->time_to_answer, invalid);
      return;
  }
}

// Number grammar (RFC 8259 §6) states.
enum NumberState : uint8_t {
  kNumStart,
  kNumMinus,
  kNumZero,  // terminal
  kNumInt,   // terminal
  kNumDot,
  kNumFraction,  // terminal
  kNumE,
  kNumESign,
  kNumExponent,  // terminal
};

// The next number state after `c`, or kNumStart when `c` ends the number.
// `*error` is set when `c` cannot follow.
uint8_t NextNumberState(uint8_t state, char c, bool* error) {
  const bool digit = c >= '0' && c <= '9';
  switch (state) {
    case kNumStart:
      if (c == '-') return kNumMinus;
      [[fallthrough]];
    case kNumMinus:
      if (c == '0') return kNumZero;
      if (digit) return kNumInt;
      break;
    case kNumZero:
    case kNumInt:
      if (digit && state == kNumInt) return kNumInt;
      if (c == '.') return kNumDot;
      if (c == 'e' || c == 'E') return kNumE;
      return kNumStart;  // the number ended
    case kNumDot:
      if (digit) return kNumFraction;
      break;
    case kNumFraction:
      if (digit) return kNumFraction;
      if (c == 'e' || c == 'E') return kNumE;
      return kNumStart;
    case kNumE:
      if (c == '+' || c == '-') return kNumESign;
      [[fallthrough]];
    case kNumESign:
      if (digit) return kNumExponent;
      break;
    case kNumExponent:
      if (digit) return kNumExponent;
      return kNumStart;
    default:
      break;
  }
  *error = true;
  return kNumStart;
}

}  // namespace

CdrParser::CdrParser(RecordSink on_record, CdrParserLimits limits)
    : on_record_(std::move(on_record)), limits_(limits) {
  // One bit per level in object_bits_.
  if (limits_.max_depth > 64 || limits_.max_depth < 1) limits_.max_depth = 64;
}

bool CdrParser::InObject() const {
  return depth_ > 0 && ((object_bits_ >> (depth_ - 1)) & 1) != 0;
}

bool CdrParser::Fail(std::string reason) {
  if (state_ != State::kError) {
    state_ = State::kError;
    result_.parse_error =
        std::move(reason) + " at offset " + std::to_string(position_);
  }
  return false;
}

bool CdrParser::Feed(std::string_view chunk) {
  const size_t base = bytes_;
  bytes_ += chunk.size();
  size_t i = 0;
  while (i < chunk.size()) {
    position_ = base + i;
    switch (state_) {
      case State::kString:
        i = FeedString(chunk, i);
        break;
      case State::kNumber:
        i = FeedNumber(chunk, i);
        break;
      case State::kEscape: {
        const char c = chunk[i++];
        state_ = State::kString;
        switch (c) {
          case '"':
          case '\\':
          case '/':
            AppendCaptured(std::string_view(&c, 1));
            break;
          case 'b':
            AppendCaptured("\b");
            break;
          case 'f':
            AppendCaptured("\f");
            break;
          case 'n':
            AppendCaptured("\n");
            break;
          case 'r':
            AppendCaptured("\r");
            break;
          case 't':
            AppendCaptured("\t");
            break;
          case 'u':
            state_ = State::kUnicode;
            unicode_ = 0;
            unicode_digits_ = 0;
            break;
          default:
            Fail("invalid escape in string");
        }
        break;
      }
      case State::kUnicode:
        HexDigit(chunk[i++]);
        break;
      case State::kLiteral:
        if (chunk[i++] != literal_[literal_pos_++]) {
          Fail("invalid literal");
        } else if (literal_pos_ == literal_.size()) {
          EndScalar(false, literal_is_null_);
        }
        break;
      case State::kError:
        return false;
      default:
        Structural(chunk[i++]);
    }
    if (state_ == State::kError) return false;
  }
  return state_ != State::kError;  // an empty chunk after a failure
}

size_t CdrParser::FeedString(std::string_view chunk, size_t i) {
  const size_t start = i;
  const size_t n = chunk.size();
  i = FindStringStop(chunk, i);
  const bool whole = string_fresh_ && i < n && chunk[i] == '"';
  string_fresh_ = false;
  if (whole && capture_ != Capture::kNone && i - start <= capture_limit_) {
    // The whole string lies in this chunk and has no escape: it is read
    // where it lies instead of being copied into token_.
    position_ += i - start;
    in_chunk_ = chunk.substr(start, i - start);
    reading_in_chunk_ = true;
    if (in_chunk_.size() > peak_buffered_) peak_buffered_ = in_chunk_.size();
    EndString();
    reading_in_chunk_ = false;
    return i + 1;
  }
  AppendCaptured(chunk.substr(start, i - start));
  if (i == n || state_ == State::kError) return n;
  const char c = chunk[i];
  position_ += i - start;
  if (c < 0x20 && c >= 0) {
    Fail("control character in string");
    return n;
  }
  ++i;
  if (c == '\\') {
    state_ = State::kEscape;
  } else {
    EndString();
  }
  return i;
}

size_t CdrParser::FeedNumber(std::string_view chunk, size_t i) {
  const size_t start = i;
  const size_t n = chunk.size();
  while (i < n) {
    bool error = false;
    const uint8_t next = NextNumberState(number_state_, chunk[i], &error);
    if (error) {
      AppendCaptured(chunk.substr(start, i - start));
      position_ += i - start;
      Fail("invalid number");
      return n;
    }
    if (next == kNumStart) {
      // The number ended at a delimiter that belongs to the structure.
      AppendCaptured(chunk.substr(start, i - start));
      if (state_ == State::kError) return n;  // too long: stay failed
      EndScalar(true, false);
      return i;
    }
    number_state_ = next;
    ++i;
  }
  AppendCaptured(chunk.substr(start));
  return n;
}

bool CdrParser::HexDigit(char c) {
  uint32_t digit = 0;
  if (c >= '0' && c <= '9') {
    digit = static_cast<uint32_t>(c - '0');
  } else if (c >= 'a' && c <= 'f') {
    digit = static_cast<uint32_t>(c - 'a' + 10);
  } else if (c >= 'A' && c <= 'F') {
    digit = static_cast<uint32_t>(c - 'A' + 10);
  } else {
    return Fail("invalid \\u escape");
  }
  unicode_ = (unicode_ << 4) | digit;
  if (++unicode_digits_ < 4) return true;
  state_ = State::kString;
  if (capture_ == Capture::kNone) return true;
  const uint32_t code = unicode_;
  if (code >= 0xD800 && code <= 0xDBFF) {
    if (high_surrogate_ != 0) AppendCodePoint(0xFFFD);
    high_surrogate_ = code;
  } else if (code >= 0xDC00 && code <= 0xDFFF) {
    if (high_surrogate_ == 0) {
      AppendCodePoint(0xFFFD);
    } else {
      const uint32_t combined =
          0x10000 + ((high_surrogate_ - 0xD800) << 10) + (code - 0xDC00);
      high_surrogate_ = 0;
      AppendCodePoint(combined);
    }
  } else {
    AppendCodePoint(code);
  }
  return true;
}

void CdrParser::AppendCodePoint(uint32_t code) {
  char buffer[4];
  size_t length = 0;
  if (code < 0x80) {
    buffer[length++] = static_cast<char>(code);
  } else if (code < 0x800) {
    buffer[length++] = static_cast<char>(0xC0 | (code >> 6));
    buffer[length++] = static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    buffer[length++] = static_cast<char>(0xE0 | (code >> 12));
    buffer[length++] = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    buffer[length++] = static_cast<char>(0x80 | (code & 0x3F));
  } else {
    buffer[length++] = static_cast<char>(0xF0 | (code >> 18));
    buffer[length++] = static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    buffer[length++] = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    buffer[length++] = static_cast<char>(0x80 | (code & 0x3F));
  }
  AppendCaptured(std::string_view(buffer, length));
}

void CdrParser::AppendCaptured(std::string_view piece) {
  if (capture_ == Capture::kNone || token_overflow_ || piece.empty()) return;
  if (high_surrogate_ != 0 && (piece.size() != 3 || piece != "\xEF\xBF\xBD")) {
    // A high surrogate not followed by a low one.
    high_surrogate_ = 0;
    AppendCodePoint(0xFFFD);
  }
  if (token_.size() + piece.size() > capture_limit_) {
    if (!truncate_) {
      // position_ is where `piece` starts: name the first byte past the
      // limit, so the offset does not depend on where the chunks were cut.
      position_ += capture_limit_ - token_.size();
      Fail("a record field longer than " +
           std::to_string(limits_.max_field_bytes) + " bytes");
      return;
    }
    token_.append(piece.substr(0, capture_limit_ - token_.size()));
    token_overflow_ = true;
  } else {
    token_.append(piece);
  }
  if (token_.size() > peak_buffered_) peak_buffered_ = token_.size();
}

bool CdrParser::Structural(char c) {
  if (IsWhitespace(c)) return true;
  switch (state_) {
    case State::kValue:
    case State::kArrayFirst:
      if (state_ == State::kArrayFirst && c == ']')
        return CloseContainer(false);
      return StartValue(c);
    case State::kKeyOrClose:
      if (c == '}') return CloseContainer(true);
      [[fallthrough]];
    case State::kKey:
      if (c != '"') return Fail("expected a key");
      capture_ = Capture::kNone;
      if (depth_ == 1) capture_ = Capture::kRootKey;
      if (depth_ == 3 && in_record_) capture_ = Capture::kRecordKey;
      capture_limit_ = kMaxKeyBytes;
      truncate_ = true;
      after_string_ = State::kColon;
      state_ = State::kString;
      string_fresh_ = true;
      return true;
    case State::kColon:
      if (c != ':') return Fail("expected ':'");
      state_ = State::kValue;
      return true;
    case State::kCommaOrClose:
      if (c == ',') {
        state_ = InObject() ? State::kKey : State::kValue;
        return true;
      }
      if (c == '}') return CloseContainer(true);
      if (c == ']') return CloseContainer(false);
      return Fail("expected ',' or a closing bracket");
    case State::kDone:
      return Fail("characters after the document");
    default:
      return Fail("parser state");
  }
}

bool CdrParser::StartValue(char c) {
  if (depth_ == 0 && c != '{') {
    result_.envelope.root_is_object = false;
    return Fail("response is not a JSON object");
  }
  if (c == '{') return OpenContainer(true);
  if (c == '[') return OpenContainer(false);
  // A scalar: decide whether it is kept.
  capture_ = Capture::kNone;
  truncate_ = false;
  if (depth_ == 1 && (root_key_ == kStatus || root_key_ == kMessage)) {
    capture_ = Capture::kValue;
    truncate_ = true;
    capture_limit_ = root_key_ == kStatus ? kMaxStatusBytes : kMaxMessageBytes;
  } else if (depth_ == 3 && in_record_ && field_ != kIgnored) {
    capture_ = Capture::kValue;
    capture_limit_ = limits_.max_field_bytes;
  }
  if (c == '"') {
    after_string_ = State::kCommaOrClose;
    state_ = State::kString;
    string_fresh_ = true;
    return true;
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    bool error = false;
    number_state_ = NextNumberState(kNumStart, c, &error);
    state_ = State::kNumber;
    AppendCaptured(std::string_view(&c, 1));
    return true;
  }
  literal_pos_ = 1;
  literal_is_null_ = c == 'n';
  if (c == 't') {
    literal_ = "true";
  } else if (c == 'f') {
    literal_ = "false";
  } else if (c == 'n') {
    literal_ = "null";
  } else {
    return Fail("invalid value");
  }
  state_ = State::kLiteral;
  return true;
}

bool CdrParser::OpenContainer(bool is_object) {
  if (depth_ >= limits_.max_depth) {
    return Fail("nested deeper than " + std::to_string(limits_.max_depth));
  }
  if (is_object) {
    object_bits_ |= uint64_t{1} << depth_;
  } else {
    object_bits_ &= ~(uint64_t{1} << depth_);
  }
  ++depth_;
  if (depth_ == 1) result_.envelope.root_is_object = true;
  if (depth_ == 2 && !is_object && root_key_ == kRecords) {
    in_records_ = true;
    result_.has_payload = true;
  }
  if (depth_ == 3 && is_object && in_records_) {
    in_record_ = true;
    record_ = CdrRecord();
    field_ = kIgnored;
  }
  state_ = is_object ? State::kKeyOrClose : State::kArrayFirst;
  return true;
}

bool CdrParser::CloseContainer(bool is_object) {
  if (depth_ == 0 || InObject() != is_object) {
    return Fail("mismatched closing bracket");
  }
  if (depth_ == 3 && in_record_) {
    in_record_ = false;
    ++records_;
    if (!on_record_(std::move(record_))) {
      result_.stopped_by_reader = true;
      return Fail("stopped by the record reader");
    }
  }
  if (depth_ == 2 && in_records_) in_records_ = false;
  --depth_;
  state_ = depth_ == 0 ? State::kDone : State::kCommaOrClose;
  return true;
}

void CdrParser::EndString() {
  if (high_surrogate_ != 0) {
    high_surrogate_ = 0;
    AppendCodePoint(0xFFFD);
  }
  if (after_string_ == State::kColon) {
    if (capture_ == Capture::kRootKey) {
      root_key_ = token_overflow_ ? kOther : RootKeyFrom(Captured());
    } else if (capture_ == Capture::kRecordKey) {
      field_ = token_overflow_ ? kIgnored : FieldFromKey(Captured());
    }
    capture_ = Capture::kNone;
    token_.clear();
    token_overflow_ = false;
    state_ = State::kColon;
    return;
  }
  EndScalar(false, false);
}

void CdrParser::EndScalar(bool is_number, bool is_null) {
  if (capture_ == Capture::kValue) {
    Scalar value;
    value.is_number = is_number;
    if (!is_null) {
      value.text = state_ == State::kLiteral ? literal_ : Captured();
    }
    if (depth_ == 1) {
      if (root_key_ == kStatus) {
        result_.envelope.status =
            is_null ? Envelope::Status::kAbsent : StatusFromText(*value.text);
      } else if (root_key_ == kMessage && !is_null && !is_number &&
                 state_ != State::kLiteral) {
        result_.envelope.message = std::string(Captured());
      }
    } else {
      Assign(field_, value, &record_);
    }
  }
  capture_ = Capture::kNone;
  token_.clear();
  token_overflow_ = false;
  state_ = State::kCommaOrClose;
}

BodyResult CdrParser::Finish() {
  if (state_ != State::kError && state_ != State::kDone) {
    position_ = bytes_;
    Fail(bytes_ == 0 ? "empty body" : "the body ended inside the document");
  }
  BodyResult result = result_;
  return result;
}

BodyResult ParseCdrBody(std::string_view body,
                        const CdrParser::RecordSink& on_record,
                        CdrParserLimits limits) {
  CdrParser parser(on_record, limits);
  parser.Feed(body);
  return parser.Finish();
}

Exchange StreamCdrExchange(Transport& transport, const HttpCall& call,
                           const CdrParser::RecordSink& on_record,
                           CdrParserLimits limits) {
  Exchange exchange;
  CdrParser parser(on_record, limits);
  bool parsing = true;
  std::exception_ptr thrown;
  exchange.http = transport.Perform(call, [&](std::string_view chunk) {
    if (exchange.body_head.size() < kBodyHeadBytes) {
      exchange.body_head.append(
          chunk.substr(0, kBodyHeadBytes - exchange.body_head.size()));
    }
    if (parsing) {
      // The record sink runs inside libcurl's callback: an exception must
      // not unwind through C code. Keep it and rethrow after the transfer.
      try {
        parsing = parser.Feed(chunk);
      } catch (...) {
        thrown = std::current_exception();
        return false;
      }
    }
    // After the parser gave up (a non-JSON error page), read on until the
    // head is full: it may hold the reason, e.g. a rate-limit notice.
    if (!parsing && exchange.body_head.size() >= kBodyHeadBytes) {
      exchange.aborted_by_reader = true;
      return false;
    }
    return true;
  });
  if (thrown) std::rethrow_exception(thrown);
  exchange.body = parser.Finish();
  return exchange;
}

}  // namespace callcenter::ozonetel::detail
