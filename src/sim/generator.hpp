// Personalisation of virtual CCCDs: a test PKI (CSCA -> DS), the data groups of the CCCD profile, and an
// EF.SOD signed by the DS. Deterministic: the same options and seed give the same bytes.
#pragma once

#include "sim/card_folder.hpp"

#include <cstdint>
#include <string>

namespace cccd::sim {

struct Holder {
  std::string id_number = "001099012345";  // 12 digits; document number = last 9, CAN = last 6
  std::string full_name = "Nguyễn Thị Thu Hà";
  std::string birth = "1990-05-17";        // YYYY-MM-DD; "1990" or "1990-05" for a partly unknown date
  std::string sex = "F";                   // "M" or "F"
  std::string expiry = "2030-05-17";       // YYYY-MM-DD, or "none" for a card that does not expire
  std::string issue = "2021-04-10";
  std::string nationality = "Việt Nam";
  std::string ethnicity = "Kinh";
  std::string religion = "Không";
  std::string place_of_origin = "Xã Đông Hưng, Huyện Đông Hưng, Tỉnh Thái Bình";
  std::string place_of_residence = "Số 12 Ngõ 34 Phố Trần Quốc Hoàn, Phường Dịch Vọng Hậu, Quận Cầu Giấy, Hà Nội";
  std::string identification_marks = "Nốt ruồi C:2cm trên sau đầu mày phải";
  std::string father_name = "Nguyễn Văn Hùng";
  std::string mother_name = "Trần Thị Lan";
  std::string spouse_name;                 // empty: field 14 present without a name
  std::string former_id_number = "034190001234";
};

enum class SignerAlgorithm { ecdsa_brainpool_p256r1, rsa_2048 };

struct GeneratorOptions {
  Holder holder;
  std::uint64_t seed = 1;
  SignerAlgorithm signer = SignerAlgorithm::ecdsa_brainpool_p256r1;
};

CardData generate_card(const GeneratorOptions& options);

// The built-in default card (`--sim` without a folder): generate_card with default options.
const CardData& default_card();

}  // namespace cccd::sim
