// The C API's verification policy (cccd_policy, include/cccd/cccd.h): a cccd::VerificationPolicy behind
// an opaque handle, and the calls that judge under it.
#include "capi/capi_internal.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

using cccd::capi::guarded;
using cccd::capi::require;

cccd_status cccd_policy_new(cccd_policy** out) {
  return guarded([&] {
    require(out != nullptr, "cccd_policy_new: NULL argument");
    *out = new cccd_policy();
  });
}

void cccd_policy_free(cccd_policy* policy) {
  delete policy;
}

cccd_status cccd_policy_set_require_chip_authenticity(cccd_policy* policy, int require_it) {
  return guarded([&] {
    require(policy != nullptr, "cccd_policy_set_require_chip_authenticity: NULL policy");
    policy->value.require_chip_authenticity = require_it != 0;
  });
}

cccd_status cccd_policy_set_accept_expired(cccd_policy* policy, int accept) {
  return guarded([&] {
    require(policy != nullptr, "cccd_policy_set_accept_expired: NULL policy");
    policy->value.accept_expired = accept != 0;
  });
}

cccd_status cccd_policy_set_judgement_date(cccd_policy* policy, const char* date) {
  return guarded([&] {
    require(policy != nullptr, "cccd_policy_set_judgement_date: NULL policy");
    if (date == nullptr) {
      policy->value.at.reset();
      return;
    }
    const std::optional<cccd::CalendarDate> day = cccd::parse_calendar_date(date);
    require(day.has_value(), "cccd_policy_set_judgement_date: give a real day as YYYY-MM-DD or dd/mm/yyyy");
    policy->value.at = cccd::judgement_time_of(*day);
  });
}

cccd_status cccd_policy_set_judgement_time(cccd_policy* policy, int64_t unix_seconds) {
  return guarded([&] {
    require(policy != nullptr, "cccd_policy_set_judgement_time: NULL policy");
    policy->value.at = static_cast<std::time_t>(unix_seconds);
  });
}

cccd_status cccd_read_options_set_policy(cccd_read_options* options, const cccd_policy* policy) {
  return guarded([&] {
    require(options != nullptr, "cccd_read_options_set_policy: NULL options");
    options->value.policy = policy != nullptr ? policy->value : cccd::VerificationPolicy{};
  });
}

cccd_status cccd_verify_dump_with_policy(const char* folder, const cccd_trust* trust,
                                         const cccd_policy* policy, const uint8_t* challenge,
                                         size_t challenge_length, cccd_result** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    require(folder && out, "cccd_verify_dump_with_policy: NULL argument");
    cccd::VerifyOptions options;
    if (policy != nullptr) options.policy = policy->value;
    if (challenge != nullptr) {
      std::array<std::uint8_t, 8> expected{};
      require(challenge_length == expected.size(),
              "cccd_verify_dump_with_policy: the challenge must be 8 bytes");
      std::copy(challenge, challenge + expected.size(), expected.begin());
      options.active_authentication_challenge = expected;
    }
    static const cccd::TrustStore kNoTrust;
    *out =
        cccd::capi::make_result(cccd::verify_dump_folder(folder, trust ? trust->value : kNoTrust, options));
  });
}
