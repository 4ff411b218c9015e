// verify_bench --scenarios / --scaling (bank_scenarios.cpp).
#pragma once

#include <string>

namespace cccd::bench {

// Every scenario whose name contains `filter` (all when empty): one table row each.
int run_bank_scenarios(const std::string& filter, double batch_seconds, int rounds);
// Two threads against one on the 1 000-signer, 10 000-CSCA, CRL stream, in alternating rounds.
int run_scaling(double seconds, int rounds);

}  // namespace cccd::bench
