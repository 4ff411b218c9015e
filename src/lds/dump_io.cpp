#include "util/bytes.hpp"
#include "util/private_file.hpp"

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

}  // namespace

void write_dump(const ChipDump& dump, const std::filesystem::path& folder) {
  create_private_folder(folder);
  for (FileId id : kAllFiles) {
    std::string_view name = file_name(id);
    if (const Bytes* bytes = dump.file(id)) {
      write_private_file(folder / name, *bytes);
      continue;
    }
    // A file left from an earlier dump in the same folder would be read back as part of this one.
    std::filesystem::path stale = folder / name;
    if (::unlink(stale.c_str()) != 0 && errno != ENOENT)
      io_error("cannot remove the old " + std::string(name), errno);
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
  write_private_file(folder / kReadJson,
                     ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

ChipDump load_dump(const std::filesystem::path& folder) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    throw Error(ErrorCode::io, "dump: the dump folder does not exist or is not a folder");
  }
  ChipDump dump;
  for (FileId id : kAllFiles) {
    if (std::optional<Bytes> bytes = read_bounded_file(folder / file_name(id), kMaxDumpFileSize))
      dump.files[id] = std::move(*bytes);
  }
  if (std::optional<Bytes> read = read_bounded_file(folder / kReadJson, kMaxDumpFileSize))
    apply_read_json(*read, dump);
  return dump;
}

}  // namespace cccd
