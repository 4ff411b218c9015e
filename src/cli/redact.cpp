#include "cli/redact.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace cccd::cli {
namespace {

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_digit);
}

// The length of the UTF-8 sequence that starts with `lead` (1 for a stray continuation byte).
std::size_t utf8_length(unsigned char lead) {
  if (lead >= 0xF0 && lead < 0xF8) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// A combining diacritic (U+0300..U+036F, two bytes CC 80..CD AF): part of the letter before it.
bool combining_at(std::string_view text, std::size_t at) {
  if (at + 1 >= text.size()) return false;
  const auto lead = static_cast<unsigned char>(text[at]);
  const auto next = static_cast<unsigned char>(text[at + 1]);
  return lead == 0xCC || (lead == 0xCD && next <= 0xAF);
}

struct Date {
  std::string year, month, day;  // year: 4 digits, or 2 for an MRZ date
};

// dd/mm/yyyy (DG13), yyyy-mm-dd (the command line), yyyymmdd, yymmdd (the MRZ).
std::optional<Date> parse_date(std::string_view text) {
  if (text.size() == 10 && text[2] == '/' && text[5] == '/') {
    return Date{std::string(text.substr(6, 4)), std::string(text.substr(3, 2)),
                std::string(text.substr(0, 2))};
  }
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    return Date{std::string(text.substr(0, 4)), std::string(text.substr(5, 2)),
                std::string(text.substr(8, 2))};
  }
  if (text.size() == 8 && all_digits(text)) {
    return Date{std::string(text.substr(0, 4)), std::string(text.substr(4, 2)),
                std::string(text.substr(6, 2))};
  }
  // An MRZ date writes an unknown month or day as "<<".
  const bool mrz_date =
      text.size() == 6 && all_digits(text.substr(0, 2)) &&
      std::all_of(text.begin() + 2, text.end(), [](char c) { return is_digit(c) || c == '<'; });
  if (mrz_date) {
    return Date{std::string(text.substr(0, 2)), std::string(text.substr(2, 2)),
                std::string(text.substr(4, 2))};
  }
  return std::nullopt;
}

std::string stars(std::size_t count) {
  return std::string(count, '*');
}

}  // namespace

std::string mask_id_number(std::string_view id_number) {
  if (id_number.size() <= 3) return stars(id_number.size());
  return stars(id_number.size() - 3) + std::string(id_number.substr(id_number.size() - 3));
}

std::string mask_name(std::string_view name) {
  std::string out;
  std::size_t at = 0;
  while (at < name.size()) {
    if (name[at] == ' ' || name[at] == '<') {
      ++at;
      continue;
    }
    std::size_t end = std::min(name.size(), at + utf8_length(static_cast<unsigned char>(name[at])));
    while (combining_at(name, end)) end += 2;
    if (!out.empty()) out += ' ';
    out.append(name.substr(at, end - at)).append(".");
    at = end;
    while (at < name.size() && name[at] != ' ' && name[at] != '<') ++at;
  }
  return out;
}

std::string mask_date(std::string_view date) {
  const std::optional<Date> parsed = parse_date(date);
  if (!parsed) return stars(date.size());
  if (date.find('/') != std::string_view::npos) return "**/**/" + parsed->year;
  if (date.find('-') != std::string_view::npos) return parsed->year + "-**-**";
  return parsed->year + stars(date.size() - parsed->year.size());
}

std::string mask_address(std::string_view address) {
  const std::size_t comma = address.rfind(',');
  if (comma == std::string_view::npos) return address.empty() ? "" : "***";
  return "***" + std::string(address.substr(comma));
}

void Redactor::add(std::string plain, std::string masked) {
  // Short values ("F", "VNM") are not personal on their own, and replacing them would mangle the text.
  if (plain.size() < 4 || plain == masked) return;
  for (const auto& [known, mask] : secrets_) {
    if (known == plain) return;
  }
  secrets_.emplace_back(std::move(plain), std::move(masked));
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

void Redactor::add_id_number(std::string_view id_number) {
  if (!enabled_) return;
  add(std::string(id_number), mask_id_number(id_number));
}

void Redactor::add_date(std::string_view date) {
  if (!enabled_) return;
  add(std::string(date), mask_date(date));
  const std::optional<Date> parsed = parse_date(date);
  if (!parsed) return;
  // The same date as the other sources write it, so that each spelling is caught.
  const std::string& y = parsed->year;
  const std::string& m = parsed->month;
  const std::string& d = parsed->day;
  if (y.size() == 4) {
    add(d + "/" + m + "/" + y, "**/**/" + y);
    add(y + "-" + m + "-" + d, y + "-**-**");
    add(y + m + d, y + "****");
    add(y.substr(2) + m + d, y.substr(2) + "****");
  } else {
    add(y + m + d, y + "****");
  }
}

void Redactor::add_name(std::string_view name) {
  if (!enabled_) return;
  add(std::string(name), mask_name(name));
  std::string mrz_form(name);  // "NGUYEN THI THU HA" as the MRZ writes it: NGUYEN<THI<THU<HA
  std::replace(mrz_form.begin(), mrz_form.end(), ' ', '<');
  add(mrz_form, mask_name(name));
}

void Redactor::learn(const Credentials& credentials) {
  add_id_number(credentials.document_number);
  add_id_number(credentials.can);
  add_date(credentials.date_of_birth);
  add_date(credentials.date_of_expiry);
  if (const std::optional<CardQr>& qr = credentials.printed_qr) {
    add_id_number(qr->id_number);
    add_id_number(qr->former_id_number);
    add_name(qr->full_name);
    add_date(qr->date_of_birth);
    add_date(qr->date_of_issue);
    add(qr->place_of_residence, mask_address(qr->place_of_residence));
  }
}

void Redactor::learn(const Report& report) {
  if (!enabled_) return;
  if (report.document.personal) {
    const PersonalData& p = *report.document.personal;
    for (const Dg13Field& field : p.fields) {
      for (const std::string& value : field.values) {
        switch (field.number) {
          case 1:
          case 15:
            add_id_number(value);
            break;
          case 2:
          case 13:
          case 14:
            add_name(value);
            break;
          case 3:
          case 11:
          case 12:
            add_date(value);
            break;
          case 8:
          case 9:
            add(value, mask_address(value));
            break;
          case 6:
          case 7:
          case 10:
            add(value, "***");
            break;
          default:
            break;  // sex, nationality: kept (the report masks unknown fields itself)
        }
      }
    }
  }
  if (report.document.mrz) {
    const Mrz& m = *report.document.mrz;
    add_id_number(m.document_number);
    add_id_number(m.cccd_id_number());
    add_date(m.date_of_birth);
    add_date(m.date_of_expiry);
    add_name(m.primary_identifier);
    add_name(m.secondary_identifier);
    add_name(m.primary_identifier + " " + m.secondary_identifier);
  }
}

Report Redactor::redact(const Report& report) const {
  Report out = report;
  if (!enabled_) return out;
  if (out.document.personal) {
    for (Dg13Field& field : out.document.personal->fields) {
      for (std::string& value : field.values) {
        switch (field.number) {
          case 1:
          case 15:
            value = mask_id_number(value);
            break;
          case 2:
          case 13:
          case 14:
            value = mask_name(value);
            break;
          case 3:
          case 11:
          case 12:
            value = mask_date(value);
            break;
          case 4:
          case 5:
            break;  // sex and nationality identify nobody
          case 8:
          case 9:
            value = mask_address(value);
            break;
          default:
            if (!value.empty()) value = "***";
            break;
        }
      }
      field.raw.clear();
    }
  }
  if (out.document.mrz) {
    Mrz& m = *out.document.mrz;
    m.document_number = mask_id_number(m.document_number);
    m.optional_data_1 = mask_id_number(m.optional_data_1);
    m.optional_data_2 = m.optional_data_2.empty() ? "" : "***";
    m.date_of_birth = mask_date(m.date_of_birth);
    m.date_of_expiry = mask_date(m.date_of_expiry);
    m.primary_identifier = mask_name(m.primary_identifier);
    m.secondary_identifier = mask_name(m.secondary_identifier);
    for (char& c : m.text) {
      if (c != '<' && c != '\n') c = '*';
    }
  }
  return out;
}

std::string Redactor::scrub(std::string text) const {
  if (!enabled_) return text;
  for (const auto& [plain, masked] : secrets_) {
    std::size_t at = 0;
    while ((at = text.find(plain, at)) != std::string::npos) {
      text.replace(at, plain.size(), masked);
      at += masked.size();
    }
  }
  return text;
}

}  // namespace cccd::cli
