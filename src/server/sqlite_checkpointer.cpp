#include "sqlite_checkpointer.hpp"

#include <sqlite3.h>

namespace cccd::server {

WalCheckpointer::WalCheckpointer(const std::string& path, std::chrono::milliseconds period)
    : period_(period) {
  // A connection checkpoints only once it has seen that the database is in WAL mode (before that
  // sqlite3_wal_checkpoint_v2 does nothing and says so with -1 frames): the pragma reads the header.
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
          SQLITE_OK ||
      sqlite3_busy_timeout(db_, 1000) != SQLITE_OK ||
      sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) != SQLITE_OK) {
    sqlite3_close(db_);
    db_ = nullptr;
    return;
  }
  thread_ = std::thread([this] { run(); });
}

WalCheckpointer::~WalCheckpointer() {
  {
    const std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  sqlite3_close(db_);
}

void WalCheckpointer::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period_, [this] { return stop_; })) {
    lock.unlock();
    // PASSIVE: copies what no reader still needs, waits for no one. A failure (the file busy, the disk
    // full) is retried next period; the request connection's safety-net threshold bounds the WAL.
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
  }
}

}  // namespace cccd::server
