#include "test_support.hpp"

#include "util/bytes.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include <array>
#include <cstdio>
#include <memory>

#include <fstream>
#include <iterator>
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

namespace {

Bytes bn_bytes(const BIGNUM* number) {
  Bytes out(static_cast<std::size_t>(BN_num_bytes(number)));
  BN_bn2bin(number, out.data());
  return out;
}

}  // namespace

// brainpoolP256r1 (parameter id 13) as explicit parameters, taken from OpenSSL's built-in curve.
lds::EcExplicitParameters brainpool_p256r1_explicit() {
  std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> group(EC_GROUP_new_by_curve_name(NID_brainpoolP256r1),
                                                            &EC_GROUP_free);
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> context(BN_CTX_new(), &BN_CTX_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> p(BN_new(), &BN_free), a(BN_new(), &BN_free),
      b(BN_new(), &BN_free);
  if (!group || !context || !p || !a || !b ||
      EC_GROUP_get_curve(group.get(), p.get(), a.get(), b.get(), context.get()) != 1)
    throw std::runtime_error("OpenSSL has no brainpoolP256r1");
  lds::EcExplicitParameters ec;
  ec.prime = bn_bytes(p.get());
  ec.a = bn_bytes(a.get());
  ec.b = bn_bytes(b.get());
  ec.base.resize(65);
  if (EC_POINT_point2oct(group.get(), EC_GROUP_get0_generator(group.get()), POINT_CONVERSION_UNCOMPRESSED,
                         ec.base.data(), ec.base.size(), context.get()) != 65)
    throw std::runtime_error("generator encoding");
  ec.order = bn_bytes(EC_GROUP_get0_order(group.get()));
  ec.cofactor = bn_bytes(EC_GROUP_get0_cofactor(group.get()));
  return ec;
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

Credentials default_credentials() {
  return Credentials::from_id_number("001099012345", "1990-05-17", "2030-05-17");
}

TrustStore anchor_of(const sim::CardData& card) {
  TrustStore store;
  store.add_certificate(as_bytes(card.csca_pem), true);
  return store;
}

namespace {

// Where the line that starts with `marker` begins in `text`, at or after `from`; npos when none.
std::size_t line_starting_with(const std::string& text, std::string_view marker, std::size_t from) {
  if (marker.empty()) return std::string::npos;
  for (std::size_t at = from; at < text.size();) {
    if (text.compare(at, marker.size(), marker) == 0) return at;
    const std::size_t line_end = text.find('\n', at);
    if (line_end == std::string::npos) break;
    at = line_end + 1;
  }
  return std::string::npos;
}

std::string whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

std::string document_part(const std::filesystem::path& path, std::string_view begins_with,
                          std::string_view ends_before) {
  const std::string text = whole_file(path);
  const std::size_t begin = line_starting_with(text, begins_with, 0);
  if (begin == std::string::npos) return {};
  const std::size_t end = line_starting_with(text, ends_before, begin + 1);
  return text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

void write_document_part(const std::filesystem::path& path, std::string_view begins_with,
                         std::string_view ends_before, const std::string& text) {
  std::string document = whole_file(path);
  std::size_t begin = line_starting_with(document, begins_with, 0);
  std::size_t end = std::string::npos;
  if (begin != std::string::npos) {
    end = line_starting_with(document, ends_before, begin + 1);
  } else {
    begin = line_starting_with(document, ends_before, 0);
    end = begin;
    if (begin == std::string::npos) {
      if (!document.empty() && !document.ends_with("\n\n"))
        document += document.ends_with('\n') ? "\n" : "\n\n";
      begin = document.size();
    }
  }
  document.replace(begin, end == std::string::npos ? std::string::npos : end - begin, text);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << document;
  if (!out.good()) ADD_FAILURE() << "could not write " << path;
}

ProgramRun run_program(const std::string& command_line) {
  ProgramRun run;
  FILE* pipe = ::popen(command_line.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace cccd::test
