// The API of cccd-server (docs/server.md): routes, API keys and their rate limits, challenges, judging
// uploaded evidence with the library's public C++ API, the audit trail. HTTP itself is http.hpp's job.
#pragma once

#include "config.hpp"
#include "http.hpp"
#include "metrics.hpp"
#include "store.hpp"

#include <cccd/cccd.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace cccd::server {

// The trust store (CSCAs, master lists, CRLs) from the config's [trust]. Requests take the current one;
// a reload (SIGHUP) builds the next one aside and swaps it in only when it loaded completely, so a bad file
// keeps the old store, and requests in flight finish on the store they started with.
class TrustHolder {
 public:
  explicit TrustHolder(const Config& config);  // throws cccd::Error naming the input that failed
  std::shared_ptr<const cccd::Trust> current() const;
  // Builds a store from `config`'s [trust]; on failure keeps the current one and returns why.
  std::optional<std::string> reload(const Config& config);
  std::int64_t loaded_at_ms() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const cccd::Trust> trust_;
  std::int64_t loaded_at_ms_ = 0;
};

// A token bucket per API key: `rate_per_second` tokens a second, at most `burst` saved up.
class RateLimiter {
 public:
  // true: allowed; false: refuse, try again after `retry_after_seconds`.
  bool allow(const ApiKey& key, int& retry_after_seconds);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last{};
    bool started = false;
  };
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

class Service final : public RequestHandler {
 public:
  Service(const Config& config, Database& database, TrustHolder& trust, Metrics& metrics);
  Answer handle(Request& request) override;
  // A batch in steps, each made for all its requests before the next: every request routed (and every
  // upload's evidence parsed); the uploads' challenges looked up together (Database::look_up_all); the
  // uploads judged back to back, so the library's verifications run with nothing between them; their
  // challenge uses and audit rows committed together (Database::use_and_record_all); the verdicts given.
  std::vector<Answer> handle_batch(std::span<Request* const> requests) override;

 private:
  // An upload read and its evidence parsed, waiting for its challenge.
  struct Upload {
    nlohmann::json log;
    const ApiKey* key = nullptr;
    std::string challenge_id;
    std::optional<cccd::Evidence> evidence;
    bool include_face = false;
  };
  // An upload judged, its verdict given only if its challenge's use (with `record`) commits.
  struct Judged {
    nlohmann::json log;
    AuditRecord record;
    std::optional<cccd::Result> result;
    std::vector<std::pair<std::string, std::string>> findings;  // name, status (metrics)
    bool include_face = false;
  };

  std::variant<Answer, Upload> route(Request& request);
  Answer issue_challenge(const ApiKey& key);
  std::variant<Answer, Upload> read_upload(const ApiKey& key, const Request& request);
  std::variant<Answer, Judged> judge(Upload upload, const ChallengeLookup& challenge);
  Answer give_verdict(Judged judged, const AuditRecord& record, ChallengeState used);
  Answer ready();
  const ApiKey* authenticate(const Request& request) const;

  const Config& config_;
  Database& database_;
  TrustHolder& trust_;
  Metrics& metrics_;
  RateLimiter limiter_;
};

}  // namespace cccd::server
