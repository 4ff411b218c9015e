// libcccd C++ API: the C API of cccd.h in C++ clothes, all inline. It adds no symbol and no ABI of its own:
// a program built with it depends on libcccd.so's C functions only, so it keeps working with any library
// of the same SONAME whatever compiler or standard library either was built with.
//
//  - handles are move-only RAII objects (Credentials, Trust, Transport, ReadOptions, Result);
//  - a failure throws cccd::Error with the C status and cccd_last_error()'s message;
//  - a transport of your own derives from cccd::Transport (transmit, and optionally wait_for_card,
//    reconnect, cancel) and is read with cccd::read, as the library reads PC/SC and libnfc readers.
// The threading contract is cccd.h's.
#ifndef CCCD_CCCD_HPP
#define CCCD_CCCD_HPP

#include <cccd/cccd.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cccd {

class Error : public std::runtime_error {
 public:
  Error(cccd_status status, const std::string& message) : std::runtime_error(message), status_(status) {}
  cccd_status status() const noexcept { return status_; }
  // "access_denied", "card_removed" ... (cccd_status_name).
  const char* name() const noexcept { return cccd_status_name(status_); }

 private:
  cccd_status status_;
};

namespace detail {

inline void check(cccd_status status) {
  if (status != CCCD_OK) throw Error(status, cccd_last_error());
}

// One owned C handle, freed by `Free`.
template <class T, void (*Free)(T*)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(T* raw) noexcept : raw_(raw) {}
  Handle(Handle&& other) noexcept : raw_(std::exchange(other.raw_, nullptr)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      Free(raw_);
      raw_ = std::exchange(other.raw_, nullptr);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { Free(raw_); }
  T* get() const noexcept { return raw_; }

 private:
  T* raw_ = nullptr;
};

}  // namespace detail

inline std::string version() {
  return cccd_version();
}

// What opens the chip: the CAN (PACE), the ID number with birth and expiry, or the MRZ. Wiped when freed.
class Credentials {
 public:
  static Credentials from_can(const std::string& can) {
    cccd_credentials* raw = nullptr;
    detail::check(cccd_credentials_from_can(can.c_str(), &raw));
    return Credentials(raw);
  }
  // id_number: the 12-digit ID number or the card's QR line (cccd_credentials_from_id).
  // birth / expiry: "YYYY-MM-DD" (birth may be "YYYY" or "YYYY-MM"; expiry "none"), or both empty.
  static Credentials from_id(const std::string& id_number, const std::string& birth = {},
                             const std::string& expiry = {}) {
    cccd_credentials* raw = nullptr;
    detail::check(cccd_credentials_from_id(id_number.c_str(), birth.c_str(), expiry.c_str(), &raw));
    return Credentials(raw);
  }
  static Credentials from_mrz(const std::string& mrz) {
    cccd_credentials* raw = nullptr;
    detail::check(cccd_credentials_from_mrz(mrz.c_str(), &raw));
    return Credentials(raw);
  }
  const cccd_credentials* get() const noexcept { return handle_.get(); }

 private:
  explicit Credentials(cccd_credentials* raw) : handle_(raw) {}
  detail::Handle<cccd_credentials, cccd_credentials_free> handle_;
};

// CSCA certificates, CRLs and master lists. Safe to share between threads, adds included: each
// verification works on one immutable snapshot, an add publishes the next one atomically (cccd.h).
class Trust {
 public:
  Trust() {
    cccd_trust* raw = nullptr;
    detail::check(cccd_trust_new(&raw));
    handle_ = detail::Handle<cccd_trust, cccd_trust_free>(raw);
  }
  Trust& add_path(const std::string& path) {
    detail::check(cccd_trust_add_path(handle_.get(), path.c_str()));
    return *this;
  }
  Trust& add_data(std::span<const std::uint8_t> pem_or_der) {
    detail::check(cccd_trust_add_data(handle_.get(), pem_or_der.data(), pem_or_der.size()));
    return *this;
  }
  Trust& add_master_list(const std::string& path, const std::string& root_path) {
    detail::check(cccd_trust_add_master_list(handle_.get(), path.c_str(), root_path.c_str()));
    return *this;
  }
  Trust& add_crl(const std::string& path) {
    detail::check(cccd_trust_add_crl(handle_.get(), path.c_str()));
    return *this;
  }
  // From memory: CRLs (DER or PEM), and a master list with the root certificate(s) (PEM or DER bytes) its
  // signer must chain to.
  Trust& add_crl_data(std::span<const std::uint8_t> der_or_pem) {
    detail::check(cccd_trust_add_crl_data(handle_.get(), der_or_pem.data(), der_or_pem.size()));
    return *this;
  }
  Trust& add_master_list_data(std::span<const std::uint8_t> list, std::span<const std::uint8_t> roots) {
    detail::check(
        cccd_trust_add_master_list_data(handle_.get(), list.data(), list.size(), roots.data(), roots.size()));
    return *this;
  }
  const cccd_trust* get() const noexcept { return handle_.get(); }

 private:
  detail::Handle<cccd_trust, cccd_trust_free> handle_;
};

// Stops a read from another thread.
class CancelToken {
 public:
  CancelToken() {
    cccd_cancel_token* raw = nullptr;
    detail::check(cccd_cancel_new(&raw));
    handle_ = detail::Handle<cccd_cancel_token, cccd_cancel_free>(raw);
  }
  void cancel() noexcept { cccd_cancel(handle_.get()); }
  bool requested() const noexcept { return cccd_cancel_requested(handle_.get()) != 0; }
  cccd_cancel_token* get() const noexcept { return handle_.get(); }

 private:
  detail::Handle<cccd_cancel_token, cccd_cancel_free> handle_;
};

// The verification policy (cccd_policy): what "verified" requires, and the judgement date.
class Policy {
 public:
  Policy() {
    cccd_policy* raw = nullptr;
    detail::check(cccd_policy_new(&raw));
    handle_ = detail::Handle<cccd_policy, cccd_policy_free>(raw);
  }
  Policy& require_chip_authenticity(bool on) {
    detail::check(cccd_policy_set_require_chip_authenticity(handle_.get(), on ? 1 : 0));
    return *this;
  }
  Policy& accept_expired(bool on) {
    detail::check(cccd_policy_set_accept_expired(handle_.get(), on ? 1 : 0));
    return *this;
  }
  // "YYYY-MM-DD" or "dd/mm/yyyy"; "" : now again.
  Policy& judgement_date(const std::string& date) {
    detail::check(cccd_policy_set_judgement_date(handle_.get(), date.empty() ? nullptr : date.c_str()));
    return *this;
  }
  Policy& judgement_time(std::int64_t unix_seconds) {
    detail::check(cccd_policy_set_judgement_time(handle_.get(), unix_seconds));
    return *this;
  }
  const cccd_policy* get() const noexcept { return handle_.get(); }

 private:
  detail::Handle<cccd_policy, cccd_policy_free> handle_;
};

class ReadOptions {
 public:
  ReadOptions() {
    cccd_read_options* raw = nullptr;
    detail::check(cccd_read_options_new(&raw));
    handle_ = detail::Handle<cccd_read_options, cccd_read_options_free>(raw);
  }
  ReadOptions& wait_for_card(std::uint32_t timeout_ms) {
    detail::check(cccd_read_options_set_wait_for_card(handle_.get(), timeout_ms));
    return *this;
  }
  ReadOptions& resume(bool on, std::uint32_t wait_ms = 30000) {
    detail::check(cccd_read_options_set_resume(handle_.get(), on ? 1 : 0, wait_ms));
    return *this;
  }
  ReadOptions& challenge(const std::array<std::uint8_t, 8>& challenge) {
    detail::check(cccd_read_options_set_challenge(handle_.get(), challenge.data(), challenge.size()));
    return *this;
  }
  ReadOptions& limits(std::uint32_t time_limit_ms, std::uint32_t max_apdus) {
    detail::check(cccd_read_options_set_limits(handle_.get(), time_limit_ms, max_apdus));
    return *this;
  }
  // The token must outlive the reads.
  ReadOptions& cancel_with(CancelToken& token) {
    detail::check(cccd_read_options_set_cancel(handle_.get(), token.get()));
    return *this;
  }
  // Copied: changing the policy later does not change these options.
  ReadOptions& policy(const Policy& policy) {
    detail::check(cccd_read_options_set_policy(handle_.get(), policy.get()));
    return *this;
  }
  const cccd_read_options* get() const noexcept { return handle_.get(); }

 private:
  detail::Handle<cccd_read_options, cccd_read_options_free> handle_;
};

// A read or an offline verification: the verdict, its JSON (docs/json-schema.md) and the photo.
class Result {
 public:
  explicit Result(cccd_result* raw) : handle_(raw) {}
  bool verified() const noexcept { return cccd_result_verified(handle_.get()) != 0; }
  std::string_view json() const noexcept { return cccd_result_json(handle_.get()); }
  // The same document on one line (cccd_result_json_compact).
  std::string_view json_compact() const noexcept { return cccd_result_json_compact(handle_.get()); }
  // The verdict per finding, {name, status} in the JSON's order (cccd_result_finding_name).
  std::vector<std::pair<std::string_view, std::string_view>> findings() const {
    std::vector<std::pair<std::string_view, std::string_view>> out;
    for (std::size_t i = 0; const char* name = cccd_result_finding_name(handle_.get(), i); ++i) {
      out.emplace_back(name, cccd_result_finding_status(handle_.get(), name));
    }
    return out;
  }
  // The face image as stored on the chip (JPEG or JPEG 2000); empty when the card gave none.
  std::span<const std::uint8_t> photo() const {
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;
    const cccd_status status = cccd_result_photo(handle_.get(), &data, &size);
    if (status == CCCD_ERR_FILE_NOT_FOUND) return {};
    detail::check(status);
    return {data, size};
  }
  void write_dump(const std::string& folder) const {
    detail::check(cccd_result_write_dump(handle_.get(), folder.c_str()));
  }
  const cccd_result* get() const noexcept { return handle_.get(); }

 private:
  detail::Handle<cccd_result, cccd_result_free> handle_;
};

// Everything a read acquired, in memory (cccd.h "Evidence"): built from buffers, an evidence document, a
// dump folder or a read's result; verified with cccd::verify. A record of Chip Authentication or PACE-CAM
// in it is never proof; only Active Authentication over the verifier's own challenge proves the chip.
class Evidence {
 public:
  Evidence() {
    cccd_evidence* raw = nullptr;
    detail::check(cccd_evidence_new(&raw));
    handle_ = detail::Handle<cccd_evidence, cccd_evidence_free>(raw);
  }
  static Evidence from_document(std::string_view document) {
    cccd_evidence* raw = nullptr;
    detail::check(cccd_evidence_from_document(reinterpret_cast<const std::uint8_t*>(document.data()),
                                              document.size(), &raw));
    return Evidence(raw);
  }
  static Evidence from_folder(const std::string& folder) {
    cccd_evidence* raw = nullptr;
    detail::check(cccd_evidence_from_folder(folder.c_str(), &raw));
    return Evidence(raw);
  }
  static Evidence from_result(const Result& result) {
    cccd_evidence* raw = nullptr;
    detail::check(cccd_evidence_from_result(result.get(), &raw));
    return Evidence(raw);
  }

  // "EF.COM", "EF.SOD", "DG1" ...: the file's raw bytes (empty removes it).
  Evidence& file(const std::string& name, std::span<const std::uint8_t> bytes) {
    detail::check(cccd_evidence_set_file(handle_.get(), name.c_str(), bytes.data(), bytes.size()));
    return *this;
  }
  // The file of that name; empty when the evidence holds none. Valid until the evidence changes.
  std::span<const std::uint8_t> file(const std::string& name) const {
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;
    const cccd_status status = cccd_evidence_file(handle_.get(), name.c_str(), &data, &size);
    if (status == CCCD_ERR_FILE_NOT_FOUND) return {};
    detail::check(status);
    return {data, size};
  }
  Evidence& active_authentication(std::span<const std::uint8_t> challenge,
                                  std::span<const std::uint8_t> signature) {
    detail::check(cccd_evidence_set_active_authentication(handle_.get(), challenge.data(), challenge.size(),
                                                          signature.data(), signature.size()));
    return *this;
  }
  Evidence& access(const std::string& protocol, const std::string& note = {}) {
    detail::check(cccd_evidence_set_access(handle_.get(), protocol.c_str(), note.c_str()));
    return *this;
  }
  // A record only: never proof.
  Evidence& chip_authentication(const std::string& protocol, const std::string& result,
                                const std::string& note = {}) {
    detail::check(
        cccd_evidence_set_chip_authentication(handle_.get(), protocol.c_str(), result.c_str(), note.c_str()));
    return *this;
  }
  // A record only: never proof.
  Evidence& pace_cam(std::span<const std::uint8_t> chip_authentication_data,
                     std::span<const std::uint8_t> mapping_public_key) {
    detail::check(cccd_evidence_set_pace_cam(handle_.get(), chip_authentication_data.data(),
                                             chip_authentication_data.size(), mapping_public_key.data(),
                                             mapping_public_key.size()));
    return *this;
  }
  Evidence& denied(const std::string& name) {
    detail::check(cccd_evidence_add_denied(handle_.get(), name.c_str()));
    return *this;
  }
  Evidence& absent(const std::string& name) {
    detail::check(cccd_evidence_add_absent(handle_.get(), name.c_str()));
    return *this;
  }
  // The evidence document (JSON, files in base64).
  std::string document() {
    const char* text = nullptr;
    std::size_t size = 0;
    detail::check(cccd_evidence_document(handle_.get(), &text, &size));
    return std::string(text, size);
  }
  void write_folder(const std::string& folder) const {
    detail::check(cccd_evidence_write_folder(handle_.get(), folder.c_str()));
  }
  const cccd_evidence* get() const noexcept { return handle_.get(); }

 private:
  explicit Evidence(cccd_evidence* raw) : handle_(raw) {}
  detail::Handle<cccd_evidence, cccd_evidence_free> handle_;
};

// How to verify evidence: the verifier's own Active Authentication challenge, the time of validity.
class VerifyOptions {
 public:
  VerifyOptions() {
    cccd_verify_options* raw = nullptr;
    detail::check(cccd_verify_options_new(&raw));
    handle_ = detail::Handle<cccd_verify_options, cccd_verify_options_free>(raw);
  }
  VerifyOptions& challenge(const std::array<std::uint8_t, 8>& challenge) {
    detail::check(cccd_verify_options_set_challenge(handle_.get(), challenge.data(), challenge.size()));
    return *this;
  }
  VerifyOptions& at(std::int64_t unix_time) {
    detail::check(cccd_verify_options_set_time(handle_.get(), unix_time));
    return *this;
  }
  // The verification policy (copied). It replaces the whole policy, its judgement time included: call
  // at() after it, or set the time on the policy.
  VerifyOptions& policy(const Policy& policy) {
    detail::check(cccd_verify_options_set_policy(handle_.get(), policy.get()));
    return *this;
  }
  const cccd_verify_options* get() const noexcept { return handle_.get(); }

 private:
  detail::Handle<cccd_verify_options, cccd_verify_options_free> handle_;
};

// Verifies evidence offline, from memory: the same result and JSON as verify_dump on its folder.
inline Result verify(const Evidence& evidence, const Trust& trust, const VerifyOptions* options = nullptr) {
  cccd_result* raw = nullptr;
  detail::check(
      cccd_verify_evidence(evidence.get(), trust.get(), options != nullptr ? options->get() : nullptr, &raw));
  return Result(raw);
}

// A transport of your own: derive, implement transmit (and the optional hooks you can offer), then read
// with cccd::read(transport, ...). The object must outlive the read; one read at a time.
// The largest command and response data one APDU may carry on a transport (short APDUs by default).
struct TransportLimits {
  std::uint32_t max_command_data = 255;   // 65535 when the link takes extended length
  std::uint32_t max_response_data = 256;  // up to 65536
};

class Transport {
 public:
  using Limits = TransportLimits;

  Transport() = default;
  explicit Transport(Limits limits) : limits_(limits) {}
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;
  virtual ~Transport() = default;

  // One command APDU out, its response (data and SW1 SW2) back. Throw cccd::Error with
  // CCCD_ERR_CARD_REMOVED, CCCD_ERR_TIMEOUT or CCCD_ERR_TRANSPORT when the link fails.
  virtual std::vector<std::uint8_t> transmit(std::span<const std::uint8_t> command) = 0;
  // Override when the link can wait for a card / reconnect after a removal / interrupt a blocking call
  // (from another thread), and say so in the matching can_* function.
  virtual bool can_wait_for_card() const { return false; }
  virtual void wait_for_card(std::uint32_t /*timeout_ms*/) {}
  virtual bool can_reconnect() const { return false; }
  virtual void reconnect(std::uint32_t /*timeout_ms*/) {}
  virtual void cancel() noexcept {}

  // The C transport over this object (not owned by it: cccd::read makes and frees it).
  cccd_transport_callbacks callbacks() {
    cccd_transport_callbacks c{};
    c.struct_size = sizeof c;
    c.transmit = &Transport::transmit_trampoline;
    if (can_wait_for_card()) c.wait_for_card = &Transport::wait_trampoline;
    if (can_reconnect()) c.reconnect = &Transport::reconnect_trampoline;
    c.cancel = &Transport::cancel_trampoline;
    c.max_command_data = limits_.max_command_data;
    c.max_response_data = limits_.max_response_data;
    return c;
  }

 private:
  // No exception may cross the C library: each becomes a status.
  template <class Body>
  static cccd_status guarded(Body&& body) noexcept {
    try {
      std::forward<Body>(body)();
      return CCCD_OK;
    } catch (const Error& e) {
      return e.status();
    } catch (...) {
      return CCCD_ERR_TRANSPORT;
    }
  }
  static cccd_status transmit_trampoline(void* user, const std::uint8_t* command, std::size_t command_length,
                                         std::uint8_t* response, std::size_t capacity, std::size_t* length) {
    return guarded([&] {
      const std::vector<std::uint8_t> answer =
          static_cast<Transport*>(user)->transmit(std::span<const std::uint8_t>(command, command_length));
      if (answer.size() > capacity) throw Error(CCCD_ERR_TRANSPORT, "response larger than announced");
      std::copy(answer.begin(), answer.end(), response);
      *length = answer.size();
    });
  }
  static cccd_status wait_trampoline(void* user, std::uint32_t timeout_ms) {
    return guarded([&] { static_cast<Transport*>(user)->wait_for_card(timeout_ms); });
  }
  static cccd_status reconnect_trampoline(void* user, std::uint32_t timeout_ms) {
    return guarded([&] { static_cast<Transport*>(user)->reconnect(timeout_ms); });
  }
  static void cancel_trampoline(void* user) { static_cast<Transport*>(user)->cancel(); }

  Limits limits_;
};

namespace detail {

inline Result read(cccd_transport* transport, const Credentials& credentials, const Trust* trust,
                   const ReadOptions* options) {
  cccd_result* raw = nullptr;
  check(cccd_read(transport, credentials.get(), trust != nullptr ? trust->get() : nullptr,
                  options != nullptr ? options->get() : nullptr, &raw));
  return Result(raw);
}

using TransportHandle = Handle<cccd_transport, cccd_transport_free>;

}  // namespace detail

// Reads and verifies the card behind your transport. `trust` null: signer trust unknown (never verified).
inline Result read(Transport& transport, const Credentials& credentials, const Trust* trust = nullptr,
                   const ReadOptions* options = nullptr) {
  const cccd_transport_callbacks callbacks = transport.callbacks();
  cccd_transport* raw = nullptr;
  detail::check(cccd_transport_new(&callbacks, &transport, &raw));
  const detail::TransportHandle handle(raw);
  return detail::read(handle.get(), credentials, trust, options);
}

// Reads and verifies the card on a PC/SC reader whose name contains `reader` ("" : the first).
inline Result read_pcsc(const std::string& reader, const Credentials& credentials,
                        const Trust* trust = nullptr, const ReadOptions* options = nullptr) {
  cccd_transport* raw = nullptr;
  detail::check(cccd_transport_pcsc_new(reader.c_str(), &raw));
  const detail::TransportHandle handle(raw);
  return detail::read(handle.get(), credentials, trust, options);
}

// Verifies a dump folder offline; with a challenge, the one this server chose for Active Authentication.
inline Result verify_dump(const std::string& folder, const Trust& trust) {
  cccd_result* raw = nullptr;
  detail::check(cccd_verify_dump(folder.c_str(), trust.get(), &raw));
  return Result(raw);
}
inline Result verify_dump(const std::string& folder, const Trust& trust,
                          const std::array<std::uint8_t, 8>& challenge) {
  cccd_result* raw = nullptr;
  detail::check(
      cccd_verify_dump_with_challenge(folder.c_str(), trust.get(), challenge.data(), challenge.size(), &raw));
  return Result(raw);
}

// Verifies a dump folder offline under `policy`, with this server's challenge when given.
inline Result verify_dump(const std::string& folder, const Trust& trust, const Policy& policy,
                          const std::array<std::uint8_t, 8>* challenge = nullptr) {
  cccd_result* raw = nullptr;
  detail::check(cccd_verify_dump_with_policy(folder.c_str(), trust.get(), policy.get(),
                                             challenge ? challenge->data() : nullptr,
                                             challenge ? challenge->size() : 0, &raw));
  return Result(raw);
}

}  // namespace cccd

#endif  // CCCD_CCCD_HPP
