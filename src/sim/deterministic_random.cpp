#include "sim/deterministic_random.hpp"

#include "crypto/crypto.hpp"
#include "util/bytes.hpp"

namespace cccd::sim {

SecureBytes expand_seed(std::uint64_t seed, std::string_view label, std::size_t length) {
  SecureBytes out;
  out.reserve(length + 32);
  for (std::uint32_t counter = 0; out.size() < length; ++counter) {
    const ByteView label_bytes = as_bytes(label);
    Bytes input(label_bytes.begin(), label_bytes.end());
    input.push_back(0x00);  // separates the label from the numbers, so labels cannot run into them
    append(input, be_bytes(seed, 8));
    append(input, be_bytes(counter, 4));
    Bytes block = crypto::hash(crypto::HashAlgorithm::sha256, input);
    out.insert(out.end(), block.begin(), block.end());
    secure_wipe(block.data(), block.size());
  }
  out.resize(length);
  return out;
}

std::uint64_t DeterministicStream::next() noexcept {
  // SplitMix64 (Steele, Lea, Flood 2014): good statistical quality, trivially reproducible.
  state_ += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

int DeterministicStream::uniform(int low, int high) noexcept {
  auto span = static_cast<std::uint64_t>(static_cast<std::int64_t>(high) - low + 1);
  return low + static_cast<int>(next() % span);
}

double DeterministicStream::uniform_real(double low, double high) noexcept {
  double unit = static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0);  // 53 bits in [0, 1)
  return low + (high - low) * unit;
}

}  // namespace cccd::sim
