#include "util/bytes.hpp"
#include "util/private_file.hpp"

#include <cccd/dump.hpp>
#include <cccd/error.hpp>

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

constexpr std::size_t kMaxDumpFileSize = std::size_t{1} << 20;
constexpr std::size_t kMaxJsonNesting = 8;
constexpr std::size_t kMaxProtocolName = 64;
constexpr std::size_t kMaxAccessNote = 512;
constexpr std::size_t kMaxCamHex = 2 * 1024;          // a point of a 521-bit curve is 133 bytes
constexpr std::size_t kMaxAaChallengeHex = 2 * 64;    // the challenge is 8 bytes; verify checks that
constexpr std::size_t kMaxAaSignatureHex = 2 * 1024;  // an RSA-4096 signature is 512 bytes
constexpr const char* kReadJson = "read.json";

// Messages name the file inside the folder, never the folder's path (it may be named after the holder).
[[noreturn]] void io_error(const std::string& what, int error_number) {
  throw Error(ErrorCode::io, "dump: " + what + ": " + std::strerror(error_number));
}
[[noreturn]] void bad_read_json(const std::string& what) {
  throw Error(ErrorCode::malformed_data, std::string("dump: read.json: ") + what);
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

// A short printable ASCII text of read.json, "" when absent (these fields are shown to people).
std::string printable_text(const nlohmann::json& json, const char* key, std::size_t max_length) {
  if (!json.contains(key)) return {};
  const nlohmann::json& value = json.at(key);
  if (!value.is_string()) bad_read_json(std::string(key) + " is not text");
  std::string text = value.get<std::string>();
  if (text.size() > max_length) bad_read_json(std::string(key) + " is too long");
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) bad_read_json(std::string(key) + " is not printable ASCII");
  }
  return text;
}

void apply_read_json(const Bytes& bytes, ChipDump& dump) {
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  check_json_nesting(text);
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) bad_read_json("not valid JSON");
  if (!json.is_object()) bad_read_json("not a JSON object");
  dump.access_protocol = printable_text(json, "access_protocol", kMaxProtocolName);
  dump.access_note = printable_text(json, "access_note", kMaxAccessNote);
  if (json.contains("cam")) {
    const nlohmann::json& cam = json.at("cam");
    if (!cam.is_object()) bad_read_json("cam is not an object");
    auto hex_field = [&](const char* key) {
      std::string hex = printable_text(cam, key, kMaxCamHex);
      try {
        return from_hex(hex);
      } catch (const Error&) {
        bad_read_json(std::string("cam.") + key + " is not hex");
      }
    };
    dump.cam_chip_authentication_data = hex_field("chip_authentication_data");
    dump.cam_mapping_public_key = hex_field("mapping_public_key");
  }
  if (json.contains("chip_authentication")) {
    const nlohmann::json& ca = json.at("chip_authentication");
    if (!ca.is_object()) bad_read_json("chip_authentication is not an object");
    dump.chip_authentication = printable_text(ca, "protocol", kMaxProtocolName);
    dump.chip_authentication_result = printable_text(ca, "result", kMaxProtocolName);
    dump.chip_authentication_note = printable_text(ca, "note", kMaxAccessNote);
    if (dump.chip_authentication_result != "passed" && dump.chip_authentication_result != "failed" &&
        !dump.chip_authentication_result.empty()) {
      bad_read_json("chip_authentication.result is neither passed nor failed");
    }
  }
  if (json.contains("active_authentication")) {
    const nlohmann::json& aa = json.at("active_authentication");
    if (!aa.is_object()) bad_read_json("active_authentication is not an object");
    auto hex_field = [&](const char* key, std::size_t max_length) {
      std::string hex = printable_text(aa, key, max_length);
      try {
        return from_hex(hex);
      } catch (const Error&) {
        bad_read_json(std::string("active_authentication.") + key + " is not hex");
      }
    };
    dump.aa_challenge = hex_field("challenge", kMaxAaChallengeHex);
    dump.aa_signature = hex_field("signature", kMaxAaSignatureHex);
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
  nlohmann::json read;
  read["access_protocol"] = dump.access_protocol;
  if (!dump.access_note.empty()) read["access_note"] = dump.access_note;
  if (!dump.cam_chip_authentication_data.empty()) {
    read["cam"] = {{"chip_authentication_data", to_hex(dump.cam_chip_authentication_data)},
                   {"mapping_public_key", to_hex(dump.cam_mapping_public_key)}};
  }
  if (!dump.chip_authentication.empty() || !dump.chip_authentication_result.empty() ||
      !dump.chip_authentication_note.empty()) {
    read["chip_authentication"] = {{"protocol", dump.chip_authentication},
                                   {"result", dump.chip_authentication_result},
                                   {"note", dump.chip_authentication_note}};
  }
  if (!dump.aa_challenge.empty() || !dump.aa_signature.empty()) {
    read["active_authentication"] = {{"challenge", to_hex(dump.aa_challenge)},
                                     {"signature", to_hex(dump.aa_signature)}};
  }
  read["denied"] = names(dump.denied);
  read["absent"] = names(dump.absent);
  read["stats"] = {{"apdus", dump.stats.apdus},
                   {"bytes_sent", dump.stats.bytes_sent},
                   {"bytes_received", dump.stats.bytes_received},
                   {"seconds", dump.stats.seconds}};
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
  ChipDump dump;
  for (FileId id : kAllFiles) {
    if (std::optional<Bytes> bytes = read_bounded_file_at(folder_fd->get(), file_name(id), kMaxDumpFileSize))
      dump.files[id] = std::move(*bytes);
  }
  if (std::optional<Bytes> read = read_bounded_file_at(folder_fd->get(), kReadJson, kMaxDumpFileSize))
    apply_read_json(*read, dump);
  dump.unknown_files = unknown_entries(folder_fd->get());
  return dump;
}

}  // namespace cccd
