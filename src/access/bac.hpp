// Basic Access Control (ICAO Doc 9303 Part 11 section 4.3): key derivation from the MRZ and the mutual
// authentication that yields 3DES secure messaging keys.
#pragma once

#include "sm/secure_messaging.hpp"
#include "transport/channel.hpp"
#include "util/secure_bytes.hpp"

#include <optional>

namespace cccd::access {

struct BacKeys {
  SecureBytes k_enc;  // 16 bytes, parity adjusted
  SecureBytes k_mac;
};

// K_seed = first 16 bytes of SHA-1(MRZ_information); K_enc and K_mac from the KDF (counters 1 and 2).
BacKeys derive_bac_keys(std::string_view mrz_information);

// Randoms of the terminal side; injected by tests (ICAO Appendix D), random otherwise.
struct BacTerminalRandoms {
  Bytes rnd_ifd;  // 8 bytes
  Bytes k_ifd;    // 16 bytes
};

// Runs GET CHALLENGE and EXTERNAL AUTHENTICATE over `channel` and returns the session keys with the
// starting SSC. Errors: Error(access_denied) when the chip rejects the cryptogram (6300, 6982 ...: the
// MRZ data are wrong); Error(secure_messaging) when the chip's answer fails its MAC or does not echo
// RND.IFD; Error(card_error) for other status words. One attempt only: never retried.
sm::SessionKeys perform_bac(transport::Channel& channel, const BacKeys& keys,
                            std::optional<BacTerminalRandoms> randoms = std::nullopt);

// The chip's side of BAC (used by the virtual card): given the challenge it sent (RND.IC), its K.IC and
// the terminal's EXTERNAL AUTHENTICATE data, checks the MAC and RND.IC, and returns the response data
// (E_IC || M_IC) and the session keys. Throws Error(access_denied) when the terminal's cryptogram fails.
struct BacChipResult {
  Bytes response;
  sm::SessionKeys session;
};
BacChipResult bac_chip_authenticate(const BacKeys& keys, ByteView rnd_ic, ByteView k_ic,
                                    ByteView command_data);

}  // namespace cccd::access
