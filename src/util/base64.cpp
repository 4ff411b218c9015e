#include "util/base64.hpp"

#include <array>
#include <cstdint>

namespace cccd {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The 6-bit value of each character, or -1.
constexpr std::array<std::int8_t, 256> decoding_table() {
  std::array<std::int8_t, 256> table{};
  for (auto& value : table) value = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  return table;
}
constexpr std::array<std::int8_t, 256> kDecoding = decoding_table();

}  // namespace

std::string to_base64(ByteView data) {
  std::string text;
  text.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t group =
        (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) text += kAlphabet[(group >> shift) & 0x3F];
  }
  const std::size_t rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t group = std::uint32_t{data[i]} << 16;
    if (rest == 2) group |= std::uint32_t{data[i + 1]} << 8;
    text += kAlphabet[(group >> 18) & 0x3F];
    text += kAlphabet[(group >> 12) & 0x3F];
    text += rest == 2 ? kAlphabet[(group >> 6) & 0x3F] : '=';
    text += '=';
  }
  return text;
}

namespace {

std::size_t significant_characters(std::string_view text) noexcept {
  std::size_t significant = 0;
  for (char c : text) significant += (c == '\r' || c == '\n') ? 0 : 1;
  return significant;
}

}  // namespace

std::size_t base64_decoded_bound(std::string_view text) noexcept {
  return (significant_characters(text) + 3) / 4 * 3;
}

std::optional<Bytes> from_base64(std::string_view text) {
  const std::size_t significant = significant_characters(text);
  if (significant % 4 != 0) return std::nullopt;
  Bytes out;
  out.reserve(significant / 4 * 3);
  std::uint32_t group = 0;
  int count = 0;
  int padding = 0;
  for (char c : text) {
    if (c == '\r' || c == '\n') continue;
    if (padding > 0 && c != '=') return std::nullopt;  // data after padding
    int value = 0;
    if (c == '=') {
      // At most two, and only in the last group's last places.
      if (count < 2) return std::nullopt;
      ++padding;
    } else {
      value = kDecoding[static_cast<unsigned char>(c)];
      if (value < 0) return std::nullopt;
    }
    group = (group << 6) | static_cast<std::uint32_t>(value);
    if (++count == 4) {
      out.push_back(static_cast<std::uint8_t>(group >> 16));
      if (padding < 2) out.push_back(static_cast<std::uint8_t>(group >> 8));
      if (padding < 1) out.push_back(static_cast<std::uint8_t>(group));
      group = 0;
      count = 0;
    }
  }
  if (padding > 0 && count != 0) return std::nullopt;
  return out;
}

}  // namespace cccd
