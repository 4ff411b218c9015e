#include "crypto/pace_domain.hpp"

#include "crypto/pace_domain_impl.hpp"

#include <cccd/error.hpp>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include <array>
#include <climits>
#include <string>
#include <utility>

namespace cccd::crypto {
namespace pace_detail {

namespace {

// The standardized ECDH domains of ICAO Doc 9303 Part 11 section 9.5.1: id, curve, and the named-curve
// OID that an AlgorithmIdentifier uses for it (SEC 2 / RFC 5639). One table for both directions.
struct StandardizedCurve {
  int parameter_id;
  int nid;
  const char* name;
  std::string_view oid;
};
constexpr StandardizedCurve kStandardizedCurves[] = {
    {8, NID_X9_62_prime192v1, "NIST P-192", "1.2.840.10045.3.1.1"},
    {9, NID_brainpoolP192r1, "brainpoolP192r1", "1.3.36.3.3.2.8.1.1.3"},
    {10, NID_secp224r1, "NIST P-224", "1.3.132.0.33"},
    {11, NID_brainpoolP224r1, "brainpoolP224r1", "1.3.36.3.3.2.8.1.1.5"},
    {12, NID_X9_62_prime256v1, "NIST P-256", "1.2.840.10045.3.1.7"},
    {13, NID_brainpoolP256r1, "brainpoolP256r1", "1.3.36.3.3.2.8.1.1.7"},
    {14, NID_brainpoolP320r1, "brainpoolP320r1", "1.3.36.3.3.2.8.1.1.9"},
    {15, NID_secp384r1, "NIST P-384", "1.3.132.0.34"},
    {16, NID_brainpoolP384r1, "brainpoolP384r1", "1.3.36.3.3.2.8.1.1.11"},
    {17, NID_brainpoolP512r1, "brainpoolP512r1", "1.3.36.3.3.2.8.1.1.13"},
    {18, NID_secp521r1, "NIST P-521", "1.3.132.0.35"},
};

// A curve group built from its numbers: the generic OpenSSL method (Montgomery ladder for one scalar),
// so a mapped generator never meets code specialised for the standard one.
EcGroupPtr curve_group(const PaceDomain::Impl& domain, const EC_POINT* generator) {
  BnCtxPtr ctx = new_bn_ctx();
  EcGroupPtr group(EC_GROUP_new_curve_GFp(domain.p.get(), domain.a.get(), domain.b.get(), ctx.get()));
  if (!group) openssl_failed("EC_GROUP_new_curve_GFp");
  // The point belongs to domain.group; move it across through its coordinates.
  PublicBnPtr x(BN_new());
  PublicBnPtr y(BN_new());
  EcPointPtr moved(EC_POINT_new(group.get()));
  if (!x || !y || !moved ||
      EC_POINT_get_affine_coordinates(domain.group.get(), generator, x.get(), y.get(), ctx.get()) != 1 ||
      EC_POINT_set_affine_coordinates(group.get(), moved.get(), x.get(), y.get(), ctx.get()) != 1) {
    openssl_failed("EC_POINT_set_affine_coordinates");
  }
  if (EC_GROUP_set_generator(group.get(), moved.get(), domain.order.get(), domain.cofactor.get()) != 1) {
    openssl_failed("EC_GROUP_set_generator");
  }
  return group;
}

}  // namespace

PaceDomain with_ec_generator(const PaceDomain::Impl& domain, const EC_POINT* generator) {
  auto impl = std::make_shared<PaceDomain::Impl>();
  impl->kind = PaceDomainKind::ecdh;
  impl->name = domain.name + " (mapped generator)";
  impl->parameter_id = domain.parameter_id;
  impl->field_bits = domain.field_bits;
  impl->field_size = domain.field_size;
  impl->order_size = domain.order_size;
  impl->p = copy_bn(domain.p.get());
  impl->a = copy_bn(domain.a.get());
  impl->b = copy_bn(domain.b.get());
  impl->order = copy_bn(domain.order.get());
  impl->cofactor = copy_bn(domain.cofactor.get());
  impl->group = curve_group(domain, generator);
  return PaceDomain(std::move(impl));
}

PaceDomain with_dh_generator(const PaceDomain::Impl& domain, const BIGNUM* generator) {
  auto impl = std::make_shared<PaceDomain::Impl>();
  impl->kind = PaceDomainKind::dh;
  impl->name = domain.name + " (mapped generator)";
  impl->parameter_id = domain.parameter_id;
  impl->field_bits = domain.field_bits;
  impl->field_size = domain.field_size;
  impl->order_size = domain.order_size;
  impl->p = copy_bn(domain.p.get());
  impl->q = copy_bn(domain.q.get());
  impl->g = copy_bn(generator);
  return PaceDomain(std::move(impl));
}

}  // namespace pace_detail

namespace {

using namespace pace_detail;

constexpr int kMaxEcFieldBits = 521;
constexpr int kMinEcFieldBits = 192;
constexpr int kMaxDhFieldBits = 4096;
constexpr int kMinDhFieldBits = 1024;
constexpr int kMinDhOrderBits = 160;
constexpr int kMaxCofactorBits = 16;

[[noreturn]] void bad_private_key(const std::string& why) {
  throw Error(ErrorCode::invalid_argument, "PACE private key: " + why);
}

std::size_t byte_size(const BIGNUM* value) {
  return static_cast<std::size_t>(BN_num_bytes(value));
}

void fill_sizes(PaceDomain::Impl& impl, const BIGNUM* order) {
  impl.field_bits = static_cast<std::size_t>(BN_num_bits(impl.p.get()));
  impl.field_size = byte_size(impl.p.get());
  impl.order_size = byte_size(order);
}

// Copies the numbers of a complete curve group into the Impl.
void take_curve_numbers(PaceDomain::Impl& impl) {
  BnCtxPtr ctx = new_bn_ctx();
  impl.p.reset(BN_new());
  impl.a.reset(BN_new());
  impl.b.reset(BN_new());
  if (!impl.p || !impl.a || !impl.b ||
      EC_GROUP_get_curve(impl.group.get(), impl.p.get(), impl.a.get(), impl.b.get(), ctx.get()) != 1) {
    openssl_failed("EC_GROUP_get_curve");
  }
  const BIGNUM* order = EC_GROUP_get0_order(impl.group.get());
  const BIGNUM* cofactor = EC_GROUP_get0_cofactor(impl.group.get());
  if (order == nullptr || cofactor == nullptr) openssl_failed("EC_GROUP_get0_order");
  impl.order = copy_bn(order);
  impl.cofactor = copy_bn(cofactor);
  fill_sizes(impl, order);
}

PaceDomain named_curve(int parameter_id, int nid, const char* name) {
  auto impl = std::make_shared<PaceDomain::Impl>();
  impl->kind = PaceDomainKind::ecdh;
  impl->name = name;
  impl->parameter_id = parameter_id;
  impl->group.reset(EC_GROUP_new_by_curve_name(nid));
  if (!impl->group) {
    throw Error(ErrorCode::not_supported, std::string("OpenSSL does not provide the curve ") + name);
  }
  take_curve_numbers(*impl);
  return PaceDomain(std::move(impl));
}

// The RFC 5114 groups as OpenSSL names them ("dh_1024_160" ...): p, g and q of the named group.
PaceDomain named_dh_group(int parameter_id, const char* group_name, const char* name) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "DHX", nullptr));
  if (!ctx || EVP_PKEY_paramgen_init(ctx.get()) <= 0) openssl_failed("EVP_PKEY_paramgen_init (DH)");
  std::string group_name_copy = group_name;
  std::array<OSSL_PARAM, 2> params = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group_name_copy.data(), 0),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_CTX_set_params(ctx.get(), params.data()) <= 0 || EVP_PKEY_paramgen(ctx.get(), &raw) <= 0) {
    throw Error(ErrorCode::not_supported, std::string("OpenSSL does not provide the DH group ") + name);
  }
  EvpPkeyPtr pkey(raw);
  BIGNUM* p = nullptr;
  BIGNUM* g = nullptr;
  BIGNUM* q = nullptr;
  int ok = EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_FFC_P, &p);
  PublicBnPtr p_owner(p);
  ok &= EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_FFC_G, &g);
  PublicBnPtr g_owner(g);
  ok &= EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_FFC_Q, &q);
  PublicBnPtr q_owner(q);
  if (ok != 1 || !p || !g || !q) openssl_failed("EVP_PKEY_get_bn_param (DH group)");
  auto impl = std::make_shared<PaceDomain::Impl>();
  impl->kind = PaceDomainKind::dh;
  impl->name = name;
  impl->parameter_id = parameter_id;
  impl->p = std::move(p_owner);
  impl->g = std::move(g_owner);
  impl->q = std::move(q_owner);
  fill_sizes(*impl, impl->q.get());
  return PaceDomain(std::move(impl));
}

// A number of an explicit domain: not empty, at most `max_bits` once leading zeros are dropped.
PublicBnPtr explicit_number(ByteView bytes, const char* what, const char* domain, int max_bits) {
  if (bytes.empty()) fail(std::string("explicit ") + domain + " parameters: " + what + " is empty");
  if (bytes.size() > static_cast<std::size_t>(max_bits) / 8 + 2) {
    throw Error(ErrorCode::limit_exceeded, std::string("explicit ") + domain + " parameters: " + what +
                                               " is longer than " + std::to_string(max_bits) + " bits");
  }
  PublicBnPtr value = public_bn(bytes);
  if (BN_num_bits(value.get()) > max_bits) {
    throw Error(ErrorCode::limit_exceeded, std::string("explicit ") + domain + " parameters: " + what +
                                               " is longer than " + std::to_string(max_bits) + " bits");
  }
  return value;
}

bool is_prime(const BIGNUM* value, BN_CTX* ctx) {
  int result = BN_check_prime(value, ctx, nullptr);
  if (result < 0) openssl_failed("BN_check_prime");
  return result == 1;
}

// Hasse: |h*n - (p+1)| <= 2*sqrt(p), checked as (h*n - p - 1)^2 <= 4p.
bool within_hasse_bound(const BIGNUM* p, const BIGNUM* order, const BIGNUM* cofactor, BN_CTX* ctx) {
  PublicBnPtr points(BN_new());
  PublicBnPtr square(BN_new());
  PublicBnPtr four_p(BN_new());
  if (!points || !square || !four_p || BN_mul(points.get(), order, cofactor, ctx) != 1 ||
      BN_sub(points.get(), points.get(), p) != 1 || BN_sub_word(points.get(), 1) != 1 ||
      BN_sqr(square.get(), points.get(), ctx) != 1 || BN_lshift(four_p.get(), p, 2) != 1) {
    openssl_failed("BN arithmetic");
  }
  return BN_cmp(square.get(), four_p.get()) <= 0;
}

}  // namespace

namespace pace_detail {

BnPtr parse_private_key(const PaceDomain::Impl& impl, ByteView private_key) {
  if (private_key.empty() || private_key.size() > impl.field_size) {
    bad_private_key("must have 1 to " + std::to_string(impl.field_size) + " bytes");
  }
  BnPtr key = secret_bn(private_key);
  const BIGNUM* limit = impl.kind == PaceDomainKind::ecdh ? impl.order.get() : impl.p.get();
  if (BN_is_zero(key.get()) || BN_cmp(key.get(), limit) >= 0) {
    bad_private_key(impl.kind == PaceDomainKind::ecdh ? "must satisfy 1 <= d < n"
                                                      : "must satisfy 1 <= x < p");
  }
  return key;
}

}  // namespace pace_detail

PaceDomain::PaceDomain(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

std::optional<std::string_view> standardized_curve_oid(int parameter_id) noexcept {
  for (const StandardizedCurve& curve : kStandardizedCurves) {
    if (curve.parameter_id == parameter_id) return curve.oid;
  }
  return std::nullopt;
}

std::optional<int> standardized_curve_id(std::string_view curve_oid) noexcept {
  for (const StandardizedCurve& curve : kStandardizedCurves) {
    if (curve.oid == curve_oid) return curve.parameter_id;
  }
  return std::nullopt;
}

PaceDomain PaceDomain::standardized(int parameter_id) {
  switch (parameter_id) {
    case 0:
      return named_dh_group(0, "dh_1024_160", "RFC 5114 1024-bit MODP group with 160-bit subgroup");
    case 1:
      return named_dh_group(1, "dh_2048_224", "RFC 5114 2048-bit MODP group with 224-bit subgroup");
    case 2:
      return named_dh_group(2, "dh_2048_256", "RFC 5114 2048-bit MODP group with 256-bit subgroup");
    default:
      for (const StandardizedCurve& curve : kStandardizedCurves) {
        if (curve.parameter_id == parameter_id) return named_curve(parameter_id, curve.nid, curve.name);
      }
      throw Error(ErrorCode::not_supported, "PACE standardized domain parameter id " +
                                                std::to_string(parameter_id) + " is reserved or unknown");
  }
}

PaceDomain PaceDomain::explicit_ec(const EcDomainParameters& parameters) {
  const char* kind = "EC";
  PublicBnPtr p = explicit_number(parameters.p, "p", kind, kMaxEcFieldBits);
  PublicBnPtr a = explicit_number(parameters.a, "a", kind, kMaxEcFieldBits);
  PublicBnPtr b = explicit_number(parameters.b, "b", kind, kMaxEcFieldBits);
  PublicBnPtr order = explicit_number(parameters.order, "the order n", kind, kMaxEcFieldBits + 1);
  PublicBnPtr cofactor = parameters.cofactor.empty()
                             ? copy_bn(BN_value_one())
                             : explicit_number(parameters.cofactor, "the cofactor", kind, kMaxCofactorBits);
  BnCtxPtr ctx = new_bn_ctx();
  if (BN_num_bits(p.get()) < kMinEcFieldBits) {
    fail("explicit EC parameters: p has fewer than " + std::to_string(kMinEcFieldBits) + " bits");
  }
  if (!BN_is_odd(p.get()) || !is_prime(p.get(), ctx.get()))
    fail("explicit EC parameters: p is not an odd prime");
  if (BN_cmp(a.get(), p.get()) >= 0 || BN_cmp(b.get(), p.get()) >= 0) {
    fail("explicit EC parameters: a or b is not below p");
  }
  if (BN_is_zero(cofactor.get())) fail("explicit EC parameters: the cofactor is zero");
  if (!is_prime(order.get(), ctx.get())) fail("explicit EC parameters: the order n is not prime");
  if (BN_cmp(order.get(), p.get()) == 0)
    fail("explicit EC parameters: the order n equals p (anomalous curve)");
  if (!within_hasse_bound(p.get(), order.get(), cofactor.get(), ctx.get())) {
    fail("explicit EC parameters: n*h is outside the Hasse bound of a curve over p");
  }

  auto impl = std::make_shared<Impl>();
  impl->kind = PaceDomainKind::ecdh;
  impl->name = "explicit ECDH (" + std::to_string(BN_num_bits(p.get())) + "-bit)";
  impl->group.reset(EC_GROUP_new_curve_GFp(p.get(), a.get(), b.get(), ctx.get()));
  if (!impl->group) fail("explicit EC parameters: OpenSSL refuses the curve");
  if (EC_GROUP_check_discriminant(impl->group.get(), ctx.get()) != 1) {
    fail("explicit EC parameters: the curve is singular");
  }
  EcPointPtr generator(EC_POINT_new(impl->group.get()));
  if (!generator) openssl_failed("EC_POINT_new");
  if (parameters.generator.empty() ||
      EC_POINT_oct2point(impl->group.get(), generator.get(), parameters.generator.data(),
                         parameters.generator.size(), ctx.get()) != 1 ||
      EC_POINT_is_on_curve(impl->group.get(), generator.get(), ctx.get()) != 1 ||
      EC_POINT_is_at_infinity(impl->group.get(), generator.get()) == 1) {
    fail("explicit EC parameters: the generator is not a point of the curve");
  }
  EcPointPtr check(EC_POINT_new(impl->group.get()));
  if (!check ||
      EC_POINT_mul(impl->group.get(), check.get(), nullptr, generator.get(), order.get(), ctx.get()) != 1) {
    openssl_failed("EC_POINT_mul");
  }
  if (EC_POINT_is_at_infinity(impl->group.get(), check.get()) != 1) {
    fail("explicit EC parameters: the generator does not have order n");
  }
  if (EC_GROUP_set_generator(impl->group.get(), generator.get(), order.get(), cofactor.get()) != 1) {
    openssl_failed("EC_GROUP_set_generator");
  }
  take_curve_numbers(*impl);
  return PaceDomain(std::move(impl));
}

PaceDomain PaceDomain::explicit_dh(const DhDomainParameters& parameters) {
  const char* kind = "DH";
  PublicBnPtr p = explicit_number(parameters.p, "p", kind, kMaxDhFieldBits);
  PublicBnPtr g = explicit_number(parameters.g, "g", kind, kMaxDhFieldBits);
  PublicBnPtr q = explicit_number(parameters.q, "q", kind, kMaxDhFieldBits);
  BnCtxPtr ctx = new_bn_ctx();
  if (BN_num_bits(p.get()) < kMinDhFieldBits) {
    fail("explicit DH parameters: p has fewer than " + std::to_string(kMinDhFieldBits) + " bits");
  }
  if (BN_num_bits(q.get()) < kMinDhOrderBits) {
    fail("explicit DH parameters: q has fewer than " + std::to_string(kMinDhOrderBits) + " bits");
  }
  if (!BN_is_odd(p.get()) || !is_prime(p.get(), ctx.get()))
    fail("explicit DH parameters: p is not an odd prime");
  if (!is_prime(q.get(), ctx.get())) fail("explicit DH parameters: q is not prime");
  PublicBnPtr p_minus_1 = copy_bn(p.get());
  PublicBnPtr remainder(BN_new());
  if (!remainder || BN_sub_word(p_minus_1.get(), 1) != 1 ||
      BN_mod(remainder.get(), p_minus_1.get(), q.get(), ctx.get()) != 1) {
    openssl_failed("BN_mod");
  }
  if (!BN_is_zero(remainder.get())) fail("explicit DH parameters: q does not divide p-1");

  auto impl = std::make_shared<Impl>();
  impl->kind = PaceDomainKind::dh;
  impl->name = "explicit DH (" + std::to_string(BN_num_bits(p.get())) + "-bit)";
  impl->p = std::move(p);
  impl->q = std::move(q);
  fill_sizes(*impl, impl->q.get());
  // The generator passes the checks of a received public value: 1 < g < p-1 and g^q = 1.
  Bytes encoded_g = to_fixed(g.get(), impl->field_size);
  try {
    impl->g = decode_dh_public_key(*impl, encoded_g, "explicit DH parameters: the generator");
  } catch (const Error&) {
    fail("explicit DH parameters: g is not a generator of the subgroup of order q");
  }
  return PaceDomain(std::move(impl));
}

PaceDomainKind PaceDomain::kind() const noexcept {
  return impl_->kind;
}
const std::string& PaceDomain::name() const noexcept {
  return impl_->name;
}
std::optional<int> PaceDomain::parameter_id() const noexcept {
  return impl_->parameter_id;
}
std::size_t PaceDomain::field_bits() const noexcept {
  return impl_->field_bits;
}
std::size_t PaceDomain::field_size() const noexcept {
  return impl_->field_size;
}
std::size_t PaceDomain::order_size() const noexcept {
  return impl_->order_size;
}

Bytes PaceDomain::generator() const {
  if (impl_->kind == PaceDomainKind::dh) return to_fixed(impl_->g.get(), impl_->field_size);
  const EC_POINT* generator = EC_GROUP_get0_generator(impl_->group.get());
  if (generator == nullptr) openssl_failed("EC_GROUP_get0_generator");
  return encode_ec_point(*impl_, generator);
}

PaceDomain PaceDomain::with_generator(ByteView generator) const {
  if (impl_->kind == PaceDomainKind::dh) {
    PublicBnPtr g = decode_dh_public_key(*impl_, generator, "new generator");
    return with_dh_generator(*impl_, g.get());
  }
  EcPointPtr point = decode_ec_public_key(*impl_, generator, "new generator");
  return with_ec_generator(*impl_, point.get());
}

PaceKeyPair PaceDomain::generate_key_pair(std::optional<ByteView> private_key) const {
  PaceKeyPair pair;
  if (private_key) {
    parse_private_key(*impl_, *private_key);  // range check before anything is derived
    pair.private_key = secure_copy(*private_key);
  } else {
    // Uniform in [1, n-1] (EC) or [1, q-1] (DH): BN_priv_rand_range gives [0, limit-1].
    const BIGNUM* limit = impl_->kind == PaceDomainKind::ecdh ? impl_->order.get() : impl_->q.get();
    BnPtr key = new_secret_bn();
    do {
      if (BN_priv_rand_range(key.get(), limit) != 1) openssl_failed("BN_priv_rand_range");
    } while (BN_is_zero(key.get()));
    pair.private_key = to_fixed_secret(key.get(), impl_->order_size);
  }
  pair.public_key = public_key(pair.private_key);
  return pair;
}

Bytes PaceDomain::public_key(ByteView private_key) const {
  BnPtr key = parse_private_key(*impl_, private_key);
  if (impl_->kind == PaceDomainKind::dh) {
    BnPtr y = dh_power(*impl_, impl_->g.get(), key.get());
    return to_fixed(y.get(), impl_->field_size);
  }
  EcPointPtr point = ec_multiply(*impl_, key.get(), nullptr);
  return encode_ec_point(*impl_, point.get());
}

void PaceDomain::validate_public_key(ByteView public_key) const {
  if (impl_->kind == PaceDomainKind::dh) {
    decode_dh_public_key(*impl_, public_key, "PACE public key");
  } else {
    decode_ec_public_key(*impl_, public_key, "PACE public key");
  }
}

SecureBytes PaceDomain::shared_element(ByteView own_private_key, ByteView peer_public_key) const {
  BnPtr key = parse_private_key(*impl_, own_private_key);
  if (impl_->kind == PaceDomainKind::dh) {
    PublicBnPtr peer = decode_dh_public_key(*impl_, peer_public_key, "peer public key");
    BnPtr shared = dh_power(*impl_, peer.get(), key.get());
    if (BN_is_one(shared.get())) fail("PACE key agreement: the shared value is 1");
    return to_fixed_secret(shared.get(), impl_->field_size);
  }
  EcPointPtr peer = decode_ec_public_key(*impl_, peer_public_key, "peer public key");
  EcPointPtr shared = ec_multiply(*impl_, key.get(), peer.get());
  if (EC_POINT_is_at_infinity(impl_->group.get(), shared.get()) == 1) {
    fail("PACE key agreement: the shared point is the point at infinity");
  }
  Bytes encoded = encode_ec_point(*impl_, shared.get());
  SecureBytes result = secure_copy(encoded);
  secure_wipe(encoded.data(), encoded.size());
  return result;
}

SecureBytes PaceDomain::shared_secret(ByteView own_private_key, ByteView peer_public_key) const {
  SecureBytes element = shared_element(own_private_key, peer_public_key);
  if (impl_->kind == PaceDomainKind::dh) return element;
  // 04 || X || Y: the secret is X.
  return SecureBytes(element.begin() + 1,
                     element.begin() + 1 + static_cast<std::ptrdiff_t>(impl_->field_size));
}

}  // namespace cccd::crypto
