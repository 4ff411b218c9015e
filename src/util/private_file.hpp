// Files that hold personal data (dumps, photos, card folders): written with mode 0600 from the first
// instant, read with a size ceiling.
#pragma once

#include <cccd/bytes.hpp>

#include <filesystem>
#include <optional>

namespace cccd {

// Creates or replaces `path` with mode 0600 (given to open(), and an existing file is narrowed with
// fchmod before anything is written). Symbolic links are refused. Throws Error(io).
void write_private_file(const std::filesystem::path& path, ByteView data);
// Creates the folder (and parents) and narrows it to mode 0700. Throws Error(io).
void create_private_folder(const std::filesystem::path& folder);
// Reads a regular file of at most `max_size` bytes; nothing when it does not exist. Throws Error(io),
// or Error(limit_exceeded) when the file is larger. Messages name the file, not its folder.
std::optional<Bytes> read_bounded_file(const std::filesystem::path& path, std::size_t max_size);

}  // namespace cccd
