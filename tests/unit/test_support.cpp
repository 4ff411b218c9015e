#include "test_support.hpp"

#include "util/bytes.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <stdexcept>

namespace cccd::test {

std::map<std::string, std::string> icao_section(const std::string& section) {
  std::ifstream in(std::string(CCCD_TEST_VECTORS_DIR) + "/icao-9303-part11.txt");
  if (!in) throw std::runtime_error("cannot open the ICAO vector file");
  std::map<std::string, std::string> values;
  std::string line;
  bool inside = false;
  auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t\r") + 1);
    return s;
  };
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (t[0] == '[') {
      inside = t.substr(1, t.find(']') - 1) == section;
      continue;
    }
    if (!inside) continue;
    auto eq = t.find('=');
    if (eq == std::string::npos) continue;
    values[trim(t.substr(0, eq))] = trim(t.substr(eq + 1));
  }
  if (values.empty()) throw std::runtime_error("no such vector section: " + section);
  return values;
}

Bytes icao_hex(const std::string& section, const std::string& key) {
  auto values = icao_section(section);
  auto it = values.find(key);
  if (it == values.end()) throw std::runtime_error("no such vector: " + section + "." + key);
  return from_hex(it->second);
}

ErrorCode error_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no cccd::Error thrown";
  return ErrorCode::internal;
}

TempDir::TempDir() {
  std::random_device rd;
  path_ =
      std::filesystem::temp_directory_path() / ("cccd-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace cccd::test
