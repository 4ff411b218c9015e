#include "verify/consistency.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace cccd::verification {
namespace {

// One run of precomposed code points that all fold to the same Latin letter.
struct FoldRange {
  char32_t first;
  char32_t last;
  char base;
};

// The Vietnamese letters with diacritics (and the Latin-1 accented letters around them), by block:
// Latin-1 Supplement, Latin Extended-A and -B, and Latin Extended Additional U+1EA0..U+1EF9, where
// Vietnamese has its letters with two marks (ầ, ữ ...).
constexpr std::array<FoldRange, 45> kFolds{{
    {0x00C0, 0x00C5, 'A'}, {0x00C7, 0x00C7, 'C'}, {0x00C8, 0x00CB, 'E'}, {0x00CC, 0x00CF, 'I'},
    {0x00D0, 0x00D0, 'D'},  // Ð, sometimes typed for Đ
    {0x00D1, 0x00D1, 'N'}, {0x00D2, 0x00D6, 'O'}, {0x00D8, 0x00D8, 'O'}, {0x00D9, 0x00DC, 'U'},
    {0x00DD, 0x00DD, 'Y'}, {0x00E0, 0x00E5, 'A'}, {0x00E7, 0x00E7, 'C'}, {0x00E8, 0x00EB, 'E'},
    {0x00EC, 0x00EF, 'I'}, {0x00F0, 0x00F0, 'D'}, {0x00F1, 0x00F1, 'N'}, {0x00F2, 0x00F6, 'O'},
    {0x00F8, 0x00F8, 'O'}, {0x00F9, 0x00FC, 'U'}, {0x00FD, 0x00FD, 'Y'}, {0x00FF, 0x00FF, 'Y'},
    {0x0100, 0x0105, 'A'},                         // Ā ā Ă ă Ą ą
    {0x0110, 0x0111, 'D'},                         // Đ đ
    {0x0112, 0x011B, 'E'}, {0x0128, 0x012F, 'I'},  // Ĩ ĩ ...
    {0x014C, 0x0151, 'O'}, {0x0168, 0x0173, 'U'},  // Ũ ũ ...
    {0x0189, 0x0189, 'D'},                         // Ɖ, the African D, a look-alike of Đ
    {0x01A0, 0x01A1, 'O'},                         // Ơ ơ
    {0x01AF, 0x01B0, 'U'},                         // Ư ư
    {0x01CD, 0x01CE, 'A'}, {0x01CF, 0x01D0, 'I'}, {0x01D1, 0x01D2, 'O'}, {0x01D3, 0x01DC, 'U'},
    {0x1EA0, 0x1EB7, 'A'},  // Ạ ạ Ả ả Ấ ấ Ầ ầ Ẩ ẩ Ẫ ẫ Ậ ậ Ắ ắ Ằ ằ Ẳ ẳ Ẵ ẵ Ặ ặ
    {0x1EB8, 0x1EC7, 'E'},  // Ẹ ẹ Ẻ ẻ Ẽ ẽ Ế ế Ề ề Ể ể Ễ ễ Ệ ệ
    {0x1EC8, 0x1ECB, 'I'},  // Ỉ ỉ Ị ị
    {0x1ECC, 0x1EE3, 'O'},  // Ọ ọ Ỏ ỏ Ố ố Ồ ồ Ổ ổ Ỗ ỗ Ộ ộ Ớ ớ Ờ ờ Ở ở Ỡ ỡ Ợ ợ
    {0x1EE4, 0x1EF1, 'U'},  // Ụ ụ Ủ ủ Ứ ứ Ừ ừ Ử ử Ữ ữ Ự ự
    {0x1EF2, 0x1EF9, 'Y'},  // Ỳ ỳ Ỵ ỵ Ỷ ỷ Ỹ ỹ
    {0x0300, 0x036F, 0},    // combining marks (a name typed decomposed): dropped
    {0x00A0, 0x00A0, ' '},  // no-break space
    {0x2000, 0x200A, ' '},  // typographic spaces
    {0x200B, 0x200D, 0},    // zero-width characters
    {0xFEFF, 0xFEFF, 0},    // byte order mark
}};

constexpr char kNoLatinForm = '?';

// The next code point of UTF-8 text, or nothing for a broken sequence (one byte is then consumed).
std::optional<char32_t> next_code_point(std::string_view text, std::size_t& pos) {
  auto lead = static_cast<std::uint8_t>(text[pos++]);
  if (lead < 0x80) return lead;
  std::size_t extra = 0;
  char32_t value = 0;
  if ((lead & 0xE0) == 0xC0) {
    extra = 1;
    value = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2;
    value = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3;
    value = lead & 0x07;
  } else {
    return std::nullopt;
  }
  if (text.size() - pos < extra) return std::nullopt;
  for (std::size_t i = 0; i < extra; ++i) {
    auto next = static_cast<std::uint8_t>(text[pos]);
    if ((next & 0xC0) != 0x80) return std::nullopt;
    value = (value << 6) | (next & 0x3F);
    ++pos;
  }
  return value;
}

// The Latin letter a code point folds to, ' ' for a separator, 0 for nothing, '?' when it has none.
char fold(char32_t c) {
  if (c < 0x80) {
    char ascii = static_cast<char>(c);
    if (ascii >= 'a' && ascii <= 'z') return static_cast<char>(ascii - 'a' + 'A');
    if ((ascii >= 'A' && ascii <= 'Z') || (ascii >= '0' && ascii <= '9')) return ascii;
    if (ascii == '\'') return 0;  // ICAO 9303 Part 3: apostrophes are omitted
    return ' ';                   // spaces, hyphens, commas: name separators (fillers in the MRZ)
  }
  for (const FoldRange& range : kFolds) {
    if (c >= range.first && c <= range.last) return range.base;
  }
  return kNoLatinForm;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (char c : text) {
    if (c == ' ' || c == '<') {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

// The MRZ name field as printed: TD1 line 3, TD3 line 1 after "P<" and the issuing state.
std::string_view mrz_name_field(const Mrz& mrz) {
  std::string_view text = mrz.text;
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  if (mrz.format == Mrz::Format::td1 && lines.size() == 3 && lines[2].size() == 30) return lines[2];
  if (mrz.format == Mrz::Format::td3 && lines.size() == 2 && lines[0].size() == 44) return lines[0].substr(5);
  return {};
}

struct DateParts {
  std::string day;    // "" when not on record
  std::string month;  // ""
  std::string year;   // four digits
};

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// "dd/mm/yyyy", "mm/yyyy" or "yyyy"; one-digit day and month are widened to two.
std::optional<DateParts> parse_dg13_date(std::string_view text) {
  text = trim(text);
  std::vector<std::string_view> parts;
  while (parts.size() < 4) {
    std::size_t slash = text.find('/');
    parts.push_back(text.substr(0, slash));
    if (slash == std::string_view::npos) break;
    text.remove_prefix(slash + 1);
  }
  if (parts.empty() || parts.size() > 3) return std::nullopt;
  auto two_digits = [](std::string_view part) -> std::optional<std::string> {
    if (!all_digits(part) || part.size() > 2) return std::nullopt;
    return part.size() == 1 ? std::string{'0', part[0]} : std::string(part);
  };
  DateParts date;
  if (!all_digits(parts.back()) || parts.back().size() != 4) return std::nullopt;
  date.year = std::string(parts.back());
  if (parts.size() >= 2) {
    auto month = two_digits(parts[parts.size() - 2]);
    if (!month) return std::nullopt;
    date.month = *month;
  }
  if (parts.size() == 3) {
    auto day = two_digits(parts[0]);
    if (!day) return std::nullopt;
    date.day = *day;
  }
  return date;
}

bool mrz_part_unknown(std::string_view part) {
  return part == "<<" || part == "00";
}

bool part_agrees(std::string_view mrz_part, std::string_view dg13_part) {
  if (mrz_part_unknown(mrz_part)) return true;
  return all_digits(mrz_part) && dg13_part != "00" && dg13_part == mrz_part;
}

bool dates_agree(std::string_view mrz_date, const DateParts& date) {
  if (mrz_date.size() != 6 || !all_digits(mrz_date.substr(0, 2))) return false;
  if (mrz_date.substr(0, 2) != std::string_view(date.year).substr(2)) return false;
  return part_agrees(mrz_date.substr(2, 2), date.month) && part_agrees(mrz_date.substr(4, 2), date.day);
}

bool is_prefix(std::string_view prefix, std::string_view word) {
  return !prefix.empty() && word.substr(0, prefix.size()) == prefix;
}

// 'M' or 'F' for DG13's "Nam" / "Nữ"; nothing for anything else.
std::optional<char> dg13_sex(std::string_view text) {
  std::string folded = mrz_form_of_name(text);
  if (folded == "NAM") return 'M';
  if (folded == "NU") return 'F';
  return std::nullopt;
}

}  // namespace

std::string mrz_form_of_name(std::string_view utf8_name) {
  std::string folded;
  std::size_t pos = 0;
  while (pos < utf8_name.size()) {
    std::optional<char32_t> c = next_code_point(utf8_name, pos);
    char latin = c ? fold(*c) : kNoLatinForm;
    if (latin == ' ') {
      if (!folded.empty() && folded.back() != ' ') folded += ' ';
    } else if (latin != 0) {
      folded += latin;
    }
  }
  if (!folded.empty() && folded.back() == ' ') folded.pop_back();
  return folded;
}

bool birth_dates_agree(std::string_view mrz_date, std::string_view dg13_date) {
  std::optional<DateParts> date = parse_dg13_date(dg13_date);
  return date && dates_agree(mrz_date, *date);
}

bool expiry_dates_agree(std::string_view mrz_date, std::string_view dg13_text) {
  std::optional<DateParts> date = parse_dg13_date(dg13_text);
  if (!date) return mrz_date == "991231";
  return dates_agree(mrz_date, *date);
}

NameMatch compare_names(const Mrz& mrz, std::string_view dg13_name) {
  std::vector<std::string> dg13_words = split_words(mrz_form_of_name(dg13_name));
  std::vector<std::string> mrz_words = split_words(mrz.primary_identifier);
  for (auto& word : split_words(mrz.secondary_identifier)) mrz_words.push_back(std::move(word));
  if (dg13_words.empty() || mrz_words.empty()) return NameMatch::different;
  if (mrz_words == dg13_words) return NameMatch::same;

  std::string_view field = mrz_name_field(mrz);
  bool field_full = !field.empty() && field.back() != '<';
  if (!field_full || mrz_words.size() > dg13_words.size()) return NameMatch::different;
  for (std::size_t i = 0; i < mrz_words.size(); ++i) {
    if (!is_prefix(mrz_words[i], dg13_words[i])) return NameMatch::different;
  }
  return NameMatch::truncated;
}

Finding check_consistency(const Mrz& mrz, const PersonalData& personal) {
  std::vector<std::string_view> differing;
  std::string id = personal.id_number();
  std::string mrz_id = mrz.cccd_id_number();
  if (id.empty() || mrz_id != id) differing.push_back("ID number");
  if (id.size() < 9 || mrz.document_number != std::string_view(id).substr(id.size() - 9)) {
    differing.push_back("document number");
  }
  if (!birth_dates_agree(mrz.date_of_birth, personal.date_of_birth())) differing.push_back("date of birth");
  if (!expiry_dates_agree(mrz.date_of_expiry, personal.date_of_expiry()))
    differing.push_back("date of expiry");
  std::optional<char> sex = dg13_sex(personal.sex());
  if (sex && (mrz.sex == "M" || mrz.sex == "F") && mrz.sex[0] != *sex) differing.push_back("sex");
  NameMatch name = compare_names(mrz, personal.full_name());
  if (name == NameMatch::different) differing.push_back("name");

  if (!differing.empty()) {
    std::string detail = "DG1 (MRZ) and DG13 differ in: ";
    for (std::size_t i = 0; i < differing.size(); ++i) {
      if (i > 0) detail += ", ";
      detail += differing[i];
    }
    return {FindingStatus::failed, detail};
  }
  std::string detail =
      "DG1 (MRZ) and DG13 agree on the ID number, document number, dates of birth and expiry, and name";
  if (name == NameMatch::truncated) detail += " (the MRZ holds the name cut as ICAO 9303 allows)";
  return {FindingStatus::passed, detail};
}

}  // namespace cccd::verification
