// Small helpers of cccd-server: hex, SHA-256, random bytes, base64, time. OpenSSL does the cryptography;
// nothing here touches card data beyond hashing or encoding bytes handed to it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cccd::server {

std::string to_hex(std::span<const std::uint8_t> bytes);
// Hex digits (either case, an even number) as bytes; nothing for anything else.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex);

std::array<std::uint8_t, 32> sha256(std::span<const std::uint8_t> bytes);
std::array<std::uint8_t, 32> sha256(std::string_view text);

// Cryptographically strong random bytes (OpenSSL's DRBG); throws when the generator fails, since a
// predictable challenge would let a recorded answer be replayed.
void random_bytes(std::span<std::uint8_t> out);

std::string base64(std::span<const std::uint8_t> bytes);

// Constant-time comparison of equal-sized digests (CRYPTO_memcmp).
bool same_digest(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// Milliseconds since the Unix epoch, from the system clock.
std::int64_t now_unix_ms();
// "2026-12-05T18:30:00Z" (UTC, seconds).
std::string rfc3339_utc(std::int64_t unix_ms);

}  // namespace cccd::server
