// The PostgreSQL state of a cluster: every node talks to one database, which alone decides who uses a
// challenge (one UPDATE: PostgreSQL locks the row, and a second UPDATE waiting on that lock re-checks
// `consumed_at IS NULL` after the first commits, so it changes nothing). The use and its audit row are one
// statement, so one round trip; a batch's uses share one transaction, so one commit, and its look-ups are
// one statement. Times come from the database's clock (now()), so nodes with slightly different clocks
// agree on expiry.
//
// A small pool of blocking libpq connections, one per worker at most: each statement is one short round
// trip, and a worker waiting for it is a worker the verification load would not have used anyway.
// A connection that breaks is dropped and made again on a later request; until the database answers,
// requests get StoreUnavailable (503), and the server needs no restart when it is back.
#include "store.hpp"
#include "util.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cccd::server {
namespace {

constexpr int kSchemaVersion = 1;
// pg_advisory_xact_lock key for schema creation: nodes starting together create it one after the other.
constexpr const char* kSchemaLockKey = "7352840914";

struct ResultDeleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string first_line(const char* message) {
  std::string text = message != nullptr ? message : "";
  const auto end = text.find('\n');
  if (end != std::string::npos) text.resize(end);
  return text;
}

// A text[] parameter in PostgreSQL's array syntax: every element quoted, its quotes and backslashes
// escaped, so that any text (a key id from the config) arrives as it is.
std::string text_array(const std::vector<std::string_view>& elements) {
  std::string out = "{";
  for (const std::string_view element : elements) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (const char c : element) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

// The statements run for requests, prepared on each connection when it opens: parsed and planned there
// once, not on every call (the batch's use is a statement of several parts).
struct Statement {
  const char* name;
  const char* sql;
};

constexpr Statement kIssue{"cccd_issue",
                           "INSERT INTO challenges(id, challenge, key_id, expires_at) "
                           "VALUES ($1, $2, $3, now() + $4::bigint * interval '1 millisecond') "
                           "RETURNING (extract(epoch FROM expires_at) * 1000)::bigint"};

// The batch's look-ups: the challenges that exist come back with their place in the batch (n, from 1).
constexpr Statement kLookUpAll{"cccd_look_up_all",
                               "SELECT q.n, c.challenge, c.consumed_at IS NOT NULL, c.expires_at > now() "
                               "FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q(id, key_id, n) "
                               "JOIN challenges c ON c.id = q.id AND c.key_id = q.key_id"};

// The batch's uses and audit rows (use_and_record_all says how it decides).
constexpr Statement kUseAndRecordAll{
    "cccd_use_and_record_all",
    "WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], "
    "    $6::text[], $7::text[]) WITH ORDINALITY AS q(id, key_id, time_ms, node, overall, findings, "
    "    sod_sha256, n)), "
    "locked AS MATERIALIZED (SELECT c.id, c.key_id, c.consumed_at IS NOT NULL AS used, "
    "    c.consumed_at IS NULL AND c.expires_at > now() AS open FROM challenges c "
    "    WHERE (c.id, c.key_id) IN (SELECT id, key_id FROM input) ORDER BY c.id FOR UPDATE), "
    "first AS (SELECT DISTINCT ON (i.id) i.* FROM input i JOIN locked l ON l.id = i.id "
    "    AND l.key_id = i.key_id WHERE l.open ORDER BY i.id, i.n), "
    "used AS (UPDATE challenges c SET consumed_at = clock_timestamp() FROM first f "
    "    WHERE c.id = f.id AND c.key_id = f.key_id AND c.consumed_at IS NULL AND c.expires_at > now() "
    "    RETURNING c.id), "
    "recorded AS (INSERT INTO audit(time, node, key_id, challenge_id, overall, findings, sod_sha256) "
    "    SELECT to_timestamp(f.time_ms / 1000.0), f.node, f.key_id, f.id, f.overall, "
    "    f.findings::jsonb, f.sod_sha256 FROM first f JOIN used u ON u.id = f.id RETURNING 1) "
    "SELECT i.n, CASE WHEN l.id IS NULL THEN 'unknown' "
    "    WHEN u.id IS NOT NULL AND f.n = i.n THEN 'open' "
    "    WHEN l.open OR l.used THEN 'used' ELSE 'expired' END "
    "FROM input i LEFT JOIN locked l ON l.id = i.id AND l.key_id = i.key_id "
    "LEFT JOIN first f ON f.id = i.id AND f.key_id = i.key_id LEFT JOIN used u ON u.id = i.id"};

constexpr std::array<const Statement*, 3> kPrepared = {&kIssue, &kLookUpAll, &kUseAndRecordAll};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::string conninfo, unsigned connections)
      : conninfo_(std::move(conninfo)), max_connections_(std::max(1u, connections)) {
    Lease lease(*this);
    run(lease, "BEGIN", {});
    try {
      run(lease, std::string("SELECT pg_advisory_xact_lock(") + kSchemaLockKey + ")", {});
      run(lease,
          "CREATE TABLE IF NOT EXISTS schema_version(version integer NOT NULL);"
          "CREATE TABLE IF NOT EXISTS challenges("
          "  id text PRIMARY KEY, challenge text NOT NULL, key_id text NOT NULL,"
          "  created_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz NOT NULL,"
          "  consumed_at timestamptz);"
          "CREATE INDEX IF NOT EXISTS challenges_expires ON challenges(expires_at);"
          "CREATE TABLE IF NOT EXISTS audit("
          "  id bigserial PRIMARY KEY, time timestamptz NOT NULL, node text NOT NULL, key_id text NOT NULL,"
          "  challenge_id text NOT NULL, overall text NOT NULL, findings jsonb NOT NULL,"
          "  sod_sha256 text NOT NULL);"
          "CREATE INDEX IF NOT EXISTS audit_time ON audit(time);",
          {});
      const ResultPtr version = run(lease, "SELECT coalesce(max(version), 0) FROM schema_version", {});
      const long found = std::stol(PQgetvalue(version.get(), 0, 0));
      if (found > kSchemaVersion) {
        throw StoreUnavailable("postgresql: the database's schema is version " + std::to_string(found) +
                               ", newer than this server's " + std::to_string(kSchemaVersion));
      }
      if (found < kSchemaVersion) run(lease, "INSERT INTO schema_version(version) VALUES (1)", {});
      run(lease, "COMMIT", {});
      prepare(lease.get());
      schema_ready_ = true;
    } catch (...) {
      ResultPtr(PQexec(lease.get(), "ROLLBACK"));
      throw;
    }
  }
  ~PostgresDatabase() override {
    for (PGconn* conn : idle_) PQfinish(conn);
  }

  std::int64_t issue(const std::string& id, const Challenge& challenge, const std::string& key_id,
                     std::int64_t ttl_ms) override {
    return with_connection([&](Lease& lease) {
      const ResultPtr r = run(lease, kIssue, {id, to_hex(challenge), key_id, std::to_string(ttl_ms)});
      return std::stoll(PQgetvalue(r.get(), 0, 0));
    });
  }

  // One statement for the batch, one round trip: the challenges that exist come back with their place in
  // the batch (n, from 1); the others are unknown.
  std::vector<ChallengeLookup> look_up_all(std::span<const ChallengeRef> challenges) override {
    std::vector<std::string_view> ids, key_ids;
    for (const ChallengeRef& c : challenges) {
      ids.push_back(c.id);
      key_ids.push_back(c.key_id);
    }
    return with_connection([&](Lease& lease) {
      std::vector<ChallengeLookup> found(challenges.size());
      if (challenges.empty()) return found;
      const ResultPtr r = run(lease, kLookUpAll, {text_array(ids), text_array(key_ids)});
      for (int row = 0; row < PQntuples(r.get()); ++row) {
        const long long n = std::atoll(PQgetvalue(r.get(), row, 0));
        if (n < 1 || static_cast<std::size_t>(n) > found.size()) {
          throw StoreUnavailable("postgresql: a look-up answered for a challenge it was not asked");
        }
        ChallengeLookup& result = found[static_cast<std::size_t>(n - 1)];
        if (std::string_view(PQgetvalue(r.get(), row, 2)) == "t") {
          result.state = ChallengeState::used;
        } else if (std::string_view(PQgetvalue(r.get(), row, 3)) != "t") {
          result.state = ChallengeState::expired;
        } else {
          const auto bytes = from_hex(PQgetvalue(r.get(), row, 1));
          if (!bytes || bytes->size() != result.challenge.size()) {
            throw StoreUnavailable("postgresql: a stored challenge is not 16 hex digits");
          }
          std::copy(bytes->begin(), bytes->end(), result.challenge.begin());
          result.state = ChallengeState::open;
        }
      }
      return found;
    });
  }

  // The batch's uses and audit rows in one statement: one round trip and one commit (one WAL flush),
  // whatever the batch's size. In it:
  // - `locked` locks the batch's challenges in the order of their ids (the sort runs before the lock), so
  //   that two nodes' batches sharing challenges cannot deadlock; a challenge another node is using is
  //   waited for and then read as that node left it, so a use it committed is seen as one;
  // - `first` keeps, of the uses of one open challenge, the first in the batch: the later ones are "used";
  // - `used` consumes those, and `recorded` writes an audit row for each challenge `used` changed, and for
  //   nothing else;
  // - each use's state comes back with its place in the batch (n, from 1).
  // When anything fails the statement's transaction is rolled back: no use without its row, nor the reverse.
  std::vector<ChallengeState> use_and_record_all(std::span<const AuditRecord> records) override {
    std::vector<std::string_view> ids, key_ids, nodes, overalls, findings, sods;
    std::vector<std::string> times;
    for (const AuditRecord& a : records) {
      ids.push_back(a.challenge_id);
      key_ids.push_back(a.key_id);
      times.push_back(std::to_string(a.time_ms));
      nodes.push_back(a.node);
      overalls.push_back(a.overall);
      findings.push_back(a.findings_json);
      sods.push_back(a.sod_sha256);
    }
    const std::vector<std::string_view> time_views(times.begin(), times.end());
    return with_connection([&](Lease& lease) {
      std::vector<ChallengeState> states(records.size(), ChallengeState::unknown);
      if (records.empty()) return states;
      const ResultPtr r =
          run(lease, kUseAndRecordAll,
              {text_array(ids), text_array(key_ids), text_array(time_views), text_array(nodes),
               text_array(overalls), text_array(findings), text_array(sods)});
      if (static_cast<std::size_t>(PQntuples(r.get())) != records.size()) {
        throw StoreUnavailable("postgresql: the batch's uses came back with another count");
      }
      for (int row = 0; row < PQntuples(r.get()); ++row) {
        const long long n = std::atoll(PQgetvalue(r.get(), row, 0));
        if (n < 1 || static_cast<std::size_t>(n) > states.size()) {
          throw StoreUnavailable("postgresql: a use answered for a challenge it was not asked");
        }
        states[static_cast<std::size_t>(n - 1)] = state_from_name(PQgetvalue(r.get(), row, 1), "postgresql");
      }
      return states;
    });
  }

  std::int64_t purge_expired(std::int64_t older_than_ms) override {
    return with_connection([&](Lease& lease) {
      const ResultPtr r = run(
          lease, "DELETE FROM challenges WHERE expires_at < now() - $1::bigint * interval '1 millisecond'",
          {std::to_string(older_than_ms)});
      return std::stoll(PQcmdTuples(r.get()));
    });
  }

  void ping() override {
    return with_connection([&](Lease& lease) { run(lease, "SELECT 1", {}); });
  }
  const char* kind() const noexcept override { return "postgresql"; }

 private:
  // One connection taken from the pool for one operation; back to the pool unless it broke.
  class Lease {
   public:
    explicit Lease(PostgresDatabase& db) : db_(db), conn_(db.acquire()) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { db_.release(conn_); }
    PGconn* get() const noexcept { return conn_; }

   private:
    PostgresDatabase& db_;
    PGconn* conn_;
  };

  PGconn* connect() {
    // connect_timeout first: the caller's conninfo (expanded from dbname) may override it.
    const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"3", "cccd-server", conninfo_.c_str(), nullptr};
    PGconn* conn = PQconnectdbParams(keys, values, 1);
    if (conn == nullptr) throw StoreUnavailable("postgresql: out of memory");
    if (PQstatus(conn) != CONNECTION_OK) {
      const std::string message = first_line(PQerrorMessage(conn));
      PQfinish(conn);
      throw StoreUnavailable("postgresql: " + message);
    }
    if (schema_ready_) {
      try {
        prepare(conn);
      } catch (...) {
        PQfinish(conn);
        throw;
      }
    }
    return conn;
  }

  PGconn* acquire() {
    std::unique_lock lock(mutex_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      if (!idle_.empty()) {
        PGconn* conn = idle_.back();
        idle_.pop_back();
        return conn;
      }
      if (open_ < max_connections_) {
        ++open_;
        lock.unlock();
        try {
          return connect();
        } catch (...) {
          lock.lock();
          --open_;
          available_.notify_one();
          throw;
        }
      }
      if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty()) {
        throw StoreUnavailable("postgresql: no connection free within 5 s");
      }
    }
  }

  void release(PGconn* conn) noexcept {
    const std::lock_guard lock(mutex_);
    if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE) {
      idle_.push_back(conn);
    } else {
      PQfinish(conn);
      --open_;
    }
    available_.notify_one();
  }

  // Runs `operation` on a pooled connection. When that connection turns out broken (the database restarted
  // since it was last used: libpq only notices on the next statement), the idle ones are dropped too and
  // the operation runs once more on a fresh connection, so that the first request after the database came
  // back is answered rather than refused. Running a statement twice is safe here: a use that had
  // committed before the break (with its audit row) makes the second one answer "used" (never a second use
  // or a second row), an issue uses a fresh id, a look-up changes nothing.
  template <class Operation>
  auto with_connection(Operation&& operation) -> decltype(operation(std::declval<Lease&>())) {
    for (int attempt = 0;; ++attempt) {
      Lease lease(*this);
      try {
        return operation(lease);
      } catch (const StoreUnavailable&) {
        if (attempt > 0 || PQstatus(lease.get()) != CONNECTION_BAD) throw;
      }
      drop_idle();
    }
  }

  void drop_idle() noexcept {
    const std::lock_guard lock(mutex_);
    for (PGconn* conn : idle_) PQfinish(conn);
    open_ -= static_cast<unsigned>(idle_.size());
    idle_.clear();
  }

  // libpq takes text parameters as an array of C strings.
  static std::vector<const char*> c_strings(const std::vector<std::string>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const std::string& p : params) values.push_back(p.c_str());
    return values;
  }

  ResultPtr run(Lease& lease, const Statement& statement, const std::vector<std::string>& params) {
    const std::vector<const char*> values = c_strings(params);
    return checked(lease.get(), PQexecPrepared(lease.get(), statement.name, static_cast<int>(values.size()),
                                               values.data(), nullptr, nullptr, 0));
  }

  ResultPtr run(Lease& lease, const std::string& sql, const std::vector<std::string>& params) {
    const std::vector<const char*> values = c_strings(params);
    // Without parameters the simple protocol, which also runs several statements (the schema) at once.
    return checked(lease.get(), params.empty()
                                    ? PQexec(lease.get(), sql.c_str())
                                    : PQexecParams(lease.get(), sql.c_str(), static_cast<int>(values.size()),
                                                   nullptr, values.data(), nullptr, nullptr, 0));
  }

  // A statement's result, or StoreUnavailable with the server's message when it failed.
  static ResultPtr checked(PGconn* conn, PGresult* result) {
    ResultPtr r(result);
    const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      throw StoreUnavailable("postgresql: " + first_line(PQerrorMessage(conn)));
    }
    return r;
  }

  // Prepares kPrepared on a new connection. Only once the schema exists: the constructor prepares its own
  // connection after creating it.
  static void prepare(PGconn* conn) {
    for (const Statement* statement : kPrepared)
      checked(conn, PQprepare(conn, statement->name, statement->sql, 0, nullptr));
  }

  const std::string conninfo_;
  const unsigned max_connections_;
  // Set by the constructor once the schema exists; new connections then prepare kPrepared.
  std::atomic<bool> schema_ready_{false};
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<PGconn*> idle_;
  unsigned open_ = 0;
};

}  // namespace

std::unique_ptr<Database> open_postgresql(const std::string& conninfo, unsigned connections) {
  return std::make_unique<PostgresDatabase>(conninfo, connections);
}

}  // namespace cccd::server
