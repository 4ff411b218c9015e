#include "asn1/ber.hpp"

#include "asn1/der.hpp"
#include "util/bytes.hpp"

#include <array>
#include <string>

namespace cccd::asn1 {
namespace {

[[noreturn]] void malformed(const char* what) {
  throw Error(ErrorCode::malformed_data, std::string("BER: ") + what);
}

// Universal types whose BER encoding may be constructed from segments (X.690 section 8.7, 8.21):
// OCTET STRING, the character strings and the times. BIT STRING is left out: its segments each carry an
// unused-bits octet, and nothing signed in EF.SOD holds one in constructed form.
constexpr std::array<Tag, 12> kSegmentedStringTags{0x04, 0x0C, 0x12, 0x13, 0x14, 0x16,
                                                   0x17, 0x18, 0x1A, 0x1C, 0x1E, 0x19};

bool segmented_string(Tag constructed_tag) {
  if ((constructed_tag & 0x20) == 0 || constructed_tag > 0xFF) return false;
  Tag primitive = constructed_tag & ~Tag{0x20};
  for (Tag t : kSegmentedStringTags) {
    if (t == primitive) return true;
  }
  return false;
}

// Appends the segments of a constructed string of primitive tag `primitive` to `out`.
void append_segments(const Tlv& element, Tag primitive, Bytes& out, std::size_t depth) {
  if (!element.constructed()) {
    append(out, element.value);
    return;
  }
  if (depth >= kMaxBerDepth) malformed("constructed string nested too deep");
  TlvReader reader(element.value);
  while (!reader.empty()) {
    Tlv segment = reader.next();
    if ((segment.tag & ~Tag{0x20}) != primitive) malformed("a string segment of another type");
    append_segments(segment, primitive, out, depth + 1);
  }
}

Bytes reencode(const Tlv& element, std::size_t depth) {
  if (!element.constructed()) return tlv(element.tag, element.value);
  if (segmented_string(element.tag)) {
    Tag primitive = element.tag & ~Tag{0x20};
    Bytes octets;
    append_segments(element, primitive, octets, depth);
    return tlv(primitive, octets);
  }
  if (depth >= kMaxBerDepth) malformed("constructed elements nested too deep");
  Bytes contents;
  TlvReader reader(element.value);
  while (!reader.empty()) append(contents, reencode(reader.next(), depth + 1));
  return tlv(element.tag, contents);
}

}  // namespace

Bytes octet_string_octets(const Tlv& octet_string) {
  if (octet_string.tag != 0x04 && octet_string.tag != 0x24) malformed("expected an OCTET STRING");
  Bytes octets;
  append_segments(octet_string, 0x04, octets, 0);
  return octets;
}

Bytes der_reencoded(const Tlv& element) {
  return reencode(element, 0);
}

}  // namespace cccd::asn1
