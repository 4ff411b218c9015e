// Buffers for keys, passwords and session secrets: their memory is wiped (OPENSSL_cleanse, which the
// compiler may not optimise away) whenever it is released, including on reallocation.
#pragma once

#include <cccd/bytes.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace cccd {

void secure_wipe(void* data, std::size_t size) noexcept;

template <class T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() noexcept = default;
  template <class U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT: allocator conversion
  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    secure_wipe(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <class U>
  bool operator==(const WipingAllocator<U>&) const noexcept {
    return true;
  }
};

using SecureBytes = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;
using SecureString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

inline SecureBytes secure_copy(ByteView data) {
  return SecureBytes(data.begin(), data.end());
}
inline ByteView view(const SecureBytes& data) {
  return {data.data(), data.size()};
}

}  // namespace cccd
