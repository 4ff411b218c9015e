#include "util/atomic_private_file.hpp"

#include "util/private_file.hpp"

#include <cccd/error.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

namespace cccd {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& name, int error_number) {
  throw Error(ErrorCode::io, what + " " + name + ": " + std::strerror(error_number));
}

// A name no one else is likely to be creating at the same time (created with O_EXCL anyway).
std::string temporary_name(const std::string& name) {
  std::random_device random;
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%08x%08x", random(), random());
  return "." + name + ".tmp." + suffix;
}

}  // namespace

void write_private_file_atomically(const std::filesystem::path& path, ByteView data, bool replace) {
  const std::string name = path.filename().string();
  if (name.empty() || name == "." || name == "..") throw Error(ErrorCode::io, "name a file to write");
  const std::filesystem::path parent = path.has_parent_path() ? path.parent_path() : ".";
  std::optional<FileDescriptor> folder = open_folder(parent);
  if (!folder) fail("cannot open the folder of", name, errno);
  struct stat info {};
  if (::fstatat(folder->get(), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!replace) throw Error(ErrorCode::io, name + " already exists; it is replaced only when asked to");
    if (!S_ISREG(info.st_mode)) throw Error(ErrorCode::io, name + " exists and is not a regular file");
  }
  const std::string temporary = temporary_name(name);
  try {
    write_new_private_file_at(folder->get(), temporary, data);
  } catch (...) {
    ::unlinkat(folder->get(), temporary.c_str(), 0);  // half a file is never left behind
    throw;
  }
  const unsigned flags = replace ? 0U : RENAME_NOREPLACE;
  if (::renameat2(folder->get(), temporary.c_str(), folder->get(), name.c_str(), flags) != 0) {
    const int error_number = errno;
    ::unlinkat(folder->get(), temporary.c_str(), 0);
    if (error_number == EEXIST)
      throw Error(ErrorCode::io, name + " already exists; it is replaced only when asked to");
    fail("cannot move into place", name, error_number);
  }
  if (::fsync(folder->get()) != 0) fail("cannot write the folder of", name, errno);
}

}  // namespace cccd
