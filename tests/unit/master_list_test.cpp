// ICAO CSCA master lists: the real Dutch list against its root (and refused against others or altered),
// lists made here with every signature algorithm, and broken or hostile ones.
#include "verify/master_list.hpp"
#include "sim/test_pki.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"
#include "verify/trust_store_chain.hpp"
#include "verify/trust_store_impl.hpp"

#include <cccd/error.hpp>
#include <cccd/trust.hpp>

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <numeric>
#include <string>

namespace cccd {
namespace {

using sim::CertificateProfile;
using sim::IssuedCertificate;

const std::filesystem::path kPkiDir = std::filesystem::path(CCCD_TEST_DATA_DIR) / "pki";
const std::filesystem::path kNlList = kPkiDir / "NL_ML_2026-07-22.ml";
const std::filesystem::path kNlRoot = kPkiDir / "NL_ROOT_CA.cer";

// Offsets in NL_ML_2026-07-22.ml (openssl asn1parse): the CscaMasterList content is bytes 67..621731;
// the signer certificate 621741..623448 (its own signature at the end); the signingTime value
// "260723093543Z" from 623549; the SignerInfo signature 623630..624141, the last bytes of the file.
constexpr std::size_t kContentByte = 100000;
constexpr std::size_t kSignerCertificateSignatureByte = 623440;
constexpr std::size_t kSigningTimeDigit = 623549 + 5;

constexpr std::time_t kYear = 365 * 24 * 3600;

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::filesystem::path& path, ByteView data) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

// The message of the cccd::Error `body` throws, with its code checked.
std::string message_of(ErrorCode expected, const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), expected) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no cccd::Error thrown";
  return {};
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// ---------------------------------------------------------------------------------------------------
// The Dutch master list.

TEST(NlMasterList, LoadsAgainstTheDutchRootWith411Certificates) {
  TrustStore store;
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(store.add_master_list(kNlList, {kNlRoot}), 411u);
  auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
  std::cout << "NL master list: 411 certificates verified and loaded in " << elapsed.count() << " ms\n";
  RecordProperty("load_ms", std::to_string(elapsed.count()));
  EXPECT_EQ(store.size(), 411u);

  TrustStore::Summary summary = store.summary();
  EXPECT_EQ(summary.csca_certificates, 411u);
  std::size_t total = 0;
  for (const auto& [country, count] : summary.csca_by_country) total += count;
  EXPECT_EQ(total, 411u);
  EXPECT_EQ(summary.csca_by_country.count("??"), 0u);  // every CSCA names its country
  EXPECT_GE(summary.csca_by_country.at("NL"), 1u);
  EXPECT_GE(summary.csca_by_country.at("DE"), 1u);
  ASSERT_EQ(summary.master_lists.size(), 1u);
  const TrustStore::MasterListInfo& list = summary.master_lists[0];
  EXPECT_EQ(list.source, "NL_ML_2026-07-22.ml");
  EXPECT_EQ(list.certificates, 411u);
  EXPECT_EQ(list.added, 411u);
  EXPECT_EQ(list.signing_time, "2026-07-23T09:35:43Z");
  EXPECT_TRUE(contains(list.signer, "CN=Masterlist Signer NL")) << list.signer;
  EXPECT_TRUE(contains(list.signer, "C=NL")) << list.signer;

  // Loading it again adds nothing and records the second list.
  EXPECT_EQ(store.add_master_list(kNlList, {kNlRoot}), 0u);
  EXPECT_EQ(store.size(), 411u);
  EXPECT_EQ(store.summary().master_lists.size(), 2u);
}

TEST(NlMasterList, EveryKeyIsUsableIncludingTheExplicitEcParameters) {
  TrustStore store;
  store.add_master_list(kNlList, {kNlRoot});
  std::size_t explicit_keys = 0;
  for (const auto& anchor : store.snapshot()->anchors) {
    ASSERT_TRUE(anchor.key()) << anchor.key_problem();
    EVP_PKEY* own = X509_get0_pubkey(anchor.certificate());
    int from_explicit = 0;
    if (EVP_PKEY_is_a(own, "EC") == 1 &&
        EVP_PKEY_get_int_param(own, OSSL_PKEY_PARAM_EC_DECODED_FROM_EXPLICIT_PARAMS, &from_explicit) == 1 &&
        from_explicit == 1) {
      ++explicit_keys;
      // The verification key is the named curve, and still verifies the certificate's own signature
      // when it is self-signed.
      int named_from_explicit = 1;
      EVP_PKEY_get_int_param(anchor.key(), OSSL_PKEY_PARAM_EC_DECODED_FROM_EXPLICIT_PARAMS,
                             &named_from_explicit);
      EXPECT_EQ(named_from_explicit, 0);
      EXPECT_EQ(EVP_PKEY_eq(own, anchor.key()), 1);
    }
  }
  EXPECT_EQ(explicit_keys, 111u);
}

// Every certificate of this list is self-signed (its own key verifies it): it carries no CSCA link
// certificates (those are tested with certificates made here, in signer_trust_test).
TEST(NlMasterList, EveryCertificateIsSelfSigned) {
  TrustStore store;
  store.add_master_list(kNlList, {kNlRoot});
  std::size_t self_signed = 0;
  std::size_t links = 0;
  std::size_t unresolved = 0;
  for (const auto& anchor : store.snapshot()->anchors) {
    X509* cert = anchor.certificate();
    if (verification::signature_verifies(cert, anchor.key())) {
      ++self_signed;
      continue;
    }
    // Not signed by its own key: a link certificate (the new CSCA key certified by the previous one),
    // whose issuer should be in the list too.
    verification::IssuerSearch search = verification::find_issuer(cert, store.snapshot()->anchors);
    if (search.issuer) {
      ++links;
    } else {
      ++unresolved;
    }
  }
  std::cout << "NL master list: " << self_signed << " self-signed, " << links << " link certificates, "
            << unresolved << " whose issuer is not in the list\n";
  EXPECT_EQ(self_signed, 411u);
  EXPECT_EQ(links, 0u);
  EXPECT_EQ(unresolved, 0u);
}

TEST(NlMasterList, RefusedAgainstAnotherRoot) {
  test::TempDir dir;
  IssuedCertificate other =
      sim::issue_test_certificate({"Test master list root", "VN", "EC", "P-256", false, true, 1,
                                   std::time(nullptr) - kYear, std::time(nullptr) + kYear},
                                  nullptr);
  write_file(dir.path() / "other.der", other.der());
  TrustStore store;
  std::string message =
      message_of(ErrorCode::crypto, [&] { store.add_master_list(kNlList, {dir.path() / "other.der"}); });
  EXPECT_TRUE(contains(message, "NL_ML_2026-07-22.ml: master list: its signer (")) << message;
  EXPECT_TRUE(contains(message, "CN=Masterlist Signer NL")) << message;
  EXPECT_TRUE(contains(message, ") does not chain to any given master list root")) << message;
  EXPECT_TRUE(store.empty());
  EXPECT_TRUE(store.summary().master_lists.empty());

  // No root at all, and a folder of roots without the right one.
  message_of(ErrorCode::invalid_argument, [&] { store.add_master_list(kNlList, {}); });
  message_of(ErrorCode::crypto, [&] { store.add_master_list(kNlList, {dir.path()}); });
  EXPECT_TRUE(store.empty());
}

TEST(NlMasterList, RefusedWhenOneByteIsAltered) {
  const Bytes original = read_file(kNlList);
  ASSERT_EQ(original.size(), 624142u);
  struct Case {
    std::size_t offset;
    ErrorCode code;
    std::string_view message;
  };
  const Case cases[] = {
      {kContentByte, ErrorCode::crypto, "its content does not match the signed messageDigest"},
      {67, ErrorCode::crypto, "its content does not match the signed messageDigest"},
      {original.size() - 1, ErrorCode::crypto, "the signature does not verify with its signer certificate"},
      {original.size() - 512, ErrorCode::crypto, "the signature does not verify with its signer certificate"},
      {kSigningTimeDigit, ErrorCode::crypto, "the signature does not verify with its signer certificate"},
      {kSignerCertificateSignatureByte, ErrorCode::crypto,
       "is not signed by the given master list root of that name"},
  };
  test::TempDir dir;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.offset);
    Bytes altered = original;
    altered.at(c.offset) ^= 0x01;
    write_file(dir.path() / "altered.ml", altered);
    TrustStore store;
    std::string message =
        message_of(c.code, [&] { store.add_master_list(dir.path() / "altered.ml", {kNlRoot}); });
    EXPECT_TRUE(contains(message, c.message)) << message;
    EXPECT_TRUE(store.empty());
  }
  // Truncated, or with a byte appended: not even a CMS structure.
  for (Bytes broken : {Bytes(original.begin(), original.end() - 1), original}) {
    if (broken.size() == original.size()) broken.push_back(0);
    write_file(dir.path() / "broken.ml", broken);
    TrustStore store;
    message_of(ErrorCode::malformed_data,
               [&] { store.add_master_list(dir.path() / "broken.ml", {kNlRoot}); });
    EXPECT_TRUE(store.empty());
  }
}

TEST(NlMasterList, AddPathRecognisesItAndNeedsAMasterListRoot) {
  TrustStore store;
  std::string message = message_of(ErrorCode::invalid_argument, [&] { store.add_path(kNlList); });
  EXPECT_TRUE(contains(message, "is a CSCA master list")) << message;
  EXPECT_TRUE(contains(message, "--ml-root")) << message;
  EXPECT_TRUE(store.empty());

  EXPECT_EQ(store.add_master_list_roots(kNlRoot), 1u);
  EXPECT_EQ(store.summary().master_list_roots, 1u);
  EXPECT_TRUE(store.empty());  // a master list root is no CSCA
  EXPECT_EQ(store.add_path(kNlList), 411u);
  EXPECT_EQ(store.size(), 411u);

  // In a folder, a master list is loaded as well, and one that does not verify is an error, never
  // skipped like a stray file.
  test::TempDir dir;
  std::filesystem::copy_file(kNlList, dir.path() / "list.ml");
  write_file(dir.path() / "notes.txt", as_bytes("not a certificate"));
  TrustStore from_folder;
  from_folder.add_master_list_roots(kNlRoot);
  EXPECT_EQ(from_folder.add_path(dir.path()), 411u);

  Bytes altered = read_file(kNlList);
  altered.at(kContentByte) ^= 0x01;
  write_file(dir.path() / "list.ml", altered);
  TrustStore refusing;
  refusing.add_master_list_roots(kNlRoot);
  message_of(ErrorCode::crypto, [&] { refusing.add_path(dir.path()); });
  EXPECT_TRUE(refusing.empty());
}

// ---------------------------------------------------------------------------------------------------
// Master lists made here.

struct ListPki {
  IssuedCertificate root;
  IssuedCertificate signer;
  std::vector<IssuedCertificate> cscas;
};

ListPki make_list_pki(const std::string& key_type, const std::string& parameter, bool pss = false) {
  std::time_t now = std::time(nullptr);
  ListPki pki;
  pki.root = sim::issue_test_certificate(
      {"Test ML root", "VN", key_type, parameter, false, true, 1, now - kYear, now + 10 * kYear, pss},
      nullptr);
  pki.signer = sim::issue_test_certificate(
      {"Test ML signer", "VN", key_type, parameter, false, false, 2, now - kYear / 2, now + kYear, pss},
      &pki.root);
  pki.cscas.push_back(sim::issue_test_certificate(
      {"CSCA A", "FR", "EC", "P-384", false, true, 3, now - kYear, now + 10 * kYear}, nullptr));
  pki.cscas.push_back(sim::issue_test_certificate(
      {"CSCA B", "DE", "EC", "brainpoolP384r1", true, true, 4, now - kYear, now + 10 * kYear}, nullptr));
  pki.cscas.push_back(sim::issue_test_certificate(
      {"CSCA C", "DE", "RSA", "2048", false, true, 5, now - kYear, now + 10 * kYear, true}, nullptr));
  return pki;
}

std::vector<Bytes> ders(const std::vector<IssuedCertificate>& certificates) {
  std::vector<Bytes> out;
  for (const auto& c : certificates) out.push_back(c.der());
  return out;
}

std::vector<TrustStore::Impl::Anchor> anchors_of(
    std::initializer_list<const IssuedCertificate*> certificates) {
  std::vector<TrustStore::Impl::Anchor> anchors;
  for (const IssuedCertificate* c : certificates) {
    X509_up_ref(c->certificate.get());
    anchors.push_back(TrustStore::Impl::make_anchor(X509Ptr(c->certificate.get()), false));
  }
  return anchors;
}

TEST(MadeMasterList, EverySignatureAlgorithmVerifies) {
  struct Case {
    const char* key_type;
    const char* parameter;
    bool pss;
  };
  for (Case c :
       {Case{"EC", "brainpoolP256r1", false}, Case{"EC", "P-256", false},
        Case{"EC", "brainpoolP512r1", false}, Case{"RSA", "2048", false}, Case{"RSA", "2048", true}}) {
    SCOPED_TRACE(std::string(c.key_type) + " " + c.parameter + (c.pss ? " PSS" : ""));
    ListPki pki = make_list_pki(c.key_type, c.parameter, c.pss);
    Bytes list = sim::make_test_master_list(ders(pki.cscas), pki.signer, c.pss);
    ASSERT_TRUE(verification::looks_like_master_list(list));
    verification::MasterList opened =
        verification::open_master_list(list, anchors_of({&pki.root}), std::time(nullptr));
    EXPECT_EQ(opened.certificates.size(), 3u);
    ASSERT_TRUE(opened.signing_time.has_value());
    EXPECT_LE(std::llabs(static_cast<long long>(*opened.signing_time - std::time(nullptr))), 600);
    // The signer named as root itself is accepted too.
    EXPECT_EQ(verification::open_master_list(list, anchors_of({&pki.signer}), std::time(nullptr))
                  .certificates.size(),
              3u);
  }
}

TEST(MadeMasterList, LoadsIntoTheStoreAndCountsByCountry) {
  ListPki pki = make_list_pki("EC", "brainpoolP256r1");
  test::TempDir dir;
  write_file(dir.path() / "list.ml", sim::make_test_master_list(ders(pki.cscas), pki.signer));
  write_file(dir.path() / "root.der", pki.root.der());
  TrustStore store;
  EXPECT_EQ(store.add_master_list(dir.path() / "list.ml", {dir.path() / "root.der"}), 3u);
  TrustStore::Summary summary = store.summary();
  EXPECT_EQ(summary.csca_by_country, (std::map<std::string, std::size_t>{{"DE", 2}, {"FR", 1}}));
  ASSERT_EQ(summary.master_lists.size(), 1u);
  EXPECT_EQ(summary.master_lists[0].signer, "CN=Test ML signer,C=VN");
  // The explicit-parameter brainpool CSCA of the list has a usable, named-curve key.
  for (const auto& anchor : store.snapshot()->anchors) EXPECT_TRUE(anchor.key()) << anchor.key_problem();
}

TEST(MadeMasterList, SignedByAnUntrustedSignerIsALoadError) {
  ListPki trusted = make_list_pki("EC", "P-256");
  ListPki untrusted = make_list_pki("EC", "P-256");  // same names, other keys
  test::TempDir dir;
  write_file(dir.path() / "list.ml", sim::make_test_master_list(ders(untrusted.cscas), untrusted.signer));
  write_file(dir.path() / "root.der", trusted.root.der());
  TrustStore store;
  std::string message = message_of(
      ErrorCode::crypto, [&] { store.add_master_list(dir.path() / "list.ml", {dir.path() / "root.der"}); });
  // Same names, but the signer's authority key identifier is not the trusted root's key identifier.
  EXPECT_TRUE(contains(message,
                       "list.ml: master list: its signer (CN=Test ML signer,C=VN) does not chain to "
                       "any given master list root"))
      << message;
  EXPECT_TRUE(store.empty());

  // A signer whose certificate had expired when it signed, and one issued when its root had expired.
  std::time_t now = std::time(nullptr);
  IssuedCertificate expired_signer = sim::issue_test_certificate(
      {"Old ML signer", "VN", "EC", "P-256", false, false, 9, now - 3 * kYear, now - 2 * kYear},
      &trusted.root);
  Bytes old_list = sim::make_test_master_list(ders(trusted.cscas), expired_signer);
  message = message_of(ErrorCode::crypto,
                       [&] { verification::open_master_list(old_list, anchors_of({&trusted.root}), now); });
  EXPECT_TRUE(contains(message, "its signer certificate had expired at the list's signing time")) << message;

  IssuedCertificate short_root = sim::issue_test_certificate(
      {"Short root", "VN", "EC", "P-256", false, true, 10, now - 3 * kYear, now - 2 * kYear}, nullptr);
  IssuedCertificate late_signer = sim::issue_test_certificate(
      {"Late ML signer", "VN", "EC", "P-256", false, false, 11, now - kYear, now + kYear}, &short_root);
  Bytes late_list = sim::make_test_master_list(ders(trusted.cscas), late_signer);
  message = message_of(ErrorCode::crypto,
                       [&] { verification::open_master_list(late_list, anchors_of({&short_root}), now); });
  EXPECT_TRUE(contains(message, "the root that issued its signer was not valid when it issued the signer"))
      << message;
}

TEST(MadeMasterList, BrokenStructuresAreNamed) {
  ListPki pki = make_list_pki("EC", "P-256");
  auto roots = anchors_of({&pki.root});
  std::time_t now = std::time(nullptr);

  Bytes version_one = sim::make_test_master_list(ders(pki.cscas), pki.signer, false, 1);
  std::string message =
      message_of(ErrorCode::malformed_data, [&] { verification::open_master_list(version_one, roots, now); });
  EXPECT_EQ(message, "master list: CscaMasterList version other than v0");

  Bytes other_type =
      sim::make_test_master_list(ders(pki.cscas), pki.signer, false, 0, "1.2.840.113549.1.7.1");
  EXPECT_FALSE(verification::looks_like_master_list(other_type));
  message =
      message_of(ErrorCode::malformed_data, [&] { verification::open_master_list(other_type, roots, now); });
  EXPECT_EQ(message, "master list: the eContentType is not id-icao-cscaMasterList");
  test::TempDir dir;
  write_file(dir.path() / "other.p7", other_type);
  write_file(dir.path() / "root.der", pki.root.der());
  TrustStore store;
  message = message_of(ErrorCode::malformed_data,
                       [&] { store.add_master_list(dir.path() / "other.p7", {dir.path() / "root.der"}); });
  EXPECT_TRUE(contains(message, "is not a CSCA master list")) << message;

  // Entries of certList that are no certificate.
  Bytes integer_entry = sim::make_test_master_list({Bytes{0x02, 0x01, 0x05}}, pki.signer);
  message = message_of(ErrorCode::malformed_data,
                       [&] { verification::open_master_list(integer_entry, roots, now); });
  EXPECT_EQ(message, "master list: an entry of certList is not a certificate");
  Bytes sequence_entry =
      sim::make_test_master_list({pki.cscas[0].der(), Bytes{0x30, 0x03, 0x02, 0x01, 0x05}}, pki.signer);
  message = message_of(ErrorCode::malformed_data,
                       [&] { verification::open_master_list(sequence_entry, roots, now); });
  EXPECT_TRUE(contains(message, "of certList does not parse")) << message;

  Bytes empty_list = sim::make_test_master_list({}, pki.signer);
  EXPECT_TRUE(verification::open_master_list(empty_list, roots, now).certificates.empty());

  for (Bytes garbage :
       {Bytes{}, Bytes{0x30, 0x00}, Bytes{0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF}, Bytes(64, 0x30)}) {
    EXPECT_FALSE(verification::looks_like_master_list(garbage));
    message_of(ErrorCode::malformed_data, [&] { verification::open_master_list(garbage, roots, now); });
  }
}

TEST(MadeMasterList, EveryBitFlipIsRefusedOrChangesNothingSigned) {
  // A small list: every byte flipped in turn either fails with a cccd::Error or (in the few unsigned
  // places: SignedData.digestAlgorithms, the algorithm parameters) still yields exactly the signed list.
  ListPki pki = make_list_pki("EC", "P-256");
  std::vector<IssuedCertificate> one;
  one.push_back(sim::issue_test_certificate(
      {"CSCA Z", "VN", "EC", "P-256", false, true, 7, std::time(nullptr) - kYear, std::time(nullptr) + kYear},
      nullptr));
  const Bytes list = sim::make_test_master_list(ders(one), pki.signer);
  const auto roots = anchors_of({&pki.root});
  const std::time_t now = std::time(nullptr);
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    Bytes flipped = list;
    flipped[i] ^= 0x80;
    try {
      verification::MasterList opened = verification::open_master_list(flipped, roots, now);
      ++accepted;
      ASSERT_EQ(opened.certificates.size(), 1u) << i;
      EXPECT_EQ(X509_cmp(opened.certificates[0].get(), one[0].certificate.get()), 0) << i;
    } catch (const Error&) {
      // refused: the expected outcome nearly everywhere
    }
  }
  EXPECT_LT(accepted, 40u);
}

}  // namespace
}  // namespace cccd
