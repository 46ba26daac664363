// ozonetel::detail::CdrParser, the streaming fetchCDRDetails parser.
//
// Input: a 3-byte header, split offsets, then the body (fuzz/README.md):
//   byte 0: bits 0-1 max_field_bytes (8, 64, 1024, 65536); bits 2-7
//           max_depth (0: the default 64, else 1..63)
//   byte 1: bits 0-3 the number of split offsets K; bits 4-7 the record
//           after which the sink stops the parse (0: never)
//   2*K bytes: split offsets, little-endian uint16, taken modulo the body
//   the rest: the body
//
// Invariants:
//   - fed in the fuzzer's pieces, and fed one byte at a time, the parser
//     emits the same records and the same BodyResult as ParseCdrBody;
//   - records(), bytes() match what was fed and emitted;
//   - peak_buffered_bytes() never exceeds the largest capture cap (the
//     field cap, or the envelope message's kMaxMessageBytes);
//   - for a body whose root is an object, the parser accepts exactly what
//     RapidJSON accepts, except for the differences listed in Explained().
#include <rapidjson/error/error.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "ozonetel/detail/cdr_parser.h"

namespace callcenter::ozonetel::detail {
namespace {

bool SameRecord(const CdrRecord& a, const CdrRecord& b) {
  return a.call_id == b.call_id && a.call_date == b.call_date &&
         a.start_time == b.start_time && a.end_time == b.end_time &&
         a.has_wrapup_end == b.has_wrapup_end && a.agent_id == b.agent_id &&
         a.agent_name == b.agent_name && a.campaign == b.campaign &&
         a.disposition == b.disposition && a.inbound == b.inbound &&
         a.answered == b.answered && a.duration == b.duration &&
         a.talk == b.talk && a.hold == b.hold && a.wrapup == b.wrapup &&
         a.handling == b.handling && a.queue_time == b.queue_time &&
         a.time_to_answer == b.time_to_answer &&
         a.invalid_fields == b.invalid_fields;
}

bool SameResult(const BodyResult& a, const BodyResult& b) {
  return a.envelope.status == b.envelope.status &&
         a.envelope.message == b.envelope.message &&
         a.envelope.root_is_object == b.envelope.root_is_object &&
         a.has_payload == b.has_payload && a.no_data == b.no_data &&
         a.parse_error == b.parse_error &&
         a.invalid_fields == b.invalid_fields &&
         a.stopped_by_reader == b.stopped_by_reader;
}

bool SameRecords(const std::vector<CdrRecord>& a,
                 const std::vector<CdrRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameRecord(a[i], b[i])) return false;
  }
  return true;
}

// What one parse produced.
struct Run {
  std::vector<CdrRecord> records;
  BodyResult result;
  size_t parser_records = 0;
  size_t parser_bytes = 0;
  size_t peak = 0;
};

CdrParser::RecordSink Sink(std::vector<CdrRecord>* records, size_t stop_after) {
  return [records, stop_after](CdrRecord&& record) {
    records->push_back(std::move(record));
    return stop_after == 0 || records->size() < stop_after;
  };
}

// Feeds `body` cut at `cuts` (sorted offsets). Feed's answer must say
// whether the body is already known to be invalid, and once it said so it
// must keep saying it.
Run Streamed(std::string_view body, const std::vector<size_t>& cuts,
             CdrParserLimits limits, size_t stop_after) {
  Run run;
  CdrParser parser(Sink(&run.records, stop_after), limits);
  size_t at = 0;
  bool failed = false;
  for (size_t i = 0; i <= cuts.size(); ++i) {
    const size_t end = i < cuts.size() ? cuts[i] : body.size();
    const bool ok = parser.Feed(body.substr(at, end - at));
    FUZZ_CHECK(!(failed && ok));
    failed = !ok;
    at = end;
  }
  run.result = parser.Finish();
  FUZZ_CHECK(!failed || !run.result.parse_error.empty());
  run.parser_records = parser.records();
  run.parser_bytes = parser.bytes();
  run.peak = parser.peak_buffered_bytes();
  return run;
}

// Differences from RapidJSON that are by design (fuzz/README.md).
bool Explained(std::string_view body, const BodyResult& ours,
               const rapidjson::ParseResult& theirs, CdrParserLimits limits) {
  if (ours.stopped_by_reader) return true;
  const std::string& error = ours.parse_error;
  if (!theirs.IsError()) {
    // We refuse: nesting beyond max_depth, a used field beyond its cap.
    if (error.find("nested deeper than") == 0) return true;
    if (error.find("a record field longer than") == 0) return true;
    // RapidJSON stops at a NUL after the root (its end-of-stream mark).
    if (body.find('\0') != std::string_view::npos) return true;
    return false;
  }
  switch (theirs.Code()) {
    // We accept: a lone surrogate escape (read as U+FFFD), a number too
    // large for a double (numbers are text to us).
    case rapidjson::kParseErrorStringUnicodeSurrogateInvalid:
    case rapidjson::kParseErrorNumberTooBig:
      return error.empty() || error.find("nested deeper than") == 0 ||
             error.find("a record field longer than") == 0;
    default:
      return false;
  }
}

}  // namespace
}  // namespace callcenter::ozonetel::detail

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace callcenter::ozonetel::detail;
  if (size < 2) return 0;
  static constexpr size_t kFieldCaps[] = {8, 64, 1024, 64 * 1024};
  CdrParserLimits limits;
  limits.max_field_bytes = kFieldCaps[data[0] & 3];
  const int depth = data[0] >> 2;
  limits.max_depth = depth == 0 ? 64 : depth;
  const size_t splits = data[1] & 0x0f;
  const size_t stop_after = data[1] >> 4;
  size_t pos = 2;
  if (size - pos < 2 * splits) return 0;
  std::vector<uint16_t> raw_cuts;
  for (size_t i = 0; i < splits; ++i, pos += 2) {
    raw_cuts.push_back(static_cast<uint16_t>(data[pos] | (data[pos + 1] << 8)));
  }
  const std::string_view body(reinterpret_cast<const char*>(data) + pos,
                              size - pos);
  std::vector<size_t> cuts;
  for (uint16_t cut : raw_cuts) cuts.push_back(cut % (body.size() + 1));
  std::sort(cuts.begin(), cuts.end());

  Run whole;
  whole.result = ParseCdrBody(body, Sink(&whole.records, stop_after), limits);

  const Run pieces = Streamed(body, cuts, limits, stop_after);
  FUZZ_CHECK(SameRecords(whole.records, pieces.records));
  FUZZ_CHECK(SameResult(whole.result, pieces.result));
  FUZZ_CHECK(pieces.parser_records == pieces.records.size());
  // The parser may stop reading at the first invalid byte, but counts all
  // it was handed.
  FUZZ_CHECK(pieces.parser_bytes == body.size());
  const size_t cap =
      std::max(limits.max_field_bytes, static_cast<size_t>(kMaxMessageBytes));
  FUZZ_CHECK(pieces.peak <= cap + 4);

  if (body.size() <= 4096) {
    std::vector<size_t> every_byte;
    for (size_t i = 1; i < body.size(); ++i) every_byte.push_back(i);
    const Run bytes = Streamed(body, every_byte, limits, stop_after);
    FUZZ_CHECK(SameRecords(whole.records, bytes.records));
    FUZZ_CHECK(SameResult(whole.result, bytes.result));
    FUZZ_CHECK(bytes.peak <= cap + 4);
  }

  if (whole.result.envelope.root_is_object) {
    rapidjson::MemoryStream stream(body.data(), body.size());
    rapidjson::BaseReaderHandler<> ignore;
    rapidjson::Reader reader;
    const rapidjson::ParseResult theirs =
        reader.Parse<rapidjson::kParseIterativeFlag>(stream, ignore);
    const bool ours_ok = whole.result.parse_error.empty();
    if (ours_ok != !theirs.IsError()) {
      FUZZ_CHECK(Explained(body, whole.result, theirs, limits));
    }
  }
  return 0;
}
