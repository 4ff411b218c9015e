#include "service.hpp"

#include "json_members.hpp"
#include "log.hpp"
#include "util.hpp"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>
#include <vector>

namespace cccd::server {

namespace http = boost::beast::http;
using nlohmann::json;

namespace {

cccd::Trust build_trust(const Config& config) {
  cccd::Trust trust;
  // Each input named in the error, so that an operator knows which file to fix (paths are not personal).
  auto add = [](const std::string& what, const std::string& path, auto&& action) {
    try {
      action();
    } catch (const cccd::Error& e) {
      throw cccd::Error(e.status(), "trust: " + what + " " + path + ": " + e.what());
    }
  };
  for (const std::string& path : config.csca) add("csca", path, [&] { trust.add_path(path); });
  for (const auto& list : config.master_lists) {
    add("master list", list.file, [&] { trust.add_master_list(list.file, list.roots); });
  }
  for (const std::string& path : config.crls) add("crl", path, [&] { trust.add_crl(path); });
  return trust;
}

Answer answer(std::string route, Response response, json log = json::object()) {
  Answer a;
  a.route = std::move(route);
  a.response = std::move(response);
  a.log = std::move(log);
  return a;
}

// The path without the query string.
std::string_view path_of(std::string_view target) {
  const auto query = target.find('?');
  return query == std::string_view::npos ? target : target.substr(0, query);
}

// Challenge ids are 32 lowercase hex digits; anything else is refused before the database sees it.
bool plausible_id(const std::string& id) {
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// The answer to an upload whose challenge is not open: why not, and the same words whether the look-up
// before judging or the use after it found so.
Answer refused_challenge(ChallengeState state, nlohmann::json log) {
  const std::string route = "/v1/verifications";
  switch (state) {
    case ChallengeState::expired:
      log["error"] = "challenge_expired";
      return answer(route, error_response(410, "challenge_expired", "the challenge expired; get a new one"),
                    log);
    case ChallengeState::used:
      log["error"] = "challenge_used";
      return answer(route,
                    error_response(409, "challenge_used",
                                   "the challenge was used already: each is judged once; get a new one"),
                    log);
    case ChallengeState::open:
    case ChallengeState::unknown:
      break;
  }
  log["error"] = "challenge_unknown";
  return answer(route, error_response(404, "challenge_unknown", "no such challenge for this API key"), log);
}

Answer database_unavailable(const std::string& route, const std::string& key_id, const StoreUnavailable& e) {
  Response response = error_response(503, "database_unavailable", "the database does not answer; try again");
  response.set(http::field::retry_after, "1");
  return answer(route, std::move(response), {{"key_id", key_id}, {"database_error", e.what()}});
}

}  // namespace

TrustHolder::TrustHolder(const Config& config)
    : trust_(std::make_shared<const cccd::Trust>(build_trust(config))), loaded_at_ms_(now_unix_ms()) {}

std::shared_ptr<const cccd::Trust> TrustHolder::current() const {
  const std::lock_guard lock(mutex_);
  return trust_;
}

std::optional<std::string> TrustHolder::reload(const Config& config) {
  std::shared_ptr<const cccd::Trust> next;
  try {
    next = std::make_shared<const cccd::Trust>(build_trust(config));
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
  const std::lock_guard lock(mutex_);
  trust_ = std::move(next);
  loaded_at_ms_ = now_unix_ms();
  return std::nullopt;
}

std::int64_t TrustHolder::loaded_at_ms() const {
  const std::lock_guard lock(mutex_);
  return loaded_at_ms_;
}

bool RateLimiter::allow(const ApiKey& key, int& retry_after_seconds) {
  if (key.rate_per_second <= 0) return true;
  const auto now = std::chrono::steady_clock::now();
  const std::lock_guard lock(mutex_);
  Bucket& bucket = buckets_[key.id];
  if (!bucket.started) {
    bucket.started = true;
    bucket.tokens = key.burst;
  } else {
    const double elapsed = std::chrono::duration<double>(now - bucket.last).count();
    bucket.tokens = std::min(key.burst, bucket.tokens + elapsed * key.rate_per_second);
  }
  bucket.last = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return true;
  }
  retry_after_seconds = std::max(1, static_cast<int>(std::ceil((1 - bucket.tokens) / key.rate_per_second)));
  return false;
}

Service::Service(const Config& config, Database& database, TrustHolder& trust, Metrics& metrics)
    : config_(config), database_(database), trust_(trust), metrics_(metrics) {}

const ApiKey* Service::authenticate(const Request& request) const {
  std::string_view presented;
  const auto authorization = request[http::field::authorization];
  if (authorization.size() > 7 && boost::beast::iequals(authorization.substr(0, 7), "Bearer ")) {
    presented = std::string_view(authorization.data() + 7, authorization.size() - 7);
  } else {
    const auto header = request["X-API-Key"];
    presented = std::string_view(header.data(), header.size());
  }
  if (presented.empty() || presented.size() > 256) return nullptr;
  // The configured keys are hashes: hash what came and compare every entry in constant time, so neither
  // the key nor its position in the config shows in the timing.
  const auto digest = sha256(presented);
  const ApiKey* found = nullptr;
  for (const ApiKey& key : config_.api_keys) {
    if (same_digest(digest, key.sha256)) found = &key;
  }
  return found;
}

Answer Service::handle(Request& request) {
  Request* const one[] = {&request};
  return std::move(handle_batch(one).front());
}

std::vector<Answer> Service::handle_batch(std::span<Request* const> requests) {
  const std::string route_name = "/v1/verifications";
  std::vector<Answer> answers(requests.size());

  std::vector<Upload> uploads;
  std::vector<std::size_t> upload_at;  // the index in `requests` of each upload
  for (std::size_t i = 0; i < requests.size(); ++i) {
    try {
      std::variant<Answer, Upload> step = route(*requests[i]);
      if (Answer* answered = std::get_if<Answer>(&step)) {
        answers[i] = std::move(*answered);
      } else {
        uploads.push_back(std::move(std::get<Upload>(step)));
        upload_at.push_back(i);
      }
    } catch (const std::exception&) {
      answers[i] = internal_error();
    }
  }
  if (uploads.empty()) return answers;

  std::vector<ChallengeRef> named;
  named.reserve(uploads.size());
  for (const Upload& upload : uploads) named.push_back({upload.challenge_id, upload.key->id});
  std::vector<ChallengeLookup> challenges;
  try {
    challenges = database_.look_up_all(named);
  } catch (const StoreUnavailable& e) {
    for (std::size_t k = 0; k < uploads.size(); ++k) {
      metrics_.store_operation("look_up", "unavailable");
      answers[upload_at[k]] = database_unavailable(route_name, uploads[k].key->id, e);
    }
    return answers;
  }

  std::vector<Judged> judged;
  std::vector<std::size_t> judged_at;  // the index in `requests` of each judged upload
  for (std::size_t k = 0; k < uploads.size(); ++k) {
    try {
      std::variant<Answer, Judged> step = judge(std::move(uploads[k]), challenges.at(k));
      if (Answer* answered = std::get_if<Answer>(&step)) {
        answers[upload_at[k]] = std::move(*answered);
      } else {
        judged.push_back(std::move(std::get<Judged>(step)));
        judged_at.push_back(upload_at[k]);
      }
    } catch (const std::exception&) {
      answers[upload_at[k]] = internal_error();
    }
  }
  if (judged.empty()) return answers;

  // The records leave their uploads for the store, which takes them side by side.
  std::vector<AuditRecord> records;
  records.reserve(judged.size());
  for (Judged& j : judged) records.push_back(std::move(j.record));
  std::vector<ChallengeState> used;
  try {
    used = database_.use_and_record_all(records);
  } catch (const StoreUnavailable& e) {
    // No answer without its audit row. Whether the uses committed is unknown: each client gets 503 and
    // starts again with a new challenge (a second upload of one that did commit gets 409).
    for (std::size_t k = 0; k < judged.size(); ++k) {
      metrics_.store_operation("use", "unavailable");
      answers[judged_at[k]] = database_unavailable(route_name, records[k].key_id, e);
    }
    return answers;
  }
  for (std::size_t k = 0; k < judged.size(); ++k) {
    answers[judged_at[k]] = give_verdict(std::move(judged[k]), records[k], used.at(k));
  }
  return answers;
}

std::variant<Answer, Service::Upload> Service::route(Request& request) {
  const std::string path(path_of(std::string_view(request.target().data(), request.target().size())));
  const http::verb method = request.method();

  if (path == "/healthz") {
    if (method != http::verb::get) return answer(path, error_response(405, "method_not_allowed", "use GET"));
    return answer(path, json_response(200, {{"status", "ok"}}));
  }
  if (path == "/readyz") {
    if (method != http::verb::get) return answer(path, error_response(405, "method_not_allowed", "use GET"));
    return ready();
  }
  const bool api = path == "/v1/challenges" || path == "/v1/verifications";
  if (path == "/metrics") {
    if (method != http::verb::get) return answer(path, error_response(405, "method_not_allowed", "use GET"));
  } else if (!api) {
    return answer("other", error_response(404, "not_found", "no such endpoint"));
  } else if (method != http::verb::post) {
    Response response = error_response(405, "method_not_allowed", "use POST");
    response.set(http::field::allow, "POST");
    return answer(path, std::move(response));
  }

  const ApiKey* key = nullptr;
  if (api || !config_.metrics_public) {
    key = authenticate(request);
    if (key == nullptr) {
      Response response = error_response(
          401, "unauthorized", "an API key is needed: Authorization: Bearer KEY, or X-API-Key: KEY");
      response.set(http::field::www_authenticate, "Bearer");
      return answer(path, std::move(response));
    }
    int retry_after = 1;
    if (!limiter_.allow(*key, retry_after)) {
      metrics_.rate_limited(key->id);
      Response response = error_response(429, "rate_limited", "this key's request rate is over its limit");
      response.set(http::field::retry_after, std::to_string(retry_after));
      return answer(path, std::move(response), {{"key_id", key->id}});
    }
  }
  if (path == "/metrics") {
    Response response{http::status::ok, 11};
    response.set(http::field::content_type, "text/plain; version=0.0.4");
    response.body() = metrics_.text();
    return answer(path, std::move(response));
  }
  try {
    if (path == "/v1/challenges") return issue_challenge(*key);
    return read_upload(*key, request);
  } catch (const StoreUnavailable& e) {
    // Issuing a challenge is the one database call made here (counted as "issue"); an upload's look-up and
    // use are the batch's (handle_batch).
    return database_unavailable(path, key->id, e);
  }
}

Answer Service::ready() {
  json body = {{"database", database_.kind()}, {"trust_loaded_at", rfc3339_utc(trust_.loaded_at_ms())}};
  try {
    database_.ping();
  } catch (const StoreUnavailable& e) {
    body["status"] = "not_ready";
    body["reason"] = "the database does not answer";
    Response response = json_response(503, body);
    response.set(http::field::retry_after, "1");
    return answer("/readyz", std::move(response), {{"database_error", e.what()}});
  }
  body["status"] = "ready";
  return answer("/readyz", json_response(200, body));
}

Answer Service::issue_challenge(const ApiKey& key) {
  std::array<std::uint8_t, 16> id_bytes{};
  Challenge challenge{};
  random_bytes(id_bytes);
  random_bytes(challenge);
  const std::string id = to_hex(id_bytes);
  std::int64_t expires_ms = 0;
  try {
    expires_ms = database_.issue(id, challenge, key.id, config_.challenge_ttl.count() * 1000);
  } catch (const StoreUnavailable&) {
    metrics_.store_operation("issue", "unavailable");
    throw;
  }
  metrics_.store_operation("issue", "ok");
  const json body = {{"id", id},
                     {"challenge", to_hex(challenge)},
                     {"expires_at", rfc3339_utc(expires_ms)},
                     {"ttl_seconds", config_.challenge_ttl.count()}};
  return answer("/v1/challenges", json_response(201, body), {{"key_id", key.id}, {"challenge_id", id}});
}

std::variant<Answer, Service::Upload> Service::read_upload(const ApiKey& key, const Request& request) {
  const std::string route = "/v1/verifications";
  json log = {{"key_id", key.id}};
  auto refuse = [&](unsigned status, const std::string& code, const std::string& message) {
    log["error"] = code;
    return answer(route, error_response(status, code, message), log);
  };

  // The request: {"challenge_id": ID, "evidence": DOCUMENT (object or string), "include_face": BOOL}. The
  // evidence's text goes to the library as it came (json_members.hpp says why it is not parsed here); the
  // small members are parsed with nlohmann::json.
  std::size_t error_at = 0;
  const auto members = json_object_members(request.body(), error_at);
  if (!members) {
    // Only the position: the input is never quoted back (nor logged).
    return refuse(400, "malformed_json",
                  "the body is not a JSON object (syntax error at byte " + std::to_string(error_at) + ")");
  }
  std::optional<std::string_view> id_text, evidence_text, face_text;
  for (const JsonMember& member : *members) {
    std::optional<std::string_view>* slot = member.key == "challenge_id"   ? &id_text
                                            : member.key == "evidence"     ? &evidence_text
                                            : member.key == "include_face" ? &face_text
                                                                           : nullptr;
    // A misspelt field ("include_photo") would otherwise be ignored without a word.
    if (slot == nullptr)
      return refuse(400, "invalid_request", "unknown field \"" + member.key.substr(0, 64) + "\"");
    if (slot->has_value()) return refuse(400, "invalid_request", member.key + " is given twice");
    *slot = member.value;
  }
  auto small_value = [](std::string_view text) -> std::optional<json> {
    try {
      return json::parse(text);
    } catch (const json::exception&) {
      return std::nullopt;
    }
  };
  if (!id_text) return refuse(400, "invalid_request", "challenge_id is missing");
  const auto id_value = small_value(*id_text);
  if (!id_value) return refuse(400, "malformed_json", "challenge_id is not valid JSON");
  if (!id_value->is_string()) return refuse(400, "invalid_request", "challenge_id must be a string");
  const std::string challenge_id = id_value->get<std::string>();
  if (!evidence_text) return refuse(400, "invalid_request", "evidence is missing");
  std::string evidence_string;  // the document when it came as a JSON string
  std::string_view document;
  if (evidence_text->front() == '{') {
    document = *evidence_text;
  } else if (evidence_text->front() == '"') {
    const auto text = small_value(*evidence_text);
    if (!text) return refuse(400, "malformed_json", "evidence is not a valid JSON string");
    evidence_string = text->get<std::string>();
    document = evidence_string;
  } else {
    return refuse(400, "invalid_request",
                  "evidence must be the evidence document, as a JSON object or a string");
  }
  bool include_face = false;
  if (face_text) {
    const auto face = small_value(*face_text);
    if (!face || !face->is_boolean())
      return refuse(400, "invalid_request", "include_face must be true or false");
    include_face = face->get<bool>();
  }
  if (!plausible_id(challenge_id)) {
    log["error"] = "challenge_unknown";
    return answer(route,
                  error_response(404, "challenge_unknown", "no such challenge (ids are 32 hex digits)"), log);
  }
  log["challenge_id"] = challenge_id;

  // The evidence is checked before the challenge is looked up, so a client whose upload is broken can fix
  // it and send it again with the same challenge.
  Upload upload;
  try {
    upload.evidence.emplace(cccd::Evidence::from_document(document));
  } catch (const cccd::Error& e) {
    log["library_error"] = e.name();
    // The library's messages name the field and never hold card data (docs/dump-format.md).
    return refuse(400, "invalid_evidence", e.what());
  }
  upload.log = std::move(log);
  upload.key = &key;
  upload.challenge_id = challenge_id;
  upload.include_face = include_face;
  return upload;
}

// The challenge was read (handle_batch) and is used only with the verdict's audit row, in one commit
// (store.hpp): an upload of a challenge already used or expired is refused before it is judged.
std::variant<Answer, Service::Judged> Service::judge(Upload upload, const ChallengeLookup& challenge) {
  const std::string route = "/v1/verifications";
  json& log = upload.log;
  metrics_.store_operation("look_up", state_name(challenge.state));
  if (challenge.state != ChallengeState::open) return refused_challenge(challenge.state, log);

  cccd::Policy policy;
  policy.require_chip_authenticity(config_.require_chip_authenticity).accept_expired(config_.accept_expired);
  cccd::VerifyOptions options;
  options.policy(policy).challenge(challenge.challenge);
  const std::shared_ptr<const cccd::Trust> trust = trust_.current();
  std::optional<cccd::Result> result;
  try {
    result.emplace(cccd::verify(*upload.evidence, *trust, &options));
  } catch (const cccd::Error& e) {
    log["library_error"] = e.name();
    log["error"] = "not_judged";
    return answer(
        route,
        error_response(422, "not_judged", std::string("the evidence could not be judged: ") + e.what()), log);
  }

  // The audit row: the verdict per finding (cccd_result_finding_*; no personal data is copied).
  Judged judged;
  const std::string overall = result->verified() ? "verified" : "not_verified";
  json findings = json::object();
  for (const auto& [name, status] : result->findings()) {
    findings[std::string(name)] = status;
    judged.findings.emplace_back(name, status);
  }
  AuditRecord& record = judged.record;
  record.time_ms = now_unix_ms();
  record.node = config_.node_id;
  record.key_id = upload.key->id;
  record.challenge_id = upload.challenge_id;
  record.overall = overall;
  record.findings_json = findings.dump();
  const auto sod = upload.evidence->file("EF.SOD");
  if (!sod.empty()) record.sod_sha256 = to_hex(sha256(sod));
  judged.log = std::move(log);
  judged.result = std::move(result);
  judged.include_face = upload.include_face;
  return judged;
}

Answer Service::give_verdict(Judged judged, const AuditRecord& record, ChallengeState used) {
  const std::string route = "/v1/verifications";
  json& log = judged.log;
  metrics_.store_operation("use", used == ChallengeState::open ? "committed" : state_name(used));
  // Another upload of the same challenge was answered first: this verdict is not given.
  if (used != ChallengeState::open) return refused_challenge(used, log);
  const std::string& overall = record.overall;
  metrics_.verification(overall, judged.findings);
  log["overall"] = overall;

  const std::optional<cccd::Result>& result = judged.result;
  const bool include_face = judged.include_face;
  // On one line: the same document as the CLI's, a third fewer bytes to write and send.
  const std::string_view result_json = result->json_compact();
  std::string text(result_json);
  if (include_face) {
    // Only when asked: the photo is the most sensitive thing the card holds. Appended as one member
    // "face" to the result object, which is otherwise exactly the library's JSON.
    const auto photo = result->photo();
    const auto closing = text.find_last_of('}');
    if (!photo.empty() && closing != std::string::npos) {
      // The format as the result names it: document.photo.format, read from the JSON only here.
      std::string format = "unknown";
      std::size_t document_error_at = 0;
      if (const auto top = json_object_members(result_json, document_error_at)) {
        for (const JsonMember& member : *top) {
          if (member.key != "document") continue;
          const json document_part = json::parse(member.value, nullptr, false);
          if (document_part.contains("photo")) format = document_part["photo"].value("format", "unknown");
        }
      }
      const json face = {{"format", format}, {"base64", base64(photo)}};
      text.insert(closing, ",\"face\":" + face.dump());
    }
    log["face"] = !photo.empty();
  }
  Response response{http::status::ok, 11};
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(text);
  if (response.body().empty() || response.body().back() != '\n') response.body().push_back('\n');
  return answer(route, std::move(response), std::move(log));
}

}  // namespace cccd::server
