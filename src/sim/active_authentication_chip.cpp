#include "sim/active_authentication_chip.hpp"

#include "asn1/der.hpp"
#include "asn1/tlv.hpp"
#include "crypto/active_authentication.hpp"
#include "lds/security_infos.hpp"
#include "sim/deterministic_ecdsa.hpp"
#include "sim/openssl_checks.hpp"
#include "sim/test_pki.hpp"
#include "util/bytes.hpp"

#include <cccd/error.hpp>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>
#include <utility>
#include <vector>

namespace cccd::sim {
namespace {

using openssl::check;
using openssl::checked;

constexpr const char* kAaKeyLabel = "active-authentication";
constexpr std::uint8_t kDg14Tag = 0x6E;
constexpr std::uint8_t kDg15Tag = 0x6F;

struct HashEntry {
  crypto::HashAlgorithm hash;
  const char* name;
  const char* ecdsa_oid;  // ecdsa-with-SHAx (X9.62)
};
constexpr HashEntry kHashes[] = {
    {crypto::HashAlgorithm::sha1, "SHA-1", "1.2.840.10045.4.1"},
    {crypto::HashAlgorithm::sha224, "SHA-224", "1.2.840.10045.4.3.1"},
    {crypto::HashAlgorithm::sha256, "SHA-256", "1.2.840.10045.4.3.2"},
    {crypto::HashAlgorithm::sha384, "SHA-384", "1.2.840.10045.4.3.3"},
    {crypto::HashAlgorithm::sha512, "SHA-512", "1.2.840.10045.4.3.4"},
};

SecureBytes private_key_der(EVP_PKEY* key) {
  using Pkcs8Ptr = OpensslPtr<PKCS8_PRIV_KEY_INFO, &PKCS8_PRIV_KEY_INFO_free>;
  Pkcs8Ptr info(checked(EVP_PKEY2PKCS8(key), "EVP_PKEY2PKCS8"));
  unsigned char* der = nullptr;
  const int length = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &der);
  if (length <= 0) openssl::fail("i2d_PKCS8_PRIV_KEY_INFO");
  SecureBytes out(der, der + length);
  OPENSSL_clear_free(der, static_cast<std::size_t>(length));
  return out;
}

EvpPkeyPtr parse_private_key(ByteView der) {
  if (der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX)) {
    throw Error(ErrorCode::malformed_data, "Active Authentication: the private key is empty");
  }
  const unsigned char* cursor = der.data();
  EvpPkeyPtr key(d2i_AutoPrivateKey(nullptr, &cursor, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!key) throw Error(ErrorCode::malformed_data, "Active Authentication: the private key does not parse");
  return key;
}

std::string group_name(EVP_PKEY* key) {
  char name[80] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_group_name(key, name, sizeof(name), &length) != 1) {
    ERR_clear_error();
    throw Error(ErrorCode::not_supported, "Active Authentication: the EC key has no named curve");
  }
  return std::string(name, length);
}

}  // namespace

std::optional<crypto::HashAlgorithm> hash_from_name(std::string_view name) noexcept {
  for (const HashEntry& entry : kHashes) {
    if (name == entry.name) return entry.hash;
  }
  return std::nullopt;
}

Bytes encode_active_authentication_info(crypto::HashAlgorithm ecdsa_hash) {
  for (const HashEntry& entry : kHashes) {
    if (entry.hash == ecdsa_hash) {
      return asn1::der_sequence({asn1::der_oid(lds::oid::kIdActiveAuthentication), asn1::der_integer(1),
                                 asn1::der_oid(entry.ecdsa_oid)});
    }
  }
  throw Error(ErrorCode::invalid_argument, "Active Authentication: no ECDSA OID for that hash");
}

Bytes dg14_with(ByteView dg14, ByteView security_info) {
  std::vector<Bytes> entries;
  if (!dg14.empty()) {
    asn1::Tlv file = asn1::parse_first(dg14);
    if (file.tag != kDg14Tag) throw Error(ErrorCode::malformed_data, "DG14: the file does not start with 6E");
    asn1::TlvReader outer(file.value);
    asn1::Tlv set = outer.expect(0x31);
    asn1::TlvReader reader(set.value);
    while (!reader.empty()) {
      asn1::Tlv entry = reader.next();
      entries.emplace_back(entry.encoded.begin(), entry.encoded.end());
    }
  }
  entries.emplace_back(security_info.begin(), security_info.end());
  return asn1::tlv(kDg14Tag, asn1::der_set_of(std::move(entries)));
}

Bytes ef_com_with(ByteView ef_com, std::uint8_t data_group_tag) {
  asn1::Tlv file = asn1::parse_first(ef_com);
  if (file.tag != 0x60) throw Error(ErrorCode::malformed_data, "EF.COM: the file does not start with 60");
  asn1::TlvReader reader(file.value);
  Bytes contents;
  bool listed = false;
  while (!reader.empty()) {
    asn1::Tlv item = reader.next();
    if (item.tag != 0x5C) {
      append(contents, item.encoded);
      continue;
    }
    Bytes tags(item.value.begin(), item.value.end());
    if (std::find(tags.begin(), tags.end(), data_group_tag) == tags.end()) tags.push_back(data_group_tag);
    append(contents, asn1::tlv(0x5C, tags));
    listed = true;
  }
  if (!listed) throw Error(ErrorCode::malformed_data, "EF.COM: no tag list");
  return asn1::tlv(0x60, contents);
}

AaPersonalisation build_active_authentication(const AaOffer& offer, std::uint64_t seed) {
  if (offer.algorithm == AaAlgorithm::none) {
    throw Error(ErrorCode::invalid_argument, "Active Authentication: no algorithm chosen");
  }
  const bool rsa = offer.algorithm == AaAlgorithm::rsa;
  AaPersonalisation out;
  out.hash = offer.hash.value_or(rsa ? crypto::HashAlgorithm::sha1 : crypto::HashAlgorithm::sha256);
  const TestKey key = TestKey::derive(
      rsa ? SignerAlgorithm::rsa_2048 : SignerAlgorithm::ecdsa_brainpool_p256r1, seed, kAaKeyLabel);
  out.private_key = private_key_der(key.pkey());
  out.dg15 = asn1::tlv(kDg15Tag, key.subject_public_key_info());
  if (!rsa) out.security_info = encode_active_authentication_info(out.hash);
  return out;
}

void add_active_authentication(CardData& card, std::map<int, Bytes>& hashed, const AaOffer& offer,
                               std::uint64_t seed) {
  if (offer.algorithm == AaAlgorithm::none) return;
  AaPersonalisation aa = build_active_authentication(offer, seed);
  Bytes& com = card.files[FileId::com];
  if (!aa.security_info.empty()) {
    auto dg14 = card.files.find(FileId::dg14);
    Bytes updated =
        dg14_with(dg14 == card.files.end() ? ByteView{} : ByteView(dg14->second), aa.security_info);
    card.files[FileId::dg14] = updated;
    hashed[14] = std::move(updated);
    com = ef_com_with(com, kDg14Tag);
  }
  card.files[FileId::dg15] = aa.dg15;
  hashed[15] = aa.dg15;
  com = ef_com_with(com, kDg15Tag);
  card.secrets.active_authentication_private_key = std::move(aa.private_key);
  card.secrets.active_authentication_hash = aa.hash;
}

SecureBytes new_private_key_like(ByteView private_key_der_bytes) {
  EvpPkeyPtr old_key = parse_private_key(private_key_der_bytes);
  EVP_PKEY* fresh = nullptr;
  if (EVP_PKEY_is_a(old_key.get(), "RSA")) {
    fresh = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA",
                              static_cast<std::size_t>(EVP_PKEY_get_bits(old_key.get())));
  } else if (EVP_PKEY_is_a(old_key.get(), "EC")) {
    const std::string curve = group_name(old_key.get());
    fresh = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve.c_str());
  } else {
    throw Error(ErrorCode::not_supported, "Active Authentication: a key neither RSA nor EC");
  }
  EvpPkeyPtr owned(checked(fresh, "EVP_PKEY_Q_keygen"));
  return private_key_der(owned.get());
}

ActiveAuthenticationChip::ActiveAuthenticationChip(ByteView der, crypto::HashAlgorithm hash)
    : key_(parse_private_key(der)), hash_(hash) {
  if (EVP_PKEY_is_a(key_.get(), "RSA")) {
    rsa_ = true;
    return;
  }
  if (!EVP_PKEY_is_a(key_.get(), "EC")) {
    throw Error(ErrorCode::not_supported, "Active Authentication: a key neither RSA nor EC");
  }
  rsa_ = false;
  curve_nid_ = OBJ_sn2nid(group_name(key_.get()).c_str());
  if (curve_nid_ == NID_undef) throw Error(ErrorCode::not_supported, "Active Authentication: unknown curve");
  BIGNUM* scalar = nullptr;
  if (EVP_PKEY_get_bn_param(key_.get(), OSSL_PKEY_PARAM_PRIV_KEY, &scalar) != 1) {
    ERR_clear_error();
    throw Error(ErrorCode::malformed_data, "Active Authentication: the EC key has no private scalar");
  }
  BnPtr owned(scalar);
  ec_scalar_.resize(ec_group_order(curve_nid_).size());
  if (BN_bn2binpad(owned.get(), ec_scalar_.data(), static_cast<int>(ec_scalar_.size())) < 0) {
    openssl::fail("BN_bn2binpad");
  }
}

apdu::ResponseApdu ActiveAuthenticationChip::internal_authenticate(const apdu::CommandApdu& command) const {
  if (command.p1 != 0 || command.p2 != 0) return apdu::ResponseApdu{{}, apdu::sw::kIncorrectP1P2};
  if (command.data.size() != crypto::kActiveAuthenticationChallengeLength || command.le == apdu::kNoLe) {
    return apdu::ResponseApdu{{}, apdu::sw::kWrongLength};
  }
  try {
    return apdu::ResponseApdu{rsa_ ? sign_rsa(command.data) : sign_ecdsa(command.data), apdu::sw::kOk};
  } catch (const Error&) {
    return apdu::ResponseApdu{{}, apdu::sw::kNoPreciseDiagnosis};
  }
}

Bytes ActiveAuthenticationChip::sign_rsa(ByteView challenge) const {
  const std::size_t modulus_bytes = static_cast<std::size_t>(EVP_PKEY_get_size(key_.get()));
  const bool implicit = hash_ == crypto::HashAlgorithm::sha1;
  const Bytes m1 = crypto::random_bytes(crypto::iso9796_m1_length(modulus_bytes, hash_, implicit));
  const Bytes representative = crypto::iso9796_representative(modulus_bytes, hash_, implicit, m1, challenge);
  EvpPkeyCtxPtr ctx(checked(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr), "EVP_PKEY_CTX_new"));
  check(EVP_PKEY_sign_init(ctx.get()), "EVP_PKEY_sign_init");
  check(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING), "RSA_NO_PADDING");
  Bytes signature(modulus_bytes);
  std::size_t length = signature.size();
  check(EVP_PKEY_sign(ctx.get(), signature.data(), &length, representative.data(), representative.size()),
        "EVP_PKEY_sign");
  signature.resize(length);
  return signature;
}

Bytes ActiveAuthenticationChip::sign_ecdsa(ByteView challenge) const {
  const Bytes der = deterministic_ecdsa_sign(curve_nid_, view(ec_scalar_), crypto::hash(hash_, challenge));
  const unsigned char* cursor = der.data();
  EcdsaSigPtr signature(
      checked(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())), "d2i_ECDSA_SIG"));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(signature.get(), &r, &s);
  const std::size_t half = ec_scalar_.size();
  Bytes plain(2 * half);
  if (BN_bn2binpad(r, plain.data(), static_cast<int>(half)) < 0 ||
      BN_bn2binpad(s, plain.data() + half, static_cast<int>(half)) < 0) {
    openssl::fail("BN_bn2binpad");
  }
  return plain;
}

}  // namespace cccd::sim
