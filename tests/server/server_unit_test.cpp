// Unit tests of cccd-server's parts: the config checks, the rate limiter, the SQLite store (one use per
// challenge under concurrent callers, also from two connections to one file), metrics and helpers.
#include "config.hpp"
#include "json_members.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "request_body.hpp"
#include "service.hpp"
#include "sqlite_checkpointer.hpp"
#include "store.hpp"
#include "util.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sched.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>
#include <vector>

namespace cccd::server {
namespace {

const std::string kHash(64, 'a');

std::string minimal(const std::string& extra = {}) {
  return "[database]\nsqlite = \"state.db\"\n[[api_keys]]\nid = \"app\"\nsha256 = \"" + kHash + "\"\n" +
         extra;
}

std::string refusal(const std::string& text) {
  try {
    parse_config(text, "/srv/cccd", "test.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(ServerConfig, DefaultsAreTheSafeOnes) {
  const Config config = parse_config(minimal(), "/srv/cccd", "test.toml");
  EXPECT_EQ(config.listen, "127.0.0.1");
  EXPECT_EQ(config.challenge_ttl, std::chrono::seconds(300));
  EXPECT_TRUE(config.require_chip_authenticity);
  EXPECT_FALSE(config.accept_expired);
  EXPECT_EQ(config.database, DatabaseKind::sqlite);
  EXPECT_EQ(config.database_target, "/srv/cccd/state.db");  // relative to the config's folder
  ASSERT_EQ(config.api_keys.size(), 1u);
  EXPECT_EQ(config.api_keys[0].rate_per_second, 0);
  EXPECT_GE(config.workers, 1u);
  EXPECT_FALSE(config.node_id.empty());
}

TEST(ServerConfig, PostgresqlGetsMoreWorkersThanCoresByDefault) {
  // A worker waits out each of its database round trips, which SQLite's do not make it do.
  const std::string keys = "[[api_keys]]\nid = \"app\"\nsha256 = \"" + kHash + "\"\n";
  const Config sqlite = parse_config("[database]\nsqlite = \"s.db\"\n" + keys, "/srv", "t.toml");
  const Config postgresql = parse_config("[database]\npostgresql = \"host=db\"\n" + keys, "/srv", "t.toml");
  EXPECT_EQ(postgresql.workers, 4 * sqlite.workers);
  EXPECT_EQ(postgresql.database_connections, postgresql.workers);
}

TEST(ServerConfig, EverySettingIsRead) {
  const Config config = parse_config(
      "[server]\nlisten = \"0.0.0.0\"\nport = 9000\nnode_id = \"n1\"\nworkers = 3\nmax_connections = 7\n"
      "max_body_bytes = 2048\nread_timeout_ms = 5\nidle_timeout_ms = 6\nwrite_timeout_ms = 7\n"
      "challenge_ttl_seconds = 60\nmetrics_public = false\n"
      "[database]\npostgresql = \"host=db\"\nconnections = 4\n"
      "[policy]\nrequire_chip_authenticity = false\naccept_expired = true\n"
      "[trust]\ncsca = [\"a.pem\", \"/etc/b\"]\ncrls = \"c.crl\"\n"
      "[[trust.master_lists]]\nfile = \"ml.ml\"\nroots = \"root.cer\"\n"
      "[[api_keys]]\nid = \"app\"\nsha256 = \"" +
          kHash + "\"\nrate_limit = 2.5\n",
      "/srv", "t.toml");
  EXPECT_EQ(config.listen, "0.0.0.0");
  EXPECT_EQ(config.port, 9000);
  EXPECT_EQ(config.node_id, "n1");
  EXPECT_EQ(config.workers, 3u);
  EXPECT_EQ(config.database_connections, 4u);
  EXPECT_EQ(config.max_connections, 7u);
  EXPECT_EQ(config.max_body_bytes, 2048u);
  EXPECT_EQ(config.read_timeout, std::chrono::milliseconds(5));
  EXPECT_EQ(config.challenge_ttl, std::chrono::seconds(60));
  EXPECT_FALSE(config.metrics_public);
  EXPECT_EQ(config.database, DatabaseKind::postgresql);
  EXPECT_EQ(config.database_target, "host=db");
  EXPECT_FALSE(config.require_chip_authenticity);
  EXPECT_TRUE(config.accept_expired);
  EXPECT_EQ(config.csca, (std::vector<std::string>{"/srv/a.pem", "/etc/b"}));
  EXPECT_EQ(config.crls, (std::vector<std::string>{"/srv/c.crl"}));
  ASSERT_EQ(config.master_lists.size(), 1u);
  EXPECT_EQ(config.master_lists[0].roots, "/srv/root.cer");
  EXPECT_EQ(config.api_keys[0].rate_per_second, 2.5);
  EXPECT_EQ(config.api_keys[0].burst, 2.5);  // no burst given: one second's worth
}

TEST(ServerConfig, MistakesAreRefusedByName) {
  EXPECT_EQ(refusal(minimal("[policy]\nrequire_chip_authenticty = true\n")),
            "config: policy.require_chip_authenticty is not a known setting");
  EXPECT_EQ(refusal(minimal("[policy]\naccept_expired = \"yes\"\n")),
            "config: policy.accept_expired must be true or false");
  EXPECT_EQ(refusal(minimal("[server]\nport = 70000\n")), "config: server.port must be between 0 and 65535");
  EXPECT_EQ(refusal(minimal("[server]\nio_threads = 2\n")),
            "config: server.io_threads is gone: the workers run the sockets too (server.workers)");
  EXPECT_EQ(refusal(minimal("listen = \"0.0.0.0\"\n")).rfind("config: ", 0), 0u);
  EXPECT_NE(refusal("[[api_keys]]\nid = \"a\"\nsha256 = \"" + kHash + "\"\n").find("[database] is missing"),
            std::string::npos);
  EXPECT_NE(
      refusal(minimal("[trust]\ncsca = 3\n")).find("trust.csca must be a string or an array of strings"),
      std::string::npos);
  EXPECT_NE(refusal(minimal("[[trust.master_lists]]\nfile = \"ml\"\n")).find("needs file and roots"),
            std::string::npos);
  EXPECT_NE(refusal("[database]\nsqlite = \"a\"\npostgresql = \"b\"\n").find("exactly one"),
            std::string::npos);
  EXPECT_NE(refusal("[database]\nsqlite = \"a\"\n").find("no [[api_keys]]"), std::string::npos);
  EXPECT_NE(refusal("[database]\nsqlite = \"a\"\n[[api_keys]]\nid = \"a\"\nsha256 = \"abc\"\n")
                .find("64 hex digits"),
            std::string::npos);
  EXPECT_NE(refusal("[database]\nsqlite = \"a\"\n[[api_keys]]\nid = \"a b\"\nsha256 = \"" + kHash + "\"\n")
                .find("api_keys.id may hold"),
            std::string::npos);
  EXPECT_NE(refusal(minimal("[[api_keys]]\nid = \"app\"\nsha256 = \"" + kHash + "\"\n")).find("given twice"),
            std::string::npos);
  EXPECT_NE(refusal("[database\n").find("test.toml line 1"), std::string::npos);
  EXPECT_NE(
      refusal(minimal("[tls]\ncertificate = \"c.pem\"\n")).find("[tls] needs certificate and private_key"),
      std::string::npos);
  EXPECT_EQ(parse_config(minimal("[tls]\ncertificate = \"c.pem\"\nprivate_key = \"/k.pem\"\n"), "/srv", "t")
                .tls_certificate,
            "/srv/c.pem");
}

TEST(ServerRateLimiter, BurstThenRefusedWithRetryAfter) {
  RateLimiter limiter;
  ApiKey key;
  key.id = "app";
  key.rate_per_second = 0.5;
  key.burst = 3;
  int retry = 0;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.allow(key, retry)) << i;
  EXPECT_FALSE(limiter.allow(key, retry));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 2);
  ApiKey unlimited;
  unlimited.id = "other";
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.allow(unlimited, retry));
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("cccd-server-test-" + std::to_string(getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(folder_);
    std::filesystem::create_directories(folder_);
    path_ = (folder_ / "state.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  std::filesystem::path folder_;
  std::string path_;
};

AuditRecord audit_of(const std::string& challenge_id, const std::string& overall = "verified",
                     const std::string& key_id = "app") {
  AuditRecord record;
  record.time_ms = 1;
  record.node = "n";
  record.key_id = key_id;
  record.challenge_id = challenge_id;
  record.overall = overall;
  record.findings_json = R"({"access":"passed"})";
  record.sod_sha256 = std::string(64, 'f');
  return record;
}

// The audit table's rows as "challenge_id overall", in insertion order, read over a connection of its own.
std::vector<std::string> audit_rows(const std::string& path) {
  std::vector<std::string> rows;
  sqlite3* raw = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(raw, "SELECT challenge_id, overall, findings FROM audit ORDER BY id", -1,
                               &stmt, nullptr),
            SQLITE_OK);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    rows.push_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) + " " +
                   reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1)));
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 2)), R"({"access":"passed"})");
  }
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
  return rows;
}

// The look-ups of a batch (one read transaction on SQLite, one statement on PostgreSQL): each answered in
// the batch's order as look_up answers it alone, with the challenge's bytes when open. One key id holds
// the characters PostgreSQL's array syntax quotes (the batch's ids and keys travel as two text arrays).
void expect_look_ups_in_batch_order(Database& db, const std::string& run) {
  const std::string odd_key = "we\"ird\\ key,{1} NULL";
  const Challenge first = {1, 2, 3, 4, 5, 6, 7, 8};
  const Challenge second = {9, 8, 7, 6, 5, 4, 3, 2};
  db.issue(run + "open1", first, odd_key, 60000);
  db.issue(run + "open2", second, "app", 60000);
  db.issue(run + "used", first, "app", 60000);
  db.issue(run + "late", first, "app", 1);
  ASSERT_EQ(db.use_and_record(audit_of(run + "used")), ChallengeState::open);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::vector<ChallengeRef> batch = {
      {run + "open2", "app"}, {run + "open1", odd_key}, {run + "open1", "app"}, {run + "used", "app"},
      {run + "nope", "app"},  {run + "late", "app"},    {run + "open2", "app"}};
  const std::vector<ChallengeLookup> found = db.look_up_all(batch);
  ASSERT_EQ(found.size(), batch.size());
  const std::vector<ChallengeState> expected = {
      ChallengeState::open,    ChallengeState::open,    ChallengeState::unknown, ChallengeState::used,
      ChallengeState::unknown, ChallengeState::expired, ChallengeState::open};
  for (std::size_t k = 0; k < batch.size(); ++k) {
    EXPECT_EQ(found[k].state, expected[k]) << "look-up " << k;
    EXPECT_EQ(db.look_up(batch[k].id, batch[k].key_id).state, expected[k]) << "look-up " << k << " alone";
  }
  EXPECT_EQ(found[0].challenge, second);
  EXPECT_EQ(found[1].challenge, first);
  EXPECT_EQ(found[6].challenge, second);
  EXPECT_TRUE(db.look_up_all({}).empty());
  EXPECT_EQ(db.look_up(run + "open1", odd_key).state, ChallengeState::open);  // looking uses nothing
}

TEST(ServerStore, AStateTextIsReadBackAndAnUnknownOneIsAnOutage) {
  for (const ChallengeState state : kChallengeStates) {
    EXPECT_EQ(state_from_name(state_name(state), "postgresql"), state) << state_name(state);
  }
  // A statement that answers with a state the code does not name is a disagreement between the two: a
  // 503 (StoreUnavailable), never a 404 "unknown challenge" nor a verdict.
  for (const std::string_view bogus : {"", "OPEN", "consumed", "open "}) {
    try {
      state_from_name(bogus, "postgresql");
      ADD_FAILURE() << "\"" << bogus << "\" was read as a state";
    } catch (const StoreUnavailable& e) {
      EXPECT_EQ(std::string_view(e.what()),
                "postgresql: a challenge came back in a state this server does not know")
          << bogus;
    }
  }
}

TEST_F(SqliteStoreTest, AChallengeIsUsedOnceByItsKeyWithItsAuditRow) {
  const auto db = open_sqlite(path_);
  const Challenge challenge = {1, 2, 3, 4, 5, 6, 7, 8};
  const std::int64_t expires = db->issue("id1", challenge, "app", 60000);
  EXPECT_NEAR(static_cast<double>(expires), static_cast<double>(now_unix_ms() + 60000), 5000);
  EXPECT_EQ(db->look_up("id1", "other").state, ChallengeState::unknown);
  const ChallengeLookup open = db->look_up("id1", "app");
  EXPECT_EQ(open.state, ChallengeState::open);
  EXPECT_EQ(open.challenge, challenge);
  EXPECT_EQ(db->look_up("id1", "app").state, ChallengeState::open);  // looking uses nothing
  EXPECT_EQ(db->use_and_record(audit_of("id1", "verified", "other")), ChallengeState::unknown);
  EXPECT_EQ(db->use_and_record(audit_of("id1")), ChallengeState::open);
  EXPECT_EQ(db->use_and_record(audit_of("id1", "not_verified")), ChallengeState::used);
  EXPECT_EQ(db->look_up("id1", "app").state, ChallengeState::used);
  EXPECT_EQ(db->use_and_record(audit_of("nope")), ChallengeState::unknown);
  db->issue("id2", challenge, "app", 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(db->look_up("id2", "app").state, ChallengeState::expired);
  EXPECT_EQ(db->use_and_record(audit_of("id2")), ChallengeState::expired);
  // Only the use that succeeded left a row.
  EXPECT_EQ(audit_rows(path_), std::vector<std::string>{"id1 verified"});
  EXPECT_EQ(db->purge_expired(0), 1);  // id2; id1 (used) expires only in a minute
}

// The uses of a batch of verifications (one transaction): each decided as if it came after the ones
// before it in the batch, and only the uses that found their challenge open leave audit rows.
TEST_F(SqliteStoreTest, ABatchOfUsesIsDecidedInOrderWithOneRowPerUse) {
  const auto db = open_sqlite(path_);
  db->issue("a", Challenge{}, "app", 60000);
  db->issue("b", Challenge{}, "app", 60000);
  db->issue("late", Challenge{}, "app", 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto use = [](const std::string& id, const std::string& key, const std::string& overall) {
    return audit_of(id, overall, key);
  };
  const std::vector<AuditRecord> batch = {use("a", "app", "verified"),     use("b", "other", "verified"),
                                          use("b", "app", "not_verified"), use("a", "app", "second"),
                                          use("nope", "app", "verified"),  use("late", "app", "verified")};
  EXPECT_EQ(
      db->use_and_record_all(batch),
      (std::vector<ChallengeState>{ChallengeState::open, ChallengeState::unknown, ChallengeState::open,
                                   ChallengeState::used, ChallengeState::unknown, ChallengeState::expired}));
  EXPECT_EQ(audit_rows(path_), (std::vector<std::string>{"a verified", "b not_verified"}));
  EXPECT_EQ(db->use_and_record_all(batch).front(),
            ChallengeState::used);  // committed: a second batch finds it
  EXPECT_TRUE(db->use_and_record_all({}).empty());
  EXPECT_EQ(audit_rows(path_).size(), 2u);
}

TEST_F(SqliteStoreTest, ABatchOfLookUpsIsAnsweredInOrder) {
  const auto db = open_sqlite(path_);
  expect_look_ups_in_batch_order(*db, "");
}

TEST_F(SqliteStoreTest, ConcurrentUsesFromTwoConnectionsGiveExactlyOneAndOneRow) {
  // Two Database objects on one file stand for two processes (two connections, file locks between them).
  const auto a = open_sqlite(path_, false);
  const auto b = open_sqlite(path_, false);
  for (int round = 0; round < 20; ++round) {
    const std::string id = "race" + std::to_string(round);
    a->issue(id, Challenge{}, "app", 60000);
    std::atomic<int> open{0}, used{0}, other{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        Database& db = t % 2 == 0 ? *a : *b;
        EXPECT_NE(db.look_up(id, "app").state, ChallengeState::unknown);
        switch (db.use_and_record(audit_of(id, "thread" + std::to_string(t)))) {
          case ChallengeState::open:
            ++open;
            break;
          case ChallengeState::used:
            ++used;
            break;
          default:
            ++other;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(open.load(), 1) << "round " << round;
    EXPECT_EQ(used.load(), 7) << "round " << round;
    EXPECT_EQ(other.load(), 0) << "round " << round;
  }
  const std::vector<std::string> rows = audit_rows(path_);
  ASSERT_EQ(rows.size(), 20u);
  for (int round = 0; round < 20; ++round) {
    EXPECT_EQ(rows[static_cast<std::size_t>(round)].rfind("race" + std::to_string(round) + " thread", 0), 0u);
  }
}

TEST_F(SqliteStoreTest, AuditRowsAreCommittedAndSchemaIsKeptOnReopen) {
  {
    const auto db = open_sqlite(path_);
    db->issue("c", Challenge{}, "app", 60000);
    EXPECT_EQ(db->use_and_record(audit_of("c")), ChallengeState::open);
    db->ping();
  }
  const auto again = open_sqlite(path_);  // the schema exists: created only once
  EXPECT_EQ(again->look_up("c", "app").state, ChallengeState::used);
  EXPECT_EQ(audit_rows(path_), std::vector<std::string>{"c verified"});
}

// The WAL is copied back into the database by the server's own checkpointer thread, not by whichever
// request's commit crosses SQLite's threshold (1 000 pages): after a few hundred pages of commits, far
// below that threshold, the database file grows while the connection is still open. (SQLite alone would
// leave every page in the WAL until the threshold or the close.)
TEST_F(SqliteStoreTest, TheWalIsCheckpointedBesideTheRequests) {
  const auto db = open_sqlite(path_, false);
  const auto database_size = [&] { return std::filesystem::file_size(path_); };
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // the schema's commit checkpointed
  const auto before = database_size();
  for (int i = 0; i < 200; ++i) db->issue("wal" + std::to_string(i), Challenge{}, "app", 60000);
  for (int wait = 0; wait < 50 && database_size() <= before; ++wait)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_GT(database_size(), before);
  EXPECT_EQ(db->look_up("wal199", "app").state, ChallengeState::open);  // and nothing was lost
}

// Which of the file's pages the page cache holds, a byte each (mincore on a mapping that is never read).
std::vector<unsigned char> residency(const std::string& path) {
  std::vector<unsigned char> resident;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return resident;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) {
    const auto size = static_cast<std::size_t>(st.st_size);
    void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (map != MAP_FAILED) {
      const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
      resident.resize((size + page - 1) / page);
      if (::mincore(map, size, resident.data()) != 0) resident.clear();
      ::munmap(map, size);
    }
  }
  ::close(fd);
  return resident;
}

// How many of pages [from, to) of that answer are cached.
std::size_t count_cached(const std::vector<unsigned char>& resident, std::size_t from, std::size_t to) {
  std::size_t cached = 0;
  for (std::size_t i = from; i < std::min(to, resident.size()); ++i) cached += resident[i] & 1;
  return cached;
}

// How many of the file's pages the page cache holds.
std::size_t cached_pages(const std::string& path, std::size_t* pages) {
  const std::vector<unsigned char> resident = residency(path);
  *pages = resident.size();
  return count_cached(resident, 0, resident.size());
}

// Writes the pages of the file back to the disk and drops them from the page cache.
void drop_from_cache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::fdatasync(fd), 0);
  ASSERT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  ::close(fd);
}

// The writer overwrites the WAL from its start after a restart; a page of it the kernel dropped from the
// cache would make that write read the disk inside a request. The checkpointer asks for dropped pages
// back. Here the WAL is fully checkpointed first (so a checkpoint reads none of it), its pages are dropped
// (DONTNEED, after an fsync so they are clean), and at least 90 % of them must come back without anything
// reading them.
TEST_F(SqliteStoreTest, TheCheckpointerReadsBackWalPagesTheCacheDropped) {
  const auto db = open_sqlite(path_, false);
  for (int i = 0; i < 300; ++i) db->issue("cache" + std::to_string(i), Challenge{}, "app", 60000);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // every frame checkpointed
  const std::string wal = path_ + "-wal";
  ASSERT_NO_FATAL_FAILURE(drop_from_cache(wal));
  std::size_t pages = 0;
  const std::size_t after_drop = cached_pages(wal, &pages);
  ASSERT_GT(pages, 50u) << "300 commits should make a WAL of more than 50 pages";
  // A drop that left 90 % cached would let the check below pass with no read-back at all.
  if (after_drop * 10 >= pages * 9)
    GTEST_SKIP() << "the drop left " << after_drop << " of " << pages
                 << " pages cached (tmpfs?): nothing to read back";
  // Most, not all: a kernel that drops pages by itself (DAMON on the VM this was written on) may take a
  // few again between two looks. Without the checkpointer's read-back the count stays where the drop
  // left it.
  std::size_t most_cached = after_drop;
  for (int wait = 0; wait < 50 && most_cached * 10 < pages * 9; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    most_cached = std::max(most_cached, cached_pages(wal, &pages));
  }
  EXPECT_GE(most_cached * 10, pages * 9)
      << most_cached << " of " << pages << " pages cached at most, " << after_drop << " right after the drop";
  EXPECT_EQ(db->look_up("cache299", "app").state, ChallengeState::open);
}

// Only where the writer goes next is read back: the stretch after its last frame and the WAL's start, each
// the checkpointer's lookahead long; the rest was copied back already and is not written again for a long
// while (a busy server writes tens of MB before it wraps round). Here a WAL of about 6 MB whose writer
// has wrapped round and gone on to about 1.2 MB, all copied back: with a lookahead of 256 KiB, after a
// drop, the WAL's first 256 KiB and the 256 KiB after the writer come back, and the rest stays out.
TEST_F(SqliteStoreTest, TheCheckpointerReadsBackOnlyWhereTheWriterGoesNext) {
  const std::unique_ptr<sqlite3, int (*)(sqlite3*)> writer(
      [this] {
        sqlite3* db = nullptr;
        sqlite3_open(path_.c_str(), &db);
        return db;
      }(),
      sqlite3_close);
  ASSERT_NE(writer, nullptr);
  // Left to the checkpointer alone, so the WAL keeps every frame written. The page size is set, not left to
  // the SQLite build's default, because the writer's place in the WAL is computed from it below.
  constexpr std::size_t kDatabasePage = 4096;
  const std::string setup = "PRAGMA page_size=" + std::to_string(kDatabasePage) +
                            "; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                            "PRAGMA wal_autocheckpoint=0; CREATE TABLE pages(body BLOB);";
  ASSERT_EQ(sqlite3_exec(writer.get(), setup.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  // Every frame copied back here, so that no checkpoint reads the WAL after the drop below; the frames in
  // the WAL, which is where the writer goes on.
  const auto copy_back = [&writer] {
    int log_frames = -1;
    int copied = -2;
    EXPECT_EQ(
        sqlite3_wal_checkpoint_v2(writer.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied),
        SQLITE_OK);
    EXPECT_EQ(copied, log_frames);
    return log_frames;
  };
  const auto insert = [&writer](int rows) {
    for (int i = 0; i < rows; ++i) {
      ASSERT_EQ(sqlite3_exec(writer.get(), "INSERT INTO pages VALUES (randomblob(3000))", nullptr, nullptr,
                             nullptr),
                SQLITE_OK);
    }
  };
  ASSERT_NO_FATAL_FAILURE(insert(500));
  ASSERT_GT(copy_back(), 0);
  // With everything copied back the next commit starts the WAL again from its beginning.
  ASSERT_NO_FATAL_FAILURE(insert(100));
  const int log_frames = copy_back();
  ASSERT_GT(log_frames, 0);
  constexpr std::size_t kLookahead = 256 * 1024;
  const WalCheckpointer checkpointer(path_, std::chrono::milliseconds(50), kLookahead);
  ASSERT_TRUE(checkpointer.running());
  const std::string wal = path_ + "-wal";
  ASSERT_NO_FATAL_FAILURE(drop_from_cache(wal));

  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t start_pages = kLookahead / page;
  // The WAL's header (32 bytes), then a frame a database page: a 24-byte header and the page.
  const std::size_t writer_page = (32 + static_cast<std::size_t>(log_frames) * (24 + kDatabasePage)) / page;
  std::vector<unsigned char> resident = residency(wal);
  ASSERT_GT(writer_page, 2 * start_pages) << "the writer should be past the WAL's start";
  ASSERT_GT(resident.size(), writer_page + 4 * start_pages) << "the WAL should go on well past the writer";
  const std::size_t after_writer_end = writer_page + start_pages;
  const auto wanted_cached = [&] {
    return count_cached(resident, 0, start_pages) + count_cached(resident, writer_page, after_writer_end);
  };
  const std::size_t wanted_pages = 2 * start_pages;
  if (wanted_cached() * 10 >= wanted_pages * 9)
    GTEST_SKIP() << "the drop left the WAL cached (tmpfs?): nothing to read back";
  std::size_t most_cached = wanted_cached();
  for (int wait = 0; wait < 50 && most_cached * 10 < wanted_pages * 9; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    resident = residency(wal);
    most_cached = std::max(most_cached, wanted_cached());
  }
  EXPECT_GE(most_cached * 10, wanted_pages * 9) << most_cached << " of " << wanted_pages << " pages";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // several more periods
  resident = residency(wal);
  // Read-ahead may bring a little past each stretch; nothing brings the rest back but asking for it: the
  // stretch between the start and the writer, and everything from a lookahead past the writer's stretch.
  const std::size_t between = count_cached(resident, 2 * start_pages, writer_page);
  const std::size_t beyond = count_cached(resident, after_writer_end + start_pages, resident.size());
  const std::size_t rest_pages =
      (writer_page - 2 * start_pages) + (resident.size() - after_writer_end - start_pages);
  EXPECT_LT((between + beyond) * 10, rest_pages) << between << " pages between the start and the writer and "
                                                 << beyond << " beyond it came back, of " << rest_pages;
}

// The checkpointer is background work: a request thread that wakes must not wait behind a checkpoint's
// copy, so its thread runs at SCHED_IDLE, under its own name (for top -H, perf, and server_bench's
// --realtime, which leaves SCHED_IDLE threads where they are).
TEST_F(SqliteStoreTest, TheCheckpointerThreadRunsAtIdlePriority) {
  const auto db = open_sqlite(path_, false);
  int found = 0;
  for (int wait = 0; wait < 50 && found == 0; ++wait) {
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
      std::ifstream comm(task.path() / "comm");
      std::string name;
      std::getline(comm, name);
      if (name != "cccd-checkpoint") continue;
      ++found;
      EXPECT_EQ(sched_getscheduler(static_cast<pid_t>(std::stol(task.path().filename().string()))),
                SCHED_IDLE);
    }
    if (found == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the thread is starting
  }
  EXPECT_EQ(found, 1) << "no thread named cccd-checkpoint";
}

TEST(ServerPostgres, AnUnreachableDatabaseIsUnavailableNotACrash) {
  EXPECT_THROW(open_postgresql("host=127.0.0.1 port=1 connect_timeout=1", 1), StoreUnavailable);
}

// A batch of uses on PostgreSQL (one transaction), against the database tests/server/server_pg_test.sh
// starts and names in CCCD_TEST_POSTGRESQL; skipped when run without it. The same rules as on SQLite.
TEST(ServerPostgresLive, ABatchOfUsesIsDecidedInOrderWithOneRowPerUse) {
  const char* conninfo = std::getenv("CCCD_TEST_POSTGRESQL");
  if (conninfo == nullptr) GTEST_SKIP() << "CCCD_TEST_POSTGRESQL is not set (server_pg_test.sh sets it)";
  const auto db = open_postgresql(conninfo, 2);
  const std::string run = "batch-" + std::to_string(now_unix_ms()) + "-";
  const std::string a = run + "a", b = run + "b", late = run + "late";
  db->issue(a, Challenge{}, "app", 60000);
  db->issue(b, Challenge{}, "app", 60000);
  db->issue(late, Challenge{}, "app", 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto use = [](const std::string& id, const std::string& key, const std::string& overall) {
    return audit_of(id, overall, key);
  };
  // Out of id order on purpose: the store runs them sorted by id, and must answer in the batch's order.
  const std::vector<AuditRecord> batch = {
      use(b, "app", "not_verified"), use(a, "other", "verified"),          use(a, "app", "verified"),
      use(b, "app", "second"),       use(run + "nope", "app", "verified"), use(late, "app", "verified")};
  EXPECT_EQ(
      db->use_and_record_all(batch),
      (std::vector<ChallengeState>{ChallengeState::open, ChallengeState::unknown, ChallengeState::open,
                                   ChallengeState::used, ChallengeState::unknown, ChallengeState::expired}));
  EXPECT_EQ(db->use_and_record_all(batch).front(), ChallengeState::used);
  EXPECT_TRUE(db->use_and_record_all({}).empty());
  // One audit row per use that found its challenge open, with its verdict.
  PGconn* conn = PQconnectdb(conninfo);
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK);
  const std::string pattern = run + "%";
  const char* values[] = {pattern.c_str()};
  PGresult* rows = PQexecParams(
      conn,
      "SELECT challenge_id || ' ' || overall FROM audit WHERE challenge_id LIKE $1 ORDER BY challenge_id", 1,
      nullptr, values, nullptr, nullptr, 0);
  ASSERT_EQ(PQresultStatus(rows), PGRES_TUPLES_OK);
  std::vector<std::string> found;
  for (int i = 0; i < PQntuples(rows); ++i) found.emplace_back(PQgetvalue(rows, i, 0));
  PQclear(rows);
  PQfinish(conn);
  EXPECT_EQ(found, (std::vector<std::string>{a + " verified", b + " not_verified"}));
}

// The audit row keeps every field as it came, whatever PostgreSQL's array syntax must quote in it.
TEST(ServerPostgresLive, ABatchOfUsesKeepsEveryFieldAsItCame) {
  const char* conninfo = std::getenv("CCCD_TEST_POSTGRESQL");
  if (conninfo == nullptr) GTEST_SKIP() << "CCCD_TEST_POSTGRESQL is not set (server_pg_test.sh sets it)";
  const auto db = open_postgresql(conninfo, 2);
  const std::string id = "fields-" + std::to_string(now_unix_ms());
  const std::string key = R"(k"e\y,{NULL})";
  db->issue(id, Challenge{}, key, 60000);
  AuditRecord record = audit_of(id, "verified", key);
  record.time_ms = 1767225600123;  // 2026-01-01T00:00:00.123Z
  record.node = R"(node "1", {a\b})";
  record.findings_json = R"({"access": "passed", "note": "a \"quoted\" \\ word, {x}"})";
  record.sod_sha256 = std::string(64, 'a');
  ASSERT_EQ(db->use_and_record_all(std::vector<AuditRecord>{record}),
            std::vector<ChallengeState>{ChallengeState::open});

  PGconn* conn = PQconnectdb(conninfo);
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK);
  const char* both[] = {id.c_str(), record.findings_json.c_str()};
  PGresult* rows = PQexecParams(conn,
                                "SELECT (extract(epoch FROM time) * 1000)::bigint, node, key_id, overall, "
                                "findings = $2::jsonb, sod_sha256 FROM audit WHERE challenge_id = $1",
                                2, nullptr, both, nullptr, nullptr, 0);
  ASSERT_EQ(PQresultStatus(rows), PGRES_TUPLES_OK);
  ASSERT_EQ(PQntuples(rows), 1);
  EXPECT_STREQ(PQgetvalue(rows, 0, 0), "1767225600123");
  EXPECT_EQ(PQgetvalue(rows, 0, 1), record.node);
  EXPECT_EQ(PQgetvalue(rows, 0, 2), key);
  EXPECT_STREQ(PQgetvalue(rows, 0, 3), "verified");
  EXPECT_STREQ(PQgetvalue(rows, 0, 4), "t");
  EXPECT_EQ(PQgetvalue(rows, 0, 5), record.sod_sha256);
  PQclear(rows);
  PQfinish(conn);
}

// Two nodes' batches over the same challenges, in opposite orders, many at once: the store locks them in
// the order of their ids, so none deadlocks (PostgreSQL would abort one: an exception here), and each
// challenge is used exactly once, with exactly one audit row.
TEST(ServerPostgresLive, TwoNodesBatchesOverTheSameChallengesNeitherDeadlockNorUseTwice) {
  const char* conninfo = std::getenv("CCCD_TEST_POSTGRESQL");
  if (conninfo == nullptr) GTEST_SKIP() << "CCCD_TEST_POSTGRESQL is not set (server_pg_test.sh sets it)";
  const auto node_a = open_postgresql(conninfo, 4);
  const auto node_b = open_postgresql(conninfo, 4);
  const std::string run = "two-nodes-" + std::to_string(now_unix_ms()) + "-";
  // Rounds of a few batches, all threads starting on the same batch: they meet there in opposite orders.
  constexpr int kRounds = 20;
  constexpr std::size_t kChallenges = 48, kBatch = 8;
  std::atomic<int> used_once{0}, failures{0};
  for (int round = 0; round < kRounds; ++round) {
    std::vector<AuditRecord> records;
    for (std::size_t i = 0; i < kChallenges; ++i) {
      const std::string id = run + std::to_string(1000 + round) + "-" + std::to_string(1000 + i);
      node_a->issue(id, Challenge{}, "app", 60000);
      records.push_back(audit_of(id));
    }
    // Each thread sends the round's challenges in the same batches, one after the other, each batch's uses
    // in the order of their ids or the reverse: threads on one batch at once would lock in opposite orders
    // if the store did not sort them.
    auto node = [&](Database& db, bool backwards) {
      for (std::size_t first = 0; first < records.size(); first += kBatch) {
        std::vector<AuditRecord> batch(
            records.begin() + static_cast<std::ptrdiff_t>(first),
            records.begin() + static_cast<std::ptrdiff_t>(std::min(records.size(), first + kBatch)));
        if (backwards) std::reverse(batch.begin(), batch.end());
        try {
          for (const ChallengeState state : db.use_and_record_all(batch))
            if (state == ChallengeState::open) ++used_once;
        } catch (const StoreUnavailable&) {
          ++failures;
        }
      }
    };
    // Four threads per node, both orders on each, so batches also race within one node.
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back(node, std::ref(*node_a), t % 2 == 0);
      threads.emplace_back(node, std::ref(*node_b), t % 2 == 1);
    }
    for (std::thread& thread : threads) thread.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(used_once.load(), kRounds * static_cast<int>(kChallenges));

  PGconn* conn = PQconnectdb(conninfo);
  ASSERT_EQ(PQstatus(conn), CONNECTION_OK);
  const std::string pattern = run + "%";
  const char* values[] = {pattern.c_str()};
  PGresult* rows = PQexecParams(conn,
                                "SELECT count(*), count(DISTINCT challenge_id) FROM audit "
                                "WHERE challenge_id LIKE $1",
                                1, nullptr, values, nullptr, nullptr, 0);
  ASSERT_EQ(PQresultStatus(rows), PGRES_TUPLES_OK);
  EXPECT_EQ(std::atoi(PQgetvalue(rows, 0, 0)), kRounds * static_cast<int>(kChallenges));
  EXPECT_EQ(std::atoi(PQgetvalue(rows, 0, 1)), kRounds * static_cast<int>(kChallenges));
  PQclear(rows);
  PQfinish(conn);
}

TEST(ServerPostgresLive, ABatchOfLookUpsIsAnsweredInOrder) {
  const char* conninfo = std::getenv("CCCD_TEST_POSTGRESQL");
  if (conninfo == nullptr) GTEST_SKIP() << "CCCD_TEST_POSTGRESQL is not set (server_pg_test.sh sets it)";
  const auto db = open_postgresql(conninfo, 2);
  expect_look_ups_in_batch_order(*db, "lookups-" + std::to_string(now_unix_ms()) + "-");
}

TEST(ServerMetrics, PrometheusText) {
  Metrics metrics;
  metrics.request("/v1/verifications", 200, 0.003);
  metrics.request("/v1/verifications", 409, 0.5);
  metrics.verdict("verified");
  metrics.finding("chip_authenticity", "passed");
  metrics.store_operation("use", "committed");
  const std::string text = metrics.text();
  EXPECT_NE(text.find("cccd_http_requests_total{route=\"/v1/verifications\",code=\"409\"} 1\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("cccd_http_request_duration_seconds_bucket{route=\"/v1/verifications\",le=\"0.005\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("cccd_http_request_duration_seconds_bucket{route=\"/v1/verifications\",le=\"+Inf\"} 2\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("cccd_verification_findings_total{finding=\"chip_authenticity\",status=\"passed\"} 1\n"),
      std::string::npos);
  EXPECT_NE(text.find("# TYPE cccd_connections_open gauge\n"), std::string::npos);

  // A judged verification counts its verdict and each finding at once, adding to the counts above.
  metrics.verification("verified", {{"chip_authenticity", "passed"}, {"document_validity", "failed"}});
  metrics.verification("not_verified", {{"chip_authenticity", "failed"}});
  const std::string after = metrics.text();
  EXPECT_NE(after.find("cccd_verifications_total{overall=\"verified\"} 2\n"), std::string::npos);
  EXPECT_NE(after.find("cccd_verifications_total{overall=\"not_verified\"} 1\n"), std::string::npos);
  EXPECT_NE(
      after.find("cccd_verification_findings_total{finding=\"chip_authenticity\",status=\"passed\"} 2\n"),
      std::string::npos);
  EXPECT_NE(
      after.find("cccd_verification_findings_total{finding=\"chip_authenticity\",status=\"failed\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      after.find("cccd_verification_findings_total{finding=\"document_validity\",status=\"failed\"} 1\n"),
      std::string::npos);
}

std::vector<std::pair<std::string, std::string>> members_of(std::string_view text) {
  std::size_t error_at = 0;
  const auto members = json_object_members(text, error_at);
  if (!members) return {{"error at", std::to_string(error_at)}};
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& m : *members) out.emplace_back(m.key, std::string(m.value));
  return out;
}

using Members = std::vector<std::pair<std::string, std::string>>;

TEST(ServerJsonMembers, ValuesAreDelimitedAsJsonDelimitsThem) {
  EXPECT_EQ(members_of(" {} "), Members{});
  EXPECT_EQ(members_of(R"({"a": 1, "b":true,"c" : null})"),
            (Members{{"a", "1"}, {"b", "true"}, {"c", "null"}}));
  // Quotes, braces and brackets inside strings move no boundary; escapes are honoured.
  EXPECT_EQ(members_of(R"({"e": {"x": "}\"{[", "y": [1, {"z": "]"}]}, "f": "a\\"})"),
            (Members{{"e", R"({"x": "}\"{[", "y": [1, {"z": "]"}]})"}, {"f", R"("a\\")"}}));
  EXPECT_EQ(members_of(R"({"k\u0065y": -1.5e3})"), (Members{{"key", "-1.5e3"}}));
  // Keys: plain ones as they stand, others through the JSON parser (escapes, UTF-8), raw control
  // characters and broken UTF-8 refused.
  EXPECT_EQ(members_of(R"({"challenge_id": 1, "Ư": 2})"), (Members{{"challenge_id", "1"}, {"Ư", "2"}}));
  EXPECT_EQ(members_of("{\"a\tb\": 1}").front().first, "error at");
  EXPECT_EQ(members_of("{\"\xC3\": 1}").front().first, "error at");
}

TEST(ServerJsonMembers, StringValuesAsJsonReadsThem) {
  EXPECT_EQ(json_string_value(R"("passed")"), "passed");
  EXPECT_EQ(json_string_value(R"("")"), "");
  EXPECT_EQ(json_string_value(R"("a\"b")"), "a\"b");
  EXPECT_EQ(json_string_value(R"("\u0041\u1eef")"), "A\xE1\xBB\xAF");
  EXPECT_EQ(json_string_value("\"Ư\""), "Ư");
  EXPECT_EQ(json_string_value(R"("a"b")"), std::nullopt);  // not one literal
  EXPECT_EQ(json_string_value("\"tab\there\""), std::nullopt);
  EXPECT_EQ(json_string_value("\"\xFF\""), std::nullopt);
  EXPECT_EQ(json_string_value("passed"), std::nullopt);
  EXPECT_EQ(json_string_value("\""), std::nullopt);
  EXPECT_EQ(json_string_value("1"), std::nullopt);
  EXPECT_EQ(members_of("{\n\t\"a\"\r:\n[ ]\n}\n"), (Members{{"a", "[ ]"}}));
}

TEST(ServerJsonMembers, StructuralErrorsGiveTheirPosition) {
  EXPECT_EQ(members_of(""), (Members{{"error at", "0"}}));
  EXPECT_EQ(members_of("[1]"), (Members{{"error at", "0"}}));
  EXPECT_EQ(members_of(R"({"a": )"), (Members{{"error at", "6"}}));
  EXPECT_EQ(members_of(R"({"a" 1})"), (Members{{"error at", "5"}}));
  EXPECT_EQ(members_of(R"({"a": 1 "b": 2})"), (Members{{"error at", "8"}}));
  EXPECT_EQ(members_of(R"({"a": {"b": [1}]})").front().first, "error at");  // crossed brackets
  EXPECT_EQ(members_of(R"({"a": "open})").front().first, "error at");
  // A raw control character inside a string does not move a boundary; the value's reader refuses it.
  EXPECT_EQ(members_of("{\"a\": \"line\nbreak\"}"), (Members{{"a", "\"line\nbreak\""}}));
  EXPECT_EQ(members_of(R"({"a": 1} x)").front().first, "error at");
  // A NUL ends a C string, not JSON: what follows the object is still there.
  EXPECT_EQ(members_of(std::string("{\"a\": 1}\0", 9)), (Members{{"error at", "8"}}));
  EXPECT_EQ(members_of(R"({a: 1})").front().first, "error at");
  EXPECT_EQ(members_of(R"({"a": 1,})").front().first, "error at");
  std::string deep = R"({"a": )" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_EQ(members_of(deep).front().first, "error at");
}

// Random JSON values with what could mislead a scanner: strings holding quotes, backslashes, brackets and
// non-ASCII text, nesting, numbers and literals.
nlohmann::json random_value(std::mt19937& rng, int depth) {
  static const std::vector<std::string> pieces = {"\"", "\\", "{",    "}", "[",  "]",      ",",  ":",
                                                  "a",  "Ư",  "\\\"", " ", "\n", "\u0001", "x\\"};
  const int kind = static_cast<int>(rng() % (depth > 3 ? 5 : 7));
  switch (kind) {
    case 0:
      return nullptr;
    case 1:
      return rng() % 2 == 0;
    case 2:
      return static_cast<int>(rng() % 20000) - 10000;
    case 3:
      return static_cast<double>(rng() % 1000) / 7.0;
    case 4: {
      std::string text;
      for (unsigned i = rng() % 8; i > 0; --i) text += pieces[rng() % pieces.size()];
      return text;
    }
    case 5: {
      nlohmann::json array = nlohmann::json::array();
      for (unsigned i = rng() % 4; i > 0; --i) array.push_back(random_value(rng, depth + 1));
      return array;
    }
    default: {
      nlohmann::json object = nlohmann::json::object();
      for (unsigned i = rng() % 4; i > 0; --i)
        object[random_value(rng, 99).dump()] = random_value(rng, depth + 1);
      return object;
    }
  }
}

TEST(ServerJsonMembers, AgreesWithAJsonParserOnRandomDocuments) {
  std::mt19937 rng(20);
  int compared = 0, mutated_accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    nlohmann::json object = nlohmann::json::object();
    for (unsigned i = rng() % 5; i > 0; --i)
      object["k" + random_value(rng, 99).dump()] = random_value(rng, 0);
    const std::string text = object.dump(round % 3 == 0 ? -1 : static_cast<int>(round % 3));
    std::size_t error_at = 0;
    const auto members = json_object_members(text, error_at);
    ASSERT_TRUE(members) << text;
    ASSERT_EQ(members->size(), object.size()) << text;
    for (const JsonMember& member : *members) {
      ASSERT_TRUE(object.contains(member.key)) << text;
      ASSERT_EQ(nlohmann::json::parse(member.value), object[member.key]) << text;
    }
    ++compared;
    // Mutated: whenever the parser still takes the text as an object (with distinct keys), the scanner
    // finds the same members with the same values.
    std::string mutant = text;
    const std::size_t at = rng() % (mutant.size() + 1);
    switch (rng() % 3) {
      case 0:
        mutant.erase(at, 1 + rng() % 3);
        break;
      case 1:
        mutant.insert(at, 1, "\"\\{}[],: a"[rng() % 10]);
        break;
      default:
        if (at < mutant.size()) mutant[at] = "\"\\{}[],: a"[rng() % 10];
    }
    nlohmann::json parsed;
    try {
      parsed = nlohmann::json::parse(mutant);
    } catch (const nlohmann::json::exception&) {
      continue;
    }
    if (!parsed.is_object()) continue;
    const auto mutant_members = json_object_members(mutant, error_at);
    ASSERT_TRUE(mutant_members) << mutant;
    std::set<std::string> keys;
    for (const JsonMember& member : *mutant_members) keys.insert(member.key);
    if (keys.size() != mutant_members->size()) continue;  // a duplicate key: the parser kept one of them
    ASSERT_EQ(mutant_members->size(), parsed.size()) << mutant;
    for (const JsonMember& member : *mutant_members) {
      ASSERT_EQ(nlohmann::json::parse(member.value), parsed[member.key]) << mutant;
    }
    ++mutated_accepted;
  }
  EXPECT_EQ(compared, 3000);
  EXPECT_GT(mutated_accepted, 100);
}

// Parses `wire` with a request parser of Body, fed `piece` bytes at a time as reads would come.
template <class Body>
std::pair<boost::beast::error_code, std::string> parse_request(const std::string& wire, std::size_t piece,
                                                               std::uint64_t body_limit) {
  namespace http = boost::beast::http;
  http::request_parser<Body> parser;
  parser.body_limit(body_limit);
  boost::beast::error_code ec;
  std::size_t at = 0;
  while (!parser.is_done() && !ec && at < wire.size()) {
    const std::size_t n = std::min(piece, wire.size() - at);
    const std::size_t used = parser.put(boost::asio::buffer(wire.data() + at, n), ec);
    if (ec == http::error::need_more) {
      ec = {};
      if (used == 0 && n == wire.size() - at) break;  // the rest does not make a whole piece
      if (used == 0) {
        piece *= 2;  // Beast wants a whole line or chunk header at once
        continue;
      }
    }
    at += used;
  }
  if (!ec && !parser.is_done()) ec = http::error::partial_message;
  return {ec, ec ? std::string() : parser.get().body()};
}

TEST(ServerRequestBody, ReadsWhatStringBodyReads) {
  std::mt19937 random(7);
  std::string body(45000, '\0');
  for (char& c : body) c = static_cast<char>(random());  // any bytes, zeros among them
  const std::string head = "POST /v1/verifications HTTP/1.1\r\nHost: x\r\n";
  const std::string sized = head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string chunked = head + "Transfer-Encoding: chunked\r\n\r\n";
  for (std::size_t at = 0; at < body.size(); at += 4096) {
    const std::string part = body.substr(at, 4096);
    chunked += to_hex(std::vector<std::uint8_t>{static_cast<std::uint8_t>(part.size() >> 8),
                                                static_cast<std::uint8_t>(part.size() & 0xFF)}) +
               "\r\n" + part + "\r\n";
  }
  chunked += "0\r\n\r\n";
  const std::string* const wires[] = {&sized, &chunked};
  for (const std::string* wire : wires) {
    for (const std::size_t piece : {std::size_t{1500}, std::size_t{65536}}) {
      const auto [ec, read] = parse_request<RequestBody>(*wire, piece, 1 << 20);
      const auto [string_ec, string_read] =
          parse_request<boost::beast::http::string_body>(*wire, piece, 1 << 20);
      ASSERT_FALSE(ec) << ec.message();
      ASSERT_FALSE(string_ec) << string_ec.message();
      EXPECT_EQ(read.size(), body.size());
      EXPECT_TRUE(read == body) << "the body read differs from the one sent";
      EXPECT_TRUE(read == string_read);
    }
  }
  // Over the limit: refused, with Content-Length at the header, chunked as the chunks come.
  EXPECT_EQ(parse_request<RequestBody>(sized, 65536, 40000).first, boost::beast::http::error::body_limit);
  EXPECT_EQ(parse_request<RequestBody>(chunked, 65536, 40000).first, boost::beast::http::error::body_limit);
}

// Standard error sent to a file for the life of the object, so that a test reads what the log wrote.
class StderrToFile {
 public:
  StderrToFile() : path_(std::filesystem::temp_directory_path() / ("cccd-log-" + std::to_string(getpid()))) {
    std::fflush(stderr);
    saved_ = dup(2);
    const int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    close(fd);
  }
  ~StderrToFile() {
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    std::filesystem::remove(path_);
  }
  StderrToFile(const StderrToFile&) = delete;
  StderrToFile& operator=(const StderrToFile&) = delete;
  std::vector<nlohmann::json> lines() const {
    std::ifstream in(path_);
    std::vector<nlohmann::json> parsed;
    for (std::string line; std::getline(in, line);) parsed.push_back(nlohmann::json::parse(line));
    return parsed;
  }

 private:
  std::filesystem::path path_;
  int saved_;
};

TEST(ServerLog, ALineIsOneObjectWithItsTime) {
  const StderrToFile log;
  log_line({{"route", "/v1/challenges"}, {"status", 201}});
  log_line(nlohmann::json::array({1, 2}));  // not an object: still a line of its own, with the time
  const auto lines = log.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["route"], "/v1/challenges");
  EXPECT_EQ(lines[0]["status"], 201);
  EXPECT_EQ(lines[0]["time"].get<std::string>().size(), std::string("2026-12-08T00:00:00.000Z").size());
  EXPECT_EQ(lines[1].size(), 1u);
  EXPECT_TRUE(lines[1].contains("time"));
}

TEST(ServerLog, ABatchWritesItsLinesInOrderWhenItEnds) {
  const StderrToFile log;
  {
    const LogBatch batch;
    log_line({{"n", 1}});
    {
      const LogBatch inner;  // nested: the outer batch keeps holding
      log_line({{"n", 2}});
    }
    EXPECT_TRUE(log.lines().empty());
    // Another thread's line is not held by this thread's batch.
    std::thread([] { log_line({{"n", 0}}); }).join();
    ASSERT_EQ(log.lines().size(), 1u);
    log_line({{"n", 3}});
  }
  log_line({{"n", 4}});  // after the batch: written at once
  std::vector<int> order;
  for (const auto& line : log.lines()) order.push_back(line["n"].get<int>());
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(ServerUtil, HexBase64Time) {
  const std::vector<std::uint8_t> bytes = {0x00, 0xAB, 0xFF};
  EXPECT_EQ(to_hex(bytes), "00abff");
  EXPECT_EQ(from_hex("00ABff"), bytes);
  EXPECT_FALSE(from_hex("0"));
  EXPECT_FALSE(from_hex("zz"));
  EXPECT_EQ(base64(std::vector<std::uint8_t>{'a', 'b', 'c', 'd'}), "YWJjZA==");
  EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(to_hex(sha256(std::string_view("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace cccd::server
