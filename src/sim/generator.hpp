// Personalisation of virtual CCCDs: a test PKI (CSCA -> DS), the data groups of the CCCD profile, and an
// EF.SOD signed by the DS. Deterministic: the same options and seed give the same bytes.
#pragma once

#include "lds/security_infos.hpp"
#include "sim/active_authentication_chip.hpp"
#include "sim/card_folder.hpp"
#include "sim/face_image.hpp"
#include "util/secure_bytes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cccd::sim {

struct Holder {
  std::string id_number = "001099012345";  // 12 digits; document number = last 9, CAN = last 6
  std::string full_name = "Nguyễn Thị Thu Hà";
  std::string birth = "1990-05-17";   // YYYY-MM-DD; "1990" or "1990-05" for a partly unknown date
  std::string sex = "F";              // "M" or "F"
  std::string expiry = "2030-05-17";  // YYYY-MM-DD, or "none" for a card that does not expire
  std::string issue = "2021-04-10";
  std::string nationality = "Việt Nam";
  std::string ethnicity = "Kinh";
  std::string religion = "Không";
  std::string place_of_origin = "Xã Đông Hưng, Huyện Đông Hưng, Tỉnh Thái Bình";
  std::string place_of_residence =
      "Số 12 Ngõ 34 Phố Trần Quốc Hoàn, Phường Dịch Vọng Hậu, Quận Cầu Giấy, Hà Nội";
  std::string identification_marks = "Nốt ruồi C:2cm trên sau đầu mày phải";
  std::string father_name = "Nguyễn Văn Hùng";
  std::string mother_name = "Trần Thị Lan";
  std::string spouse_name;  // empty: field 14 present without a name
  std::string former_id_number = "034190001234";
};

enum class SignerAlgorithm { ecdsa_brainpool_p256r1, rsa_2048 };

// The PACE a card offers in its EF.CardAccess (`cccd-sim personalise --pace MAPPING:PARAM:CIPHER`).
struct PaceOffer {
  lds::PaceMapping mapping = lds::PaceMapping::generic;
  int parameter_id = 13;  // 0-2 DH, 8-18 ECDH (the key agreement follows from the id)
  crypto::CipherKind cipher = crypto::CipherKind::aes128;
};

// The Chip Authentication a card offers in DG14 (`cccd-sim personalise --ca v1|v2`): a static key on a
// standardized domain, its ChipAuthenticationPublicKeyInfo and ChipAuthenticationInfo.
struct ChipAuthenticationOffer {
  int parameter_id = 13;  // 0-2 DH (RFC 5114), 8-18 ECDH; brainpoolP256r1 by default
  crypto::CipherKind cipher = crypto::CipherKind::aes128;
  std::uint64_t version = 2;            // of the ChipAuthenticationInfo: 1 or 2
  std::optional<std::uint64_t> key_id;  // written in both entries when given
  // DG14's key names its group by the standardized id in place of the key algorithm, as BSI TR-03110
  // chips (German ID cards) write it: 30 0C 06 07 04007F0007010202 02 01 id. Otherwise a named curve
  // (ECDH) or the explicit group (DH) under id-PK-ECDH / dhpublicnumber.
  bool standardized_key_parameters = false;
};
// `--ca v1`: the MSE:Set KAT form, 3DES (the only cipher ICAO defines it for), version 1.
// `--ca v2`: MSE:Set AT + General Authenticate, AES-128, version 2. Both on brainpoolP256r1.
ChipAuthenticationOffer chip_authentication_offer_v1();
ChipAuthenticationOffer chip_authentication_offer_v2();
// The CCCD's (docs/cccd-chip-profile.md, `--ca cccd`): ECDH brainpoolP256r1, AES-128, version 1, as its
// EF.CardAccess announces it; the reader runs it with MSE:Set AT + General Authenticate.
ChipAuthenticationOffer chip_authentication_offer_cccd();

struct GeneratorOptions {
  Holder holder;
  std::uint64_t seed = 1;
  SignerAlgorithm signer = SignerAlgorithm::ecdsa_brainpool_p256r1;
  // Nothing: the CCCD profile's EF.CardAccess (GM, brainpoolP256r1, AES-128, with TA and CA entries).
  // An offer: an EF.CardAccess with that PACEInfo. `no_card_access`: a card without EF.CardAccess (BAC).
  std::optional<PaceOffer> pace;
  bool no_card_access = false;
  // Chip Authentication: DG14 (listed in EF.COM, hashed in EF.SOD) and the private key in the secrets.
  // Not together with a PACE-CAM offer, whose DG14 already carries the chip's CA key.
  std::optional<ChipAuthenticationOffer> chip_authentication;
  FaceFormat face_format = FaceFormat::jpeg;  // DG2's image: JPEG (the CCCD's) or lossless JPEG 2000
  // Active Authentication (`--aa`): none, RSA-2048 (ISO/IEC 9796-2) or ECDSA on brainpoolP256r1, with
  // DG15, for ECDSA an ActiveAuthenticationInfo in DG14, and the private key in the secrets.
  AaOffer active_authentication;
};

// Validates the holder (see validate_holder), derives the test PKI from the seed and builds EF.CardAccess,
// EF.COM, DG1, DG2, DG3 (a placeholder: the card refuses it), DG13 and EF.SOD, the card's access data
// and the CSCA in PEM. With a Chip Authentication Mapping offer also DG14 (listed in EF.COM, hashed in
// EF.SOD) and the chip's static CA private key in the secrets. Throws Error(invalid_argument) for a bad
// holder or a PACE offer that does not exist (parameter id not 0-2 or 8-18, IM on P-224 (id 10), CAM
// with DH or 3DES).
CardData generate_card(const GeneratorOptions& options);

// GeneratorOptions{} is the smallest card (no DG14, no DG15): a building block for tests. A real CCCD
// (docs/cccd-chip-profile.md) also has Chip Authentication (ECDH, AES-128, version 1) in DG14 and Active
// Authentication RSA-2048 in DG15, EF.COM listing DG1 DG2 DG3 DG13 DG14 DG15: these options.
GeneratorOptions cccd_profile_options();

// The built-in default card (`--sim` without a folder), the real card's profile: cccd_profile_options().
const CardData& default_card();

// The pieces of generate_card, for tests and for tools that build unusual cards.

// Throws Error(invalid_argument) naming the field (never its value) when the ID is not 12 digits, a
// date is not a real date in the accepted form, the sex is not M or F, the name has no Latin MRZ form,
// or a text is not UTF-8 or longer than kMaxHolderTextBytes.
void validate_holder(const Holder& holder);
inline constexpr std::size_t kMaxHolderTextBytes = 512;

// The MRZ form of a Vietnamese name: diacritics removed, "Đ/đ" -> "D", upper case, first word the
// surname: "Nguyễn Thị Thu Hà" -> "NGUYEN<<THI<THU<HA" (not padded). Throws Error(invalid_argument) for a
// character that has no such form.
std::string mrz_name(std::string_view full_name);
// The MRZ name field of `width` characters (30 on the TD1 card) as ICAO 9303 Part 3 section 4.6 has an
// issuer write it: the name padded with '<' when it fits. A longer name is truncated in the secondary
// identifier (the given names), characters coming off its last component first and each component kept
// to at least its initial, so the field ends full with a letter, ICAO's sign of a possibly cut name:
// "Nguyễn Thị Hoàng Phương Thảo Nguyên" -> "NGUYEN<<THI<HOANG<PHUONG<THA<N". A surname that leaves no
// room for a given name fills the field alone. Throws as mrz_name.
std::string mrz_name_field(std::string_view full_name, std::size_t width);
// The three TD1 lines of the card, 90 characters without separators.
std::string mrz_text(const Holder& holder);
// MRZ_information (document number, birth, expiry, each with its check digit), as BAC derives its key.
std::string card_mrz_information(const Holder& holder);

// The 54 bytes of the profile's EF.CardAccess: TerminalAuthenticationInfo v1,
// ChipAuthenticationInfo (ECDH, AES-128) v1, PACEInfo (GM, ECDH, AES-128) v2 with parameter id 13
// (brainpoolP256r1).
Bytes build_card_access();
// An EF.CardAccess for another PACE combination: its PACEInfo (version 2) and a TerminalAuthenticationInfo.
// `parameter_id` names standardized domain parameters. Throws Error(invalid_argument) for a combination
// without an OID (Chip Authentication Mapping with DH or 3DES).
Bytes build_card_access(lds::PaceMapping mapping, lds::KeyAgreement agreement, crypto::CipherKind cipher,
                        std::optional<std::uint64_t> parameter_id);
Bytes build_ef_com();  // LDS 1.7, Unicode 4.0.0, DG1 DG2 DG3 DG13
// The same with DG14 listed too (a card with Chip Authentication Mapping).
Bytes build_ef_com_with_dg14();

// The static Chip Authentication key of a card with Chip Authentication Mapping and its DG14.
struct ChipAuthenticationKey {
  SecureBytes private_key;  // big-endian scalar, |n| bytes
  Bytes dg14;               // 6E { SET { ChipAuthenticationPublicKeyInfo, ChipAuthenticationInfo } }
};
// A key pair on the standardized ECDH domain `parameter_id` (8-18) derived from the seed, and the DG14
// announcing it: id-PK-ECDH with the named curve and the public point, and id-CA-ECDH-<cipher> version 1.
// Throws Error(invalid_argument) for a DH or reserved id or for 3DES (CA with ECDH needs AES).
ChipAuthenticationKey build_chip_authentication(int parameter_id, crypto::CipherKind cipher,
                                                std::uint64_t seed);
// The same for Chip Authentication: a key pair on the standardized domain of the offer (DH 0-2 or ECDH
// 8-18) derived from the seed, and DG14 with id-PK-DH/ECDH (SubjectPublicKeyInfo with named curve or DH
// parameters) and id-CA-<agreement>-<cipher> of the offer's version, with the key identifier if given.
// Throws Error(invalid_argument) for a reserved parameter id or a version other than 1 or 2.
ChipAuthenticationKey build_chip_authentication(const ChipAuthenticationOffer& offer, std::uint64_t seed);
// The dotted OID of the named curve of a standardized ECDH id (8-18); Error(invalid_argument) else.
std::string standardized_curve_oid(int parameter_id);
Bytes build_dg1(const Holder& holder);
Bytes build_dg2(const Holder& holder, std::uint64_t seed, FaceFormat format = FaceFormat::jpeg);
Bytes build_dg3();  // an empty biometric group: the card holds DG3 but never lets it be read
Bytes build_dg13(const Holder& holder, std::uint64_t seed);

}  // namespace cccd::sim
