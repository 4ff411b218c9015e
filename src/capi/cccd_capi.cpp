// The C API over the C++ core: errors, version, credentials, trust stores, offline verification and
// results. Every entry point catches everything (capi::guarded), so no exception crosses into C.
#include "capi/capi_internal.hpp"
#include "util/message_text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <new>
#include <string>

namespace cccd::capi {

namespace {

thread_local std::string last_error;
thread_local std::string last_error_json;  // the same error as the JSON document of docs/schema

}  // namespace

cccd_status fail(cccd_status status, const char* message) {
  try {
    // An error message names what went wrong, never a whole input: a path a caller passed can be
    // arbitrarily long, and the message is kept per thread until the next call (util/message_text.hpp).
    last_error = cccd::bounded_message(message);
    last_error_json = cccd::error_json(cccd::Error(static_cast<cccd::ErrorCode>(status), last_error));
  } catch (...) {
    last_error_json.clear();  // out of memory: the message alone must do
  }
  return status;
}

void clear_last_error() noexcept {
  last_error.clear();
  last_error_json.clear();
}

cccd_result* make_result(cccd::Report report) {
  auto* result = new cccd_result;
  result->report = std::move(report);
  return result;
}

}  // namespace cccd::capi

using cccd::capi::guarded;
using cccd::capi::require;

extern "C" {

const char* cccd_version(void) {
  return CCCD_VERSION_STRING;
}

uint32_t cccd_version_number(void) {
  return CCCD_VERSION_NUMBER;
}

const char* cccd_status_name(cccd_status status) {
  if (status == CCCD_OK) return "ok";
  if (status < CCCD_ERR_INVALID_ARGUMENT || status > CCCD_ERR_INTERNAL) return "unknown";
  return cccd::error_code_name(static_cast<cccd::ErrorCode>(status));
}

const char* cccd_last_error(void) {
  return cccd::capi::last_error.c_str();
}

const char* cccd_last_error_json(void) {
  return cccd::capi::last_error_json.c_str();
}

cccd_status cccd_credentials_from_id(const char* id_number, const char* birth, const char* expiry,
                                     cccd_credentials** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;  // a failed call never leaves a stale handle
    require(id_number && birth && expiry && out, "cccd_credentials_from_id: NULL argument");
    *out = new cccd_credentials{cccd::Credentials::from_id_or_qr_line(id_number, birth, expiry)};
  });
}

cccd_status cccd_credentials_from_mrz(const char* mrz_text, cccd_credentials** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    require(mrz_text && out, "cccd_credentials_from_mrz: NULL argument");
    *out = new cccd_credentials{cccd::Credentials::from_mrz(mrz_text)};
  });
}

cccd_status cccd_credentials_from_can(const char* can, cccd_credentials** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    require(can && out, "cccd_credentials_from_can: NULL argument");
    *out = new cccd_credentials{cccd::Credentials::from_can(can)};
  });
}

void cccd_credentials_free(cccd_credentials* credentials) {
  delete credentials;
}

cccd_status cccd_trust_new(cccd_trust** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
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

cccd_status cccd_trust_add_data(cccd_trust* trust, const uint8_t* data, size_t size) {
  return guarded([&] {
    require(trust && data, "cccd_trust_add_data: NULL argument");
    trust->value.add_certificate(cccd::ByteView(data, size));
  });
}

cccd_status cccd_trust_add_crl(cccd_trust* trust, const char* path) {
  return guarded([&] {
    require(trust && path, "cccd_trust_add_crl: NULL argument");
    trust->value.add_crl(path);
  });
}

cccd_status cccd_trust_add_crl_data(cccd_trust* trust, const uint8_t* data, size_t size) {
  return guarded([&] {
    require(trust && data, "cccd_trust_add_crl_data: NULL argument");
    trust->value.add_crl_data(cccd::ByteView(data, size));
  });
}

cccd_status cccd_trust_add_master_list_data(cccd_trust* trust, const uint8_t* list, size_t list_size,
                                            const uint8_t* roots, size_t roots_size) {
  return guarded([&] {
    require(trust && list && roots, "cccd_trust_add_master_list_data: NULL argument");
    trust->value.add_master_list_bytes(cccd::ByteView(list, list_size), cccd::ByteView(roots, roots_size));
  });
}

void cccd_trust_free(cccd_trust* trust) {
  delete trust;
}

cccd_status cccd_verify_dump(const char* folder, const cccd_trust* trust, cccd_result** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    require(folder && out, "cccd_verify_dump: NULL argument");
    static const cccd::TrustStore kNoTrust;
    *out = cccd::capi::make_result(cccd::verify_dump_folder(folder, trust ? trust->value : kNoTrust));
  });
}

cccd_status cccd_verify_dump_with_challenge(const char* folder, const cccd_trust* trust,
                                            const uint8_t* challenge, size_t challenge_length,
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
    *out =
        cccd::capi::make_result(cccd::verify_dump_folder(folder, trust ? trust->value : kNoTrust, options));
  });
}

int cccd_result_verified(const cccd_result* result) {
  return result && result->report.verdict.verified ? 1 : 0;
}

const char* cccd_result_finding_name(const cccd_result* result, size_t index) {
  if (!result) return nullptr;
  const auto named = cccd::finding_at(result->report.verdict, index);
  return named ? named->name.data() : nullptr;
}

const char* cccd_result_finding_status(const cccd_result* result, const char* name) {
  if (!result || !name) return nullptr;
  for (std::size_t i = 0; const auto named = cccd::finding_at(result->report.verdict, i); ++i) {
    if (named->name == name) return cccd::status_name(named->finding->status).data();
  }
  return nullptr;
}

namespace {
// `json` is one of `result`'s forms (mutable members: building one is not a change of the result).
const char* result_json_text(const cccd_result& result, cccd_result_json_text& json, int indent) {
  try {
    if (!json.built.load(std::memory_order_acquire)) {
      const std::lock_guard lock(result.json_mutex);
      if (!json.built.load(std::memory_order_relaxed)) {
        json.text = cccd::to_json(result.report, indent);
        json.built.store(true, std::memory_order_release);
      }
    }
  } catch (...) {
    return "";  // out of memory: no document, and the next call tries again
  }
  return json.text.c_str();
}
}  // namespace

const char* cccd_result_json(const cccd_result* result) {
  return result ? result_json_text(*result, result->json, 2) : "";
}

const char* cccd_result_json_compact(const cccd_result* result) {
  return result ? result_json_text(*result, result->compact_json, -1) : "";
}

cccd_status cccd_result_photo(const cccd_result* result, const uint8_t** data, size_t* size) {
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
