#include "sqlite_checkpointer.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace cccd::server {

WalCheckpointer::WalCheckpointer(const std::string& path, std::chrono::milliseconds period,
                                 std::size_t lookahead)
    : wal_path_(path + "-wal"), period_(period), lookahead_(lookahead) {
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
  unmap_wal();
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

void WalCheckpointer::keep_wal_cached(int log_frames) {
  // The WAL is opened here once, and again only if SQLite replaced the file (a new inode at its path).
  struct stat at_path {};
  if (::stat(wal_path_.c_str(), &at_path) != 0) return;  // none yet: nothing to keep
  struct stat open_file {};
  if (wal_fd_ >= 0 && (::fstat(wal_fd_, &open_file) != 0 || open_file.st_ino != at_path.st_ino ||
                       open_file.st_dev != at_path.st_dev)) {
    unmap_wal();
    ::close(wal_fd_);
    wal_fd_ = -1;
  }
  if (wal_fd_ < 0) wal_fd_ = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (wal_fd_ < 0 || ::fstat(wal_fd_, &open_file) != 0 || open_file.st_size <= 0) return;
  // A mapping only to ask which pages the cache holds (mincore): it is never read, so it faults nothing in.
  const auto size = static_cast<std::size_t>(open_file.st_size);
  if (size != mapped_size_) {
    unmap_wal();
    void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, wal_fd_, 0);
    if (map == MAP_FAILED) return;
    mapped_ = map;
    mapped_size_ = size;
  }
  // Where the writer appends next: after the WAL's header (32 bytes) and its frames, each a 24-byte header
  // and a database page (the page size is in the WAL's header, big-endian at byte 8). Unknown (no
  // checkpoint ran, a header that does not read), the whole file is kept, as a first look does.
  std::size_t next_write = 0;
  std::size_t ahead = size;
  unsigned char header[32];
  if (log_frames >= 0 && ::pread(wal_fd_, header, sizeof header, 0) == static_cast<ssize_t>(sizeof header)) {
    const std::size_t page_size = (std::size_t{header[8]} << 24) | (std::size_t{header[9]} << 16) |
                                  (std::size_t{header[10]} << 8) | std::size_t{header[11]};
    if (page_size >= 512 && page_size <= 65536) {
      next_write = 32 + static_cast<std::size_t>(log_frames) * (24 + page_size);
      ahead = lookahead_;
    }
  }
  const std::size_t start_end = std::min(ahead, size);
  read_back_dropped(0, start_end);
  if (next_write < size)
    read_back_dropped(std::max(next_write, start_end), std::min(size, next_write + ahead));
}

void WalCheckpointer::read_back_dropped(std::size_t begin, std::size_t end) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  begin -= begin % page;
  if (begin >= end) return;
  resident_.resize((end - begin + page - 1) / page);
  // In pieces of 1 MiB: the kernel does not preempt a system call (PREEMPT_NONE, the common server
  // setting), and one mincore over a 41 MB WAL took about half a millisecond, which a request thread waking
  // meanwhile waited out whatever this thread's priority. A piece takes microseconds.
  constexpr std::size_t kLookPiece = std::size_t{1} << 20;
  for (std::size_t offset = begin; offset < end; offset += kLookPiece) {
    const std::size_t length = std::min(kLookPiece, end - offset);
    if (::mincore(static_cast<char*>(mapped_) + offset, length, resident_.data() + (offset - begin) / page) !=
        0)
      return;
  }
  // Each page the cache dropped is asked back. A WILLNEED reads at most the device's read-ahead window
  // (128 KiB by default), so a run of dropped pages is asked in pieces no larger.
  constexpr std::size_t kPiece = 128 * 1024;
  for (std::size_t i = 0; i < resident_.size(); ++i) {
    if ((resident_[i] & 1) != 0) continue;
    std::size_t run_end = i + 1;
    while (run_end < resident_.size() && (resident_[run_end] & 1) == 0 && (run_end - i) * page < kPiece)
      ++run_end;
    ::posix_fadvise(wal_fd_, static_cast<off_t>(begin + i * page), static_cast<off_t>((run_end - i) * page),
                    POSIX_FADV_WILLNEED);
    i = run_end - 1;
  }
}

void WalCheckpointer::unmap_wal() {
  if (mapped_ != nullptr) ::munmap(mapped_, mapped_size_);
  mapped_ = nullptr;
  mapped_size_ = 0;
}

void WalCheckpointer::run() {
  // Background work, at the lowest priority there is: a request thread that wakes takes the CPU from it at
  // once, instead of waiting behind a checkpoint's copy (a millisecond or more of CPU). Under a load that
  // leaves no idle time it still runs a little, and the request connection's safety net bounds the WAL.
  const sched_param no_priority{};
  sched_setscheduler(0, SCHED_IDLE, &no_priority);  // best effort: this thread only (Linux: 0 = caller)
  // Named after the priority is set, so that whoever finds the name finds the priority too (the test).
  pthread_setname_np(pthread_self(), "cccd-checkpoint");
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period_, [this] { return stop_; })) {
    lock.unlock();
    // PASSIVE: copies what no reader still needs, waits for no one. A failure (the file busy, the disk
    // full) is retried next period; the request connection's safety-net threshold bounds the WAL.
    int log_frames = -1;
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames, nullptr);
    keep_wal_cached(log_frames);
    lock.lock();
  }
}

}  // namespace cccd::server
