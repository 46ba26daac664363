// The time vocabulary (common/timeutil.h), core::ParseGoDuration and
// ozonetel::PlaceCall.
//
// Input: any text. Every parser reads the whole input; when it holds '|',
// its fields "CallDate|StartTime|EndTime|day|offset|now" (missing fields
// empty; `now` local, "YYYY-MM-DD HH:MM:SS") also build a CDR record for
// PlaceCall.
//
// Invariants: every accepted value is in its documented range, and
// formatting it gives text that parses back to the same value (for dates,
// times of day, local date-times and offsets, exactly the input text);
// RFC 3339 times within the supported years survive FormatRfc3339; a
// placed call starts inside `day`, ends within a day (or its duration)
// after it starts, and never starts after `now` plus the clock skew.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "callcenter/common/timeutil.h"
#include "core/config_reader.h"
#include "fuzz_util.h"
#include "ozonetel/cdr_poller.h"
#include "ozonetel/records.h"

namespace callcenter {
namespace {

const Seconds kIst{5 * 3600 + 30 * 60};
constexpr int64_t kDay = 86400;

bool InSupportedYears(TimePoint t) {
  const Date date = LocalDate(t, Seconds(0));
  return date.year() >= std::chrono::year(2000) &&
         date.year() <= std::chrono::year(2100);
}

void CheckScalars(std::string_view text) {
  if (auto seconds = ParseDuration(text)) {
    FUZZ_CHECK(*seconds >= 0);
    FUZZ_CHECK(ParseDuration(FormatDuration(*seconds)) == seconds);
  }
  if (auto date = ParseDate(text)) {
    FUZZ_CHECK(date->ok());
    FUZZ_CHECK(date->year() >= std::chrono::year(2000) &&
               date->year() <= std::chrono::year(2100));
    FUZZ_CHECK(FormatDate(*date) == text);
    FUZZ_CHECK(AddDays(AddDays(*date, 1), -1) == *date);
    FUZZ_CHECK(LocalDate(LocalMidnight(*date, kIst), kIst) == *date);
  }
  if (auto time = ParseTimeOfDay(text)) {
    FUZZ_CHECK(*time >= 0 && *time < kDay);
    FUZZ_CHECK(FormatDuration(*time) == text);
  }
  if (auto offset = ParseUtcOffset(text)) {
    FUZZ_CHECK(offset->count() >= -15 * 3600 && offset->count() <= 15 * 3600);
    FUZZ_CHECK(ParseUtcOffset(FormatUtcOffset(*offset)) == offset);
  }
  for (Seconds offset : {Seconds(0), kIst, Seconds(-4 * 3600)}) {
    if (auto t = ParseLocalDateTime(text, offset)) {
      FUZZ_CHECK(FormatLocalDateTime(*t, offset) == text);
      FUZZ_CHECK(ParseLocalDateTime(FormatLocalDateTime(*t, offset), offset) ==
                 t);
    }
  }
  if (auto t = ParseRfc3339(text)) {
    FUZZ_CHECK(*t == std::chrono::floor<Seconds>(*t));
    if (InSupportedYears(*t)) FUZZ_CHECK(ParseRfc3339(FormatRfc3339(*t)) == t);
  }
  const std::string owned(text);
  if (auto ms = core::ParseGoDuration(owned)) {
    FUZZ_CHECK(ms->count() >= 0);
    // Unit forms stop at 100 years; a bare number of seconds at 12 digits
    // (every caller checks its own range).
    const bool bare =
        owned.find_first_not_of("0123456789") == std::string::npos;
    FUZZ_CHECK(ms->count() <= (bare ? int64_t{999999999999} * 1000
                                    : int64_t{100} * 365 * 86400 * 1000));
  }
}

void CheckPlaceCall(std::string_view text) {
  std::vector<std::string_view> fields = fuzz::SplitAt(text, "|");
  fields.resize(6);
  ozonetel::CdrRecord record;
  if (!fields[0].empty()) record.call_date = ParseDate(fields[0]);
  record.start_time = ParseTimeOfDay(fields[1]);
  record.end_time = ParseTimeOfDay(fields[2]);
  const Date day = ParseDate(fields[3]).value_or(Date{
      std::chrono::year(2026), std::chrono::month(3), std::chrono::day(2)});
  const Seconds offset = ParseUtcOffset(fields[4]).value_or(kIst);
  const TimePoint now =
      ParseLocalDateTime(fields[5], offset)
          .value_or(LocalMidnight(day, offset) + Seconds(kDay - 1));
  // Without an EndTime the parser's duration (0..kMaxRecordDuration) counts.
  if (auto duration = ParseDuration(fields[2]);
      duration && *duration <= ozonetel::kMaxRecordDuration) {
    record.duration = *duration;
  }
  const auto times = ozonetel::PlaceCall(record, day, offset, now);
  if (!times) return;
  FUZZ_CHECK(record.start_time.has_value());
  const TimePoint midnight = LocalMidnight(day, offset);
  FUZZ_CHECK(times->start >= midnight);
  FUZZ_CHECK(times->start < midnight + Seconds(kDay));
  FUZZ_CHECK(times->end >= times->start);
  if (record.end_time) {
    FUZZ_CHECK(times->end - times->start < Seconds(kDay));
  } else {
    FUZZ_CHECK(times->end - times->start == Seconds(record.duration));
  }
  FUZZ_CHECK(times->start <= now + Seconds(3600));
}

}  // namespace
}  // namespace callcenter

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  callcenter::CheckScalars(text);
  if (text.find('|') != std::string_view::npos) {
    callcenter::CheckPlaceCall(text);
  }
  return 0;
}
