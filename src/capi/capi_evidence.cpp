// The C API of evidence in memory: build it from buffers or a document, write it as a document or a
// folder, verify it. Nothing here opens a file except cccd_evidence_from_folder and
// cccd_evidence_write_folder.
#include "capi/capi_internal.hpp"

#include <cccd/evidence.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace {

using cccd::capi::guarded;
using cccd::capi::require;

constexpr std::size_t kMaxRecordedProof = 1024;  // CA_IC, PK_Map,IC, an AA signature
constexpr std::size_t kMaxProtocolName = 64;
constexpr std::size_t kMaxNote = 512;

cccd::FileId file_named(const char* name) {
  const std::optional<cccd::FileId> id = cccd::file_from_name(name);
  if (!id) {
    throw cccd::Error(
        cccd::ErrorCode::invalid_argument,
        "not a file name of a dump (\"EF.COM\", \"EF.SOD\", \"EF.CardAccess\", \"DG1\" ... \"DG16\")");
  }
  return *id;
}

// A text the verdict may show: printable ASCII within its bound, as read.json requires.
std::string record_text(const char* text, std::size_t max_length, const char* what) {
  if (text == nullptr) return {};
  std::string value(text);
  if (value.size() > max_length)
    throw cccd::Error(cccd::ErrorCode::invalid_argument, std::string(what) + " is too long");
  for (char c : value) {
    if (c < 0x20 || c > 0x7E)
      throw cccd::Error(cccd::ErrorCode::invalid_argument, std::string(what) + " is not printable ASCII");
  }
  return value;
}

cccd::Bytes record_bytes(const std::uint8_t* data, std::size_t size, std::size_t max_size, const char* what) {
  if (size == 0) return {};
  require(data != nullptr, "NULL buffer with a non-zero length");
  if (size > max_size) throw cccd::Error(cccd::ErrorCode::limit_exceeded, std::string(what) + " is too long");
  return cccd::Bytes(data, data + size);
}

}  // namespace

extern "C" {

cccd_status cccd_evidence_new(cccd_evidence** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    require(out, "cccd_evidence_new: NULL argument");
    *out = new cccd_evidence{};
  });
}

cccd_status cccd_evidence_from_document(const uint8_t* document, size_t size, cccd_evidence** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    require(document && out, "cccd_evidence_from_document: NULL argument");
    cccd::ChipDump dump =
        cccd::parse_evidence_document(std::string_view(reinterpret_cast<const char*>(document), size));
    *out = new cccd_evidence{std::move(dump), {}};
  });
}

cccd_status cccd_evidence_from_folder(const char* folder, cccd_evidence** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    require(folder && out, "cccd_evidence_from_folder: NULL argument");
    *out = new cccd_evidence{cccd::load_dump(folder), {}};
  });
}

cccd_status cccd_evidence_from_result(const cccd_result* result, cccd_evidence** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    require(result && out, "cccd_evidence_from_result: NULL argument");
    *out = new cccd_evidence{result->report.dump, {}};
  });
}

void cccd_evidence_free(cccd_evidence* evidence) {
  delete evidence;
}

cccd_status cccd_evidence_set_file(cccd_evidence* evidence, const char* name, const uint8_t* data,
                                   size_t size) {
  return guarded([&] {
    require(evidence && name, "cccd_evidence_set_file: NULL argument");
    const cccd::FileId id = file_named(name);
    if (size > cccd::kMaxEvidenceFileSize)
      throw cccd::Error(cccd::ErrorCode::limit_exceeded, "cccd_evidence_set_file: larger than 1 MiB");
    evidence->document.clear();
    if (size == 0) {
      evidence->dump.files.erase(id);
      return;
    }
    require(data != nullptr, "cccd_evidence_set_file: NULL data");
    evidence->dump.files[id] = cccd::Bytes(data, data + size);
  });
}

cccd_status cccd_evidence_file(const cccd_evidence* evidence, const char* name, const uint8_t** data,
                               size_t* size) {
  return guarded([&] {
    require(evidence && name && data && size, "cccd_evidence_file: NULL argument");
    *data = nullptr;
    *size = 0;
    const cccd::Bytes* bytes = evidence->dump.file(file_named(name));
    if (bytes == nullptr)
      throw cccd::Error(cccd::ErrorCode::file_not_found, "the evidence holds no such file");
    *data = bytes->data();
    *size = bytes->size();
  });
}

cccd_status cccd_evidence_set_active_authentication(cccd_evidence* evidence, const uint8_t* challenge,
                                                    size_t challenge_length, const uint8_t* signature,
                                                    size_t signature_length) {
  return guarded([&] {
    require(evidence, "cccd_evidence_set_active_authentication: NULL argument");
    require(challenge_length == 8, "cccd_evidence_set_active_authentication: the challenge must be 8 bytes");
    cccd::Bytes recorded_challenge = record_bytes(challenge, challenge_length, 8, "the challenge");
    cccd::Bytes recorded_signature =
        record_bytes(signature, signature_length, kMaxRecordedProof, "the signature");
    evidence->document.clear();
    evidence->dump.aa_challenge = std::move(recorded_challenge);
    evidence->dump.aa_signature = std::move(recorded_signature);
  });
}

cccd_status cccd_evidence_set_access(cccd_evidence* evidence, const char* protocol, const char* note) {
  return guarded([&] {
    require(evidence && protocol, "cccd_evidence_set_access: NULL argument");
    std::string recorded_protocol = record_text(protocol, kMaxProtocolName, "the access protocol");
    std::string recorded_note = record_text(note, kMaxNote, "the access note");
    evidence->document.clear();
    evidence->dump.access_protocol = std::move(recorded_protocol);
    evidence->dump.access_note = std::move(recorded_note);
  });
}

cccd_status cccd_evidence_set_chip_authentication(cccd_evidence* evidence, const char* protocol,
                                                  const char* result, const char* note) {
  return guarded([&] {
    require(evidence && protocol && result, "cccd_evidence_set_chip_authentication: NULL argument");
    std::string recorded_result = record_text(result, kMaxProtocolName, "the result");
    require(recorded_result.empty() || recorded_result == "passed" || recorded_result == "failed",
            "cccd_evidence_set_chip_authentication: the result must be \"passed\", \"failed\" or \"\"");
    std::string recorded_protocol = record_text(protocol, kMaxProtocolName, "the protocol");
    std::string recorded_note = record_text(note, kMaxNote, "the note");
    evidence->document.clear();
    evidence->dump.chip_authentication = std::move(recorded_protocol);
    evidence->dump.chip_authentication_result = std::move(recorded_result);
    evidence->dump.chip_authentication_note = std::move(recorded_note);
  });
}

cccd_status cccd_evidence_set_pace_cam(cccd_evidence* evidence, const uint8_t* chip_authentication_data,
                                       size_t chip_authentication_data_length,
                                       const uint8_t* mapping_public_key, size_t mapping_public_key_length) {
  return guarded([&] {
    require(evidence, "cccd_evidence_set_pace_cam: NULL argument");
    cccd::Bytes data = record_bytes(chip_authentication_data, chip_authentication_data_length,
                                    kMaxRecordedProof, "the chip authentication data");
    cccd::Bytes key = record_bytes(mapping_public_key, mapping_public_key_length, kMaxRecordedProof,
                                   "the mapping public key");
    evidence->document.clear();
    evidence->dump.cam_chip_authentication_data = std::move(data);
    evidence->dump.cam_mapping_public_key = std::move(key);
  });
}

cccd_status cccd_evidence_add_denied(cccd_evidence* evidence, const char* name) {
  return guarded([&] {
    require(evidence && name, "cccd_evidence_add_denied: NULL argument");
    const cccd::FileId id = file_named(name);
    evidence->document.clear();
    if (std::find(evidence->dump.denied.begin(), evidence->dump.denied.end(), id) ==
        evidence->dump.denied.end())
      evidence->dump.denied.push_back(id);
  });
}

cccd_status cccd_evidence_add_absent(cccd_evidence* evidence, const char* name) {
  return guarded([&] {
    require(evidence && name, "cccd_evidence_add_absent: NULL argument");
    const cccd::FileId id = file_named(name);
    evidence->document.clear();
    if (std::find(evidence->dump.absent.begin(), evidence->dump.absent.end(), id) ==
        evidence->dump.absent.end())
      evidence->dump.absent.push_back(id);
  });
}

cccd_status cccd_evidence_document(cccd_evidence* evidence, const char** document, size_t* size) {
  return guarded([&] {
    require(evidence && document, "cccd_evidence_document: NULL argument");
    evidence->document = cccd::evidence_document(evidence->dump);
    *document = evidence->document.c_str();
    if (size != nullptr) *size = evidence->document.size();
  });
}

cccd_status cccd_evidence_write_folder(const cccd_evidence* evidence, const char* folder) {
  return guarded([&] {
    require(evidence && folder, "cccd_evidence_write_folder: NULL argument");
    cccd::write_dump(evidence->dump, folder);
  });
}

cccd_status cccd_verify_options_new(cccd_verify_options** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    require(out, "cccd_verify_options_new: NULL argument");
    *out = new cccd_verify_options{};
  });
}

void cccd_verify_options_free(cccd_verify_options* options) {
  delete options;
}

cccd_status cccd_verify_options_set_challenge(cccd_verify_options* options, const uint8_t* challenge,
                                              size_t challenge_length) {
  return guarded([&] {
    require(options, "cccd_verify_options_set_challenge: NULL argument");
    if (challenge == nullptr) {
      options->value.active_authentication_challenge.reset();
      return;
    }
    std::array<std::uint8_t, 8> expected{};
    require(challenge_length == expected.size(),
            "cccd_verify_options_set_challenge: the challenge must be 8 bytes");
    std::copy(challenge, challenge + expected.size(), expected.begin());
    options->value.active_authentication_challenge = expected;
  });
}

cccd_status cccd_verify_options_set_time(cccd_verify_options* options, int64_t unix_time) {
  return guarded([&] {
    require(options, "cccd_verify_options_set_time: NULL argument");
    options->value.policy.at = static_cast<std::time_t>(unix_time);
  });
}

cccd_status cccd_verify_options_set_policy(cccd_verify_options* options, const cccd_policy* policy) {
  return guarded([&] {
    require(options, "cccd_verify_options_set_policy: NULL options");
    options->value.policy = policy != nullptr ? policy->value : cccd::VerificationPolicy{};
  });
}

cccd_status cccd_verify_evidence(const cccd_evidence* evidence, const cccd_trust* trust,
                                 const cccd_verify_options* options, cccd_result** out) {
  return guarded([&] {
    if (out != nullptr) *out = nullptr;
    require(evidence && out, "cccd_verify_evidence: NULL argument");
    static const cccd::TrustStore kNoTrust;
    static const cccd::VerifyOptions kDefaults;
    *out = cccd::capi::make_result(cccd::verify_evidence(evidence->dump, trust ? trust->value : kNoTrust,
                                                         options ? options->value : kDefaults));
  });
}

}  // extern "C"
