// The SOD's signing time.
#include "verify/sod_timing.hpp"

#include "asn1/oids.hpp"
#include "asn1/tlv.hpp"
#include "verify/trust_store_chain.hpp"

#include <cccd/error.hpp>

#include <openssl/err.h>

#include <memory>

namespace cccd::verification {
// The signingTime attribute of the signed attributes (a DER SET OF Attribute), when there is one.
SodTiming signing_time_of(ByteView signed_attributes) {
  SodTiming timing;
  try {
    asn1::Tlv set = asn1::parse_one(signed_attributes, 0x31);
    asn1::TlvReader attributes(set.value);
    while (!attributes.empty()) {
      asn1::TlvReader attribute(attributes.expect(0x30).value);
      if (asn1::decode_oid(attribute.expect(0x06)) != asn1::oid::kSigningTimeAttribute) continue;
      if (timing.signing_time) throw Error(ErrorCode::malformed_data, "two signingTime attributes");
      asn1::TlvReader values(attribute.expect(0x31).value);
      asn1::Tlv value = values.next();
      values.expect_end();
      attribute.expect_end();
      if (value.tag != 0x17 && value.tag != 0x18) throw Error(ErrorCode::malformed_data, "not a time");
      const unsigned char* cursor = value.encoded.data();
      std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> time(
          d2i_ASN1_TIME(nullptr, &cursor, static_cast<long>(value.encoded.size())), &ASN1_TIME_free);
      std::optional<std::time_t> when =
          time && ASN1_TIME_check(time.get()) == 1 ? time_of(time.get()) : std::nullopt;
      ERR_clear_error();
      if (!when) throw Error(ErrorCode::malformed_data, "not a valid time");
      timing.signing_time = when;
    }
  } catch (const Error&) {
    timing.signing_time.reset();
    timing.unreadable = true;
  }
  return timing;
}

}  // namespace cccd::verification
