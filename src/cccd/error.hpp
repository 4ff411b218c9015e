// The one error type of the libcccd C++ API. Every failure carries a code (stable, mirrored by the C
// API's cccd_status) and a message that says what went wrong without revealing personal data.
#pragma once

#include <stdexcept>
#include <string>

namespace cccd {

enum class ErrorCode : int {
  invalid_argument = 1,   // the caller passed something unusable (bad MRZ, bad hex, bad option)
  io = 2,                 // a local file could not be read or written
  transport = 3,          // the reader or the link to the card failed
  no_reader = 4,          // no such reader, or no reader service
  no_card = 5,            // no card on the reader
  card_removed = 6,       // the card left the field during the session
  timeout = 7,            // the card or the reader did not answer in time
  cancelled = 8,          // the caller cancelled the operation
  access_denied = 9,      // access control failed: wrong password (MRZ data or CAN)
  secure_messaging = 10,  // a protected response failed its MAC, SSC or format checks
  card_error = 11,        // the card answered a status word the protocol does not allow here
  file_not_found = 12,    // the card or the dump does not have the file
  malformed_data = 13,    // bytes from the card or a dump do not parse (TLV, LDS, CMS, MRZ)
  crypto = 14,            // a cryptographic operation failed or a key is unusable
  not_supported = 15,     // the card needs a protocol or algorithm this build does not support
  limit_exceeded = 16,    // a hostile or broken input exceeded a documented bound
  internal = 17,          // a bug in libcccd
};

const char* to_string(ErrorCode code) noexcept;

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace cccd
