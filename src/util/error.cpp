#include <cccd/error.hpp>

namespace cccd {

const char* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument:
      return "invalid argument";
    case ErrorCode::io:
      return "file input/output error";
    case ErrorCode::transport:
      return "reader communication error";
    case ErrorCode::no_reader:
      return "no reader";
    case ErrorCode::no_card:
      return "no card";
    case ErrorCode::card_removed:
      return "card removed";
    case ErrorCode::timeout:
      return "timeout";
    case ErrorCode::cancelled:
      return "cancelled";
    case ErrorCode::access_denied:
      return "access denied";
    case ErrorCode::secure_messaging:
      return "secure messaging error";
    case ErrorCode::card_error:
      return "card error";
    case ErrorCode::file_not_found:
      return "file not found";
    case ErrorCode::malformed_data:
      return "malformed data";
    case ErrorCode::crypto:
      return "cryptographic error";
    case ErrorCode::not_supported:
      return "not supported";
    case ErrorCode::limit_exceeded:
      return "limit exceeded";
    case ErrorCode::internal:
      return "internal error";
  }
  return "unknown error";
}

}  // namespace cccd
