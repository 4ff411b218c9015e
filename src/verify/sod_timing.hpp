// The SOD's signing time travels from check_data_integrity to check_signer_trust on the document
// signer certificate itself (OpenSSL ex_data, released with the certificate).
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

// Attaches `timing` to the certificate, replacing what an earlier verification attached (a certificate
// from the parse cache carries the timing of the SOD it came with before).
void attach_timing(X509* signer, SodTiming timing);
// What attach_timing attached, or null.
const SodTiming* timing_of(X509* signer);
// The signingTime attribute of the signed attributes (a DER SET OF Attribute), when there is one.
SodTiming signing_time_of(ByteView signed_attributes);

}  // namespace cccd::verification
