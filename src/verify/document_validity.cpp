#include "verify/document_validity.hpp"

#include <string>

namespace cccd::verification {
namespace {

// DG13's words for a card without expiry, in the forms seen on cards (with and without capitals).
bool says_no_expiry(std::string_view text) {
  return text == "Không thời hạn" || text == "không thời hạn" || text == "KHÔNG THỜI HẠN";
}

bool digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int number(std::string_view text) {
  int value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value;
}

}  // namespace

CardExpiry card_expiry(std::string_view mrz_expiry, std::string_view dg13_expiry) {
  const std::optional<CalendarDate> dg13_date = parse_calendar_date(dg13_expiry);
  if (mrz_expiry.size() == 6 && digits(mrz_expiry)) {
    if (mrz_expiry == "991231") return {CardExpiry::Kind::none, {}};
    const int yy = number(mrz_expiry.substr(0, 2));
    const int month = number(mrz_expiry.substr(2, 2));
    const int day = number(mrz_expiry.substr(4, 2));
    // The MRZ keeps two digits of the year.
    int year = 2000 + yy;
    if (dg13_date && dg13_date->year % 100 == yy && dg13_date->month == month && dg13_date->day == day)
      year = dg13_date->year;
    const std::optional<CalendarDate> date =
        parse_calendar_date(std::to_string(year) + "-" + std::string(mrz_expiry.substr(2, 2)) + "-" +
                            std::string(mrz_expiry.substr(4, 2)));
    if (date) return {CardExpiry::Kind::date, *date};
  }
  if (dg13_date) return {CardExpiry::Kind::date, *dg13_date};
  if (says_no_expiry(dg13_expiry)) return {CardExpiry::Kind::none, {}};
  return {};
}

Finding check_document_validity(const CardExpiry& expiry, const CalendarDate& on) {
  switch (expiry.kind) {
    case CardExpiry::Kind::none:
      return {FindingStatus::passed, "the card does not expire"};
    case CardExpiry::Kind::date:
      if (expiry.date < on) return {FindingStatus::failed, "the card has expired"};
      return {FindingStatus::passed, "the card is within its validity"};
    case CardExpiry::Kind::unknown:
      break;
  }
  return {FindingStatus::unknown, "neither DG1 nor DG13 gives a readable date of expiry"};
}

}  // namespace cccd::verification
