#include "util/base64.hpp"

#include <array>
#include <cstdint>
#include <cstring>

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

bool is_line_break(char c) noexcept {
  return c == '\r' || c == '\n';
}

// CR and LF in `text`, found with memchr: most texts have none, and memchr skips them far faster than a
// loop over characters (this count was 2 % of a verification's CPU time in the server).
std::size_t line_breaks(std::string_view text) noexcept {
  std::size_t count = 0;
  for (const char c : {'\r', '\n'}) {
    const char* at = text.data();
    const char* const end = at + text.size();
    while (at != end) {
      const void* found = std::memchr(at, c, static_cast<std::size_t>(end - at));
      if (found == nullptr) break;
      ++count;
      at = static_cast<const char*>(found) + 1;
    }
  }
  return count;
}

// The three bytes of four 6-bit values.
void put_group(std::uint8_t* to, int a, int b, int c, int d) noexcept {
  const auto group = static_cast<std::uint32_t>(a << 18 | b << 12 | c << 6 | d);
  to[0] = static_cast<std::uint8_t>(group >> 16);
  to[1] = static_cast<std::uint8_t>(group >> 8);
  to[2] = static_cast<std::uint8_t>(group);
}

// Text without line breaks, a group of four characters at a time (the common case: what to_base64 and
// most encoders write). Accepts and refuses exactly what decode_with_line_breaks does on the same text.
std::optional<Bytes> decode_unbroken(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  if (text.empty()) return Bytes{};
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t last = text.size() - 4;  // the last group, the only one that may hold '='
  Bytes out(text.size() / 4 * 3);
  std::uint8_t* to = out.data();
  for (std::size_t i = 0; i < last; i += 4, to += 3) {
    const int a = kDecoding[in[i]], b = kDecoding[in[i + 1]], c = kDecoding[in[i + 2]],
              d = kDecoding[in[i + 3]];
    if ((a | b | c | d) < 0) return std::nullopt;  // '=' too is -1 here: no padding before the end
    put_group(to, a, b, c, d);
  }
  // The last group: "xx==" or "xxx=" or "xxxx".
  const int padding = in[last + 3] != '=' ? 0 : in[last + 2] == '=' ? 2 : 1;
  const int a = kDecoding[in[last]], b = kDecoding[in[last + 1]];
  const int c = padding >= 2 ? 0 : kDecoding[in[last + 2]];
  const int d = padding >= 1 ? 0 : kDecoding[in[last + 3]];
  if ((a | b | c | d) < 0) return std::nullopt;
  put_group(to, a, b, c, d);
  out.resize(out.size() - static_cast<std::size_t>(padding));
  return out;
}

// Any text, a character at a time, line breaks skipped.
std::optional<Bytes> decode_with_line_breaks(std::string_view text, std::size_t breaks) {
  const std::size_t significant = text.size() - breaks;
  if (significant % 4 != 0) return std::nullopt;
  Bytes out;
  out.reserve(significant / 4 * 3);
  std::uint32_t group = 0;
  int count = 0;
  int padding = 0;
  for (char c : text) {
    if (is_line_break(c)) continue;
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

}  // namespace

std::size_t base64_decoded_bound(std::string_view text) noexcept {
  return (text.size() - line_breaks(text) + 3) / 4 * 3;
}

std::optional<Bytes> from_base64(std::string_view text) {
  const std::size_t breaks = line_breaks(text);
  return breaks == 0 ? decode_unbroken(text) : decode_with_line_breaks(text, breaks);
}

}  // namespace cccd
