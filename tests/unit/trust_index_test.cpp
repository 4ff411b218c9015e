// The indexed trust store (issue 19): duplicates by hash, CRLs verified when added (also when their CSCA
// comes later), the document signer cache invalidated by an add, and the C API's JSON built on demand.
#include "sim/generator.hpp"
#include "sim/test_pki.hpp"
#include "sim/virtual_card_source.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"
#include "verify/signer_cache.hpp"
#include "verify/trust_store_impl.hpp"

#include <cccd/cccd.h>
#include <cccd/dump.hpp>
#include <cccd/reader.hpp>
#include <cccd/trust.hpp>
#include <cccd/verify.hpp>

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <string>

namespace cccd {
namespace {

const ChipDump& default_dump() {
  static const ChipDump dump = sim::read_virtual_card(
      {}, Credentials::from_id_number(sim::Holder{}.id_number, "1990-05-17", "2030-05-17"));
  return dump;
}

// The card offers Chip and Active Authentication: offline, its proof counts over a challenge the verifier
// chose, here the one the read used (as a server that gave it to the reading app).
const VerifyOptions& own_challenge() {
  static const VerifyOptions options = [] {
    VerifyOptions o;
    std::array<std::uint8_t, 8> challenge{};
    std::copy(default_dump().aa_challenge.begin(), default_dump().aa_challenge.end(), challenge.begin());
    o.active_authentication_challenge = challenge;
    return o;
  }();
  return options;
}

sim::IssuedCertificate make_csca(const std::string& name) {
  sim::CertificateProfile profile;
  profile.common_name = name;
  profile.key_type = "EC";
  profile.key_parameter = "prime256v1";
  profile.not_before = std::time(nullptr) - 86400;
  profile.not_after = std::time(nullptr) + 86400 * 365;
  return sim::issue_test_certificate(profile, nullptr);
}

TEST(TrustIndex, TheSameCertificateInPemAndDerIsHeldOnce) {
  TrustStore store;
  const std::string& pem = sim::default_card().csca_pem;
  store.add_certificate(as_bytes(pem));
  const sim::IssuedCertificate other = make_csca("Index CSCA");
  store.add_certificate(other.der());
  store.add_certificate(as_bytes(pem));  // again, as PEM
  store.add_certificate(other.der());    // again, as DER
  EXPECT_EQ(store.size(), 2u);
  const auto snapshot = store.snapshot();
  EXPECT_EQ(snapshot->anchors_by_digest.size(), 2u);
  // Found by name: exactly the one of that name.
  const auto named = snapshot->anchors_named(X509_get_subject_name(other.certificate.get()));
  ASSERT_EQ(named.size(), 1u);
  EXPECT_EQ(X509_cmp(named[0]->certificate(), other.certificate.get()), 0);
}

TEST(TrustIndex, ACrlIsVerifiedWhenAddedAndWhenItsCscaComesLater) {
  const sim::IssuedCertificate csca = make_csca("CRL CSCA");
  const sim::IssuedCertificate stranger = make_csca("CRL CSCA");  // same name, another key
  const Bytes crl = sim::make_test_crl(csca.key.get(), csca.der(), {}, std::time(nullptr) - 60);
  const Bytes forged = sim::make_test_crl(stranger.key.get(), csca.der(), {}, std::time(nullptr) - 120);

  TrustStore store;
  store.add_crl_data(crl);
  store.add_crl_data(forged);
  store.add_crl_data(crl);  // a duplicate: held once
  ASSERT_EQ(store.summary().crls.size(), 2u);
  EXPECT_FALSE(store.summary().crls[0].verified);  // no CSCA of its name yet
  EXPECT_FALSE(store.summary().crls[1].verified);

  store.add_certificate(csca.der());
  const TrustStore::Summary summary = store.summary();
  EXPECT_TRUE(summary.crls[0].verified);   // checked when its CSCA arrived
  EXPECT_FALSE(summary.crls[1].verified);  // signed by another key: never counts
  EXPECT_FALSE(summary.crls[0].this_update.empty());
  EXPECT_FALSE(summary.crls[0].next_update.empty());
}

// A CRL's signature is checked with its CSCA's key built from the SubjectPublicKeyInfo (RSA, named
// curves) or, for explicit EC parameters, from OpenSSL's parse of the certificate: each kind verifies its
// own CRL and refuses one signed by another key of the same name.
TEST(TrustIndex, ACrlIsVerifiedWithEveryKindOfCscaKey) {
  struct Kind {
    const char* type;
    const char* parameter;
    bool explicit_parameters;
  };
  for (const Kind& kind : {Kind{"RSA", "2048", false}, Kind{"EC", "prime256v1", false},
                           Kind{"EC", "brainpoolP256r1", false}, Kind{"EC", "brainpoolP256r1", true}}) {
    SCOPED_TRACE(std::string(kind.type) + " " + kind.parameter +
                 (kind.explicit_parameters ? " explicit" : ""));
    sim::CertificateProfile profile;
    profile.common_name = std::string("CRL CSCA ") + kind.parameter;
    profile.key_type = kind.type;
    profile.key_parameter = kind.parameter;
    profile.explicit_ec_parameters = kind.explicit_parameters;
    profile.not_before = std::time(nullptr) - 86400;
    profile.not_after = std::time(nullptr) + 86400 * 365;
    const sim::IssuedCertificate csca = sim::issue_test_certificate(profile, nullptr);
    const sim::IssuedCertificate stranger = sim::issue_test_certificate(profile, nullptr);  // same name
    TrustStore store;
    store.add_certificate(csca.der());
    store.add_crl_data(sim::make_test_crl(csca.key.get(), csca.der(), {}, std::time(nullptr) - 60));
    store.add_crl_data(sim::make_test_crl(stranger.key.get(), csca.der(), {}, std::time(nullptr) - 120));
    const TrustStore::Summary summary = store.summary();
    ASSERT_EQ(summary.crls.size(), 2u);
    EXPECT_TRUE(summary.crls[0].verified);
    EXPECT_FALSE(summary.crls[1].verified);
  }
}

// A verification cached the signer's chain on the store as it was; an add makes a new snapshot, and the
// next verification finds the chain again instead of repeating the old answer.
TEST(TrustIndex, AnAddInvalidatesTheSignerChainsFoundBefore) {
  TrustStore store;
  store.add_certificate(make_csca("Not the card's CSCA").der());
  const Verdict before = verify(default_dump(), store, own_challenge());
  EXPECT_EQ(before.signer_trust.status, FindingStatus::failed);
  EXPECT_EQ(verify(default_dump(), store, own_challenge()).signer_trust.status,
            FindingStatus::failed);  // cached, same

  store.add_certificate(as_bytes(sim::default_card().csca_pem));
  const Verdict after = verify(default_dump(), store, own_challenge());
  EXPECT_EQ(after.signer_trust.status, FindingStatus::passed) << after.signer_trust.detail;
  EXPECT_TRUE(after.verified);

  // The same certificate in another store: its own answer, not the first store's.
  TrustStore other;
  other.add_certificate(make_csca("Another store").der());
  EXPECT_EQ(verify(default_dump(), other, own_challenge()).signer_trust.status, FindingStatus::failed);
  EXPECT_EQ(verify(default_dump(), store, own_challenge()).signer_trust.status, FindingStatus::passed);
}

// The store indexes a PEM or DER certificate by its subject name and digest and lets OpenSSL parse it
// when a verification first reaches it. One whose outer structure is sound but whose body OpenSSL
// refuses (here notBefore is no time) is counted when added, never used as an anchor, and breaks nothing.
TEST(TrustIndex, ACertificateOpenSslRefusesOnFirstUseIsNeverAnAnchor) {
  BioPtr bio(BIO_new_mem_buf(sim::default_card().csca_pem.data(),
                             static_cast<int>(sim::default_card().csca_pem.size())));
  X509Ptr csca(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(csca);
  unsigned char* encoded = nullptr;
  const int length = i2d_X509(csca.get(), &encoded);
  ASSERT_GT(length, 0);
  Bytes broken(encoded, encoded + length);
  OPENSSL_free(encoded);
  const Bytes utc_time{0x17, 0x0D};
  const auto not_before = std::search(broken.begin(), broken.end(), utc_time.begin(), utc_time.end());
  ASSERT_NE(not_before, broken.end());
  *not_before = 0x04;  // an OCTET STRING where the Time CHOICE must be

  TrustStore store;
  store.add_certificate(broken);
  EXPECT_EQ(store.size(), 1u);
  const Verdict without = verify(default_dump(), store, own_challenge());
  EXPECT_EQ(without.signer_trust.status, FindingStatus::failed) << without.signer_trust.detail;
  EXPECT_FALSE(without.verified);
  EXPECT_EQ(store.summary().csca_by_country.at("?"), 1u);

  store.add_certificate(as_bytes(sim::default_card().csca_pem));
  const Verdict with = verify(default_dump(), store, own_challenge());
  EXPECT_EQ(with.signer_trust.status, FindingStatus::passed) << with.signer_trust.detail;
}

TEST(TrustIndex, TheSignerCacheIsBounded) {
  EXPECT_LE(verification::cached_signer_count(), verification::kSignerCacheCapacity);
  const Bytes der = sim::make_test_pki(sim::SignerAlgorithm::ecdsa_brainpool_p256r1, 99).ds_certificate;
  const auto first = verification::cached_signer(der);
  const auto again = verification::cached_signer(der);
  EXPECT_EQ(first.get(), again.get());  // parsed once, shared
  EXPECT_THROW(verification::cached_signer(Bytes{0x30, 0x03, 0x02, 0x01, 0x01}), Error);
}

TEST(TrustIndex, TheCApiBuildsTheJsonOnceOnDemand) {
  test::TempDir temp;
  write_dump(default_dump(), temp.path() / "dump");
  const auto pem = temp.path() / "csca.pem";
  std::ofstream(pem, std::ios::binary) << sim::default_card().csca_pem;
  cccd_trust* trust = nullptr;
  ASSERT_EQ(cccd_trust_new(&trust), CCCD_OK);
  ASSERT_EQ(cccd_trust_add_path(trust, pem.c_str()), CCCD_OK) << cccd_last_error();
  cccd_result* result = nullptr;
  const Bytes& challenge = default_dump().aa_challenge;
  ASSERT_EQ(cccd_verify_dump_with_challenge((temp.path() / "dump").c_str(), trust, challenge.data(),
                                            challenge.size(), &result),
            CCCD_OK)
      << cccd_last_error();
  EXPECT_EQ(cccd_result_verified(result), 1);
  const char* json = cccd_result_json(result);
  EXPECT_EQ(cccd_result_json(result), json);  // the same document, built once
  EXPECT_EQ(nlohmann::json::parse(json)["verdict"]["overall"], "verified");
  cccd_result_free(result);
  cccd_trust_free(trust);
}

}  // namespace
}  // namespace cccd
