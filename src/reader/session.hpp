// A read session over any channel: select the eMRTD application, run access control, read the files.
#pragma once

#include "transport/channel.hpp"

#include <cccd/dump.hpp>
#include <cccd/reader.hpp>

namespace cccd::reader {

// Acquires a ChipDump. Errors: Error(access_denied) for wrong credentials (one attempt, never retried),
// Error(secure_messaging) when a protected response fails its checks, Error(card_error) for refusals the
// protocol does not allow, and the transport's errors (card_removed, timeout ...) as they come.
ChipDump read_chip(transport::Channel& channel, const Credentials& credentials, const ReadOptions& options);

// The order files are read in: what the verdict needs first, the photo last.
std::vector<FileId> reading_order(const std::vector<FileId>& listed, bool read_photo);

}  // namespace cccd::reader
