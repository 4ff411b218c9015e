// What the C API's files share: the handles' definitions and the guard that keeps every C++ exception
// on this side of the boundary.
#pragma once

#include <cccd/cccd.h>
#include <cccd/reader.hpp>
#include <cccd/report.hpp>
#include <cccd/verify.hpp>

#include <atomic>
#include <mutex>
#include <string>
#include <utility>

struct cccd_credentials {
  cccd::Credentials value;
};
struct cccd_trust {
  cccd::TrustStore value;
};
// One form of a result's JSON document (indented, or on one line), built on the first call that asks for
// it, not with the result: a caller that only asks cccd_result_verified does not pay for it. `built` lets
// every later call skip the result's mutex.
struct cccd_result_json_text {
  std::atomic<bool> built{false};
  std::string text;
};
// The mutex makes a first build safe when threads share a result handle (a build that throws leaves it
// unbuilt, to be tried again). Not std::call_once: glibc's pthread_once ends each first call with a futex
// wake system call, one per result, which a server answering thousands of results a second pays for.
struct cccd_result {
  cccd::Report report;
  mutable std::mutex json_mutex;
  mutable cccd_result_json_text json;          // cccd_result_json: indented by two spaces
  mutable cccd_result_json_text compact_json;  // cccd_result_json_compact: one line
};
struct cccd_policy {
  cccd::VerificationPolicy value;
};
// A dump in memory; `document` is the last document made of it (cccd_evidence_document), kept for the caller.
struct cccd_evidence {
  cccd::ChipDump dump;
  std::string document;
};
struct cccd_verify_options {
  cccd::VerifyOptions value;
};
struct cccd_cancel_token {
  cccd::Cancellation value;
};
struct cccd_read_options {
  cccd::ReadOptions value;
  cccd_progress_callback progress = nullptr;
  void* progress_user = nullptr;
};
// A PC/SC or libnfc reader (kind and name), or the caller's callbacks.
struct cccd_transport {
  cccd::CardSource source;
  ~cccd_transport();
};

namespace cccd::capi {

// Records a failure as this thread's last error (message and JSON document) and returns `status`.
cccd_status fail(cccd_status status, const char* message);
void clear_last_error() noexcept;

// Runs `body`, turning every exception into a status and this thread's last error message.
template <class Body>
cccd_status guarded(Body&& body) noexcept {
  try {
    clear_last_error();
    std::forward<Body>(body)();
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

inline void require(bool condition, const char* what) {
  if (!condition) throw cccd::Error(cccd::ErrorCode::invalid_argument, what);
}

// The result handle of a report (its JSON made on demand: cccd_result_json).
cccd_result* make_result(cccd::Report report);

}  // namespace cccd::capi
