// libFuzzer target: cccd-server's JSON member scanner (src/server/json_members.hpp), which delimits the
// members of POST /v1/verifications' body without parsing the evidence inside it. Checked against
// nlohmann::json, a full parser, on the same text (a differential oracle), beyond "no crash":
//   - whenever nlohmann parses the text as an object no deeper than the scanner's limit, the scanner
//     finds it too, with the same keys, each member's text parsing to nlohmann's value of that key
//     (the last one of a repeated key, as nlohmann keeps);
//   - whenever the scanner finds members, they lie inside the input and the error offset is unused;
//     when it refuses, its error offset lies within the input.
#include "json_members.hpp"  // src/server, on this target's include path

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

namespace {

constexpr std::size_t kMaxDepth = 64;

std::size_t depth_of(const nlohmann::json& value) {
  if (!value.is_structured()) return 0;
  std::size_t deepest = 0;
  for (const auto& item : value) deepest = std::max(deepest, depth_of(item));
  return deepest + 1;
}

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::size_t error_at = 0;
  const auto members = cccd::server::json_object_members(text, error_at, kMaxDepth);
  if (members) {
    for (const auto& member : *members) {
      require(member.value.data() >= text.data() &&
              member.value.data() + member.value.size() <= text.data() + text.size());
    }
  } else {
    require(error_at <= size);
  }

  // nlohmann takes a NUL byte for the end of the input (for C strings), so it accepts "{...}\0garbage";
  // JSON has no NUL outside strings and none raw inside them, so the scanner rightly refuses those.
  if (text.find('\0') != std::string_view::npos) return 0;
  // nlohmann's own recursion: only inputs it can parse without exhausting the stack are compared.
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || depth_of(parsed) > kMaxDepth - 1) return 0;
  require(members.has_value());
  std::map<std::string, std::string_view> last;
  for (const auto& member : *members) last[member.key] = member.value;
  require(last.size() == parsed.size());
  for (const auto& [key, value_text] : last) {
    require(parsed.contains(key));
    const nlohmann::json value = nlohmann::json::parse(value_text, nullptr, false);
    require(!value.is_discarded() && value == parsed[key]);
  }
  return 0;
}
