#include "sim/clone_card.hpp"

#include "crypto/pace_domain.hpp"
#include "lds/security_infos.hpp"
#include "sim/active_authentication_chip.hpp"

#include <cccd/error.hpp>

namespace cccd::sim {
namespace {

// A new Chip Authentication (and PACE-CAM) private key on the group of DG14's public key.
Bytes new_chip_authentication_key(const CardData& card) {
  auto dg14 = card.files.find(FileId::dg14);
  if (dg14 == card.files.end()) {
    throw Error(ErrorCode::malformed_data, "clone: the card has a Chip Authentication key but no DG14");
  }
  const lds::SecurityInfos infos = lds::parse_security_infos(dg14->second);
  for (const lds::ChipAuthenticationPublicKeyInfo& key : infos.chip_authentication_public_keys) {
    if (!key.parameters) continue;
    const crypto::PaceKeyPair pair = lds::domain_of(*key.parameters).generate_key_pair();
    return Bytes(pair.private_key.begin(), pair.private_key.end());
  }
  throw Error(ErrorCode::malformed_data, "clone: DG14 names no group for the Chip Authentication key");
}

}  // namespace

CardData clone_card(const CardData& original) {
  CardData clone = original;
  if (!original.secrets.chip_authentication_private_key.empty()) {
    clone.secrets.chip_authentication_private_key = new_chip_authentication_key(original);
  }
  if (!original.secrets.active_authentication_private_key.empty()) {
    clone.secrets.active_authentication_private_key =
        new_private_key_like(view(original.secrets.active_authentication_private_key));
  }
  return clone;
}

}  // namespace cccd::sim
