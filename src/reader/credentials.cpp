#include "lds/mrz.hpp"
#include "lds/qr_line.hpp"
#include "util/secure_bytes.hpp"

#include <cccd/error.hpp>
#include <cccd/reader.hpp>

#include <algorithm>
#include <cctype>

namespace cccd {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

[[noreturn]] void bad(const char* what) {
  throw Error(ErrorCode::invalid_argument, what);
}

int number(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// A real calendar date (the century is not in YYMMDD: February 29 is allowed in any year divisible by 4,
// which is right for 1901-2099). Unknown parts ('<<') are allowed only from the day up.
void check_month_day(std::string_view yy, std::string_view mm, std::string_view dd, const char* what) {
  if (mm == "<<") {
    if (dd != "<<") bad(what);
    return;
  }
  int month = number(mm);
  if (month < 1 || month > 12) bad(what);
  if (dd == "<<") return;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int day = number(dd);
  int max_day = kDays[month - 1];
  if (month == 2 && number(yy) % 4 != 0) max_day = 28;
  if (day < 1 || day > max_day) bad(what);
}

// YYYY-MM-DD, YYYY-MM, YYYY or YYMMDD (with '<<' for unknown parts) -> YYMMDD as the MRZ writes it.
std::string to_mrz_date(std::string_view text, bool allow_partial, const char* what) {
  std::string out;
  if (text.size() == 6) {
    for (char c : text) {
      if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '<')) bad(what);
    }
    if (!all_digits(text.substr(0, 2))) bad(what);
    out = std::string(text);
  } else if (text.size() >= 4 && all_digits(text.substr(0, 4))) {
    std::string yy(text.substr(2, 2));
    if (text.size() == 10 && text[4] == '-' && text[7] == '-' && all_digits(text.substr(5, 2)) &&
        all_digits(text.substr(8, 2))) {
      out = yy + std::string(text.substr(5, 2)) + std::string(text.substr(8, 2));
    } else if (allow_partial && text.size() == 7 && text[4] == '-' && all_digits(text.substr(5, 2))) {
      out = yy + std::string(text.substr(5, 2)) + "<<";
    } else if (allow_partial && text.size() == 4) {
      out = yy + "<<<<";
    } else {
      bad(what);
    }
  } else {
    bad(what);
  }
  if (!allow_partial && out.find('<') != std::string::npos) bad(what);
  std::string_view date(out);
  check_month_day(date.substr(0, 2), date.substr(2, 2), date.substr(4, 2), what);
  return out;
}

}  // namespace

Credentials::~Credentials() {
  for (std::string* s : {&document_number, &date_of_birth, &date_of_expiry, &can}) {
    secure_wipe(s->data(), s->capacity());
  }
}

Credentials Credentials::from_id_number(std::string_view id_number, std::string_view birth,
                                        std::string_view expiry) {
  if (id_number.size() != 12 || !all_digits(id_number)) bad("the ID number must be 12 digits");
  Credentials c;
  c.document_number = std::string(id_number.substr(3));
  c.can = std::string(id_number.substr(6));
  if (birth.empty() != expiry.empty()) bad("give both the birth and the expiry date, or neither");
  if (birth.empty()) return c;
  c.date_of_birth =
      to_mrz_date(birth, true, "birth date: use YYYY-MM-DD (or YYYY / YYYY-MM when not on record)");
  c.date_of_expiry = expiry == "none" ? std::string("991231")
                                      : to_mrz_date(expiry, false, "expiry date: use YYYY-MM-DD or 'none'");
  return c;
}

Credentials Credentials::from_id_or_qr_line(std::string_view text, std::string_view birth,
                                            std::string_view expiry) {
  lds::IdOrQr entry = lds::parse_id_or_qr_line(text);
  Credentials c = from_id_number(entry.id_number, birth, expiry);
  c.printed_qr = std::move(entry.qr);
  return c;
}

Credentials Credentials::from_can(std::string_view can) {
  if (can.size() != 6 || !all_digits(can)) bad("the CAN must be 6 digits");
  Credentials c;
  c.can = std::string(can);
  return c;
}

Credentials Credentials::from_mrz(std::string_view mrz_text) {
  Mrz mrz = lds::parse_mrz(mrz_text);
  if (!mrz.check_digits_valid) bad("the MRZ has a wrong check digit: check the text typed or scanned");
  Credentials c;
  c.document_number = mrz.document_number;
  c.date_of_birth = mrz.date_of_birth;
  c.date_of_expiry = mrz.date_of_expiry;
  std::string id = mrz.cccd_id_number();
  if (id.size() == 12) c.can = id.substr(6);
  return c;
}

}  // namespace cccd
