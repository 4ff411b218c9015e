// The document_validity finding: whether the card is within its validity on the judgement date.
#pragma once

#include <cccd/dump.hpp>
#include <cccd/policy.hpp>
#include <cccd/verdict.hpp>

#include <optional>
#include <string_view>

namespace cccd::verification {

// What the card says of its expiry: a date, none (it is valid for life), or nothing readable.
struct CardExpiry {
  enum class Kind { date, none, unknown };
  Kind kind = Kind::unknown;
  CalendarDate date;  // when kind == date
};

// The expiry of DG1 (YYMMDD; "991231" is the CCCD's "no expiry") and DG13 field 12 ("dd/mm/yyyy" or
// "Không thời hạn"). The MRZ comes first; DG13's four-digit year settles the MRZ's century when the two
// agree, else the century is 20xx (a CCCD is issued from 2016 on). Whether DG1 and DG13 agree is the
// consistency finding's business.
CardExpiry card_expiry(std::string_view mrz_expiry, std::string_view dg13_expiry);

// passed (valid on `on`, or no expiry), failed (expired before `on`), unknown (no readable expiry). A
// card is valid through its expiry day.
Finding check_document_validity(const CardExpiry& expiry, const CalendarDate& on);

}  // namespace cccd::verification
