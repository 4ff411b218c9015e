// The in-process side of server_bench: the same uploads verified through the public C++ API, the way a
// bank's own service would call the library (cccd.hpp cannot share a translation unit with the internal
// headers the rest of the bench uses to make its cards).
#include "bench/server_bench_in_process.hpp"

#include <cccd/cccd.hpp>

#include <ctime>
#include <stdexcept>

namespace cccd::bench {

double in_process_rate(const std::string& csca_path, const std::vector<std::string>& documents,
                       const std::vector<std::array<std::uint8_t, 8>>& challenges, std::size_t warm_up) {
  cccd::Trust trust;
  trust.add_path(csca_path);
  cccd::Policy policy;
  policy.require_chip_authenticity(true);
  auto once = [&](std::size_t i) {
    cccd::VerifyOptions options;
    options.policy(policy).challenge(challenges[i]);
    const cccd::Result result = cccd::verify(cccd::Evidence::from_document(documents[i]), trust, &options);
    if (!result.verified()) throw std::runtime_error("an upload does not verify in process");
  };
  // The signers' certificates checked once each, as a running server has them in its cache.
  for (std::size_t i = 0; i < warm_up && i < documents.size(); ++i) once(i);
  timespec start{}, end{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
  for (std::size_t i = 0; i < documents.size(); ++i) once(i);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end);
  const double seconds =
      static_cast<double>(end.tv_sec - start.tv_sec) + static_cast<double>(end.tv_nsec - start.tv_nsec) / 1e9;
  return static_cast<double>(documents.size()) / seconds;
}

}  // namespace cccd::bench
