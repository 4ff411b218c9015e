// The members of a JSON object as raw text, without building a document: POST /v1/verifications carries
// an evidence document of tens of kilobytes that the library parses itself, so the server only needs to
// know where it starts and ends. Parsing it into a DOM and writing it back out first cost as much CPU as
// the HTTP and database work together (docs/PERFORMANCE.md, "Server").
//
// This is a scanner of JSON's structure, not a parser: it finds each top-level member's key and the
// exact text of its value, honouring strings (with their escapes), nesting and literals. What a value
// means is left to whoever reads that text (nlohmann::json for the small members, the library for the
// evidence), and each of those checks its syntax fully; the scanner guarantees only that the values are
// delimited as JSON delimits them, so a quote or brace inside a string never moves a boundary. (A raw
// control character inside a string, which JSON forbids, is left for that reader to refuse.)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cccd::server {

struct JsonMember {
  std::string key;         // decoded (escapes resolved)
  std::string_view value;  // the value's text in the input, as it stands
};

// The members of the object `text` holds (whitespace around it allowed), in order. On a structural error
// (not an object, an unterminated string, unbalanced brackets, a missing ':' or ',', text after the
// object, nesting deeper than `max_depth`) nothing, and `error_at` is the byte offset it was found at.
std::optional<std::vector<JsonMember>> json_object_members(std::string_view text, std::size_t& error_at,
                                                           std::size_t max_depth = 64);

// The string a JSON string literal (`"..."`, quotes included) stands for; nothing when `text` is not one.
// Printable ASCII without escapes is taken as it stands; anything else goes through nlohmann::json.
std::optional<std::string> json_string_value(std::string_view text);

}  // namespace cccd::server
