// Checkpoints an SQLite WAL from a thread of its own. Left to SQLite, the commit that crosses the
// autocheckpoint threshold (1 000 pages) copies the WAL back into the database and, with
// synchronous=NORMAL, fsyncs both, inside that request: the request and every one queued behind it
// waited several milliseconds, the largest part of the server's p99 at half load
// (bench/server_bench.sh). Here a second connection runs a PASSIVE checkpoint every period, beside the
// requests (a passive checkpoint never blocks a writer), and the request connection's own threshold is
// raised to a safety net for when this thread could not open its connection or falls behind.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace cccd::server {

class WalCheckpointer {
 public:
  // Opens its own connection to `path` and starts; running() is false when that failed (the caller then
  // leaves SQLite's own checkpoints as they are).
  WalCheckpointer(const std::string& path, std::chrono::milliseconds period);
  ~WalCheckpointer();  // stops the thread and closes its connection
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  bool running() const noexcept { return thread_.joinable(); }

 private:
  void run();

  sqlite3* db_ = nullptr;
  std::chrono::milliseconds period_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cccd::server
