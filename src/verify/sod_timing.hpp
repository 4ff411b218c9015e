// The SOD's signing time, read by check_data_integrity and judged by check_signer_trust.
#pragma once

#include <cccd/bytes.hpp>

#include <openssl/x509.h>

#include <ctime>
#include <optional>

namespace cccd::verification {

struct SodTiming {
  std::optional<std::time_t> signing_time;
  bool unreadable = false;
};

// The signingTime attribute of the signed attributes (a DER SET OF Attribute), when there is one.
SodTiming signing_time_of(ByteView signed_attributes);

}  // namespace cccd::verification
