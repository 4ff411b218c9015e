// The terminal's side of Active Authentication (ICAO Doc 9303 Part 11 section 6.1) during a read: one
// INTERNAL AUTHENTICATE whose challenge and signature go into the dump. The signature is checked by
// verify(), a pure function of the dump, so a server can check a dump made with its own challenge.
#pragma once

#include "transport/channel.hpp"

#include <cccd/dump.hpp>
#include <cccd/reader.hpp>

namespace cccd::reader {

// Sends INTERNAL AUTHENTICATE (00 88 00 00, the 8-byte challenge, Le 00 or extended when the signature
// DG15's key makes does not fit a short response) over `channel` (the secure channel of the read) when
// the dump holds DG15 and `options.active_authentication` is set; records the challenge and the
// signature in the dump. The challenge is options.active_authentication_challenge or 8 random bytes.
// A chip that refuses the command (a status word) leaves the signature empty: verification then fails
// chip authenticity, never the read. Transport and secure messaging errors propagate.
void perform_active_authentication(transport::Channel& channel, const ReadOptions& options, ChipDump& dump);

}  // namespace cccd::reader
