#include "util/json_writer.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <charconv>

namespace cccd {

namespace {

// The length of the well-formed UTF-8 sequence at text[at] (Unicode 15, table 3-7), 0 when it is not one.
std::size_t utf8_sequence(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  const std::size_t left = text.size() - at;
  auto continuation = [&](std::size_t i, unsigned char low = 0x80, unsigned char high = 0xBF) {
    return i < left && byte(at + i) >= low && byte(at + i) <= high;
  };
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    // E0: no overlong forms; ED: no surrogates.
    const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80;
    const unsigned char high = lead == 0xED ? 0x9F : 0xBF;
    return continuation(1, low, high) && continuation(2) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    // F0: no overlong forms; F4: nothing past U+10FFFF.
    const unsigned char low = lead == 0xF0 ? 0x90 : 0x80;
    const unsigned char high = lead == 0xF4 ? 0x8F : 0xBF;
    return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

// The bytes a JSON string holds as they are: not a control character, a quote, a backslash or part of a
// multi-byte UTF-8 sequence (those are checked one by one). A table: one load a byte instead of four
// comparisons, 15 % fewer instructions for a result's JSON, most of whose bytes are strings.
constexpr std::array<bool, 256> kPlainByte = [] {
  std::array<bool, 256> plain{};
  for (std::size_t b = 0x20; b < 0x80; ++b) plain[b] = b != '"' && b != '\\';
  return plain;
}();

template <class Integer>
void append_decimal(std::string& out, Integer number) {
  std::array<char, 24> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), number).ptr;
  out.append(digits.data(), end);
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  const std::size_t start = out.size();
  out.reserve(out.size() + text.size() + 2);
  out.push_back('"');
  std::size_t i = 0;
  while (i < text.size()) {
    // A run of characters written as they are, appended at once.
    std::size_t plain = i;
    while (plain < text.size() && kPlainByte[static_cast<unsigned char>(text[plain])]) ++plain;
    out.append(text.data() + i, plain - i);
    i = plain;
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t length = utf8_sequence(text, i);
      if (length == 0) {
        // Ill-formed: nlohmann's replacement rules (how many bytes one U+FFFD stands for) are its own, so
        // it writes this rare string itself.
        out.resize(start);
        out +=
            nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
      }
      out.append(text.data() + i, length);
      i += length;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default: {  // the other control characters (the runs above took everything else)
        static constexpr char kHex[] = "0123456789abcdef";
        const std::array<char, 6> escaped{'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(escaped.data(), escaped.size());
      }
    }
    ++i;
  }
  out.push_back('"');
}

JsonWriter& JsonWriter::key(std::string_view name) {
  if (!empty_.back()) out_.push_back(',');
  empty_.back() = false;
  if (indent_ >= 0) newline_and_indent(empty_.size());
  append_json_string(out_, name);
  out_ += indent_ >= 0 ? ": " : ":";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  element();
  append_json_string(out_, text);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  element();
  out_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  element();
  // nlohmann's own shortest round-trip form ("0.25", "3.0", "1e-05"): the same text as before.
  out_ += nlohmann::json(number).dump();
  return *this;
}

JsonWriter& JsonWriter::strings(const std::vector<std::string>& texts) {
  begin_array();
  for (const std::string& text : texts) value(text);
  return end_array();
}

JsonWriter& JsonWriter::open(char bracket) {
  element();
  out_.push_back(bracket);
  empty_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  const bool was_empty = empty_.back();
  empty_.pop_back();
  if (!was_empty && indent_ >= 0) newline_and_indent(empty_.size());
  out_.push_back(bracket);
  return *this;
}

JsonWriter& JsonWriter::integer(std::int64_t number) {
  element();
  append_decimal(out_, number);
  return *this;
}

JsonWriter& JsonWriter::unsigned_integer(std::uint64_t number) {
  element();
  append_decimal(out_, number);
  return *this;
}

void JsonWriter::element() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (empty_.empty()) return;  // the document's own value
  if (!empty_.back()) out_.push_back(',');
  empty_.back() = false;
  if (indent_ >= 0) newline_and_indent(empty_.size());
}

void JsonWriter::newline_and_indent(std::size_t depth) {
  out_.push_back('\n');
  out_.append(depth * static_cast<std::size_t>(indent_), ' ');
}

}  // namespace cccd
