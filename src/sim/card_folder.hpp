// A virtual card folder: the EF files in the dump folder format (see cccd/dump.hpp) plus the card's
// secrets in "card-secrets.json" (mode 0600) and, for generated cards, the test CSCA in "csca.pem".
#pragma once

#include <cccd/dump.hpp>

#include <filesystem>
#include <map>
#include <string>

namespace cccd::sim {

inline constexpr const char* kSecretsFileName = "card-secrets.json";
inline constexpr const char* kCscaFileName = "csca.pem";

struct CardSecrets {
  // Access data, as the chip stores it: MRZ_information (document number, birth, expiry with check
  // digits) for BAC, and the CAN for PACE.
  std::string mrz_information;
  std::string can;
  // Link behaviour of this chip.
  bool extended_length = true;
  std::size_t max_response_data = 2048;  // largest protected response body the chip sends (extended)
};

struct CardData {
  std::map<FileId, Bytes> files;
  CardSecrets secrets;
  std::string csca_pem;  // the test CSCA that signed this card's DS, when generated
};

void write_card_folder(const CardData& card, const std::filesystem::path& folder);
// Loads a folder written by write_card_folder or by `cccd-verify read --dump` (no secrets file: the
// caller provides access data, see load_card_folder's `secrets` overload).
CardData load_card_folder(const std::filesystem::path& folder);

}  // namespace cccd::sim
