#include "json_members.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>

namespace cccd::server {
namespace {

class Scanner {
 public:
  Scanner(std::string_view text, std::size_t max_depth) : text_(text), max_depth_(max_depth) {}

  std::size_t position() const noexcept { return at_; }
  bool done() const noexcept { return at_ >= text_.size(); }
  char peek() const noexcept { return done() ? '\0' : text_[at_]; }

  void skip_space() noexcept {
    while (!done() && (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
      ++at_;
  }
  bool take(char c) noexcept {
    if (peek() != c) return false;
    ++at_;
    return true;
  }

  // A string from its opening quote to past its closing one. Only quotes and backslashes matter to its
  // extent, so the scan jumps from one to the next (the evidence is mostly long base64 strings); what
  // else a string may not hold (raw control characters) is for its reader to refuse.
  bool string() noexcept {
    if (!take('"')) return false;
    for (;;) {
      // memchr is vectorised: the next quote, then whether a backslash comes before it.
      const char* base = text_.data();
      const void* quote = std::memchr(base + at_, '"', text_.size() - at_);
      if (quote == nullptr) {
        at_ = text_.size();
        return false;
      }
      const auto quote_at = static_cast<std::size_t>(static_cast<const char*>(quote) - base);
      const void* backslash = std::memchr(base + at_, '\\', quote_at - at_);
      if (backslash == nullptr) {
        at_ = quote_at + 1;
        return true;
      }
      // Past the escape and the character it escapes (\uXXXX's digits are ordinary characters here).
      at_ = static_cast<std::size_t>(static_cast<const char*>(backslash) - base) + 2;
      if (at_ > text_.size()) {
        at_ = text_.size();
        return false;
      }
    }
  }

  // Any value: a string, an object or array (brackets balanced, strings skipped whole, depth bounded), or
  // a literal or number (the characters up to the next delimiter, at least one).
  bool value() noexcept {
    const char first = peek();
    if (first == '"') return string();
    if (first == '{' || first == '[') {
      std::string stack;
      while (!done()) {
        const char c = peek();
        if (c == '"') {
          if (!string()) return false;
          continue;
        }
        ++at_;
        if (c == '{' || c == '[') {
          if (stack.size() >= max_depth_) return false;
          stack.push_back(c == '{' ? '}' : ']');
        } else if (c == '}' || c == ']') {
          if (stack.empty() || stack.back() != c) return false;
          stack.pop_back();
          if (stack.empty()) return true;
        }
      }
      return false;
    }
    const std::size_t start = at_;
    while (!done()) {
      const char c = text_[at_];
      if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r') break;
      if (c == '"' || c == '{' || c == '[' || c == ':') return false;
      ++at_;
    }
    return at_ > start;
  }

  std::string_view slice(std::size_t from) const noexcept { return text_.substr(from, at_ - from); }

 private:
  std::string_view text_;
  std::size_t max_depth_;
  std::size_t at_ = 0;
};

}  // namespace

std::optional<std::vector<JsonMember>> json_object_members(std::string_view text, std::size_t& error_at,
                                                           std::size_t max_depth) {
  Scanner scan(text, max_depth);
  auto fail = [&]() -> std::optional<std::vector<JsonMember>> {
    error_at = scan.position();
    return std::nullopt;
  };
  std::vector<JsonMember> members;
  scan.skip_space();
  if (!scan.take('{')) return fail();
  scan.skip_space();
  if (!scan.take('}')) {
    for (;;) {
      scan.skip_space();
      const std::size_t key_start = scan.position();
      if (!scan.string()) return fail();
      JsonMember member;
      auto key = json_string_value(scan.slice(key_start));
      if (!key) {
        error_at = key_start;
        return std::nullopt;
      }
      member.key = std::move(*key);
      scan.skip_space();
      if (!scan.take(':')) return fail();
      scan.skip_space();
      const std::size_t value_start = scan.position();
      if (!scan.value()) return fail();
      member.value = scan.slice(value_start);
      members.push_back(std::move(member));
      scan.skip_space();
      if (scan.take(',')) continue;
      if (scan.take('}')) break;
      return fail();
    }
  }
  scan.skip_space();
  if (!scan.done()) return fail();
  return members;
}

std::optional<std::string> json_string_value(std::string_view text) {
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') return std::nullopt;
  const std::string_view inner = text.substr(1, text.size() - 2);
  // Printable ASCII without a backslash or quote is its own value: the keys and words the server reads
  // are all such, and the JSON parser costs about a microsecond each.
  if (std::all_of(inner.begin(), inner.end(),
                  [](char c) { return c >= 0x20 && c < 0x7F && c != '\\' && c != '"'; })) {
    return std::string(inner);
  }
  try {
    // Escapes, control characters and UTF-8 resolved or refused by the JSON library itself.
    const nlohmann::json value = nlohmann::json::parse(text);
    if (!value.is_string()) return std::nullopt;
    return value.get<std::string>();
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace cccd::server
