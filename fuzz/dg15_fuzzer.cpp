// libFuzzer target: DG15 (crypto::parse_dg15), the Active Authentication public key (RSA or EC
// SubjectPublicKeyInfo), and a signature check with the key it gives over fixed data: the key's sizes
// come from the chip, so the verification must hold against any key that parsed.
#include "crypto/active_authentication.hpp"

#include <cccd/error.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const cccd::crypto::AaPublicKey key = cccd::crypto::parse_dg15(cccd::ByteView(data, size));
    const std::array<std::uint8_t, 8> challenge{1, 2, 3, 4, 5, 6, 7, 8};
    // A signature of the input's own bytes: wrong, but of whatever length the fuzzer made.
    const cccd::ByteView signature(data, size < 64 ? size : 64);
    cccd::crypto::verify_active_authentication(key, cccd::crypto::HashAlgorithm::sha256, challenge,
                                               signature);
  } catch (const cccd::Error&) {
  }
  return 0;
}
