#include "sim/card_folder.hpp"

#include "lds/lds.hpp"
#include "lds/mrz.hpp"
#include "sim/active_authentication_chip.hpp"
#include "util/bytes.hpp"
#include "util/private_file.hpp"

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

void remove_if_present(const fs::path& path, const std::string& label) {
  std::error_code error;
  fs::remove(path, error);
  if (error) io_error("cannot remove the stale " + label);
}

// The whole file, at most kMaxCardFolderFileBytes.
Bytes read_bounded(const fs::path& path) {
  std::optional<Bytes> contents = read_bounded_file(path, kMaxCardFolderFileBytes);
  if (!contents) io_error("cannot open " + path.filename().string());
  return std::move(*contents);
}

// A dumped folder has no secrets file: a chip personalised with that data has the access data of its
// MRZ (and the CCCD's CAN is the end of the ID number), so derive them from DG1.
CardSecrets secrets_from_dg1(const Bytes& dg1) {
  Mrz mrz = lds::parse_dg1(dg1);
  CardSecrets secrets;
  SecureString information = lds::mrz_information(lds::key_fields(mrz));
  secrets.mrz_information.assign(information.begin(), information.end());
  std::string id = mrz.cccd_id_number();
  if (id.size() == 12) secrets.can = id.substr(6);
  return secrets;
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

// The largest private scalar kept: the order of P-521 (66 bytes), with room for a leading zero.
constexpr std::size_t kMaxPrivateKeyBytes = 72;

// The largest Active Authentication private key kept: an RSA-4096 PrivateKeyInfo is about 2.4 KB.
constexpr std::size_t kMaxAaPrivateKeyBytes = 4096;

bool hex_text(const std::string& text, std::size_t max_bytes) {
  if (text.empty() || text.size() % 2 != 0 || text.size() > 2 * max_bytes) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'))) return false;
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
  if (auto it = json.find("chip_authentication_private_key"); it != json.end()) {
    if (!it->is_string() || !hex_text(it->get<std::string>(), kMaxPrivateKeyBytes)) {
      throw malformed("chip_authentication_private_key must be a hex string of at most " +
                      std::to_string(kMaxPrivateKeyBytes) + " bytes");
    }
    secrets.chip_authentication_private_key = from_hex(it->get<std::string>());
  }
  if (auto it = json.find("active_authentication_private_key"); it != json.end()) {
    if (!it->is_string() || !hex_text(it->get<std::string>(), kMaxAaPrivateKeyBytes)) {
      throw malformed("active_authentication_private_key must be a hex string of at most " +
                      std::to_string(kMaxAaPrivateKeyBytes) + " bytes");
    }
    Bytes key = from_hex(it->get<std::string>());
    secrets.active_authentication_private_key = secure_copy(key);
    secure_wipe(key.data(), key.size());
  }
  if (auto it = json.find("active_authentication_hash"); it != json.end()) {
    std::optional<crypto::HashAlgorithm> hash =
        it->is_string() ? hash_from_name(it->get<std::string>()) : std::nullopt;
    if (!hash)
      throw malformed("active_authentication_hash must be SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512");
    secrets.active_authentication_hash = *hash;
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
  for (const char* key : {"sfi_relative_to_current_df", "atr_info"}) {
    auto it = json.find(key);
    if (it == json.end()) continue;
    if (!it->is_boolean()) throw malformed(std::string(key) + " must be true or false");
    (std::string_view(key) == "atr_info" ? secrets.atr_info : secrets.sfi_relative_to_current_df) =
        it->get<bool>();
  }
  if (auto it = json.find("sfi_refused_under_secure_messaging"); it != json.end()) {
    const std::string text = it->is_string() ? it->get<std::string>() : std::string();
    if (text.size() != 4 || !hex_text(text, 2) || from_hex(text)[0] < 0x62)
      throw malformed("sfi_refused_under_secure_messaging must be a status word such as \"6A82\"");
    const Bytes word = from_hex(text);
    secrets.sfi_refused_under_secure_messaging = static_cast<std::uint16_t>(word[0] << 8 | word[1]);
  }
  if (auto it = json.find("fault"); it != json.end()) {
    if (!it->is_string() || it->get<std::string>().size() > 64)
      throw malformed("fault must be a fault's name");
    secrets.fault = it->get<std::string>();
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
      write_private_file(folder / name, it->second);
    } else if (present(folder / name)) {
      remove_if_present(folder / name, name);
    }
  }

  nlohmann::json secrets = {
      {"mrz_information", card.secrets.mrz_information},
      {"can", card.secrets.can},
      {"extended_length", card.secrets.extended_length},
      {"max_response_data", card.secrets.max_response_data},
  };
  if (!card.secrets.fault.empty()) secrets["fault"] = card.secrets.fault;
  if (card.secrets.sfi_relative_to_current_df) secrets["sfi_relative_to_current_df"] = true;
  if (card.secrets.sfi_refused_under_secure_messaging != 0) {
    const std::uint16_t word = card.secrets.sfi_refused_under_secure_messaging;
    secrets["sfi_refused_under_secure_messaging"] =
        to_hex(Bytes{static_cast<std::uint8_t>(word >> 8), static_cast<std::uint8_t>(word)});
  }
  if (card.secrets.atr_info) secrets["atr_info"] = true;
  if (!card.secrets.chip_authentication_private_key.empty())
    secrets["chip_authentication_private_key"] = to_hex(card.secrets.chip_authentication_private_key);
  if (!card.secrets.active_authentication_private_key.empty()) {
    secrets["active_authentication_private_key"] =
        to_hex(view(card.secrets.active_authentication_private_key));
    secrets["active_authentication_hash"] =
        std::string(crypto::hash_name(card.secrets.active_authentication_hash));
  }
  const std::string secrets_text = secrets.dump(2) + "\n";
  write_private_file(folder / kSecretsFileName, as_bytes(secrets_text));

  if (!card.csca_pem.empty()) {
    write_private_file(folder / kCscaFileName, as_bytes(card.csca_pem));
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
    if (present(folder / name)) card.files[id] = read_bounded(folder / name);
  }
  if (present(folder / kSecretsFileName)) {
    card.secrets = parse_secrets(read_bounded(folder / kSecretsFileName));
  } else if (auto dg1 = card.files.find(FileId::dg1); dg1 != card.files.end()) {
    card.secrets = secrets_from_dg1(dg1->second);
  }
  if (present(folder / kCscaFileName)) card.csca_pem = as_string(read_bounded(folder / kCscaFileName));
  return card;
}

}  // namespace cccd::sim
