// From BER as real issuers write it to what is signed and hashed: the octets of a (possibly
// constructed) OCTET STRING, and the DER re-encoding of a BER element (X.690 section 10).
//
// Both walk hostile input with a recursion bounded by kMaxBerDepth (checked before each descent), so the
// input's own nesting never sets the stack depth.
#pragma once

#include "asn1/tlv.hpp"

#include <cccd/bytes.hpp>

namespace cccd::asn1 {

// Constructed elements inside one another that these functions follow; deeper is Error(malformed_data).
inline constexpr std::size_t kMaxBerDepth = 16;

// The contents octets of an OCTET STRING: a primitive one's value, or the concatenated segments of a
// constructed one (24 ..., what CMS streaming writes for eContent). Error(malformed_data) for any
// other tag or a segment that is not an OCTET STRING.
Bytes octet_string_octets(const Tlv& octet_string);

// The DER encoding of one BER element: definite, minimal lengths; constructed strings of the universal
// string types made primitive. SET OF order is not restored here (this function cannot tell a SET from a
// SET OF): callers sort what they know to be a SET OF with der_set_of.
Bytes der_reencoded(const Tlv& element);

}  // namespace cccd::asn1
