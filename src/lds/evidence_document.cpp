// The evidence document, and a dump folder's files in memory: both become a ChipDump with the bounds of
// a dump folder (docs/dump-format.md).
#include "lds/evidence_skeleton.hpp"
#include "lds/read_record.hpp"
#include "util/base64.hpp"

#include <cccd/error.hpp>
#include <cccd/evidence.hpp>

#include <algorithm>
#include <optional>

namespace cccd {
namespace {

constexpr std::string_view kWhere = "evidence: ";
constexpr std::string_view kRecordWhere = "evidence: read.";
constexpr std::string_view kReadJsonWhere = "dump: read.json: ";
constexpr const char* kFormat = "cccd-evidence";

[[noreturn]] void bad(const std::string& what) {
  throw Error(ErrorCode::malformed_data, std::string(kWhere) + what);
}

std::string_view text_of(ByteView bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

void check_file_size(std::size_t size, const std::string& name) {
  if (size > kMaxEvidenceFileSize) throw Error(ErrorCode::limit_exceeded, name + " is larger than 1 MiB");
}

void check_version(const nlohmann::json& json) {
  if (!json.contains("format")) bad("format is missing (\"cccd-evidence\")");
  if (!json.at("format").is_string() || json.at("format").get<std::string>() != kFormat)
    bad("format is not \"cccd-evidence\"");
  if (!json.contains("version")) bad("version is missing");
  const nlohmann::json& version = json.at("version");
  if (!version.is_number_unsigned()) bad("version is not a positive whole number");
  const auto number = version.get<std::uint64_t>();
  if (number == 0) bad("version is not a positive whole number");
  if (number > static_cast<std::uint64_t>(kEvidenceVersion)) {
    throw Error(ErrorCode::not_supported, "evidence: version " + std::to_string(number) +
                                              " is newer than this library reads (" +
                                              std::to_string(kEvidenceVersion) + ")");
  }
}

void check_document_size(std::string_view document) {
  if (document.size() > kMaxEvidenceDocumentSize)
    throw Error(ErrorCode::limit_exceeded, "evidence: the document is larger than 32 MiB");
}

// The skeleton's cut texts agree with what the parser made of it: "files" once, each name in it once,
// each cut name's value the "" left in its place. (Asked only when the cutter says its cuts are exact, and
// then they always agree: this is the check that lets nothing be assumed.)
bool cuts_agree(const nlohmann::json& json, const lds::EvidenceSkeleton& skeleton) {
  if (skeleton.cut.empty()) return true;
  const auto files = json.find("files");
  if (files == json.end() || !files->is_object() || files->size() != skeleton.files_members) return false;
  for (const lds::CutFile& cut : skeleton.cut) {
    const auto value = files->find(std::string(cut.name));
    if (value == files->end() || !value->is_string() || !value->get_ref<const std::string&>().empty())
      return false;
  }
  return true;
}

// The dump the parsed document describes; `cut` holds the base64 texts of "files" the parser did not see.
ChipDump dump_of(const nlohmann::json& json, const std::vector<lds::CutFile>& cut) {
  check_version(json);
  ChipDump dump;
  if (json.contains("files")) {
    const nlohmann::json& files = json.at("files");
    if (!files.is_object()) bad("files is not an object");
    for (const auto& [name, value] : files.items()) {
      const std::optional<FileId> id = file_from_name(name);
      if (!id) continue;  // a file this version does not know, as in a folder
      const std::string field = "files." + std::string(file_name(*id));
      const std::string& key = name;  // clang 14 cannot capture a structured binding
      const auto was_cut =
          std::find_if(cut.begin(), cut.end(), [&key](const lds::CutFile& c) { return c.name == key; });
      if (was_cut == cut.end() && !value.is_string()) bad(field + " is not base64 text");
      const std::string_view text =
          was_cut != cut.end() ? was_cut->base64 : std::string_view(value.get_ref<const std::string&>());
      // Decoded size is known before decoding: a too large file is refused without allocating it.
      if (base64_decoded_bound(text) > kMaxEvidenceFileSize + 2)
        throw Error(ErrorCode::limit_exceeded, std::string(kWhere) + field + " is larger than 1 MiB");
      std::optional<Bytes> bytes = from_base64(text);
      if (!bytes) bad(field + " is not base64");
      check_file_size(bytes->size(), std::string(kWhere) + field);
      dump.files[*id] = std::move(*bytes);  // an empty file too, as a folder's empty file
    }
  }
  if (json.contains("read")) lds::apply_read_record(json.at("read"), dump, kRecordWhere);
  return dump;
}

}  // namespace

ChipDump parse_evidence_document(std::string_view document) {
  check_document_size(document);
  // The parser sees the document without its files' base64 (evidence_skeleton.hpp): valid exactly when
  // the document is, and refused with the same words. Where the cutter cannot be sure of its cuts (an
  // escaped key, "files" twice), the whole document is parsed instead, and the skeleton never is.
  const lds::EvidenceSkeleton skeleton = lds::cut_file_texts(document);
  if (skeleton.exact) {
    const nlohmann::json json = lds::parse_json_object(skeleton.text, kWhere);
    if (cuts_agree(json, skeleton)) return dump_of(json, skeleton.cut);
  }
  return dump_of(lds::parse_json_object(document, kWhere), {});
}

ChipDump parse_whole_evidence_document(std::string_view document) {
  check_document_size(document);
  return dump_of(lds::parse_json_object(document, kWhere), {});
}

std::string evidence_document(const ChipDump& dump) {
  nlohmann::json files = nlohmann::json::object();
  for (const auto& [id, bytes] : dump.files) files[std::string(file_name(id))] = to_base64(bytes);
  nlohmann::json document = {{"format", kFormat},
                             {"version", kEvidenceVersion},
                             {"files", std::move(files)},
                             {"read", lds::read_record(dump)}};
  return document.dump();
}

ChipDump dump_from_files(const DumpFiles& files) {
  ChipDump dump;
  for (FileId id : kAllFiles) {
    const auto it = files.find(file_name(id));
    if (it == files.end()) continue;
    check_file_size(it->second.size(), "dump: " + std::string(file_name(id)));
    dump.files[id] = it->second;
  }
  if (const auto it = files.find("read.json"); it != files.end()) {
    check_file_size(it->second.size(), "dump: read.json");
    lds::apply_read_record(lds::parse_json_object(text_of(it->second), kReadJsonWhere), dump, kReadJsonWhere);
  }
  return dump;
}

}  // namespace cccd
