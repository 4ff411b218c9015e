// Base64 (RFC 4648 section 4, the standard alphabet with '=' padding): how the evidence document carries
// a chip's files in JSON.
#pragma once

#include <cccd/bytes.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cccd {

std::string to_base64(ByteView data);
// At least the size from_base64 decodes `text` to, and at most 2 bytes more: known before decoding, so a
// caller refuses an oversized input without allocating for it.
std::size_t base64_decoded_bound(std::string_view text) noexcept;
// Decodes strict base64: the standard alphabet, padded to a multiple of 4 characters, no other character
// than CR and LF (the line breaks some encoders insert). nullopt for anything else.
std::optional<Bytes> from_base64(std::string_view text);

}  // namespace cccd
