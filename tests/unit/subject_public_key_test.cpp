// crypto::named_public_key: the trust store's way to a CSCA's key without OpenSSL's decoder framework.
// What it builds must be the key OpenSSL's own decoding gives; every form it does not handle, and every
// malformed one, must come back null (the store then lets OpenSSL decide), never as a different key.
#include "crypto/subject_public_key.hpp"
#include "asn1/der.hpp"
#include "sim/test_pki.hpp"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <string>

namespace cccd::crypto {
namespace {

Bytes key_info_of(EVP_PKEY* key) {
  unsigned char* encoded = nullptr;
  const int length = i2d_PUBKEY(key, &encoded);
  if (length <= 0) return {};
  Bytes der(encoded, encoded + length);
  OPENSSL_free(encoded);
  return der;
}

// OpenSSL's own decoding, for comparison.
EvpPkeyPtr decoded_by_openssl(ByteView der) {
  const unsigned char* cursor = der.data();
  return EvpPkeyPtr(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
}

bool signature_verifies(EVP_PKEY* signer, EVP_PKEY* verifier) {
  const std::string message = "CRL to be signed";
  EvpMdCtxPtr sign(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (EVP_DigestSignInit(sign.get(), nullptr, EVP_sha256(), nullptr, signer) != 1) return false;
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  if (EVP_DigestSign(sign.get(), nullptr, &length, data, message.size()) != 1) return false;
  Bytes signature(length);
  if (EVP_DigestSign(sign.get(), signature.data(), &length, data, message.size()) != 1) return false;
  signature.resize(length);
  EvpMdCtxPtr check(EVP_MD_CTX_new());
  return EVP_DigestVerifyInit(check.get(), nullptr, EVP_sha256(), nullptr, verifier) == 1 &&
         EVP_DigestVerify(check.get(), signature.data(), signature.size(), data, message.size()) == 1;
}

class NamedPublicKey : public ::testing::TestWithParam<const char*> {};

TEST_P(NamedPublicKey, IsTheKeyOpenSslDecodesAndVerifiesItsSignatures) {
  const std::string kind = GetParam();
  EvpPkeyPtr private_key(kind == "RSA-2048" ? EVP_RSA_gen(2048) : EVP_EC_gen(kind.c_str()));
  ASSERT_TRUE(private_key);
  const Bytes der = key_info_of(private_key.get());
  const EvpPkeyPtr built = named_public_key(der);
  ASSERT_TRUE(built) << kind;
  EXPECT_EQ(EVP_PKEY_eq(built.get(), decoded_by_openssl(der).get()), 1) << kind;
  EXPECT_EQ(EVP_PKEY_eq(built.get(), private_key.get()), 1) << kind;
  EXPECT_TRUE(signature_verifies(private_key.get(), built.get())) << kind;
  // Another key's signature does not.
  EvpPkeyPtr other(kind == "RSA-2048" ? EVP_RSA_gen(2048) : EVP_EC_gen(kind.c_str()));
  EXPECT_FALSE(signature_verifies(other.get(), built.get())) << kind;
}

INSTANTIATE_TEST_SUITE_P(CscaKeys, NamedPublicKey,
                         ::testing::Values("RSA-2048", "P-256", "P-384", "P-521", "brainpoolP256r1",
                                           "brainpoolP384r1", "brainpoolP512r1"));

// An EC SubjectPublicKeyInfo on a named curve with `point` as the public key.
Bytes ec_key_info(const char* curve_oid, ByteView point, unsigned char unused_bits = 0) {
  Bytes bits{unused_bits};
  bits.insert(bits.end(), point.begin(), point.end());
  return asn1::der_sequence(
      {asn1::der_sequence({asn1::der_oid("1.2.840.10045.2.1"), asn1::der_oid(curve_oid)}),
       asn1::tlv(0x03, bits)});
}

Bytes public_point(EVP_PKEY* key) {
  Bytes point(200);
  std::size_t length = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &length) != 1)
    return {};
  point.resize(length);
  return point;
}

TEST(NamedPublicKeyForms, ACompressedPointIsTheSameKey) {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  const Bytes point = public_point(key.get());
  ASSERT_EQ(point.size(), 65u);
  Bytes compressed(point.begin(), point.begin() + 33);
  compressed[0] = (point.back() & 1) != 0 ? 0x03 : 0x02;
  const EvpPkeyPtr built = named_public_key(ec_key_info("1.2.840.10045.3.1.7", compressed));
  ASSERT_TRUE(built);
  EXPECT_EQ(EVP_PKEY_eq(built.get(), key.get()), 1);
}

TEST(NamedPublicKeyForms, APointOffItsCurveIsNoKey) {
  EvpPkeyPtr key(EVP_EC_gen("brainpoolP256r1"));
  Bytes point = public_point(key.get());
  ASSERT_FALSE(point.empty());
  point.back() ^= 0x01;
  const Bytes der = ec_key_info("1.3.36.3.3.2.8.1.1.7", point);
  EXPECT_FALSE(named_public_key(der));
  EXPECT_FALSE(decoded_by_openssl(der));  // OpenSSL refuses it too
  // The same point on the wrong curve is off that curve as well.
  EXPECT_FALSE(named_public_key(ec_key_info("1.2.840.10045.3.1.7", public_point(key.get()))));
}

TEST(NamedPublicKeyForms, FormsItDoesNotHandleAreLeftToOpenSsl) {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  const Bytes point = public_point(key.get());
  EXPECT_TRUE(named_public_key(ec_key_info("1.2.840.10045.3.1.7", point)));  // the sound form, for contrast
  EXPECT_FALSE(named_public_key(ec_key_info("1.2.840.10045.3.1.7", Bytes{0x00})));  // the point at infinity
  EXPECT_FALSE(named_public_key(ec_key_info("1.2.840.10045.3.1.7", point, 1)));     // unused bits
  EXPECT_FALSE(named_public_key(ec_key_info("1.2.3.4", point)));                    // no curve OpenSSL knows
  EXPECT_FALSE(named_public_key(ec_key_info("1.2.840.10045.3.1.7", Bytes{})));      // no point at all

  // Explicit parameters: OpenSSL's decoding names the curve (and the store keeps that path).
  sim::CertificateProfile profile;
  profile.common_name = "Explicit CSCA";
  profile.explicit_ec_parameters = true;
  const sim::IssuedCertificate explicit_csca = sim::issue_test_certificate(profile, nullptr);
  unsigned char* encoded = nullptr;
  const int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(explicit_csca.certificate.get()), &encoded);
  ASSERT_GT(length, 0);
  const Bytes explicit_der(encoded, encoded + length);
  OPENSSL_free(encoded);
  EXPECT_FALSE(named_public_key(explicit_der));
  EXPECT_TRUE(decoded_by_openssl(explicit_der));

  // RSASSA-PSS keys (their own OID, id-RSASSA-PSS in place of rsaEncryption).
  Bytes pss = key_info_of(EvpPkeyPtr(EVP_RSA_gen(2048)).get());
  const Bytes rsa_encryption = asn1::der_oid("1.2.840.113549.1.1.1");
  const auto oid = std::search(pss.begin(), pss.end(), rsa_encryption.begin(), rsa_encryption.end());
  ASSERT_NE(oid, pss.end());
  *(oid + rsa_encryption.size() - 1) = 0x0A;  // 1.2.840.113549.1.1.10
  EXPECT_FALSE(named_public_key(pss));

  // Anything after the structure, or a structure cut short.
  Bytes trailing = ec_key_info("1.2.840.10045.3.1.7", point);
  trailing.push_back(0x00);
  EXPECT_FALSE(named_public_key(trailing));
  Bytes truncated = ec_key_info("1.2.840.10045.3.1.7", point);
  truncated.pop_back();
  EXPECT_FALSE(named_public_key(truncated));
  EXPECT_FALSE(named_public_key(Bytes{}));
}

Bytes rsa_key_info(ByteView modulus, ByteView exponent, ByteView parameters) {
  const Bytes numbers = asn1::der_sequence({asn1::tlv(0x02, modulus), asn1::tlv(0x02, exponent)});
  Bytes bits{0x00};
  bits.insert(bits.end(), numbers.begin(), numbers.end());
  const Bytes oid = asn1::der_oid("1.2.840.113549.1.1.1");
  const Bytes algorithm =
      parameters.empty() ? asn1::der_sequence({oid}) : asn1::der_sequence({oid, parameters});
  return asn1::der_sequence({algorithm, asn1::tlv(0x03, bits)});
}

TEST(NamedPublicKeyForms, RsaNumbersMustBePositiveAndMinimal) {
  EvpPkeyPtr key(EVP_RSA_gen(2048));
  BIGNUM* n = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n), 1);
  Bytes modulus(static_cast<std::size_t>(BN_num_bytes(n)) + 1, 0x00);  // a leading 00: the top bit is set
  BN_bn2bin(n, modulus.data() + 1);
  BN_free(n);
  const Bytes exponent{0x01, 0x00, 0x01};
  const Bytes null = asn1::der_null();

  const EvpPkeyPtr built = named_public_key(rsa_key_info(modulus, exponent, null));
  ASSERT_TRUE(built);
  EXPECT_EQ(EVP_PKEY_eq(built.get(), key.get()), 1);
  EXPECT_TRUE(named_public_key(rsa_key_info(modulus, exponent, {})));  // parameters absent

  const Bytes negative(modulus.begin() + 1, modulus.end());  // top bit set without the 00: negative
  EXPECT_FALSE(named_public_key(rsa_key_info(negative, exponent, null)));
  Bytes padded{0x00};
  padded.insert(padded.end(), modulus.begin(), modulus.end());  // 00 00 ...: not minimal
  EXPECT_FALSE(named_public_key(rsa_key_info(padded, exponent, null)));
  EXPECT_FALSE(named_public_key(rsa_key_info(modulus, Bytes{0x00}, null)));                  // exponent 0
  EXPECT_FALSE(named_public_key(rsa_key_info(modulus, exponent, asn1::der_oid("1.2.3"))));   // odd parameters
  EXPECT_FALSE(named_public_key(rsa_key_info(modulus, exponent, Bytes{0x05, 0x01, 0x00})));  // NULL not empty
}

}  // namespace
}  // namespace cccd::crypto
