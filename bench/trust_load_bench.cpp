// trust_load_bench: how long a trust store of 500 / 2 000 / 10 000 / 50 000 CSCAs takes to load (one
// add_path of a folder of PEM bundles, as a PKD export is) and how much memory it holds, each size in a
// fresh child process; then what adding 10 000 CRLs costs next to the raw OpenSSL verification of their
// signatures, measured interleaved (rounds alternate the two sides). docs/PERFORMANCE.md has the figures.
//
//   trust_load_bench [SIZES...]        (default 500 2000 10000 50000)
#include "bench/bench_pki.hpp"

#include <cccd/trust.hpp>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace {

using namespace cccd;

double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// One size in this (child) process: load time and resident memory.
int load_once(std::size_t count) {
  const std::filesystem::path folder = bench::csca_folder(count, false);
  const long before = bench::resident_kib();
  const double cpu = cpu_seconds();
  const double wall = wall_seconds();
  TrustStore store;
  const std::size_t added = store.add_path(folder);
  const double cpu_used = cpu_seconds() - cpu;
  const double wall_used = wall_seconds() - wall;
  const long after = bench::resident_kib();
  std::printf("| %zu | %zu | %.3f | %.3f | %.1f | %.1f |\n", count, added, cpu_used, wall_used,
              after / 1024.0, (after - before) / 1024.0);
  std::fflush(stdout);
  return added == count ? 0 : 1;
}

struct Pair {
  EVP_PKEY* key;
  X509_CRL* crl;
};

// The CSCAs of a generated folder with their CRLs, parsed (for the raw floor).
std::vector<Pair> parse_pairs(const std::filesystem::path& folder) {
  std::vector<Pair> pairs;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    FILE* in = std::fopen(file.c_str(), "rb");
    if (!in) continue;
    while (true) {
      X509* certificate = PEM_read_X509(in, nullptr, nullptr, nullptr);
      if (!certificate) break;
      X509_CRL* crl = PEM_read_X509_CRL(in, nullptr, nullptr, nullptr);
      if (!crl) break;
      EVP_PKEY* key = X509_get_pubkey(certificate);
      X509_free(certificate);
      pairs.push_back({key, crl});
    }
    std::fclose(in);
  }
  return pairs;
}

// Adding the CRLs of `count` CSCAs (the store with and without them) next to verifying their signatures.
int crl_cost(std::size_t count) {
  const std::filesystem::path plain = bench::csca_folder(count, false);
  const std::filesystem::path with_crls = bench::csca_folder(count, true);
  const std::vector<Pair> pairs = parse_pairs(with_crls);
  std::vector<double> ratios;
  double last_added = 0;
  double last_raw = 0;
  for (int round = 0; round < 3; ++round) {
    double raw = 0;
    double added = 0;
    for (int side = 0; side < 2; ++side) {
      const bool raw_side = (round + side) % 2 == 0;  // alternate which side goes first
      if (raw_side) {
        const double start = cpu_seconds();
        std::size_t verified = 0;
        for (const Pair& pair : pairs) verified += X509_CRL_verify(pair.crl, pair.key) == 1 ? 1 : 0;
        raw = cpu_seconds() - start;
        if (verified != count) std::fprintf(stderr, "only %zu of %zu CRLs verify\n", verified, count);
      } else {
        // Only add_path is timed: neither the summary that counts the verified CRLs nor the store's
        // destruction is part of adding.
        double without = 0;
        {
          TrustStore store;
          const double start = cpu_seconds();
          store.add_path(plain);
          without = cpu_seconds() - start;
        }
        std::size_t verified = 0;
        {
          TrustStore store;
          const double start = cpu_seconds();
          store.add_path(with_crls);
          added = cpu_seconds() - start - without;
          for (const auto& crl : store.summary().crls) verified += crl.verified ? 1 : 0;
        }
        if (verified != count)
          std::fprintf(stderr, "only %zu of %zu CRLs verified in the store\n", verified, count);
      }
    }
    ratios.push_back(added / raw);
    last_added = added;
    last_raw = raw;
  }
  std::sort(ratios.begin(), ratios.end());
  std::printf(
      "\n%zu CRLs: added to the store (load with CRLs - load without) %.3f s CPU; raw X509_CRL_verify of all "
      "%.3f s CPU; ratio (median of 3 interleaved rounds) %.3f [%.3f..%.3f]\n",
      count, last_added, last_raw, ratios[1], ratios.front(), ratios.back());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(static_cast<std::size_t>(std::atol(argv[i])));
  if (sizes.empty()) sizes = {500, 2000, 10000, 50000};
  for (std::size_t count : sizes) bench::csca_folder(count, false);  // generated before any timing
  std::printf("| CSCAs | added | load CPU s | load wall s | RSS after MiB | RSS growth MiB |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|\n");
  std::fflush(stdout);
  int failures = 0;
  for (std::size_t count : sizes) {
    const pid_t child = fork();
    if (child == 0) _exit(load_once(count));
    int status = 0;
    waitpid(child, &status, 0);
    failures += WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
  }
  const std::size_t crl_count = std::min<std::size_t>(10000, *std::max_element(sizes.begin(), sizes.end()));
  failures += crl_cost(crl_count);
  return failures == 0 ? 0 : 1;
}
