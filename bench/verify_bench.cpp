// verify_bench: offline verification of a dump of the default virtual card (cccd::verify: SOD parse,
// every data group hash, SOD signature, DS certificate to CSCA, consistency) next to its floor, the raw
// OpenSSL cost of the same hashes and signature checks, in the same binary. Prints the ratio after the
// benchmarks. `--scenarios` runs the bank's scenarios instead (many signers, large stores, CRLs, Active
// Authentication; bank_scenarios.cpp), `--scaling` two threads against one. `--rss-check=N` instead runs N
// verifications and reports the resident set size before and after (memory must not grow).
// docs/PERFORMANCE.md has the figures.
#include "bench/bank_scenarios.hpp"
#include "bench/bench_pki.hpp"
#include "lds/sod.hpp"
#include "sim/generator.hpp"
#include "sim/virtual_card_source.hpp"
#include "util/bytes.hpp"

#include <cccd/evidence.hpp>
#include <cccd/reader.hpp>
#include <cccd/report.hpp>
#include <cccd/verify.hpp>

#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace cccd;

struct Fixture {
  ChipDump dump;
  TrustStore trust;
};

Fixture& fixture() {
  static Fixture* f = [] {
    auto* made = new Fixture;
    const sim::CardData& card = sim::default_card();
    made->dump = sim::read_virtual_card(
        {}, Credentials::from_id_number(sim::Holder{}.id_number, "1990-05-17", "2030-05-17"));
    made->trust.add_certificate(as_bytes(card.csca_pem), true);
    return made;
  }();
  return *f;
}

// What the floor works on, prepared once: the same bytes verify() checks, already parsed.
struct Floor {
  std::vector<Bytes> data_groups;  // every file the SOD hashes
  Bytes econtent;
  Bytes signed_attributes;
  Bytes signature;
  const EVP_MD* dg_md = nullptr;
  const EVP_MD* signer_md = nullptr;
  X509* document_signer = nullptr;
  X509* csca = nullptr;

  Floor() {
    const ChipDump& dump = fixture().dump;
    lds::SecurityObject sod = lds::parse_sod(dump.files.at(FileId::sod));
    for (const auto& [number, hash] : sod.data_group_hashes) {
      for (const auto& [file, content] : dump.files) {
        if (data_group_number(file) == number) data_groups.push_back(content);
      }
    }
    econtent = sod.econtent;
    signed_attributes = sod.signed_attributes_der;
    signature = sod.signature;
    dg_md = bench::digest_of(sod.hash_algorithm);
    signer_md = bench::digest_of(sod.digest_algorithm);
    const unsigned char* in = sod.certificates.at(0).data();
    document_signer = d2i_X509(nullptr, &in, static_cast<long>(sod.certificates.at(0).size()));
    const std::string& pem = sim::default_card().csca_pem;
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                  BIO_free);
    csca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (document_signer == nullptr || csca == nullptr) throw std::runtime_error("certificates do not parse");
  }
  ~Floor() {
    X509_free(document_signer);
    X509_free(csca);
  }
  Floor(const Floor&) = delete;
  Floor& operator=(const Floor&) = delete;

  // The raw cost: hash every data group and the signed content, verify the SOD signature with the DS
  // key. The DS certificate's signature by the CSCA is checked once per signer (verify() keeps the
  // chain of each signer, signer_cache.hpp), so over a stream of one signer's cards it amortises to
  // nothing and the floor leaves it out. Returns whether all passed.
  bool run() const {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    bool ok = true;
    for (const Bytes& dg : data_groups)
      ok &= EVP_Digest(dg.data(), dg.size(), digest, &length, dg_md, nullptr) == 1;
    ok &= EVP_Digest(econtent.data(), econtent.size(), digest, &length, signer_md, nullptr) == 1;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ok &= EVP_DigestVerifyInit(ctx, nullptr, signer_md, nullptr, X509_get0_pubkey(document_signer)) == 1;
    ok &= EVP_DigestVerify(ctx, signature.data(), signature.size(), signed_attributes.data(),
                           signed_attributes.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
  }
};

const Floor& floor_fixture() {
  static const Floor* f = new Floor;
  return *f;
}

void BM_Verify(benchmark::State& state) {
  const Fixture& f = fixture();
  for (auto _ : state) {
    Verdict verdict = verify(f.dump, f.trust);
    benchmark::DoNotOptimize(verdict);
  }
  Verdict check = verify(f.dump, f.trust);
  if (check.data_integrity.status != FindingStatus::passed ||
      check.signer_trust.status != FindingStatus::passed)
    state.SkipWithError("the dump does not verify");
}
BENCHMARK(BM_Verify);

void BM_RawCryptoFloor(benchmark::State& state) {
  const Floor& f = floor_fixture();
  for (auto _ : state) {
    bool ok = f.run();
    benchmark::DoNotOptimize(ok);
  }
  if (!f.run()) state.SkipWithError("a raw check failed");
}
BENCHMARK(BM_RawCryptoFloor);

// Not part of the floor: parsing the DS certificate EF.SOD carries (d2i_X509, which in OpenSSL 3.0 also
// decodes its public key through the provider decoders). verify() keeps the certificates it parsed in a
// cache shared by all threads, so only the first document of a signer pays it; this shows what that
// first one costs.
void BM_ParseDocumentSigner(benchmark::State& state) {
  const Bytes der = lds::parse_sod(fixture().dump.files.at(FileId::sod)).certificates.at(0);
  for (auto _ : state) {
    const unsigned char* in = der.data();
    X509* certificate = d2i_X509(nullptr, &in, static_cast<long>(der.size()));
    benchmark::DoNotOptimize(certificate);
    X509_free(certificate);
  }
}
BENCHMARK(BM_ParseDocumentSigner);

// The whole offline verification as a server runs it (the Report: verdict, parsed document, the face),
// from a dump folder on disk and from the same dump as an evidence document in memory (parsed every
// time, as each upload is). The difference is the folder's file system calls against base64 and JSON.
struct EvidenceFixture {
  std::filesystem::path folder;
  std::string document;
  EvidenceFixture() {
    char pattern[] = "/tmp/cccd-verify-bench.XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("no temporary folder");
    folder = std::filesystem::path(pattern) / "dump";
    write_dump(fixture().dump, folder);
    document = evidence_document(fixture().dump);
  }
  ~EvidenceFixture() {
    std::error_code ec;
    std::filesystem::remove_all(folder.parent_path(), ec);
  }
  EvidenceFixture(const EvidenceFixture&) = delete;
  EvidenceFixture& operator=(const EvidenceFixture&) = delete;
};

const EvidenceFixture& evidence_fixture() {
  static const EvidenceFixture* f = new EvidenceFixture;
  return *f;
}

void BM_VerifyFolder(benchmark::State& state) {
  const EvidenceFixture& e = evidence_fixture();
  for (auto _ : state) {
    Report report = verify_dump_folder(e.folder, fixture().trust);
    benchmark::DoNotOptimize(report);
  }
  if (verify_dump_folder(e.folder, fixture().trust).verdict.data_integrity.status != FindingStatus::passed)
    state.SkipWithError("the folder does not verify");
}
BENCHMARK(BM_VerifyFolder);

void BM_VerifyDocumentInMemory(benchmark::State& state) {
  const EvidenceFixture& e = evidence_fixture();
  for (auto _ : state) {
    Report report = verify_evidence(parse_evidence_document(e.document), fixture().trust);
    benchmark::DoNotOptimize(report);
  }
  if (verify_evidence(parse_evidence_document(e.document), fixture().trust).verdict.data_integrity.status !=
      FindingStatus::passed)
    state.SkipWithError("the document does not verify");
}
BENCHMARK(BM_VerifyDocumentInMemory);

// The evidence document's parse alone: as the library does it (the parser sees the document without its
// files' base64, lds/evidence_skeleton.hpp) and with the parser reading all of it, its reference.
void BM_ParseEvidenceDocument(benchmark::State& state) {
  const EvidenceFixture& e = evidence_fixture();
  for (auto _ : state) {
    ChipDump dump = parse_evidence_document(e.document);
    benchmark::DoNotOptimize(dump);
  }
}
BENCHMARK(BM_ParseEvidenceDocument);

void BM_ParseWholeEvidenceDocument(benchmark::State& state) {
  const EvidenceFixture& e = evidence_fixture();
  for (auto _ : state) {
    ChipDump dump = parse_whole_evidence_document(e.document);
    benchmark::DoNotOptimize(dump);
  }
}
BENCHMARK(BM_ParseWholeEvidenceDocument);

// The evidence built from buffers (what cccd_evidence_set_file and friends do: the files copied in),
// then verified: no JSON, no base64, no file system.
void BM_VerifyBuffersInMemory(benchmark::State& state) {
  const ChipDump& dump = fixture().dump;
  for (auto _ : state) {
    ChipDump evidence;
    for (const auto& [id, bytes] : dump.files) evidence.files[id] = bytes;
    evidence.access_protocol = dump.access_protocol;
    evidence.aa_challenge = dump.aa_challenge;
    evidence.aa_signature = dump.aa_signature;
    Report report = verify_evidence(std::move(evidence), fixture().trust);
    benchmark::DoNotOptimize(report);
  }
}
BENCHMARK(BM_VerifyBuffersInMemory);

// Remembers the CPU time per iteration of each benchmark to print the ratio at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    // The median of repetitions when there are some (--benchmark_repetitions), else the one run.
    for (const Run& run : runs) {
      const std::string& name = run.run_name.function_name;
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
        median_[name] = true;
        cpu_seconds_[name] = run.GetAdjustedCPUTime() * 1e-9;  // the default unit, ns
      } else if (run.run_type == Run::RT_Iteration && run.iterations > 0 && !median_[name]) {
        cpu_seconds_[name] = run.cpu_accumulated_time / static_cast<double>(run.iterations);
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  const std::map<std::string, double>& cpu_seconds() const { return cpu_seconds_; }

 private:
  std::map<std::string, double> cpu_seconds_;
  std::map<std::string, bool> median_;
};

int rss_check(long count) {
  const Fixture& f = fixture();
  for (int i = 0; i < 1000; ++i) benchmark::DoNotOptimize(verify(f.dump, f.trust));  // warm-up: caches, pools
  const long before = bench::resident_kib();
  for (long i = 0; i < count; ++i) benchmark::DoNotOptimize(verify(f.dump, f.trust));
  const long after = bench::resident_kib();
  std::printf("rss after warm-up: %ld KiB; after %ld more verifications: %ld KiB; growth %ld KiB\n", before,
              count, after, after - before);
  return after - before > 1024 ? 1 : 0;  // more than 1 MiB of growth is a leak, not noise
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--rss-check=", 0) == 0) return rss_check(std::atol(arg.c_str() + 12));
  }
  // The bank's scenarios (bank_scenarios.cpp): --scenarios[=NAME PART] [--rounds=N] [--batch=SECONDS],
  // and --scaling [--rounds=N] [--batch=SECONDS] (two threads against one).
  int rounds = 7;
  double batch = 0.3;
  std::string scenarios;
  bool run_scenarios = false;
  bool scaling = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--scenarios") run_scenarios = true;
    if (arg.rfind("--scenarios=", 0) == 0) run_scenarios = true, scenarios = arg.substr(12);
    if (arg == "--scaling") scaling = true;
    if (arg.rfind("--rounds=", 0) == 0) rounds = std::max(1, std::atoi(arg.c_str() + 9));
    if (arg.rfind("--batch=", 0) == 0) batch = std::atof(arg.c_str() + 8);
  }
  if (run_scenarios) return cccd::bench::run_bank_scenarios(scenarios, batch, rounds);
  if (scaling) return cccd::bench::run_scaling(batch > 1 ? batch : 3.0, rounds);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  const auto& times = reporter.cpu_seconds();
  if (times.count("BM_Verify") != 0 && times.count("BM_RawCryptoFloor") != 0) {
    const double verify_s = times.at("BM_Verify");
    const double floor_s = times.at("BM_RawCryptoFloor");
    std::printf("verifications per second (one core): %.0f; raw crypto floor: %.0f; ratio %.3f\n",
                1 / verify_s, 1 / floor_s, verify_s / floor_s);
    if (times.count("BM_ParseDocumentSigner") != 0) {
      std::printf(
          "distance to the floor: %.1f us; parsing the DS certificate, which verify() does once per "
          "signer and thread: %.1f us\n",
          (verify_s - floor_s) * 1e6, times.at("BM_ParseDocumentSigner") * 1e6);
    }
  }
  if (times.count("BM_VerifyFolder") != 0 && times.count("BM_VerifyDocumentInMemory") != 0) {
    const double folder_s = times.at("BM_VerifyFolder");
    const double memory_s = times.at("BM_VerifyDocumentInMemory");
    std::printf(
        "per verification with its report: from a folder %.1f us, from an evidence document in memory "
        "%.1f us; memory / folder %.3f\n",
        folder_s * 1e6, memory_s * 1e6, memory_s / folder_s);
    if (times.count("BM_VerifyBuffersInMemory") != 0) {
      const double buffers_s = times.at("BM_VerifyBuffersInMemory");
      std::printf("from buffers in memory %.1f us; buffers / folder %.3f\n", buffers_s * 1e6,
                  buffers_s / folder_s);
    }
  }
  if (times.count("BM_ParseEvidenceDocument") != 0 && times.count("BM_ParseWholeEvidenceDocument") != 0) {
    const double cut_s = times.at("BM_ParseEvidenceDocument");
    const double whole_s = times.at("BM_ParseWholeEvidenceDocument");
    std::printf("evidence document parse (%zu bytes): %.1f us, the parser reading it whole %.1f us; %.2fx\n",
                evidence_fixture().document.size(), cut_s * 1e6, whole_s * 1e6, whole_s / cut_s);
  }
  return 0;
}
