// Evidence in memory: a dump (ChipDump) as one JSON document, or as a folder's files held in memory.
// docs/dump-format.md, "The evidence document"; docs/schema/cccd-evidence.schema.json.
#pragma once

#include <cccd/bytes.hpp>
#include <cccd/dump.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace cccd {

// The document's "version" this library writes, and the highest it reads.
inline constexpr int kEvidenceVersion = 1;
// The bounds of a dump folder: each file (and read.json) at most 1 MiB.
inline constexpr std::size_t kMaxEvidenceFileSize = std::size_t{1} << 20;
// A document: every file at most 1 MiB in base64 (4/3), plus the record.
inline constexpr std::size_t kMaxEvidenceDocumentSize = std::size_t{32} << 20;

// Parses an evidence document (UTF-8 JSON: {"format": "cccd-evidence", "version": 1, "files": {NAME:
// BASE64}, "read": {the read record}}). Unknown fields and unknown file names are ignored. Every violation
// throws Error(malformed_data) naming the field ("evidence: files.DG2 is not base64"), or
// Error(limit_exceeded) for a document or file over its bound.
ChipDump parse_evidence_document(std::string_view document);
// The same, with the parser reading the files' base64 too: what parse_evidence_document does when its
// cheaper way does not apply (evidence_skeleton.hpp), and the reference the tests and the fuzzer hold it to.
ChipDump parse_whole_evidence_document(std::string_view document);
// The document of `dump` (one line of JSON, files in base64, the read record under "read").
std::string evidence_document(const ChipDump& dump);

// A dump folder's contents in memory: files by their names ("EF.COM", "DG1" ..., "read.json"), exactly as
// load_dump reads them from a folder, with the same bounds and errors; other names are ignored.
using DumpFiles = std::map<std::string, Bytes, std::less<>>;
ChipDump dump_from_files(const DumpFiles& files);

}  // namespace cccd
