// libFuzzer target: asn1::TlvReader over hostile bytes, walking nested TLVs with an explicit bounded
// stack (the reader itself never recurses), plus the header-only length and the contents decoders.
#include "asn1/tlv.hpp"

#include <cccd/error.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

// Deeper than any structure libcccd parses; a chip that nests further is refused by the parsers.
constexpr std::size_t kMaxDepth = 64;

void walk(cccd::ByteView data) {
  std::vector<cccd::asn1::TlvReader> stack;
  stack.emplace_back(data);
  while (!stack.empty()) {
    cccd::asn1::TlvReader& reader = stack.back();
    if (reader.empty()) {
      reader.expect_end();
      stack.pop_back();
      continue;
    }
    (void)reader.peek_tag();
    const cccd::asn1::Tlv tlv = reader.next();
    if (tlv.tag == 0x02) (void)cccd::asn1::decode_unsigned(tlv);
    if (tlv.tag == 0x06) (void)cccd::asn1::decode_oid(tlv);
    if (tlv.constructed() && stack.size() < kMaxDepth) stack.emplace_back(tlv.value);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const cccd::ByteView input(data, size);
  try {
    (void)cccd::asn1::encoded_length_from_header(input);
  } catch (const cccd::Error&) {
  }
  try {
    (void)cccd::asn1::parse_first(input);
  } catch (const cccd::Error&) {
  }
  try {
    walk(input);
  } catch (const cccd::Error&) {
  }
  return 0;
}
