// Deterministic byte and number streams for the virtual card generator: every "random" choice of a
// generated card (keys, serial numbers, the face) comes from the seed, so the same seed gives the same
// card bytes on every run and machine. Never use these for anything but test data.
#pragma once

#include "util/secure_bytes.hpp"

#include <cccd/bytes.hpp>

#include <cstdint>
#include <string_view>

namespace cccd::sim {

// `length` bytes of SHA-256(label || 00 || seed (8 bytes, big-endian) || counter (4 bytes)) for
// counter = 0, 1, ...: different labels give independent streams from one seed.
SecureBytes expand_seed(std::uint64_t seed, std::string_view label, std::size_t length);

// A fast deterministic stream of numbers (SplitMix64) for drawing pictures and picking variations.
class DeterministicStream {
 public:
  explicit DeterministicStream(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept;
  // A number in [low, high] (inclusive); low <= high.
  int uniform(int low, int high) noexcept;
  // A number in [low, high).
  double uniform_real(double low, double high) noexcept;

 private:
  std::uint64_t state_;
};

}  // namespace cccd::sim
