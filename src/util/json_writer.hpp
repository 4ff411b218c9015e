// A streaming JSON writer that writes exactly what nlohmann::json's dump() writes for the same document
// (indent >= 0: that many spaces per level, "key": value; indent < 0: one line), without building a DOM.
// The verification result's JSON was built as a DOM of std::map nodes and dumped: a fifth of what a
// verification costs besides its cryptography (docs/PERFORMANCE.md, "Server"). nlohmann's maps sort their
// keys, so callers give each object's keys in byte order to keep the output the same; json_writer_test
// checks every document against nlohmann parsing and dumping it again.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cccd {

class JsonWriter {
 public:
  explicit JsonWriter(int indent) : indent_(indent) {}

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }
  // The next value's key, inside an object.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(bool flag);
  template <std::integral T>
  requires(!std::same_as<T, bool>) JsonWriter& value(T number) {
    if constexpr (std::is_signed_v<T>) return integer(static_cast<std::int64_t>(number));
    return unsigned_integer(static_cast<std::uint64_t>(number));
  }
  JsonWriter& value(double number);
  // An array of strings.
  JsonWriter& strings(const std::vector<std::string>& texts);

  const std::string& text() const noexcept { return out_; }
  std::string take() { return std::move(out_); }

 private:
  JsonWriter& open(char bracket);
  JsonWriter& close(char bracket);
  JsonWriter& integer(std::int64_t number);
  JsonWriter& unsigned_integer(std::uint64_t number);
  // Before a value: the separator and indentation an array element needs (a member's came with its key).
  void element();
  void newline_and_indent(std::size_t depth);

  std::string out_;
  int indent_;
  std::vector<bool> empty_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

// Appends `text` as a JSON string, quoted and escaped as nlohmann::json's dump() does without ensure_ascii:
// UTF-8 kept, control characters, quote and backslash escaped, and each ill-formed UTF-8 sequence replaced
// by U+FFFD (its error_handler_t::replace), since card data may hold any bytes.
void append_json_string(std::string& out, std::string_view text);

}  // namespace cccd
