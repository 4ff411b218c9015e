// The SQLite state of one node. One connection, one mutex: SQLite serialises writers anyway, and each
// statement here takes microseconds, so a pool would add locking without adding throughput. WAL lets
// readers (an operator's sqlite3 shell, a backup) run beside the server; with sqlite_synchronous = "full"
// (the default) every answered verification's use and audit row survive a power cut, not only a crash of
// the process, at the cost of one fsync per batch of verifications (use_and_record_all()).
#include "sqlite_checkpointer.hpp"
#include "store.hpp"
#include "util.hpp"

#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace cccd::server {
namespace {

constexpr int kSchemaVersion = 1;
// How often the WAL is copied back into the database beside the requests (sqlite_checkpointer.hpp): often
// enough that a checkpoint has little to copy, far from the safety-net threshold at this server's rates.
constexpr std::chrono::milliseconds kCheckpointPeriod{200};
// The request connection's own checkpoint threshold, in WAL frames (4 KiB pages). Under steady load the
// checkpoints beside the requests never catch up with the writer (a commit lands during each), so the WAL
// grows to this threshold, and the commit that crosses it copies the rest and starts the WAL again:
// three flushes with the writer held, 6-8 ms on the bench's VM, and every request queued meanwhile
// answered late (12-16 at half load). What the threshold sets is how often: at 10 000 frames (41 MB) every
// 3 s at the bench's half load (2 600 requests: 0.5 % of them late), at 40 000 (165 MB on disk) every
// 11 s (9 500 requests: 0.15 %), which leaves the 1 % a p99 allows to the rest (docs/PERFORMANCE.md,
// "Server").
constexpr int kWalSafetyNetFrames = 40000;

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
      throw StoreUnavailable(std::string("sqlite: ") + sqlite3_errmsg(db));
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }
  sqlite3_stmt* get() const noexcept { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Binds, steps and always resets, so that the next use starts clean whatever happened.
class Use {
 public:
  explicit Use(const Statement& statement) : stmt_(statement.get()) {}
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  ~Use() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  // SQLite reads the value in place, without a copy of its own (nine allocations a verification
  // less): it must outlive the step, so a temporary is refused at compile time.
  Use& text(int index, const std::string& value) {
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    return *this;
  }
  Use& text(int index, std::string&& value) = delete;
  Use& integer(int index, std::int64_t value) {
    sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  // true: a row; false: done.
  bool step(sqlite3* db) {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreUnavailable(std::string("sqlite: ") + sqlite3_errmsg(db));
  }
  std::string column_text(int index) const {
    const unsigned char* text = sqlite3_column_text(stmt_, index);
    return text == nullptr ? std::string() : reinterpret_cast<const char*>(text);
  }
  bool column_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }
  std::int64_t column_integer(int index) const { return sqlite3_column_int64(stmt_, index); }

 private:
  sqlite3_stmt* stmt_;
};

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error != nullptr ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    throw StoreUnavailable("sqlite: " + message);
  }
}

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(const std::string& path, bool full_sync) : full_sync_(full_sync) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw StoreUnavailable("sqlite: cannot open " + path + ": " + message);
    }
    try {
      // Another process (a second server on the same file, a backup) may hold the lock briefly.
      sqlite3_busy_timeout(db_, 5000);
      exec(db_, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;");
      // NORMAL for every commit; use_and_record_all() raises it to FULL for its commit with full_sync.
      exec(db_, "PRAGMA synchronous=NORMAL");
      create_schema();
      checkpointer_ = std::make_unique<WalCheckpointer>(path, kCheckpointPeriod);
      if (checkpointer_->running()) {
        exec(db_, ("PRAGMA wal_autocheckpoint=" + std::to_string(kWalSafetyNetFrames)).c_str());
      }
      insert_ = std::make_unique<Statement>(db_,
                                            "INSERT INTO challenges(id, challenge, key_id, created_ms, "
                                            "expires_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
      look_up_ = std::make_unique<Statement>(db_,
                                             "SELECT challenge, consumed_ms IS NOT NULL, expires_ms FROM "
                                             "challenges WHERE id = ?1 AND key_id = ?2");
      // The one statement that decides who uses a challenge: SQLite runs writers one at a time, and the
      // row changes only while consumed_ms is NULL, so exactly one UPDATE changes it.
      use_ = std::make_unique<Statement>(
          db_,
          "UPDATE challenges SET consumed_ms = ?3 WHERE id = ?1 AND key_id = ?2 AND consumed_ms IS NULL "
          "AND expires_ms > ?3");
      begin_ = std::make_unique<Statement>(db_, "BEGIN IMMEDIATE");
      begin_read_ = std::make_unique<Statement>(db_, "BEGIN DEFERRED");
      commit_ = std::make_unique<Statement>(db_, "COMMIT");
      audit_ = std::make_unique<Statement>(
          db_,
          "INSERT INTO audit(time_ms, node, key_id, challenge_id, overall, findings, sod_sha256) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
      purge_ = std::make_unique<Statement>(db_, "DELETE FROM challenges WHERE expires_ms < ?1");
      ping_ = std::make_unique<Statement>(db_, "SELECT 1");
    } catch (...) {
      close();
      throw;
    }
  }
  ~SqliteDatabase() override { close(); }

  std::int64_t issue(const std::string& id, const Challenge& challenge, const std::string& key_id,
                     std::int64_t ttl_ms) override {
    const std::int64_t now = now_unix_ms();
    const std::string challenge_hex = to_hex(challenge);
    const std::lock_guard lock(mutex_);
    Use use(*insert_);
    use.text(1, id).text(2, challenge_hex).text(3, key_id).integer(4, now).integer(5, now + ttl_ms);
    use.step(db_);
    return now + ttl_ms;
  }

  // One read transaction for the batch: its locks are taken once.
  std::vector<ChallengeLookup> look_up_all(std::span<const ChallengeRef> challenges) override {
    const std::int64_t now = now_unix_ms();
    std::vector<ChallengeLookup> found;
    found.reserve(challenges.size());
    const std::lock_guard lock(mutex_);
    try {
      Use(*begin_read_).step(db_);
      for (const ChallengeRef& c : challenges) found.push_back(state_now(c.id, c.key_id, now));
      Use(*commit_).step(db_);
    } catch (...) {
      if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    return found;
  }

  // With full_sync the commit is fsync'ed, and with it the whole WAL up to there: one fsync per batch of
  // answered verifications makes them, and everything they depend on, survive a power cut. Issuing needs
  // none of its own (a lost challenge answers 404).
  // One transaction for the batch: the commit's locks, its WAL frames for the pages the rows share and
  // its fsync are paid once. A use that finds its challenge not open writes nothing and is told why.
  std::vector<ChallengeState> use_and_record_all(std::span<const AuditRecord> records) override {
    const std::int64_t now = now_unix_ms();
    std::vector<ChallengeState> states;
    states.reserve(records.size());
    const std::lock_guard lock(mutex_);
    if (full_sync_) exec(db_, "PRAGMA synchronous=FULL");
    const auto restore = [&] {
      if (full_sync_) sqlite3_exec(db_, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
    };
    try {
      Use(*begin_).step(db_);
      for (const AuditRecord& r : records) {
        bool used_now = false;
        {
          Use use(*use_);
          use.text(1, r.challenge_id).text(2, r.key_id).integer(3, now);
          use.step(db_);
          used_now = sqlite3_changes(db_) == 1;
        }
        if (!used_now) {
          // Not this one's: say why. Only the UPDATE above decides; this only explains its answer.
          const ChallengeLookup why = state_now(r.challenge_id, r.key_id, now);
          states.push_back(why.state == ChallengeState::open ? ChallengeState::used : why.state);
          continue;
        }
        Use audit(*audit_);
        audit.integer(1, r.time_ms).text(2, r.node).text(3, r.key_id).text(4, r.challenge_id);
        audit.text(5, r.overall).text(6, r.findings_json).text(7, r.sod_sha256);
        audit.step(db_);
        states.push_back(ChallengeState::open);
      }
      Use(*commit_).step(db_);
    } catch (...) {
      if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      restore();
      throw;
    }
    restore();
    return states;
  }

  std::int64_t purge_expired(std::int64_t older_than_ms) override {
    const std::lock_guard lock(mutex_);
    Use use(*purge_);
    use.integer(1, now_unix_ms() - older_than_ms);
    use.step(db_);
    return sqlite3_changes64(db_);
  }

  void ping() override {
    const std::lock_guard lock(mutex_);
    Use use(*ping_);
    use.step(db_);
  }
  const char* kind() const noexcept override { return "sqlite"; }

 private:
  void create_schema() {
    exec(db_, "BEGIN IMMEDIATE");
    try {
      exec(db_,
           "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);"
           "CREATE TABLE IF NOT EXISTS challenges("
           "  id TEXT PRIMARY KEY, challenge TEXT NOT NULL, key_id TEXT NOT NULL,"
           "  created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, consumed_ms INTEGER);"
           "CREATE INDEX IF NOT EXISTS challenges_expires ON challenges(expires_ms);"
           "CREATE TABLE IF NOT EXISTS audit("
           "  id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, node TEXT NOT NULL,"
           "  key_id TEXT NOT NULL, challenge_id TEXT NOT NULL, overall TEXT NOT NULL,"
           "  findings TEXT NOT NULL, sod_sha256 TEXT NOT NULL);"
           "CREATE INDEX IF NOT EXISTS audit_time ON audit(time_ms);");
      std::int64_t found = 0;
      {
        const Statement version(db_, "SELECT max(version) FROM schema_version");
        Use use(version);
        if (use.step(db_) && !use.column_null(0)) found = use.column_integer(0);
      }
      if (found > kSchemaVersion) {
        throw StoreUnavailable("sqlite: the database's schema is version " + std::to_string(found) +
                               ", newer than this server's " + std::to_string(kSchemaVersion));
      }
      if (found < kSchemaVersion) {
        // Version 1 is the first: later versions migrate here, step by step, inside this transaction.
        exec(db_, "INSERT INTO schema_version(version) VALUES (1)");
      }
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    exec(db_, "COMMIT");
  }

  // Under mutex_.
  ChallengeLookup state_now(const std::string& id, const std::string& key_id, std::int64_t now) {
    ChallengeLookup result;
    Use use(*look_up_);
    use.text(1, id).text(2, key_id);
    if (!use.step(db_)) return result;  // unknown
    if (use.column_integer(1) != 0) {
      result.state = ChallengeState::used;
    } else if (use.column_integer(2) <= now) {
      result.state = ChallengeState::expired;
    } else {
      const auto bytes = from_hex(use.column_text(0));
      if (!bytes || bytes->size() != result.challenge.size()) {
        throw StoreUnavailable("sqlite: a stored challenge is not 16 hex digits");
      }
      std::copy(bytes->begin(), bytes->end(), result.challenge.begin());
      result.state = ChallengeState::open;
    }
    return result;
  }

  void close() noexcept {
    checkpointer_.reset();  // its thread stops before the database closes
    insert_.reset();
    look_up_.reset();
    use_.reset();
    begin_.reset();
    begin_read_.reset();
    commit_.reset();
    audit_.reset();
    purge_.reset();
    ping_.reset();
    sqlite3_close(db_);
    db_ = nullptr;
  }

  const bool full_sync_;
  std::unique_ptr<WalCheckpointer> checkpointer_;
  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statement> insert_, look_up_, use_, begin_, begin_read_, commit_, audit_, purge_, ping_;
};

}  // namespace

std::unique_ptr<Database> open_sqlite(const std::string& path, bool full_sync) {
  return std::make_unique<SqliteDatabase>(path, full_sync);
}

}  // namespace cccd::server
