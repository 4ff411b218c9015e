// Verification and parsing: pure functions of a dump (no card, no reader, no I/O).
#pragma once

#include <cccd/card_qr.hpp>
#include <cccd/document.hpp>
#include <cccd/dump.hpp>
#include <cccd/policy.hpp>
#include <cccd/trust.hpp>
#include <cccd/verdict.hpp>

#include <array>
#include <cstdint>
#include <ctime>
#include <optional>

namespace cccd {

struct VerifyOptions {
  // What "verified" requires (chip proof, unexpired card) and the moment it is judged at: certificates
  // must be valid then and the card unexpired on that day (cccd/policy.hpp).
  VerificationPolicy policy;
  // The Active Authentication challenge a server chose and gave to the reading app (`read --challenge`):
  // the dump's recorded challenge must equal it, else chip authenticity fails ("the signature is over
  // another challenge"), which stops a replayed dump. Not set: the signature is checked over the
  // challenge recorded in the dump.
  std::optional<std::array<std::uint8_t, 8>> active_authentication_challenge;
  // True only for a dump this process has just read from the chip itself (read_and_verify sets it).
  // Otherwise the dump is someone else's record (an upload, a folder): a Chip Authentication it says
  // passed, a PACE-CAM proof and an Active Authentication signature over a challenge the verifier did
  // not choose may all be replayed from a genuine card's session by whoever holds a copy of its data,
  // so they do not prove that chip was there. Chip authenticity is then `unknown`, unless Active
  // Authentication verifies over `active_authentication_challenge`. A proof that fails, fails.
  bool live_read = false;
  // The QR code printed on the card (its line typed by the counter's scanner): the verdict then has a
  // qr_consistency finding comparing it with DG13, which must pass for `verified`.
  std::optional<CardQr> printed_qr;
};

// Passive authentication (SOD signature, data group hashes, DS to CSCA), consistency of DG1 and DG13,
// and the access finding from the dump. Never throws for anything in the dump: a broken dump gives
// failed findings with their reasons.
Verdict verify(const ChipDump& dump, const TrustStore& trust, const VerifyOptions& options = {});

// Parses DG1, DG2, DG13 and EF.COM of the dump (see lds).
Document parse(const ChipDump& dump);

}  // namespace cccd
