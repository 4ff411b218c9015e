#include "lds/read_record.hpp"

#include "util/bytes.hpp"

#include <cccd/error.hpp>

#include <cmath>
#include <cstdint>
#include <iterator>
#include <optional>
#include <vector>

namespace cccd::lds {
namespace {

constexpr std::size_t kMaxProtocolName = 64;
constexpr std::size_t kMaxAccessNote = 512;
constexpr std::size_t kMaxCamHex = 2 * 1024;          // a point of a 521-bit curve is 133 bytes
constexpr std::size_t kMaxAaChallengeHex = 2 * 64;    // the challenge is 8 bytes; verify checks that
constexpr std::size_t kMaxAaSignatureHex = 2 * 1024;  // an RSA-4096 signature is 512 bytes

// Where a field is, for messages: the caller's prefix and the field's path.
class Place {
 public:
  explicit Place(std::string_view where) : where_(where) {}
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorCode::malformed_data, std::string(where_) + what);
  }

 private:
  std::string_view where_;
};

nlohmann::json names(const std::vector<FileId>& files) {
  nlohmann::json list = nlohmann::json::array();
  for (FileId id : files) list.push_back(std::string(file_name(id)));
  return list;
}

std::vector<FileId> file_list(const nlohmann::json& json, const char* key, const Place& place) {
  std::vector<FileId> files;
  if (!json.contains(key)) return files;
  const nlohmann::json& list = json.at(key);
  if (!list.is_array()) place.fail(std::string(key) + " is not a list");
  if (list.size() > std::size(kAllFiles)) place.fail(std::string(key) + " lists too many files");
  for (const nlohmann::json& item : list) {
    if (!item.is_string()) place.fail(std::string(key) + " holds something other than a file name");
    std::optional<FileId> id = file_from_name(item.get<std::string>());
    if (id) files.push_back(*id);  // a name this version does not know: ignored like an unknown file
  }
  return files;
}

std::uint64_t counter(const nlohmann::json& stats, const char* key, const Place& place) {
  if (!stats.contains(key)) return 0;
  const nlohmann::json& value = stats.at(key);
  if (!value.is_number_unsigned()) place.fail(std::string("stats.") + key + " is not a count");
  return value.get<std::uint64_t>();
}

// A short printable ASCII text, "" when absent (these fields are shown to people). `path` names the
// field in messages ("cam.chip_authentication_data").
std::string printable_text(const nlohmann::json& json, const char* key, const std::string& path,
                           std::size_t max_length, const Place& place) {
  if (!json.contains(key)) return {};
  const nlohmann::json& value = json.at(key);
  if (!value.is_string()) place.fail(path + " is not text");
  std::string text = value.get<std::string>();
  if (text.size() > max_length) place.fail(path + " is too long");
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) place.fail(path + " is not printable ASCII");
  }
  return text;
}

const nlohmann::json* member_object(const nlohmann::json& json, const char* key, const Place& place) {
  if (!json.contains(key)) return nullptr;
  const nlohmann::json& value = json.at(key);
  if (!value.is_object()) place.fail(std::string(key) + " is not an object");
  return &value;
}

Bytes hex_field(const nlohmann::json& object, const char* group, const char* key, std::size_t max_length,
                const Place& place) {
  const std::string path = std::string(group) + "." + key;
  const std::string hex = printable_text(object, key, path, max_length, place);
  try {
    return from_hex(hex);
  } catch (const Error&) {
    place.fail(path + " is not hex");
  }
}

}  // namespace

void check_json_nesting(std::string_view text, std::string_view where) {
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
      if (++depth > kMaxJsonNesting) Place(where).fail("nested too deeply");
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

nlohmann::json parse_json_object(std::string_view text, std::string_view where) {
  // nlohmann's parser keeps its own stack, but every nested value is still a heap object destroyed one
  // by one: cap the nesting before parsing, as for any other untrusted input.
  check_json_nesting(text, where);
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) Place(where).fail("not valid JSON");
  if (!json.is_object()) Place(where).fail("not a JSON object");
  return json;
}

void apply_read_record(const nlohmann::json& json, ChipDump& dump, std::string_view where) {
  const Place place(where);
  if (!json.is_object()) place.fail("not a JSON object");
  dump.access_protocol = printable_text(json, "access_protocol", "access_protocol", kMaxProtocolName, place);
  dump.access_note = printable_text(json, "access_note", "access_note", kMaxAccessNote, place);
  if (const nlohmann::json* cam = member_object(json, "cam", place)) {
    dump.cam_chip_authentication_data = hex_field(*cam, "cam", "chip_authentication_data", kMaxCamHex, place);
    dump.cam_mapping_public_key = hex_field(*cam, "cam", "mapping_public_key", kMaxCamHex, place);
  }
  if (const nlohmann::json* ca = member_object(json, "chip_authentication", place)) {
    dump.chip_authentication =
        printable_text(*ca, "protocol", "chip_authentication.protocol", kMaxProtocolName, place);
    dump.chip_authentication_result =
        printable_text(*ca, "result", "chip_authentication.result", kMaxProtocolName, place);
    dump.chip_authentication_note =
        printable_text(*ca, "note", "chip_authentication.note", kMaxAccessNote, place);
    if (dump.chip_authentication_result != "passed" && dump.chip_authentication_result != "failed" &&
        !dump.chip_authentication_result.empty()) {
      place.fail("chip_authentication.result is neither passed nor failed");
    }
  }
  if (const nlohmann::json* aa = member_object(json, "active_authentication", place)) {
    dump.aa_challenge = hex_field(*aa, "active_authentication", "challenge", kMaxAaChallengeHex, place);
    dump.aa_signature = hex_field(*aa, "active_authentication", "signature", kMaxAaSignatureHex, place);
  }
  dump.denied = file_list(json, "denied", place);
  dump.absent = file_list(json, "absent", place);
  if (const nlohmann::json* stats = member_object(json, "stats", place)) {
    dump.stats.apdus = counter(*stats, "apdus", place);
    dump.stats.bytes_sent = counter(*stats, "bytes_sent", place);
    dump.stats.bytes_received = counter(*stats, "bytes_received", place);
    if (stats->contains("seconds")) {
      // A duration: finite and not negative.
      const nlohmann::json& seconds = stats->at("seconds");
      if (!seconds.is_number() || !std::isfinite(seconds.get<double>()) || seconds.get<double>() < 0)
        place.fail("stats.seconds is not a number of seconds");
      dump.stats.seconds = seconds.get<double>();
    }
  }
}

nlohmann::json read_record(const ChipDump& dump) {
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
  return read;
}

}  // namespace cccd::lds
