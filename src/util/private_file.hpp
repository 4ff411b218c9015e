// Files that hold personal data (dumps, photos, card folders): written with mode 0600 from the first
// instant, read with a size ceiling and only when they are regular files.
#pragma once

#include <cccd/bytes.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>

namespace cccd {

// Owns a file descriptor and closes it.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) noexcept : fd_(fd) {}
  ~FileDescriptor();
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Creates or replaces `path` with mode 0600 (given to open(), and an existing file is narrowed with
// fchmod before anything is written). Symbolic links are refused. Throws Error(io).
void write_private_file(const std::filesystem::path& path, ByteView data);
// Creates `name` inside the open folder `folder_fd`: a new file (never an existing one, never through a
// symbolic link), mode 0600, written and fsync'ed. Throws Error(io) naming `name`.
void write_new_private_file_at(int folder_fd, const std::string& name, ByteView data);
// Opens a folder to read files in it: O_DIRECTORY | O_NOFOLLOW (a symbolic link is refused).
// Nothing (errno set) when it cannot be opened.
std::optional<FileDescriptor> open_folder(const std::filesystem::path& folder);
// Reads the regular file `name` of the open folder `folder_fd` (AT_FDCWD: `name` is a path), of at most
// `max_size` bytes; nothing when it does not exist. It is opened O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
// O_CLOEXEC and checked with fstat: anything but a regular file (a symbolic link, FIFO, device, socket,
// folder) and a file that cannot be opened are refused with one error, Error(io) "NAME is not a usable
// file", which does not say what is there. Error(limit_exceeded) when the file is larger. Messages name
// the file, not its folder.
std::optional<Bytes> read_bounded_file_at(int folder_fd, const std::filesystem::path& name,
                                          std::size_t max_size);
// read_bounded_file_at(AT_FDCWD, path, max_size).
std::optional<Bytes> read_bounded_file(const std::filesystem::path& path, std::size_t max_size);

}  // namespace cccd
