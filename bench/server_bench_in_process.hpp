// server_bench's in-process rate (server_bench_in_process.cpp): verifications per CPU second of one thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cccd::bench {

struct InProcessRates {
  double verify = 0;           // Evidence::from_document + verify
  double verify_and_json = 0;  // the same, and the result's JSON (what the server answers with)
};

// Under the server's default policy, each document with its challenge, after `warm_up` unmeasured ones;
// throws when one does not verify.
InProcessRates in_process_rates(const std::string& csca_path, const std::vector<std::string>& documents,
                                const std::vector<std::array<std::uint8_t, 8>>& challenges,
                                std::size_t warm_up);

}  // namespace cccd::bench
