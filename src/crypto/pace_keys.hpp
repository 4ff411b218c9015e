// PACE keys other than the key agreement (ICAO Doc 9303 Part 11 sections 4.4.3 and 9.7): the password
// key K_pi, the encrypted nonce, the session keys and the authentication tokens.
#pragma once

#include "crypto/crypto.hpp"
#include "crypto/pace_domain.hpp"
#include "util/secure_bytes.hpp"

#include <cccd/bytes.hpp>

#include <string_view>

namespace cccd::crypto {

// Which password the chip's EF.CardAccess/MSE:Set AT names (the 83 data object: 1 MRZ, 2 CAN, 3 PIN,
// 4 PUK).
enum class PacePasswordType { mrz = 1, can = 2, pin = 3, puk = 4 };

// K_pi = KDF(f(password), 3). MRZ: `password` is MRZ_information (document number, date of birth, date
// of expiry, each with its check digit) and f = SHA-1; CAN/PIN/PUK: f = the password's bytes.
// Throws Error(invalid_argument) for an empty password.
SecureBytes pace_password_key(PacePasswordType type, std::string_view password, CipherKind cipher);

// s = D(K_pi, z) and z = E(K_pi, s): the cipher in CBC with a zero IV. Throws Error(malformed_data)
// for an empty input or one that is not a multiple of the block length (the chip's z is hostile).
SecureBytes pace_decrypt_nonce(CipherKind cipher, ByteView k_pi, ByteView encrypted_nonce);
Bytes pace_encrypt_nonce(CipherKind cipher, ByteView k_pi, ByteView nonce);

struct PaceSessionKeys {
  SecureBytes k_enc;  // KDF(K, 1)
  SecureBytes k_mac;  // KDF(K, 2)
};
PaceSessionKeys pace_session_keys(CipherKind cipher, ByteView shared_secret);

// The public key data object of the authentication token (Part 11 section 4.4.3.4 / 9.4):
// 7F49 { 06 protocol OID, 86 04||X||Y } (EC) or 7F49 { 06 protocol OID, 84 y } (DH). `protocol_oid`
// is the OID's content bytes (04 00 7F 00 07 02 02 04 02 02 for PACE-ECDH-GM-AES-CBC-CMAC-128).
// `public_key` is encoded as PaceDomain does it.
Bytes pace_public_key_data_object(const PaceDomain& domain, ByteView protocol_oid, ByteView public_key);

// T = MAC(KSmac, public key data object of `peer_public_key`), 8 bytes: AES-CMAC truncated for AES,
// retail MAC over the padded data for 3DES. The terminal's T_IFD covers the chip's ephemeral public
// key, the chip's T_IC the terminal's.
Bytes pace_authentication_token(CipherKind cipher, ByteView ks_mac, const PaceDomain& domain,
                                ByteView protocol_oid, ByteView peer_public_key);
// Compares a received token with the expected one in constant time; false also for a wrong length.
bool pace_token_matches(ByteView expected, ByteView received) noexcept;

}  // namespace cccd::crypto
