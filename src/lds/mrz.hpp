// MRZ text (ICAO Doc 9303 Parts 3-6): parsing TD1 and TD3, check digits, and the BAC key seed input.
#pragma once

#include "util/secure_bytes.hpp"

#include <cccd/document.hpp>

#include <string_view>

namespace cccd::lds {

// The check digit of ICAO 9303 Part 3 section 4.9 (weights 7-3-1; '<' counts 0, A-Z count 10-35).
// Throws Error(invalid_argument) on a character outside 0-9, A-Z, '<'.
char mrz_check_digit(std::string_view field);

// Parses MRZ text: TD1 (3 lines of 30) or TD3 (2 lines of 44); lines separated by newlines, or given
// as one run of 90 / 88 characters. Lower case is accepted and upper-cased. Throws
// Error(invalid_argument) when the shape is wrong; check digits are reported in Mrz::check_digits_valid
// (the caller decides whether to insist).
Mrz parse_mrz(std::string_view text);

// The fields BAC and PACE-with-MRZ derive their key from.
struct MrzKeyFields {
  std::string document_number;  // as printed, without filler (a number shorter than 9 is padded with '<')
  std::string date_of_birth;    // YYMMDD; '<' for an unknown day or month is allowed
  std::string date_of_expiry;   // YYMMDD
};

// MRZ_information = number + check + birth + check + expiry + check (Part 11 section 9.7.2).
// Throws Error(invalid_argument) when a field has the wrong length or characters.
SecureString mrz_information(const MrzKeyFields& fields);
MrzKeyFields key_fields(const Mrz& mrz);

}  // namespace cccd::lds
