#include "lds/qr_line.hpp"

#include "lds/unicode_text.hpp"
#include "util/secure_bytes.hpp"

#include <cccd/error.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace cccd {

CardQr::~CardQr() {
  for (std::string* s : {&id_number, &former_id_number, &full_name, &date_of_birth, &sex, &place_of_residence,
                         &date_of_issue}) {
    secure_wipe(s->data(), s->capacity());
  }
}

namespace lds {

IdOrQr::~IdOrQr() {
  secure_wipe(id_number.data(), id_number.capacity());
}

namespace {

constexpr std::size_t kFields = 7;
constexpr std::size_t kMaxLine = 1024;  // a real line is under 200 bytes
constexpr const char* kCheckLayout =
    ": check the scanner's keyboard layout (it must match the computer's, and type Unicode text)";

[[noreturn]] void refuse(const std::string& what) {
  throw Error(ErrorCode::invalid_argument, what);
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view trim(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// The UTF-8 code points of `text`; nothing when it is not UTF-8.
std::optional<std::vector<char32_t>> code_points(std::string_view text) {
  std::vector<char32_t> out;
  for (std::size_t pos = 0; pos < text.size();) {
    const auto lead = static_cast<std::uint8_t>(text[pos]);
    std::size_t extra = lead < 0x80             ? 0
                        : (lead & 0xE0) == 0xC0 ? 1
                        : (lead & 0xF0) == 0xE0 ? 2
                        : (lead & 0xF8) == 0xF0 ? 3
                                                : 4;
    if (extra == 4 || text.size() - pos <= extra) return std::nullopt;
    char32_t value = extra == 0 ? lead : lead & (0x3F >> extra);
    for (std::size_t i = 1; i <= extra; ++i) {
      const auto next = static_cast<std::uint8_t>(text[pos + i]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      value = (value << 6) | (next & 0x3F);
    }
    out.push_back(value);
    pos += extra + 1;
  }
  return out;
}

// The digit row of a French AZERTY keyboard, unshifted: what a scanner that types US key codes gives
// there for 1234567890.
constexpr std::array<char32_t, 10> kAzertyDigits = {U'&', U'é', U'"', U'\'', U'(',
                                                    U'-', U'è', U'_', U'ç',  U'à'};

bool azerty_digit(char32_t c) {
  return std::find(kAzertyDigits.begin(), kAzertyDigits.end(), c) != kAzertyDigits.end();
}

// The bytes Windows-1252 shows as these characters in 0x80..0x9F: UTF-8 read as Windows-1252 (mojibake
// such as "Nguyá»…n") turns its continuation bytes into them.
constexpr std::array<std::pair<char32_t, std::uint8_t>, 27> kWindows1252 = {{
    {0x20AC, 0x80}, {0x201A, 0x82}, {0x0192, 0x83}, {0x201E, 0x84}, {0x2026, 0x85}, {0x2020, 0x86},
    {0x2021, 0x87}, {0x02C6, 0x88}, {0x2030, 0x89}, {0x0160, 0x8A}, {0x2039, 0x8B}, {0x0152, 0x8C},
    {0x017D, 0x8E}, {0x2018, 0x91}, {0x2019, 0x92}, {0x201C, 0x93}, {0x201D, 0x94}, {0x2022, 0x95},
    {0x2013, 0x96}, {0x2014, 0x97}, {0x02DC, 0x98}, {0x2122, 0x99}, {0x0161, 0x9A}, {0x203A, 0x9B},
    {0x0153, 0x9C}, {0x017E, 0x9E}, {0x0178, 0x9F},
}};

// Whether text is UTF-8 that was read as Latin-1 / Windows-1252 and encoded again: taking each character
// back to its single byte gives UTF-8 with letters beyond ASCII.
bool is_mojibake(const std::vector<char32_t>& text) {
  std::string bytes;
  bool beyond_ascii = false;
  for (char32_t c : text) {
    if (c < 0x100) {
      bytes += static_cast<char>(c);
      beyond_ascii = beyond_ascii || c >= 0x80;
      continue;
    }
    const auto* found = std::find_if(kWindows1252.begin(), kWindows1252.end(),
                                     [c](const auto& entry) { return entry.first == c; });
    if (found == kWindows1252.end()) return false;
    bytes += static_cast<char>(found->second);
    beyond_ascii = true;
  }
  if (!beyond_ascii) return false;
  const std::optional<std::vector<char32_t>> again = code_points(bytes);
  return again && std::any_of(again->begin(), again->end(), [](char32_t c) { return c >= 0x80; });
}

// A text field (name, residence): refused when a scanner mangled it.
void check_text(std::string_view text, const char* field) {
  const std::optional<std::vector<char32_t>> points = code_points(text);
  if (!points) refuse(std::string("the QR line's ") + field + " is not UTF-8 text" + kCheckLayout);
  if (points->empty()) refuse(std::string("the QR line has no ") + field);
  for (char32_t c : *points) {
    if (c == U'?' || c == 0xFFFD) {
      refuse(std::string("the scanner replaced letters of the ") + field + " with '?'" + kCheckLayout);
    }
    if (c < 0x20 || c == 0x7F) refuse(std::string("the QR line's ") + field + " holds a control character");
  }
  if (is_mojibake(*points)) {
    refuse(std::string("the QR line's ") + field + " is garbled (UTF-8 read as another character set)" +
           kCheckLayout);
  }
}

// ddmmyyyy -> dd/mm/yyyy, a real calendar date.
std::string qr_date(std::string_view text, const char* field) {
  if (text.size() != 8 || !all_digits(text))
    refuse(std::string("the QR line's ") + field + " is not ddmmyyyy");
  const int day = (text[0] - '0') * 10 + (text[1] - '0');
  const int month = (text[2] - '0') * 10 + (text[3] - '0');
  const int year = std::stoi(std::string(text.substr(4)));
  static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const bool valid = month >= 1 && month <= 12 && day >= 1 &&
                     day <= (month == 2 && !leap ? 28 : kDays[static_cast<std::size_t>(month - 1)]) &&
                     year >= 1900;
  if (!valid) refuse(std::string("the QR line's ") + field + " is not a real date");
  return std::string(text.substr(0, 2)) + "/" + std::string(text.substr(2, 2)) + "/" +
         std::string(text.substr(4));
}

// "Nam" / "Nữ" in any Unicode spelling or case, or "Nu" from a scanner that drops diacritics.
std::string qr_sex(std::string_view text) {
  std::string lower;
  for (char c : canonical_decomposition(text)) {
    lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  if (lower == "nam") return "Nam";
  if (lower == canonical_decomposition("nữ") || lower == "nu") return "Nữ";
  check_text(text, "sex");
  refuse("the QR line's sex is neither Nam nor Nữ");
}

// Why a line without any '|' is not an ID number: a scanner on another layout, or just not an ID.
[[noreturn]] void refuse_non_id(std::string_view text) {
  const std::optional<std::vector<char32_t>> points = code_points(text);
  if (points && points->size() >= 12 &&
      std::all_of(points->begin(), points->begin() + 12, [](char32_t c) { return azerty_digit(c); })) {
    refuse(std::string("the digits came out as the symbols of another keyboard layout (AZERTY)") +
           kCheckLayout);
  }
  // The separator typed as another character (a German layout gives ' for |): six of one punctuation
  // character after a 12-digit ID.
  if (text.size() > 12 && all_digits(text.substr(0, 12))) {
    const char separator = text[12];
    const bool punctuation = separator > ' ' && separator < 0x7F && !(separator >= '0' && separator <= '9') &&
                             !(separator >= 'A' && separator <= 'Z') &&
                             !(separator >= 'a' && separator <= 'z');
    if (punctuation && std::count(text.begin(), text.end(), separator) >= static_cast<long>(kFields - 1)) {
      refuse(std::string("the QR line's separators came out as '") + separator + "' instead of '|'" +
             kCheckLayout);
    }
  }
  if (points && is_mojibake(*points)) refuse(std::string("the line is garbled") + kCheckLayout);
  refuse("give the 12-digit ID number or scan the QR code on the front of the card");
}

}  // namespace

CardQr parse_qr_line(std::string_view line) {
  line = trim(line);
  if (line.size() > kMaxLine) refuse("the QR line is too long for a CCCD's QR code");
  std::vector<std::string_view> fields;
  for (std::string_view rest = line;;) {
    const std::size_t bar = rest.find('|');
    fields.push_back(rest.substr(0, bar));
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
  }
  if (fields.size() != kFields) {
    refuse(
        "a CCCD QR line has 7 fields separated by '|' (ID | former ID | name | birth | sex | residence | "
        "issue date); this one has " +
        std::to_string(fields.size()));
  }
  for (std::string_view& field : fields) field = trim(field);
  CardQr qr;
  if (fields[0].size() != 12 || !all_digits(fields[0])) {
    const std::optional<std::vector<char32_t>> points = code_points(fields[0]);
    if (points && !points->empty() && std::all_of(points->begin(), points->end(), azerty_digit)) {
      refuse(std::string("the digits came out as the symbols of another keyboard layout (AZERTY)") +
             kCheckLayout);
    }
    refuse("the QR line's ID number is not 12 digits");
  }
  qr.id_number = std::string(fields[0]);
  if (!fields[1].empty() && !((fields[1].size() == 9 || fields[1].size() == 12) && all_digits(fields[1]))) {
    refuse("the QR line's former ID number is not 9 or 12 digits (or empty)");
  }
  qr.former_id_number = std::string(fields[1]);
  check_text(fields[2], "name");
  qr.full_name = std::string(fields[2]);
  qr.date_of_birth = qr_date(fields[3], "date of birth");
  qr.sex = qr_sex(fields[4]);
  check_text(fields[5], "place of residence");
  qr.place_of_residence = std::string(fields[5]);
  qr.date_of_issue = qr_date(fields[6], "date of issue");
  return qr;
}

std::string qr_line_of(const PersonalData& personal) {
  auto date = [](const std::string& text, const char* field) {
    std::string digits;
    for (char c : text) {
      if (c >= '0' && c <= '9') digits += c;
    }
    if (digits.size() != 8) throw Error(ErrorCode::malformed_data, std::string("DG13 has no full ") + field);
    return digits;
  };
  if (personal.id_number().empty()) throw Error(ErrorCode::malformed_data, "DG13 has no ID number");
  return personal.id_number() + "|" + personal.former_id_number() + "|" + personal.full_name() + "|" +
         date(personal.date_of_birth(), "date of birth") + "|" + personal.sex() + "|" +
         personal.place_of_residence() + "|" + date(personal.date_of_issue(), "date of issue");
}

IdOrQr parse_id_or_qr_line(std::string_view text) {
  text = trim(text);
  IdOrQr result;
  if (text.find('|') != std::string_view::npos) {
    result.qr = parse_qr_line(text);
    result.id_number = result.qr->id_number;
    return result;
  }
  if (text.empty()) refuse("no ID number was given");
  if (text.size() != 12 || !all_digits(text)) {
    if (text.size() > 12 || !all_digits(text)) refuse_non_id(text);
    refuse("the ID number must be 12 digits");
  }
  result.id_number = std::string(text);
  return result;
}

}  // namespace lds
}  // namespace cccd
