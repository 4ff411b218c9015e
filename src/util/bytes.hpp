// Helpers on byte sequences: hex, concatenation, big-endian numbers, constant-time comparison.
#pragma once

#include <cccd/bytes.hpp>
#include <cccd/error.hpp>

#include <initializer_list>
#include <string>
#include <string_view>

namespace cccd {

// Upper-case hex without separators.
std::string to_hex(ByteView data);
// Accepts upper or lower case; spaces, ':' and newlines between bytes are ignored.
// Throws Error(invalid_argument) on anything else or an odd number of digits.
Bytes from_hex(std::string_view hex);

Bytes concat(std::initializer_list<ByteView> parts);
inline void append(Bytes& to, ByteView from) {
  to.insert(to.end(), from.begin(), from.end());
}

inline ByteView as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}
inline std::string as_string(ByteView data) {
  return {data.begin(), data.end()};
}

// Equality that takes the same time whatever the contents (for MACs and authentication tokens).
bool equal_constant_time(ByteView a, ByteView b) noexcept;

// Big-endian unsigned integer of exactly `width` bytes.
Bytes be_bytes(std::uint64_t value, std::size_t width);
// Big-endian unsigned integer from at most 8 bytes.
std::uint64_t be_value(ByteView data);

// The sub-span [offset, offset + length); throws Error(malformed_data) when it does not fit.
ByteView checked_subspan(ByteView data, std::size_t offset, std::size_t length);

}  // namespace cccd
