// A DER writer: builds TLVs from their parts. Used by the virtual card's generator (EF.COM, DG1, DG13,
// the LDSSecurityObject, SOD) and by the protocols that send TLV-coded data (secure messaging DOs).
#pragma once

#include "asn1/tlv.hpp"

#include <cccd/bytes.hpp>

#include <initializer_list>
#include <string_view>
#include <vector>

namespace cccd::asn1 {

Bytes encode_tag(Tag tag);
Bytes encode_length(std::size_t length);
Bytes tlv(Tag tag, ByteView value);
// A TLV whose value is the concatenation of `parts` (SEQUENCE, SET, application templates).
Bytes tlv(Tag tag, std::initializer_list<ByteView> parts);

Bytes der_integer(std::uint64_t value);
// INTEGER from an unsigned big-endian magnitude (leading zeros removed, 00 added when the top bit is set).
Bytes der_integer_unsigned(ByteView magnitude);
Bytes der_oid(std::string_view dotted);  // throws Error(invalid_argument)
Bytes der_octet_string(ByteView value);
Bytes der_null();
Bytes der_utf8_string(std::string_view text);
Bytes der_printable_string(std::string_view text);
Bytes der_sequence(std::initializer_list<ByteView> parts);
Bytes der_set(std::initializer_list<ByteView> parts);  // the caller orders the parts (DER SET OF order)
// DER SET OF: the elements sorted by their encodings (X.690 section 11.6), then concatenated.
Bytes der_set_of(std::vector<Bytes> elements);

}  // namespace cccd::asn1
