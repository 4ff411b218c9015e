#include "sim/test_pki.hpp"

#include "asn1/der.hpp"
#include "asn1/oids.hpp"
#include "asn1/tlv.hpp"
#include "crypto/crypto.hpp"
#include "crypto/openssl_ptr.hpp"
#include "sim/deterministic_ecdsa.hpp"
#include "sim/deterministic_random.hpp"
#include "sim/openssl_checks.hpp"
#include "util/bytes.hpp"

#include <cccd/error.hpp>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace cccd::sim {

namespace {

constexpr int kCurveNid = NID_brainpoolP256r1;
constexpr const char* kCurveName = SN_brainpoolP256r1;
constexpr const char* kOrganisation = "libcccd virtual card (not a real authority)";
constexpr int kRsaPrimeBits = 1024;

using openssl::bn_from;
using openssl::check;
using openssl::checked;
using openssl::fail;
using openssl::new_bn;

EvpPkeyPtr key_from_params(const char* type, OSSL_PARAM_BLD* builder) {
  OsslParamPtr params(checked(OSSL_PARAM_BLD_to_param(builder), "OSSL_PARAM_BLD_to_param"));
  EvpPkeyCtxPtr ctx(
      checked(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), "EVP_PKEY_CTX_new_from_name"));
  check(EVP_PKEY_fromdata_init(ctx.get()), "EVP_PKEY_fromdata_init");
  EVP_PKEY* key = nullptr;
  check(EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_KEYPAIR, params.get()), "EVP_PKEY_fromdata");
  return EvpPkeyPtr(key);
}

// The EC scalar: 384 bits of expanded seed reduced into [1, n-1] (the bias is far below 2^-100).
SecureBytes derive_ec_scalar(std::uint64_t seed, std::string_view label) {
  const Bytes order_bytes = ec_group_order(kCurveNid);
  BnCtxPtr ctx(checked(BN_CTX_secure_new(), "out of memory"));
  BnPtr order_minus_one = bn_from(order_bytes);
  check(BN_sub_word(order_minus_one.get(), 1), "BN_sub_word");
  BnPtr scalar = bn_from(view(expand_seed(seed, std::string(label) + "/ec-private-key", 48)));
  check(BN_nnmod(scalar.get(), scalar.get(), order_minus_one.get(), ctx.get()), "BN_nnmod");
  check(BN_add_word(scalar.get(), 1), "BN_add_word");
  SecureBytes out(order_bytes.size());
  if (BN_bn2binpad(scalar.get(), out.data(), static_cast<int>(out.size())) < 0) fail("BN_bn2binpad");
  return out;
}

EvpPkeyPtr ec_key(const SecureBytes& scalar) {
  const Bytes public_point = ec_public_point(kCurveNid, view(scalar));
  BnPtr private_value = bn_from(view(scalar));
  OsslParamBldPtr builder(checked(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new"));
  check(OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, kCurveName, 0), "group");
  check(OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, private_value.get()), "private key");
  check(OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, public_point.data(),
                                         public_point.size()),
        "public key");
  return key_from_params("EC", builder.get());
}

// A prime of exactly kRsaPrimeBits bits with gcd(p - 1, e) = 1: the first one at or above an odd start
// taken from the expanded seed with its two top bits set (so that p * q has exactly 2048 bits).
BnPtr find_rsa_prime(std::uint64_t seed, const std::string& label, const BIGNUM* e, BN_CTX* ctx) {
  SecureBytes start = expand_seed(seed, label, kRsaPrimeBits / 8);
  start.front() |= 0xC0;
  start.back() |= 0x01;
  BnPtr candidate = bn_from(view(start));
  BnPtr minus_one = new_bn();
  BnPtr divisor = new_bn();
  // Primes near 2^1024 are about 710 apart on average; this bound is never reached in practice.
  for (int step = 0; step < 100000; ++step) {
    if (BN_num_bits(candidate.get()) != kRsaPrimeBits) break;
    const int prime = BN_check_prime(candidate.get(), ctx, nullptr);
    if (prime < 0) fail("BN_check_prime");
    if (prime == 1) {
      check(BN_sub(minus_one.get(), candidate.get(), BN_value_one()), "BN_sub");
      check(BN_gcd(divisor.get(), minus_one.get(), e, ctx), "BN_gcd");
      if (BN_is_one(divisor.get())) return candidate;
    }
    check(BN_add_word(candidate.get(), 2), "BN_add_word");
  }
  fail("no RSA prime found");
}

EvpPkeyPtr rsa_key(std::uint64_t seed, std::string_view label) {
  BnCtxPtr ctx(checked(BN_CTX_secure_new(), "out of memory"));
  BnPtr e = new_bn();
  check(BN_set_word(e.get(), 65537), "BN_set_word");
  BnPtr p = find_rsa_prime(seed, std::string(label) + "/rsa-p", e.get(), ctx.get());
  BnPtr q = find_rsa_prime(seed, std::string(label) + "/rsa-q", e.get(), ctx.get());
  const int order = BN_cmp(p.get(), q.get());
  if (order == 0) fail("equal RSA primes");
  if (order < 0) std::swap(p, q);  // p > q, the usual form of the CRT coefficient q^-1 mod p

  BnPtr n = new_bn(), p1 = new_bn(), q1 = new_bn(), phi = new_bn(), divisor = new_bn(), lambda = new_bn();
  BnPtr d = new_bn(), dp = new_bn(), dq = new_bn(), q_inverse = new_bn(), remainder = new_bn();
  check(BN_mul(n.get(), p.get(), q.get(), ctx.get()), "BN_mul");
  check(BN_sub(p1.get(), p.get(), BN_value_one()), "BN_sub");
  check(BN_sub(q1.get(), q.get(), BN_value_one()), "BN_sub");
  check(BN_mul(phi.get(), p1.get(), q1.get(), ctx.get()), "BN_mul");
  check(BN_gcd(divisor.get(), p1.get(), q1.get(), ctx.get()), "BN_gcd");
  check(BN_div(lambda.get(), remainder.get(), phi.get(), divisor.get(), ctx.get()), "BN_div");
  checked(BN_mod_inverse(d.get(), e.get(), lambda.get(), ctx.get()), "BN_mod_inverse");
  check(BN_mod(dp.get(), d.get(), p1.get(), ctx.get()), "BN_mod");
  check(BN_mod(dq.get(), d.get(), q1.get(), ctx.get()), "BN_mod");
  checked(BN_mod_inverse(q_inverse.get(), q.get(), p.get(), ctx.get()), "BN_mod_inverse");

  OsslParamBldPtr builder(checked(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new"));
  const std::pair<const char*, const BIGNUM*> values[] = {
      {OSSL_PKEY_PARAM_RSA_N, n.get()},          {OSSL_PKEY_PARAM_RSA_E, e.get()},
      {OSSL_PKEY_PARAM_RSA_D, d.get()},          {OSSL_PKEY_PARAM_RSA_FACTOR1, p.get()},
      {OSSL_PKEY_PARAM_RSA_FACTOR2, q.get()},    {OSSL_PKEY_PARAM_RSA_EXPONENT1, dp.get()},
      {OSSL_PKEY_PARAM_RSA_EXPONENT2, dq.get()}, {OSSL_PKEY_PARAM_RSA_COEFFICIENT1, q_inverse.get()},
  };
  for (const auto& [name, value] : values) check(OSSL_PARAM_BLD_push_BN(builder.get(), name, value), name);
  return key_from_params("RSA", builder.get());
}

Bytes sequence_of(const std::vector<Bytes>& parts) {
  Bytes contents;
  for (const Bytes& part : parts) append(contents, part);
  return asn1::tlv(0x30, contents);
}

Bytes name(const std::string& common_name) {
  auto attribute = [](const char* oid, const Bytes& value) {
    return asn1::der_set({asn1::der_sequence({asn1::der_oid(oid), value})});
  };
  return asn1::der_sequence({attribute("2.5.4.6", asn1::der_printable_string("VN")),
                             attribute("2.5.4.10", asn1::der_utf8_string(kOrganisation)),
                             attribute("2.5.4.3", asn1::der_utf8_string(common_name))});
}

Bytes extension(const char* oid, bool critical, const Bytes& value) {
  if (critical) {
    const std::uint8_t true_value = 0xFF;
    return asn1::der_sequence(
        {asn1::der_oid(oid), asn1::tlv(0x01, ByteView(&true_value, 1)), asn1::der_octet_string(value)});
  }
  return asn1::der_sequence({asn1::der_oid(oid), asn1::der_octet_string(value)});
}

// RFC 5280 section 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's bits.
Bytes key_identifier(const Bytes& subject_public_key_info) {
  asn1::Tlv spki = asn1::parse_one(subject_public_key_info, 0x30);
  asn1::TlvReader reader(spki.value);
  reader.expect(0x30);
  asn1::Tlv bits = reader.expect(0x03);
  if (bits.value.empty()) fail("empty public key");
  return crypto::hash(crypto::HashAlgorithm::sha1, bits.value.subspan(1));
}

Bytes key_usage(std::uint8_t unused_bits, std::uint8_t bits) {
  const std::uint8_t contents[] = {unused_bits, bits};
  return asn1::tlv(0x03, contents);
}

Bytes serial_number(std::uint64_t seed, std::string_view label) {
  SecureBytes serial = expand_seed(seed, std::string(label) + "/serial", 8);
  serial.front() = static_cast<std::uint8_t>((serial.front() & 0x3F) | 0x40);  // positive, 8 bytes
  return asn1::der_integer_unsigned(view(serial));
}

struct CertificateFields {
  Bytes serial;  // DER INTEGER
  Bytes issuer;  // DER Name
  Bytes subject;
  Bytes not_before;  // DER time
  Bytes not_after;
  Bytes subject_public_key_info;
  std::vector<Bytes> extensions;
};

Bytes make_certificate(const CertificateFields& fields, const TestKey& issuer_key) {
  const Bytes version = asn1::tlv(0xA0, asn1::der_integer(2));
  const Bytes algorithm = issuer_key.signature_algorithm();
  const Bytes tbs =
      sequence_of({version, fields.serial, algorithm, fields.issuer,
                   asn1::der_sequence({fields.not_before, fields.not_after}), fields.subject,
                   fields.subject_public_key_info, asn1::tlv(0xA3, sequence_of(fields.extensions))});
  Bytes signature_bits{0x00};  // no unused bits
  append(signature_bits, issuer_key.sign(tbs));
  Bytes certificate = asn1::der_sequence({tbs, algorithm, asn1::tlv(0x03, signature_bits)});

  // OpenSSL must read it back and write the very same DER: proof that the encoding is canonical.
  const unsigned char* cursor = certificate.data();
  X509Ptr parsed(d2i_X509(nullptr, &cursor, static_cast<long>(certificate.size())));
  if (!parsed || cursor != certificate.data() + certificate.size())
    fail("OpenSSL cannot read the certificate");
  unsigned char* reencoded = nullptr;
  const int length = i2d_X509(parsed.get(), &reencoded);
  const bool same = length == static_cast<int>(certificate.size()) &&
                    std::equal(certificate.begin(), certificate.end(), reencoded);
  OPENSSL_free(reencoded);
  if (!same) fail("certificate is not canonical DER");
  return certificate;
}

// The SubjectPublicKeyInfo of an EC key with its curve spelled out as explicit ECParameters (X9.62),
// the way many real CSCA certificates carry brainpool keys.
Bytes explicit_parameters_spki(EVP_PKEY* key) {
  EvpPkeyPtr copy(checked(EVP_PKEY_dup(key), "EVP_PKEY_dup"));
  check(
      EVP_PKEY_set_utf8_string_param(copy.get(), OSSL_PKEY_PARAM_EC_ENCODING, OSSL_PKEY_EC_ENCODING_EXPLICIT),
      "explicit EC encoding");
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(copy.get(), &der);
  if (length <= 0) fail("i2d_PUBKEY");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

}  // namespace

TestKey TestKey::derive(SignerAlgorithm algorithm, std::uint64_t seed, std::string_view label) {
  if (algorithm == SignerAlgorithm::rsa_2048) return TestKey(algorithm, rsa_key(seed, label), {});
  SecureBytes scalar = derive_ec_scalar(seed, label);
  EvpPkeyPtr key = ec_key(scalar);
  return TestKey(algorithm, std::move(key), std::move(scalar));
}

Bytes TestKey::subject_public_key_info() const {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key_.get(), &der);
  if (length <= 0) fail("i2d_PUBKEY");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

Bytes TestKey::signature_algorithm() const {
  if (algorithm_ == SignerAlgorithm::rsa_2048) {
    return asn1::der_sequence({asn1::der_oid(asn1::oid::kSha256WithRsaEncryption), asn1::der_null()});
  }
  return asn1::der_sequence({asn1::der_oid(asn1::oid::kEcdsaWithSha256)});
}

Bytes TestKey::sign(ByteView message) const {
  if (algorithm_ != SignerAlgorithm::rsa_2048) {
    return deterministic_ecdsa_sign(kCurveNid, view(ec_scalar_),
                                    crypto::hash(crypto::HashAlgorithm::sha256, message));
  }
  EvpMdCtxPtr ctx(checked(EVP_MD_CTX_new(), "out of memory"));
  check(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()), "EVP_DigestSignInit");
  std::size_t length = 0;
  check(EVP_DigestSign(ctx.get(), nullptr, &length, message.data(), message.size()), "EVP_DigestSign");
  Bytes signature(length);
  check(EVP_DigestSign(ctx.get(), signature.data(), &length, message.data(), message.size()),
        "EVP_DigestSign");
  signature.resize(length);
  return signature;
}

Bytes der_time(int year, int month, int day) {
  char text[32];
  if (year >= 1950 && year < 2050) {
    std::snprintf(text, sizeof text, "%02d%02d%02d000000Z", year % 100, month, day);
    return asn1::tlv(0x17, as_bytes(text));
  }
  std::snprintf(text, sizeof text, "%04d%02d%02d000000Z", year, month, day);
  return asn1::tlv(0x18, as_bytes(text));
}

TestPki make_test_pki(SignerAlgorithm algorithm, std::uint64_t seed) {
  return make_test_pki(algorithm, seed, TestPkiOptions{});
}

TestPki make_test_pki(SignerAlgorithm algorithm, std::uint64_t seed, const TestPkiOptions& options) {
  const std::string seed_text = std::to_string(seed);
  TestKey csca_key = TestKey::derive(algorithm, seed, "CSCA");
  TestKey ds_key = TestKey::derive(algorithm, seed, "DS");

  const Bytes csca_name = name("libcccd TEST CSCA " + seed_text);
  const Bytes csca_spki = options.csca_explicit_ec_parameters ? explicit_parameters_spki(csca_key.pkey())
                                                              : csca_key.subject_public_key_info();
  const Bytes csca_key_id = key_identifier(csca_spki);
  const Bytes authority_key_id = asn1::der_sequence({asn1::tlv(0x80, csca_key_id)});

  CertificateFields csca;
  csca.serial = serial_number(seed, "CSCA");
  csca.issuer = csca_name;
  csca.subject = csca_name;
  csca.not_before =
      der_time(options.csca_not_before.year, options.csca_not_before.month, options.csca_not_before.day);
  csca.not_after =
      der_time(options.csca_not_after.year, options.csca_not_after.month, options.csca_not_after.day);
  csca.subject_public_key_info = csca_spki;
  const std::uint8_t ca_true = 0xFF;
  csca.extensions = {
      extension("2.5.29.19", true, asn1::der_sequence({asn1::tlv(0x01, ByteView(&ca_true, 1))})),
      extension("2.5.29.15", true, key_usage(1, 0x06)),  // keyCertSign (5), cRLSign (6)
      extension("2.5.29.14", false, asn1::der_octet_string(csca_key_id)),
      extension("2.5.29.35", false, authority_key_id),
  };
  Bytes csca_certificate = make_certificate(csca, csca_key);

  CertificateFields ds;
  ds.serial = serial_number(seed, "DS");
  ds.issuer = csca_name;
  ds.subject = name("libcccd TEST DS " + seed_text);
  ds.not_before =
      der_time(options.ds_not_before.year, options.ds_not_before.month, options.ds_not_before.day);
  ds.not_after = der_time(options.ds_not_after.year, options.ds_not_after.month, options.ds_not_after.day);
  ds.subject_public_key_info = ds_key.subject_public_key_info();
  ds.extensions = {
      extension("2.5.29.15", true, key_usage(7, 0x80)),  // digitalSignature (0)
      extension("2.5.29.14", false, asn1::der_octet_string(key_identifier(ds.subject_public_key_info))),
      extension("2.5.29.35", false, authority_key_id),
  };
  Bytes ds_certificate = make_certificate(ds, csca_key);

  return TestPki{std::move(csca_key),       std::move(ds_key), std::move(csca_certificate),
                 std::move(ds_certificate), csca_name,         ds.serial};
}

std::string certificate_pem(ByteView der) {
  const unsigned char* cursor = der.data();
  X509Ptr certificate(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!certificate) throw Error(ErrorCode::malformed_data, "certificate: not DER X.509");
  BioPtr bio(checked(BIO_new(BIO_s_mem()), "out of memory"));
  check(PEM_write_bio_X509(bio.get(), certificate.get()), "PEM_write_bio_X509");
  char* text = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &text);
  if (length <= 0 || text == nullptr) fail("PEM output");
  return std::string(text, static_cast<std::size_t>(length));
}

}  // namespace cccd::sim

namespace cccd::sim {
namespace {

Bytes der_of_certificate(X509* certificate) {
  unsigned char* der = nullptr;
  const int length = i2d_X509(certificate, &der);
  if (length <= 0) fail("i2d_X509");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

X509Ptr certificate_from(ByteView der) {
  const unsigned char* cursor = der.data();
  X509Ptr certificate(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!certificate) fail("d2i_X509");
  return certificate;
}

EvpPkeyPtr fresh_key(const CertificateProfile& profile) {
  if (profile.key_type == "RSA") {
    return EvpPkeyPtr(checked(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA",
                                                static_cast<std::size_t>(std::stoul(profile.key_parameter))),
                              "RSA key generation"));
  }
  return EvpPkeyPtr(
      checked(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", profile.key_parameter.c_str()), "EC key generation"));
}

void add_extension(X509* certificate, X509V3_CTX& ctx, int nid, const char* value) {
  X509_EXTENSION* extension = checked(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value), "X509V3_EXT_conf_nid");
  const int added = X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
  check(added, "X509_add_ext");
}

// Signs with the issuer's key: SHA-2 with PKCS#1 v1.5 or ECDSA, or RSASSA-PSS.
void sign_with(EVP_PKEY* key, const std::string& digest, bool rsa_pss,
               const std::function<int(EVP_MD_CTX*)>& sign) {
  EvpMdCtxPtr ctx(checked(EVP_MD_CTX_new(), "out of memory"));
  EVP_PKEY_CTX* pkey_ctx = nullptr;
  check(EVP_DigestSignInit_ex(ctx.get(), &pkey_ctx, digest.c_str(), nullptr, nullptr, key, nullptr),
        "EVP_DigestSignInit_ex");
  if (rsa_pss) {
    check(EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING), "PSS padding");
    check(EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, 32), "PSS salt");
  }
  if (sign(ctx.get()) <= 0) fail("signing");
}

}  // namespace

Bytes IssuedCertificate::der() const {
  return der_of_certificate(certificate.get());
}

IssuedCertificate issue_test_certificate(const CertificateProfile& profile, const IssuedCertificate* issuer,
                                         EVP_PKEY* key) {
  IssuedCertificate issued;
  if (key) {
    check(EVP_PKEY_up_ref(key), "EVP_PKEY_up_ref");
    issued.key.reset(key);
  } else {
    issued.key = fresh_key(profile);
  }
  // The certificate's copy of the public key, so that the explicit encoding does not touch the key.
  EvpPkeyPtr public_key(checked(EVP_PKEY_dup(issued.key.get()), "EVP_PKEY_dup"));
  if (profile.explicit_ec_parameters) {
    check(EVP_PKEY_set_utf8_string_param(public_key.get(), OSSL_PKEY_PARAM_EC_ENCODING,
                                         OSSL_PKEY_EC_ENCODING_EXPLICIT),
          "explicit EC encoding");
  }
  issued.certificate.reset(checked(X509_new(), "X509_new"));
  X509* cert = issued.certificate.get();
  check(X509_set_version(cert, 2), "X509_set_version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(cert), profile.serial), "serial");
  X509_NAME* name = X509_get_subject_name(cert);
  check(
      X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(profile.country.c_str()), -1, -1, 0),
      "C");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(profile.common_name.c_str()), -1,
                                   -1, 0),
        "CN");
  check(X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer->certificate.get()) : name),
        "issuer");
  checked(ASN1_TIME_set(X509_getm_notBefore(cert), profile.not_before), "notBefore");
  checked(ASN1_TIME_set(X509_getm_notAfter(cert), profile.not_after), "notAfter");
  check(X509_set_pubkey(cert, public_key.get()), "X509_set_pubkey");
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer->certificate.get() : cert, cert, nullptr, nullptr, 0);
  add_extension(cert, ctx, NID_subject_key_identifier, "hash");
  if (issuer) add_extension(cert, ctx, NID_authority_key_identifier, "keyid:always");
  if (profile.ca) {
    add_extension(cert, ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(cert, ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert, ctx, NID_key_usage, "critical,digitalSignature");
  }
  EVP_PKEY* signing_key = issuer ? issuer->key.get() : issued.key.get();
  sign_with(signing_key, profile.digest, profile.rsa_pss,
            [&](EVP_MD_CTX* md) { return X509_sign_ctx(cert, md); });
  return issued;
}

Bytes make_test_crl(EVP_PKEY* issuer_key, ByteView issuer_certificate, const std::vector<Bytes>& revoked,
                    std::time_t this_update) {
  X509Ptr issuer = certificate_from(issuer_certificate);
  OpensslPtr<X509_CRL, &X509_CRL_free> crl(checked(X509_CRL_new(), "X509_CRL_new"));
  check(X509_CRL_set_version(crl.get(), 1), "X509_CRL_set_version");
  check(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get())), "CRL issuer");
  OpensslPtr<ASN1_TIME, &ASN1_TIME_free> last(checked(ASN1_TIME_set(nullptr, this_update), "ASN1_TIME_set"));
  OpensslPtr<ASN1_TIME, &ASN1_TIME_free> next(
      checked(ASN1_TIME_set(nullptr, this_update + 30 * 24 * 3600), "ASN1_TIME_set"));
  check(X509_CRL_set1_lastUpdate(crl.get(), last.get()), "lastUpdate");
  check(X509_CRL_set1_nextUpdate(crl.get(), next.get()), "nextUpdate");
  for (const Bytes& der : revoked) {
    X509Ptr certificate = certificate_from(der);
    X509_REVOKED* entry = checked(X509_REVOKED_new(), "X509_REVOKED_new");
    if (X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(certificate.get())) != 1 ||
        X509_REVOKED_set_revocationDate(entry, last.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), entry) != 1) {
      X509_REVOKED_free(entry);
      fail("CRL entry");
    }
  }
  check(X509_CRL_sort(crl.get()), "X509_CRL_sort");
  sign_with(issuer_key, "SHA256", false, [&](EVP_MD_CTX* md) { return X509_CRL_sign_ctx(crl.get(), md); });
  unsigned char* der = nullptr;
  const int length = i2d_X509_CRL(crl.get(), &der);
  if (length <= 0) fail("i2d_X509_CRL");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

Bytes make_test_master_list(const std::vector<Bytes>& certificates, const IssuedCertificate& signer,
                            bool rsa_pss, int version, const std::string& econtent_type) {
  const Bytes content = asn1::der_sequence(
      {asn1::der_integer(static_cast<std::uint64_t>(version)), asn1::der_set_of(certificates)});

  BioPtr data(checked(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())), "BIO"));
  const unsigned int flags = CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP;
  OpensslPtr<CMS_ContentInfo, &CMS_ContentInfo_free> cms(
      checked(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags), "CMS_sign"));
  OpensslPtr<ASN1_OBJECT, &ASN1_OBJECT_free> type(checked(OBJ_txt2obj(econtent_type.c_str(), 1), "OID"));
  check(CMS_set1_eContentType(cms.get(), type.get()), "CMS_set1_eContentType");
  CMS_SignerInfo* info = checked(CMS_add1_signer(cms.get(), signer.certificate.get(), signer.key.get(),
                                                 EVP_sha256(), flags | (rsa_pss ? CMS_KEY_PARAM : 0U)),
                                 "CMS_add1_signer");
  if (rsa_pss) {
    EVP_PKEY_CTX* pkey_ctx = checked(CMS_SignerInfo_get0_pkey_ctx(info), "CMS_SignerInfo_get0_pkey_ctx");
    check(EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING), "PSS padding");
    check(EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, 32), "PSS salt");
  }
  check(CMS_final(cms.get(), data.get(), nullptr, flags), "CMS_final");
  unsigned char* der = nullptr;
  const int length = i2d_CMS_ContentInfo(cms.get(), &der);
  if (length <= 0) fail("i2d_CMS_ContentInfo");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

}  // namespace cccd::sim
