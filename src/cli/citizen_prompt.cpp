#include "cli/citizen_prompt.hpp"

#include <cccd/error.hpp>

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace cccd::cli {
namespace {

// A QR line is under 300 bytes of UTF-8; the parser refuses anything near this.
constexpr std::size_t kMaxLine = 1024;

// Echo off on a terminal for as long as it lives (canonical mode kept: the line arrives on Enter).
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (::isatty(fd_) == 0 || ::tcgetattr(fd_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    // TCSANOW, not TCSAFLUSH: a line the scanner typed ahead of the question is kept, not discarded.
    active_ = ::tcsetattr(fd_, TCSANOW, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

}  // namespace

std::optional<SecureString> read_citizen_line(int fd, const Cancellation* stop) {
  EchoOff quiet(fd);
  SecureString line;
  line.reserve(kMaxLine);
  bool too_long = false;
  char c = 0;
  for (;;) {
    if (stop != nullptr && stop->cancelled()) return std::nullopt;
    pollfd ready{fd, POLLIN, 0};
    const int polled = ::poll(&ready, 1, 100);
    if (polled < 0 && errno != EINTR)
      throw Error(ErrorCode::io, std::string("cannot read the terminal: ") + std::strerror(errno));
    if (polled <= 0) continue;
    const ssize_t got = ::read(fd, &c, 1);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got < 0) throw Error(ErrorCode::io, std::string("cannot read the terminal: ") + std::strerror(errno));
    if (got == 0) {
      if (line.empty()) return std::nullopt;
      break;
    }
    if (c == '\n') break;
    if (line.size() < kMaxLine) {
      line.push_back(c);
    } else {
      too_long = true;
    }
  }
  secure_wipe(&c, sizeof c);
  if (too_long)
    throw Error(ErrorCode::invalid_argument, "the line is too long for an ID number or a CCCD's QR code");
  return line;
}

}  // namespace cccd::cli
