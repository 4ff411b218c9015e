#include "util/private_file.hpp"

#include <cccd/error.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace cccd {
namespace {

[[noreturn]] void io_error(const std::string& what, const std::filesystem::path& path, int error_number) {
  throw Error(ErrorCode::io, what + " " + path.filename().string() + ": " + std::strerror(error_number));
}

[[noreturn]] void unusable(const std::filesystem::path& path) {
  // One message and one code for whatever is there instead of a regular file (or whatever stops it from
  // being opened): an uploader learns nothing about the server's files from it.
  throw Error(ErrorCode::io, path.filename().string() + " is not a usable file");
}

// All of `data` to `fd`, through short writes and signals.
void write_all(int fd, ByteView data, const std::filesystem::path& path) {
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      io_error("cannot write", path, errno);
    }
    written += static_cast<std::size_t>(n);
  }
}

}  // namespace

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void write_private_file(const std::filesystem::path& path, ByteView data) {
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) io_error("cannot create", path, errno);
  if (::fchmod(fd.get(), 0600) != 0) io_error("cannot set the mode of", path, errno);
  write_all(fd.get(), data, path);
  if (::close(fd.release()) != 0) io_error("cannot write", path, errno);
}

void write_new_private_file_at(int folder_fd, const std::string& name, ByteView data) {
  const std::filesystem::path path(name);
  FileDescriptor fd(
      ::openat(folder_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) io_error("cannot create", path, errno);
  // The mode given to openat is reduced by the umask, never widened: set exactly 0600.
  if (::fchmod(fd.get(), 0600) != 0) io_error("cannot set the mode of", path, errno);
  write_all(fd.get(), data, path);
  if (::fsync(fd.get()) != 0) io_error("cannot write", path, errno);
  if (::close(fd.release()) != 0) io_error("cannot write", path, errno);
}

std::optional<FileDescriptor> open_folder(const std::filesystem::path& folder) {
  FileDescriptor fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return std::nullopt;
  return fd;
}

std::optional<Bytes> read_bounded_file_at(int folder_fd, const std::filesystem::path& name,
                                          std::size_t max_size) {
  // A look before opening spares a device or FIFO the open itself; the fstat after opening decides.
  struct stat info {};
  if (::fstatat(folder_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return std::nullopt;
    unusable(name);
  }
  if (!S_ISREG(info.st_mode)) unusable(name);
  // O_NONBLOCK: a FIFO put in place since the look is opened without waiting for a writer.
  FileDescriptor fd(::openat(folder_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    unusable(name);
  }
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) unusable(name);
  auto too_large = [&] {
    return Error(ErrorCode::limit_exceeded,
                 name.filename().string() + " is larger than the limit for its kind");
  };
  if (info.st_size < 0 || static_cast<std::uint64_t>(info.st_size) > max_size) throw too_large();
  Bytes data;
  data.reserve(static_cast<std::size_t>(info.st_size));
  std::uint8_t chunk[16384];
  while (true) {
    ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      io_error("cannot read", name, errno);
    }
    if (n == 0) break;
    // Checked while reading too: the file may have grown since fstat.
    if (static_cast<std::size_t>(n) > max_size - data.size()) throw too_large();
    data.insert(data.end(), chunk, chunk + n);
  }
  return data;
}

std::optional<Bytes> read_bounded_file(const std::filesystem::path& path, std::size_t max_size) {
  return read_bounded_file_at(AT_FDCWD, path, max_size);
}

}  // namespace cccd
