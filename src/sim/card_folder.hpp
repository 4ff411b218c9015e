// A virtual card folder: the EF files in the dump folder format (see cccd/dump.hpp) plus the card's
// secrets in "card-secrets.json" (mode 0600) and, for generated cards, the test CSCA in "csca.pem".
#pragma once

#include "crypto/crypto.hpp"
#include "util/secure_bytes.hpp"

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
  // The chip's static Chip Authentication private key (big-endian scalar, the key whose public half
  // DG14 holds), for PACE-CAM; empty when the card has none.
  Bytes chip_authentication_private_key;
  // The chip's Active Authentication private key (DER PKCS #8, RSA or EC; DG15 holds its public half)
  // and the hash of its signatures (RSA: the ISO/IEC 9796-2 hash, SHA-1 with trailer BC; ECDSA: the
  // hash DG14's ActiveAuthenticationInfo names); empty when the card has no Active Authentication.
  SecureBytes active_authentication_private_key;
  crypto::HashAlgorithm active_authentication_hash = crypto::HashAlgorithm::sha1;
  // Link behaviour of this chip. Without extended length the chip answers 6700 to every extended APDU.
  bool extended_length = true;
  std::size_t max_response_data = 2048;  // largest protected response body the chip sends (extended)
  // Behaviours of other chips than the CCCD, for interoperability tests (all off on the CCCD profile):
  // - SFIs resolved relative to the current DF: EF.CardAccess (and EF.ATR/INFO) only while the MF is
  //   current, the data groups only inside the eMRTD application; such a chip lets the MF be selected.
  //   After a session that left the application selected, SFI 1C answers 6A82 until the MF is selected
  //   or the card is reset.
  bool sfi_relative_to_current_df = false;
  // The status word every READ BINARY by short file identifier gets under secure messaging (6A82, 6A86,
  // 6D00: a chip without SFI support there); 0: SFIs work under secure messaging.
  std::uint16_t sfi_refused_under_secure_messaging = 0;
  // EF.ATR/INFO (FID 2F01, SFI 01, in the MF, ICAO 9303-10): with ExtendedLengthInfo (7F66) when the
  // chip takes extended length, without it otherwise; false: the chip has no EF.ATR/INFO.
  bool atr_info = false;
  // The hostile card: the name of a CardFault (sim/card_faults.hpp) the chip misbehaves with; empty for
  // a faithful chip.
  std::string fault;
};

struct CardData {
  std::map<FileId, Bytes> files;
  CardSecrets secrets;
  std::string csca_pem;  // the test CSCA that signed this card's DS, when generated
};

// Creates the folder if needed and sets it to 0700; writes every EF file (0600, named by file_name()),
// the secrets file and, when the card has one, csca.pem, all 0600 like every file libcccd writes. EF
// files, secrets or csca.pem left in the folder by an earlier card and absent from this one are removed,
// so the folder holds exactly this card. Throws Error(io).
void write_card_folder(const CardData& card, const std::filesystem::path& folder);
// Loads a folder written by write_card_folder or by `cccd-verify read --dump`: the EF files present,
// the secrets file if present (else the access data a chip with that DG1 has: its MRZ key, and the
// CAN from the CCCD's ID number), csca.pem if present. Throws Error(io) when the folder or a file cannot be
// read, Error(limit_exceeded) for a file over kMaxCardFolderFileBytes, Error(malformed_data) for a secrets
// file that is not the expected JSON.
CardData load_card_folder(const std::filesystem::path& folder);

inline constexpr std::size_t kMaxCardFolderFileBytes = 1024 * 1024;

}  // namespace cccd::sim
