// Active Authentication (ICAO Doc 9303 Part 11 section 6.1): the chip signs the terminal's 8-byte
// challenge with the private key whose public half DG15 holds, which a copy of the data cannot do.
//
// RSA: ISO/IEC 9796-2 digital signature scheme 1 with partial message recovery. The chip's signature s
// opens to F = s^e mod n = 6A || M1 || H || trailer, H = hash(M1 || challenge); the trailer is BC
// (SHA-1) or two bytes `id CC` naming the hash (33 SHA-1, 34 SHA-256, 35 SHA-512, 36 SHA-384, 38
// SHA-224). A fully recovered message (header 4x) is refused: it would not bind the challenge.
// ECDSA: the signature over the challenge is plain r || s (BSI TR-03111), each |n| bytes; the hash is
// named by the ActiveAuthenticationInfo of DG14.
#pragma once

#include "crypto/crypto.hpp"
#include "crypto/openssl_ptr.hpp"

#include <cccd/bytes.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace cccd::crypto {

inline constexpr std::size_t kActiveAuthenticationChallengeLength = 8;
inline constexpr std::size_t kMinAaRsaBits = 1024;
inline constexpr std::size_t kMaxAaRsaBits = 4096;
inline constexpr std::uint8_t kIso9796PartialRecoveryHeader = 0x6A;
inline constexpr std::uint8_t kIso9796ImplicitTrailer = 0xBC;  // SHA-1, one byte
inline constexpr std::uint8_t kIso9796ExplicitTrailer = 0xCC;  // preceded by the hash identifier

enum class AaKeyKind { rsa, ecdsa };

// The public key of DG15, ready to check signatures with.
struct AaPublicKey {
  AaKeyKind kind = AaKeyKind::rsa;
  EvpPkeyPtr key;
  std::size_t bits = 0;              // RSA modulus bits, or bits of the curve order
  std::size_t signature_length = 0;  // |n| (RSA), 2 * |order| (ECDSA)
  std::string curve;                 // ECDSA: OpenSSL's name of a named curve ("brainpoolP256r1")
  std::string description() const;   // "RSA-2048", "ECDSA brainpoolP256r1", "ECDSA (256-bit curve)"
};

// DG15: 6F L { SubjectPublicKeyInfo } (bytes after the outer TLV, file padding, are ignored).
// Error(malformed_data) when it does not parse; Error(not_supported) for a key other than RSA or EC, an
// RSA modulus outside 1024-4096 bits or not a whole number of bytes.
AaPublicKey parse_dg15(ByteView dg15);
// The same from a DER SubjectPublicKeyInfo.
AaPublicKey aa_public_key_from_spki(ByteView subject_public_key_info);

// The hash of an ECDSA AA signature from the signatureAlgorithm of ActiveAuthenticationInfo:
// ecdsa-with-SHA1/224/256/384/512 (X9.62) and ecdsa-plain-SHA1/224/256/384/512 (TR-03111). Nothing for
// another algorithm.
std::optional<HashAlgorithm> aa_ecdsa_hash(std::string_view signature_algorithm_oid) noexcept;

// Checks the chip's signature over `challenge`. `ecdsa_hash` is required for an EC key (Error
// (not_supported) without it) and ignored for RSA (its trailer names the hash). Throws Error(crypto)
// with the reason when the signature does not verify: wrong length, 9796-2 header, trailer, unknown hash
// identifier, a message M1 too short, or a hash or ECDSA signature that does not match. Messages name
// no key or signature bytes.
void verify_active_authentication(const AaPublicKey& key, std::optional<HashAlgorithm> ecdsa_hash,
                                  ByteView challenge, ByteView signature);

// ISO/IEC 9796-2 scheme 1 for the chip side (the virtual card) and tests.
// The ISO/IEC 10118-3 identifier of a hash in the two-byte trailer (0x33 SHA-1 ...).
std::uint8_t iso9796_hash_identifier(HashAlgorithm hash) noexcept;
// Length of M1 in a representative of `modulus_bytes` bytes; Error(invalid_argument) when the hash and
// trailer leave no room for it.
std::size_t iso9796_m1_length(std::size_t modulus_bytes, HashAlgorithm hash, bool implicit_trailer);
// 6A || M1 || hash(M1 || challenge) || trailer; `implicit_trailer` (BC) only with SHA-1. M1 must be
// iso9796_m1_length bytes (Error(invalid_argument) otherwise).
Bytes iso9796_representative(std::size_t modulus_bytes, HashAlgorithm hash, bool implicit_trailer,
                             ByteView m1, ByteView challenge);

}  // namespace cccd::crypto
