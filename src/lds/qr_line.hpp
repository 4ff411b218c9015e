// The line a counter's USB QR scanner types from the front of a CCCD (see cccd/card_qr.hpp), and what an
// officer may type instead of it: the 12-digit ID number alone.
#pragma once

#include <cccd/card_qr.hpp>
#include <cccd/document.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace cccd::lds {

// Parses a QR line: 7 fields separated by '|' (ID number | former ID, may be empty | full name | date of
// birth ddmmyyyy | sex Nam/Nữ | place of residence | date of issue ddmmyyyy). Spaces and line ends
// (LF, CR LF, CR) around the line are dropped. A line typed by a scanner set to another keyboard layout
// than the computer's (digits or '|' turned into other characters, Vietnamese letters turned into
// mojibake or '?') is refused with "check the scanner's keyboard layout". Every refusal is
// Error(invalid_argument) naming the field, never its value.
CardQr parse_qr_line(std::string_view line);

// An ID number or a QR line, whichever `text` is (a QR line holds '|').
struct IdOrQr {
  std::string id_number;     // 12 digits
  std::optional<CardQr> qr;  // when a QR line was given
  IdOrQr() = default;
  IdOrQr(const IdOrQr&) = default;
  IdOrQr(IdOrQr&&) = default;
  IdOrQr& operator=(const IdOrQr&) = default;
  IdOrQr& operator=(IdOrQr&&) = default;
  ~IdOrQr();
};
IdOrQr parse_id_or_qr_line(std::string_view text);

// The QR line a card with this DG13 has printed on its front (the virtual card's, `cccd-sim qr`): dates
// dd/mm/yyyy become ddmmyyyy. Throws Error(malformed_data) when DG13 lacks a field the QR code needs.
std::string qr_line_of(const PersonalData& personal);

}  // namespace cccd::lds
