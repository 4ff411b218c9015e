#include "sim/foreign_chip.hpp"

#include "asn1/der.hpp"
#include "asn1/tlv.hpp"
#include "util/bytes.hpp"

#include <cccd/error.hpp>

namespace cccd::sim {

Bytes card_access_with_foreign_entries(ByteView card_access) {
  const asn1::Tlv set = asn1::parse_first(card_access);
  if (set.tag != 0x31) throw Error(ErrorCode::malformed_data, "EF.CardAccess is not a SET OF SecurityInfo");
  Bytes entries(set.value.begin(), set.value.end());
  for (const char* entry : {kCaStandardizedDomainParameterInfo, kCaInfoAes128V2,
                            kRestrictedIdentificationInfo, kUnusablePaceInfo}) {
    append(entries, from_hex(entry));
  }
  return asn1::tlv(0x31, entries);
}

std::optional<std::uint16_t> sfi_refusal_from_text(std::string_view text) {
  if (text == "6A82") return 0x6A82;
  if (text == "6A86") return 0x6A86;
  if (text == "6D00") return 0x6D00;
  return std::nullopt;
}

}  // namespace cccd::sim
