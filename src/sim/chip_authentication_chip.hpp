// The chip's side of Chip Authentication for the virtual card (ICAO Doc 9303 Part 11 section 6.2):
// MSE:Set KAT, or MSE:Set AT with a CA protocol followed by GENERAL AUTHENTICATE. The chip computes the
// shared secret with its static private key (the secrets, not DG14: a clone holds another key and so
// derives other keys), answers under the old secure messaging keys and hands the new ones to the card,
// which uses them from the next command on. Status words as a chip gives them: 6A80 for data it cannot
// use, 6A88 for an unknown key reference, 6985 for a step out of order.
#pragma once

#include "access/chip_authentication.hpp"
#include "apdu/apdu.hpp"
#include "util/secure_bytes.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace cccd::sim {

// A static Chip Authentication private key of the chip (big-endian), for the key of DG14 with `key_id`
// (nothing: whichever key the terminal names).
struct ChipAuthenticationPrivateKey {
  std::optional<std::uint64_t> key_id;
  SecureBytes private_key;
};

class ChipAuthenticationChip {
 public:
  // `dg14` is the card's DG14 (its protocols, keys and domains).
  ChipAuthenticationChip(lds::SecurityInfos dg14, std::vector<ChipAuthenticationPrivateKey> keys);

  // MSE with P1 41: P2 A6 (Set KAT) runs the whole protocol; P2 A4 (Set AT) names the protocol for the
  // GENERAL AUTHENTICATE that follows.
  apdu::ResponseApdu manage_security_environment(const apdu::CommandApdu& command);
  apdu::ResponseApdu general_authenticate(const apdu::CommandApdu& command);
  // Whether a GENERAL AUTHENTICATE now belongs to Chip Authentication (after its MSE:Set AT).
  bool expects_general_authenticate() const noexcept { return pending_.has_value(); }

  // The secure messaging keys after a successful run (then the protocol may run again).
  std::optional<sm::SessionKeys> take_session();
  void reset();

 private:
  struct Pending {
    lds::ChipAuthenticationInfo info;
    std::optional<std::uint64_t> key_id;
  };
  apdu::ResponseApdu agree(const lds::ChipAuthenticationInfo& info, std::optional<std::uint64_t> key_id,
                           ByteView terminal_public_key);

  lds::SecurityInfos dg14_;
  std::vector<ChipAuthenticationPrivateKey> keys_;
  std::optional<Pending> pending_;
  std::optional<sm::SessionKeys> session_;
};

}  // namespace cccd::sim
