// The C API's reads: read options, cancel tokens, cccd_read over any transport, and the kiosk's wait for
// the card to be taken.
#include "capi/capi_internal.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <string>

using cccd::capi::guarded;
using cccd::capi::require;

extern "C" {

cccd_status cccd_read_options_new(cccd_read_options** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    require(out, "cccd_read_options_new: NULL argument");
    *out = new cccd_read_options{};
  });
}

void cccd_read_options_free(cccd_read_options* options) {
  delete options;
}

cccd_status cccd_read_options_set_progress(cccd_read_options* options, cccd_progress_callback callback,
                                           void* user) {
  return guarded([&] {
    require(options, "cccd_read_options_set_progress: NULL options");
    options->progress = callback;
    options->progress_user = user;
    options->value.progress = nullptr;
    if (callback == nullptr) return;
    options->value.progress = [callback, user](const cccd::ReadProgress& progress) {
      const std::string file(cccd::file_name(progress.file));  // NUL-terminated for C
      const cccd_progress c_progress{file.c_str(), progress.file_bytes, progress.file_size,
                                     static_cast<uint32_t>(progress.files_done),
                                     static_cast<uint32_t>(progress.files_total)};
      callback(&c_progress, user);
    };
  });
}

cccd_status cccd_read_options_set_wait_for_card(cccd_read_options* options, uint32_t timeout_ms) {
  return guarded([&] {
    require(options, "cccd_read_options_set_wait_for_card: NULL options");
    options->value.wait_for_card = std::chrono::milliseconds(timeout_ms);
  });
}

cccd_status cccd_read_options_set_resume(cccd_read_options* options, int resume, uint32_t wait_ms) {
  return guarded([&] {
    require(options, "cccd_read_options_set_resume: NULL options");
    options->value.resume_after_removal = resume != 0;
    options->value.resume_wait = std::chrono::milliseconds(wait_ms);
  });
}

cccd_status cccd_read_options_set_challenge(cccd_read_options* options, const uint8_t* challenge,
                                            size_t challenge_length) {
  return guarded([&] {
    require(options, "cccd_read_options_set_challenge: NULL options");
    if (challenge == nullptr) {
      options->value.active_authentication_challenge.reset();
      return;
    }
    std::array<std::uint8_t, 8> value{};
    require(challenge_length == value.size(),
            "cccd_read_options_set_challenge: the challenge must be 8 bytes");
    std::copy(challenge, challenge + value.size(), value.begin());
    options->value.active_authentication_challenge = value;
  });
}

cccd_status cccd_read_options_set_limits(cccd_read_options* options, uint32_t time_limit_ms,
                                         uint32_t max_apdus) {
  return guarded([&] {
    require(options, "cccd_read_options_set_limits: NULL options");
    const cccd::ReadOptions defaults;
    options->value.time_limit =
        time_limit_ms != 0 ? std::chrono::milliseconds(time_limit_ms) : defaults.time_limit;
    options->value.max_apdus = max_apdus != 0 ? max_apdus : defaults.max_apdus;
  });
}

cccd_status cccd_read_options_set_cancel(cccd_read_options* options, cccd_cancel_token* token) {
  return guarded([&] {
    require(options, "cccd_read_options_set_cancel: NULL options");
    options->value.cancellation = token != nullptr ? &token->value : nullptr;
  });
}

cccd_status cccd_cancel_new(cccd_cancel_token** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    require(out, "cccd_cancel_new: NULL argument");
    *out = new cccd_cancel_token{};
  });
}

void cccd_cancel(cccd_cancel_token* token) {
  if (token != nullptr) token->value.cancel();
}

int cccd_cancel_requested(const cccd_cancel_token* token) {
  return token != nullptr && token->value.cancelled() ? 1 : 0;
}

void cccd_cancel_free(cccd_cancel_token* token) {
  delete token;
}

cccd_status cccd_read(cccd_transport* transport, const cccd_credentials* credentials, const cccd_trust* trust,
                      const cccd_read_options* options, cccd_result** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;  // a failed call never leaves a stale handle
    require(transport && credentials && out, "cccd_read: NULL argument");
    static const cccd::ReadOptions kDefaults;
    *out = cccd::capi::make_result(cccd::read_and_verify(transport->source, credentials->value,
                                                         trust ? &trust->value : nullptr,
                                                         options ? options->value : kDefaults));
  });
}

cccd_status cccd_wait_for_card_removal(const char* reader_name, uint32_t timeout_ms,
                                       cccd_cancel_token* token) {
  return guarded([&] {
#if CCCD_WITH_PCSC
    cccd::wait_for_card_removal(reader_name ? reader_name : "", std::chrono::milliseconds(timeout_ms),
                                token != nullptr ? &token->value : nullptr);
#else
    (void)reader_name, (void)timeout_ms, (void)token;
    throw cccd::Error(cccd::ErrorCode::not_supported, "this libcccd was built without PC/SC");
#endif
  });
}

}  // extern "C"
