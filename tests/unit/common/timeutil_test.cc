#include "callcenter/common/timeutil.h"

#include <gtest/gtest.h>

namespace callcenter {
namespace {

const Seconds kIst{5 * 3600 + 30 * 60};

TEST(ParseDurationTest, AcceptsHoursMinutesSeconds) {
  EXPECT_EQ(ParseDuration("00:00:57"), 57);
  EXPECT_EQ(ParseDuration("01:02:03"), 3723);
  EXPECT_EQ(ParseDuration("123:00:01"), 123 * 3600 + 1);  // H+ hours
  EXPECT_EQ(ParseDuration("0:05:00"), 300);
}

TEST(ParseDurationTest, RejectsMalformedText) {
  for (const char* bad : {"", "00:60:00", "00:00:60", "1:2:3", "aa:bb:cc",
                          "00:00", "00:00:00:00", "-1:00:00", " 00:00:01"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
}

TEST(ParseDurationTest, HoursBeyondTwelveDigitsAreRefusedNotOverflowed) {
  EXPECT_EQ(ParseDuration("999999999999:59:59"),
            int64_t{999999999999} * 3600 + 59 * 60 + 59);
  EXPECT_FALSE(ParseDuration("9999999999999:00:00").has_value());
  EXPECT_FALSE(ParseDuration("99999999999999999999:00:00").has_value());
}

TEST(FormatDurationTest, RoundTrips) {
  EXPECT_EQ(FormatDuration(0), "00:00:00");
  EXPECT_EQ(FormatDuration(3723), "01:02:03");
  EXPECT_EQ(FormatDuration(-5), "00:00:00");
  EXPECT_EQ(ParseDuration(FormatDuration(360000)), 360000);
}

TEST(ParseUtcOffsetTest, ParsesCommonForms) {
  EXPECT_EQ(ParseUtcOffset("+05:30"), kIst);
  EXPECT_EQ(ParseUtcOffset("+0530"), kIst);
  EXPECT_EQ(ParseUtcOffset("-04:00"), Seconds(-4 * 3600));
  EXPECT_EQ(ParseUtcOffset("Z"), Seconds(0));
  EXPECT_FALSE(ParseUtcOffset("IST").has_value());
  EXPECT_FALSE(ParseUtcOffset("+25:00").has_value());
  EXPECT_EQ(FormatUtcOffset(kIst), "+05:30");
  EXPECT_EQ(FormatUtcOffset(Seconds(-4 * 3600)), "-04:00");
}

TEST(ParseDateTest, ValidatesCalendarDates) {
  auto date = ParseDate("2026-03-02");
  ASSERT_TRUE(date.has_value());
  EXPECT_EQ(FormatDate(*date), "2026-03-02");
  EXPECT_TRUE(ParseDate("2024-02-29").has_value());
  EXPECT_FALSE(ParseDate("2026-02-29").has_value());
  EXPECT_FALSE(ParseDate("2026-13-01").has_value());
  EXPECT_FALSE(ParseDate("2026/03/02").has_value());
}

TEST(ParseDateTest, OnlyYearsFrom2000To2100) {
  EXPECT_TRUE(ParseDate("2000-01-01").has_value());
  EXPECT_TRUE(ParseDate("2100-12-31").has_value());
  EXPECT_FALSE(ParseDate("1999-12-31").has_value());
  EXPECT_FALSE(ParseDate("2101-01-01").has_value());
  EXPECT_FALSE(ParseDate("9999-12-31").has_value());
  EXPECT_FALSE(ParseDate("0000-01-01").has_value());
  EXPECT_FALSE(ParseLocalDateTime("9999-12-31 23:59:59", kIst).has_value());
  EXPECT_FALSE(ParseRfc3339("9999-12-31T23:59:59Z").has_value());
}

TEST(ParseTimeOfDayTest, BoundsHours) {
  EXPECT_EQ(ParseTimeOfDay("12:20:57"), 12 * 3600 + 20 * 60 + 57);
  EXPECT_EQ(ParseTimeOfDay("00:00:00"), 0);
  EXPECT_FALSE(ParseTimeOfDay("24:00:00").has_value());
  EXPECT_FALSE(ParseTimeOfDay("1:00:00").has_value());
}

TEST(LocalDayTest, IstMidnightIsPreviousUtcEvening) {
  const TimePoint midnight = LocalMidnight(*ParseDate("2026-03-02"), kIst);
  EXPECT_EQ(FormatRfc3339(midnight), "2026-03-01T18:30:00Z");
  EXPECT_EQ(FormatDate(LocalDate(midnight, kIst)), "2026-03-02");
  EXPECT_EQ(FormatDate(LocalDate(midnight - Seconds(1), kIst)), "2026-03-01");
  EXPECT_EQ(FormatDate(AddDays(*ParseDate("2026-02-28"), 1)), "2026-03-01");
  EXPECT_EQ(FormatDate(AddDays(*ParseDate("2026-03-01"), -1)), "2026-02-28");
}

TEST(LocalDateTimeTest, RoundTripsRequestFormat) {
  const auto t = ParseLocalDateTime("2026-03-02 12:20:00", kIst);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatLocalDateTime(*t, kIst), "2026-03-02 12:20:00");
  EXPECT_FALSE(ParseLocalDateTime("2026-03-02T12:20:00", kIst).has_value());
}

TEST(Rfc3339Test, ParsesZonesAndFractions) {
  const auto a = ParseRfc3339("2026-03-02T06:50:00Z");
  const auto b = ParseRfc3339("2026-03-02T12:20:00.250+05:30");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, std::chrono::floor<Seconds>(*b));
  EXPECT_EQ(FormatRfc3339(*a), "2026-03-02T06:50:00Z");
  EXPECT_FALSE(ParseRfc3339("yesterday").has_value());
}

}  // namespace
}  // namespace callcenter
