// Evidence on disk for cccd-verify: a dump folder or an evidence document, told apart by what the path
// is; `pack` and `unpack` turn one into the other.
#pragma once

#include <cccd/dump.hpp>

#include <filesystem>
#include <string>

namespace cccd::cli {

// A regular file is an evidence document (at most 32 MiB, read without following links or blocking);
// anything else is a dump folder (load_dump, which refuses a link or a missing folder with its message).
ChipDump load_evidence(const std::filesystem::path& path);

// Writes the evidence document of `dump` to `file` (mode 0600, atomically; an existing file is refused
// unless `replace`), or to stdout when `file` is "-".
void write_evidence_document(const ChipDump& dump, const std::string& file, bool replace);

// `pack DIR [FILE]`: the dump folder DIR as one evidence document (FILE, or stdout). Returns the exit code.
int run_pack(const std::string& folder, const std::string& file, bool replace);
// `unpack FILE DIR`: the evidence document FILE ("-": stdin) as the new dump folder DIR.
int run_unpack(const std::string& file, const std::string& folder, bool replace);

}  // namespace cccd::cli
