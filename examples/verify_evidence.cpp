// A KYC server's check of what a phone read, from memory (README "Use from C / C++"): the evidence
// document the app uploaded, the CSCA certificates and the challenge this server gave the app, all as
// bytes; nothing is written to disk.
//
//   verify_evidence CHALLENGE_HEX <EVIDENCE_DOCUMENT 3<CSCA_CERTIFICATES
//
// Prints the result JSON; exit 0 verified, 1 not verified, 2 error.
#include <cccd/cccd.hpp>

#include <unistd.h>

#include <array>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

// Everything readable on a file descriptor (a server has the upload and its trust store in memory).
std::vector<std::uint8_t> read_all(int fd) {
  std::vector<std::uint8_t> bytes;
  std::uint8_t chunk[65536];
  for (ssize_t n; (n = ::read(fd, chunk, sizeof chunk)) > 0;) bytes.insert(bytes.end(), chunk, chunk + n);
  return bytes;
}

std::array<std::uint8_t, 8> challenge_from_hex(const std::string& hex) {
  std::array<std::uint8_t, 8> challenge{};
  if (hex.size() != 16) throw std::invalid_argument("the challenge is 16 hex digits");
  for (std::size_t i = 0; i < challenge.size(); ++i)
    challenge[i] = static_cast<std::uint8_t>(std::stoul(hex.substr(2 * i, 2), nullptr, 16));
  return challenge;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: verify_evidence CHALLENGE_HEX <EVIDENCE 3<CSCA\n";
    return 2;
  }
  try {
    const std::vector<std::uint8_t> upload = read_all(0);
    const std::vector<std::uint8_t> csca = read_all(3);
    // --8<-- [README example]
    cccd::Trust trust;
    trust.add_data(csca);  // CSCA certificates (PEM or DER); add_crl_data, add_master_list_data too
    const cccd::Evidence evidence = cccd::Evidence::from_document(
        std::string_view(reinterpret_cast<const char*>(upload.data()), upload.size()));
    cccd::VerifyOptions options;
    options.challenge(challenge_from_hex(argv[1]));  // the challenge this server gave the app
    const cccd::Result result = cccd::verify(evidence, trust, &options);
    std::cout << result.json() << '\n';
    return result.verified() ? 0 : 1;
    // --8<-- [README example]
  } catch (const cccd::Error& e) {
    std::cerr << "error: " << e.name() << ": " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return 2;
  }
}
