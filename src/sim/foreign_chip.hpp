// What chips other than the CCCD put in EF.CardAccess, for the interoperability switches of the virtual
// card (`cccd-sim personalise --card-access-extras`; the link behaviours are CardSecrets switches).
#pragma once

#include <cccd/bytes.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace cccd::sim {

// The entries added by card_access_with_foreign_entries, as they stand in the file (hex, DER):
// - a ChipAuthenticationDomainParameterInfo (id-CA-ECDH) whose parameters are standardized domain
//   parameters, AlgorithmIdentifier 30 0C 06 07 04007F00070102 02 01 0D (BSI TR-03110, German ID cards);
inline constexpr const char* kCaStandardizedDomainParameterInfo =
    "3019060904007F000702020302300C060704007F0007010202010D";
// - a ChipAuthenticationInfo id-CA-ECDH-AES-CBC-CMAC-128 version 2 (the DG14 of such cards has the key);
inline constexpr const char* kCaInfoAes128V2 = "3012060A04007F0007020203020202010202012A";
// - a Restricted Identification info (id-RI-ECDH-SHA-256), a protocol this library does not know;
inline constexpr const char* kRestrictedIdentificationInfo = "3012060A04007F00070202050203020101020101";
// - a PACEInfo with an element after its parameter id, which this library cannot use.
inline constexpr const char* kUnusablePaceInfo = "3014060A04007F0007020204020202010202010D0500";

// EF.CardAccess (a SET OF SecurityInfo) with those entries after its own. Error(malformed_data) when
// `card_access` is not a SET.
Bytes card_access_with_foreign_entries(ByteView card_access);

// A status word a chip without short file identifiers under secure messaging answers: "6A82", "6A86" or
// "6D00"; nothing for any other text.
std::optional<std::uint16_t> sfi_refusal_from_text(std::string_view text);

}  // namespace cccd::sim
