// A read session over any channel: select the eMRTD application, run access control, read the files.
#pragma once

#include "transport/channel.hpp"

#include <cccd/dump.hpp>
#include <cccd/reader.hpp>
#include <cccd/verify.hpp>

#include <optional>

namespace cccd::reader {

// Acquires a ChipDump. Errors: Error(access_denied) for wrong credentials (one attempt, never retried),
// Error(secure_messaging) when a protected response fails its checks, Error(card_error) for refusals the
// protocol does not allow, and the transport's errors (card_removed, timeout ...) as they come.
// With `link` and options.resume_after_removal, a card that leaves and comes back is opened again and
// the read goes on where it stopped (ReadOptions); a link that refuses an extended APDU gets the chip
// opened again on short APDUs either way. With `proof`, it receives what this session proved with the chip
// itself (Chip Authentication, PACE-CAM): the one way a LiveChipProof is made.
ChipDump read_chip(transport::Channel& channel, const Credentials& credentials, const ReadOptions& options,
                   transport::Reconnectable* link = nullptr, std::optional<LiveChipProof>* proof = nullptr);

// The order files are read in: what the verdict needs first, the photo last.
std::vector<FileId> reading_order(const std::vector<FileId>& listed, bool read_photo);

}  // namespace cccd::reader
