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
