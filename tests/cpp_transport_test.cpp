// The installed C++ API (cccd.hpp) with a transport of its own: a cccd::Transport subclass that carries
// each APDU over a socketpair to `cccd-sim serve --vpcd-fd` in a child process (the vpcd framing: a
// 2-byte big-endian length, then the bytes). This program uses cccd.hpp and libcccd.so only, as an
// integrator's would. Cases: verified with the card's CSCA; signer trust unknown without it; a wrong CAN
// is cccd::Error(access_denied); a transport whose transmit throws anything ends the read as a transport
// error (no exception crosses the C library); a card that leaves without a reconnect ends it as
// card_removed; a cancel from another thread interrupts a transmit blocked in the transport.
//
//   cpp_transport_test CCCD_SIM     (personalises its card in a temporary folder, removed at the end)
//
// Prints "ok: ..." per case and "N passed, 0 failed"; exit 1 at the first failed case.
#include <cccd/cccd.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

int passed = 0;

// Throws: the stack unwinds (the served cards stop, the temporary folder goes) and main reports.
struct CaseFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] void fail(const std::string& what) {
  throw CaseFailed(what);
}

void check(bool condition, const std::string& what) {
  if (!condition) fail(what);
}

// The card in a child process: `cccd-sim serve FOLDER --vpcd-fd 3`, its end of a socketpair on fd 3.
class ServedCard {
 public:
  ServedCard(const std::string& sim, const std::string& folder, const std::string& remove_at = {}) {
    int ends[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0)
      throw std::runtime_error("socketpair");
    std::cout.flush();  // a child must not inherit, and later flush, what this process has buffered
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      ::dup2(ends[1], 3);  // dup2 clears close-on-exec on the copy
      std::vector<std::string> args = {sim, "serve", folder, "--vpcd-fd", "3"};
      if (!remove_at.empty()) args.insert(args.end(), {"--remove-at", remove_at});
      std::vector<char*> argv;
      for (std::string& arg : args) argv.push_back(arg.data());
      argv.push_back(nullptr);
      ::freopen("/dev/null", "w", stdout);
      ::execv(sim.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(ends[1]);
    socket_ = ends[0];
  }
  ~ServedCard() {
    ::close(socket_);  // the sim sees the driver close and ends
    int status = 0;
    for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGTERM);  // exactly the child this object started
      ::waitpid(pid_, &status, 0);
    }
  }
  ServedCard(const ServedCard&) = delete;
  ServedCard& operator=(const ServedCard&) = delete;
  int socket() const { return socket_; }

 private:
  pid_t pid_ = -1;
  int socket_ = -1;
};

// The vpcd framing over a connected socket, with a wake-up pipe for cancel().
class SocketTransport : public cccd::Transport {
 public:
  explicit SocketTransport(int socket) : Transport(cccd::TransportLimits{65535, 65536}), socket_(socket) {
    if (::pipe(wake_) != 0) throw std::runtime_error("pipe");
  }
  ~SocketTransport() override {
    ::close(wake_[0]);
    ::close(wake_[1]);
  }

  std::vector<std::uint8_t> transmit(std::span<const std::uint8_t> command) override {
    if (command.size() > 0xFFFF) throw cccd::Error(CCCD_ERR_TRANSPORT, "command too long for vpcd");
    std::vector<std::uint8_t> frame = {static_cast<std::uint8_t>(command.size() >> 8),
                                       static_cast<std::uint8_t>(command.size() & 0xFF)};
    frame.insert(frame.end(), command.begin(), command.end());
    write_all(frame);
    std::uint8_t header[2];
    read_exact(header, 2);
    std::vector<std::uint8_t> response(static_cast<std::size_t>(header[0] << 8 | header[1]));
    read_exact(response.data(), response.size());
    return response;
  }
  void cancel() noexcept override {
    const char byte = 1;
    (void)!::write(wake_[1], &byte, 1);
  }

 private:
  void write_all(const std::vector<std::uint8_t>& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::send(socket_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw cccd::Error(CCCD_ERR_CARD_REMOVED, "the card's connection closed");
      done += static_cast<std::size_t>(n);
    }
  }
  void read_exact(std::uint8_t* into, std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
      pollfd fds[2] = {{socket_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      if (::poll(fds, 2, 10000) <= 0) throw cccd::Error(CCCD_ERR_TIMEOUT, "the card did not answer");
      if (fds[1].revents != 0) throw cccd::Error(CCCD_ERR_CANCELLED, "cancelled");
      const ssize_t n = ::recv(socket_, into + done, size - done, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw cccd::Error(CCCD_ERR_CARD_REMOVED, "the card's connection closed");
      done += static_cast<std::size_t>(n);
    }
  }

  int socket_;
  int wake_[2] = {-1, -1};
};

// A transport whose transmit throws what a careless integrator's code may throw.
class ThrowingTransport : public cccd::Transport {
 public:
  std::vector<std::uint8_t> transmit(std::span<const std::uint8_t> /*command*/) override {
    throw std::out_of_range("a bug in the integrator's code");
  }
};

// The same as SocketTransport, but the card never answers: it swallows the command and blocks.
class SilentTransport : public cccd::Transport {
 public:
  std::vector<std::uint8_t> transmit(std::span<const std::uint8_t> /*command*/) override {
    std::unique_lock lock(mutex_);
    woken_.wait_for(lock, std::chrono::seconds(20), [this] { return cancelled_; });
    if (cancelled_) throw cccd::Error(CCCD_ERR_CANCELLED, "cancelled while waiting for the card");
    throw cccd::Error(CCCD_ERR_TIMEOUT, "the card did not answer");
  }
  void cancel() noexcept override {
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
    }
    woken_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable woken_;
  bool cancelled_ = false;
};

template <class Body>
cccd_status status_of(Body&& body) {
  try {
    body();
  } catch (const cccd::Error& e) {
    return e.status();
  }
  return CCCD_OK;
}

}  // namespace

int run_cases(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " CCCD_SIM\n";
    return 2;
  }
  const std::string sim = argv[1];
  std::string temp = (std::filesystem::temp_directory_path() / "cpp_transport_XXXXXX").string();
  if (::mkdtemp(temp.data()) == nullptr) fail("mkdtemp");
  struct Remove {
    std::string path;
    ~Remove() { std::filesystem::remove_all(path); }
  } remove{temp};
  const std::string folder = temp + "/card";
  const std::string personalise = "'" + sim + "' personalise '" + folder + "' --seed 6 > /dev/null";
  if (std::system(personalise.c_str()) != 0) fail("cccd-sim personalise");
  cccd::Trust trust;
  trust.add_path(folder + "/csca.pem");
  const cccd::Credentials can = cccd::Credentials::from_can("012345");

  {
    ServedCard card(sim, folder);
    SocketTransport transport(card.socket());
    const cccd::Result result = cccd::read(transport, can, &trust);
    check(result.verified(), "a C++ transport's read is not verified");
    check(result.json().find("\"source\": \"custom\"") != std::string_view::npos, "source is not custom");
    check(!result.photo().empty(), "no photo");
    ++passed;
    std::cout << "ok: a cccd::Transport subclass reads the card served by cccd-sim: verified\n";
  }
  {
    ServedCard card(sim, folder);
    SocketTransport transport(card.socket());
    const cccd::Result result = cccd::read(transport, can);
    check(!result.verified(), "verified without any trust");
    check(result.json().find("\"test_csca\": false") != std::string_view::npos, "test_csca without trust");
    ++passed;
    std::cout << "ok: without trust the same card is not verified\n";
  }
  {
    ServedCard card(sim, folder);
    SocketTransport transport(card.socket());
    const cccd_status status =
        status_of([&] { (void)cccd::read(transport, cccd::Credentials::from_can("012399"), &trust); });
    check(status == CCCD_ERR_ACCESS_DENIED, std::string("wrong CAN gave ") + cccd_status_name(status));
    ++passed;
    std::cout << "ok: a wrong CAN is cccd::Error(access_denied)\n";
  }
  {
    ThrowingTransport transport;
    const cccd_status status = status_of([&] { (void)cccd::read(transport, can, &trust); });
    check(status == CCCD_ERR_TRANSPORT, std::string("a throwing transmit gave ") + cccd_status_name(status));
    ++passed;
    std::cout << "ok: a transmit that throws std::out_of_range ends the read as a transport error\n";
  }
  {
    ServedCard card(sim, folder, "20");
    SocketTransport transport(card.socket());
    cccd::ReadOptions options;
    options.resume(true, 2000);  // asked for, but this transport cannot reconnect
    const cccd_status status = status_of([&] { (void)cccd::read(transport, can, &trust, &options); });
    check(status == CCCD_ERR_CARD_REMOVED,
          std::string("a card pulled away gave ") + cccd_status_name(status));
    ++passed;
    std::cout << "ok: a card pulled away from a transport without reconnect is card_removed\n";
  }
  {
    SilentTransport transport;
    cccd::CancelToken token;
    cccd::ReadOptions options;
    options.cancel_with(token);
    std::thread canceller([&token] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      token.cancel();
    });
    const auto start = std::chrono::steady_clock::now();
    const cccd_status status = status_of([&] { (void)cccd::read(transport, can, &trust, &options); });
    const auto took = std::chrono::steady_clock::now() - start;
    canceller.join();
    check(status == CCCD_ERR_CANCELLED, std::string("a cancelled read gave ") + cccd_status_name(status));
    check(took < std::chrono::seconds(5), "the cancel did not interrupt the blocked transmit");
    ++passed;
    std::cout << "ok: a cancel from another thread interrupts a transmit blocked in the transport\n";
  }
  std::cout << passed << " passed, 0 failed\n";
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run_cases(argc, argv);
  } catch (const std::exception& e) {
    std::cout << "FAIL: " << e.what() << '\n' << passed << " passed, 1 failed\n";
    return 1;
  }
}
