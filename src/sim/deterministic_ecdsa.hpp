// ECDSA with a deterministic nonce (RFC 6979, HMAC-SHA-256), so that the virtual card's certificates
// and EF.SOD come out byte for byte the same from the same seed. OpenSSL's own ECDSA draws a random k.
#pragma once

#include <cccd/bytes.hpp>

namespace cccd::sim {

// Signs `digest` (a message hash; longer than the curve order it is truncated as ECDSA says) with the
// private scalar d (big-endian, 1 <= d < n) on the curve `curve_nid` (an OpenSSL NID, e.g.
// NID_brainpoolP256r1). k is RFC 6979 section 3.2 with HMAC-SHA-256. Returns the DER Ecdsa-Sig-Value
// SEQUENCE { r INTEGER, s INTEGER }. Throws Error(invalid_argument) for d out of range, Error(crypto) when
// OpenSSL fails.
Bytes deterministic_ecdsa_sign(int curve_nid, ByteView private_scalar, ByteView digest);

// The public point d*G of a private scalar, uncompressed (04 || x || y).
Bytes ec_public_point(int curve_nid, ByteView private_scalar);

// The order n of the curve, big-endian.
Bytes ec_group_order(int curve_nid);

}  // namespace cccd::sim
