// A push parser for the fetchCDRDetails body. libcurl's write callback
// hands it each chunk as it arrives; it emits each record the moment its
// closing brace is read, so memory stays flat however large the day.
//
// It is a JSON tokenizer written for this one document rather than a
// general parser: it validates the whole body (RFC 8259 syntax, nesting at
// most `max_depth`), but materialises only the envelope's status and
// message and the twenty record fields the metrics use. Everything else,
// however long (a recording URL, a 512 MiB string), is scanned and
// dropped without being copied. A used field longer than `max_field_bytes`
// fails the body. Numbers and durations are parsed in place; the 17-digit
// ids become exact 64-bit values.
#ifndef CALLCENTER_OZONETEL_DETAIL_CDR_PARSER_H_
#define CALLCENTER_OZONETEL_DETAIL_CDR_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "ozonetel/detail/response.h"
#include "ozonetel/records.h"

namespace callcenter::ozonetel::detail {

struct CdrParserLimits {
  size_t max_field_bytes = size_t{64} * 1024;
  int max_depth = 64;  // at most 64
};

class CdrParser {
 public:
  // Returns false to stop parsing (the body then fails as "stopped").
  using RecordSink = std::function<bool(CdrRecord&&)>;

  explicit CdrParser(RecordSink on_record, CdrParserLimits limits = {});

  // Parses the next piece of the body. Returns false once the body is known
  // to be invalid; the transfer can stop there.
  bool Feed(std::string_view chunk);
  // The body ended; returns what it held.
  BodyResult Finish();

  size_t records() const { return records_; }
  size_t bytes() const { return bytes_; }
  // The most bytes the parser held at once (captured values and keys).
  size_t peak_buffered_bytes() const { return peak_buffered_; }

 private:
  enum class State : uint8_t {
    kValue,         // a value is expected
    kArrayFirst,    // after '[': a value or ']'
    kKeyOrClose,    // after '{': a key or '}'
    kKey,           // after ',' in an object: a key
    kColon,         // after a key
    kCommaOrClose,  // after a value
    kString,
    kEscape,
    kUnicode,
    kNumber,
    kLiteral,
    kDone,
    kError,
  };
  enum class Capture : uint8_t { kNone, kRootKey, kRecordKey, kValue };

  size_t FeedString(std::string_view chunk, size_t i);
  size_t FeedNumber(std::string_view chunk, size_t i);
  bool Structural(char c);
  bool StartValue(char c);
  bool OpenContainer(bool is_object);
  bool CloseContainer(bool is_object);
  void EndString();
  void EndScalar(bool is_number, bool is_null);
  void AppendCaptured(std::string_view piece);
  void AppendCodePoint(uint32_t code);
  bool HexDigit(char c);
  bool Fail(std::string reason);
  bool InObject() const;

  RecordSink on_record_;
  CdrParserLimits limits_;
  State state_ = State::kValue;
  State after_string_ = State::kCommaOrClose;  // kColon after a key
  uint64_t object_bits_ = 0;  // bit d set: the container at depth d+1 is
                              // an object
  int depth_ = 0;

  // What the current token is being kept for.
  Capture capture_ = Capture::kNone;
  size_t capture_limit_ = 0;
  bool truncate_ = false;  // cut at the limit instead of failing
  std::string token_;
  bool token_overflow_ = false;
  // A string that starts and ends in one chunk without escapes is read in
  // place: in_chunk_ views it while EndString runs.
  bool string_fresh_ = false;  // nothing of the current string read yet
  bool reading_in_chunk_ = false;
  std::string_view in_chunk_;
  std::string_view Captured() const {
    if (reading_in_chunk_) return in_chunk_;
    return token_;
  }

  // \uXXXX decoding.
  uint32_t unicode_ = 0;
  int unicode_digits_ = 0;
  uint32_t high_surrogate_ = 0;
  // Numbers and literals.
  uint8_t number_state_ = 0;
  std::string_view literal_;
  size_t literal_pos_ = 0;
  bool literal_is_null_ = false;

  // Where we are in the document.
  int root_key_ = 0;         // RootKey
  int field_ = 0;            // Field
  bool in_records_ = false;  // depth 2 is the records array
  bool in_record_ = false;   // depth 3 is a record
  CdrRecord record_;

  BodyResult result_;
  size_t position_ = 0;  // offset of the byte being read, for errors
  size_t records_ = 0;
  size_t bytes_ = 0;
  size_t peak_buffered_ = 0;
};

// Parses a whole body in one piece (tests and fuzzing).
BodyResult ParseCdrBody(std::string_view body,
                        const CdrParser::RecordSink& on_record,
                        CdrParserLimits limits = {});

// Performs `call` and parses its body as it streams in.
Exchange StreamCdrExchange(Transport& transport, const HttpCall& call,
                           const CdrParser::RecordSink& on_record,
                           CdrParserLimits limits = {});

}  // namespace callcenter::ozonetel::detail

#endif  // CALLCENTER_OZONETEL_DETAIL_CDR_PARSER_H_
