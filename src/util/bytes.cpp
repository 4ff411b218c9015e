#include "util/bytes.hpp"

#include <openssl/crypto.h>

namespace cccd {

std::string to_hex(ByteView data) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(data.size() * 2);
  for (std::uint8_t b : data) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0F]);
  }
  return out;
}

namespace {
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Bytes from_hex(std::string_view hex) {
  Bytes out;
  out.reserve(hex.size() / 2);
  int high = -1;
  for (char c : hex) {
    if (c == ' ' || c == ':' || c == '\n' || c == '\r' || c == '\t') {
      if (high >= 0) throw Error(ErrorCode::invalid_argument, "hex: separator inside a byte");
      continue;
    }
    int digit = hex_digit(c);
    if (digit < 0) throw Error(ErrorCode::invalid_argument, "hex: not a hex digit");
    if (high < 0) {
      high = digit;
    } else {
      out.push_back(static_cast<std::uint8_t>((high << 4) | digit));
      high = -1;
    }
  }
  if (high >= 0) throw Error(ErrorCode::invalid_argument, "hex: odd number of digits");
  return out;
}

Bytes concat(std::initializer_list<ByteView> parts) {
  std::size_t size = 0;
  for (ByteView part : parts) size += part.size();
  Bytes out;
  out.reserve(size);
  for (ByteView part : parts) append(out, part);
  return out;
}

bool equal_constant_time(ByteView a, ByteView b) noexcept {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Bytes be_bytes(std::uint64_t value, std::size_t width) {
  Bytes out(width, 0);
  for (std::size_t i = 0; i < width && i < 8; ++i) {
    out[width - 1 - i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
  return out;
}

std::uint64_t be_value(ByteView data) {
  if (data.size() > 8) throw Error(ErrorCode::malformed_data, "integer wider than 64 bits");
  std::uint64_t value = 0;
  for (std::uint8_t b : data) value = (value << 8) | b;
  return value;
}

ByteView checked_subspan(ByteView data, std::size_t offset, std::size_t length) {
  if (offset > data.size() || length > data.size() - offset) {
    throw Error(ErrorCode::malformed_data, "data shorter than its structure says");
  }
  return data.subspan(offset, length);
}

}  // namespace cccd
