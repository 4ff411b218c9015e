// Shared helpers for the tests: the ICAO vector file, temporary folders.
#pragma once

#include "access/security_infos.hpp"

#include <cccd/bytes.hpp>
#include <cccd/error.hpp>

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

// brainpoolP256r1 (PACE parameter id 13) as explicit ECParameters, from OpenSSL's built-in curve.
access::EcExplicitParameters brainpool_p256r1_explicit();

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
