// The PACE mappings (ICAO Doc 9303 Part 11 section 4.4.3.3): from the nonce s (and the mapping data)
// to the ephemeral generator both sides use for the final key agreement. Both the terminal and the
// chip call the same functions; only who holds which key differs.
#pragma once

#include "crypto/crypto.hpp"
#include "crypto/pace_domain.hpp"
#include "util/secure_bytes.hpp"

#include <cccd/bytes.hpp>

namespace cccd::crypto {

// Generic Mapping (4.4.3.3.1), also the generator step of Chip Authentication Mapping. `shared_element`
// is domain.shared_element(own mapping private key, peer mapping public key) (H, or h for DH). Returns
// the domain with G' = s*G + H (EC) or g' = g^s * h mod p (DH). Throws Error(crypto) when the result
// is degenerate (infinity / 1) or `shared_element` is not an element of the group.
PaceDomain generic_mapping(const PaceDomain& domain, ByteView nonce, ByteView shared_element);

// The pseudo-random function R(s,t) of Integrated Mapping (4.4.3.3.2): the raw output x_0||...||x_{n-1}
// of n = ceil((log2 p + 64) / l) outputs of l bits built from `cipher` (3DES or AES in CBC), before
// the reduction mod p. `nonce_t` is the key (k = key_length(cipher) bytes); `nonce_s` has l bytes, l
// the smallest multiple of the block length at least k (16 for 3DES and AES-128, 32 for AES-192/256).
// Throws Error(invalid_argument) for another size of t, Error(malformed_data) of s (the chip's).
SecureBytes integrated_mapping_prf(const PaceDomain& domain, CipherKind cipher, ByteView nonce_s,
                                   ByteView nonce_t);
// Integrated Mapping: the domain with the generator f_G(R(s,t) mod p), f_G the point encoding of
// Part 11 / TR-03111 (simplified SWU, p = 3 mod 4; the result is multiplied by the cofactor), or for
// DH g' = (R(s,t) mod p)^((p-1)/q) mod p. Throws Error(not_supported) for an EC field with
// p = 1 mod 4, Error(crypto) for a degenerate result.
PaceDomain integrated_mapping(const PaceDomain& domain, CipherKind cipher, ByteView nonce_s,
                              ByteView nonce_t);
// The point encoding alone, for a field element u (big-endian, 0 < u < p): the point of the curve,
// 04||X||Y, before the cofactor multiplication. Exposed for tests.
Bytes integrated_mapping_point_encoding(const PaceDomain& domain, ByteView field_element);

// Chip Authentication Mapping (4.4.3.3.3), ECDH only (Error(not_supported) for DH).
// Chip: CA_IC = SK_IC^-1 * SK_Map,IC mod n, |n| bytes. `domain` is the standardized/explicit domain
// (its order n).
SecureBytes cam_chip_authentication_data(const PaceDomain& domain, ByteView static_private_key_ic,
                                         ByteView mapping_private_key_ic);
// A_IC = E(KSenc, CA_IC): CA_IC padded (ISO 9797-1 method 2), then CBC with IV = E(KSenc, FF..FF)
// (one block of the cipher in ECB, as for the AES secure messaging IV).
Bytes cam_encrypt_chip_authentication_data(CipherKind cipher, ByteView ks_enc, ByteView ca_ic);
// The terminal's inverse: throws Error(crypto) for a length that is not a multiple of the block or
// missing padding.
SecureBytes cam_decrypt_chip_authentication_data(CipherKind cipher, ByteView ks_enc, ByteView a_ic);
// The terminal's check PK_Map,IC = CA_IC * PK_IC (PK_IC the chip's static CA public key from a verified
// DG14/CardSecurity, PK_Map,IC the mapping public key the chip sent). Throws Error(crypto) when the keys
// do not validate or the equation does not hold.
void cam_verify_chip(const PaceDomain& domain, ByteView ca_ic, ByteView static_public_key_ic,
                     ByteView mapping_public_key_ic);

}  // namespace cccd::crypto
