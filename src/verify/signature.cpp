#include "verify/signature.hpp"

#include "asn1/tlv.hpp"

#include <cccd/error.hpp>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <array>
#include <climits>

namespace cccd::verification {
namespace {

using crypto::HashAlgorithm;
using Kind = SignatureScheme::Kind;

struct SchemeOid {
  std::string_view oid;
  Kind kind;
  HashAlgorithm hash;
  bool plain;
};

// RFC 5758 / RFC 3279 (ecdsa-with-SHA*), RFC 8017 (sha*WithRSAEncryption), BSI TR-03111 (ecdsa-plain-*).
constexpr std::array<SchemeOid, 15> kSchemeOids{{
    {"1.2.840.10045.4.1", Kind::ecdsa, HashAlgorithm::sha1, false},
    {"1.2.840.10045.4.3.1", Kind::ecdsa, HashAlgorithm::sha224, false},
    {"1.2.840.10045.4.3.2", Kind::ecdsa, HashAlgorithm::sha256, false},
    {"1.2.840.10045.4.3.3", Kind::ecdsa, HashAlgorithm::sha384, false},
    {"1.2.840.10045.4.3.4", Kind::ecdsa, HashAlgorithm::sha512, false},
    {"0.4.0.127.0.7.1.1.4.1.1", Kind::ecdsa, HashAlgorithm::sha1, true},
    {"0.4.0.127.0.7.1.1.4.1.2", Kind::ecdsa, HashAlgorithm::sha224, true},
    {"0.4.0.127.0.7.1.1.4.1.3", Kind::ecdsa, HashAlgorithm::sha256, true},
    {"0.4.0.127.0.7.1.1.4.1.4", Kind::ecdsa, HashAlgorithm::sha384, true},
    {"0.4.0.127.0.7.1.1.4.1.5", Kind::ecdsa, HashAlgorithm::sha512, true},
    {"1.2.840.113549.1.1.5", Kind::rsa_pkcs1, HashAlgorithm::sha1, false},
    {"1.2.840.113549.1.1.14", Kind::rsa_pkcs1, HashAlgorithm::sha224, false},
    {"1.2.840.113549.1.1.11", Kind::rsa_pkcs1, HashAlgorithm::sha256, false},
    {"1.2.840.113549.1.1.12", Kind::rsa_pkcs1, HashAlgorithm::sha384, false},
    {"1.2.840.113549.1.1.13", Kind::rsa_pkcs1, HashAlgorithm::sha512, false},
}};

constexpr std::string_view kIdEcPublicKey = "1.2.840.10045.2.1";
constexpr std::string_view kRsaEncryption = "1.2.840.113549.1.1.1";
constexpr std::string_view kRsassaPss = "1.2.840.113549.1.1.10";
constexpr std::string_view kMgf1 = "1.2.840.113549.1.1.8";

// A salt longer than any RSA modulus this library accepts is nonsense, not a parameter.
constexpr std::uint64_t kMaxSaltLength = 1024;

[[noreturn]] void bad_pss(const char* what) {
  throw Error(ErrorCode::malformed_data, std::string("RSASSA-PSS parameters: ") + what);
}

HashAlgorithm hash_of(std::string_view oid, const char* role) {
  std::optional<HashAlgorithm> hash = crypto::hash_from_oid(oid);
  if (!hash) throw Error(ErrorCode::not_supported, std::string("unsupported ") + role + " algorithm");
  return *hash;
}

// AlgorithmIdentifier of a hash: SEQUENCE { OID, NULL or nothing }.
HashAlgorithm parse_hash_identifier(ByteView encoded) {
  asn1::Tlv sequence = asn1::parse_one(encoded, 0x30);
  asn1::TlvReader reader(sequence.value);
  std::string oid = asn1::decode_oid(reader.expect(0x06));
  if (auto null = reader.next_if(0x05); null && !null->value.empty()) bad_pss("hash parameters are not NULL");
  reader.expect_end();
  return hash_of(oid, "RSASSA-PSS hash");
}

// RSASSA-PSS-params (RFC 4055 section 3.1), every field optional with its default.
void parse_pss_parameters(ByteView parameters, SignatureScheme& scheme) {
  scheme.hash = HashAlgorithm::sha1;
  scheme.mgf1_hash = HashAlgorithm::sha1;
  scheme.salt_length = 20;
  if (parameters.empty()) return;
  asn1::Tlv sequence = asn1::parse_one(parameters, 0x30);
  asn1::TlvReader reader(sequence.value);
  if (auto hash = reader.next_if(0xA0)) {
    scheme.hash = parse_hash_identifier(hash->value);
  }
  if (auto mgf = reader.next_if(0xA1)) {
    asn1::Tlv mgf_id = asn1::parse_one(mgf->value, 0x30);
    asn1::TlvReader mgf_reader(mgf_id.value);
    if (asn1::decode_oid(mgf_reader.expect(0x06)) != kMgf1) {
      throw Error(ErrorCode::not_supported, "RSASSA-PSS with a mask generation function other than MGF1");
    }
    scheme.mgf1_hash = parse_hash_identifier(mgf_reader.next().encoded);
    mgf_reader.expect_end();
  }
  if (auto salt = reader.next_if(0xA2)) {
    std::uint64_t length = asn1::decode_unsigned(asn1::parse_one(salt->value, 0x02));
    if (length > kMaxSaltLength) bad_pss("salt length out of range");
    scheme.salt_length = static_cast<int>(length);
  }
  if (auto trailer = reader.next_if(0xA3)) {
    if (asn1::decode_unsigned(asn1::parse_one(trailer->value, 0x02)) != 1)
      bad_pss("trailer field other than 1");
  }
  reader.expect_end();
}

std::string compact_hash_name(HashAlgorithm hash) {
  std::string name(crypto::hash_name(hash));  // "SHA-256"
  std::erase(name, '-');                      // "SHA256"
  return name;
}

// r || s of the key's order length turned into the DER Ecdsa-Sig-Value EVP_DigestVerify expects;
// nothing when the length does not fit the key.
std::optional<Bytes> plain_to_der(EVP_PKEY* key, ByteView signature) {
  int bits = EVP_PKEY_get_bits(key);
  if (bits <= 0) return std::nullopt;
  std::size_t half = (static_cast<std::size_t>(bits) + 7) / 8;
  if (signature.size() != 2 * half) return std::nullopt;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(signature.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(signature.data() + half, static_cast<int>(half), nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    throw Error(ErrorCode::crypto, "cannot convert an ECDSA signature");
  }
  int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) throw Error(ErrorCode::crypto, "cannot encode an ECDSA signature");
  Bytes der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  i2d_ECDSA_SIG(sig.get(), &out);
  return der;
}

bool is_der_ecdsa_signature(ByteView signature) {
  const unsigned char* cursor = signature.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(signature.size())));
  ERR_clear_error();
  return sig && cursor == signature.data() + signature.size();
}

}  // namespace

std::string SignatureScheme::name() const {
  switch (kind) {
    case Kind::ecdsa:
      return (plain_ecdsa ? "ecdsa-plain-" : "ecdsa-with-") + compact_hash_name(hash);
    case Kind::rsa_pkcs1: {
      std::string hash_part = compact_hash_name(hash);
      for (char& c : hash_part) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      return hash_part + "WithRSAEncryption";  // "sha256WithRSAEncryption"
    }
    case Kind::rsa_pss:
      return "RSASSA-PSS (" + std::string(crypto::hash_name(hash)) + ", MGF1 " +
             std::string(crypto::hash_name(mgf1_hash)) + ", salt " + std::to_string(salt_length) + ")";
  }
  return "unknown";
}

SignatureScheme signature_scheme(std::string_view algorithm_oid, ByteView parameters,
                                 std::string_view digest_algorithm_oid) {
  SignatureScheme scheme;
  for (const SchemeOid& entry : kSchemeOids) {
    if (entry.oid == algorithm_oid) {
      scheme.kind = entry.kind;
      scheme.hash = entry.hash;
      scheme.plain_ecdsa = entry.plain;
      return scheme;
    }
  }
  if (algorithm_oid == kIdEcPublicKey || algorithm_oid == kRsaEncryption) {
    scheme.kind = algorithm_oid == kIdEcPublicKey ? Kind::ecdsa : Kind::rsa_pkcs1;
    scheme.hash = hash_of(digest_algorithm_oid, "digest");
    return scheme;
  }
  if (algorithm_oid == kRsassaPss) {
    scheme.kind = Kind::rsa_pss;
    parse_pss_parameters(parameters, scheme);
    return scheme;
  }
  throw Error(ErrorCode::not_supported, "unsupported signature algorithm");
}

bool verify_signature(EVP_PKEY* key, const SignatureScheme& scheme, ByteView message, ByteView signature) {
  if (!key) throw Error(ErrorCode::crypto, "no public key to verify the signature with");
  bool ec_key = EVP_PKEY_is_a(key, "EC") == 1;
  bool rsa_key = EVP_PKEY_is_a(key, "RSA") == 1 || EVP_PKEY_is_a(key, "RSA-PSS") == 1;
  if ((scheme.kind == Kind::ecdsa && !ec_key) || (scheme.kind != Kind::ecdsa && !rsa_key)) {
    throw Error(ErrorCode::crypto, "the signature algorithm does not fit the signer's key type");
  }
  if (signature.empty() || signature.size() > static_cast<std::size_t>(INT_MAX)) return false;

  Bytes converted;
  if (scheme.kind == Kind::ecdsa && (scheme.plain_ecdsa || !is_der_ecdsa_signature(signature))) {
    // Some issuers put r || s under the X9.62 OIDs; the values are the same, only the encoding differs.
    std::optional<Bytes> der = plain_to_der(key, signature);
    if (!der) return false;
    converted = std::move(*der);
    signature = converted;
  }

  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pkey_ctx, crypto::evp_md(scheme.hash), nullptr, key) != 1) {
    ERR_clear_error();
    throw Error(ErrorCode::crypto, "cannot set up the signature verification");
  }
  if (scheme.kind == Kind::rsa_pss) {
    if (EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, scheme.salt_length) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pkey_ctx, crypto::evp_md(scheme.mgf1_hash)) != 1) {
      ERR_clear_error();
      throw Error(ErrorCode::crypto, "cannot set the RSASSA-PSS parameters");
    }
  } else if (scheme.kind == Kind::rsa_pkcs1) {
    if (EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PADDING) != 1) {
      ERR_clear_error();
      throw Error(ErrorCode::crypto, "cannot set the RSA PKCS#1 padding");
    }
  }
  int result =
      EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size());
  ERR_clear_error();
  return result == 1;
}

}  // namespace cccd::verification
