// Symmetric cryptography, hashing, randomness and the ICAO key derivation, on OpenSSL 3.
// Every function throws Error(crypto) when OpenSSL fails and Error(invalid_argument) on wrong key or
// block sizes; none of them pads implicitly (callers pad with pad_iso9797_m2 where ICAO says so).
#pragma once

#include "util/secure_bytes.hpp"

#include <cccd/bytes.hpp>

#include <optional>
#include <string_view>

namespace cccd::crypto {

enum class HashAlgorithm { sha1, sha224, sha256, sha384, sha512 };

Bytes hash(HashAlgorithm algorithm, ByteView data);
std::size_t hash_size(HashAlgorithm algorithm) noexcept;
std::string_view hash_name(HashAlgorithm algorithm) noexcept;  // "SHA-256"
// From a dotted OID (1.3.14.3.2.26, 2.16.840.1.101.3.4.2.1 ...); nothing for an unknown one.
std::optional<HashAlgorithm> hash_from_oid(std::string_view oid) noexcept;
std::string_view hash_oid(HashAlgorithm algorithm) noexcept;

// Cryptographically strong random bytes (OpenSSL RAND_bytes).
Bytes random_bytes(std::size_t count);

// Two-key 3DES (16-byte key) in CBC mode without padding; data length a multiple of 8.
Bytes tdes_cbc_encrypt(ByteView key, ByteView iv, ByteView data);
Bytes tdes_cbc_decrypt(ByteView key, ByteView iv, ByteView data);
// AES-128/192/256 (by key length) in CBC without padding; data length a multiple of 16.
Bytes aes_cbc_encrypt(ByteView key, ByteView iv, ByteView data);
Bytes aes_cbc_decrypt(ByteView key, ByteView iv, ByteView data);
// One AES block in ECB (for the AES secure messaging IV).
Bytes aes_ecb_encrypt_block(ByteView key, ByteView block);

// ISO/IEC 9797-1 MAC algorithm 3 with DES (the "retail MAC"), 8 bytes, over data already padded to 8.
Bytes retail_mac(ByteView key, ByteView padded_data);
// AES-CMAC (NIST SP 800-38B), the full 16 bytes; callers truncate to 8 for ICAO secure messaging.
Bytes aes_cmac(ByteView key, ByteView data);

// ISO/IEC 9797-1 padding method 2: 80 then 00 up to a multiple of `block`.
Bytes pad_iso9797_m2(ByteView data, std::size_t block);
// Removes that padding; throws Error(secure_messaging) when it is not there.
Bytes unpad_iso9797_m2(ByteView data);

// Sets the odd-parity bit of each DES key byte.
void adjust_des_parity(std::span<std::uint8_t> key) noexcept;

// The ICAO 9303 Part 11 section 9.7.1 key derivation function.
enum class KeyPurpose : std::uint32_t { enc = 1, mac = 2, pace_password = 3 };
enum class CipherKind { tdes, aes128, aes192, aes256 };
std::size_t key_length(CipherKind cipher) noexcept;        // 16, 16, 24, 32
std::size_t block_length(CipherKind cipher) noexcept;      // 8 for 3DES, 16 for AES
std::string_view cipher_name(CipherKind cipher) noexcept;  // "3DES", "AES-128" ...
SecureBytes derive_key(ByteView shared_secret, KeyPurpose purpose, CipherKind cipher);

}  // namespace cccd::crypto
