// One read or offline verification, start to finish, and its JSON (docs/json-schema.md): the shape the
// CLI prints and the C API returns.
#pragma once

#include <cccd/document.hpp>
#include <cccd/dump.hpp>
#include <cccd/error.hpp>
#include <cccd/reader.hpp>
#include <cccd/trust.hpp>
#include <cccd/verdict.hpp>
#include <cccd/verify.hpp>

#include <filesystem>
#include <string>

namespace cccd {

// Where the card is: a PC/SC reader, a libnfc reader, or the caller's own transport.
struct CardSource {
  enum class Kind { pcsc, nfc, custom };
  Kind kind = Kind::pcsc;
  // PC/SC: a reader name (substring; empty: the first reader). libnfc: a connstring such as
  // "pn532_uart:/dev/ttyUSB0" (empty: the first device libnfc finds).
  std::string reader;
  // custom: the transport's callbacks and their `user`, and the name the result gives the source
  // ("custom"; the project's virtual card says "virtual").
  cccd_transport_callbacks callbacks{};
  void* user = nullptr;
  std::string label = "custom";
};

struct Report {
  std::string source;  // "virtual", "pcsc", "nfc", "dump"
  ChipDump dump;
  Document document;
  Verdict verdict;
};

// Reads the card and verifies what was read. With `trust` null signer trust is unknown: nothing is
// trusted implicitly (a virtual card's test CSCA counts only when passed in `trust`, and the verdict then
// says test_csca). Throws cccd::Error for failures of the read itself (wrong password, card removed ...).
Report read_and_verify(const CardSource& source, const Credentials& credentials, const TrustStore* trust,
                       const ReadOptions& options = {});
// Verifies evidence offline (a dump from memory: an evidence document, buffers): the same verdict, document
// and JSON as verify_dump_folder on its folder. Opens no file.
Report verify_evidence(ChipDump dump, const TrustStore& trust, const VerifyOptions& options = {});
// Verifies a dump folder offline. A server that chose the Active Authentication challenge passes it in
// `options` (VerifyOptions::active_authentication_challenge): a dump signed over another one fails.
Report verify_dump_folder(const std::filesystem::path& folder, const TrustStore& trust,
                          const VerifyOptions& options = {});

// The JSON of docs/json-schema.md; indent < 0 gives one line.
std::string to_json(const Report& report, int indent = 2);
std::string error_json(const Error& error, int indent = 2);
// "access_denied" ... (the names the JSON and the C API's cccd_status_name use).
const char* error_code_name(ErrorCode code) noexcept;

}  // namespace cccd
