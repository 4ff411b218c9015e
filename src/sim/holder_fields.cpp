// The holder's data checked and written as the MRZ: dates, UTF-8 names transliterated to the Latin MRZ
// letters, check digits (ICAO 9303 Part 3), MRZ_information.
#include "sim/holder_fields.hpp"

#include <cccd/error.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

namespace cccd::sim {
using namespace holder_detail;

namespace {

[[noreturn]] void bad(const std::string& what) {
  throw Error(ErrorCode::invalid_argument, "holder: " + what);
}

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return !text.empty();
}

int number(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

namespace holder_detail {

// "YYYY-MM-DD", or with `partial` also "YYYY-MM" and "YYYY". Years 1900-2099: the MRZ keeps two digits.
PartialDate parse_date(std::string_view text, bool partial, const char* field) {
  const std::string what =
      std::string(field) + (partial ? " must be YYYY-MM-DD, YYYY-MM or YYYY" : " must be YYYY-MM-DD");
  PartialDate date;
  if (text.size() != 10 && !(partial && (text.size() == 7 || text.size() == 4))) bad(what);
  if (!all_digits(text.substr(0, 4))) bad(what);
  date.year = number(text.substr(0, 4));
  if (text.size() >= 7) {
    if (text[4] != '-' || !all_digits(text.substr(5, 2))) bad(what);
    date.month = number(text.substr(5, 2));
  }
  if (text.size() == 10) {
    if (text[7] != '-' || !all_digits(text.substr(8, 2))) bad(what);
    date.day = number(text.substr(8, 2));
  }
  if (date.year < 1900 || date.year > 2099) bad(std::string(field) + " year must be 1900-2099");
  if (text.size() >= 7 && (date.month < 1 || date.month > 12))
    bad(std::string(field) + " is not a real date");
  if (text.size() == 10 && (date.day < 1 || date.day > days_in_month(date.year, date.month))) {
    bad(std::string(field) + " is not a real date");
  }
  return date;
}

bool is_none(std::string_view expiry) {
  return expiry == "none";
}

}  // namespace holder_detail

namespace {

// Decodes UTF-8 strictly (no overlong forms, no surrogates); nothing on malformed text.
std::optional<std::vector<char32_t>> decode_utf8(std::string_view text) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<std::uint8_t>(text[i]);
    std::size_t extra = 0;
    char32_t value = 0;
    char32_t minimum = 0;
    if (lead < 0x80) {
      value = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      extra = 1, value = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2, value = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3, value = lead & 0x07, minimum = 0x10000;
    } else {
      return std::nullopt;
    }
    if (extra > text.size() - i - 1) return std::nullopt;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<std::uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      value = (value << 6) | (next & 0x3F);
    }
    if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return std::nullopt;
    out.push_back(value);
    i += extra + 1;
  }
  return out;
}

// The Latin letter under a Vietnamese letter (upper case), 0 for a mark to drop, '<' for a separator,
// or nothing when the character has no MRZ form.
std::optional<char> latin_letter(char32_t c) {
  if (c >= 'a' && c <= 'z') return static_cast<char>(c - 'a' + 'A');
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c);
  if (c == ' ' || c == '-' || c == '\t') return '<';
  if (c == '\'' || c == '.' || (c >= 0x0300 && c <= 0x036F)) return '\0';  // combining diacritics (NFD input)
  if (c >= 0xC0 && c <= 0xFF) {
    const char32_t upper = (c >= 0xE0 && c != 0xF7) ? c - 0x20 : c;
    if (upper >= 0xC0 && upper <= 0xC5) return 'A';
    if (upper == 0xC7) return 'C';
    if (upper >= 0xC8 && upper <= 0xCB) return 'E';
    if (upper >= 0xCC && upper <= 0xCF) return 'I';
    if (upper == 0xD0) return 'D';
    if (upper == 0xD1) return 'N';
    if ((upper >= 0xD2 && upper <= 0xD6) || upper == 0xD8) return 'O';
    if (upper >= 0xD9 && upper <= 0xDC) return 'U';
    if (upper == 0xDD) return 'Y';
    return std::nullopt;
  }
  switch (c) {
    case 0x0102:
    case 0x0103:
      return 'A';  // Ă ă
    case 0x0110:
    case 0x0111:
      return 'D';  // Đ đ
    case 0x0128:
    case 0x0129:
      return 'I';  // Ĩ ĩ
    case 0x0168:
    case 0x0169:
      return 'U';  // Ũ ũ
    case 0x01A0:
    case 0x01A1:
      return 'O';  // Ơ ơ
    case 0x01AF:
    case 0x01B0:
      return 'U';  // Ư ư
    default:
      break;
  }
  // Latin Extended Additional, the Vietnamese block: A 1EA0-1EB7, E 1EB8-1EC7, I 1EC8-1ECB,
  // O 1ECC-1EE3, U 1EE4-1EF1, Y 1EF2-1EF9.
  if (c >= 0x1EA0 && c <= 0x1EB7) return 'A';
  if (c >= 0x1EB8 && c <= 0x1EC7) return 'E';
  if (c >= 0x1EC8 && c <= 0x1ECB) return 'I';
  if (c >= 0x1ECC && c <= 0x1EE3) return 'O';
  if (c >= 0x1EE4 && c <= 0x1EF1) return 'U';
  if (c >= 0x1EF2 && c <= 0x1EF9) return 'Y';
  return std::nullopt;
}

char check_digit(std::string_view field) {
  static constexpr int kWeights[] = {7, 3, 1};
  int sum = 0;
  for (std::size_t i = 0; i < field.size(); ++i) {
    const char c = field[i];
    int value = 0;
    if (c >= '0' && c <= '9') {
      value = c - '0';
    } else if (c >= 'A' && c <= 'Z') {
      value = c - 'A' + 10;
    }  // '<' counts 0
    sum += value * kWeights[i % 3];
  }
  return static_cast<char>('0' + sum % 10);
}

std::string two_digits(int value) {
  const int two = ((value % 100) + 100) % 100;
  return {static_cast<char>('0' + two / 10), static_cast<char>('0' + two % 10)};
}

// YYMMDD with "<<" for an unknown month or day (ICAO 9303 Part 3).
std::string mrz_date(const PartialDate& date) {
  return two_digits(date.year) + (date.month ? two_digits(date.month) : "<<") +
         (date.day ? two_digits(date.day) : "<<");
}

}  // namespace

namespace holder_detail {

// dd/mm/yyyy as DG13 writes dates; only the known parts when the day or month is unknown.
std::string dg13_date(const PartialDate& date) {
  char text[16];
  if (date.day) {
    std::snprintf(text, sizeof text, "%02d/%02d/%04d", date.day, date.month, date.year);
  } else if (date.month) {
    std::snprintf(text, sizeof text, "%02d/%04d", date.month, date.year);
  } else {
    std::snprintf(text, sizeof text, "%04d", date.year);
  }
  return text;
}

std::string document_number(const Holder& holder) {
  return holder.id_number.substr(3);
}

std::string expiry_mrz(const Holder& holder) {
  return is_none(holder.expiry) ? "991231" : mrz_date(parse_date(holder.expiry, false, "expiry"));
}

}  // namespace holder_detail

void validate_holder(const Holder& holder) {
  if (holder.id_number.size() != 12 || !all_digits(holder.id_number)) bad("ID number must be 12 digits");
  parse_date(holder.birth, true, "birth date");
  if (!is_none(holder.expiry)) parse_date(holder.expiry, false, "expiry date");
  parse_date(holder.issue, false, "issue date");
  if (holder.sex != "M" && holder.sex != "F") bad("sex must be M or F");
  if (!holder.former_id_number.empty() && !all_digits(holder.former_id_number)) {
    bad("former ID number must be digits");
  }
  const std::pair<const char*, const std::string*> texts[] = {
      {"full name", &holder.full_name},
      {"nationality", &holder.nationality},
      {"ethnicity", &holder.ethnicity},
      {"religion", &holder.religion},
      {"place of origin", &holder.place_of_origin},
      {"place of residence", &holder.place_of_residence},
      {"identification marks", &holder.identification_marks},
      {"father's name", &holder.father_name},
      {"mother's name", &holder.mother_name},
      {"spouse's name", &holder.spouse_name},
      {"former ID number", &holder.former_id_number},
  };
  for (const auto& [name, text] : texts) {
    if (text->size() > kMaxHolderTextBytes) bad(std::string(name) + " is too long");
    if (!decode_utf8(*text)) bad(std::string(name) + " is not UTF-8");
  }
  mrz_name(holder.full_name);
}

std::string mrz_name(std::string_view full_name) {
  const auto characters = decode_utf8(full_name);
  if (!characters) bad("full name is not UTF-8");
  std::vector<std::string> words(1);
  for (char32_t c : *characters) {
    const std::optional<char> letter = latin_letter(c);
    if (!letter) bad("full name has a character without a Latin MRZ form");
    if (*letter == '<') {
      if (!words.back().empty()) words.emplace_back();
    } else if (*letter != '\0') {
      words.back().push_back(*letter);
    }
  }
  if (words.back().empty()) words.pop_back();
  if (words.empty()) bad("full name has no letters");
  std::string out = words.front();
  for (std::size_t i = 1; i < words.size(); ++i) out += (i == 1 ? "<<" : "<") + words[i];
  return out;
}

namespace {

// The given names of an unpadded MRZ name, after the "<<" at `separator`.
std::vector<std::string> given_words_of(const std::string& name, std::size_t separator) {
  std::vector<std::string> given;
  for (std::size_t start = separator + 2; start <= name.size();) {
    std::size_t end = name.find('<', start);
    if (end == std::string::npos) end = name.size();
    given.push_back(name.substr(start, end - start));
    start = end + 1;
  }
  return given;
}

}  // namespace

std::string mrz_name_field(std::string_view full_name, std::size_t width) {
  std::string name = mrz_name(full_name);
  if (name.size() <= width) {
    name.resize(width, '<');
    return name;
  }
  const std::size_t separator = name.find("<<");
  if (separator == std::string::npos || separator + 3 > width) {
    // No given name, or a surname that leaves no room for "<<" and an initial: the surname alone, cut.
    name.resize(std::min(separator, name.size()), '<');
    name.resize(width, '<');
    return name;
  }
  std::vector<std::string> given = given_words_of(name, separator);
  const std::size_t budget = width - separator - 2;
  std::size_t total = given.size() - 1;
  for (const std::string& word : given) total += word.size();
  // Characters off the last given names first, down to their initials.
  for (std::size_t i = given.size(); i-- > 0 && total > budget;) {
    const std::size_t cut = std::min(total - budget, given[i].size() - 1);
    given[i].resize(given[i].size() - cut);
    total -= cut;
  }
  // Still too long (more initials than places): the last components go, each with its filler; the
  // place that frees is given back to the remaining components' letters, so the field still ends full.
  const std::vector<std::string> whole = given_words_of(name, separator);
  while (total > budget) {
    total -= given.back().size() + 1;
    given.pop_back();
  }
  for (std::size_t i = given.size(); i-- > 0 && total < budget;) {
    const std::size_t grow = std::min(budget - total, whole[i].size() - given[i].size());
    given[i] = whole[i].substr(0, given[i].size() + grow);
    total += grow;
  }
  std::string field = name.substr(0, separator + 2);
  for (std::size_t i = 0; i < given.size(); ++i) field += (i == 0 ? "" : "<") + given[i];
  field.resize(width, '<');
  return field;
}

std::string mrz_text(const Holder& holder) {
  validate_holder(holder);
  const std::string number = document_number(holder);
  // Line 1: the optional data is the 12-digit ID, "<<" and a digit; the published example's digit is the
  // check digit of the ID, so that is what the virtual card writes.
  std::string line1 =
      "IDVNM" + number + check_digit(number) + holder.id_number + "<<" + check_digit(holder.id_number);
  const std::string birth = mrz_date(parse_date(holder.birth, true, "birth date"));
  const std::string expiry = expiry_mrz(holder);
  std::string line2 =
      birth + check_digit(birth) + holder.sex + expiry + check_digit(expiry) + "VNM" + std::string(11, '<');
  const std::string composite =
      line1.substr(5, 25) + line2.substr(0, 7) + line2.substr(8, 7) + line2.substr(18, 11);
  line2 += check_digit(composite);
  return line1 + line2 + mrz_name_field(holder.full_name, 30);
}

std::string card_mrz_information(const Holder& holder) {
  validate_holder(holder);
  const std::string number = document_number(holder);
  const std::string birth = mrz_date(parse_date(holder.birth, true, "birth date"));
  const std::string expiry = expiry_mrz(holder);
  return number + check_digit(number) + birth + check_digit(birth) + expiry + check_digit(expiry);
}

}  // namespace cccd::sim
