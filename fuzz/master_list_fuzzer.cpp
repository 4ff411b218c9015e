// libFuzzer target: CSCA master lists (verification/master_list.hpp): looks_like_master_list, and
// open_master_list against the Netherlands' master list root of tests/data/pki, at a fixed time within
// the seed list's validity so a well-formed input reaches the signature and chain checks.
#include "verify/master_list.hpp"

#include <cccd/error.hpp>

#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <vector>

namespace {

std::vector<cccd::TrustStore::Impl::Anchor> nl_root() {
  std::ifstream file(CCCD_SOURCE_DIR "/tests/data/pki/NL_ROOT_CA.cer", std::ios::binary);
  const std::vector<unsigned char> der((std::istreambuf_iterator<char>(file)),
                                       std::istreambuf_iterator<char>());
  const unsigned char* cursor = der.data();
  X509* certificate = d2i_X509(nullptr, &cursor, static_cast<long>(der.size()));
  if (certificate == nullptr) __builtin_trap();  // the harness's own data is missing
  std::vector<cccd::TrustStore::Impl::Anchor> roots;
  roots.push_back(cccd::TrustStore::Impl::make_anchor(cccd::X509Ptr(certificate), false));
  return roots;
}

constexpr std::time_t kVerificationTime = 1784764800;  // 2026-07-23 00:00 UTC, the day after the seed list

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<cccd::TrustStore::Impl::Anchor> roots = nl_root();
  const cccd::ByteView input(data, size);
  try {
    (void)cccd::verification::looks_like_master_list(input);
  } catch (const cccd::Error&) {
  }
  try {
    (void)cccd::verification::open_master_list(input, roots, kVerificationTime);
  } catch (const cccd::Error&) {
  }
  return 0;
}
