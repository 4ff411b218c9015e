#include "crypto/pace_mapping.hpp"

#include "crypto/pace_domain_impl.hpp"

#include <cccd/error.hpp>

#include <array>
#include <string>

namespace cccd::crypto {
namespace {

using namespace pace_detail;

// The constants c0 and c1 of the pseudo-random function (Part 11 4.4.3.3.2): 128-bit for 3DES and
// AES-128, 256-bit for AES-192 and AES-256.
constexpr std::array<std::uint8_t, 16> kC0Short = {0xA6, 0x68, 0x89, 0x2A, 0x7C, 0x41, 0xE3, 0xCA,
                                                   0x73, 0x9F, 0x40, 0xB0, 0x57, 0xD8, 0x59, 0x04};
constexpr std::array<std::uint8_t, 16> kC1Short = {0xA4, 0xE1, 0x36, 0xAC, 0x72, 0x5F, 0x73, 0x8B,
                                                   0x01, 0xC1, 0xF6, 0x02, 0x17, 0xC1, 0x88, 0xAD};
constexpr std::array<std::uint8_t, 32> kC0Long = {
    0xD4, 0x63, 0xD6, 0x52, 0x34, 0x12, 0x4E, 0xF7, 0x89, 0x70, 0x54, 0x98, 0x6D, 0xCA, 0x0A, 0x17,
    0x4E, 0x28, 0xDF, 0x75, 0x8C, 0xBA, 0xA0, 0x3F, 0x24, 0x06, 0x16, 0x41, 0x4D, 0x5A, 0x16, 0x76};
constexpr std::array<std::uint8_t, 32> kC1Long = {
    0x54, 0xBD, 0x72, 0x55, 0xF0, 0xAA, 0xF8, 0x31, 0xBE, 0xC3, 0x42, 0x3F, 0xCF, 0x39, 0xD6, 0x9B,
    0x6C, 0xBF, 0x06, 0x66, 0x77, 0xD0, 0xFA, 0xAE, 0x5A, 0xAD, 0xD9, 0x9D, 0xF8, 0xE5, 0x35, 0x17};

[[noreturn]] void bad_argument(const std::string& what) {
  throw Error(ErrorCode::invalid_argument, what);
}

// The length l of s and of each output of R: the smallest multiple of the block at least the key
// (3DES counts as a 128-bit key).
std::size_t prf_block_length(CipherKind cipher) {
  return cipher == CipherKind::tdes || cipher == CipherKind::aes128 ? 16 : 32;
}

// E(key, data) in CBC with a zero IV, the key truncated to the cipher's key length (AES-192 uses the
// first 24 of the 32 bytes of a chained key).
SecureBytes prf_encrypt(CipherKind cipher, ByteView key, ByteView data) {
  ByteView used_key = key.first(key_length(cipher));
  Bytes out = cipher == CipherKind::tdes ? tdes_cbc_encrypt(used_key, Bytes(8, 0), data)
                                         : aes_cbc_encrypt(used_key, Bytes(16, 0), data);
  SecureBytes result = secure_copy(out);
  secure_wipe(out.data(), out.size());
  return result;
}

void ensure_ecdh(const PaceDomain& domain, const char* what) {
  if (domain.kind() != PaceDomainKind::ecdh) {
    throw Error(ErrorCode::not_supported, std::string(what) + " is defined for ECDH only");
  }
}

// f_G of Part 11 appendix B / [BCIMRT2010] for p = 3 mod 4: the simplified SWU encoding of u != 0.
EcPointPtr encode_field_element(const PaceDomain::Impl& domain, const BIGNUM* u) {
  const BIGNUM* p = domain.p.get();
  if (!BN_is_bit_set(p, 0) || !BN_is_bit_set(p, 1)) {
    throw Error(ErrorCode::not_supported, "Integrated Mapping point encoding needs p = 3 mod 4, which " +
                                              domain.name + " does not have");
  }
  if (BN_is_zero(domain.a.get())) {
    throw Error(ErrorCode::not_supported, "Integrated Mapping point encoding needs a curve with a != 0");
  }
  if (BN_is_zero(u) || BN_cmp(u, p) >= 0) fail("Integrated Mapping: the field element is not in 1..p-1");
  BnCtxPtr ctx = new_bn_ctx();
  BN_CTX* c = ctx.get();
  BnPtr alpha = new_secret_bn();
  BnPtr sum = new_secret_bn();
  BnPtr x2 = new_secret_bn();
  BnPtr x3 = new_secret_bn();
  BnPtr h2 = new_secret_bn();
  BnPtr h3 = new_secret_bn();
  BnPtr temp = new_secret_bn();
  BnPtr exponent = new_secret_bn();
  BnPtr root_factor = new_secret_bn();
  BnPtr y = new_secret_bn();
  PublicBnPtr a_inverse(BN_mod_inverse(nullptr, domain.a.get(), p, c));
  if (!a_inverse) fail("Integrated Mapping: the curve coefficient a has no inverse mod p");

  // alpha = -u^2; X2 = -b * a^-1 * (1 + (alpha + alpha^2)^-1); X3 = alpha * X2.
  bool ok = BN_mod_sqr(alpha.get(), u, p, c) == 1 && BN_mod_sub(alpha.get(), p, alpha.get(), p, c) == 1 &&
            BN_mod_sqr(sum.get(), alpha.get(), p, c) == 1 &&
            BN_mod_add(sum.get(), sum.get(), alpha.get(), p, c) == 1;
  if (!ok) openssl_failed("BN arithmetic (point encoding)");
  if (BN_is_zero(sum.get()))
    fail("Integrated Mapping: the field element has no encoding (alpha + alpha^2 = 0)");
  ok = BN_mod_inverse(temp.get(), sum.get(), p, c) != nullptr && BN_add_word(temp.get(), 1) == 1 &&
       BN_mod_mul(x2.get(), temp.get(), a_inverse.get(), p, c) == 1 &&
       BN_mod_mul(x2.get(), x2.get(), domain.b.get(), p, c) == 1 &&
       BN_mod_sub(x2.get(), p, x2.get(), p, c) == 1 && BN_mod_mul(x3.get(), alpha.get(), x2.get(), p, c) == 1;
  if (!ok) openssl_failed("BN arithmetic (point encoding)");

  // h = X^3 + a*X + b for both candidates.
  auto curve_rhs = [&](BIGNUM* out, const BIGNUM* x) {
    return BN_mod_sqr(temp.get(), x, p, c) == 1 &&
           BN_mod_add(temp.get(), temp.get(), domain.a.get(), p, c) == 1 &&
           BN_mod_mul(out, temp.get(), x, p, c) == 1 && BN_mod_add(out, out, domain.b.get(), p, c) == 1;
  };
  if (!curve_rhs(h2.get(), x2.get()) || !curve_rhs(h3.get(), x3.get())) {
    openssl_failed("BN arithmetic (point encoding)");
  }
  // A = h2^(p - 1 - (p+1)/4). When A^2 * h2 = 1, h2 is a square with root A*h2; otherwise h3 is, with
  // root A * u^3 * h2.
  ok = BN_copy(exponent.get(), p) != nullptr && BN_add_word(exponent.get(), 1) == 1 &&
       BN_rshift(exponent.get(), exponent.get(), 2) == 1 && BN_sub(exponent.get(), p, exponent.get()) == 1 &&
       BN_sub_word(exponent.get(), 1) == 1 &&
       BN_mod_exp_mont_consttime(root_factor.get(), h2.get(), exponent.get(), p, c, nullptr) == 1 &&
       BN_mod_sqr(temp.get(), root_factor.get(), p, c) == 1 &&
       BN_mod_mul(temp.get(), temp.get(), h2.get(), p, c) == 1;
  if (!ok) openssl_failed("BN arithmetic (point encoding)");
  const BIGNUM* x = nullptr;
  if (BN_is_one(temp.get())) {
    x = x2.get();
    ok = BN_mod_mul(y.get(), root_factor.get(), h2.get(), p, c) == 1;
  } else {
    x = x3.get();
    ok = BN_mod_sqr(temp.get(), u, p, c) == 1 && BN_mod_mul(temp.get(), temp.get(), u, p, c) == 1 &&
         BN_mod_mul(temp.get(), temp.get(), h2.get(), p, c) == 1 &&
         BN_mod_mul(y.get(), root_factor.get(), temp.get(), p, c) == 1;
  }
  if (!ok) openssl_failed("BN arithmetic (point encoding)");
  EcPointPtr point(EC_POINT_new(domain.group.get()));
  if (!point || EC_POINT_set_affine_coordinates(domain.group.get(), point.get(), x, y.get(), c) != 1 ||
      EC_POINT_is_on_curve(domain.group.get(), point.get(), c) != 1) {
    fail("Integrated Mapping: the encoded point is not on the curve");
  }
  return point;
}

}  // namespace

PaceDomain generic_mapping(const PaceDomain& domain, ByteView nonce, ByteView shared_element) {
  const PaceDomain::Impl& impl = domain.impl();
  if (nonce.empty() || nonce.size() > 64) bad_argument("Generic Mapping: the nonce must have 1 to 64 bytes");
  BnPtr s = secret_bn(nonce);
  if (BN_is_zero(s.get())) fail("Generic Mapping: the nonce is zero");
  if (impl.kind == PaceDomainKind::dh) {
    PublicBnPtr h = decode_dh_public_key(impl, shared_element, "Generic Mapping shared element h");
    BnPtr mapped = dh_power(impl, impl.g.get(), s.get());
    BnCtxPtr ctx = new_bn_ctx();
    if (BN_mod_mul(mapped.get(), mapped.get(), h.get(), impl.p.get(), ctx.get()) != 1)
      openssl_failed("BN_mod_mul");
    if (BN_is_one(mapped.get())) fail("Generic Mapping: the mapped generator is 1");
    return with_dh_generator(impl, mapped.get());
  }
  EcPointPtr h = decode_ec_public_key(impl, shared_element, "Generic Mapping shared point H");
  // s*G by the ladder, then + H (a two-scalar EC_POINT_mul would not be constant time in s).
  EcPointPtr mapped = ec_multiply(impl, s.get(), nullptr);
  BnCtxPtr ctx = new_bn_ctx();
  if (EC_POINT_add(impl.group.get(), mapped.get(), mapped.get(), h.get(), ctx.get()) != 1) {
    openssl_failed("EC_POINT_add");
  }
  if (EC_POINT_is_at_infinity(impl.group.get(), mapped.get()) == 1) {
    fail("Generic Mapping: the mapped generator is the point at infinity");
  }
  return with_ec_generator(impl, mapped.get());
}

SecureBytes integrated_mapping_prf(const PaceDomain& domain, CipherKind cipher, ByteView nonce_s,
                                   ByteView nonce_t) {
  const std::size_t l = prf_block_length(cipher);
  if (nonce_t.size() != key_length(cipher)) {
    bad_argument("Integrated Mapping: the nonce t must have " + std::to_string(key_length(cipher)) +
                 " bytes for " + std::string(cipher_name(cipher)));
  }
  if (nonce_s.size() != l) {
    // s comes from the chip.
    throw Error(ErrorCode::malformed_data, "Integrated Mapping: the nonce s must have " + std::to_string(l) +
                                               " bytes for " + std::string(cipher_name(cipher)));
  }
  ByteView c0 = l == 16 ? ByteView(kC0Short) : ByteView(kC0Long);
  ByteView c1 = l == 16 ? ByteView(kC1Short) : ByteView(kC1Long);
  const std::size_t count = (domain.field_bits() + 64 + 8 * l - 1) / (8 * l);
  SecureBytes key = prf_encrypt(cipher, nonce_t, nonce_s);
  SecureBytes output;
  output.reserve(count * l);
  for (std::size_t i = 0; i < count; ++i) {
    SecureBytes block = prf_encrypt(cipher, key, c1);
    output.insert(output.end(), block.begin(), block.end());
    key = prf_encrypt(cipher, key, c0);
  }
  return output;
}

PaceDomain integrated_mapping(const PaceDomain& domain, CipherKind cipher, ByteView nonce_s,
                              ByteView nonce_t) {
  const PaceDomain::Impl& impl = domain.impl();
  SecureBytes random = integrated_mapping_prf(domain, cipher, nonce_s, nonce_t);
  BnPtr x = secret_bn(random);
  BnPtr u = new_secret_bn();
  BnCtxPtr ctx = new_bn_ctx();
  if (BN_nnmod(u.get(), x.get(), impl.p.get(), ctx.get()) != 1) openssl_failed("BN_nnmod");
  if (impl.kind == PaceDomainKind::dh) {
    // g' = u^((p-1)/q) mod p, which lies in the subgroup of order q; it must not be 1 (or 0).
    PublicBnPtr exponent = copy_bn(impl.p.get());
    if (BN_sub_word(exponent.get(), 1) != 1 ||
        BN_div(exponent.get(), nullptr, exponent.get(), impl.q.get(), ctx.get()) != 1) {
      openssl_failed("BN_div");
    }
    BnPtr mapped = new_secret_bn();
    if (BN_mod_exp_mont_consttime(mapped.get(), u.get(), exponent.get(), impl.p.get(), ctx.get(), nullptr) !=
        1) {
      openssl_failed("BN_mod_exp_mont_consttime");
    }
    if (BN_is_zero(mapped.get()) || BN_is_one(mapped.get()))
      fail("Integrated Mapping: the mapped generator is 1");
    return with_dh_generator(impl, mapped.get());
  }
  EcPointPtr point = encode_field_element(impl, u.get());
  if (!BN_is_one(impl.cofactor.get())) {
    if (EC_POINT_mul(impl.group.get(), point.get(), nullptr, point.get(), impl.cofactor.get(), ctx.get()) !=
        1) {
      openssl_failed("EC_POINT_mul");
    }
  }
  if (EC_POINT_is_at_infinity(impl.group.get(), point.get()) == 1) {
    fail("Integrated Mapping: the mapped generator is the point at infinity");
  }
  return with_ec_generator(impl, point.get());
}

Bytes integrated_mapping_point_encoding(const PaceDomain& domain, ByteView field_element) {
  ensure_ecdh(domain, "the Integrated Mapping point encoding");
  const PaceDomain::Impl& impl = domain.impl();
  if (field_element.empty() || field_element.size() > impl.field_size) {
    bad_argument("Integrated Mapping: a field element must have 1 to " + std::to_string(impl.field_size) +
                 " bytes");
  }
  BnPtr u = secret_bn(field_element);
  EcPointPtr point = encode_field_element(impl, u.get());
  return encode_ec_point(impl, point.get());
}

SecureBytes cam_chip_authentication_data(const PaceDomain& domain, ByteView static_private_key_ic,
                                         ByteView mapping_private_key_ic) {
  ensure_ecdh(domain, "Chip Authentication Mapping");
  const PaceDomain::Impl& impl = domain.impl();
  BnPtr static_key = parse_private_key(impl, static_private_key_ic);
  BnPtr mapping_key = parse_private_key(impl, mapping_private_key_ic);
  BnCtxPtr ctx = new_bn_ctx();
  BnPtr result = new_secret_bn();
  // n is prime and 1 <= SK_IC < n, so the inverse exists.
  if (BN_mod_inverse(result.get(), static_key.get(), impl.order.get(), ctx.get()) == nullptr ||
      BN_mod_mul(result.get(), result.get(), mapping_key.get(), impl.order.get(), ctx.get()) != 1) {
    openssl_failed("BN arithmetic (CA_IC)");
  }
  return to_fixed_secret(result.get(), impl.order_size);
}

namespace {

// IV = E(KSenc, -1): one AES block of all ones, encrypted. CAM exists with AES only.
Bytes cam_iv(CipherKind cipher, ByteView ks_enc) {
  if (cipher == CipherKind::tdes) {
    throw Error(ErrorCode::not_supported, "Chip Authentication Mapping is defined with AES only");
  }
  if (ks_enc.size() != key_length(cipher)) {
    bad_argument("Chip Authentication Mapping: KSenc must have " + std::to_string(key_length(cipher)) +
                 " bytes");
  }
  return aes_ecb_encrypt_block(ks_enc, Bytes(16, 0xFF));
}

}  // namespace

Bytes cam_encrypt_chip_authentication_data(CipherKind cipher, ByteView ks_enc, ByteView ca_ic) {
  Bytes iv = cam_iv(cipher, ks_enc);
  if (ca_ic.empty()) bad_argument("Chip Authentication Mapping: CA_IC is empty");
  Bytes padded = pad_iso9797_m2(ca_ic, 16);
  Bytes encrypted = aes_cbc_encrypt(ks_enc, iv, padded);
  secure_wipe(padded.data(), padded.size());
  return encrypted;
}

SecureBytes cam_decrypt_chip_authentication_data(CipherKind cipher, ByteView ks_enc, ByteView a_ic) {
  Bytes iv = cam_iv(cipher, ks_enc);
  if (a_ic.empty() || a_ic.size() % 16 != 0 || a_ic.size() > 256) {
    fail(
        "Chip Authentication Mapping: the encrypted chip authentication data must be 16 to 256 bytes in "
        "whole "
        "AES blocks");
  }
  Bytes padded = aes_cbc_decrypt(ks_enc, iv, a_ic);
  SecureBytes secret_padded = secure_copy(padded);
  secure_wipe(padded.data(), padded.size());
  try {
    Bytes plain = unpad_iso9797_m2(secret_padded);
    SecureBytes result = secure_copy(plain);
    secure_wipe(plain.data(), plain.size());
    return result;
  } catch (const Error&) {
    fail("Chip Authentication Mapping: the decrypted chip authentication data has no ISO 9797-1 padding");
  }
}

void cam_verify_chip(const PaceDomain& domain, ByteView ca_ic, ByteView static_public_key_ic,
                     ByteView mapping_public_key_ic) {
  ensure_ecdh(domain, "Chip Authentication Mapping");
  const PaceDomain::Impl& impl = domain.impl();
  if (ca_ic.empty() || ca_ic.size() > impl.field_size) {
    fail("Chip Authentication Mapping: CA_IC must have 1 to " + std::to_string(impl.field_size) + " bytes");
  }
  BnPtr ca = secret_bn(ca_ic);
  if (BN_is_zero(ca.get()) || BN_cmp(ca.get(), impl.order.get()) >= 0) {
    fail("Chip Authentication Mapping: CA_IC is not in 1..n-1");
  }
  EcPointPtr static_key = decode_ec_public_key(impl, static_public_key_ic, "chip's static public key PK_IC");
  EcPointPtr mapping_key = decode_ec_public_key(impl, mapping_public_key_ic, "chip's mapping public key");
  EcPointPtr expected = ec_multiply(impl, ca.get(), static_key.get());
  BnCtxPtr ctx = new_bn_ctx();
  int compare = EC_POINT_cmp(impl.group.get(), expected.get(), mapping_key.get(), ctx.get());
  if (compare < 0) openssl_failed("EC_POINT_cmp");
  if (compare != 0) {
    fail(
        "Chip Authentication Mapping: CA_IC * PK_IC is not the chip's mapping public key (chip not "
        "authenticated)");
  }
}

}  // namespace cccd::crypto
