// Parsing and formatting of the Ozonetel time vocabulary: "HH:MM:SS"
// durations, "YYYY-MM-DD" dates, times of day, and reporting days that run
// from midnight at a fixed UTC offset (IST, +05:30, by default).
#ifndef CALLCENTER_COMMON_TIMEUTIL_H_
#define CALLCENTER_COMMON_TIMEUTIL_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "callcenter/common/clock.h"

namespace callcenter {

using Date = std::chrono::year_month_day;

// "H+:MM:SS" to seconds. Minutes and seconds must be below 60; hours may have
// any number of digits. Returns nullopt for anything else, including "".
std::optional<int64_t> ParseDuration(std::string_view text);
// Seconds to "HH:MM:SS" (hours widen past 99). Negative input clamps to 0.
std::string FormatDuration(int64_t seconds);

// "+05:30", "-04:00", "+0530", "Z" or "UTC" to an offset east of UTC.
std::optional<Seconds> ParseUtcOffset(std::string_view text);
std::string FormatUtcOffset(Seconds offset);

// "YYYY-MM-DD", validated as a calendar date of the years 2000 to 2100.
std::optional<Date> ParseDate(std::string_view text);
std::string FormatDate(Date date);

// "HH:MM:SS" within one day, to seconds after midnight.
std::optional<int64_t> ParseTimeOfDay(std::string_view text);

// The reporting day that contains `t` at `offset`.
Date LocalDate(TimePoint t, Seconds offset);
// Midnight that starts `date` at `offset`, as an absolute instant.
TimePoint LocalMidnight(Date date, Seconds offset);
Date AddDays(Date date, int days);

// "YYYY-MM-DD HH:MM:SS" in local time at `offset` (the API's request format).
std::string FormatLocalDateTime(TimePoint t, Seconds offset);
std::optional<TimePoint> ParseLocalDateTime(std::string_view text,
                                            Seconds offset);

// RFC 3339 in UTC ("2026-03-02T06:50:00Z"), for logs and GraphQL variables.
std::string FormatRfc3339(TimePoint t);
std::optional<TimePoint> ParseRfc3339(std::string_view text);

}  // namespace callcenter

#endif  // CALLCENTER_COMMON_TIMEUTIL_H_
