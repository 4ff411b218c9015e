// EF.ATR/INFO (FID 2F01, SFI 01, in the MF; ICAO Doc 9303-10, ISO/IEC 7816-4 section 12.2.2): what the chip
// says about itself that does not fit its ATR or ATS. A reader needs one object of it: ExtendedLengthInfo
// (7F66), the largest command and response APDUs the chip takes, present when it takes extended length.
#pragma once

#include <cccd/bytes.hpp>

#include <cstddef>
#include <optional>

namespace cccd::lds {

struct ExtendedLengthInfo {
  std::size_t max_command_apdu = 0;   // bytes of a whole command APDU (header, Lc, data, Le)
  std::size_t max_response_apdu = 0;  // bytes of a whole response APDU (data and status word)
  friend bool operator==(const ExtendedLengthInfo&, const ExtendedLengthInfo&) = default;
};

// The ExtendedLengthInfo among the top-level data objects of EF.ATR/INFO; nothing when the file has none
// (a chip without extended length). Error(malformed_data) when the objects do not parse or 7F66 does not
// hold two non-negative INTEGERs of at most 4 bytes.
std::optional<ExtendedLengthInfo> parse_atr_info(ByteView content);

}  // namespace cccd::lds
