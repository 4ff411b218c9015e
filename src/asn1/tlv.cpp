#include "asn1/tlv.hpp"

#include <string>

namespace cccd::asn1 {
namespace {

[[noreturn]] void malformed(const char* what) {
  throw Error(ErrorCode::malformed_data, std::string("TLV: ") + what);
}

struct Header {
  Tag tag;
  std::size_t header_size;
  std::size_t value_size;  // 0 when indefinite
  bool indefinite;
};

bool constructed_tag(ByteView encoded) {
  return !encoded.empty() && (encoded[0] & 0x20) != 0;
}

// Reads a tag and length at the start of `data`. Returns nothing when the header itself is cut short
// (so callers can tell "need more bytes" from "broken").
std::optional<Header> read_header(ByteView data) {
  std::size_t pos = 0;
  if (data.empty()) return std::nullopt;
  std::uint8_t first = data[pos++];
  Tag tag = first;
  if ((first & 0x1F) == 0x1F) {  // multi-byte tag number
    int extra = 0;
    while (true) {
      if (pos >= data.size()) return std::nullopt;
      std::uint8_t b = data[pos++];
      if (extra == 0 && b == 0x80) malformed("tag number with a leading zero");
      tag = (tag << 8) | b;
      if (++extra > 2) malformed("tag longer than three bytes");
      if ((b & 0x80) == 0) break;
    }
  }
  if (pos >= data.size()) return std::nullopt;
  std::uint8_t len0 = data[pos++];
  std::size_t length = 0;
  if (len0 < 0x80) {
    length = len0;
  } else if (len0 == 0x80) {
    // BER indefinite length (X.690 section 8.1.3.6): only for a constructed encoding.
    if ((data[0] & 0x20) == 0) malformed("indefinite length on a primitive element");
    return Header{tag, pos, 0, true};
  } else {
    std::size_t count = len0 & 0x7F;
    if (count > 4) malformed("length field wider than four bytes");
    if (data.size() - pos < count) return std::nullopt;
    for (std::size_t i = 0; i < count; ++i) length = (length << 8) | data[pos++];
  }
  return Header{tag, pos, length, false};
}

// The size of the contents of an indefinite-length element whose contents start `contents`: up to the
// end-of-contents octets (00 00) that close it. One forward scan with a counter of the indefinite
// elements still open, never a recursion: definite elements inside are skipped whole by their length,
// and indefinite ones inside only raise the counter, bounded by kMaxIndefiniteNesting.
std::size_t indefinite_contents_size(ByteView contents) {
  std::size_t pos = 0;
  std::size_t open = 1;
  while (true) {
    ByteView rest = contents.subspan(pos);
    if (rest.size() < 2) malformed("indefinite length without its end-of-contents octets");
    if (rest[0] == 0x00 && rest[1] == 0x00) {
      if (--open == 0) return pos;
      pos += 2;
      continue;
    }
    std::optional<Header> header = read_header(rest);
    if (!header) malformed("truncated tag or length inside an indefinite-length element");
    if (header->indefinite) {
      if (++open > kMaxIndefiniteNesting) malformed("indefinite lengths nested too deep");
      pos += header->header_size;
      continue;
    }
    if (header->value_size > rest.size() - header->header_size)
      malformed("length runs past the end of the data");
    pos += header->header_size + header->value_size;
  }
}

}  // namespace

bool Tlv::constructed() const noexcept {
  return constructed_tag(encoded);
}

Tlv TlvReader::next() {
  ByteView rest = data_.subspan(position_);
  if (rest.empty()) malformed("expected an element, found the end of the data");
  std::optional<Header> header = read_header(rest);
  if (!header) malformed("truncated tag or length");
  Tlv tlv;
  tlv.tag = header->tag;
  if (header->indefinite) {
    std::size_t size = indefinite_contents_size(rest.subspan(header->header_size));
    tlv.value = rest.subspan(header->header_size, size);
    tlv.encoded = rest.subspan(0, header->header_size + size + 2);  // with the end-of-contents octets
    tlv.indefinite = true;
  } else {
    if (header->value_size > rest.size() - header->header_size)
      malformed("length runs past the end of the data");
    tlv.value = rest.subspan(header->header_size, header->value_size);
    tlv.encoded = rest.subspan(0, header->header_size + header->value_size);
  }
  position_ += tlv.encoded.size();
  return tlv;
}

Tlv TlvReader::expect(Tag tag) {
  Tlv tlv = next();
  if (tlv.tag != tag) malformed("unexpected tag");
  return tlv;
}

std::optional<Tlv> TlvReader::next_if(Tag tag) {
  std::optional<Tag> upcoming = peek_tag();
  if (!upcoming || *upcoming != tag) return std::nullopt;
  return next();
}

std::optional<Tag> TlvReader::peek_tag() const {
  if (empty()) return std::nullopt;
  std::optional<Header> header = read_header(data_.subspan(position_));
  if (!header) malformed("truncated tag or length");
  return header->tag;
}

void TlvReader::expect_end() const {
  if (!empty()) malformed("unexpected data after the last element");
}

Tlv parse_one(ByteView data, Tag tag) {
  TlvReader reader(data);
  Tlv tlv = reader.expect(tag);
  reader.expect_end();
  return tlv;
}

Tlv parse_first(ByteView data) {
  TlvReader reader(data);
  return reader.next();
}

std::optional<std::size_t> encoded_length_from_header(ByteView data) {
  std::optional<Header> header = read_header(data);
  if (!header) return std::nullopt;
  if (header->indefinite) malformed("indefinite length: the header does not give the size");
  return header->header_size + header->value_size;
}

std::uint64_t decode_unsigned(const Tlv& integer) {
  if (integer.tag != 0x02) malformed("expected an INTEGER");
  ByteView v = integer.value;
  if (v.empty()) malformed("empty INTEGER");
  if (v[0] & 0x80) malformed("negative INTEGER where a count or version was expected");
  while (v.size() > 1 && v[0] == 0) v = v.subspan(1);
  if (v.size() > 8) malformed("INTEGER too large");
  std::uint64_t value = 0;
  for (std::uint8_t b : v) value = (value << 8) | b;
  return value;
}

std::string decode_oid(const Tlv& oid) {
  if (oid.tag != 0x06) malformed("expected an OBJECT IDENTIFIER");
  ByteView v = oid.value;
  if (v.empty() || v.size() > 64) malformed("OBJECT IDENTIFIER of unreasonable length");
  std::string out;
  std::uint64_t arc = 0;
  bool first = true;
  bool in_arc = false;
  for (std::uint8_t b : v) {
    if (!in_arc && b == 0x80) malformed("OBJECT IDENTIFIER arc with a leading zero");
    if (arc > (UINT64_MAX >> 7)) malformed("OBJECT IDENTIFIER arc too large");
    arc = (arc << 7) | (b & 0x7F);
    in_arc = true;
    if (b & 0x80) continue;
    if (first) {
      std::uint64_t top = arc < 40 ? 0 : (arc < 80 ? 1 : 2);
      out = std::to_string(top) + "." + std::to_string(arc - top * 40);
      first = false;
    } else {
      out += '.';
      out += std::to_string(arc);
    }
    arc = 0;
    in_arc = false;
  }
  if (in_arc) malformed("OBJECT IDENTIFIER ends inside an arc");
  return out;
}

}  // namespace cccd::asn1
