#include "sim/card_folder.hpp"

#include "util/bytes.hpp"

#include <cccd/error.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>

namespace cccd::sim {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxAccessDataLength = 64;

[[noreturn]] void io_error(const std::string& what) {
  throw Error(ErrorCode::io, "card folder: " + what);
}

// Writes a whole file with exactly `mode`, also when it existed with another mode. Never follows a
// symbolic link at the file's place.
void write_file(const fs::path& path, ByteView contents, mode_t mode, const std::string& label) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) io_error("cannot create " + label);
  bool ok = ::fchmod(fd, mode) == 0;
  std::size_t written = 0;
  while (ok && written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) ok = false;
  if (!ok) io_error("cannot write " + label);
}

void remove_if_present(const fs::path& path, const std::string& label) {
  std::error_code error;
  fs::remove(path, error);
  if (error) io_error("cannot remove the stale " + label);
}

// The whole file, at most kMaxCardFolderFileBytes; reads one byte more to notice a file that grows.
Bytes read_bounded(const fs::path& path, const std::string& label) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) io_error("cannot open " + label);
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    io_error(label + " is not a regular file");
  }
  if (static_cast<std::uint64_t>(info.st_size) > kMaxCardFolderFileBytes) {
    ::close(fd);
    throw Error(ErrorCode::limit_exceeded, "card folder: " + label + " is larger than 1 MiB");
  }
  Bytes out(kMaxCardFolderFileBytes + 1);
  std::size_t filled = 0;
  while (filled < out.size()) {
    const ssize_t n = ::read(fd, out.data() + filled, out.size() - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      io_error("cannot read " + label);
    }
    if (n == 0) break;
    filled += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (filled > kMaxCardFolderFileBytes) {
    throw Error(ErrorCode::limit_exceeded, "card folder: " + label + " is larger than 1 MiB");
  }
  out.resize(filled);
  return out;
}

bool present(const fs::path& path) {
  std::error_code error;
  const bool exists = fs::exists(fs::symlink_status(path, error));
  return !error && exists;
}

bool access_text(const std::string& text) {
  if (text.size() > kMaxAccessDataLength) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '<')) return false;
  }
  return true;
}

CardSecrets parse_secrets(const Bytes& file) {
  const nlohmann::json json = nlohmann::json::parse(file.begin(), file.end(), nullptr, false);
  auto malformed = [](const std::string& what) {
    return Error(ErrorCode::malformed_data, std::string("card secrets file: ") + what);
  };
  if (json.is_discarded() || !json.is_object()) throw malformed("not a JSON object");
  CardSecrets secrets;
  for (const char* key : {"mrz_information", "can"}) {
    auto it = json.find(key);
    if (it == json.end()) continue;
    if (!it->is_string() || !access_text(it->get<std::string>())) {
      throw malformed(std::string(key) + " must be a string of MRZ characters");
    }
    (std::string_view(key) == "can" ? secrets.can : secrets.mrz_information) = it->get<std::string>();
  }
  if (auto it = json.find("extended_length"); it != json.end()) {
    if (!it->is_boolean()) throw malformed("extended_length must be true or false");
    secrets.extended_length = it->get<bool>();
  }
  if (auto it = json.find("max_response_data"); it != json.end()) {
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() < 1 || it->get<std::uint64_t>() > 65536) {
      throw malformed("max_response_data must be a number from 1 to 65536");
    }
    secrets.max_response_data = it->get<std::size_t>();
  }
  return secrets;
}

}  // namespace

void write_card_folder(const CardData& card, const fs::path& folder) {
  std::error_code error;
  fs::create_directories(folder, error);
  if (error || !fs::is_directory(folder)) io_error("cannot create the folder");
  if (::chmod(folder.c_str(), 0700) != 0) io_error("cannot set the folder's permissions");

  for (FileId id : kAllFiles) {
    const std::string name(file_name(id));
    auto it = card.files.find(id);
    if (it != card.files.end()) {
      write_file(folder / name, it->second, 0600, name);
    } else if (present(folder / name)) {
      remove_if_present(folder / name, name);
    }
  }

  const nlohmann::json secrets = {
      {"mrz_information", card.secrets.mrz_information},
      {"can", card.secrets.can},
      {"extended_length", card.secrets.extended_length},
      {"max_response_data", card.secrets.max_response_data},
  };
  const std::string secrets_text = secrets.dump(2) + "\n";
  write_file(folder / kSecretsFileName, as_bytes(secrets_text), 0600, kSecretsFileName);

  if (!card.csca_pem.empty()) {
    write_file(folder / kCscaFileName, as_bytes(card.csca_pem), 0644, kCscaFileName);
  } else if (present(folder / kCscaFileName)) {
    remove_if_present(folder / kCscaFileName, kCscaFileName);
  }
}

CardData load_card_folder(const fs::path& folder) {
  std::error_code error;
  if (!fs::is_directory(folder, error) || error) io_error("no such folder");
  CardData card;
  for (FileId id : kAllFiles) {
    const std::string name(file_name(id));
    if (present(folder / name)) card.files[id] = read_bounded(folder / name, name);
  }
  if (present(folder / kSecretsFileName)) {
    card.secrets = parse_secrets(read_bounded(folder / kSecretsFileName, kSecretsFileName));
  }
  if (present(folder / kCscaFileName))
    card.csca_pem = as_string(read_bounded(folder / kCscaFileName, kCscaFileName));
  return card;
}

}  // namespace cccd::sim
