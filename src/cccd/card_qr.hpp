// The QR code printed on the front of a CCCD, as a counter's USB scanner types it:
//   001099012345|034190001234|Nguyễn Thị Thu Hà|17051990|Nữ|Số 12 …, Hà Nội|10042021
// It repeats part of DG13, so it says which card the officer holds (its ID opens the chip) and lets the
// verdict compare the printed card with its chip (the qr_consistency finding).
#pragma once

#include <string>

namespace cccd {

struct CardQr {
  std::string id_number;           // 12 digits
  std::string former_id_number;    // 9 or 12 digits, "" when the card has none
  std::string full_name;           // UTF-8 as scanned
  std::string date_of_birth;       // dd/mm/yyyy, as DG13 writes it
  std::string sex;                 // "Nam" or "Nữ" (precomposed)
  std::string place_of_residence;  // UTF-8 as scanned
  std::string date_of_issue;       // dd/mm/yyyy

  CardQr() = default;
  CardQr(const CardQr&) = default;
  CardQr(CardQr&&) = default;
  CardQr& operator=(const CardQr&) = default;
  CardQr& operator=(CardQr&&) = default;
  ~CardQr();  // wipes every field: it is the holder's personal data
};

}  // namespace cccd
