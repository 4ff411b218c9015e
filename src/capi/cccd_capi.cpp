// The C API over the C++ library: every entry point catches everything, so no exception crosses into C.

#include <cccd/cccd.h>
#include <cccd/reader.hpp>
#include <cccd/report.hpp>
#include <cccd/verify.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <new>
#include <string>

struct cccd_credentials {
  cccd::Credentials value;
};
struct cccd_trust {
  cccd::TrustStore value;
};
struct cccd_result {
  cccd::Report report;
  std::string json;
};
struct cccd_cancel_token {
  cccd::Cancellation value;
};
struct cccd_read_options {
  cccd::ReadOptions value;
  cccd_progress_callback progress = nullptr;
  void* progress_user = nullptr;
};

namespace {

thread_local std::string last_error;
thread_local std::string last_error_json;  // the same error as the JSON document of docs/schema

cccd_status fail(cccd_status status, const char* message) {
  last_error = message;
  try {
    last_error_json = cccd::error_json(cccd::Error(static_cast<cccd::ErrorCode>(status), message));
  } catch (...) {
    last_error_json.clear();  // out of memory: the message alone must do
  }
  return status;
}

// Runs `body`, turning every exception into a status and this thread's last error message.
template <class Body>
cccd_status guarded(Body&& body) noexcept {
  try {
    last_error.clear();
    last_error_json.clear();
    body();
    return CCCD_OK;
  } catch (const cccd::Error& e) {
    return fail(static_cast<cccd_status>(e.code()), e.what());
  } catch (const std::bad_alloc&) {
    return fail(CCCD_ERR_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return fail(CCCD_ERR_INTERNAL, e.what());
  } catch (...) {
    return fail(CCCD_ERR_INTERNAL, "unknown failure");
  }
}

void require(bool condition, const char* what) {
  if (!condition) throw cccd::Error(cccd::ErrorCode::invalid_argument, what);
}

cccd_result* make_result(cccd::Report report) {
  auto* result = new cccd_result{std::move(report), {}};
  result->json = cccd::to_json(result->report);
  return result;
}

// Every cccd_read_*: the card named by `kind` and `where` (a folder, a reader name or a libnfc connstring;
// NULL for the default one), read and verified with `options` (NULL: the defaults).
cccd_status read_card(const char* function, cccd::CardSource::Kind kind, const char* where,
                      const cccd_credentials* credentials, const cccd_trust* trust,
                      const cccd_read_options* options, cccd_result** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;  // a failed call never leaves a stale handle
    require(credentials && out, (std::string(function) + ": NULL argument").c_str());
    cccd::CardSource source;
    source.kind = kind;
    if (kind == cccd::CardSource::Kind::virtual_card) {
      source.folder = where ? where : "";
    } else {
      source.reader = where ? where : "";
    }
    static const cccd::ReadOptions kDefaults;
    *out = make_result(cccd::read_and_verify(source, credentials->value, trust ? &trust->value : nullptr,
                                             options ? options->value : kDefaults));
  });
}

}  // namespace

extern "C" {

const char* cccd_version(void) {
  return "0.1.0";
}

const char* cccd_status_name(cccd_status status) {
  if (status == CCCD_OK) return "ok";
  if (status < CCCD_ERR_INVALID_ARGUMENT || status > CCCD_ERR_INTERNAL) return "unknown";
  return cccd::error_code_name(static_cast<cccd::ErrorCode>(status));
}

const char* cccd_last_error(void) {
  return last_error.c_str();
}

const char* cccd_last_error_json(void) {
  return last_error_json.c_str();
}

cccd_status cccd_credentials_from_id(const char* id_number, const char* birth, const char* expiry,
                                     cccd_credentials** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;  // a failed call never leaves a stale handle
    require(id_number && birth && expiry && out, "cccd_credentials_from_id: NULL argument");
    *out = new cccd_credentials{cccd::Credentials::from_id_number(id_number, birth, expiry)};
  });
}

cccd_status cccd_credentials_from_mrz(const char* mrz_text, cccd_credentials** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;  // a failed call never leaves a stale handle
    require(mrz_text && out, "cccd_credentials_from_mrz: NULL argument");
    *out = new cccd_credentials{cccd::Credentials::from_mrz(mrz_text)};
  });
}

void cccd_credentials_free(cccd_credentials* credentials) {
  delete credentials;
}

cccd_status cccd_trust_new(cccd_trust** out) {
  return guarded([&] {
    require(out, "cccd_trust_new: NULL argument");
    *out = new cccd_trust{};
  });
}

cccd_status cccd_trust_add_path(cccd_trust* trust, const char* path) {
  return guarded([&] {
    require(trust && path, "cccd_trust_add_path: NULL argument");
    trust->value.add_path(path);
  });
}

cccd_status cccd_trust_add_master_list(cccd_trust* trust, const char* path, const char* root_path) {
  return guarded([&] {
    require(trust && path && root_path, "cccd_trust_add_master_list: NULL argument");
    trust->value.add_master_list(path, {root_path});
  });
}

cccd_status cccd_trust_add_crl(cccd_trust* trust, const char* path) {
  return guarded([&] {
    require(trust && path, "cccd_trust_add_crl: NULL argument");
    trust->value.add_crl(path);
  });
}

void cccd_trust_free(cccd_trust* trust) {
  delete trust;
}

cccd_status cccd_read_virtual(const char* folder, const cccd_credentials* credentials,
                              const cccd_trust* trust, cccd_result** out) {
  return read_card("cccd_read_virtual", cccd::CardSource::Kind::virtual_card, folder, credentials, trust,
                   nullptr, out);
}

cccd_status cccd_read_pcsc(const char* reader_name, const cccd_credentials* credentials,
                           const cccd_trust* trust, cccd_result** out) {
  return read_card("cccd_read_pcsc", cccd::CardSource::Kind::pcsc, reader_name, credentials, trust, nullptr,
                   out);
}

cccd_status cccd_read_nfc(const char* connstring, const cccd_credentials* credentials,
                          const cccd_trust* trust, cccd_result** out) {
  return read_card("cccd_read_nfc", cccd::CardSource::Kind::nfc, connstring, credentials, trust, nullptr,
                   out);
}

cccd_status cccd_verify_dump(const char* folder, const cccd_trust* trust, cccd_result** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;  // a failed call never leaves a stale handle
    require(folder && out, "cccd_verify_dump: NULL argument");
    static const cccd::TrustStore kNoTrust;
    *out = make_result(cccd::verify_dump_folder(folder, trust ? trust->value : kNoTrust));
  });
}

cccd_status cccd_verify_dump_with_challenge(const char* folder, const cccd_trust* trust,
                                            const unsigned char* challenge, size_t challenge_length,
                                            cccd_result** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    require(folder && challenge && out, "cccd_verify_dump_with_challenge: NULL argument");
    std::array<std::uint8_t, 8> expected{};
    require(challenge_length == expected.size(),
            "cccd_verify_dump_with_challenge: the challenge must be 8 bytes");
    std::copy(challenge, challenge + expected.size(), expected.begin());
    cccd::VerifyOptions options;
    options.active_authentication_challenge = expected;
    static const cccd::TrustStore kNoTrust;
    *out = make_result(cccd::verify_dump_folder(folder, trust ? trust->value : kNoTrust, options));
  });
}

cccd_status cccd_read_options_new(cccd_read_options** out) {
  return guarded([&] {
    require(out, "cccd_read_options_new: NULL argument");
    *out = nullptr;
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
                                     progress.files_done, progress.files_total};
      callback(&c_progress, user);
    };
  });
}

cccd_status cccd_read_options_set_wait_for_card(cccd_read_options* options, unsigned long timeout_ms) {
  return guarded([&] {
    require(options, "cccd_read_options_set_wait_for_card: NULL options");
    options->value.wait_for_card = std::chrono::milliseconds(timeout_ms);
  });
}

cccd_status cccd_read_options_set_resume(cccd_read_options* options, int resume, unsigned long wait_ms) {
  return guarded([&] {
    require(options, "cccd_read_options_set_resume: NULL options");
    options->value.resume_after_removal = resume != 0;
    options->value.resume_wait = std::chrono::milliseconds(wait_ms);
  });
}

cccd_status cccd_read_options_set_challenge(cccd_read_options* options, const unsigned char* challenge,
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

cccd_status cccd_read_options_set_limits(cccd_read_options* options, unsigned long time_limit_ms,
                                         unsigned long max_apdus) {
  return guarded([&] {
    require(options, "cccd_read_options_set_limits: NULL options");
    const cccd::ReadOptions defaults;
    // unsigned long may not fit the signed millisecond count: the largest values saturate.
    constexpr auto kLongest = std::chrono::milliseconds::max();
    options->value.time_limit =
        time_limit_ms == 0 ? defaults.time_limit
        : time_limit_ms >= static_cast<unsigned long long>(kLongest.count())
            ? kLongest
            : std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(time_limit_ms));
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
    require(out, "cccd_cancel_new: NULL argument");
    *out = nullptr;
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

cccd_status cccd_read_pcsc_with_options(const char* reader_name, const cccd_credentials* credentials,
                                        const cccd_trust* trust, const cccd_read_options* options,
                                        cccd_result** out) {
  return read_card("cccd_read_pcsc_with_options", cccd::CardSource::Kind::pcsc, reader_name, credentials,
                   trust, options, out);
}

cccd_status cccd_read_virtual_with_options(const char* folder, const cccd_credentials* credentials,
                                           const cccd_trust* trust, const cccd_read_options* options,
                                           cccd_result** out) {
  return read_card("cccd_read_virtual_with_options", cccd::CardSource::Kind::virtual_card, folder,
                   credentials, trust, options, out);
}

cccd_status cccd_wait_for_card_removal(const char* reader_name, unsigned long timeout_ms,
                                       cccd_cancel_token* token) {
  return guarded([&] {
    cccd::wait_for_card_removal(reader_name ? reader_name : "", std::chrono::milliseconds(timeout_ms),
                                token != nullptr ? &token->value : nullptr);
  });
}

int cccd_result_verified(const cccd_result* result) {
  return result && result->report.verdict.verified ? 1 : 0;
}

const char* cccd_result_json(const cccd_result* result) {
  return result ? result->json.c_str() : "";
}

cccd_status cccd_result_photo(const cccd_result* result, const unsigned char** data, size_t* size) {
  return guarded([&] {
    require(result && data && size, "cccd_result_photo: NULL argument");
    *data = nullptr;
    *size = 0;
    const auto& face = result->report.document.face;
    if (!face || face->data.empty())
      throw cccd::Error(cccd::ErrorCode::file_not_found, "the card gave no photo");
    *data = face->data.data();
    *size = face->data.size();
  });
}

cccd_status cccd_result_write_dump(const cccd_result* result, const char* folder) {
  return guarded([&] {
    require(result && folder, "cccd_result_write_dump: NULL argument");
    cccd::write_dump(result->report.dump, folder);
  });
}

void cccd_result_free(cccd_result* result) {
  delete result;
}

}  // extern "C"
