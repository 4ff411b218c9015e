// Error texts that leave the library (cccd_last_error, cccd-verify's and cccd-sim's messages) are bounded:
// a path or any other long word a caller or an uploader passed in keeps its beginning and its end with the
// middle elided, and the whole text is capped, so that a 10 MiB path cannot flood a log, a terminal or a
// per-thread buffer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cccd {

inline constexpr std::size_t kMessageWordKept = 60;  // characters kept at each end of a long word
inline constexpr std::size_t kMaxMessageBytes = 1024;

// `text` itself when it has at most 2 * `kept` + 3 bytes, else its first and last `kept` bytes (each cut
// back to a whole UTF-8 character) joined by "...".
std::string shorten_middle(std::string_view text, std::size_t kept);

// `message` with every word (a run without spaces: a path, a file name, a hex string) longer than
// 2 * kMessageWordKept + 3 bytes shortened in the middle, then the whole text shortened in the middle to
// at most kMaxMessageBytes.
std::string bounded_message(std::string_view message);

}  // namespace cccd
