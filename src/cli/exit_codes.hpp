// Exit codes of cccd-verify (documented in docs/cli.md; stable: scripts rely on them).
#pragma once

#include <cccd/error.hpp>

namespace cccd::cli {

inline constexpr int kExitVerified = 0;
inline constexpr int kExitNotVerified = 1;     // read and checked, but not every finding passed
inline constexpr int kExitUsage = 2;           // bad command line or argument
inline constexpr int kExitAccessDenied = 3;    // wrong ID number / dates / MRZ
inline constexpr int kExitNoCard = 4;          // a reader, but no card on it
inline constexpr int kExitCommunication = 5;   // card removed, timeout, cancelled, reader failure
inline constexpr int kExitCardMisbehaved = 6;  // secure messaging failure, refusals, malformed chip data
inline constexpr int kExitFile = 7;            // a local file or folder could not be read or written
inline constexpr int kExitInternal = 8;        // unsupported protocol, crypto failure, bug
// No card reader at all: no PC/SC service (pcscd stopped), no reader attached, or none matching
// --reader. Its own code so that a desk script tells "plug the reader in" from "place the card".
inline constexpr int kExitNoReader = 9;

inline int exit_code_for(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument:
      return kExitUsage;
    case ErrorCode::access_denied:
      return kExitAccessDenied;
    case ErrorCode::no_reader:
      return kExitNoReader;
    case ErrorCode::no_card:
      return kExitNoCard;
    case ErrorCode::card_removed:
    case ErrorCode::timeout:
    case ErrorCode::cancelled:
    case ErrorCode::transport:
      return kExitCommunication;
    case ErrorCode::secure_messaging:
    case ErrorCode::card_error:
    case ErrorCode::malformed_data:
    case ErrorCode::limit_exceeded:
      return kExitCardMisbehaved;
    case ErrorCode::io:
    case ErrorCode::file_not_found:
      return kExitFile;
    case ErrorCode::crypto:
    case ErrorCode::not_supported:
    case ErrorCode::internal:
      return kExitInternal;
  }
  return kExitInternal;
}

}  // namespace cccd::cli
