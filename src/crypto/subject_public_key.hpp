// A certificate's public key built from its SubjectPublicKeyInfo without OpenSSL's decoder framework.
//
// OpenSSL 3 decodes every public key through OSSL_DECODER, which costs about 100 µs a key whatever its
// size (a decoder context is assembled for each), more than verifying most signatures with it. A trust
// store checks each CRL's signature with its CSCA's key once, when the CRL is added, and a PKD holds
// thousands: this builds the two kinds CSCAs use from their parameters instead (RSA from n and e, EC on
// a named curve from a per-curve template), in 2–8 µs.
#pragma once

#include "crypto/openssl_ptr.hpp"

#include <cccd/bytes.hpp>

namespace cccd::crypto {

// The key of a DER SubjectPublicKeyInfo when it is rsaEncryption or id-ecPublicKey on a named curve
// OpenSSL knows; null for every other form (explicit EC parameters, RSASSA-PSS keys, anything
// malformed), which the caller then gives to OpenSSL's full decoding. A key returned is the one
// OpenSSL's decoding gives: an EC point is checked to be on its curve.
EvpPkeyPtr named_public_key(ByteView subject_public_key_info);

}  // namespace cccd::crypto
