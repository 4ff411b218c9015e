// The arithmetic helpers of pace_detail (pace_domain_impl.hpp): numbers and points to and from their
// encodings, public keys checked on the way in, and the two exponentiations PACE and Chip Authentication
// compute with.
#include "crypto/pace_domain_impl.hpp"

#include <cccd/error.hpp>

#include <openssl/err.h>

#include <climits>
#include <string>

namespace cccd::crypto {

namespace pace_detail {

void fail(const std::string& message) {
  ERR_clear_error();
  throw Error(ErrorCode::crypto, message);
}

void openssl_failed(const char* what) {
  ERR_clear_error();
  throw Error(ErrorCode::crypto, std::string("OpenSSL: ") + what + " failed");
}

BnCtxPtr new_bn_ctx() {
  BnCtxPtr ctx(BN_CTX_secure_new());
  if (!ctx) openssl_failed("BN_CTX_secure_new");
  return ctx;
}

PublicBnPtr public_bn(ByteView big_endian) {
  if (big_endian.size() > static_cast<std::size_t>(INT_MAX)) fail("number too long");
  PublicBnPtr value(BN_bin2bn(big_endian.data(), static_cast<int>(big_endian.size()), nullptr));
  if (!value) openssl_failed("BN_bin2bn");
  return value;
}

BnPtr secret_bn(ByteView big_endian) {
  if (big_endian.size() > static_cast<std::size_t>(INT_MAX)) fail("number too long");
  BnPtr value(BN_secure_new());
  if (!value || !BN_bin2bn(big_endian.data(), static_cast<int>(big_endian.size()), value.get())) {
    openssl_failed("BN_bin2bn");
  }
  BN_set_flags(value.get(), BN_FLG_CONSTTIME);
  return value;
}

BnPtr new_secret_bn() {
  BnPtr value(BN_secure_new());
  if (!value) openssl_failed("BN_secure_new");
  BN_set_flags(value.get(), BN_FLG_CONSTTIME);
  return value;
}

PublicBnPtr copy_bn(const BIGNUM* value) {
  PublicBnPtr copy(BN_dup(value));
  if (!copy) openssl_failed("BN_dup");
  return copy;
}

Bytes to_fixed(const BIGNUM* value, std::size_t size) {
  Bytes out(size);
  if (size > static_cast<std::size_t>(INT_MAX) ||
      BN_bn2binpad(value, out.data(), static_cast<int>(size)) != static_cast<int>(size)) {
    fail("a number does not fit its encoding");
  }
  return out;
}

SecureBytes to_fixed_secret(const BIGNUM* value, std::size_t size) {
  SecureBytes out(size);
  if (size > static_cast<std::size_t>(INT_MAX) ||
      BN_bn2binpad(value, out.data(), static_cast<int>(size)) != static_cast<int>(size)) {
    fail("a number does not fit its encoding");
  }
  return out;
}

EcPointPtr decode_ec_public_key(const PaceDomain::Impl& domain, ByteView encoded, const char* what) {
  const std::size_t size = domain.field_size;
  if (encoded.size() != 1 + 2 * size || encoded[0] != 0x04) {
    fail(std::string(what) + ": not an uncompressed point 04||X||Y of " + std::to_string(1 + 2 * size) +
         " bytes");
  }
  PublicBnPtr x = public_bn(encoded.subspan(1, size));
  PublicBnPtr y = public_bn(encoded.subspan(1 + size, size));
  if (BN_cmp(x.get(), domain.p.get()) >= 0 || BN_cmp(y.get(), domain.p.get()) >= 0) {
    fail(std::string(what) + ": a coordinate is not below the field prime");
  }
  BnCtxPtr ctx = new_bn_ctx();
  EcPointPtr point(EC_POINT_new(domain.group.get()));
  if (!point) openssl_failed("EC_POINT_new");
  // OpenSSL refuses coordinates off the curve here already; the explicit check below says why.
  if (EC_POINT_set_affine_coordinates(domain.group.get(), point.get(), x.get(), y.get(), ctx.get()) != 1 ||
      EC_POINT_is_on_curve(domain.group.get(), point.get(), ctx.get()) != 1) {
    fail(std::string(what) + ": the point is not on the curve");
  }
  if (EC_POINT_is_at_infinity(domain.group.get(), point.get()) == 1) {
    fail(std::string(what) + ": the point at infinity");
  }
  if (!BN_is_one(domain.cofactor.get())) {
    EcPointPtr check(EC_POINT_new(domain.group.get()));
    if (!check || EC_POINT_mul(domain.group.get(), check.get(), nullptr, point.get(), domain.order.get(),
                               ctx.get()) != 1) {
      openssl_failed("EC_POINT_mul");
    }
    if (EC_POINT_is_at_infinity(domain.group.get(), check.get()) != 1) {
      fail(std::string(what) + ": the point is not in the subgroup of order n");
    }
  }
  return point;
}

PublicBnPtr decode_dh_public_key(const PaceDomain::Impl& domain, ByteView encoded, const char* what) {
  if (encoded.empty() || encoded.size() > domain.field_size) {
    fail(std::string(what) + ": a DH value must have 1 to " + std::to_string(domain.field_size) + " bytes");
  }
  PublicBnPtr y = public_bn(encoded);
  PublicBnPtr p_minus_1 = copy_bn(domain.p.get());
  if (BN_sub_word(p_minus_1.get(), 1) != 1) openssl_failed("BN_sub_word");
  if (BN_cmp(y.get(), BN_value_one()) <= 0 || BN_cmp(y.get(), p_minus_1.get()) >= 0) {
    fail(std::string(what) + ": a DH value must satisfy 1 < y < p-1");
  }
  BnCtxPtr ctx = new_bn_ctx();
  PublicBnPtr power(BN_new());
  if (!power || BN_mod_exp(power.get(), y.get(), domain.q.get(), domain.p.get(), ctx.get()) != 1) {
    openssl_failed("BN_mod_exp");
  }
  if (!BN_is_one(power.get())) fail(std::string(what) + ": the DH value is not in the subgroup of order q");
  return y;
}

Bytes encode_ec_point(const PaceDomain::Impl& domain, const EC_POINT* point) {
  if (EC_POINT_is_at_infinity(domain.group.get(), point) == 1) fail("the point at infinity has no encoding");
  BnCtxPtr ctx = new_bn_ctx();
  PublicBnPtr x(BN_new());
  PublicBnPtr y(BN_new());
  if (!x || !y ||
      EC_POINT_get_affine_coordinates(domain.group.get(), point, x.get(), y.get(), ctx.get()) != 1) {
    openssl_failed("EC_POINT_get_affine_coordinates");
  }
  Bytes out{0x04};
  Bytes x_bytes = to_fixed(x.get(), domain.field_size);
  Bytes y_bytes = to_fixed(y.get(), domain.field_size);
  out.insert(out.end(), x_bytes.begin(), x_bytes.end());
  out.insert(out.end(), y_bytes.begin(), y_bytes.end());
  return out;
}

// y^x mod p with the exponent in constant time.
BnPtr dh_power(const PaceDomain::Impl& impl, const BIGNUM* base, const BIGNUM* exponent) {
  BnCtxPtr ctx = new_bn_ctx();
  BnPtr result = new_secret_bn();
  if (BN_mod_exp_mont_consttime(result.get(), base, exponent, impl.p.get(), ctx.get(), nullptr) != 1) {
    openssl_failed("BN_mod_exp_mont_consttime");
  }
  return result;
}

// d*P on the domain's group (P = nullptr: the generator); a single scalar takes OpenSSL's ladder.
EcPointPtr ec_multiply(const PaceDomain::Impl& impl, const BIGNUM* scalar, const EC_POINT* point) {
  BnCtxPtr ctx = new_bn_ctx();
  EcPointPtr result(EC_POINT_new(impl.group.get()));
  if (!result) openssl_failed("EC_POINT_new");
  int ok = point == nullptr
               ? EC_POINT_mul(impl.group.get(), result.get(), scalar, nullptr, nullptr, ctx.get())
               : EC_POINT_mul(impl.group.get(), result.get(), nullptr, point, scalar, ctx.get());
  if (ok != 1) openssl_failed("EC_POINT_mul");
  return result;
}

}  // namespace pace_detail
}  // namespace cccd::crypto
