// The in-process side of server_bench: the same uploads verified through the public C++ API, the way a
// bank's own service would call the library (cccd.hpp cannot share a translation unit with the internal
// headers the rest of the bench uses to make its cards).
#include "bench/server_bench_in_process.hpp"

#include "bench/thread_cpu_clock.hpp"

#include <cccd/cccd.hpp>

#include <stdexcept>

namespace cccd::bench {

struct InProcessVerifier::State {
  const std::vector<std::string>& documents;
  const std::vector<std::array<std::uint8_t, 8>>& challenges;
  cccd::Trust trust;
  cccd::Policy policy;

  // Returns the size of the result's JSON when asked for it, so that it is not optimised away.
  std::size_t verify(std::size_t i, bool with_json) const {
    cccd::VerifyOptions options;
    options.policy(policy).challenge(challenges.at(i));
    const cccd::Result result = cccd::verify(cccd::Evidence::from_document(documents.at(i)), trust, &options);
    if (!result.verified()) throw std::runtime_error("an upload does not verify in process");
    return with_json ? result.json().size() : 0;
  }
};

InProcessVerifier::InProcessVerifier(const std::string& csca_path, const std::vector<std::string>& documents,
                                     const std::vector<std::array<std::uint8_t, 8>>& challenges,
                                     std::size_t warm_up)
    : state_(new State{documents, challenges, {}, {}}) {
  state_->trust.add_path(csca_path);
  state_->policy.require_chip_authenticity(true);
  for (std::size_t i = 0; i < warm_up && i < documents.size(); ++i) state_->verify(i, true);
}

InProcessVerifier::~InProcessVerifier() = default;

InProcessSample InProcessVerifier::measure(std::size_t first, std::size_t count) {
  InProcessSample sample;
  sample.count = count;
  std::size_t json_bytes = 0;
  for (const bool with_json : {false, true}) {
    const double start = thread_cpu_seconds();
    for (std::size_t i = first; i < first + count; ++i) json_bytes += state_->verify(i, with_json);
    (with_json ? sample.verify_and_json_seconds : sample.verify_seconds) = thread_cpu_seconds() - start;
  }
  if (count > 0 && json_bytes == 0) throw std::runtime_error("no result JSON");
  return sample;
}

}  // namespace cccd::bench
