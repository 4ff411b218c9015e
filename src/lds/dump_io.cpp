#include "lds/read_record.hpp"
#include "util/bytes.hpp"
#include "util/private_file.hpp"

#include <cccd/dump.hpp>
#include <cccd/error.hpp>
#include <cccd/evidence.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

namespace cccd {
namespace {

constexpr const char* kReadJson = "read.json";

// Messages name the file inside the folder, never the folder's path (it may be named after the holder).
[[noreturn]] void io_error(const std::string& what, int error_number) {
  throw Error(ErrorCode::io, "dump: " + what + ": " + std::strerror(error_number));
}

// The temporary folder of write_dump, removed (with whatever it holds) unless it became the dump.
class TemporaryFolder {
 public:
  explicit TemporaryFolder(std::filesystem::path path) : path_(std::move(path)) {}
  ~TemporaryFolder() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }
  void keep() noexcept { path_.clear(); }

 private:
  std::filesystem::path path_;
};

[[noreturn]] void target_exists() {
  throw Error(ErrorCode::io, "dump: the target folder already exists; a dump replaces it only when asked to");
}

// rename(2) of `from` to `to` inside the folder `parent_fd` that never replaces an existing `to`.
void rename_no_replace(int parent_fd, const char* from, const char* to) {
  if (::renameat2(parent_fd, from, parent_fd, to, RENAME_NOREPLACE) == 0) return;
  if (errno == EEXIST) target_exists();
  if (errno != EINVAL && errno != ENOSYS) io_error("cannot move the dump into place", errno);
  // A file system without RENAME_NOREPLACE: the check before writing stands.
  struct stat info {};
  if (::fstatat(parent_fd, to, &info, AT_SYMLINK_NOFOLLOW) == 0) target_exists();
  if (::renameat(parent_fd, from, parent_fd, to) != 0) io_error("cannot move the dump into place", errno);
}

void write_dump_files(const ChipDump& dump, int folder_fd) {
  for (FileId id : kAllFiles) {
    if (const Bytes* bytes = dump.file(id))
      write_new_private_file_at(folder_fd, std::string(file_name(id)), *bytes);
  }
  const nlohmann::json read = lds::read_record(dump);
  std::string text = read.dump(2) + "\n";
  write_new_private_file_at(folder_fd, kReadJson,
                            ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  if (::fsync(folder_fd) != 0) io_error("cannot write the temporary folder", errno);
}

}  // namespace

void write_dump(const ChipDump& dump, const std::filesystem::path& folder, bool replace) {
  const std::filesystem::path target = folder.has_filename() ? folder : folder.parent_path();  // "DIR/"
  const std::string name = target.filename().string();
  if (name.empty() || name == "." || name == "..")
    throw Error(ErrorCode::io, "dump: name a new folder to write");
  const std::filesystem::path parent = target.has_parent_path() ? target.parent_path() : ".";
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) io_error("cannot create the parent folder", ec.value());
  std::optional<FileDescriptor> parent_fd = open_folder(parent);
  if (!parent_fd) io_error("cannot open the parent folder", errno);

  struct stat info {};
  const bool exists = ::fstatat(parent_fd->get(), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0;
  if (!exists && errno != ENOENT) io_error("cannot look at the target folder", errno);
  if (exists && !replace) target_exists();
  if (exists && !S_ISDIR(info.st_mode))
    throw Error(ErrorCode::io, "dump: the target exists and is not a folder");

  // Beside the target (the same file system, so that rename is atomic), private from the first instant.
  std::string pattern = (parent / ".cccd-dump.XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) io_error("cannot create a temporary folder", errno);
  TemporaryFolder temporary{std::filesystem::path(pattern)};
  const std::string temporary_name = temporary.path().filename().string();
  std::optional<FileDescriptor> folder_fd = open_folder(temporary.path());
  if (!folder_fd) io_error("cannot open the temporary folder", errno);
  // mkdtemp's 0700 is reduced by the umask, never widened: set exactly 0700.
  if (::fchmod(folder_fd->get(), 0700) != 0) io_error("cannot set the mode of the temporary folder", errno);
  write_dump_files(dump, folder_fd->get());

  if (!exists) {
    rename_no_replace(parent_fd->get(), temporary_name.c_str(), name.c_str());
    temporary.keep();
  } else {
    // Swapped in one step: the target is the old dump or the new one, never neither. The old one is then
    // where the temporary folder was, and removed with it.
    if (::renameat2(parent_fd->get(), temporary_name.c_str(), parent_fd->get(), name.c_str(),
                    RENAME_EXCHANGE) != 0)
      io_error("cannot move the dump into place", errno);
    std::filesystem::remove_all(temporary.path(), ec);
    if (ec) io_error("the new dump is in place but the old one could not be removed", ec.value());
    temporary.keep();
  }
  if (::fsync(parent_fd->get()) != 0) io_error("cannot write the parent folder", errno);
}

namespace {

// The entries of the dump folder that are neither an EF's name nor read.json (".", ".." and hidden
// entries aside), at most kMaxUnknownDumpFiles, in name order.
std::vector<std::string> unknown_entries(int folder_fd) {
  std::vector<std::string> unknown;
  const int listing_fd = ::openat(folder_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (listing_fd < 0) return unknown;
  DIR* listing = ::fdopendir(listing_fd);
  if (listing == nullptr) {
    ::close(listing_fd);
    return unknown;
  }
  while (const dirent* entry = ::readdir(listing)) {
    const std::string name = entry->d_name;
    if (name.empty() || name.front() == '.' || name == kReadJson || file_from_name(name)) continue;
    // Shown as printable ASCII, at most 64 characters: a name on disk may be any bytes (not UTF-8,
    // escape sequences), and the result's JSON and a terminal take it.
    std::string shown;
    for (char c : name.substr(0, 64)) shown += c >= 0x20 && c <= 0x7E ? c : '?';
    if (name.size() > 64) shown += "...";
    unknown.push_back(shown);
  }
  ::closedir(listing);
  std::sort(unknown.begin(), unknown.end());
  if (unknown.size() > kMaxUnknownDumpFiles) unknown.resize(kMaxUnknownDumpFiles);
  return unknown;
}

}  // namespace

ChipDump load_dump(const std::filesystem::path& folder) {
  // Neither the folder nor a file in it is followed through a symbolic link or waited on (a FIFO).
  std::optional<FileDescriptor> folder_fd = open_folder(folder);
  if (!folder_fd) throw Error(ErrorCode::io, "dump: the dump folder does not exist or is not a folder");
  // The files into memory, then the one loader of a folder's contents (dump_from_files).
  DumpFiles files;
  for (FileId id : kAllFiles) {
    if (std::optional<Bytes> bytes =
            read_bounded_file_at(folder_fd->get(), file_name(id), kMaxEvidenceFileSize))
      files.emplace(std::string(file_name(id)), std::move(*bytes));
  }
  if (std::optional<Bytes> read = read_bounded_file_at(folder_fd->get(), kReadJson, kMaxEvidenceFileSize))
    files.emplace(kReadJson, std::move(*read));
  ChipDump dump = dump_from_files(files);
  // A folder may hold files that are no part of a dump; the verdict names them (bounded).
  dump.unknown_files = unknown_entries(folder_fd->get());
  return dump;
}

}  // namespace cccd
