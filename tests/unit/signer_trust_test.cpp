// Signer trust under the validity policy of trust.hpp (docs/trust.md): SODs signed by test PKIs with
// chosen validity periods and signing times, CRLs, explicit EC parameters, link certificates, and the
// BSI 2008 specimen verified offline.
#include "asn1/der.hpp"
#include "sim/test_pki.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"
#include "verify/trust_store_impl.hpp"

#include <cccd/error.hpp>
#include <cccd/report.hpp>
#include <cccd/trust.hpp>
#include <cccd/verify.hpp>

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <iterator>
#include <string>

namespace cccd {
namespace {

using sim::SignerAlgorithm;
using sim::TestPki;
using sim::TestPkiOptions;

// 2026-11-01, the "now" of these tests (the test PKI's dates are fixed).
constexpr std::time_t kNow = 1793491200;

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

void write_file(const std::filesystem::path& path, ByteView data) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

X509Ptr parse(ByteView der) {
  const unsigned char* cursor = der.data();
  return X509Ptr(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
}

// A dump of three arbitrary data groups and an EF.SOD signed by the PKI's DS at `signing_time` (a DER
// time; empty for an EF.SOD without the attribute is not possible with build_sod, so every SOD here
// has one).
ChipDump signed_dump(const TestPki& pki, ByteView signing_time) {
  std::map<int, Bytes> groups{
      {1, Bytes{0x61, 0x01, 0x00}}, {2, Bytes(100, 0x75)}, {13, Bytes{0x6D, 0x01, 0x00}}};
  ChipDump dump;
  for (const auto& [number, content] : groups) dump.files[*data_group(number)] = content;
  dump.files[FileId::sod] = sim::build_sod(groups, pki, signing_time);
  return dump;
}

Verdict verify_now(const ChipDump& dump, const TrustStore& store) {
  VerifyOptions options;
  options.policy.at = kNow;
  return verify(dump, store, options);
}

TrustStore store_of(std::initializer_list<const Bytes*> certificates) {
  TrustStore store;
  for (const Bytes* der : certificates) store.add_certificate(*der);
  return store;
}

TEST(SignerTrust, PassesWithItsCscaAndSaysWhatWasChecked) {
  TestPki pki = sim::make_test_pki(SignerAlgorithm::ecdsa_brainpool_p256r1, 501);
  Verdict v = verify_now(signed_dump(pki, sim::der_time(2024, 3, 1)), store_of({&pki.csca_certificate}));
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
  EXPECT_EQ(v.signer_trust.detail,
            "the document signer chains to a configured libcccd test CSCA (not a real issuer), valid at the "
            "SOD signing time; no CRL of its "
            "CSCA in the trust store");
  EXPECT_EQ(v.csca_subject, "CN=libcccd TEST CSCA 501,O=libcccd virtual card (not a real authority),C=VN");
}

TEST(SignerTrust, RsaPkiPasses) {
  TestPki pki = sim::make_test_pki(SignerAlgorithm::rsa_2048, 502);
  Verdict v = verify_now(signed_dump(pki, sim::der_time(2024, 3, 1)), store_of({&pki.csca_certificate}));
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
}

TEST(SignerTrust, ADocumentSignerOfAnUnknownCscaFailsWithANonEmptyStore) {
  TestPki pki = sim::make_test_pki(SignerAlgorithm::ecdsa_brainpool_p256r1, 503);
  TestPki other = sim::make_test_pki(SignerAlgorithm::ecdsa_brainpool_p256r1, 504);
  Verdict v = verify_now(signed_dump(pki, sim::der_time(2024, 3, 1)), store_of({&other.csca_certificate}));
  EXPECT_EQ(v.signer_trust.status, FindingStatus::failed);
  EXPECT_EQ(v.signer_trust.detail, "no CSCA in the trust store issued the document signer certificate");
  EXPECT_TRUE(v.csca_subject.empty());
  // With an empty store the same dump is unknown, not failed.
  v = verify_now(signed_dump(pki, sim::der_time(2024, 3, 1)), TrustStore{});
  EXPECT_EQ(v.signer_trust.status, FindingStatus::unknown);
}

TEST(SignerTrust, ValidityIsJudgedAtTheSigningTime) {
  struct Case {
    TestPkiOptions options;
    Bytes signing_time;
    FindingStatus status;
    std::string detail;  // or the start of a passed one
  };
  auto dates = [](TestPkiOptions::Date csca_from, TestPkiOptions::Date csca_to, TestPkiOptions::Date ds_from,
                  TestPkiOptions::Date ds_to) {
    TestPkiOptions options;
    options.csca_not_before = csca_from;
    options.csca_not_after = csca_to;
    options.ds_not_before = ds_from;
    options.ds_not_after = ds_to;
    return options;
  };
  const Case cases[] = {
      // A DS that has expired by now, but was valid when it signed: passed (DS keys sign for months,
      // the documents last ten years).
      {dates({2020, 1, 1}, {2045, 1, 1}, {2021, 1, 1}, {2024, 1, 1}), sim::der_time(2023, 6, 1),
       FindingStatus::passed,
       "the document signer chains to a configured libcccd test CSCA (not a real issuer), valid at the SOD "
       "signing time"},
      {dates({2020, 1, 1}, {2045, 1, 1}, {2021, 1, 1}, {2022, 1, 1}), sim::der_time(2023, 6, 1),
       FindingStatus::failed, "the document signer certificate had expired at the SOD signing time"},
      {dates({2020, 1, 1}, {2045, 1, 1}, {2024, 1, 1}, {2034, 1, 1}), sim::der_time(2023, 6, 1),
       FindingStatus::failed, "the document signer certificate was not yet valid at the SOD signing time"},
      // The CSCA expired before the SOD was signed.
      {dates({2020, 1, 1}, {2022, 6, 1}, {2021, 1, 1}, {2036, 1, 1}), sim::der_time(2023, 6, 1),
       FindingStatus::failed, "the CSCA had expired at the SOD signing time"},
      // The CSCA was not valid yet when it issued the DS.
      {dates({2022, 1, 1}, {2045, 1, 1}, {2021, 1, 1}, {2036, 1, 1}), sim::der_time(2023, 6, 1),
       FindingStatus::failed, "the CSCA was not valid when it issued the document signer certificate"},
      // Signed in the future (more than a day after now).
      {TestPkiOptions{}, sim::der_time(2027, 1, 1), FindingStatus::failed,
       "the signingTime of EF.SOD lies in the future"},
  };
  std::uint64_t seed = 510;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.detail);
    TestPki pki = sim::make_test_pki(SignerAlgorithm::ecdsa_brainpool_p256r1, ++seed, c.options);
    Verdict v = verify_now(signed_dump(pki, c.signing_time), store_of({&pki.csca_certificate}));
    EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;
    EXPECT_EQ(v.signer_trust.status, c.status) << v.signer_trust.detail;
    EXPECT_TRUE(v.signer_trust.detail.starts_with(c.detail)) << v.signer_trust.detail;
    EXPECT_EQ(v.csca_subject.empty(), c.status != FindingStatus::passed);
  }
}

TEST(SignerTrust, AnUnreadableSigningTimeFails) {
  TestPki pki = sim::make_test_pki(SignerAlgorithm::ecdsa_brainpool_p256r1, 515);
  TrustStore store = store_of({&pki.csca_certificate});
  for (const Bytes& bad :
       {asn1::tlv(0x17, as_bytes("2402301200Z")),  // 30 February
        asn1::tlv(0x17, as_bytes("not a time")), asn1::tlv(0x04, as_bytes("240301000000Z")),
        asn1::tlv(0x18, as_bytes("20240301"))}) {
    Verdict v = verify_now(signed_dump(pki, bad), store);
    EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;  // it is signed
    EXPECT_EQ(v.signer_trust.status, FindingStatus::failed);
    EXPECT_EQ(v.signer_trust.detail, "the signingTime attribute of EF.SOD does not parse");
  }
}

TEST(SignerTrust, ARevokedDocumentSignerFails) {
  TestPki pki = sim::make_test_pki(SignerAlgorithm::ecdsa_brainpool_p256r1, 520);
  TestPki other = sim::make_test_pki(SignerAlgorithm::ecdsa_brainpool_p256r1, 521);
  ChipDump dump = signed_dump(pki, sim::der_time(2024, 3, 1));
  const std::time_t issued = kNow - 24 * 3600;

  // The CSCA's CRL lists the DS: failed, whatever the CRL's format (DER file, PEM file, a folder).
  Bytes revoking =
      sim::make_test_crl(pki.csca_key.pkey(), pki.csca_certificate, {pki.ds_certificate}, issued);
  test::TempDir dir;
  write_file(dir.path() / "csca.crl", revoking);
  {
    TrustStore store = store_of({&pki.csca_certificate});
    EXPECT_EQ(store.add_crl(dir.path() / "csca.crl"), 1u);
    Verdict v = verify_now(dump, store);
    EXPECT_EQ(v.signer_trust.status, FindingStatus::failed);
    EXPECT_EQ(v.signer_trust.detail,
              "the document signer certificate is revoked (on the CRL of CN=libcccd TEST CSCA 520,O=libcccd "
              "virtual card (not a real authority),C=VN)");
    EXPECT_TRUE(v.csca_subject.empty());
    ASSERT_EQ(store.summary().crls.size(), 1u);
    EXPECT_TRUE(store.summary().crls[0].verified);
    EXPECT_EQ(store.summary().crls[0].revoked, 1u);
  }
  {
    // PEM, through a folder with the CSCA certificate.
    const unsigned char* cursor = revoking.data();
    X509_CRL* crl = d2i_X509_CRL(nullptr, &cursor, static_cast<long>(revoking.size()));
    ASSERT_NE(crl, nullptr);
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_CRL(bio, crl);
    char* text = nullptr;
    long length = BIO_get_mem_data(bio, &text);
    test::TempDir folder;
    write_file(folder.path() / "csca.pem.crl",
               ByteView(reinterpret_cast<unsigned char*>(text), static_cast<std::size_t>(length)));
    BIO_free(bio);
    X509_CRL_free(crl);
    write_file(folder.path() / "csca.cer", pki.csca_certificate);
    TrustStore store;
    EXPECT_EQ(store.add_path(folder.path()), 1u);
    EXPECT_EQ(store.summary().crls.size(), 1u);
    Verdict v = verify_now(dump, store);
    EXPECT_EQ(v.signer_trust.status, FindingStatus::failed);
    EXPECT_TRUE(contains(v.signer_trust.detail, "revoked")) << v.signer_trust.detail;
  }
  {
    // A CRL of the CSCA that lists another certificate: passed, and says the CRL was checked.
    TrustStore store = store_of({&pki.csca_certificate});
    store.add_crl_data(
        sim::make_test_crl(pki.csca_key.pkey(), pki.csca_certificate, {pki.csca_certificate}, issued));
    Verdict v = verify_now(dump, store);
    EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
    EXPECT_TRUE(contains(v.signer_trust.detail, "; not revoked by its CSCA's CRL")) << v.signer_trust.detail;
  }
  {
    // A CRL in the CSCA's name but signed by another key is ignored with a note: never trusted.
    X509Ptr csca = parse(pki.csca_certificate);
    X509Ptr forger = parse(other.csca_certificate);
    ASSERT_TRUE(csca && forger);
    // The forger's CRL names the real CSCA as issuer: build it from a certificate with that subject.
    Bytes forged =
        sim::make_test_crl(other.csca_key.pkey(), pki.csca_certificate, {pki.ds_certificate}, issued);
    TrustStore store = store_of({&pki.csca_certificate, &other.csca_certificate});
    store.add_crl_data(forged);
    Verdict v = verify_now(dump, store);
    EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
    EXPECT_TRUE(contains(v.signer_trust.detail,
                         "1 CRL(s) bearing its CSCA's name did not verify with a CSCA of the store and were "
                         "ignored"))
        << v.signer_trust.detail;
    EXPECT_FALSE(store.summary().crls[0].verified);
  }
}

TEST(SignerTrust, CrlFilesThatAreNotCrlsAreRefused) {
  test::TempDir dir;
  write_file(dir.path() / "empty.crl", Bytes{});
  write_file(dir.path() / "text.crl", as_bytes("hello"));
  TestPki pki = sim::make_test_pki(SignerAlgorithm::ecdsa_brainpool_p256r1, 530);
  write_file(dir.path() / "cert.crl", pki.csca_certificate);
  Bytes crl = sim::make_test_crl(pki.csca_key.pkey(), pki.csca_certificate, {}, kNow);
  crl.push_back(0);
  write_file(dir.path() / "trailing.crl", crl);
  TrustStore store;
  for (const char* name : {"empty.crl", "text.crl", "cert.crl", "trailing.crl"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(test::error_of([&] { store.add_crl(dir.path() / name); }), ErrorCode::malformed_data);
  }
  EXPECT_EQ(test::error_of([&] { store.add_crl(dir.path() / "missing.crl"); }), ErrorCode::io);
  EXPECT_EQ(test::error_of([&] { store.add_crl_data(Bytes(1024 * 1024 + 1, 0x30)); }),
            ErrorCode::limit_exceeded);
  EXPECT_TRUE(store.summary().crls.empty());
}

TEST(SignerTrust, AnExplicitParameterCscaVerifiesWhereOpensslsChainBuilderRefusesIt) {
  TestPkiOptions options;
  options.csca_explicit_ec_parameters = true;
  TestPki pki = sim::make_test_pki(SignerAlgorithm::ecdsa_brainpool_p256r1, 540, options);
  X509Ptr csca = parse(pki.csca_certificate);
  X509Ptr ds = parse(pki.ds_certificate);
  ASSERT_TRUE(csca && ds);

  // Why the store checks chains itself: OpenSSL 3.0's X509_verify_cert refuses a CA key with explicit
  // parameters (error 94 at depth 1) even though the signature itself verifies with that key.
  X509_STORE* x509_store = X509_STORE_new();
  X509_STORE_add_cert(x509_store, csca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, x509_store, ds.get(), nullptr);
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), kNow);
  EXPECT_NE(X509_verify_cert(ctx), 1);
  EXPECT_EQ(X509_STORE_CTX_get_error(ctx), X509_V_ERR_EC_KEY_EXPLICIT_PARAMS);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(x509_store);
  EXPECT_EQ(X509_verify(ds.get(), X509_get0_pubkey(csca.get())), 1);

  TrustStore store = store_of({&pki.csca_certificate});
  ASSERT_TRUE(store.snapshot()->anchors[0].key()) << store.snapshot()->anchors[0].key_problem();
  Verdict v = verify_now(signed_dump(pki, sim::der_time(2024, 3, 1)), store);
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
}

// A link certificate: the new CSCA's key and name, issued by the old CSCA.
Bytes link_certificate(const TestPki& old_pki, const TestPki& new_pki) {
  X509Ptr old_csca = parse(old_pki.csca_certificate);
  X509Ptr new_csca = parse(new_pki.csca_certificate);
  X509Ptr link(X509_new());
  X509_set_version(link.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(link.get()), 77);
  X509_set_subject_name(link.get(), X509_get_subject_name(new_csca.get()));
  X509_set_issuer_name(link.get(), X509_get_subject_name(old_csca.get()));
  X509_set1_notBefore(link.get(), X509_get0_notBefore(new_csca.get()));
  X509_set1_notAfter(link.get(), X509_get0_notAfter(new_csca.get()));
  X509_set_pubkey(link.get(), new_pki.csca_key.pkey());
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, old_csca.get(), link.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                            std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                            std::pair{NID_subject_key_identifier, "hash"},
                            std::pair{NID_authority_key_identifier, "keyid:always"}}) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(link.get(), extension, -1);
    X509_EXTENSION_free(extension);
  }
  X509_sign(link.get(), old_pki.csca_key.pkey(), EVP_sha256());
  int length = i2d_X509(link.get(), nullptr);
  Bytes der(static_cast<std::size_t>(length));
  unsigned char* cursor = der.data();
  i2d_X509(link.get(), &cursor);
  return der;
}

TEST(SignerTrust, ALinkCertificateChainsToThePreviousCsca) {
  TestPki old_pki = sim::make_test_pki(SignerAlgorithm::ecdsa_brainpool_p256r1, 550);
  TestPki new_pki = sim::make_test_pki(SignerAlgorithm::ecdsa_brainpool_p256r1, 551);
  Bytes link = link_certificate(old_pki, new_pki);
  ChipDump dump = signed_dump(new_pki, sim::der_time(2024, 3, 1));
  const std::string old_name = "CN=libcccd TEST CSCA 550,O=libcccd virtual card (not a real authority),C=VN";
  const std::string new_name = "CN=libcccd TEST CSCA 551,O=libcccd virtual card (not a real authority),C=VN";

  // The old CSCA and the link (not the new self-signed CSCA): DS -> link -> old CSCA.
  Verdict v = verify_now(dump, store_of({&old_pki.csca_certificate, &link}));
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
  EXPECT_TRUE(contains(v.signer_trust.detail, "through 1 link certificate(s)")) << v.signer_trust.detail;
  EXPECT_EQ(v.csca_subject, old_name);

  // The link alone is a configured anchor too.
  v = verify_now(dump, store_of({&link}));
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
  EXPECT_EQ(v.csca_subject, new_name);

  // The old CSCA alone did not issue this DS.
  v = verify_now(dump, store_of({&old_pki.csca_certificate}));
  EXPECT_EQ(v.signer_trust.detail, "no CSCA in the trust store issued the document signer certificate");

  // A link certificate with a broken signature does not lead to the old CSCA: the chain stops at it.
  Bytes broken_link = link;
  broken_link[broken_link.size() - 3] ^= 0x01;
  v = verify_now(dump, store_of({&old_pki.csca_certificate, &broken_link}));
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
  EXPECT_EQ(v.csca_subject, new_name);
}

TEST(SignerTrust, TheBsi2008SpecimenVerifiesOfflineWithUnknownTrust) {
  // The specimen as a dump folder, verified as a server would: SOD signature valid, its four data groups
  // match, and signer trust unknown (its CSCA is not published with it).
  const std::filesystem::path source = std::filesystem::path(CCCD_TEST_DATA_DIR) / "bsi2008";
  auto read = [&](const char* name) {
    std::ifstream in(source / name, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  ChipDump dump;
  dump.files[FileId::com] = read("EF_COM.bin");
  dump.files[FileId::sod] = read("EF_SOD.bin");
  dump.files[FileId::dg1] = read("Datagroup1.bin");
  dump.files[FileId::dg2] = read("Datagroup2.bin");
  dump.files[FileId::dg3] = read("Datagroup3.bin");
  dump.files[FileId::dg14] = read("Datagroup14.bin");
  test::TempDir dir;
  write_dump(dump, dir.path() / "dump");
  Report report = verify_dump_folder(dir.path() / "dump", TrustStore{});
  const Verdict& v = report.verdict;
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;
  ASSERT_EQ(v.hashes.size(), 4u);
  for (const DataGroupHash& hash : v.hashes) EXPECT_TRUE(hash.present_in_sod && hash.read && hash.matches);
  EXPECT_EQ(v.signer_trust.status, FindingStatus::unknown);

  // With the Dutch CSCAs (a non-empty store without the specimen's CSCA): failed, naming why.
  TrustStore dutch;
  dutch.add_master_list(std::filesystem::path(CCCD_TEST_DATA_DIR) / "pki" / "NL_ML_2026-07-22.ml",
                        {std::filesystem::path(CCCD_TEST_DATA_DIR) / "pki" / "NL_ROOT_CA.cer"});
  Verdict with_store = verify(dump, dutch);
  EXPECT_EQ(with_store.signer_trust.status, FindingStatus::failed);
  EXPECT_EQ(with_store.signer_trust.detail,
            "no CSCA in the trust store issued the document signer certificate");
}

}  // namespace
}  // namespace cccd
