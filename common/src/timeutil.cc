#include "callcenter/common/timeutil.h"

#include <charconv>
#include <cstdio>

namespace callcenter {
namespace {

// Parses exactly `width` decimal digits (or at least one when width is 0).
bool ParseDigits(std::string_view text, size_t width, int64_t* out) {
  if (text.empty() || (width != 0 && text.size() != width)) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  if (text.size() > 12) return false;
  auto result = std::from_chars(text.data(), text.data() + text.size(), *out);
  return result.ec == std::errc();
}

// Splits "a:b:c" into three parts; false unless there are exactly three.
bool SplitColons(std::string_view text, std::string_view parts[3]) {
  size_t first = text.find(':');
  if (first == std::string_view::npos) return false;
  size_t second = text.find(':', first + 1);
  if (second == std::string_view::npos) return false;
  if (text.find(':', second + 1) != std::string_view::npos) return false;
  parts[0] = text.substr(0, first);
  parts[1] = text.substr(first + 1, second - first - 1);
  parts[2] = text.substr(second + 1);
  return true;
}

std::chrono::sys_days ToSysDays(Date date) {
  return std::chrono::sys_days(date);
}

}  // namespace

std::optional<int64_t> ParseDuration(std::string_view text) {
  std::string_view parts[3];
  if (!SplitColons(text, parts)) return std::nullopt;
  int64_t hours = 0;
  int64_t minutes = 0;
  int64_t seconds = 0;
  if (!ParseDigits(parts[0], 0, &hours) ||
      !ParseDigits(parts[1], 2, &minutes) ||
      !ParseDigits(parts[2], 2, &seconds) || minutes > 59 || seconds > 59) {
    return std::nullopt;
  }
  return hours * 3600 + minutes * 60 + seconds;
}

std::string FormatDuration(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%02lld:%02lld:%02lld",
                static_cast<long long>(seconds / 3600),
                static_cast<long long>((seconds / 60) % 60),
                static_cast<long long>(seconds % 60));
  return buffer;
}

std::optional<Seconds> ParseUtcOffset(std::string_view text) {
  if (text == "Z" || text == "UTC" || text == "z") return Seconds(0);
  if (text.size() < 5 || (text[0] != '+' && text[0] != '-')) {
    return std::nullopt;
  }
  const int sign = text[0] == '-' ? -1 : 1;
  std::string_view rest = text.substr(1);
  std::string_view hours_text;
  std::string_view minutes_text;
  if (rest.size() == 5 && rest[2] == ':') {
    hours_text = rest.substr(0, 2);
    minutes_text = rest.substr(3, 2);
  } else if (rest.size() == 4) {
    hours_text = rest.substr(0, 2);
    minutes_text = rest.substr(2, 2);
  } else {
    return std::nullopt;
  }
  int64_t hours = 0;
  int64_t minutes = 0;
  if (!ParseDigits(hours_text, 2, &hours) ||
      !ParseDigits(minutes_text, 2, &minutes) || hours > 14 || minutes > 59) {
    return std::nullopt;
  }
  return Seconds(sign * (hours * 3600 + minutes * 60));
}

std::string FormatUtcOffset(Seconds offset) {
  const int64_t total = offset.count();
  const int64_t magnitude = total < 0 ? -total : total;
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%c%02lld:%02lld",
                total < 0 ? '-' : '+', static_cast<long long>(magnitude / 3600),
                static_cast<long long>((magnitude / 60) % 60));
  return buffer;
}

std::optional<Date> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  int64_t year = 0;
  int64_t month = 0;
  int64_t day = 0;
  if (!ParseDigits(text.substr(0, 4), 4, &year) ||
      !ParseDigits(text.substr(5, 2), 2, &month) ||
      !ParseDigits(text.substr(8, 2), 2, &day)) {
    return std::nullopt;
  }
  // Every date this product meets lies in this century; outside it, time
  // arithmetic on nanosecond time points would overflow.
  if (year < 2000 || year > 2100) return std::nullopt;
  Date date{std::chrono::year(static_cast<int>(year)),
            std::chrono::month(static_cast<unsigned>(month)),
            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string FormatDate(Date date) {
  char buffer[48];
  std::snprintf(
      buffer, sizeof(buffer), "%04d-%02u-%02u", static_cast<int>(date.year()),
      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

std::optional<int64_t> ParseTimeOfDay(std::string_view text) {
  std::string_view parts[3];
  if (!SplitColons(text, parts)) return std::nullopt;
  int64_t hours = 0;
  int64_t minutes = 0;
  int64_t seconds = 0;
  if (!ParseDigits(parts[0], 2, &hours) ||
      !ParseDigits(parts[1], 2, &minutes) ||
      !ParseDigits(parts[2], 2, &seconds) || hours > 23 || minutes > 59 ||
      seconds > 59) {
    return std::nullopt;
  }
  return hours * 3600 + minutes * 60 + seconds;
}

Date LocalDate(TimePoint t, Seconds offset) {
  const auto local = std::chrono::floor<Seconds>(t) + offset;
  return Date(std::chrono::floor<std::chrono::days>(local));
}

TimePoint LocalMidnight(Date date, Seconds offset) {
  return TimePoint(ToSysDays(date)) - offset;
}

Date AddDays(Date date, int days) {
  return Date(ToSysDays(date) + std::chrono::days(days));
}

std::string FormatLocalDateTime(TimePoint t, Seconds offset) {
  const auto local = std::chrono::floor<Seconds>(t) + offset;
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const int64_t second_of_day = (local - day).count();
  return FormatDate(Date(day)) + " " + FormatDuration(second_of_day);
}

std::optional<TimePoint> ParseLocalDateTime(std::string_view text,
                                            Seconds offset) {
  if (text.size() != 19 || text[10] != ' ') return std::nullopt;
  auto date = ParseDate(text.substr(0, 10));
  auto time_of_day = ParseTimeOfDay(text.substr(11));
  if (!date || !time_of_day) return std::nullopt;
  return LocalMidnight(*date, offset) + Seconds(*time_of_day);
}

std::string FormatRfc3339(TimePoint t) {
  return FormatLocalDateTime(t, Seconds(0)).replace(10, 1, "T") + "Z";
}

std::optional<TimePoint> ParseRfc3339(std::string_view text) {
  // Accepts "YYYY-MM-DDTHH:MM:SS" with an optional fraction and a "Z" or
  // "+HH:MM" suffix: the forms GraphQL DateTime scalars produce.
  if (text.size() < 20 ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ')) {
    return std::nullopt;
  }
  std::string head(text.substr(0, 19));
  head[10] = ' ';
  std::string_view zone = text.substr(19);
  if (!zone.empty() && zone[0] == '.') {
    size_t end = 1;
    while (end < zone.size() && zone[end] >= '0' && zone[end] <= '9') ++end;
    zone = zone.substr(end);
  }
  auto offset = ParseUtcOffset(zone);
  if (!offset) return std::nullopt;
  return ParseLocalDateTime(head, *offset);
}

}  // namespace callcenter
