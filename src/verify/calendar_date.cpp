// Calendar dates of the verification policy (cccd/policy.hpp).
#include <cccd/policy.hpp>

#include <cstdio>

namespace cccd {
namespace {

constexpr long kVietnamUtcOffset = 7 * 3600;

bool leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap(year) ? 29 : kDays[month - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
long long days_from_civil(int year, int month, int day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<long long>(era) * 146097 + doe - 719468;
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int number(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

std::optional<CalendarDate> checked(int year, int month, int day) {
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
    return std::nullopt;
  return CalendarDate{year, month, day};
}

}  // namespace

std::string to_string(const CalendarDate& date) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", date.year, date.month, date.day);
  return text;
}

CalendarDate vietnam_date_at(std::time_t time) {
  // Civil date from a day count (H. Hinnant's civil_from_days), without the C library's time zones.
  long long seconds = static_cast<long long>(time) + kVietnamUtcOffset;
  long long z = (seconds >= 0 ? seconds : seconds - 86399) / 86400 + 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const long long doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return {year, month, day};
}

std::optional<CalendarDate> parse_calendar_date(std::string_view text) {
  if (text.size() == 10 && text[4] == '-' && text[7] == '-' && all_digits(text.substr(0, 4)) &&
      all_digits(text.substr(5, 2)) && all_digits(text.substr(8, 2))) {
    return checked(number(text.substr(0, 4)), number(text.substr(5, 2)), number(text.substr(8, 2)));
  }
  if (text.size() == 10 && text[2] == '/' && text[5] == '/' && all_digits(text.substr(0, 2)) &&
      all_digits(text.substr(3, 2)) && all_digits(text.substr(6, 4))) {
    return checked(number(text.substr(6, 4)), number(text.substr(3, 2)), number(text.substr(0, 2)));
  }
  return std::nullopt;
}

std::time_t judgement_time_of(const CalendarDate& date) {
  const long long days = days_from_civil(date.year, date.month, date.day);
  return static_cast<std::time_t>(days * 86400 + 12 * 3600 - kVietnamUtcOffset);
}

}  // namespace cccd
