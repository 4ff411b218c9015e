#include "lds/evidence_skeleton.hpp"

#include <array>
#include <cstdint>

namespace cccd::lds {
namespace {

constexpr std::array<bool, 256> kBase64Alphabet = [] {
  std::array<bool, 256> table{};
  for (char c = 'A'; c <= 'Z'; ++c) table[static_cast<unsigned char>(c)] = true;
  for (char c = 'a'; c <= 'z'; ++c) table[static_cast<unsigned char>(c)] = true;
  for (char c = '0'; c <= '9'; ++c) table[static_cast<unsigned char>(c)] = true;
  table['+'] = table['/'] = table['='] = true;
  return table;
}();

// What the scanner expects next in an object at depth 1 or 2: a key, or the value after a key's ':'.
enum class Slot : std::uint8_t { key, value };

}  // namespace

EvidenceSkeleton cut_file_texts(std::string_view document) {
  EvidenceSkeleton skeleton;
  std::size_t copied = 0;  // document[0, copied) is in skeleton.text already (less what was cut)
  std::size_t depth = 0;   // open brackets, strings not counted
  // Depth 1 is the document's own object; depth 2 the value of one of its members. Each is tracked only
  // when it is an object.
  bool top_is_object = false, inner_is_object = false;
  Slot top_slot = Slot::key, inner_slot = Slot::key;
  std::string_view top_key, inner_key;
  bool top_key_plain = false, inner_key_plain = false;  // written without escapes
  std::size_t files_keys = 0;                           // top-level keys "files"

  const std::size_t n = document.size();
  std::size_t i = 0;
  while (i < n) {
    const char c = document[i];
    if (c == '"') {
      // A string: its end, and whether it holds an escape or only base64's alphabet.
      const std::size_t start = i + 1;
      std::size_t j = start;
      bool escaped = false, alphabet_only = true;
      while (j < n && document[j] != '"') {
        const auto byte = static_cast<unsigned char>(document[j]);
        if (byte == '\\') {
          escaped = true;
          alphabet_only = false;
          j += 2;  // the escaped character cannot end the string
          continue;
        }
        alphabet_only = alphabet_only && kBase64Alphabet[byte];
        ++j;
      }
      if (j >= n) break;  // unterminated: the parser says so
      const std::string_view inside = document.substr(start, j - start);
      if (depth == 1 && top_is_object && top_slot == Slot::key) {
        top_key = inside;
        top_key_plain = !escaped;
        if (escaped) skeleton.exact = false;
        if (top_key_plain && top_key == "files" && ++files_keys > 1) skeleton.exact = false;
      } else if (depth == 2 && inner_is_object && inner_slot == Slot::key) {
        inner_key = inside;
        inner_key_plain = !escaped;
        if (escaped && top_key_plain && top_key == "files") skeleton.exact = false;
      } else if (depth == 2 && inner_is_object && inner_slot == Slot::value && top_key_plain &&
                 top_key == "files" && inner_key_plain && alphabet_only && !inside.empty()) {
        skeleton.text.append(document.substr(copied, start - copied));
        skeleton.cut.push_back({inner_key, inside});
        copied = j;
      }
      i = j + 1;
      continue;
    }
    switch (c) {
      case '{':
      case '[':
        ++depth;
        if (depth == 1) {
          top_is_object = c == '{';
          top_slot = Slot::key;
        } else if (depth == 2) {
          inner_is_object = c == '{' && top_is_object;
          inner_slot = Slot::key;
        }
        break;
      case '}':
      case ']':
        if (depth > 0) --depth;
        break;
      case ':':
        if (depth == 1) top_slot = Slot::value;
        if (depth == 2) {
          inner_slot = Slot::value;
          if (inner_is_object && top_key_plain && top_key == "files") ++skeleton.files_members;
        }
        break;
      case ',':
        if (depth == 1) top_slot = Slot::key;
        if (depth == 2) inner_slot = Slot::key;
        break;
      default:
        break;
    }
    ++i;
  }
  skeleton.text.append(document.substr(copied));
  return skeleton;
}

}  // namespace cccd::lds
