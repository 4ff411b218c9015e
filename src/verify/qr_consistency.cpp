#include "verify/qr_consistency.hpp"

#include "lds/unicode_text.hpp"
#include "verify/consistency.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace cccd::verification {
namespace {

// Canonical decomposition with every run of spaces made one and the ends trimmed.
std::string normalised(std::string_view text) {
  std::string out;
  for (char c : lds::canonical_decomposition(text)) {
    if (c == ' ' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool ascii_only(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

enum class TextMatch { same, same_without_diacritics, different };

// Text from the QR code against DG13's. Without diacritics only when the QR side has none at all (a
// scanner that types ASCII), never the other way round.
TextMatch compare_text(std::string_view qr, std::string_view chip) {
  if (normalised(qr) == normalised(chip)) return TextMatch::same;
  if (ascii_only(qr) && !qr.empty() && mrz_form_of_name(qr) == mrz_form_of_name(chip)) {
    return TextMatch::same_without_diacritics;
  }
  return TextMatch::different;
}

// dd/mm/yyyy with one-digit day or month widened; "" for anything else.
std::string date_key(std::string_view text) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == '/') {
      parts.emplace_back();
    } else if (c >= '0' && c <= '9') {
      parts.back() += c;
    } else if (c != ' ') {
      return {};
    }
  }
  if (parts.size() != 3 || parts[2].size() != 4) return {};
  for (std::size_t i = 0; i < 2; ++i) {
    if (parts[i].empty() || parts[i].size() > 2) return {};
    if (parts[i].size() == 1) parts[i] = "0" + parts[i];
  }
  return parts[0] + "/" + parts[1] + "/" + parts[2];
}

bool dates_equal(std::string_view qr, std::string_view chip) {
  const std::string key = date_key(qr);
  return !key.empty() && key == date_key(chip);
}

}  // namespace

Finding check_qr_consistency(const CardQr& qr, const PersonalData& personal) {
  std::vector<std::string_view> differing;
  bool without_diacritics = false;
  auto text_field = [&](std::string_view name, std::string_view printed, std::string_view chip) {
    const TextMatch match = compare_text(printed, chip);
    if (match == TextMatch::different) differing.push_back(name);
    without_diacritics = without_diacritics || match == TextMatch::same_without_diacritics;
  };
  if (qr.id_number != personal.id_number()) differing.push_back("ID number");
  if (qr.former_id_number != personal.former_id_number()) differing.push_back("former ID number");
  text_field("name", qr.full_name, personal.full_name());
  if (!dates_equal(qr.date_of_birth, personal.date_of_birth())) differing.push_back("date of birth");
  text_field("sex", qr.sex, personal.sex());
  text_field("place of residence", qr.place_of_residence, personal.place_of_residence());
  if (!dates_equal(qr.date_of_issue, personal.date_of_issue())) differing.push_back("date of issue");

  if (!differing.empty()) {
    std::string detail = "the QR code printed on the card and the chip (DG13) differ in: ";
    for (std::size_t i = 0; i < differing.size(); ++i) {
      if (i > 0) detail += ", ";
      detail += differing[i];
    }
    detail += " (the card's front may be forged, or the QR line is another card's)";
    return {FindingStatus::failed, detail};
  }
  std::string detail =
      "the QR code printed on the card and the chip (DG13) agree on the ID number, former ID number, name, "
      "date of birth, sex, place of residence and date of issue";
  if (without_diacritics) detail += " (the scanner typed the text without diacritics; compared without them)";
  return {FindingStatus::passed, detail};
}

}  // namespace cccd::verification
