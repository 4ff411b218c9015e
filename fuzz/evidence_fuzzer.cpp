// libFuzzer target: the evidence loader (issue 16 and 18), in both forms, and with bit 1 of byte 0 the
// verdict on what it loaded (slow: signatures; the data groups' own parsers have their own targets).
//   byte 0 even: the rest is an evidence document (parse_evidence_document);
//   byte 0 odd:  the rest is a dump folder's files in memory (dump_from_files: read.json and the EF files
//                together), each as [name index][2-byte big-endian length][bytes]; index mod 20 picks
//                EF.CardAccess ... DG16 or read.json.
// Properties checked beyond "no crash": whatever loads writes a document that loads to the same document;
// a document loads (or is refused) exactly as when its files' base64 is parsed too
// (parse_whole_evidence_document: lds/evidence_skeleton.hpp is only a shortcut).
#include <cccd/error.hpp>
#include <cccd/evidence.hpp>
#include <cccd/verify.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

namespace {

cccd::DumpFiles files_of(const std::uint8_t* data, std::size_t size) {
  cccd::DumpFiles files;
  std::size_t at = 0;
  while (at + 3 <= size) {
    const std::size_t index = data[at] % (std::size(cccd::kAllFiles) + 1);
    const std::size_t length = (std::size_t{data[at + 1]} << 8) | data[at + 2];
    at += 3;
    const std::size_t available = std::min(length, size - at);
    const std::string name = index < std::size(cccd::kAllFiles)
                                 ? std::string(cccd::file_name(cccd::kAllFiles[index]))
                                 : std::string("read.json");
    files[name] = cccd::Bytes(data + at, data + at + available);
    at += available;
  }
  return files;
}

// What a parser makes of a document: the document written back from its dump, or the refusal.
std::string outcome_of(cccd::ChipDump (*parse)(std::string_view), std::string_view document) {
  try {
    return "loaded " + cccd::evidence_document(parse(document));
  } catch (const cccd::Error& e) {
    return "refused " + std::string(cccd::to_string(e.code())) + ": " + e.what();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const cccd::TrustStore kNoTrust;
  if (data[0] % 2 == 0) {
    const std::string_view document(reinterpret_cast<const char*>(data + 1), size - 1);
    if (outcome_of(cccd::parse_evidence_document, document) !=
        outcome_of(cccd::parse_whole_evidence_document, document))
      __builtin_trap();
  }
  cccd::ChipDump dump;
  try {
    if (data[0] % 2 == 0) {
      dump =
          cccd::parse_evidence_document(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
    } else {
      dump = cccd::dump_from_files(files_of(data + 1, size - 1));
    }
  } catch (const cccd::Error&) {
    return 0;  // refused with its reason: fine
  }
  const std::string document = cccd::evidence_document(dump);
  if (cccd::evidence_document(cccd::parse_evidence_document(document)) != document) __builtin_trap();
  // The verdict never throws for anything in a dump.
  if ((data[0] & 2) != 0) (void)cccd::verify(dump, kNoTrust);
  return 0;
}
