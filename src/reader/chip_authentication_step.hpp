// Chip Authentication in a read (access/chip_authentication.hpp does the protocol): right after DG14 is
// read, the terminal agrees keys with DG14's key, secure messaging restarts with them, and the rest of
// the read runs under them. The restart is the proof: DG14 is read again under the new keys, which only
// a chip holding DG14's private key can answer. What happened goes into the dump (chip_authentication,
// chip_authentication_result, chip_authentication_note), for the verdict.
//
// A chip that fails (a clone: it holds another key, so its keys differ and its answer does not verify)
// has dropped the secure messaging session; the read opens it again and reads the rest under the access
// control keys, so the verdict can say both that the data is genuine and that the chip is not.
#pragma once

#include "reader/file_reader.hpp"
#include "sm/secure_messaging.hpp"
#include "transport/channel.hpp"

#include <cccd/dump.hpp>

#include <optional>

namespace cccd::reader {

class ChipAuthenticationStep {
 public:
  // Whether to run it now: DG14 is in the dump, PACE-CAM has not already authenticated the chip, and it
  // has neither failed nor been found impossible (after the card came back, a CA that passed runs again,
  // so that the rest is still read under its keys).
  bool due(const ChipDump& dump) const;

  // Agrees keys with the chip over `secure` (the current secure channel) and returns them when the chip
  // accepted: the caller restarts secure messaging with them (SSC zero) and calls confirm(). Nothing when
  // DG14 offers no Chip Authentication, its key is malformed or needs what this library lacks, or the
  // chip refused a command (answered under the old keys, so the session goes on); the dump says which.
  // Transport errors (card removed ...) propagate and leave the step due.
  std::optional<sm::SessionKeys> agree(transport::Channel& secure, ChipDump& dump);

  // Reads DG14 again through `files` (under the new keys) and checks it is the same. True: passed.
  // False: the chip did not answer under the agreed keys (recorded as failed); it has dropped the
  // session, so the caller opens the chip again. Transport errors propagate.
  bool confirm(FileReader& files, ChipDump& dump);

 private:
  enum class State { pending, passed, failed, not_performed };
  State state_ = State::pending;
};

}  // namespace cccd::reader
