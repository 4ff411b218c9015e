// Shared helpers for the tests: the ICAO vector file, temporary folders.
#pragma once

#include "lds/security_infos.hpp"
#include "sim/card_folder.hpp"

#include <cccd/bytes.hpp>
#include <cccd/error.hpp>
#include <cccd/reader.hpp>
#include <cccd/trust.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace cccd::test {

// One [section] of tests/vectors/icao-9303-part11.txt as key -> value (hex text kept as text).
std::map<std::string, std::string> icao_section(const std::string& section);
// The value of `key` in `section` decoded from hex.
Bytes icao_hex(const std::string& section, const std::string& key);

// The code of the cccd::Error `body` throws. A body that throws none is a test failure (and gives
// ErrorCode::internal, which no test expects).
ErrorCode error_of(const std::function<void()>& body);

// What opens the built-in virtual CCCD (and every generated card with the default holder): its ID
// number with the birth and expiry dates, so both PACE (CAN) and BAC work.
Credentials default_credentials();

// A trust store holding a generated card's own test CSCA.
TrustStore anchor_of(const sim::CardData& card);

// A program run through the shell: its exit status (-1 when it did not exit normally) and its stdout
// (stderr too when the command line redirects it with 2>&1).
struct ProgramRun {
  int exit_code = -1;
  std::string out;
};
ProgramRun run_program(const std::string& command_line);

// brainpoolP256r1 (PACE parameter id 13) as explicit ECParameters, from OpenSSL's built-in curve.
lds::EcExplicitParameters brainpool_p256r1_explicit();

// Generated documents made of parts, each written by its own test (docs/HOSTILE.md: the hostile card's
// table, then the offline attacks' section). A part begins at the line that starts with `begins_with` and
// runs to the line that starts with `ends_before` (empty: to the end of the file).
// The part of the file at `path` ("" when the file or the part is not there).
std::string document_part(const std::filesystem::path& path, std::string_view begins_with,
                          std::string_view ends_before);
// Replaces that part with `text`; a part not yet there is put before the line `ends_before` (when there
// is one) or at the end.
void write_document_part(const std::filesystem::path& path, std::string_view begins_with,
                         std::string_view ends_before, const std::string& text);

// A fresh folder under the system temp folder, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace cccd::test
