// The verification policy on the command line: --require-chip-authenticity, --accept-expired, --at DATE,
// the same options for `read` and `verify` (cccd/policy.hpp).
#pragma once

#include <cccd/policy.hpp>

#include <CLI/CLI.hpp>

#include <string>

namespace cccd::cli {

struct PolicyArguments {
  bool require_chip_authenticity = false;
  bool accept_expired = false;
  std::string at;  // --at: YYYY-MM-DD or dd/mm/yyyy; empty: today
};

// Adds the policy options to `command`, with help in the language of `vietnamese`.
void add_policy_options(CLI::App& command, PolicyArguments& arguments, bool vietnamese);

// The policy the options ask for. Throws Error(invalid_argument) for an --at that is not a real day.
VerificationPolicy policy_from(const PolicyArguments& arguments);

}  // namespace cccd::cli
