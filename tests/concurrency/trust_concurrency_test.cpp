// The trust store under concurrent use (issue 16, item 3): certificates and CRLs added on one thread while
// others verify with the same handle. Before the store published immutable snapshots, this crashed
// (X509_check_ca(NULL): the anchors vector reallocated under a reader). Built in the ThreadSanitizer
// build too (scripts/sanitize.sh --tsan), where a data race fails it.
#include "sim/generator.hpp"
#include "sim/test_pki.hpp"
#include "sim/virtual_card_source.hpp"
#include "test_support.hpp"
#include "verify/trust_store_impl.hpp"

#include <cccd/cccd.h>
#include <cccd/dump.hpp>
#include <cccd/reader.hpp>
#include <cccd/verify.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <atomic>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace cccd {
namespace {

constexpr int kVerifierThreads = 4;
constexpr int kVerifications = 10000;  // in all, over the threads
constexpr int kExtraCscas = 48;

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
  ASSERT_TRUE(file.good()) << path;
}

std::string pem_of(ByteView der) {
  return sim::certificate_pem(der);
}

// A dump of the default virtual card, its CSCA, and other CSCAs (P-256, brainpool, RSA) each with a CRL
// in files of their own: what the adding thread feeds the store.
struct Fixture {
  test::TempDir temp;
  std::filesystem::path dump = temp.path() / "dump";
  std::filesystem::path csca = temp.path() / "csca.pem";
  std::vector<std::filesystem::path> extra_certificates;
  std::vector<std::filesystem::path> extra_crls;

  Fixture() {
    const ChipDump read = sim::read_virtual_card(
        {}, Credentials::from_id_number(sim::Holder{}.id_number, "1990-05-17", "2030-05-17"));
    write_dump(read, dump);
    write_file(csca, sim::default_card().csca_pem);
    const std::time_t now = std::time(nullptr);
    const std::array<std::pair<const char*, const char*>, 3> keys{
        {{"EC", "prime256v1"}, {"EC", "brainpoolP256r1"}, {"RSA", "2048"}}};
    std::array<EvpPkeyPtr, 3> pool;  // one key per type, shared by the CSCAs of that type (keygen is slow)
    for (int i = 0; i < kExtraCscas; ++i) {
      const std::size_t type = static_cast<std::size_t>(i) % keys.size();
      sim::CertificateProfile profile;
      profile.common_name = "Concurrency CSCA " + std::to_string(i);
      profile.country = i % 2 == 0 ? "VN" : "NL";
      profile.key_type = keys[type].first;
      profile.key_parameter = keys[type].second;
      profile.serial = i + 1;
      profile.not_before = now - 86400;
      profile.not_after = now + 86400 * 365;
      sim::IssuedCertificate issued = sim::issue_test_certificate(profile, nullptr, pool[type].get());
      if (!pool[type]) pool[type] = std::move(issued.key);
      EVP_PKEY* key = pool[type].get();
      const Bytes der = issued.der();
      auto certificate = temp.path() / ("csca-" + std::to_string(i) + ".pem");
      write_file(certificate, pem_of(der));
      extra_certificates.push_back(certificate);
      auto crl = temp.path() / ("crl-" + std::to_string(i) + ".crl");
      const Bytes crl_der = sim::make_test_crl(key, der, {}, now - 3600);
      write_file(crl, std::string(crl_der.begin(), crl_der.end()));
      extra_crls.push_back(crl);
    }
  }
};

struct Counts {
  std::atomic<int> verified{0};
  std::atomic<int> not_verified{0};
  std::atomic<int> errors{0};
};

const Fixture& shared_fixture() {
  static const Fixture fixture;  // made once for all the tests; its folder removed at exit
  return fixture;
}

constexpr std::array<std::uint8_t, 8> kChallenge{1, 2, 3, 4, 5, 6, 7, 8};

// A C API trust handle that holds the fixture card's CSCA; freed with the test.
class CardTrust {
 public:
  explicit CardTrust(const Fixture& fixture) {
    EXPECT_EQ(cccd_trust_new(&handle_), CCCD_OK);
    EXPECT_EQ(cccd_trust_add_path(handle_, fixture.csca.c_str()), CCCD_OK) << cccd_last_error();
  }
  ~CardTrust() { cccd_trust_free(handle_); }
  CardTrust(const CardTrust&) = delete;
  CardTrust& operator=(const CardTrust&) = delete;
  cccd_trust* get() const noexcept { return handle_; }

 private:
  cccd_trust* handle_ = nullptr;
};

// The fixture's dump verified through the C API with kChallenge; nullptr (and the error recorded where
// it happened) when the call fails.
cccd_result* verify_fixture_dump(const Fixture& fixture, const CardTrust& trust) {
  cccd_result* result = nullptr;
  if (cccd_verify_dump_with_challenge(fixture.dump.c_str(), trust.get(), kChallenge.data(), kChallenge.size(),
                                      &result) != CCCD_OK)
    return nullptr;
  return result;
}

// The review's reproducer: cccd_trust_add_path (and add_crl) on one thread while four run
// cccd_verify_dump_with_challenge on the same handle; every verification still gives the verdict it
// gives without the adds.
TEST(TrustConcurrency, AddWhileVerifyingThroughTheCApi) {
  const Fixture& fixture = shared_fixture();
  const CardTrust trust(fixture);

  // The verdict without concurrent adds: the card's signer chains to its CSCA.
  cccd_result* alone = verify_fixture_dump(fixture, trust);
  ASSERT_NE(alone, nullptr) << cccd_last_error();
  const std::string alone_json = cccd_result_json(alone);
  const int expected_verified = cccd_result_verified(alone);
  cccd_result_free(alone);
  ASSERT_EQ(nlohmann::json::parse(alone_json)["verdict"]["signer_trust"]["status"], "passed") << alone_json;

  std::atomic<bool> verifying{true};
  std::atomic<int> adds{0};
  std::thread adder([&] {
    // Round after round until the verifiers are done: new certificates at first, then duplicates.
    for (std::size_t round = 0; verifying.load(); ++round) {
      const std::size_t i = round % fixture.extra_certificates.size();
      EXPECT_EQ(cccd_trust_add_path(trust.get(), fixture.extra_certificates[i].c_str()), CCCD_OK)
          << cccd_last_error();
      EXPECT_EQ(cccd_trust_add_crl(trust.get(), fixture.extra_crls[i].c_str()), CCCD_OK) << cccd_last_error();
      adds.fetch_add(2);
    }
  });

  Counts counts;
  std::atomic<int> json_mismatches{0};
  std::vector<std::thread> verifiers;
  for (int t = 0; t < kVerifierThreads; ++t) {
    verifiers.emplace_back([&] {
      for (int i = 0; i < kVerifications / kVerifierThreads; ++i) {
        cccd_result* result = verify_fixture_dump(fixture, trust);
        if (result == nullptr) {
          counts.errors.fetch_add(1);
          continue;
        }
        (cccd_result_verified(result) == expected_verified ? counts.verified : counts.not_verified)
            .fetch_add(1);
        // Every 100th result in full: the same report as without the adds.
        if (i % 100 == 0 && alone_json != cccd_result_json(result)) json_mismatches.fetch_add(1);
        cccd_result_free(result);
      }
    });
  }
  for (std::thread& verifier : verifiers) verifier.join();
  verifying = false;
  adder.join();

  EXPECT_EQ(counts.errors.load(), 0);
  EXPECT_EQ(counts.not_verified.load(), 0);
  EXPECT_EQ(counts.verified.load(), kVerifications);
  EXPECT_EQ(json_mismatches.load(), 0);
  EXPECT_GT(adds.load(), 0);
}

// One result handle shared by threads that all ask its JSON at once: the document is built once (every
// thread gets the same pointer) and is a whole document. Run under ThreadSanitizer too.
TEST(TrustConcurrency, ThreadsAskingOneResultsJsonAtOnceGetOneDocument) {
  const Fixture& fixture = shared_fixture();
  const CardTrust trust(fixture);
  for (int round = 0; round < 50; ++round) {
    cccd_result* shared = verify_fixture_dump(fixture, trust);
    ASSERT_NE(shared, nullptr) << cccd_last_error();
    std::atomic<int> ready{0};
    std::array<const char*, kVerifierThreads> seen{};
    std::vector<std::thread> threads;
    for (int t = 0; t < kVerifierThreads; ++t) {
      threads.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < kVerifierThreads) {
        }
        seen[static_cast<std::size_t>(t)] = cccd_result_json(shared);
      });
    }
    for (std::thread& thread : threads) thread.join();
    for (const char* json : seen) ASSERT_EQ(json, seen[0]) << "round " << round;
    const auto document = nlohmann::json::parse(seen[0]);  // whole: a torn build would not parse
    ASSERT_EQ(document["verdict"]["signer_trust"]["status"], "passed") << "round " << round;
    cccd_result_free(shared);
  }
}

// The C++ store, the same way, with a growing store: every verification sees the card's CSCA, and a
// snapshot taken before the adds stays as it was.
TEST(TrustConcurrency, SnapshotsStayUnchangedWhileTheStoreGrows) {
  const Fixture& fixture = shared_fixture();
  TrustStore store;
  store.add_path(fixture.csca);
  const ChipDump dump = load_dump(fixture.dump);
  const auto before = store.snapshot();
  const std::size_t anchors_before = before->anchors.size();

  std::atomic<int> failures{0};
  std::thread adder([&] {
    for (std::size_t i = 0; i < fixture.extra_certificates.size(); ++i) {
      store.add_path(fixture.extra_certificates[i]);
      store.add_crl(fixture.extra_crls[i]);
    }
  });
  std::vector<std::thread> verifiers;
  for (int t = 0; t < kVerifierThreads; ++t) {
    verifiers.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (verify(dump, store).signer_trust.status != FindingStatus::passed) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& verifier : verifiers) verifier.join();
  adder.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(before->anchors.size(), anchors_before);
  EXPECT_EQ(store.size(), anchors_before + fixture.extra_certificates.size());
  const TrustStore::Summary summary = store.summary();
  ASSERT_EQ(summary.crls.size(), fixture.extra_crls.size());
  for (const TrustStore::CrlInfo& crl : summary.crls) EXPECT_TRUE(crl.verified) << crl.issuer;
}

}  // namespace
}  // namespace cccd
