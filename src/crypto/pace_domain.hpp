// The key agreement groups of PACE (ICAO Doc 9303 Part 11 section 4.4, BSI TR-03110 / TR-03111):
// elliptic curves over prime fields (ECDH) and prime-order subgroups of Z_p* (DH), either one of the
// standardized domain parameters (Part 11 section 9.5.1, ids 0-2 and 8-18) or explicit parameters
// taken from EF.CardAccess. A PaceDomain is immutable and cheap to copy (the OpenSSL state is shared);
// the mappings of pace_mapping.hpp return a new PaceDomain with the mapped generator.
//
// Encodings used throughout PACE:
//   EC public key / point: uncompressed 04 || X || Y, X and Y each |p| bytes (the 86 data object);
//   DH public value:        big-endian, exactly |p| bytes (the 84 data object);
//   private keys:           big-endian unsigned integers.
#pragma once

#include "util/secure_bytes.hpp"

#include <cccd/bytes.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cccd::crypto {

enum class PaceDomainKind { ecdh, dh };

// Explicit curve y^2 = x^3 + a*x + b over F_p, as ECParameters (TR-03111 / RFC 3279) carries it. All
// integers are big-endian unsigned (leading zeros allowed). `generator` is an encoded point (04||X||Y,
// or compressed 02/03||X). An empty `cofactor` means 1.
struct EcDomainParameters {
  Bytes p;
  Bytes a;
  Bytes b;
  Bytes generator;
  Bytes order;     // n
  Bytes cofactor;  // h
};

// Explicit DH group (X9.42 DomainParameters): the prime p, a generator g of the subgroup of prime
// order q. q is required: without it a received public value cannot be checked.
struct DhDomainParameters {
  Bytes p;
  Bytes g;
  Bytes q;
};

struct PaceKeyPair {
  SecureBytes private_key;  // EC: |n| bytes; DH: |q| bytes when generated, as given when injected
  Bytes public_key;         // encoded as described above
};

// The named-curve OID of a standardized ECDH parameter id (8-18), and back; nothing for other values.
std::optional<std::string_view> standardized_curve_oid(int parameter_id) noexcept;
std::optional<int> standardized_curve_id(std::string_view curve_oid) noexcept;

class PaceDomain {
 public:
  // Standardized domain parameters by id: 0 RFC 5114 1024-bit MODP with 160-bit subgroup, 1 2048/224,
  // 2 2048/256; 8 P-192, 9 brainpoolP192r1, 10 P-224, 11 brainpoolP224r1, 12 P-256,
  // 13 brainpoolP256r1, 14 brainpoolP320r1, 15 P-384, 16 brainpoolP384r1, 17 brainpoolP512r1, 18 P-521.
  // Throws Error(not_supported) for any other id (3-7 and 19-31 are reserved).
  static PaceDomain standardized(int parameter_id);

  // Explicit parameters, checked as the hostile input they are: p an odd prime, n (q) prime, a
  // non-singular curve, n*h within the Hasse bound and n != p, the generator on the curve with order n
  // (g of order q, q dividing p-1). Throws Error(limit_exceeded) for a field above 521 bits (EC) or
  // 4096 bits (DH) or a cofactor above 16 bits, Error(crypto) for a field below 192 bits (EC) or 1024
  // bits (DH), q below 160 bits, an empty number, or any failed check.
  static PaceDomain explicit_ec(const EcDomainParameters& parameters);
  static PaceDomain explicit_dh(const DhDomainParameters& parameters);

  PaceDomainKind kind() const noexcept;
  // "brainpoolP256r1", "NIST P-256", "RFC 5114 1024-bit MODP group with 160-bit subgroup",
  // "explicit ECDH (256-bit)"; a mapped domain adds " (mapped generator)".
  const std::string& name() const noexcept;
  // The standardized id, or nothing for explicit parameters.
  std::optional<int> parameter_id() const noexcept;
  std::size_t field_bits() const noexcept;  // bit length of p
  std::size_t field_size() const noexcept;  // |p| in bytes: the size of X, Y, DH values, shared secrets
  std::size_t order_size() const noexcept;  // |n| (EC) or |q| (DH) in bytes

  // The generator, encoded as a public key (04||X||Y, or g as |p| bytes).
  Bytes generator() const;
  // This group with another generator (a mapped one). Throws Error(crypto) when `generator` is not a
  // valid public key of this group (same checks as validate_public_key).
  PaceDomain with_generator(ByteView generator) const;

  // A fresh key pair on this domain's generator. `private_key` injects the private key (ICAO worked
  // examples); it must be 1 <= d < n for EC, 1 <= x < p for DH, at most |p| bytes, otherwise
  // Error(invalid_argument).
  PaceKeyPair generate_key_pair(std::optional<ByteView> private_key = std::nullopt) const;
  // The public key of `private_key` (same rules as the injected key above).
  Bytes public_key(ByteView private_key) const;

  // Checks a public key received from the other side. EC: exactly 04||X||Y, X and Y below p, on the
  // curve, not the point at infinity, n*P = infinity when the cofactor is not 1. DH: 1..|p| bytes,
  // 1 < y < p-1 and y^q = 1 mod p. Throws Error(crypto) naming the failed check.
  void validate_public_key(ByteView public_key) const;

  // The key agreement of PACE step 3 (and CA): the x-coordinate of d*P (EC), or y^x mod p (DH), |p|
  // bytes big-endian. Validates `peer_public_key` first (Error(crypto)); Error(crypto) also when the
  // result is the point at infinity / 1.
  SecureBytes shared_secret(ByteView own_private_key, ByteView peer_public_key) const;
  // The full shared element for Generic Mapping: the point d*P as 04||X||Y (EC), or y^x mod p as |p|
  // bytes (DH). Same checks as shared_secret.
  SecureBytes shared_element(ByteView own_private_key, ByteView peer_public_key) const;

  struct Impl;
  // For pace_mapping.cpp and pace_keys.cpp: the OpenSSL state behind this domain.
  const Impl& impl() const noexcept { return *impl_; }
  explicit PaceDomain(std::shared_ptr<const Impl> impl);

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace cccd::crypto
