#include "asn1/der.hpp"

#include "util/bytes.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace cccd::asn1 {

Bytes encode_tag(Tag tag) {
  Bytes out;
  if (tag > 0xFFFF) out.push_back(static_cast<std::uint8_t>(tag >> 16));
  if (tag > 0xFF) out.push_back(static_cast<std::uint8_t>(tag >> 8));
  out.push_back(static_cast<std::uint8_t>(tag));
  return out;
}

Bytes encode_length(std::size_t length) {
  if (length < 0x80) return {static_cast<std::uint8_t>(length)};
  Bytes digits;
  for (std::size_t v = length; v > 0; v >>= 8) digits.insert(digits.begin(), static_cast<std::uint8_t>(v));
  Bytes out{static_cast<std::uint8_t>(0x80 | digits.size())};
  append(out, digits);
  return out;
}

Bytes tlv(Tag tag, ByteView value) {
  Bytes out = encode_tag(tag);
  append(out, encode_length(value.size()));
  append(out, value);
  return out;
}

Bytes tlv(Tag tag, std::initializer_list<ByteView> parts) {
  return tlv(tag, concat(parts));
}

Bytes der_integer(std::uint64_t value) {
  return der_integer_unsigned(be_bytes(value, 8));
}

Bytes der_integer_unsigned(ByteView magnitude) {
  std::size_t start = 0;
  while (start + 1 < magnitude.size() && magnitude[start] == 0) ++start;
  Bytes value;
  if (magnitude.empty() || (magnitude[start] & 0x80)) value.push_back(0);
  value.insert(value.end(), magnitude.begin() + static_cast<std::ptrdiff_t>(start), magnitude.end());
  return tlv(0x02, value);
}

Bytes der_oid(std::string_view dotted) {
  std::vector<std::uint64_t> arcs;
  std::size_t pos = 0;
  while (pos <= dotted.size()) {
    std::size_t dot = dotted.find('.', pos);
    if (dot == std::string_view::npos) dot = dotted.size();
    std::uint64_t arc = 0;
    auto [ptr, ec] = std::from_chars(dotted.data() + pos, dotted.data() + dot, arc);
    if (ec != std::errc() || ptr != dotted.data() + dot || dot == pos) {
      throw Error(ErrorCode::invalid_argument, "OID: not a dotted number");
    }
    arcs.push_back(arc);
    pos = dot + 1;
  }
  if (arcs.size() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40)) {
    throw Error(ErrorCode::invalid_argument, "OID: invalid first arcs");
  }
  Bytes value;
  auto put_arc = [&value](std::uint64_t arc) {
    Bytes groups{static_cast<std::uint8_t>(arc & 0x7F)};
    for (arc >>= 7; arc > 0; arc >>= 7)
      groups.insert(groups.begin(), static_cast<std::uint8_t>(0x80 | (arc & 0x7F)));
    append(value, groups);
  };
  put_arc(arcs[0] * 40 + arcs[1]);
  for (std::size_t i = 2; i < arcs.size(); ++i) put_arc(arcs[i]);
  return tlv(0x06, value);
}

Bytes der_octet_string(ByteView value) {
  return tlv(0x04, value);
}
Bytes der_null() {
  return {0x05, 0x00};
}
Bytes der_utf8_string(std::string_view text) {
  return tlv(0x0C, as_bytes(text));
}
Bytes der_printable_string(std::string_view text) {
  return tlv(0x13, as_bytes(text));
}
Bytes der_sequence(std::initializer_list<ByteView> parts) {
  return tlv(0x30, parts);
}
Bytes der_set(std::initializer_list<ByteView> parts) {
  return tlv(0x31, parts);
}

Bytes der_set_of(std::vector<Bytes> elements) {
  // Ascending encodings, a prefix first. Spelt out with std::mismatch rather than vector's operator<,
  // whose memcmp GCC 12 misreads at -O3 (a false -Wstringop-overread: bound above PTRDIFF_MAX).
  std::sort(elements.begin(), elements.end(), [](const Bytes& a, const Bytes& b) {
    const auto [in_a, in_b] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
    return in_b != b.end() && (in_a == a.end() || *in_a < *in_b);
  });
  Bytes contents;
  for (const Bytes& element : elements) append(contents, element);
  return tlv(0x31, contents);
}

}  // namespace cccd::asn1
