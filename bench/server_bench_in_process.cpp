// The in-process side of server_bench: the same uploads verified through the public C++ API, the way a
// bank's own service would call the library (cccd.hpp cannot share a translation unit with the internal
// headers the rest of the bench uses to make its cards).
#include "bench/server_bench_in_process.hpp"

#include <cccd/cccd.hpp>

#include <ctime>
#include <stdexcept>

namespace cccd::bench {

namespace {
double thread_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}
}  // namespace

InProcessRates in_process_rates(const std::string& csca_path, const std::vector<std::string>& documents,
                                const std::vector<std::array<std::uint8_t, 8>>& challenges,
                                std::size_t warm_up) {
  cccd::Trust trust;
  trust.add_path(csca_path);
  cccd::Policy policy;
  policy.require_chip_authenticity(true);
  std::size_t json_bytes = 0;
  auto once = [&](std::size_t i, bool with_json) {
    cccd::VerifyOptions options;
    options.policy(policy).challenge(challenges[i]);
    const cccd::Result result = cccd::verify(cccd::Evidence::from_document(documents[i]), trust, &options);
    if (!result.verified()) throw std::runtime_error("an upload does not verify in process");
    if (with_json) json_bytes += result.json().size();
  };
  // The signers' certificates checked once each, as a running server has them in its cache.
  for (std::size_t i = 0; i < warm_up && i < documents.size(); ++i) once(i, true);
  InProcessRates rates;
  for (const bool with_json : {false, true}) {
    const double start = thread_seconds();
    for (std::size_t i = 0; i < documents.size(); ++i) once(i, with_json);
    const double rate = static_cast<double>(documents.size()) / (thread_seconds() - start);
    (with_json ? rates.verify_and_json : rates.verify) = rate;
  }
  if (json_bytes == 0) throw std::runtime_error("no result JSON");
  return rates;
}

}  // namespace cccd::bench
