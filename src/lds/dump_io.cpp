#include <cccd/dump.hpp>
#include <cccd/error.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

namespace cccd {
namespace {

constexpr std::size_t kMaxDumpFileSize = std::size_t{1} << 20;
constexpr std::size_t kMaxJsonNesting = 8;
constexpr std::size_t kMaxProtocolName = 64;
constexpr const char* kReadJson = "read.json";

// Messages name the file inside the folder, never the folder's path (it may be named after the holder).
[[noreturn]] void io_error(const std::string& what, int error_number) {
  throw Error(ErrorCode::io, "dump: " + what + ": " + std::strerror(error_number));
}
[[noreturn]] void bad_read_json(const std::string& what) {
  throw Error(ErrorCode::malformed_data, std::string("dump: read.json: ") + what);
}

// A file descriptor closed when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const noexcept { return fd_; }
  int release() noexcept {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// Creates or replaces the file with mode 0600 from the first instant (the mode is given to open(), and an
// existing file is narrowed with fchmod before anything is written to it). Symbolic links are refused.
void write_private_file(const std::filesystem::path& folder, std::string_view name, ByteView data) {
  std::filesystem::path path = folder / name;
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) io_error("cannot create " + std::string(name), errno);
  if (::fchmod(fd.get(), 0600) != 0) io_error("cannot set the mode of " + std::string(name), errno);
  std::size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      io_error("cannot write " + std::string(name), errno);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd.release()) != 0) io_error("cannot write " + std::string(name), errno);
}

// Reads a file of the folder; nothing when it does not exist. Never reads more than the limit.
std::optional<Bytes> read_limited_file(const std::filesystem::path& folder, std::string_view name) {
  std::filesystem::path path = folder / name;
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    io_error("cannot open " + std::string(name), errno);
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) io_error("cannot read " + std::string(name), errno);
  if (!S_ISREG(info.st_mode))
    throw Error(ErrorCode::io, "dump: " + std::string(name) + " is not a regular file");
  if (info.st_size < 0 || static_cast<std::uint64_t>(info.st_size) > kMaxDumpFileSize) {
    throw Error(ErrorCode::limit_exceeded, "dump: " + std::string(name) + " is larger than 1 MiB");
  }
  Bytes data;
  data.reserve(static_cast<std::size_t>(info.st_size));
  std::uint8_t chunk[16384];
  while (true) {
    ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      io_error("cannot read " + std::string(name), errno);
    }
    if (n == 0) break;
    // Checked while reading too: the file may have grown since fstat.
    if (static_cast<std::size_t>(n) > kMaxDumpFileSize - data.size()) {
      throw Error(ErrorCode::limit_exceeded, "dump: " + std::string(name) + " is larger than 1 MiB");
    }
    data.insert(data.end(), chunk, chunk + n);
  }
  return data;
}

void make_private_folder(const std::filesystem::path& folder) {
  std::error_code ec;
  if (std::filesystem::is_directory(folder, ec)) return;  // an existing folder keeps its mode
  if (folder.has_parent_path()) {
    std::filesystem::create_directories(folder.parent_path(), ec);
    if (ec) throw Error(ErrorCode::io, "dump: cannot create the parent of the dump folder: " + ec.message());
  }
  if (::mkdir(folder.c_str(), 0700) != 0) {
    if (errno == EEXIST && std::filesystem::is_directory(folder, ec)) return;
    io_error("cannot create the dump folder", errno);
  }
  // mkdir's mode is reduced by the umask, never widened: set exactly 0700.
  if (::chmod(folder.c_str(), 0700) != 0) io_error("cannot set the mode of the dump folder", errno);
}

nlohmann::json names(const std::vector<FileId>& files) {
  nlohmann::json list = nlohmann::json::array();
  for (FileId id : files) list.push_back(std::string(file_name(id)));
  return list;
}

// nlohmann's parser keeps its own stack, but every nested value is still a heap object destroyed one
// by one: cap the nesting before parsing, as for any other untrusted input.
void check_json_nesting(std::string_view text) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonNesting) bad_read_json("nested too deeply");
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

std::vector<FileId> file_list(const nlohmann::json& json, const char* key) {
  std::vector<FileId> files;
  if (!json.contains(key)) return files;
  const nlohmann::json& list = json.at(key);
  if (!list.is_array()) bad_read_json(std::string(key) + " is not a list");
  if (list.size() > std::size(kAllFiles)) bad_read_json(std::string(key) + " lists too many files");
  for (const nlohmann::json& item : list) {
    if (!item.is_string()) bad_read_json(std::string(key) + " holds something other than a file name");
    std::optional<FileId> id = file_from_name(item.get<std::string>());
    if (id) files.push_back(*id);  // a name this version does not know: ignored like an unknown file
  }
  return files;
}

std::uint64_t counter(const nlohmann::json& stats, const char* key) {
  if (!stats.contains(key)) return 0;
  const nlohmann::json& value = stats.at(key);
  if (!value.is_number_unsigned()) bad_read_json(std::string("stats.") + key + " is not a count");
  return value.get<std::uint64_t>();
}

void apply_read_json(const Bytes& bytes, ChipDump& dump) {
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  check_json_nesting(text);
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) bad_read_json("not valid JSON");
  if (!json.is_object()) bad_read_json("not a JSON object");
  if (json.contains("access_protocol")) {
    const nlohmann::json& protocol = json.at("access_protocol");
    if (!protocol.is_string()) bad_read_json("access_protocol is not text");
    std::string name = protocol.get<std::string>();
    if (name.size() > kMaxProtocolName) bad_read_json("access_protocol is too long");
    for (char c : name) {
      if (c < 0x20 || c > 0x7E) bad_read_json("access_protocol is not printable ASCII");
    }
    dump.access_protocol = name;
  }
  dump.denied = file_list(json, "denied");
  dump.absent = file_list(json, "absent");
  if (json.contains("stats")) {
    const nlohmann::json& stats = json.at("stats");
    if (!stats.is_object()) bad_read_json("stats is not an object");
    dump.stats.apdus = counter(stats, "apdus");
    dump.stats.bytes_sent = counter(stats, "bytes_sent");
    dump.stats.bytes_received = counter(stats, "bytes_received");
    if (stats.contains("seconds")) {
      if (!stats.at("seconds").is_number()) bad_read_json("stats.seconds is not a number");
      dump.stats.seconds = stats.at("seconds").get<double>();
    }
  }
}

}  // namespace

void write_dump(const ChipDump& dump, const std::filesystem::path& folder) {
  make_private_folder(folder);
  for (FileId id : kAllFiles) {
    std::string_view name = file_name(id);
    if (const Bytes* bytes = dump.file(id)) {
      write_private_file(folder, name, *bytes);
      continue;
    }
    // A file left from an earlier dump in the same folder would be read back as part of this one.
    std::filesystem::path stale = folder / name;
    if (::unlink(stale.c_str()) != 0 && errno != ENOENT)
      io_error("cannot remove the old " + std::string(name), errno);
  }
  nlohmann::json read;
  read["access_protocol"] = dump.access_protocol;
  read["denied"] = names(dump.denied);
  read["absent"] = names(dump.absent);
  read["stats"] = {{"apdus", dump.stats.apdus},
                   {"bytes_sent", dump.stats.bytes_sent},
                   {"bytes_received", dump.stats.bytes_received},
                   {"seconds", dump.stats.seconds}};
  std::string text = read.dump(2) + "\n";
  write_private_file(folder, kReadJson,
                     ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

ChipDump load_dump(const std::filesystem::path& folder) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    throw Error(ErrorCode::io, "dump: the dump folder does not exist or is not a folder");
  }
  ChipDump dump;
  for (FileId id : kAllFiles) {
    if (std::optional<Bytes> bytes = read_limited_file(folder, file_name(id)))
      dump.files[id] = std::move(*bytes);
  }
  if (std::optional<Bytes> read = read_limited_file(folder, kReadJson)) apply_read_json(*read, dump);
  return dump;
}

}  // namespace cccd
