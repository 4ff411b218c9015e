// PACE (ICAO Doc 9303 Part 11 section 4.4): the protocol of MSE:Set AT and the four GENERAL
// AUTHENTICATE steps, on the terminal's side, plus what the chip's side (the virtual card) shares with
// it: choosing the domain from the SecurityInfos and the dynamic authentication data objects.
#pragma once

#include "crypto/pace_domain.hpp"
#include "crypto/pace_keys.hpp"
#include "lds/security_infos.hpp"
#include "sm/secure_messaging.hpp"
#include "transport/channel.hpp"
#include "util/secure_bytes.hpp"

#include <optional>
#include <string>

namespace cccd::access {

struct PacePassword {
  crypto::PacePasswordType type = crypto::PacePasswordType::can;
  SecureString value;  // the CAN's digits, or MRZ_information for the MRZ password
};

// The key agreement domain a PACEInfo names: a standardized parameter id, or the explicit parameters
// of the PACEDomainParameterInfo with that id. Throws Error(not_supported) when there is neither.
crypto::PaceDomain pace_domain(const lds::PaceInfo& info, const lds::SecurityInfos& infos);

// The first PACEInfo of `infos` whose domain this library can use, or nothing.
std::optional<lds::PaceInfo> choose_pace_info(const lds::SecurityInfos& infos);

// "PACE-GM", "PACE-IM", "PACE-CAM".
std::string pace_protocol_name(lds::PaceMapping mapping);

// The content bytes of a dotted OID (what follows tag 06 and its length).
Bytes oid_content(std::string_view dotted);

// Dynamic authentication data: 7C { tag value ... }. Parses what the peer sent, strictly: only the
// expected tags, each once. Throws Error(malformed_data).
struct AuthenticationData {
  std::optional<Bytes> object(std::uint8_t tag) const;
  std::vector<std::pair<std::uint8_t, Bytes>> objects;
};
AuthenticationData parse_authentication_data(ByteView data, std::initializer_list<std::uint8_t> allowed_tags);
Bytes authentication_data(std::initializer_list<std::pair<std::uint8_t, ByteView>> objects);

struct PaceResult {
  sm::SessionKeys session;  // secure messaging keys, SSC zero
  lds::PaceMapping mapping = lds::PaceMapping::generic;
  Bytes chip_mapping_public_key;                            // PK_Map,IC (CAM checks it against DG14 later)
  std::optional<Bytes> encrypted_chip_authentication_data;  // A_IC of PACE-CAM
};

// Runs PACE over `channel` (not protected). Errors: Error(access_denied) naming the password kind
// when the chip rejects the password (63Cx gives the retries left); Error(card_error) when the chip
// refuses a step with a status word; Error(crypto) when its authentication token does not verify or a
// public key it sent is invalid; Error(malformed_data) for answers that do not parse;
// Error(not_supported) for a domain this library lacks.
PaceResult perform_pace(transport::Channel& channel, const lds::PaceInfo& info,
                        const crypto::PaceDomain& domain, const PacePassword& password);

// Instruction bytes and data object tags of PACE (Part 11 section 4.4.4).
inline constexpr std::uint8_t kInsMseSetAt = 0x22;
inline constexpr std::uint8_t kInsGeneralAuthenticate = 0x86;
inline constexpr std::uint8_t kClaChaining = 0x10;
inline constexpr std::uint8_t kTagEncryptedNonce = 0x80;
inline constexpr std::uint8_t kTagMappingDataTerminal = 0x81;
inline constexpr std::uint8_t kTagMappingDataChip = 0x82;
inline constexpr std::uint8_t kTagEphemeralKeyTerminal = 0x83;
inline constexpr std::uint8_t kTagEphemeralKeyChip = 0x84;
inline constexpr std::uint8_t kTagTokenTerminal = 0x85;
inline constexpr std::uint8_t kTagTokenChip = 0x86;
// In the chip's last answer, for Terminal Authentication (EAC) only: the most recent and the previous
// certification authority reference of the chip's CVCA. The terminal takes and ignores them.
inline constexpr std::uint8_t kTagCertificationAuthorityReference = 0x87;
inline constexpr std::uint8_t kTagPreviousCertificationAuthorityReference = 0x88;
inline constexpr std::uint8_t kTagEncryptedChipAuthenticationData = 0x8A;

}  // namespace cccd::access
