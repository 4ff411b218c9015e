// TEST SEAM, NOT API. PACE with the terminal's secrets fixed, so that the exchange of perform_pace can
// be replayed against ICAO Doc 9303 Part 11's worked examples (Appendices G and H) byte for byte.
// Production code calls perform_pace (pace.hpp), which draws every one of these at random; nothing
// outside the tests may include this header.
#pragma once

#include "access/pace.hpp"
#include "util/secure_bytes.hpp"

#include <optional>

namespace cccd::access::detail {

// What the terminal's side of PACE otherwise draws at random. A field left empty is drawn at random as
// in production. The nonce s is the chip's, and the session keys follow from these.
struct PaceTestHooks {
  // Generic (and Chip Authentication) Mapping: the terminal's ephemeral mapping private key SK_Map,IFD.
  std::optional<SecureBytes> mapping_private_key;
  // Integrated Mapping: the terminal's nonce t (key_length(cipher) bytes), sent in the mapping step.
  std::optional<SecureBytes> nonce_t;
  // Key agreement on the mapped generator: the terminal's ephemeral private key SK_IFD.
  std::optional<SecureBytes> agreement_private_key;
};

// perform_pace with `hooks` in place of the random draws; everything else (commands, checks, errors)
// is the production code path.
PaceResult perform_pace_with_test_hooks(transport::Channel& channel, const lds::PaceInfo& info,
                                        const crypto::PaceDomain& domain, const PacePassword& password,
                                        const PaceTestHooks& hooks);

}  // namespace cccd::access::detail
