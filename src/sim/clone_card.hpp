// A cloned chip (`cccd-sim clone SRC DST`): what a forger who copied every readable file of a genuine
// card onto another chip has. The EF files (data groups, EF.SOD, EF.COM, EF.CardAccess) are the same byte
// for byte, so passive authentication still passes, and the access data (MRZ key, CAN) is the same, so
// the clone opens like the original; but no private key can be read from a chip, so every one of them
// (Chip Authentication, PACE-CAM, Active Authentication) is a new, different key, and the protocols
// that prove the chip holds the key of DG14 or DG15 fail.
#pragma once

#include "sim/card_folder.hpp"

namespace cccd::sim {

// The clone of `original`, with fresh random private keys of the same kinds (same curve or DH group, same
// RSA modulus length). Throws Error(malformed_data) when a key, or the DG14 that gives the Chip
// Authentication key's group, does not parse, Error(not_supported) for a group this library lacks.
CardData clone_card(const CardData& original);

}  // namespace cccd::sim
