// The bank's scenarios of verify_bench (--scenarios): streams of dumps signed by 1 / 100 / 1 000 document
// signers in rotation, against stores of 1 / 2 000 / 10 000 CSCAs with and without a CRL per CSCA, with
// and without Active Authentication, each next to its floor measured in the same binary, interleaved.
//
// The floor is the raw OpenSSL cost a verification cannot skip, per card: the SHA-256 of every data group
// and of the signed content, the SOD's ECDSA signature with the DS key, and with Active Authentication
// the decoding of the card's own AA key (d2i_PUBKEY of DG15's SubjectPublicKeyInfo: every card has its
// own) and its signature (the library's verify_active_authentication, a thin layer over the RSA public
// operation or the ECDSA verification). The DS certificate's signature costs once per signer and each CRL's
// once per CRL: over a stream they amortise to nothing, and the floor leaves them out (the strictest
// reading).
//
// Measurement: rounds of one batch of each side, the side that goes first alternating; per round the
// ratio of the CPU times per verification; the median and range of the rounds are printed.
#include "bench/bank_scenarios.hpp"

#include "asn1/der.hpp"
#include "bench/bench_pki.hpp"
#include "bench/thread_cpu_clock.hpp"
#include "crypto/active_authentication.hpp"
#include "crypto/subject_public_key.hpp"
#include "lds/sod.hpp"
#include "sim/generator.hpp"
#include "sim/test_pki.hpp"
#include "sim/virtual_card_source.hpp"

#include <cccd/reader.hpp>
#include <cccd/verify.hpp>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace cccd::bench {
namespace {

struct Scenario {
  std::string name;
  std::size_t signers;
  std::size_t cscas;  // generated CSCAs besides the issuing ones (0: only the issuing CSCA)
  bool crls;
  sim::AaAlgorithm aa;
};

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all{
      {"1 signer, 1 CSCA", 1, 0, false, sim::AaAlgorithm::none},
      {"100 signers, 1 CSCA", 100, 0, false, sim::AaAlgorithm::none},
      {"1000 signers, 1 CSCA", 1000, 0, false, sim::AaAlgorithm::none},
      {"1 signer, 2000 CSCAs", 1, 2000, false, sim::AaAlgorithm::none},
      {"1 signer, 10000 CSCAs", 1, 10000, false, sim::AaAlgorithm::none},
      {"1 signer, 1 CSCA, CRL", 1, 0, true, sim::AaAlgorithm::none},
      {"1 signer, 10000 CSCAs, CRLs", 1, 10000, true, sim::AaAlgorithm::none},
      {"1 signer, 1 CSCA, AA RSA-2048", 1, 0, false, sim::AaAlgorithm::rsa},
      {"1 signer, 1 CSCA, AA ECDSA", 1, 0, false, sim::AaAlgorithm::ecdsa},
      {"1000 signers, 10000 CSCAs, CRLs", 1000, 10000, true, sim::AaAlgorithm::none},
      {"1000 signers, 10000 CSCAs, CRLs, AA ECDSA", 1000, 10000, true, sim::AaAlgorithm::ecdsa},
  };
  return all;
}

constexpr std::array<std::uint8_t, 8> kChallenge{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};

Bytes name_der(const X509_NAME* name) {
  unsigned char* der = nullptr;
  const int length = i2d_X509_NAME(name, &der);
  if (length <= 0) throw std::runtime_error("i2d_X509_NAME");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

// What the floor of one signer's dumps works on, parsed before timing.
struct FloorInput {
  Bytes econtent;
  Bytes signed_attributes;
  Bytes signature;
  X509Ptr document_signer;
};

struct Setup {
  TrustStore trust;
  std::vector<ChipDump> dumps;  // one per signer
  VerifyOptions options;
  // Floor
  std::vector<Bytes> data_groups;
  const EVP_MD* dg_md = nullptr;
  const EVP_MD* signer_md = nullptr;
  std::vector<FloorInput> floors;
  bool aa = false;
  crypto::AaPublicKey aa_key;
  std::optional<crypto::HashAlgorithm> aa_hash;
  Bytes aa_signature;
  Bytes aa_spki;  // DER SubjectPublicKeyInfo of DG15
};

std::unique_ptr<Setup> prepare(const Scenario& scenario) {
  auto setup = std::make_unique<Setup>();
  const std::time_t now = std::time(nullptr);
  sim::GeneratorOptions generator;
  generator.active_authentication.algorithm = scenario.aa;
  const sim::CardData card = sim::generate_card(generator);
  ReadOptions read_options;
  read_options.active_authentication_challenge = kChallenge;
  const ChipDump base = sim::read_card_data(
      card, Credentials::from_id_number(sim::Holder{}.id_number, "1990-05-17", "2030-05-17"), read_options);
  if (scenario.aa != sim::AaAlgorithm::none) setup->options.active_authentication_challenge = kChallenge;

  std::map<int, Bytes> hashed;
  for (const auto& [file, content] : base.files) {
    if (const int number = data_group_number(file); number > 0) {
      hashed[number] = content;
      setup->data_groups.push_back(content);
    }
  }

  // The issuing CSCAs: brainpoolP256r1, P-256 and RSA-2048 (one when the store has one CSCA).
  const std::array<std::pair<const char*, const char*>, 3> types{
      {{"EC", "brainpoolP256r1"}, {"EC", "prime256v1"}, {"RSA", "2048"}}};
  const std::size_t issuing_count = scenario.cscas == 0 ? 1 : types.size();
  std::vector<sim::IssuedCertificate> issuing;
  for (std::size_t i = 0; i < issuing_count; ++i) {
    sim::CertificateProfile profile;
    profile.common_name = "Bench issuing CSCA " + std::to_string(i);
    profile.key_type = types[i].first;
    profile.key_parameter = types[i].second;
    profile.not_before = now - 2 * 365 * 86400;
    profile.not_after = now + 10 * 365 * 86400;
    issuing.push_back(sim::issue_test_certificate(profile, nullptr));
    setup->trust.add_certificate(issuing.back().der());
    if (scenario.crls)
      setup->trust.add_crl_data(
          sim::make_test_crl(issuing.back().key.get(), issuing.back().der(), {}, now - 3600));
  }
  if (scenario.cscas > 0) setup->trust.add_path(csca_folder(scenario.cscas, scenario.crls));

  std::tm signing{};
  const std::time_t signed_at = now - 30 * 86400;
  gmtime_r(&signed_at, &signing);
  const Bytes signing_time = sim::der_time(signing.tm_year + 1900, signing.tm_mon + 1, signing.tm_mday);
  for (std::size_t s = 0; s < scenario.signers; ++s) {
    const sim::IssuedCertificate& issuer = issuing[s % issuing.size()];
    sim::TestKey ds_key =
        sim::TestKey::derive(sim::SignerAlgorithm::ecdsa_brainpool_p256r1, 7000 + s, "bench DS");
    sim::CertificateProfile profile;
    profile.common_name = "Bench DS " + std::to_string(s);
    profile.ca = false;
    profile.serial = static_cast<long>(100000 + s);
    profile.not_before = now - 365 * 86400;
    profile.not_after = now + 5 * 365 * 86400;
    const sim::IssuedCertificate ds = sim::issue_test_certificate(profile, &issuer, ds_key.pkey());
    sim::TestPki pki{sim::TestKey::derive(sim::SignerAlgorithm::ecdsa_brainpool_p256r1, 1, "unused CSCA"),
                     std::move(ds_key),
                     issuer.der(),
                     ds.der(),
                     name_der(X509_get_subject_name(issuer.certificate.get())),
                     asn1::der_integer(static_cast<std::uint64_t>(profile.serial))};
    ChipDump dump = base;
    dump.files[FileId::sod] = sim::build_sod(hashed, pki, signing_time);
    lds::SecurityObject sod = lds::parse_sod(dump.files.at(FileId::sod));
    if (s == 0) {
      setup->dg_md = digest_of(sod.hash_algorithm);
      setup->signer_md = digest_of(sod.digest_algorithm);
    }
    const unsigned char* in = sod.certificates.at(0).data();
    FloorInput floor{sod.econtent, sod.signed_attributes_der, sod.signature,
                     X509Ptr(d2i_X509(nullptr, &in, static_cast<long>(sod.certificates.at(0).size())))};
    setup->floors.push_back(std::move(floor));
    setup->dumps.push_back(std::move(dump));
  }
  if (scenario.aa != sim::AaAlgorithm::none) {
    setup->aa = true;
    setup->aa_key = crypto::parse_dg15(base.files.at(FileId::dg15));
    if (setup->aa_key.kind == crypto::AaKeyKind::ecdsa) setup->aa_hash = crypto::HashAlgorithm::sha256;
    setup->aa_signature = base.aa_signature;
    const Bytes& dg15 = base.files.at(FileId::dg15);
    // DG15 = 6F L SubjectPublicKeyInfo: the key's DER starts after the outer tag and length.
    std::size_t header = 2;
    if (dg15.at(1) & 0x80) header += dg15.at(1) & 0x7F;
    setup->aa_spki.assign(dg15.begin() + static_cast<std::ptrdiff_t>(header), dg15.end());
  }
  return setup;
}

bool floor_once(const Setup& setup, std::size_t signer) {
  const FloorInput& f = setup.floors[signer];
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  bool ok = true;
  for (const Bytes& dg : setup.data_groups)
    ok &= EVP_Digest(dg.data(), dg.size(), digest, &length, setup.dg_md, nullptr) == 1;
  ok &= EVP_Digest(f.econtent.data(), f.econtent.size(), digest, &length, setup.signer_md, nullptr) == 1;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ok &= EVP_DigestVerifyInit(ctx, nullptr, setup.signer_md, nullptr,
                             X509_get0_pubkey(f.document_signer.get())) == 1;
  ok &= EVP_DigestVerify(ctx, f.signature.data(), f.signature.size(), f.signed_attributes.data(),
                         f.signed_attributes.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (setup.aa) {
    // Every card has its own key: decoded, and used fresh, so its first operation sets up what OpenSSL
    // then caches in the key (the RSA modulus's Montgomery context), as it does for verify().
    crypto::AaPublicKey card_key;
    card_key.kind = setup.aa_key.kind;
    card_key.bits = setup.aa_key.bits;
    card_key.signature_length = setup.aa_key.signature_length;
    // Built from the key's numbers (EVP_PKEY_fromdata), the cheapest way OpenSSL 3 offers (d2i_PUBKEY
    // costs about 100 µs more through its decoders).
    card_key.key = crypto::named_public_key(setup.aa_spki);
    ok &= card_key.key != nullptr;
    crypto::verify_active_authentication(card_key, setup.aa_hash,
                                         ByteView(kChallenge.data(), kChallenge.size()), setup.aa_signature);
  }
  return ok;
}

struct Measured {
  double verify_us = 0;
  double floor_us = 0;
  double ratio = 0;
  double ratio_min = 0;
  double ratio_max = 0;
};

Measured measure(const Setup& setup, double batch_seconds, int rounds) {
  const std::size_t signers = setup.dumps.size();
  // Warm-up: every signer once on each side (the caches of a running server).
  for (std::size_t s = 0; s < signers; ++s) {
    Verdict verdict = verify(setup.dumps[s], setup.trust, setup.options);
    if (!verdict.verified)
      throw std::runtime_error("a dump of the scenario does not verify: " + verdict.signer_trust.detail +
                               " / " + verdict.data_integrity.detail + " / " +
                               verdict.chip_authenticity.detail);
    if (!floor_once(setup, s)) throw std::runtime_error("a raw check of the floor failed");
  }
  // Batch size: about batch_seconds of verifications, a whole number of rotations.
  double start = thread_cpu_seconds();
  std::size_t calibration = 0;
  while (thread_cpu_seconds() - start < 0.05) {
    verify(setup.dumps[calibration % signers], setup.trust, setup.options);
    ++calibration;
  }
  const double per = (thread_cpu_seconds() - start) / static_cast<double>(calibration);
  const std::size_t batch = std::max<std::size_t>(signers, static_cast<std::size_t>(batch_seconds / per));
  std::vector<double> ratios;
  double verify_total = 0;
  double floor_total = 0;
  std::size_t position_v = 0;
  std::size_t position_f = 0;
  for (int round = 0; round < rounds; ++round) {
    double verify_time = 0;
    double floor_time = 0;
    for (int side = 0; side < 2; ++side) {
      const bool verify_side = (round + side) % 2 == 0;
      const double t0 = thread_cpu_seconds();
      if (verify_side) {
        for (std::size_t i = 0; i < batch; ++i, ++position_v) {
          Verdict verdict = verify(setup.dumps[position_v % signers], setup.trust, setup.options);
          if (!verdict.verified) throw std::runtime_error("not verified during the run");
        }
        verify_time = thread_cpu_seconds() - t0;
      } else {
        for (std::size_t i = 0; i < batch; ++i, ++position_f) {
          if (!floor_once(setup, position_f % signers)) throw std::runtime_error("floor failed");
        }
        floor_time = thread_cpu_seconds() - t0;
      }
    }
    ratios.push_back(verify_time / floor_time);
    verify_total += verify_time;
    floor_total += floor_time;
  }
  std::sort(ratios.begin(), ratios.end());
  Measured m;
  m.verify_us = verify_total / static_cast<double>(batch * static_cast<std::size_t>(rounds)) * 1e6;
  m.floor_us = floor_total / static_cast<double>(batch * static_cast<std::size_t>(rounds)) * 1e6;
  m.ratio = ratios[ratios.size() / 2];
  m.ratio_min = ratios.front();
  m.ratio_max = ratios.back();
  return m;
}

// Verifications per wall second on `threads` threads sharing one store, for `seconds`, and the CPU time
// each verification took on its thread (which a busy machine does not change: contention inside the
// library would).
struct Rate {
  double per_second = 0;
  double cpu_us = 0;
};

Rate rate(const Setup& setup, int threads, double seconds) {
  std::atomic<bool> running{true};
  std::atomic<std::size_t> done{0};
  std::atomic<long> cpu_ns{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::size_t position = static_cast<std::size_t>(t) * 7919;
      std::size_t count = 0;
      const double start = thread_cpu_seconds();
      while (running.load(std::memory_order_relaxed)) {
        verify(setup.dumps[position++ % setup.dumps.size()], setup.trust, setup.options);
        ++count;
      }
      cpu_ns.fetch_add(static_cast<long>((thread_cpu_seconds() - start) * 1e9));
      done.fetch_add(count);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  running = false;
  for (std::thread& worker : workers) worker.join();
  Rate r;
  r.per_second = static_cast<double>(done.load()) / seconds;
  r.cpu_us =
      static_cast<double>(cpu_ns.load()) / 1e3 / static_cast<double>(std::max<std::size_t>(1, done.load()));
  return r;
}

}  // namespace

int run_bank_scenarios(const std::string& filter, double batch_seconds, int rounds) {
  std::printf("| scenario | verify µs | floor µs | ratio (median) | range of %d rounds |\n", rounds);
  std::printf("|---|---:|---:|---:|---|\n");
  std::fflush(stdout);
  for (const Scenario& scenario : scenarios()) {
    if (!filter.empty() && scenario.name.find(filter) == std::string::npos) continue;
    std::unique_ptr<Setup> setup = prepare(scenario);
    const Measured m = measure(*setup, batch_seconds, rounds);
    std::printf("| %s | %.1f | %.1f | **%.3f** | %.3f–%.3f |\n", scenario.name.c_str(), m.verify_us,
                m.floor_us, m.ratio, m.ratio_min, m.ratio_max);
    std::fflush(stdout);
  }
  return 0;
}

int run_scaling(double seconds, int rounds) {
  const Scenario& bank = scenarios()[9];  // 1000 signers, 10000 CSCAs, CRLs
  std::unique_ptr<Setup> setup = prepare(bank);
  rate(*setup, 2, 1.0);  // warm-up: every signer in the cache
  std::vector<double> ratios;
  std::vector<double> cpu_ratios;
  for (int round = 0; round < rounds; ++round) {
    const bool one_first = round % 2 == 0;
    const Rate first = rate(*setup, one_first ? 1 : 2, seconds);
    const Rate second = rate(*setup, one_first ? 2 : 1, seconds);
    const Rate& one = one_first ? first : second;
    const Rate& two = one_first ? second : first;
    std::printf(
        "round %d: 1 thread %.0f/s (%.1f µs CPU each), 2 threads %.0f/s (%.1f µs CPU each), rate ratio "
        "%.3f\n",
        round + 1, one.per_second, one.cpu_us, two.per_second, two.cpu_us, two.per_second / one.per_second);
    ratios.push_back(two.per_second / one.per_second);
    cpu_ratios.push_back(two.cpu_us / one.cpu_us);
  }
  std::sort(ratios.begin(), ratios.end());
  std::sort(cpu_ratios.begin(), cpu_ratios.end());
  std::printf(
      "scaling (%s): 2 threads / 1 thread = %.3f verifications per wall second (median of %d alternating "
      "rounds of %.1f s; range %.3f–%.3f); CPU time per verification, 2 threads / 1 thread = %.3f "
      "(range %.3f–%.3f; 1.000 means no contention between the threads)\n",
      bank.name.c_str(), ratios[ratios.size() / 2], rounds, seconds, ratios.front(), ratios.back(),
      cpu_ratios[cpu_ratios.size() / 2], cpu_ratios.front(), cpu_ratios.back());
  return 0;
}

}  // namespace cccd::bench
