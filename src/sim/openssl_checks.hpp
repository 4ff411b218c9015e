// Checks on OpenSSL calls for the virtual card's personalisation (test PKI, deterministic ECDSA): a
// failure there is a bug or an exhausted machine, reported as Error(crypto).
#pragma once

#include "crypto/openssl_ptr.hpp"

#include <cccd/bytes.hpp>
#include <cccd/error.hpp>

#include <string>

namespace cccd::sim::openssl {

[[noreturn]] inline void fail(const char* what) {
  throw Error(ErrorCode::crypto, std::string("virtual card personalisation: ") + what);
}

// `pointer` when OpenSSL returned one; Error(crypto) naming `what` when it returned null.
template <class T>
T* checked(T* pointer, const char* what) {
  if (pointer == nullptr) fail(what);
  return pointer;
}

// For the OpenSSL calls that return 1 on success.
inline void check(int result, const char* what) {
  if (result != 1) fail(what);
}

// Big numbers in secure memory (they hold private scalars and primes).
inline BnPtr new_bn() {
  return BnPtr(checked(BN_secure_new(), "out of memory"));
}
inline BnPtr bn_from(ByteView bytes) {
  BnPtr value = new_bn();
  checked(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), value.get()), "BN_bin2bn");
  return value;
}

}  // namespace cccd::sim::openssl
