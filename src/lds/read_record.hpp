// The read record: what only the live read knows (how the chip was opened, Chip Authentication, PACE-CAM
// and Active Authentication as the read ran them, denied and absent files, counts), as JSON. A dump folder
// keeps it in read.json, an evidence document under "read": one format, one parser, the same bounds.
#pragma once

#include <cccd/bytes.hpp>
#include <cccd/dump.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace cccd::lds {

// Containers nested deeper than this in an untrusted JSON text are refused before it is parsed.
inline constexpr std::size_t kMaxJsonNesting = 8;

// Throws Error(malformed_data) "<where>nested too deeply" when `text` nests arrays and objects deeper
// than kMaxJsonNesting (counted without parsing, so a deep text costs nothing).
void check_json_nesting(std::string_view text, std::string_view where);

// Parses untrusted JSON text into an object: nesting checked first; Error(malformed_data) "<where>not
// valid JSON" / "<where>not a JSON object".
nlohmann::json parse_json_object(std::string_view text, std::string_view where);

// Sets the record's fields of `dump` from `record` (an object; unknown fields ignored). Every violation is
// Error(malformed_data) whose message is `where` followed by the field: "dump: read.json: " gives
// "dump: read.json: cam.mapping_public_key is not hex", "evidence: read." gives "evidence:
// read.cam.mapping_public_key is not hex". Bounds in docs/dump-format.md.
void apply_read_record(const nlohmann::json& record, ChipDump& dump, std::string_view where);

// The record of `dump`, as read.json holds it.
nlohmann::json read_record(const ChipDump& dump);

}  // namespace cccd::lds
