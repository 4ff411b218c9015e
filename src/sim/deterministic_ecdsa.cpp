#include "sim/deterministic_ecdsa.hpp"

#include "asn1/der.hpp"
#include "crypto/openssl_ptr.hpp"
#include "sim/openssl_checks.hpp"
#include "util/bytes.hpp"
#include "util/secure_bytes.hpp"

#include <cccd/error.hpp>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>

namespace cccd::sim {
namespace {

using openssl::bn_from;
using openssl::check;
using openssl::checked;
using openssl::fail;
using openssl::new_bn;

// Fixed-width big-endian octets of a number below the order (RFC 6979 int2octets).
SecureBytes to_octets(const BIGNUM* value, std::size_t width) {
  SecureBytes out(width);
  check(BN_bn2binpad(value, out.data(), static_cast<int>(width)) == static_cast<int>(width) ? 1 : 0,
        "number too wide");
  return out;
}

EcGroupPtr new_group(int curve_nid) {
  EcGroupPtr group(EC_GROUP_new_by_curve_name(curve_nid));
  if (!group) throw Error(ErrorCode::invalid_argument, "ECDSA: unknown curve");
  return group;
}

SecureBytes hmac_sha256(ByteView key, std::initializer_list<ByteView> parts) {
  SecureBytes message;
  for (ByteView part : parts) message.insert(message.end(), part.begin(), part.end());
  SecureBytes out(32);
  unsigned int out_length = 0;
  checked(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), message.data(), message.size(),
               out.data(), &out_length),
          "HMAC");
  if (out_length != out.size()) fail("HMAC length");
  return out;
}

}  // namespace

Bytes deterministic_ecdsa_sign(int curve_nid, ByteView private_scalar, ByteView digest) {
  EcGroupPtr group = new_group(curve_nid);
  const BIGNUM* order = EC_GROUP_get0_order(group.get());
  BnCtxPtr ctx(checked(BN_CTX_secure_new(), "out of memory"));
  const int order_bits = BN_num_bits(order);
  const std::size_t order_bytes = static_cast<std::size_t>(order_bits + 7) / 8;

  BnPtr d = bn_from(private_scalar);
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), order) >= 0) {
    throw Error(ErrorCode::invalid_argument, "ECDSA: private scalar out of range");
  }
  // RFC 6979 bits2int: the leftmost qlen bits of a bit string as a number.
  auto bits2int = [&](ByteView bits) {
    BnPtr value = bn_from(bits);
    const int excess = static_cast<int>(bits.size() * 8) - order_bits;
    if (excess > 0) check(BN_rshift(value.get(), value.get(), excess), "BN_rshift");
    return value;
  };

  BnPtr e = bits2int(digest);
  BnPtr e_reduced = new_bn();
  check(BN_nnmod(e_reduced.get(), e.get(), order, ctx.get()), "BN_nnmod");
  const SecureBytes x_octets = to_octets(d.get(), order_bytes);
  const SecureBytes h_octets = to_octets(e_reduced.get(), order_bytes);  // bits2octets(h1)

  // RFC 6979 section 3.2 steps b to f.
  SecureBytes v(32, 0x01);
  SecureBytes k_mac(32, 0x00);
  const std::uint8_t zero = 0x00;
  const std::uint8_t one = 0x01;
  k_mac = hmac_sha256(view(k_mac), {view(v), ByteView(&zero, 1), view(x_octets), view(h_octets)});
  v = hmac_sha256(view(k_mac), {view(v)});
  k_mac = hmac_sha256(view(k_mac), {view(v), ByteView(&one, 1), view(x_octets), view(h_octets)});
  v = hmac_sha256(view(k_mac), {view(v)});

  EcPointPtr point(checked(EC_POINT_new(group.get()), "out of memory"));
  BnPtr k = new_bn(), r = new_bn(), s = new_bn(), x = new_bn(), k_inverse = new_bn(), rd = new_bn();
  // Step h: a candidate k is rejected with probability about 2^-128 per round on the curves used here.
  for (int round = 0; round < 64; ++round) {
    SecureBytes t;
    while (t.size() < order_bytes) {
      v = hmac_sha256(view(k_mac), {view(v)});
      t.insert(t.end(), v.begin(), v.end());
    }
    k = bits2int(ByteView(t.data(), order_bytes));
    if (!BN_is_zero(k.get()) && BN_cmp(k.get(), order) < 0) {
      check(EC_POINT_mul(group.get(), point.get(), k.get(), nullptr, nullptr, ctx.get()), "EC_POINT_mul");
      check(EC_POINT_get_affine_coordinates(group.get(), point.get(), x.get(), nullptr, ctx.get()),
            "EC_POINT_get_affine_coordinates");
      check(BN_nnmod(r.get(), x.get(), order, ctx.get()), "BN_nnmod");
      if (!BN_is_zero(r.get())) {
        // s = k^-1 (e + r d) mod n
        checked(BN_mod_inverse(k_inverse.get(), k.get(), order, ctx.get()), "BN_mod_inverse");
        check(BN_mod_mul(rd.get(), r.get(), d.get(), order, ctx.get()), "BN_mod_mul");
        check(BN_mod_add(rd.get(), rd.get(), e_reduced.get(), order, ctx.get()), "BN_mod_add");
        check(BN_mod_mul(s.get(), k_inverse.get(), rd.get(), order, ctx.get()), "BN_mod_mul");
        if (!BN_is_zero(s.get())) {
          const SecureBytes r_octets = to_octets(r.get(), order_bytes);
          const SecureBytes s_octets = to_octets(s.get(), order_bytes);
          return asn1::der_sequence(
              {asn1::der_integer_unsigned(view(r_octets)), asn1::der_integer_unsigned(view(s_octets))});
        }
      }
    }
    k_mac = hmac_sha256(view(k_mac), {view(v), ByteView(&zero, 1)});
    v = hmac_sha256(view(k_mac), {view(v)});
  }
  fail("no nonce found");
}

Bytes ec_public_point(int curve_nid, ByteView private_scalar) {
  EcGroupPtr group = new_group(curve_nid);
  BnCtxPtr ctx(checked(BN_CTX_secure_new(), "out of memory"));
  BnPtr d = bn_from(private_scalar);
  EcPointPtr point(checked(EC_POINT_new(group.get()), "out of memory"));
  check(EC_POINT_mul(group.get(), point.get(), d.get(), nullptr, nullptr, ctx.get()), "EC_POINT_mul");
  const std::size_t length =
      EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, nullptr, 0, ctx.get());
  if (length == 0) fail("EC_POINT_point2oct");
  Bytes out(length);
  if (EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(),
                         ctx.get()) != length) {
    fail("EC_POINT_point2oct");
  }
  return out;
}

Bytes ec_group_order(int curve_nid) {
  EcGroupPtr group = new_group(curve_nid);
  const BIGNUM* order = EC_GROUP_get0_order(group.get());
  Bytes out(static_cast<std::size_t>(BN_num_bytes(order)));
  BN_bn2bin(order, out.data());
  return out;
}

}  // namespace cccd::sim
