#include "lds/atr_info.hpp"

#include "asn1/der.hpp"
#include "asn1/tlv.hpp"

#include <cccd/error.hpp>

#include <string>

namespace cccd::lds {
namespace {

constexpr asn1::Tag kExtendedLengthInfo = 0x7F66;
constexpr asn1::Tag kInteger = 0x02;

std::size_t apdu_size(asn1::TlvReader& reader) {
  const asn1::Tlv integer = reader.expect(kInteger);
  if (integer.value.empty() || integer.value.size() > 4 || (integer.value[0] & 0x80) != 0)
    throw Error(ErrorCode::malformed_data, "EF.ATR/INFO: an APDU size is not a small non-negative INTEGER");
  return static_cast<std::size_t>(asn1::decode_unsigned(integer));
}

}  // namespace

std::optional<ExtendedLengthInfo> parse_atr_info(ByteView content) {
  try {
    asn1::TlvReader objects(content);
    while (!objects.empty()) {
      // Files are padded with 00 or FF after their data objects (ISO/IEC 7816-4 5.2.2.1).
      if (objects.peek_tag() == 0x00 || objects.peek_tag() == 0xFF) break;
      const asn1::Tlv object = objects.next();
      if (object.tag != kExtendedLengthInfo) continue;
      asn1::TlvReader sizes(object.value);
      ExtendedLengthInfo info;
      info.max_command_apdu = apdu_size(sizes);
      info.max_response_apdu = apdu_size(sizes);
      return info;  // more objects may follow inside it (ISO/IEC 7816-4 allows a third); not needed
    }
  } catch (const Error& e) {
    if (e.code() != ErrorCode::malformed_data) throw;
    throw Error(ErrorCode::malformed_data, std::string("EF.ATR/INFO: ") + e.what());
  }
  return std::nullopt;
}

}  // namespace cccd::lds
