// One private file written atomically (an evidence document): the whole file or nothing, mode 0600.
#pragma once

#include <cccd/bytes.hpp>

#include <filesystem>

namespace cccd {

// Writes `data` to a new temporary file beside `path` (same folder, so rename is atomic; created with
// write_new_private_file_at: mode 0600, never through a link, fsync'ed), then renames it to `path`
// (RENAME_NOREPLACE unless `replace`) and fsyncs the folder. A reader never sees half a file; after a
// failure the temporary file is removed and `path` is as it was. An existing `path` is refused with
// Error(io) unless `replace`, and then only a regular file is replaced. Messages name the file only.
void write_private_file_atomically(const std::filesystem::path& path, ByteView data, bool replace = false);

}  // namespace cccd
