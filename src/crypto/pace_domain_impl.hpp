// The OpenSSL state behind a PaceDomain, shared by pace_domain.cpp, pace_mapping.cpp and pace_keys.cpp
// only (not part of the interface other layers code against).
#pragma once

#include "crypto/openssl_ptr.hpp"
#include "crypto/pace_domain.hpp"

#include <string>

namespace cccd::crypto {

struct PaceDomain::Impl {
  PaceDomainKind kind = PaceDomainKind::ecdh;
  std::string name;
  std::optional<int> parameter_id;
  std::size_t field_bits = 0;
  std::size_t field_size = 0;
  std::size_t order_size = 0;
  PublicBnPtr p;
  // ECDH: the group (with generator, order and cofactor) and copies of its numbers.
  EcGroupPtr group;
  PublicBnPtr a;
  PublicBnPtr b;
  PublicBnPtr order;
  PublicBnPtr cofactor;
  // DH: the generator and the order of the subgroup.
  PublicBnPtr g;
  PublicBnPtr q;
};

namespace pace_detail {

[[noreturn]] void fail(const std::string& message);  // Error(crypto)
[[noreturn]] void openssl_failed(const char* what);  // Error(crypto) naming the OpenSSL call

BnCtxPtr new_bn_ctx();
PublicBnPtr public_bn(ByteView big_endian);
BnPtr secret_bn(ByteView big_endian);  // flagged constant-time
BnPtr new_secret_bn();
PublicBnPtr copy_bn(const BIGNUM* value);
Bytes to_fixed(const BIGNUM* value, std::size_t size);
SecureBytes to_fixed_secret(const BIGNUM* value, std::size_t size);

// Decodes and validates a public EC point / DH value received from the other side (the checks of
// PaceDomain::validate_public_key); `what` names it in the error message.
EcPointPtr decode_ec_public_key(const PaceDomain::Impl& domain, ByteView encoded, const char* what);
PublicBnPtr decode_dh_public_key(const PaceDomain::Impl& domain, ByteView encoded, const char* what);
Bytes encode_ec_point(const PaceDomain::Impl& domain, const EC_POINT* point);

// A private key of this domain (1 <= d < n for EC, 1 <= x < p for DH); Error(invalid_argument) else.
BnPtr parse_private_key(const PaceDomain::Impl& domain, ByteView private_key);
// base^exponent mod p, constant time in the exponent.
BnPtr dh_power(const PaceDomain::Impl& domain, const BIGNUM* base, const BIGNUM* exponent);
// scalar * point on the domain's group (point nullptr: the generator).
EcPointPtr ec_multiply(const PaceDomain::Impl& domain, const BIGNUM* scalar, const EC_POINT* point);

// The domain with another generator, already validated by the caller.
PaceDomain with_ec_generator(const PaceDomain::Impl& domain, const EC_POINT* generator);
PaceDomain with_dh_generator(const PaceDomain::Impl& domain, const BIGNUM* generator);

}  // namespace pace_detail
}  // namespace cccd::crypto
