// A card per citizen: at the counter, cccd-verify asks for each card's ID number or the line its QR code
// gives (a USB QR scanner types it, then Enter) on the terminal, never on the command line.
#pragma once

#include "cli/messages.hpp"
#include "util/secure_bytes.hpp"

#include <cccd/cancel.hpp>

#include <optional>

namespace cccd::cli {

// Reads one line from `fd` (stdin): on a terminal with echo off (the line is personal data; the caller
// confirms it masked), elsewhere (a pipe) as it comes. Waits in short polls so that `stop` (Ctrl-C in
// the desk loop) ends it at once. Nothing at the end of the input or when stopped. A line longer than a
// QR code's is read to its end and refused with Error(invalid_argument).
std::optional<SecureString> read_citizen_line(int fd, const Cancellation* stop);

}  // namespace cccd::cli
