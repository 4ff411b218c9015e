// Passive authentication and the verdict: signature schemes with keys made here, the BSI 2008 specimen
// EF.SOD, SODs built here (to reach every failure), and cards of the virtual-card generator.
#include "asn1/der.hpp"
#include "crypto/crypto.hpp"
#include "sim/generator.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"
#include "verify/signature.hpp"
#include "verify/trust_store_impl.hpp"

#include <cccd/error.hpp>
#include <cccd/verify.hpp>

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iterator>

namespace cccd {
namespace {

using crypto::HashAlgorithm;
using verification::SignatureScheme;

// ---------------------------------------------------------------------------------------------------
// Keys, signatures and certificates made for the tests.

EvpPkeyPtr ec_key(const char* curve) {
  return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}
EvpPkeyPtr rsa_key(std::size_t bits = 2048) {
  return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
}

struct PssSigning {
  HashAlgorithm mgf1 = HashAlgorithm::sha256;
  int salt = 32;
};

// A signature made with OpenSSL: DER ECDSA, PKCS#1 v1.5, or PSS when `pss` is set.
Bytes sign(EVP_PKEY* key, HashAlgorithm hash, ByteView message,
           std::optional<PssSigning> pss = std::nullopt) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  EXPECT_EQ(EVP_DigestSignInit(ctx, &pctx, crypto::evp_md(hash), nullptr, key), 1);
  if (pss) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, pss->salt);
    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, crypto::evp_md(pss->mgf1));
  }
  std::size_t length = 0;
  EXPECT_EQ(EVP_DigestSign(ctx, nullptr, &length, message.data(), message.size()), 1);
  Bytes signature(length);
  EXPECT_EQ(EVP_DigestSign(ctx, signature.data(), &length, message.data(), message.size()), 1);
  signature.resize(length);
  EVP_MD_CTX_free(ctx);
  return signature;
}

// r || s, each as long as the group order, from a DER Ecdsa-Sig-Value.
Bytes der_to_plain(ByteView der, std::size_t half) {
  const unsigned char* cursor = der.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size()));
  Bytes plain(2 * half);
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), plain.data(), static_cast<int>(half));
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), plain.data() + half, static_cast<int>(half));
  ECDSA_SIG_free(sig);
  return plain;
}

Bytes certificate_der(X509* cert) {
  int length = i2d_X509(cert, nullptr);
  Bytes out(static_cast<std::size_t>(length));
  unsigned char* cursor = out.data();
  i2d_X509(cert, &cursor);
  return out;
}

constexpr std::time_t kDay = 24 * 3600;

struct CertificateSpec {
  std::string common_name;
  long serial = 1;
  std::time_t not_before = 0;  // seconds relative to now
  std::time_t not_after = 365 * kDay;
  bool ca = false;
};

struct Party {
  EvpPkeyPtr key;
  X509Ptr cert;
};

// A certificate for `key`, issued by `issuer` (self-signed when null), with a subject key identifier.
X509Ptr make_certificate(const CertificateSpec& spec, EVP_PKEY* key, const Party* issuer) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), spec.serial);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("VN"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer->cert.get()) : name);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after);
  X509_set_pubkey(cert.get(), key);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer->cert.get() : cert.get(), cert.get(), nullptr, nullptr, 0);
  auto add = [&](int nid, const char* value) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  };
  add(NID_subject_key_identifier, "hash");
  if (spec.ca) {
    add(NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add(NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add(NID_key_usage, "critical,digitalSignature");
  }
  X509_sign(cert.get(), issuer ? issuer->key.get() : key, EVP_sha256());
  return cert;
}

Party make_csca(const std::string& name, EvpPkeyPtr key = ec_key("P-256")) {
  Party csca{std::move(key), nullptr};
  csca.cert = make_certificate({name, 1, -10 * kDay, 3650 * kDay, true}, csca.key.get(), nullptr);
  return csca;
}

Party make_ds(const Party& csca, EvpPkeyPtr key,
              CertificateSpec spec = {"Test DS", 0x0102, -kDay, 365 * kDay}) {
  Party ds{std::move(key), nullptr};
  ds.cert = make_certificate(spec, ds.key.get(), &csca);
  return ds;
}

TrustStore store_with(const Party& csca, bool test_anchor = false) {
  TrustStore store;
  store.add_certificate(certificate_der(csca.cert.get()), test_anchor);
  return store;
}

// ---------------------------------------------------------------------------------------------------
// Signature schemes.

const std::string_view kMessageText = "the signed attributes of an EF.SOD";
const Bytes kMessage(kMessageText.begin(), kMessageText.end());

Bytes tampered(Bytes data, std::size_t index) {
  data.at(index) ^= 0x01;
  return data;
}

bool verifies(EVP_PKEY* key, std::string_view oid, ByteView signature, ByteView parameters = {},
              std::string_view digest_oid = "2.16.840.1.101.3.4.2.1", ByteView message = kMessage) {
  SignatureScheme scheme = verification::signature_scheme(oid, parameters, digest_oid);
  return verification::verify_signature(key, scheme, message, signature);
}

using test::error_of;

TEST(Signature, EcdsaP256WithSha256) {
  EvpPkeyPtr key = ec_key("P-256");
  EvpPkeyPtr other = ec_key("P-256");
  Bytes signature = sign(key.get(), HashAlgorithm::sha256, kMessage);
  EXPECT_TRUE(verifies(key.get(), "1.2.840.10045.4.3.2", signature));
  EXPECT_FALSE(verifies(key.get(), "1.2.840.10045.4.3.2", signature, {}, "", tampered(kMessage, 3)));
  EXPECT_FALSE(verifies(key.get(), "1.2.840.10045.4.3.2", tampered(signature, signature.size() - 1)));
  EXPECT_FALSE(verifies(other.get(), "1.2.840.10045.4.3.2", signature));
  // Signed with SHA-256 but declared SHA-384: does not verify.
  EXPECT_FALSE(verifies(key.get(), "1.2.840.10045.4.3.3", signature));
  EXPECT_FALSE(verifies(key.get(), "1.2.840.10045.4.3.2", Bytes{0x30, 0x00}));
}

TEST(Signature, EcdsaBrainpoolWithEveryHash) {
  EvpPkeyPtr key = ec_key("brainpoolP256r1");
  struct Case {
    HashAlgorithm hash;
    const char* named_oid;
  };
  for (Case c :
       {Case{HashAlgorithm::sha1, "1.2.840.10045.4.1"}, Case{HashAlgorithm::sha224, "1.2.840.10045.4.3.1"},
        Case{HashAlgorithm::sha256, "1.2.840.10045.4.3.2"},
        Case{HashAlgorithm::sha384, "1.2.840.10045.4.3.3"},
        Case{HashAlgorithm::sha512, "1.2.840.10045.4.3.4"}}) {
    SCOPED_TRACE(c.named_oid);
    Bytes signature = sign(key.get(), c.hash, kMessage);
    EXPECT_TRUE(verifies(key.get(), c.named_oid, signature));
    // id-ecPublicKey as the signature algorithm: the SignerInfo digest algorithm names the hash.
    EXPECT_TRUE(verifies(key.get(), "1.2.840.10045.2.1", signature, {}, crypto::hash_oid(c.hash)));
  }
}

TEST(Signature, EcdsaPlainRAndS) {
  EvpPkeyPtr key = ec_key("brainpoolP256r1");
  Bytes plain = der_to_plain(sign(key.get(), HashAlgorithm::sha256, kMessage), 32);
  EXPECT_TRUE(verifies(key.get(), "0.4.0.127.0.7.1.1.4.1.3", plain));  // BSI ecdsa-plain-SHA256
  // r || s under the X9.62 OID: the same numbers, accepted.
  EXPECT_TRUE(verifies(key.get(), "1.2.840.10045.4.3.2", plain));
  EXPECT_FALSE(verifies(key.get(), "0.4.0.127.0.7.1.1.4.1.3", tampered(plain, 40)));
  EXPECT_FALSE(verifies(key.get(), "0.4.0.127.0.7.1.1.4.1.3", ByteView(plain).first(63)));
}

TEST(Signature, RsaPkcs1) {
  EvpPkeyPtr key = rsa_key();
  Bytes signature = sign(key.get(), HashAlgorithm::sha256, kMessage);
  EXPECT_TRUE(verifies(key.get(), "1.2.840.113549.1.1.11", signature));
  EXPECT_FALSE(verifies(key.get(), "1.2.840.113549.1.1.11", tampered(signature, 100)));
  EXPECT_FALSE(verifies(key.get(), "1.2.840.113549.1.1.12", signature));  // declared SHA-384
  Bytes sha512 = sign(key.get(), HashAlgorithm::sha512, kMessage);
  EXPECT_TRUE(verifies(key.get(), "1.2.840.113549.1.1.1", sha512, {}, "2.16.840.1.101.3.4.2.3"));
  EXPECT_TRUE(verifies(key.get(), "1.2.840.113549.1.1.5", sign(key.get(), HashAlgorithm::sha1, kMessage)));
  // A PSS signature is not a PKCS#1 v1.5 one.
  Bytes pss = sign(key.get(), HashAlgorithm::sha256, kMessage, PssSigning{});
  EXPECT_FALSE(verifies(key.get(), "1.2.840.113549.1.1.11", pss));
}

Bytes hash_identifier(HashAlgorithm hash) {
  return asn1::der_sequence({asn1::der_oid(crypto::hash_oid(hash)), asn1::der_null()});
}

Bytes pss_parameters(HashAlgorithm hash, HashAlgorithm mgf1, std::uint64_t salt, std::uint64_t trailer = 1) {
  Bytes mgf = asn1::der_sequence({asn1::der_oid("1.2.840.113549.1.1.8"), hash_identifier(mgf1)});
  return asn1::der_sequence({asn1::tlv(0xA0, hash_identifier(hash)), asn1::tlv(0xA1, mgf),
                             asn1::tlv(0xA2, asn1::der_integer(salt)),
                             asn1::tlv(0xA3, asn1::der_integer(trailer))});
}

TEST(Signature, RsaPssWithParameters) {
  EvpPkeyPtr key = rsa_key();
  Bytes signature = sign(key.get(), HashAlgorithm::sha256, kMessage, PssSigning{HashAlgorithm::sha256, 32});
  Bytes params = pss_parameters(HashAlgorithm::sha256, HashAlgorithm::sha256, 32);
  EXPECT_TRUE(verifies(key.get(), "1.2.840.113549.1.1.10", signature, params));
  EXPECT_FALSE(verifies(key.get(), "1.2.840.113549.1.1.10", tampered(signature, 5), params));
  EXPECT_FALSE(verifies(key.get(), "1.2.840.113549.1.1.10", signature,
                        pss_parameters(HashAlgorithm::sha256, HashAlgorithm::sha256, 20)));
  EXPECT_FALSE(verifies(key.get(), "1.2.840.113549.1.1.10", signature,
                        pss_parameters(HashAlgorithm::sha256, HashAlgorithm::sha1, 32)));
  EXPECT_FALSE(verifies(key.get(), "1.2.840.113549.1.1.10", signature,
                        pss_parameters(HashAlgorithm::sha512, HashAlgorithm::sha256, 32)));

  // Every parameter left at its default: SHA-1, MGF1 with SHA-1, salt 20.
  Bytes defaults = sign(key.get(), HashAlgorithm::sha1, kMessage, PssSigning{HashAlgorithm::sha1, 20});
  EXPECT_TRUE(verifies(key.get(), "1.2.840.113549.1.1.10", defaults, Bytes{0x30, 0x00}));
  EXPECT_TRUE(verifies(key.get(), "1.2.840.113549.1.1.10", defaults, Bytes{}));
}

TEST(Signature, SchemeNames) {
  auto name = [](std::string_view oid, ByteView params = {},
                 std::string_view digest = "2.16.840.1.101.3.4.2.1") {
    return verification::signature_scheme(oid, params, digest).name();
  };
  EXPECT_EQ(name("1.2.840.10045.4.3.2"), "ecdsa-with-SHA256");
  EXPECT_EQ(name("1.2.840.10045.4.1"), "ecdsa-with-SHA1");
  EXPECT_EQ(name("1.2.840.10045.2.1", {}, "2.16.840.1.101.3.4.2.2"), "ecdsa-with-SHA384");
  EXPECT_EQ(name("0.4.0.127.0.7.1.1.4.1.2"), "ecdsa-plain-SHA224");
  EXPECT_EQ(name("1.2.840.113549.1.1.11"), "sha256WithRSAEncryption");
  EXPECT_EQ(name("1.2.840.113549.1.1.1", {}, "1.3.14.3.2.26"), "sha1WithRSAEncryption");
  EXPECT_EQ(name("1.2.840.113549.1.1.10", pss_parameters(HashAlgorithm::sha384, HashAlgorithm::sha256, 48)),
            "RSASSA-PSS (SHA-384, MGF1 SHA-256, salt 48)");
}

TEST(Signature, RejectsUnknownAndBrokenAlgorithms) {
  auto scheme = [](std::string_view oid, Bytes params = {},
                   std::string_view digest = "2.16.840.1.101.3.4.2.1") {
    return [=] { verification::signature_scheme(oid, params, digest); };
  };
  EXPECT_EQ(error_of(scheme("1.2.840.10040.4.3")), ErrorCode::not_supported);     // DSA with SHA-1
  EXPECT_EQ(error_of(scheme("1.2.840.113549.1.1.4")), ErrorCode::not_supported);  // md5WithRSA
  EXPECT_EQ(error_of(scheme("1.2.840.113549.1.1.1", {}, "1.2.840.113549.2.5")),
            ErrorCode::not_supported);  // MD5
  EXPECT_EQ(error_of(scheme("1.2.840.10045.2.1", {}, "")), ErrorCode::not_supported);
  const std::string pss = "1.2.840.113549.1.1.10";
  EXPECT_EQ(error_of(scheme(pss, from_hex("3003020101"))), ErrorCode::malformed_data);    // no [n] fields
  EXPECT_EQ(error_of(scheme(pss, from_hex("3005A2030201"))), ErrorCode::malformed_data);  // truncated
  EXPECT_EQ(error_of(scheme(pss, pss_parameters(HashAlgorithm::sha256, HashAlgorithm::sha256, 32, 2))),
            ErrorCode::malformed_data);  // trailer 2
  EXPECT_EQ(error_of(scheme(pss, pss_parameters(HashAlgorithm::sha256, HashAlgorithm::sha256, 5000))),
            ErrorCode::malformed_data);  // salt
  Bytes other_mgf = asn1::der_sequence({asn1::tlv(
      0xA1, asn1::der_sequence({asn1::der_oid("1.2.3.4"), hash_identifier(HashAlgorithm::sha256)}))});
  EXPECT_EQ(error_of(scheme(pss, other_mgf)), ErrorCode::not_supported);
  Bytes md5_hash = asn1::der_sequence(
      {asn1::tlv(0xA0, asn1::der_sequence({asn1::der_oid("1.2.840.113549.2.5"), asn1::der_null()}))});
  EXPECT_EQ(error_of(scheme(pss, md5_hash)), ErrorCode::not_supported);
}

TEST(Signature, KeyThatDoesNotFitTheScheme) {
  EvpPkeyPtr rsa = rsa_key();
  EvpPkeyPtr ec = ec_key("P-256");
  Bytes signature = sign(ec.get(), HashAlgorithm::sha256, kMessage);
  EXPECT_EQ(error_of([&] { verifies(rsa.get(), "1.2.840.10045.4.3.2", signature); }), ErrorCode::crypto);
  EXPECT_EQ(error_of([&] { verifies(ec.get(), "1.2.840.113549.1.1.11", signature); }), ErrorCode::crypto);
  EXPECT_EQ(error_of([&] { verifies(nullptr, "1.2.840.10045.4.3.2", signature); }), ErrorCode::crypto);
}

// ---------------------------------------------------------------------------------------------------
// The BSI 2008 specimen (ecdsa-with-SHA1 on an explicit 224-bit curve, SHA-1 data group hashes over
// DG1, DG2, DG3 and DG14).

Bytes read_specimen(const std::string& name) {
  std::ifstream in(std::string(CCCD_TEST_DATA_DIR) + "/bsi2008/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

ChipDump specimen_dump() {
  ChipDump dump;
  dump.files[FileId::com] = read_specimen("EF_COM.bin");
  dump.files[FileId::sod] = read_specimen("EF_SOD.bin");
  dump.files[FileId::dg1] = read_specimen("Datagroup1.bin");
  dump.files[FileId::dg2] = read_specimen("Datagroup2.bin");
  dump.files[FileId::dg3] = read_specimen("Datagroup3.bin");
  dump.files[FileId::dg14] = read_specimen("Datagroup14.bin");
  return dump;
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(Specimen, DataIntegrityPassesAndTrustIsUnknownWithoutCsca) {
  Verdict v = verify(specimen_dump(), TrustStore{});
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;
  EXPECT_EQ(v.hash_algorithm, "SHA-1");
  EXPECT_EQ(v.signature_algorithm, "ecdsa-with-SHA1");
  EXPECT_EQ(v.signer_subject, "serialNumber=1.2.276.0.80.1.12.0.20.10.1.2,CN=DS,O=BundesDruckerei GmbH,C=DE");
  ASSERT_EQ(v.hashes.size(), 4u);
  for (const DataGroupHash& h : v.hashes) {
    EXPECT_TRUE(h.present_in_sod && h.read && h.matches) << file_name(h.file);
  }
  EXPECT_EQ(v.hashes[0].file, FileId::dg1);
  EXPECT_EQ(v.hashes[3].file, FileId::dg14);

  EXPECT_EQ(v.signer_trust.status, FindingStatus::unknown);
  EXPECT_TRUE(contains(v.signer_trust.detail, "no CSCA configured"));
  EXPECT_EQ(v.access.status, FindingStatus::not_checked);
  EXPECT_EQ(v.chip_authenticity.status, FindingStatus::not_checked);  // DG14 is there
  EXPECT_EQ(v.consistency.status, FindingStatus::not_checked);        // no DG13
  EXPECT_EQ(v.consistency.detail, "DG13 was not read");
  EXPECT_FALSE(v.verified);
}

TEST(Specimen, DataGroupsNotReadAreFineButEveryReadOneMustBeListed) {
  ChipDump dump = specimen_dump();
  dump.files.erase(FileId::dg3);  // DG3 is protected by Terminal Authentication: usually not read
  Verdict v = verify(dump, TrustStore{});
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;
  ASSERT_EQ(v.hashes.size(), 4u);
  EXPECT_EQ(v.hashes[2].file, FileId::dg3);
  EXPECT_TRUE(v.hashes[2].present_in_sod);
  EXPECT_FALSE(v.hashes[2].read);
  EXPECT_EQ(v.chip_authenticity.status, FindingStatus::not_checked);

  dump.files[FileId::dg4] = read_specimen("Datagroup4.bin");  // not in this EF.SOD
  v = verify(dump, TrustStore{});
  EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
  EXPECT_EQ(v.data_integrity.detail, "DG4 was read but EF.SOD holds no hash for it");
  auto dg4 =
      std::find_if(v.hashes.begin(), v.hashes.end(), [](const auto& h) { return h.file == FileId::dg4; });
  ASSERT_NE(dg4, v.hashes.end());
  EXPECT_TRUE(dg4->read);
  EXPECT_FALSE(dg4->present_in_sod);
}

TEST(Specimen, AFlippedByteInADataGroupFailsNamingIt) {
  ChipDump dump = specimen_dump();
  dump.files[FileId::dg1][20] ^= 0x01;
  Verdict v = verify(dump, TrustStore{});
  EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
  EXPECT_EQ(v.data_integrity.detail, "DG1 does not match its hash in EF.SOD");
  EXPECT_FALSE(v.hashes[0].matches);
  EXPECT_TRUE(v.hashes[1].matches);
  EXPECT_FALSE(v.verified);
}

TEST(Specimen, AFlippedByteInTheSignatureFails) {
  ChipDump dump = specimen_dump();
  dump.files[FileId::sod].back() ^= 0x01;  // the last byte of the signature's s
  Verdict v = verify(dump, TrustStore{});
  EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
  EXPECT_EQ(v.data_integrity.detail, "SOD signature does not verify");
  EXPECT_EQ(v.signature_algorithm, "ecdsa-with-SHA1");
}

TEST(Specimen, AFlippedByteInTheSignedContentFailsItsMessageDigest) {
  ChipDump dump = specimen_dump();
  dump.files[FileId::sod][100] ^= 0x01;  // inside the DG1 hash of the LDSSecurityObject
  Verdict v = verify(dump, TrustStore{});
  EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
  EXPECT_TRUE(contains(v.data_integrity.detail, "messageDigest attribute of EF.SOD does not match"))
      << v.data_integrity.detail;
  EXPECT_TRUE(contains(v.data_integrity.detail, "DG1 does not match its hash")) << v.data_integrity.detail;
}

TEST(Specimen, TruncatedOrMissingSodFailsWithAReasonAndNeverThrows) {
  ChipDump dump = specimen_dump();
  const Bytes sod = dump.files[FileId::sod];
  for (std::size_t length : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{4}, std::size_t{60},
                             std::size_t{500}, sod.size() - 1}) {
    SCOPED_TRACE(length);
    dump.files[FileId::sod] = Bytes(sod.begin(), sod.begin() + static_cast<std::ptrdiff_t>(length));
    Verdict v;
    EXPECT_NO_THROW(v = verify(dump, TrustStore{}));
    EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
    EXPECT_TRUE(contains(v.data_integrity.detail, "EF.SOD does not parse: ")) << v.data_integrity.detail;
    EXPECT_GT(v.data_integrity.detail.size(), std::string("EF.SOD does not parse: ").size());
    EXPECT_EQ(v.signer_trust.status, FindingStatus::unknown);
    EXPECT_FALSE(v.verified);
  }
  dump.files.erase(FileId::sod);
  Verdict v = verify(dump, TrustStore{});
  EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
  EXPECT_EQ(v.data_integrity.detail, "EF.SOD was not read, so no data group can be checked");
}

TEST(Specimen, EveryBitFlipOfTheSodGivesAVerdictWithoutThrowing) {
  ChipDump dump = specimen_dump();
  const Bytes sod = dump.files[FileId::sod];
  // Offsets in the specimen: the DS certificate is bytes 189..873; the unsigned algorithm identifiers
  // are SignedData.digestAlgorithms (32..42), SignerInfo.digestAlgorithm (924..934) and
  // SignerInfo.signatureAlgorithm (997..1009), whose NULL parameters the parser does not insist on.
  // The SignerInfo's sid (issuer and serial, 883..923) only says which certificate to try first: when
  // it names none, the certificate whose key verifies the signature is the signer (issue 15).
  auto certificate = [](std::size_t i) { return i >= 189 && i < 874; };
  auto algorithm_identifier = [](std::size_t i) {
    return (i >= 32 && i < 43) || (i >= 883 && i < 935) || (i >= 997 && i < 1010);
  };
  for (std::size_t i = 0; i < sod.size(); ++i) {
    dump.files[FileId::sod] = sod;
    dump.files[FileId::sod][i] ^= 0x80;
    Verdict v;
    ASSERT_NO_THROW(v = verify(dump, TrustStore{})) << i;
    EXPECT_FALSE(v.data_integrity.detail.empty());
    // Outside the certificate (whose integrity is the trust check's job), a flip passes only where it
    // changes nothing that is signed or used.
    if (v.data_integrity.status == FindingStatus::passed && !certificate(i)) {
      EXPECT_TRUE(algorithm_identifier(i)) << "a flip at " << i << " still passes";
    }
  }
}

TEST(Specimen, TheDocumentSignerAsAnchorIsTrustedFromTheStartOfItsValidity) {
  // The specimen carries no CSCA; configuring its DS certificate itself as the anchor lets the time rule
  // be checked: valid 2008-01-28 to 2009-01-27, and its EF.SOD has no signingTime. Under the policy of
  // docs/trust.md an expired DS is no failure (documents outlive their DS certificate's use); one that is
  // not valid yet is.
  ChipDump dump = specimen_dump();
  Bytes sod = dump.files[FileId::sod];
  Bytes ds(sod.begin() + 189, sod.begin() + 189 + 685);  // the certificate at offset 189 (4 + 681 bytes)
  TrustStore store;
  store.add_certificate(ds);
  VerifyOptions in_2008;
  in_2008.policy.at = 1214870400;  // 2008-07-01
  Verdict v = verify(dump, store, in_2008);
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
  EXPECT_EQ(v.csca_subject, v.signer_subject);
  EXPECT_FALSE(v.test_csca);
  EXPECT_TRUE(contains(v.signer_trust.detail, "(EF.SOD gives no signing time)")) << v.signer_trust.detail;

  v = verify(dump, store);  // now: expired, which is no failure
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;

  VerifyOptions in_2007;
  in_2007.policy.at = 1183248000;  // 2007-07-01
  v = verify(dump, store, in_2007);
  EXPECT_EQ(v.signer_trust.status, FindingStatus::failed);
  EXPECT_EQ(v.signer_trust.detail, "the document signer certificate is not yet valid");
  EXPECT_TRUE(v.csca_subject.empty());
}

// ---------------------------------------------------------------------------------------------------
// SODs built here, signed by a DS of a CSCA made here.

struct SodSpec {
  std::map<int, Bytes> data_groups;  // number -> content (hashed into the LDSSecurityObject)
  HashAlgorithm dg_hash = HashAlgorithm::sha256;
  HashAlgorithm digest = HashAlgorithm::sha256;  // SignerInfo digestAlgorithm and the signature's hash
  std::string signature_oid = "1.2.840.10045.4.3.2";
  Bytes signature_parameters;  // encoded, empty for none
  std::optional<PssSigning> pss;
  std::string econtent_type = "2.23.136.1.1.1";
  std::string content_type_attribute = "2.23.136.1.1.1";
  std::optional<Bytes> message_digest;  // overrides the right one
  bool sid_by_key_id = false;
  bool include_certificate = true;
  X509* embedded_certificate = nullptr;  // carried instead of the signer's own certificate
};

Bytes algorithm_identifier(std::string_view oid, ByteView parameters = {}) {
  return parameters.empty() ? asn1::der_sequence({asn1::der_oid(oid)})
                            : asn1::der_sequence({asn1::der_oid(oid), parameters});
}

Bytes build_sod(const SodSpec& spec, const Party& ds) {
  Bytes dg_hashes;
  for (const auto& [number, content] : spec.data_groups) {
    append(dg_hashes, asn1::der_sequence({asn1::der_integer(static_cast<std::uint64_t>(number)),
                                          asn1::der_octet_string(crypto::hash(spec.dg_hash, content))}));
  }
  Bytes lds_security_object =
      asn1::der_sequence({asn1::der_integer(0), algorithm_identifier(crypto::hash_oid(spec.dg_hash)),
                          asn1::tlv(0x30, dg_hashes)});

  Bytes digest = spec.message_digest.value_or(crypto::hash(spec.digest, lds_security_object));
  Bytes signed_attributes = asn1::der_set_of({
      asn1::der_sequence({asn1::der_oid("1.2.840.113549.1.9.3"),
                          asn1::der_set({asn1::der_oid(spec.content_type_attribute)})}),
      asn1::der_sequence(
          {asn1::der_oid("1.2.840.113549.1.9.4"), asn1::der_set({asn1::der_octet_string(digest)})}),
  });
  Bytes signature = sign(ds.key.get(), spec.digest, signed_attributes, spec.pss);
  // In SignerInfo the same attributes stand under the implicit [0] tag instead of SET.
  Bytes attributes_implicit = signed_attributes;
  attributes_implicit.front() = 0xA0;

  Bytes sid;
  if (spec.sid_by_key_id) {
    const ASN1_OCTET_STRING* key_id = X509_get0_subject_key_id(ds.cert.get());
    sid = asn1::tlv(
        0x80, ByteView(ASN1_STRING_get0_data(key_id), static_cast<std::size_t>(ASN1_STRING_length(key_id))));
  } else {
    unsigned char* issuer = nullptr;
    int issuer_length = i2d_X509_NAME(X509_get_issuer_name(ds.cert.get()), &issuer);
    unsigned char* serial = nullptr;
    int serial_length = i2d_ASN1_INTEGER(X509_get0_serialNumber(ds.cert.get()), &serial);
    sid = asn1::der_sequence({ByteView(issuer, static_cast<std::size_t>(issuer_length)),
                              ByteView(serial, static_cast<std::size_t>(serial_length))});
    OPENSSL_free(issuer);
    OPENSSL_free(serial);
  }
  Bytes signer_info =
      asn1::der_sequence({asn1::der_integer(spec.sid_by_key_id ? 3 : 1), sid,
                          algorithm_identifier(crypto::hash_oid(spec.digest)), attributes_implicit,
                          algorithm_identifier(spec.signature_oid, spec.signature_parameters),
                          asn1::der_octet_string(signature)});
  X509* carried = spec.embedded_certificate ? spec.embedded_certificate : ds.cert.get();
  Bytes certificates = spec.include_certificate ? asn1::tlv(0xA0, certificate_der(carried)) : Bytes{};
  Bytes signed_data = asn1::der_sequence(
      {asn1::der_integer(3), asn1::der_set({algorithm_identifier(crypto::hash_oid(spec.digest))}),
       asn1::der_sequence(
           {asn1::der_oid(spec.econtent_type), asn1::tlv(0xA0, asn1::der_octet_string(lds_security_object))}),
       certificates, asn1::der_set({signer_info})});
  return asn1::tlv(0x77,
                   asn1::der_sequence({asn1::der_oid("1.2.840.113549.1.7.2"), asn1::tlv(0xA0, signed_data)}));
}

// A dump of arbitrary data groups (not parseable as DG1/DG13: consistency is not the point here).
ChipDump built_dump(const SodSpec& spec, const Party& ds) {
  ChipDump dump;
  for (const auto& [number, content] : spec.data_groups) dump.files[*data_group(number)] = content;
  dump.files[FileId::sod] = build_sod(spec, ds);
  return dump;
}

SodSpec simple_spec() {
  SodSpec spec;
  spec.data_groups[1] = Bytes{0x61, 0x03, 0x01, 0x02, 0x03};
  spec.data_groups[2] = Bytes(300, 0x75);
  spec.data_groups[13] = Bytes{0x6D, 0x01, 0x00};
  return spec;
}

TEST(BuiltSod, SignerFoundByIssuerAndSerialOrByKeyIdAndChainedToItsCsca) {
  Party csca = make_csca("Test CSCA");
  Party ds = make_ds(csca, ec_key("brainpoolP256r1"));
  TrustStore store = store_with(csca, true);
  for (bool by_key_id : {false, true}) {
    SCOPED_TRACE(by_key_id);
    SodSpec spec = simple_spec();
    spec.sid_by_key_id = by_key_id;
    Verdict v = verify(built_dump(spec, ds), store);
    EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;
    EXPECT_EQ(v.data_integrity.detail,
              "the EF.SOD signature verifies and the 3 data groups read match their SHA-256 hashes");
    EXPECT_EQ(v.signature_algorithm, "ecdsa-with-SHA256");
    EXPECT_EQ(v.signer_subject, "CN=Test DS,C=VN");
    EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
    EXPECT_EQ(v.csca_subject, "CN=Test CSCA,C=VN");
    EXPECT_TRUE(v.test_csca);
    EXPECT_EQ(v.consistency.status, FindingStatus::not_checked);  // these DG1/DG13 do not parse
    EXPECT_TRUE(contains(v.consistency.detail, "DG1 does not parse")) << v.consistency.detail;
    EXPECT_FALSE(v.verified);
  }
}

TEST(BuiltSod, RsaPkcs1AndPssAndSha512) {
  Party csca = make_csca("Test CSCA", rsa_key());
  Party ds = make_ds(csca, rsa_key());
  TrustStore store = store_with(csca);

  SodSpec pkcs1 = simple_spec();
  pkcs1.signature_oid = "1.2.840.113549.1.1.13";
  pkcs1.digest = HashAlgorithm::sha512;
  pkcs1.dg_hash = HashAlgorithm::sha384;
  Verdict v = verify(built_dump(pkcs1, ds), store);
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;
  EXPECT_EQ(v.signature_algorithm, "sha512WithRSAEncryption");
  EXPECT_EQ(v.hash_algorithm, "SHA-384");
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
  EXPECT_FALSE(v.test_csca);

  SodSpec pss = simple_spec();
  pss.signature_oid = "1.2.840.113549.1.1.10";
  pss.signature_parameters = pss_parameters(HashAlgorithm::sha256, HashAlgorithm::sha256, 32);
  pss.pss = PssSigning{HashAlgorithm::sha256, 32};
  v = verify(built_dump(pss, ds), store);
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;
  EXPECT_EQ(v.signature_algorithm, "RSASSA-PSS (SHA-256, MGF1 SHA-256, salt 32)");

  pss.signature_parameters =
      pss_parameters(HashAlgorithm::sha256, HashAlgorithm::sha256, 64);  // not as signed
  v = verify(built_dump(pss, ds), store);
  EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
  EXPECT_EQ(v.data_integrity.detail, "SOD signature does not verify");
}

TEST(BuiltSod, SignedAttributeFailuresAreNamed) {
  Party csca = make_csca("Test CSCA");
  Party ds = make_ds(csca, ec_key("P-256"));
  TrustStore store = store_with(csca);

  SodSpec wrong_digest = simple_spec();
  wrong_digest.message_digest = Bytes(32, 0xAA);
  Verdict v = verify(built_dump(wrong_digest, ds), store);
  EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
  EXPECT_EQ(v.data_integrity.detail, "the messageDigest attribute of EF.SOD does not match its content");
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed);  // the signer is still who it is

  SodSpec wrong_type = simple_spec();
  wrong_type.content_type_attribute = "1.2.840.113549.1.7.1";
  v = verify(built_dump(wrong_type, ds), store);
  EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
  EXPECT_EQ(v.data_integrity.detail, "the contentType attribute of EF.SOD differs from its content type");

  // id-data holding an LDSSecurityObject is what some issuers write (issue 15): verified; another type
  // (digestedData here) is refused.
  SodSpec id_data = simple_spec();
  id_data.econtent_type = "1.2.840.113549.1.7.1";
  id_data.content_type_attribute = "1.2.840.113549.1.7.1";
  v = verify(built_dump(id_data, ds), store);
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;

  SodSpec wrong_econtent = simple_spec();
  wrong_econtent.econtent_type = "1.2.840.113549.1.7.5";
  wrong_econtent.content_type_attribute = "1.2.840.113549.1.7.5";
  v = verify(built_dump(wrong_econtent, ds), store);
  EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
  EXPECT_TRUE(contains(v.data_integrity.detail, "EF.SOD does not parse")) << v.data_integrity.detail;
  EXPECT_TRUE(contains(v.data_integrity.detail, "eContentType")) << v.data_integrity.detail;

  SodSpec unsupported = simple_spec();
  unsupported.signature_oid = "1.2.840.10040.4.3";
  v = verify(built_dump(unsupported, ds), store);
  EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
  EXPECT_EQ(v.data_integrity.detail, "SOD signature cannot be checked: unsupported signature algorithm");

  SodSpec rsa_oid_on_ec_key = simple_spec();
  rsa_oid_on_ec_key.signature_oid = "1.2.840.113549.1.1.11";
  v = verify(built_dump(rsa_oid_on_ec_key, ds), store);
  EXPECT_EQ(v.data_integrity.detail,
            "SOD signature cannot be checked: the signature algorithm does not fit the signer's key type");
}

TEST(BuiltSod, MissingOrUnmatchedSignerCertificate) {
  Party csca = make_csca("Test CSCA");
  Party ds = make_ds(csca, ec_key("P-256"));
  TrustStore store = store_with(csca);

  SodSpec no_cert = simple_spec();
  no_cert.include_certificate = false;
  Verdict v = verify(built_dump(no_cert, ds), store);
  EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
  EXPECT_EQ(v.data_integrity.detail, "EF.SOD carries no document signer certificate");
  EXPECT_EQ(v.signer_trust.status, FindingStatus::failed);
  EXPECT_EQ(v.signer_trust.detail, "EF.SOD gives no document signer certificate to check");

  // The SignerInfo names a DS with another serial number than the certificate carried.
  Party other = make_ds(csca, ec_key("P-256"), {"Test DS", 0x0999, -kDay, 365 * kDay});
  SodSpec spec = simple_spec();
  spec.embedded_certificate = other.cert.get();
  ChipDump dump = built_dump(spec, ds);
  v = verify(dump, store);
  EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
  EXPECT_EQ(v.data_integrity.detail, "no certificate in EF.SOD matches its SignerInfo");
}

TEST(BuiltSod, NoDataGroupReadIsNoIntegrity) {
  Party csca = make_csca("Test CSCA");
  Party ds = make_ds(csca, ec_key("P-256"));
  ChipDump dump = built_dump(simple_spec(), ds);
  for (int n : {1, 2, 13}) dump.files.erase(*data_group(n));
  Verdict v = verify(dump, store_with(csca));
  EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
  EXPECT_EQ(v.data_integrity.detail, "no data group that EF.SOD lists was read");
  EXPECT_EQ(v.hashes.size(), 3u);
}

TEST(SignerTrust, FailuresCarryTheReason) {
  Party csca = make_csca("Test CSCA");
  SodSpec spec = simple_spec();

  // Another CSCA: no issuer found.
  Party ds = make_ds(csca, ec_key("P-256"));
  Party stranger = make_csca("Other CSCA");
  Verdict v = verify(built_dump(spec, ds), store_with(stranger));
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed);
  EXPECT_EQ(v.signer_trust.status, FindingStatus::failed);
  EXPECT_EQ(v.signer_trust.detail, "no CSCA in the trust store issued the document signer certificate");
  EXPECT_TRUE(v.csca_subject.empty());

  // A CSCA with the same name but another key: the name matches, the signature does not.
  Party impostor = make_csca("Test CSCA");
  v = verify(built_dump(spec, ds), store_with(impostor));
  EXPECT_EQ(v.signer_trust.status, FindingStatus::failed);
  EXPECT_EQ(v.signer_trust.detail,
            "the document signer's signature does not verify with the CSCA of the trust store named as its "
            "issuer");

  // An expired DS in an EF.SOD without signingTime: no failure (docs/trust.md); judged at a time before
  // it was valid: failed.
  Party old_ds = make_ds(csca, ec_key("P-256"), {"Old DS", 5, -5 * kDay, -2 * kDay});
  ChipDump old_dump = built_dump(spec, old_ds);
  TrustStore store = store_with(csca);
  v = verify(old_dump, store);
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
  VerifyOptions then;
  then.policy.at = std::time(nullptr) - 3 * kDay;
  v = verify(old_dump, store, then);
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
  then.policy.at = std::time(nullptr) - 30 * kDay;  // before the CSCA and DS were valid
  v = verify(old_dump, store, then);
  EXPECT_EQ(v.signer_trust.detail, "the document signer certificate is not yet valid");

  // With several anchors, the one that issued the DS is reported.
  TrustStore both;
  both.add_certificate(certificate_der(stranger.cert.get()), true);
  both.add_certificate(certificate_der(csca.cert.get()), false);
  v = verify(built_dump(spec, ds), both);
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed);
  EXPECT_EQ(v.csca_subject, "CN=Test CSCA,C=VN");
  EXPECT_FALSE(v.test_csca);
}

TEST(Access, FromTheDump) {
  ChipDump dump;
  Verdict v = verify(dump, TrustStore{});
  EXPECT_EQ(v.access.status, FindingStatus::not_checked);
  dump.access_protocol = "PACE-GM";
  v = verify(dump, TrustStore{});
  EXPECT_EQ(v.access.status, FindingStatus::passed);
  EXPECT_EQ(v.access.detail, "PACE-GM");
  dump.access_protocol = "BAC\n<script>";
  v = verify(dump, TrustStore{});
  EXPECT_EQ(v.access.detail, "an unrecognised protocol");
  EXPECT_EQ(v.chip_authenticity.status, FindingStatus::not_supported);
  EXPECT_EQ(v.chip_authenticity.detail, "the chip offers neither Chip nor Active Authentication");
  dump.files[FileId::dg15] = Bytes{0x6F, 0x00};
  v = verify(dump, TrustStore{});
  EXPECT_EQ(v.chip_authenticity.status, FindingStatus::not_checked);
  EXPECT_EQ(v.consistency.detail, "DG1 was not read");
}

TEST(Verdict, StatusNames) {
  EXPECT_EQ(status_name(FindingStatus::passed), "passed");
  EXPECT_EQ(status_name(FindingStatus::failed), "failed");
  EXPECT_EQ(status_name(FindingStatus::unknown), "unknown");
  EXPECT_EQ(status_name(FindingStatus::not_supported), "not_supported");
  EXPECT_EQ(status_name(FindingStatus::not_checked), "not_checked");
}

// ---------------------------------------------------------------------------------------------------
// Cards of the virtual-card generator.

ChipDump dump_of(const sim::CardData& card) {
  ChipDump dump;
  dump.files = card.files;
  dump.access_protocol = "BAC";
  return dump;
}

TrustStore test_anchor(const sim::CardData& card) {
  TrustStore store;
  store.add_certificate(as_bytes(card.csca_pem), true);
  return store;
}

const sim::CardData& ecdsa_card() {
  static const sim::CardData card = sim::generate_card({});
  return card;
}

TEST(GeneratedCard, VerifiedWithItsTestCsca) {
  const sim::CardData& card = ecdsa_card();
  Verdict v = verify(dump_of(card), test_anchor(card));
  EXPECT_EQ(v.access.status, FindingStatus::passed);
  EXPECT_EQ(v.access.detail, "BAC");
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
  EXPECT_EQ(v.consistency.status, FindingStatus::passed) << v.consistency.detail;
  EXPECT_EQ(v.chip_authenticity.status, FindingStatus::not_supported);
  EXPECT_TRUE(v.test_csca);
  EXPECT_TRUE(contains(v.csca_subject, "libcccd TEST CSCA 1")) << v.csca_subject;
  EXPECT_TRUE(contains(v.signer_subject, "libcccd TEST DS 1")) << v.signer_subject;
  EXPECT_EQ(v.hash_algorithm, "SHA-256");
  EXPECT_EQ(v.signature_algorithm, "ecdsa-with-SHA256");
  EXPECT_TRUE(v.verified);
}

TEST(GeneratedCard, RsaSignedCardVerified) {
  sim::GeneratorOptions options;
  options.signer = sim::SignerAlgorithm::rsa_2048;
  options.seed = 7;
  sim::CardData card = sim::generate_card(options);
  Verdict v = verify(dump_of(card), test_anchor(card));
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
  EXPECT_EQ(v.signature_algorithm, "sha256WithRSAEncryption");
  EXPECT_TRUE(v.verified);
}

TEST(GeneratedCard, TrustFailsWithTheCscaOfAnotherSeed) {
  sim::GeneratorOptions options;
  options.seed = 2;
  sim::CardData other = sim::generate_card(options);
  Verdict v = verify(dump_of(ecdsa_card()), test_anchor(other));
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed);
  EXPECT_EQ(v.signer_trust.status, FindingStatus::failed);
  EXPECT_FALSE(v.verified);
}

TEST(GeneratedCard, TrustUnknownWithoutCscaIsNotVerified) {
  Verdict v = verify(dump_of(ecdsa_card()), TrustStore{});
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed);
  EXPECT_EQ(v.consistency.status, FindingStatus::passed);
  EXPECT_EQ(v.signer_trust.status, FindingStatus::unknown);
  EXPECT_FALSE(v.verified);
}

TEST(GeneratedCard, Dg13AlteredAfterSigningFailsIntegrity) {
  ChipDump dump = dump_of(ecdsa_card());
  Bytes& dg13 = dump.files.at(FileId::dg13);
  std::string id = "001099012345";
  auto at = std::search(dg13.begin(), dg13.end(), id.begin(), id.end());
  ASSERT_NE(at, dg13.end());
  *(at + 11) = '9';
  Verdict v = verify(dump, test_anchor(ecdsa_card()));
  EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
  EXPECT_EQ(v.data_integrity.detail, "DG13 does not match its hash in EF.SOD");
  EXPECT_EQ(v.consistency.status, FindingStatus::failed);
  EXPECT_FALSE(v.verified);
  // Neither finding repeats the data.
  for (const Finding* f : {&v.data_integrity, &v.consistency, &v.signer_trust}) {
    EXPECT_FALSE(contains(f->detail, "001099012349")) << f->detail;
    EXPECT_FALSE(contains(f->detail, "Nguy")) << f->detail;
  }
}

TEST(GeneratedCard, InconsistentCardSignedByATrustedSignerFailsConsistencyOnly) {
  // DG1 of one holder and DG13 of another, under an EF.SOD re-signed by a DS of a CSCA made here.
  sim::Holder holder;
  sim::Holder other = holder;
  other.id_number = "001099012399";
  Party csca = make_csca("Test CSCA");
  Party ds = make_ds(csca, ec_key("brainpoolP256r1"));
  SodSpec spec;
  spec.data_groups[1] = sim::build_dg1(holder);
  spec.data_groups[13] = sim::build_dg13(other, 1);
  ChipDump dump = built_dump(spec, ds);
  dump.access_protocol = "BAC";
  Verdict v = verify(dump, store_with(csca));
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
  EXPECT_EQ(v.consistency.status, FindingStatus::failed);
  EXPECT_EQ(v.consistency.detail, "DG1 (MRZ) and DG13 differ in: ID number, document number");
  EXPECT_FALSE(v.verified);

  // The same with matching data groups is verified: the difference above is what failed it.
  spec.data_groups[13] = sim::build_dg13(holder, 1);
  dump = built_dump(spec, ds);
  v = verify(dump, store_with(csca));
  EXPECT_EQ(v.consistency.status, FindingStatus::passed) << v.consistency.detail;
  EXPECT_TRUE(v.verified);
}

TEST(GeneratedCard, AChipOfferingChipOrActiveAuthenticationIsNotVerifiedUntilThatRuns) {
  // Everything else passes; the chip offers Active Authentication (DG15 covered by EF.SOD). Without
  // running it a clone cannot be told apart, so the card is not verified — read or left out of the dump.
  sim::Holder holder;
  Party csca = make_csca("Test CSCA");
  Party ds = make_ds(csca, ec_key("brainpoolP256r1"));
  SodSpec spec;
  spec.data_groups[1] = sim::build_dg1(holder);
  spec.data_groups[13] = sim::build_dg13(holder, 1);
  spec.data_groups[15] = asn1::tlv(0x6F, asn1::der_sequence({}));
  ChipDump dump = built_dump(spec, ds);
  dump.access_protocol = "BAC";
  for (bool dg15_in_dump : {true, false}) {
    SCOPED_TRACE(dg15_in_dump);
    if (!dg15_in_dump) dump.files.erase(FileId::dg15);
    Verdict v = verify(dump, store_with(csca));
    EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;
    EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
    EXPECT_EQ(v.consistency.status, FindingStatus::passed) << v.consistency.detail;
    EXPECT_EQ(v.chip_authenticity.status, FindingStatus::not_checked);
    EXPECT_TRUE(contains(v.chip_authenticity.detail, "clone")) << v.chip_authenticity.detail;
    EXPECT_FALSE(v.verified);
  }
}

TEST(GeneratedCard, CardsWithoutExpiryAndWithOnlyABirthYearAreConsistent) {
  sim::GeneratorOptions options;
  options.holder.birth = "1950";
  options.holder.expiry = "none";
  options.holder.full_name = "Đặng Văn Ông";
  options.holder.sex = 'M';
  sim::CardData card = sim::generate_card(options);
  Verdict v = verify(dump_of(card), test_anchor(card));
  EXPECT_EQ(v.consistency.status, FindingStatus::passed) << v.consistency.detail;
  EXPECT_TRUE(v.verified);
}

TEST(Parse, ParsesTheGeneratedCard) {
  Document document = parse(dump_of(ecdsa_card()));
  ASSERT_TRUE(document.mrz);
  ASSERT_TRUE(document.personal);
  EXPECT_EQ(document.personal->id_number(), "001099012345");
  EXPECT_EQ(document.mrz->document_number, "099012345");
  EXPECT_TRUE(document.parse_errors.empty());
}

}  // namespace
}  // namespace cccd
