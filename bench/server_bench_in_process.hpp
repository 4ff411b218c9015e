// server_bench's in-process side (server_bench_in_process.cpp): the same uploads verified through the public
// API on one thread, measured in slices so that the bench can interleave them with the server's runs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cccd::bench {

// One slice: `count` documents verified, then the same again with the result's JSON (what the server
// answers with); each pass's CPU seconds of the calling thread.
struct InProcessSample {
  std::size_t count = 0;
  double verify_seconds = 0;           // Evidence::from_document + verify
  double verify_and_json_seconds = 0;  // the same, and the result's JSON
};

class InProcessVerifier {
 public:
  // The trust store loaded from csca_path and, as a running server has them in its cache, each signer's
  // certificate checked once: the first `warm_up` documents verified, not measured. The documents and
  // challenges are borrowed: they must outlive this object.
  InProcessVerifier(const std::string& csca_path, const std::vector<std::string>& documents,
                    const std::vector<std::array<std::uint8_t, 8>>& challenges, std::size_t warm_up);
  ~InProcessVerifier();
  InProcessVerifier(const InProcessVerifier&) = delete;
  InProcessVerifier& operator=(const InProcessVerifier&) = delete;

  // Documents [first, first + count) under the server's default policy, each with its challenge; throws
  // when one does not verify.
  InProcessSample measure(std::size_t first, std::size_t count);

 private:
  struct State;  // holds cccd::Trust: cccd.hpp stays out of the bench's other translation unit
  std::unique_ptr<State> state_;
};

}  // namespace cccd::bench
