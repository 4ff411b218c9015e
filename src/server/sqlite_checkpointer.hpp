// Checkpoints an SQLite WAL from a thread of its own. Left to SQLite, the commit that crosses the
// autocheckpoint threshold (1 000 pages) copies the WAL back into the database and, with
// synchronous=NORMAL, fsyncs both, inside that request: the request and every one queued behind it
// waited several milliseconds, the largest part of the server's p99 at half load
// (bench/server_bench.sh). Here a second connection runs a PASSIVE checkpoint every period, beside the
// requests (a passive checkpoint never blocks a writer), and the request connection's own threshold is
// raised to a safety net for when this thread could not open its connection or falls behind. The thread
// runs at SCHED_IDLE: a checkpoint's copy takes a millisecond or more of CPU, which a request arriving
// meanwhile must not wait behind (at half load, with both at one priority, the request thread waited
// behind it 29 times in 3 000 requests, up to 1.45 ms at once).
//
// It also keeps the WAL file in the page cache. A writer wraps round to the start of the WAL only after a
// checkpoint that no commit overlapped, which under steady load is the safety net's (every 40 000 frames,
// 165 MB: sqlite_store.cpp), so the writer overwrites frames written many seconds before. Those the kernel
// had dropped from the cache (memory reclaim: DAMON on the bench's VM) made each partly overwritten 4 KiB
// block a synchronous disk read inside the request: 155 reads, 32 ms of the request thread in 3.2 s at half
// load (server_bench). Every period this thread asks which of the WAL's pages the cache dropped (mincore) and
// has those read back in the background (POSIX_FADV_WILLNEED), so the writer finds them cached: only
// where the writer goes next, the stretch after its last frame and the WAL's start (where it wraps round
// to), each `lookahead` bytes long. The rest of the WAL was copied back already and will not be written
// for many seconds; asking for all of it each period costs a look at every page of the file, and reads
// back from the disk whatever the kernel keeps dropping.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct sqlite3;

namespace cccd::server {

class WalCheckpointer {
 public:
  // What the writer appends in about a second at the bench's rates (about 13 MB a second at half load: a
  // commit a request, 3.8 frames of 4 KiB each): five periods ahead.
  static constexpr std::size_t kDefaultLookahead = std::size_t{16} << 20;

  // Opens its own connection to `path` and starts; running() is false when that failed (the caller then
  // leaves SQLite's own checkpoints as they are).
  WalCheckpointer(const std::string& path, std::chrono::milliseconds period,
                  std::size_t lookahead = kDefaultLookahead);
  ~WalCheckpointer();  // stops the thread and closes its connection
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  bool running() const noexcept { return thread_.joinable(); }

 private:
  void run();
  // `log_frames`: the WAL's frames as the last checkpoint saw them (where the writer goes on), -1 unknown.
  void keep_wal_cached(int log_frames);
  void read_back_dropped(std::size_t begin, std::size_t end);
  void unmap_wal();

  std::string wal_path_;
  int wal_fd_ = -1;
  void* mapped_ = nullptr;
  std::size_t mapped_size_ = 0;
  std::vector<unsigned char> resident_;  // mincore's answer, a byte a page
  sqlite3* db_ = nullptr;
  std::chrono::milliseconds period_;
  std::size_t lookahead_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace cccd::server
