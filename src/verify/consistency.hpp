// Consistency of DG1 (the MRZ) and DG13 (the Vietnamese personal data) of a CCCD.
#pragma once

#include <cccd/document.hpp>
#include <cccd/verdict.hpp>

#include <string>
#include <string_view>

namespace cccd::verification {

// The DG13 name as the MRZ spells it: each Vietnamese letter folded to its base Latin letter (Đ/đ to D),
// combining marks dropped, upper case, words separated by one space. A character with no Latin form
// becomes '?', so a name in another script never matches an MRZ name.
std::string mrz_form_of_name(std::string_view utf8_name);

// MRZ date of birth (YYMMDD, '<<' for an unknown day or month) against DG13's dd/mm/yyyy.
// Rules: DG13 may also write "mm/yyyy" or "yyyy" (parts not on record), and "00" for an unknown part.
// YY must equal the last two digits of the year. A day or month the MRZ writes as "<<" (or "00")
// matches whatever DG13 says for it, known or not: the MRZ only says it is unknown there. A day or
// month the MRZ knows must equal DG13's, which must then know it too.
bool birth_dates_agree(std::string_view mrz_date, std::string_view dg13_date);

// MRZ date of expiry against DG13 field 12. DG13 text that is not a date (the card's "Không thời hạn",
// "no expiry", or an empty field) matches only the MRZ's 991231, which ICAO uses for "does not expire";
// dates are compared as for the date of birth.
bool expiry_dates_agree(std::string_view mrz_date, std::string_view dg13_text);

enum class NameMatch { same, truncated, different };
// The MRZ name (primary then secondary identifier) against the DG13 full name in MRZ form. `truncated`
// when the MRZ name field is full (its last character is a letter, ICAO's sign of a cut name) and the
// MRZ words are, in order, prefixes of the DG13 words (trailing words may be missing): the truncation
// ICAO 9303 Part 3 section 4.6 allows, of which cutting the end of the name is the common case.
NameMatch compare_names(const Mrz& mrz, std::string_view dg13_name);

// The consistency finding: ID number (MRZ optional data 1 = DG13 field 1), document number (= last 9
// digits of the ID), dates of birth and expiry, sex (when both state it) and name. A failure names the
// fields that differ, never their values.
Finding check_consistency(const Mrz& mrz, const PersonalData& personal);

}  // namespace cccd::verification
