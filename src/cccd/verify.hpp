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
  // The QR code printed on the card (its line typed by the counter's scanner): the verdict then has a
  // qr_consistency finding comparing it with DG13, which must pass for `verified`.
  std::optional<CardQr> printed_qr;
};

namespace reader {
class LiveProofIssuer;
}

// What this process proved talking to the chip itself: a Chip Authentication that passed (the chip answered
// under keys only the holder of DG14's private key derives) and a PACE-CAM run whose proof it decrypted.
// A dump, an evidence document or a caller's flag can only *record* those: a copy of a genuine card's
// session replays the record. So the proof is a type nothing but the reader can make (its constructor is
// private, its one friend the reader's session), handed to verify() by read_and_verify with the dump that
// session produced. Offline, only Active Authentication over the verifier's own challenge proves the chip.
class LiveChipProof {
 public:
  LiveChipProof(const LiveChipProof&) = default;
  LiveChipProof& operator=(const LiveChipProof&) = default;
  bool chip_authentication() const noexcept { return chip_authentication_; }
  bool pace_cam() const noexcept { return pace_cam_; }

 private:
  LiveChipProof(bool chip_authentication, bool pace_cam) noexcept
      : chip_authentication_(chip_authentication), pace_cam_(pace_cam) {}
  friend class reader::LiveProofIssuer;
  bool chip_authentication_;
  bool pace_cam_;
};

// Passive authentication (SOD signature, data group hashes, DS to CSCA), consistency of DG1 and DG13,
// and the access finding from the dump. Never throws for anything in the dump: a broken dump gives
// failed findings with their reasons. A pure judgement of the evidence: recorded Chip Authentication and
// PACE-CAM results are checked (a failed or mismatched one fails) but never make chip authenticity pass.
Verdict verify(const ChipDump& dump, const TrustStore& trust, const VerifyOptions& options = {});
// The verdict on a dump this process has just read, with the reader's proof of what it ran with the chip
// (read_and_verify): Chip Authentication and PACE-CAM then count, and so does Active Authentication over
// the challenge this process sent.
Verdict verify(const ChipDump& dump, const TrustStore& trust, const VerifyOptions& options,
               const LiveChipProof& live);

// Parses DG1, DG2, DG13 and EF.COM of the dump (see lds).
Document parse(const ChipDump& dump);

}  // namespace cccd
