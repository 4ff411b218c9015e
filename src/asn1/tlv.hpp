// A strict BER-TLV reader (ISO/IEC 7816-4 and X.690) over borrowed bytes.
//
// Every byte given to it may come from a hostile chip: it never reads past the input, never allocates
// from a length field, and never recurses — a caller descends into a constructed value explicitly with a
// new TlvReader over Tlv::value. Tags longer than three bytes and lengths wider than four bytes are
// rejected with Error(malformed_data).
//
// BER indefinite lengths (80 ... 00 00, X.690 section 8.1.3.6), which real issuers use inside the CMS of
// EF.SOD, are read on constructed elements: the end of the contents is found by one forward scan that
// counts the indefinite elements still open (at most kMaxIndefiniteNesting), never by recursion, and never
// past the input. Tlv::value is then the contents without the end-of-contents octets, Tlv::encoded the
// whole element with them. An indefinite length on a primitive element, or one never closed, is
// malformed.
#pragma once

#include <cccd/bytes.hpp>
#include <cccd/error.hpp>

#include <cstdint>
#include <optional>

namespace cccd::asn1 {

// A tag is kept as its encoded bytes read as a big-endian number: 0x30 (SEQUENCE), 0x5F01, 0x7F61.
using Tag = std::uint32_t;

// Indefinite-length elements open at once inside one another; deeper is malformed. A CMS SignedData in
// BER opens about eight (ContentInfo, [0], SignedData, encapContentInfo, [0], OCTET STRING, ...).
inline constexpr std::size_t kMaxIndefiniteNesting = 16;

struct Tlv {
  Tag tag = 0;
  ByteView value;           // the contents octets
  ByteView encoded;         // tag, length and value as they stand in the input (with 00 00 when indefinite)
  bool indefinite = false;  // BER indefinite length
  bool constructed() const noexcept;
};

class TlvReader {
 public:
  explicit TlvReader(ByteView data) noexcept : data_(data) {}

  bool empty() const noexcept { return position_ >= data_.size(); }
  std::size_t remaining() const noexcept { return data_.size() - position_; }

  // The next TLV; throws Error(malformed_data) when none is there or it does not fit.
  Tlv next();
  // The next TLV, which must have `tag`.
  Tlv expect(Tag tag);
  // The next TLV when it has `tag`; otherwise nothing is consumed.
  std::optional<Tlv> next_if(Tag tag);
  // The tag of the next TLV without consuming it.
  std::optional<Tag> peek_tag() const;
  // Throws unless every byte was consumed.
  void expect_end() const;

 private:
  ByteView data_;
  std::size_t position_ = 0;
};

// `data` must be exactly one TLV (nothing after it) with the given tag.
Tlv parse_one(ByteView data, Tag tag);
// The first TLV of `data` (bytes after it are allowed: files are often padded).
Tlv parse_first(ByteView data);

// Length of the encoded TLV that starts `data` when its header is complete, even if the value is not
// all there yet (used to size file reads from the first bytes). Nothing when the header is incomplete;
// Error(malformed_data) for an indefinite length, whose header gives no size.
std::optional<std::size_t> encoded_length_from_header(ByteView data);

// Contents decoders; each throws Error(malformed_data).
std::uint64_t decode_unsigned(const Tlv& integer);  // INTEGER >= 0 that fits 64 bits
std::string decode_oid(const Tlv& oid);             // dotted text "2.23.136.1.1.1"

}  // namespace cccd::asn1
