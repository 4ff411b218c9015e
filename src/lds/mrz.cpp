#include "lds/mrz.hpp"

#include <cccd/error.hpp>

#include <string>
#include <vector>

namespace cccd::lds {
namespace {

[[noreturn]] void bad_mrz(const std::string& what) {
  throw Error(ErrorCode::invalid_argument, "MRZ: " + what);
}

bool is_mrz_char(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '<';
}

char upper(char c) noexcept {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string strip_trailing_fillers(std::string_view field) {
  std::size_t end = field.size();
  while (end > 0 && field[end - 1] == '<') --end;
  return std::string(field.substr(0, end));
}

// Fillers inside a name become single spaces; leading and trailing fillers go.
std::string fillers_to_spaces(std::string_view field) {
  std::string out;
  bool pending_space = false;
  for (char c : field) {
    if (c == '<') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// The name field: primary identifier, "<<", secondary identifier (ICAO 9303 Part 3 section 4.6).
void split_names(std::string_view field, Mrz& mrz) {
  std::size_t separator = field.find("<<");
  if (separator == std::string_view::npos) {
    mrz.primary_identifier = fillers_to_spaces(field);
    mrz.secondary_identifier.clear();
    return;
  }
  mrz.primary_identifier = fillers_to_spaces(field.substr(0, separator));
  mrz.secondary_identifier = fillers_to_spaces(field.substr(separator + 2));
}

bool check_ok(std::string_view field, char check) {
  return mrz_check_digit(field) == check;
}

// Splits the input into lines of MRZ characters: newline separated, or one run of 90 (TD1) or 88 (TD3).
std::vector<std::string> mrz_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::string current;
  auto flush = [&lines, &current] {
    if (!current.empty()) lines.push_back(current);
    current.clear();
  };
  for (char c : text) {
    if (c == '\n') {
      flush();
    } else if (c == '\r' || c == ' ' || c == '\t') {
      continue;  // copy-pasted MRZs carry stray blanks and CR LF line ends
    } else {
      char u = upper(c);
      if (!is_mrz_char(u)) bad_mrz("character outside 0-9, A-Z and '<'");
      current.push_back(u);
      if (current.size() > 90) bad_mrz("line too long");
    }
  }
  flush();
  if (lines.size() == 1 && lines[0].size() == 90) {
    std::string run = lines[0];
    return {run.substr(0, 30), run.substr(30, 30), run.substr(60, 30)};
  }
  if (lines.size() == 1 && lines[0].size() == 88) {
    std::string run = lines[0];
    return {run.substr(0, 44), run.substr(44, 44)};
  }
  return lines;
}

Mrz parse_td1(const std::vector<std::string>& lines) {
  const std::string& l1 = lines[0];
  const std::string& l2 = lines[1];
  const std::string& l3 = lines[2];
  Mrz mrz;
  mrz.format = Mrz::Format::td1;
  mrz.text = l1 + "\n" + l2 + "\n" + l3;
  mrz.document_code = l1.substr(0, 2);
  mrz.issuing_state = strip_trailing_fillers(std::string_view(l1).substr(2, 3));

  std::string_view number_field = std::string_view(l1).substr(5, 9);
  std::string_view optional_1 = std::string_view(l1).substr(15, 15);
  bool number_ok = false;
  if (l1[14] == '<') {
    // A number longer than 9 characters (Part 5 section 4.2.2, note j): the rest of it and its check
    // digit open optional data 1, ended by a filler; the check digit covers the whole number.
    std::size_t run = optional_1.find('<');
    if (run == std::string_view::npos) run = optional_1.size();
    if (run >= 1) {
      std::string full = std::string(number_field) + std::string(optional_1.substr(0, run - 1));
      number_ok = check_ok(full, optional_1[run - 1]);
      mrz.document_number = strip_trailing_fillers(full);
      optional_1 = optional_1.substr(run < optional_1.size() ? run + 1 : run);
    } else {
      mrz.document_number = strip_trailing_fillers(number_field);
    }
  } else {
    number_ok = check_ok(number_field, l1[14]);
    mrz.document_number = strip_trailing_fillers(number_field);
  }
  mrz.optional_data_1 = strip_trailing_fillers(optional_1);

  mrz.date_of_birth = l2.substr(0, 6);
  mrz.sex = l2.substr(7, 1);
  mrz.date_of_expiry = l2.substr(8, 6);
  mrz.nationality = strip_trailing_fillers(std::string_view(l2).substr(15, 3));
  mrz.optional_data_2 = strip_trailing_fillers(std::string_view(l2).substr(18, 11));
  split_names(l3, mrz);

  bool birth_ok = check_ok(mrz.date_of_birth, l2[6]);
  bool expiry_ok = check_ok(mrz.date_of_expiry, l2[14]);
  std::string composite = l1.substr(5, 25) + l2.substr(0, 7) + l2.substr(8, 7) + l2.substr(18, 11);
  bool composite_ok = check_ok(composite, l2[29]);
  mrz.check_digits_valid = number_ok && birth_ok && expiry_ok && composite_ok;
  return mrz;
}

Mrz parse_td3(const std::vector<std::string>& lines) {
  const std::string& l1 = lines[0];
  const std::string& l2 = lines[1];
  Mrz mrz;
  mrz.format = Mrz::Format::td3;
  mrz.text = l1 + "\n" + l2;
  mrz.document_code = l1.substr(0, 2);
  mrz.issuing_state = strip_trailing_fillers(std::string_view(l1).substr(2, 3));
  split_names(std::string_view(l1).substr(5), mrz);

  mrz.document_number = strip_trailing_fillers(std::string_view(l2).substr(0, 9));
  mrz.nationality = strip_trailing_fillers(std::string_view(l2).substr(10, 3));
  mrz.date_of_birth = l2.substr(13, 6);
  mrz.sex = l2.substr(20, 1);
  mrz.date_of_expiry = l2.substr(21, 6);
  std::string_view personal = std::string_view(l2).substr(28, 14);
  mrz.optional_data_2 = strip_trailing_fillers(personal);

  bool number_ok = check_ok(l2.substr(0, 9), l2[9]);
  bool birth_ok = check_ok(mrz.date_of_birth, l2[19]);
  bool expiry_ok = check_ok(mrz.date_of_expiry, l2[27]);
  // An all-filler personal number may carry '<' as its check digit (Part 4 section 4.2.2.2).
  bool personal_ok = check_ok(personal, l2[42]) || (mrz.optional_data_2.empty() && l2[42] == '<');
  std::string composite = l2.substr(0, 10) + l2.substr(13, 7) + l2.substr(21, 22);
  bool composite_ok = check_ok(composite, l2[43]);
  mrz.check_digits_valid = number_ok && birth_ok && expiry_ok && personal_ok && composite_ok;
  return mrz;
}

SecureString checked_key_field(std::string_view value, const char* name, bool digits_only_or_filler) {
  SecureString out;
  out.reserve(32);  // on the heap, so the wiping allocator clears it (no small-string buffer)
  for (char c : value) {
    char u = upper(c);
    bool ok = digits_only_or_filler ? ((u >= '0' && u <= '9') || u == '<') : is_mrz_char(u);
    if (!ok)
      throw Error(ErrorCode::invalid_argument, std::string("MRZ key: invalid character in the ") + name);
    out.push_back(u);
  }
  return out;
}

}  // namespace

char mrz_check_digit(std::string_view field) {
  static constexpr int kWeights[3] = {7, 3, 1};
  int sum = 0;
  std::size_t position = 0;
  for (char c : field) {
    int value = 0;
    if (c >= '0' && c <= '9') {
      value = c - '0';
    } else if (c >= 'A' && c <= 'Z') {
      value = c - 'A' + 10;
    } else if (c != '<') {
      bad_mrz("character outside 0-9, A-Z and '<'");
    }
    sum = (sum + value * kWeights[position % 3]) % 10;
    ++position;
  }
  return static_cast<char>('0' + sum);
}

Mrz parse_mrz(std::string_view text) {
  std::vector<std::string> lines = mrz_lines(text);
  if (lines.size() == 3 && lines[0].size() == 30 && lines[1].size() == 30 && lines[2].size() == 30) {
    return parse_td1(lines);
  }
  if (lines.size() == 2 && lines[0].size() == 44 && lines[1].size() == 44) return parse_td3(lines);
  bad_mrz("neither TD1 (3 lines of 30) nor TD3 (2 lines of 44)");
}

SecureString mrz_information(const MrzKeyFields& fields) {
  // A TD1 number may run to 9 + 13 overflow characters (optional data 1 holds the rest and the check).
  if (fields.document_number.empty() || fields.document_number.size() > 22) {
    throw Error(ErrorCode::invalid_argument, "MRZ key: document number must have 1 to 22 characters");
  }
  if (fields.date_of_birth.size() != 6) {
    throw Error(ErrorCode::invalid_argument, "MRZ key: date of birth must be YYMMDD");
  }
  if (fields.date_of_expiry.size() != 6) {
    throw Error(ErrorCode::invalid_argument, "MRZ key: date of expiry must be YYMMDD");
  }
  SecureString number = checked_key_field(fields.document_number, "document number", false);
  if (number.size() < 9) number.append(9 - number.size(), '<');
  SecureString birth = checked_key_field(fields.date_of_birth, "date of birth", true);
  SecureString expiry = checked_key_field(fields.date_of_expiry, "date of expiry", true);

  SecureString out;
  out.reserve(number.size() + 16);
  out.append(number.data(), number.size());
  out.push_back(mrz_check_digit(number));
  out.append(birth.data(), birth.size());
  out.push_back(mrz_check_digit(birth));
  out.append(expiry.data(), expiry.size());
  out.push_back(mrz_check_digit(expiry));
  return out;
}

MrzKeyFields key_fields(const Mrz& mrz) {
  MrzKeyFields fields;
  fields.document_number = mrz.document_number;
  if (fields.document_number.size() < 9)
    fields.document_number.append(9 - fields.document_number.size(), '<');
  fields.date_of_birth = mrz.date_of_birth;
  fields.date_of_expiry = mrz.date_of_expiry;
  return fields;
}

}  // namespace cccd::lds
