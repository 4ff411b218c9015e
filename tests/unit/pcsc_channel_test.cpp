// PcscContext and PcscChannel against the real PC/SC stack: Debian's pcscd with the vsmartcard-vpcd
// reader driver, and the virtual CCCD served to it by `cccd-sim serve`. Each test that needs pcscd
// starts its own pcscd and cccd-sim, and stops exactly those processes (ctest runs these tests under
// RESOURCE_LOCK pcscd: only one pcscd can own /run/pcscd). The ATR rule needs no pcscd.
#include "transport/pcsc_channel.hpp"
#include "reader/session.hpp"
#include "test_support.hpp"

#include <cccd/error.hpp>
#include <cccd/reader.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace cccd {
namespace {

using namespace std::chrono_literals;
using transport::PcscChannel;
using transport::PcscContext;
using Clock = std::chrono::steady_clock;

constexpr const char* kPcscd = "/usr/sbin/pcscd";
constexpr const char* kPcscdSocket = "/run/pcscd/pcscd.comm";
constexpr const char* kVirtualReader = "Virtual PCD";
const std::string kSim = std::string(CCCD_BINARY_DIR) + "/cccd-sim";

// One child process started by this test, output discarded. Stopping it sends SIGTERM to that PID
// only, waits a bounded time, and falls back to SIGKILL.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) pid_ = -1;
  }
  ~Child() { stop(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  bool started() const { return pid_ > 0; }

  // The exit status once the child ends by itself within `limit`; nullopt if still running.
  std::optional<int> wait_exit(std::chrono::milliseconds limit) {
    const Clock::time_point deadline = Clock::now() + limit;
    while (pid_ > 0) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return status;
      }
      if (Clock::now() > deadline) return std::nullopt;
      std::this_thread::sleep_for(20ms);
    }
    return std::nullopt;
  }

  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    const pid_t pid = pid_;
    if (wait_exit(5000ms)) return;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

bool pcscd_answers() {
  try {
    PcscContext context;
    return true;
  } catch (const Error&) {
    return false;
  }
}

// The reader.conf our pcscd reads instead of Debian's, and where its vpcd driver listens: written by
// tests/lib/vpcd_reader_conf.sh, as for the shell tests (the script says why the port is not Debian's).
struct ReaderConf {
  std::string path;
  std::string vpcd_address;  // "127.0.0.1:PORT"
  std::string error;         // why there is none; empty when all is well
};

// The vpcd address in what the script printed (its stdout and stderr): the last line, which must be
// 127.0.0.1:PORT. Anything before it is a warning of a tool the script ran, not part of the address.
std::optional<std::string> vpcd_address_in(std::string_view printed) {
  while (printed.ends_with('\n')) printed.remove_suffix(1);
  const std::size_t last_line = printed.rfind('\n');
  const std::string_view address =
      last_line == std::string_view::npos ? printed : printed.substr(last_line + 1);
  const std::string_view loopback = "127.0.0.1:";
  const std::string_view port = address.starts_with(loopback) ? address.substr(loopback.size()) : "";
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  const unsigned long number = std::stoul(std::string(port));
  if (number == 0 || number > 65535) return std::nullopt;
  return std::string(address);
}

ReaderConf write_reader_conf(const std::filesystem::path& folder) {
  const std::string script = std::string(CCCD_SOURCE_DIR) + "/tests/lib/vpcd_reader_conf.sh";
  ReaderConf conf{(folder / "reader.conf").string(), {}, {}};
  FILE* out = ::popen((script + " '" + folder.string() + "' 2>&1").c_str(), "r");
  if (out == nullptr) {
    conf.error = "cannot run " + script;
    return conf;
  }
  std::string printed;
  char chunk[256];
  while (std::fgets(chunk, sizeof chunk, out) != nullptr) printed += chunk;
  while (!printed.empty() && printed.back() == '\n') printed.pop_back();
  if (::pclose(out) != 0) {
    conf.error = script + " failed: " + printed;
    return conf;
  }
  const std::optional<std::string> address = vpcd_address_in(printed);
  if (!address) {
    conf.error = script + " printed \"" + printed + "\", not 127.0.0.1:PORT";
    return conf;
  }
  conf.vpcd_address = *address;
  // The tests below find the reader by kVirtualReader: a script that names it otherwise would leave them
  // waiting for a reader that never comes, so say so here.
  std::ifstream written(conf.path);
  const std::string text((std::istreambuf_iterator<char>(written)), std::istreambuf_iterator<char>());
  if (text.find("FRIENDLYNAME \"" + std::string(kVirtualReader) + "\"") == std::string::npos) {
    conf.error =
        conf.path + " does not name the reader \"" + kVirtualReader + "\", which these tests look for";
  }
  return conf;
}

// A pcscd of our own, up and answering; stopped (with everything else this test started) on scope exit.
class PcscStack {
 public:
  PcscStack() : reader_conf_(write_reader_conf(folder_.path())) {
    if (!reader_conf_.error.empty()) {
      why_ = reader_conf_.error;
      return;
    }
    pcscd_.emplace(std::vector<std::string>{kPcscd, "--foreground", "--config", reader_conf_.path});
    if (!pcscd_->started()) {
      why_ = std::string("cannot start ") + kPcscd;
      return;
    }
    const Clock::time_point deadline = Clock::now() + 10s;
    while (Clock::now() < deadline) {
      if (std::filesystem::exists(kPcscdSocket) && pcscd_answers()) {
        up_ = true;
        return;
      }
      std::this_thread::sleep_for(50ms);
    }
    why_ = "pcscd did not answer within 10 s";
  }
  ~PcscStack() {
    sim_.reset();
    pcscd_.reset();
  }
  PcscStack(const PcscStack&) = delete;
  PcscStack& operator=(const PcscStack&) = delete;

  bool up() const { return up_; }
  const std::string& why() const { return why_; }  // why not up()

  // Personalises a virtual card folder and serves it to the vpcd driver (the card is then "inserted").
  // `serve_options`: more arguments of `cccd-sim serve` (tearing: --remove-at ...).
  bool start_card(const std::vector<std::string>& serve_options = {}) {
    if (!personalised_) {
      Child personalise({kSim, "personalise", card_folder().string()});
      if (!personalise.started()) return false;
      const std::optional<int> status = personalise.wait_exit(60s);
      if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) return false;
      personalised_ = true;
    }
    std::vector<std::string> argv{kSim, "serve", card_folder().string(), "--vpcd", reader_conf_.vpcd_address};
    argv.insert(argv.end(), serve_options.begin(), serve_options.end());
    sim_.emplace(argv);
    return sim_->started();
  }
  std::filesystem::path card_folder() const { return folder_.path() / "card"; }
  // Stops cccd-sim: to pcscd the card has left the reader. Returns once pcscd has seen it go (its
  // driver polls for presence), so the next card served is a new card to pcscd too.
  void remove_card() {
    sim_.reset();
    try {
      PcscContext context;
      for (const std::string& reader : context.readers()) {
        if (reader.find(kVirtualReader) != std::string::npos) context.wait_for_removal(reader, 10s);
      }
    } catch (const Error&) {
    }
  }

 private:
  test::TempDir folder_;
  ReaderConf reader_conf_;
  std::optional<Child> pcscd_;
  std::optional<Child> sim_;
  std::string why_;
  bool up_ = false;
  bool personalised_ = false;
};

// ctest's RESOURCE_LOCK serialises the pcscd tests of one ctest run; this file lock serialises them
// across runs on one machine too (two checkouts tested at once), as tests/lib/pcscd_stack.sh does.
// Held until this test process exits.
void hold_machine_pcscd_lock() {
  static const int fd = [] {
    const int opened = ::open("/run/lock/cccd-pcscd.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (opened >= 0) ::flock(opened, LOCK_EX);
    return opened;
  }();
  (void)fd;
}

// Why this machine cannot run the pcscd tests, or empty when it can.
std::string pcscd_unavailable() {
  hold_machine_pcscd_lock();
  if (geteuid() != 0) return "pcscd needs root to create /run/pcscd";
  if (!std::filesystem::exists(kPcscd)) return "pcscd is not installed";
  if (pcscd_answers()) return "a pcscd not started by this test is running";
  return {};
}

#define REQUIRE_OWN_PCSCD()                      \
  do {                                           \
    const std::string why = pcscd_unavailable(); \
    if (!why.empty()) GTEST_SKIP() << why;       \
  } while (false)

std::string wait_for_virtual_card(const PcscContext& context) {
  return context.wait_for_card(kVirtualReader, 20s);
}

TEST(VpcdReaderConf, TheAddressIsTheLastLineAndMustBeLoopbackWithAPort) {
  EXPECT_EQ(vpcd_address_in("127.0.0.1:35963"), "127.0.0.1:35963");
  EXPECT_EQ(vpcd_address_in("127.0.0.1:35963\n"), "127.0.0.1:35963");
  EXPECT_EQ(vpcd_address_in("warning: setlocale: LC_ALL\n127.0.0.1:1"), "127.0.0.1:1");
  EXPECT_EQ(vpcd_address_in("127.0.0.1:65535"), "127.0.0.1:65535");
  for (const std::string_view bad : {"", "\n", "127.0.0.1:", "127.0.0.1:x35963", "127.0.0.1:35963 ",
                                     "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:123456", "0.0.0.0:35963",
                                     "localhost:35963", "127.0.0.1:35963\nwarning: after the address"}) {
    EXPECT_EQ(vpcd_address_in(bad), std::nullopt) << bad;
  }
}

TEST(PcscContext, WithoutPcscdThereIsNoReader) {
  if (pcscd_answers()) GTEST_SKIP() << "a pcscd is running";
  EXPECT_EQ(test::error_of([] { PcscContext context; }), ErrorCode::no_reader);
}

TEST(PcscContext, ListsTheVirtualReader) {
  REQUIRE_OWN_PCSCD();
  PcscStack stack;
  ASSERT_TRUE(stack.up()) << stack.why();
  PcscContext context;
  const std::vector<std::string> readers = context.readers();
  EXPECT_TRUE(std::any_of(readers.begin(), readers.end(), [](const std::string& name) {
    return name.find(kVirtualReader) != std::string::npos;
  }));
}

TEST(PcscContext, WaitForCardReturnsOnceTheCardArrives) {
  REQUIRE_OWN_PCSCD();
  PcscStack stack;
  ASSERT_TRUE(stack.up()) << stack.why();
  PcscContext context;
  auto waiting = std::async(std::launch::async, [&context] { return wait_for_virtual_card(context); });
  // The wait has begun with no card on the reader: it must still be waiting.
  ASSERT_EQ(waiting.wait_for(300ms), std::future_status::timeout);
  ASSERT_TRUE(stack.start_card());
  ASSERT_EQ(waiting.wait_for(25s), std::future_status::ready);
  const std::string reader = waiting.get();
  EXPECT_NE(reader.find(kVirtualReader), std::string::npos);
  PcscChannel channel(context, reader);
  EXPECT_EQ(channel.reader_name(), reader);
  EXPECT_FALSE(channel.atr().empty());
}

TEST(PcscContext, WaitWithoutCardTimesOutInTheTimeAsked) {
  REQUIRE_OWN_PCSCD();
  PcscStack stack;
  ASSERT_TRUE(stack.up()) << stack.why();
  PcscContext context;
  const Clock::time_point start = Clock::now();
  EXPECT_EQ(test::error_of([&] { context.wait_for_card(kVirtualReader, 700ms); }), ErrorCode::timeout);
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 650ms);
  EXPECT_LT(elapsed, 3s);
  // A reader name nobody has is waited for too (a reader plugged in during the wait would match), and
  // at the end it is the reader that is missing: no_reader, which cccd-verify reports as "no reader".
  const Clock::time_point asked = Clock::now();
  EXPECT_EQ(test::error_of([&] { context.wait_for_card("No Such Reader", 200ms); }), ErrorCode::no_reader);
  EXPECT_GE(Clock::now() - asked, 150ms);
}

TEST(PcscContext, CancelEndsAWaitPromptly) {
  REQUIRE_OWN_PCSCD();
  PcscStack stack;
  ASSERT_TRUE(stack.up()) << stack.why();
  PcscContext context;
  auto waiting = std::async(std::launch::async, [&context] {
    return test::error_of([&context] { context.wait_for_card(kVirtualReader, 30s); });
  });
  ASSERT_EQ(waiting.wait_for(300ms), std::future_status::timeout);
  const Clock::time_point cancelled_at = Clock::now();
  context.cancel();
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  EXPECT_LT(Clock::now() - cancelled_at, 2s);
  EXPECT_EQ(waiting.get(), ErrorCode::cancelled);
}

TEST(PcscChannel, CardRemovedThenTransmitFails) {
  REQUIRE_OWN_PCSCD();
  PcscStack stack;
  ASSERT_TRUE(stack.up()) << stack.why();
  ASSERT_TRUE(stack.start_card());
  PcscContext context;
  const std::string reader = wait_for_virtual_card(context);
  PcscChannel channel(context, reader);
  const apdu::CommandApdu select_mf{0x00, 0xA4, 0x00, 0x0C, {0x3F, 0x00}};
  EXPECT_NO_THROW(channel.transmit(select_mf));
  // While the card stays, waiting for its removal times out.
  EXPECT_EQ(test::error_of([&] { context.wait_for_removal(reader, 300ms); }), ErrorCode::timeout);

  stack.remove_card();
  EXPECT_NO_THROW(context.wait_for_removal(reader, 10s));
  const ErrorCode code = test::error_of([&] { channel.transmit(select_mf); });
  EXPECT_TRUE(code == ErrorCode::card_removed || code == ErrorCode::no_card) << to_string(code);
}

TEST(PcscChannel, ReadsTheVirtualCardThroughPcscd) {
  REQUIRE_OWN_PCSCD();
  PcscStack stack;
  ASSERT_TRUE(stack.up()) << stack.why();
  ASSERT_TRUE(stack.start_card());
  PcscContext context;
  PcscChannel channel(context, wait_for_virtual_card(context));
  // The vpcd driver does not report its input size: the link may carry extended APDUs, and the chip
  // is asked (EF.ATR/INFO, else the extended EF.CardAccess read) whether it takes them.
  EXPECT_TRUE(channel.capabilities().extended_length);
  const ChipDump dump =
      reader::read_chip(channel, Credentials::from_id_number("001099012345"), ReadOptions{});
  EXPECT_EQ(dump.access_protocol, "PACE-GM");
  EXPECT_TRUE(dump.files.count(FileId::sod));
  EXPECT_TRUE(dump.files.count(FileId::dg1));
  EXPECT_GT(dump.stats.apdus, 0u);
}

TEST(PcscChannel, SecondExclusiveConnectionIsASharingViolation) {
  REQUIRE_OWN_PCSCD();
  PcscStack stack;
  ASSERT_TRUE(stack.up()) << stack.why();
  ASSERT_TRUE(stack.start_card());
  PcscContext context;
  const std::string reader = wait_for_virtual_card(context);
  PcscChannel first(context, reader);
  PcscContext other;
  try {
    PcscChannel second(other, reader);
    ADD_FAILURE() << "a second exclusive connection was allowed";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::transport);
    EXPECT_NE(std::string(error.what()).find("another program"), std::string::npos) << error.what();
  }
}

const Credentials& card_credentials() {
  static const Credentials credentials = Credentials::from_id_number("001099012345");
  return credentials;
}

// Reads the card through pcscd once it is on the reader.
ChipDump read_through_pcscd(const ReadOptions& options) {
  ReadOptions waiting = options;
  waiting.wait_for_card = 20s;
  return read_pcsc_card(kVirtualReader, card_credentials(), waiting);
}

TEST(PcscResume, CardPulledAtTheFirstAMiddleAndTheLastApdu) {
  REQUIRE_OWN_PCSCD();
  PcscStack stack;
  ASSERT_TRUE(stack.up()) << stack.why();
  ASSERT_TRUE(stack.start_card());
  const ChipDump baseline = read_through_pcscd({});
  const std::uint64_t apdus = baseline.stats.apdus;
  ASSERT_GT(apdus, 10u);
  stack.remove_card();

  // cccd-sim counts the APDUs of its link from 0; the first read on a new link starts there.
  for (std::uint64_t at : {std::uint64_t{0}, apdus / 2, apdus - 1}) {
    SCOPED_TRACE("pulled at APDU " + std::to_string(at));
    // Without resume: a clear "card removed", nothing else.
    ASSERT_TRUE(stack.start_card({"--remove-at", std::to_string(at), "--reinsert-after-ms", "1500"}));
    try {
      read_through_pcscd({});
      ADD_FAILURE() << "the read went through";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::card_removed) << e.what();
    }
    stack.remove_card();

    // With resume: the card comes back 1.5 s later (a person putting it back) and the read completes with the
    // same files.
    ASSERT_TRUE(stack.start_card({"--remove-at", std::to_string(at), "--reinsert-after-ms", "1500"}));
    ReadOptions resume;
    resume.resume_after_removal = true;
    resume.resume_wait = 10s;
    const ChipDump resumed = read_through_pcscd(resume);
    EXPECT_EQ(resumed.files, baseline.files);
    EXPECT_EQ(resumed.access_protocol, baseline.access_protocol);
    // Access control again, at most a SELECT, and Chip Authentication again (MSE:Set AT, GENERAL
    // AUTHENTICATE, DG14 read under its keys): nothing else read twice.
    EXPECT_LE(resumed.stats.apdus, apdus + 10 + 3);
    stack.remove_card();
  }
}

TEST(PcscCancel, AReadWaitingForItsCardToComeBackEndsPromptly) {
  REQUIRE_OWN_PCSCD();
  PcscStack stack;
  ASSERT_TRUE(stack.up()) << stack.why();
  // The card leaves at APDU 14 (in DG2) and stays away for a minute; the read waits for it (resume) until
  // another thread cancels.
  ASSERT_TRUE(stack.start_card({"--remove-at", "14", "--reinsert-after-ms", "60000"}));
  Cancellation cancellation;
  ReadOptions options;
  options.resume_after_removal = true;
  options.resume_wait = 50s;
  options.cancellation = &cancellation;
  auto read =
      std::async(std::launch::async, [&] { return test::error_of([&] { read_through_pcscd(options); }); });
  std::this_thread::sleep_for(1500ms);  // well inside the wait
  const Clock::time_point cancelled_at = Clock::now();
  cancellation.cancel();
  ASSERT_EQ(read.wait_for(5s), std::future_status::ready);
  EXPECT_LT(Clock::now() - cancelled_at, 2s);
  EXPECT_EQ(read.get(), ErrorCode::cancelled);
}

TEST(PcscCancel, AWaitForACardEndsPromptly) {
  REQUIRE_OWN_PCSCD();
  PcscStack stack;
  ASSERT_TRUE(stack.up()) << stack.why();
  Cancellation cancellation;
  ReadOptions options;
  options.wait_for_card = 50s;
  options.cancellation = &cancellation;
  auto read = std::async(std::launch::async, [&] {
    return test::error_of([&] { read_pcsc_card(kVirtualReader, card_credentials(), options); });
  });
  std::this_thread::sleep_for(500ms);
  cancellation.cancel();
  ASSERT_EQ(read.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(read.get(), ErrorCode::cancelled);
}

TEST(PcscRead, WithBacThroughPcscd) {
  REQUIRE_OWN_PCSCD();
  PcscStack stack;
  ASSERT_TRUE(stack.up()) << stack.why();
  ASSERT_TRUE(stack.start_card());
  ReadOptions options;
  options.access = AccessMode::bac_only;
  options.wait_for_card = 20s;
  const ChipDump dump = read_pcsc_card(
      kVirtualReader, Credentials::from_id_number("001099012345", "1990-05-17", "2030-05-17"), options);
  EXPECT_EQ(dump.access_protocol, "BAC");
  EXPECT_TRUE(dump.files.count(FileId::dg2));
}

TEST(PcscRead, NoReaderMatchingTheNameIsAClearError) {
  REQUIRE_OWN_PCSCD();
  PcscStack stack;
  ASSERT_TRUE(stack.up()) << stack.why();
  EXPECT_EQ(test::error_of([&] { read_pcsc_card("No Such Reader", card_credentials(), {}); }),
            ErrorCode::no_reader);
}

TEST(PcscRead, ReaderWithoutCardIsNoCard) {
  REQUIRE_OWN_PCSCD();
  PcscStack stack;
  ASSERT_TRUE(stack.up()) << stack.why();
  const ErrorCode code = test::error_of([&] { read_pcsc_card(kVirtualReader, card_credentials(), {}); });
  EXPECT_EQ(code, ErrorCode::no_card) << to_string(code);
}

// The reader's side of extended length, from SCARD_ATTR_MAXINPUT alone (the chip's side is the session's).
TEST(PcscCapabilities, TheReadersBufferBoundsTheLink) {
  const transport::ChannelCapabilities large = transport::pcsc_capabilities(65546);
  EXPECT_TRUE(large.extended_length);
  EXPECT_EQ(large.max_command_data, 65535u);
  EXPECT_EQ(large.max_response_data, 65536u);
  const transport::ChannelCapabilities small_reader = transport::pcsc_capabilities(271);
  EXPECT_TRUE(small_reader.extended_length);
  EXPECT_EQ(small_reader.max_command_data, 262u);
  EXPECT_EQ(small_reader.max_response_data, 269u);
  // A reader that takes no more than a short APDU carries short ones only.
  const transport::ChannelCapabilities short_reader = transport::pcsc_capabilities(261);
  EXPECT_FALSE(short_reader.extended_length);
  EXPECT_EQ(short_reader.max_command_data, 255u);
  EXPECT_EQ(short_reader.max_response_data, 256u);
  // A driver that does not say (vpcd, many contactless readers): extended APDUs of a buffer's worth
  // that field readers of the CCCD use, tried once and dropped if the chip or the reader refuses.
  const transport::ChannelCapabilities unreported = transport::pcsc_capabilities(std::nullopt);
  EXPECT_TRUE(unreported.extended_length);
  EXPECT_EQ(unreported.max_response_data, transport::kUnreportedReaderData);
}

}  // namespace
}  // namespace cccd
