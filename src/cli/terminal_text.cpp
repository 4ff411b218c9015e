#include "cli/terminal_text.hpp"

#include <array>
#include <cstdint>
#include <cstdio>

namespace cccd::cli {
namespace {

// Code points that print nothing visible or change how the text around them is shown: C1 controls,
// format characters (Unicode category Cf) and the line and paragraph separators.
bool invisible(char32_t c) {
  return (c >= 0x80 && c <= 0x9F) ||      // C1 controls (U+009B is a one-byte CSI)
         c == 0xAD ||                     // soft hyphen
         c == 0x061C ||                   // Arabic letter mark
         c == 0x180E ||                   // Mongolian vowel separator
         (c >= 0x200B && c <= 0x200F) ||  // zero-width space/joiners, LRM, RLM
         (c >= 0x2028 && c <= 0x202E) ||  // line/paragraph separator, bidi embeddings and overrides
         (c >= 0x2060 && c <= 0x206F) ||  // word joiner, invisible operators, bidi isolates
         c == 0xFEFF ||                   // zero-width no-break space (BOM)
         (c >= 0xFFF9 && c <= 0xFFFB) ||  // interlinear annotation
         (c >= 0xE0000 && c <= 0xE007F);  // tag characters
}

void append_byte_escape(std::string& out, unsigned char byte) {
  std::array<char, 8> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "\\x%02x", byte);
  out += buffer.data();
}

void append_code_point_escape(std::string& out, char32_t c) {
  std::array<char, 16> buffer{};
  std::snprintf(buffer.data(), buffer.size(), c > 0xFFFF ? "\\U%08x" : "\\u%04x", static_cast<unsigned>(c));
  out += buffer.data();
}

// The length of the valid UTF-8 sequence at the start of `text` and its code point; 0 when the bytes
// there are not valid UTF-8 (a stray continuation byte, a truncated sequence, an overlong form, a
// surrogate or a value above U+10FFFF).
std::size_t decode(std::string_view text, char32_t& c) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  std::size_t length = 0;
  char32_t minimum = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    c = lead & 0x1FU;
    minimum = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    c = lead & 0x0FU;
    minimum = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    c = lead & 0x07U;
    minimum = 0x10000;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0U) != 0x80U) return 0;
    c = (c << 6U) | (byte(i) & 0x3FU);
  }
  if (c < minimum || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  return length;
}

}  // namespace

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      if (byte < 0x20 || byte == 0x7F) {
        append_byte_escape(out, byte);
      } else if (byte == '\\') {
        out += "\\\\";
      } else {
        out += static_cast<char>(byte);
      }
      ++i;
      continue;
    }
    char32_t c = 0;
    const std::size_t length = decode(text.substr(i), c);
    if (length == 0) {
      append_byte_escape(out, byte);
      ++i;
      continue;
    }
    if (invisible(c)) {
      append_code_point_escape(out, c);
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

}  // namespace cccd::cli
