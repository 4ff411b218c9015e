#include "util/message_text.hpp"

#include <algorithm>

namespace cccd {
namespace {

bool continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The first `count` bytes of `text`, cut back so as not to end inside a UTF-8 character (one has at most
// three continuation bytes; invalid text is cut where it is).
std::string_view utf8_head(std::string_view text, std::size_t count) {
  std::size_t end = std::min(count, text.size());
  for (int step = 0; step < 3 && end > 0 && end < text.size() && continuation_byte(text[end]); ++step) --end;
  return text.substr(0, end);
}

// The last `count` bytes of `text`, starting on a whole UTF-8 character.
std::string_view utf8_tail(std::string_view text, std::size_t count) {
  std::size_t start = text.size() - std::min(count, text.size());
  for (int step = 0; step < 3 && start < text.size() && continuation_byte(text[start]); ++step) ++start;
  return text.substr(start);
}

}  // namespace

std::string shorten_middle(std::string_view text, std::size_t kept) {
  if (text.size() <= 2 * kept + 3) return std::string(text);
  std::string out(utf8_head(text, kept));
  out.append("...").append(utf8_tail(text, kept));
  return out;
}

std::string bounded_message(std::string_view message) {
  std::string out;
  std::size_t at = 0;
  while (at <= message.size()) {
    // A text of very many short words is capped below anyway: once far past the cap, keep only its end.
    if (out.size() > 2 * kMaxMessageBytes) {
      out.append("...").append(utf8_tail(message.substr(at), kMaxMessageBytes));
      break;
    }
    const std::size_t space = message.find(' ', at);
    const std::size_t end = space == std::string_view::npos ? message.size() : space;
    out += shorten_middle(message.substr(at, end - at), kMessageWordKept);
    if (space == std::string_view::npos) break;
    out += ' ';
    at = space + 1;
  }
  if (out.size() > kMaxMessageBytes) out = shorten_middle(out, (kMaxMessageBytes - 3) / 2);
  return out;
}

}  // namespace cccd
