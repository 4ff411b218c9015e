// The verification policy: what "verified" requires beyond the checks every verdict makes. One object,
// the same in C++ (here), C (cccd_policy in include/cccd/cccd.h), the CLI (--require-chip-authenticity,
// --accept-expired, --at) and a server that configures it; every result reports the policy it was
// judged under (Verdict::policy, JSON "policy").
#pragma once

#include <compare>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace cccd {

// A day of the Gregorian calendar, as a card prints its dates.
struct CalendarDate {
  int year = 0;
  int month = 0;
  int day = 0;
  auto operator<=>(const CalendarDate&) const = default;
};

// "YYYY-MM-DD".
std::string to_string(const CalendarDate& date);
// The date in Vietnam (UTC+7, no daylight saving) at `time`: the day a Vietnamese card's expiry is
// judged against, the same wherever the verifier's clock is set.
CalendarDate vietnam_date_at(std::time_t time);
// A calendar date typed by a person: ISO "YYYY-MM-DD", or as the card prints it, "dd/mm/yyyy". Nothing
// for anything else or a day that does not exist.
std::optional<CalendarDate> parse_calendar_date(std::string_view text);
// Noon in Vietnam (05:00 UTC) on `date`: the time certificates are checked at when a judgement date is set.
std::time_t judgement_time_of(const CalendarDate& date);

struct VerificationPolicy {
  // Chip authenticity must have passed: a chip that offers neither Chip nor Active Authentication (a
  // copied dump of one, or a clone that leaves DG14/DG15 out) is not verified. Off by default: some
  // documents offer no chip proof at all; a bank's server that sent an Active Authentication challenge
  // turns it on so that a dump without a proof over its challenge is refused.
  bool require_chip_authenticity = false;
  // An expired card may be verified (document_validity still says it expired). Off by default.
  bool accept_expired = false;
  // The moment the verdict is judged at: the card's expiry (its date in Vietnam) and the certificates'
  // validity. Now when not set.
  std::optional<std::time_t> at;
};

}  // namespace cccd
