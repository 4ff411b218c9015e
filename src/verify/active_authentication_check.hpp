// The Active Authentication part of the chip authenticity finding: the chip's signature over the
// challenge, checked with the key of DG15 (ICAO Doc 9303 Part 11 section 6.1), from the dump alone.
#pragma once

#include <cccd/dump.hpp>
#include <cccd/verdict.hpp>
#include <cccd/verify.hpp>

namespace cccd::verification {

// Passed only when the dump's signature verifies over its challenge with DG15's key, DG15's hash matched
// a valid EF.SOD (and, for ECDSA, DG14 too: it names the hash), and, when `options` carries a server's
// challenge, the recorded challenge is that one. Failed otherwise, with the reason; never throws for
// anything in the dump. `verdict` must hold the data integrity finding and hashes already.
Finding check_active_authentication(const ChipDump& dump, const Verdict& verdict,
                                    const VerifyOptions& options);

// Whether the dump holds Active Authentication to check: a signature or challenge recorded, or a
// server's challenge given.
bool active_authentication_to_check(const ChipDump& dump, const VerifyOptions& options) noexcept;

}  // namespace cccd::verification
