#include "test_support.hpp"
#include "util/bytes.hpp"

#include <cccd/dump.hpp>
#include <cccd/error.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>
#include <utility>

namespace cccd {
namespace {

namespace fs = std::filesystem;

ErrorCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::internal;  // no error: never an expected code
}

unsigned mode_of(const fs::path& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return 0xFFFFFFFFu;
  return static_cast<unsigned>(info.st_mode) & 07777u;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

ChipDump sample_dump() {
  ChipDump dump;
  dump.files[FileId::card_access] = from_hex("3134300D060804007F00070202020201");
  dump.files[FileId::com] = from_hex("60165F0104303130375F36063034303030305C0461756D6E");
  dump.files[FileId::sod] = Bytes(1900, 0x77);
  dump.files[FileId::dg1] = Bytes(95, 0x61);
  dump.files[FileId::dg2] = Bytes(20000, 0x75);
  dump.files[FileId::dg13] = Bytes(400, 0x6D);
  dump.files[FileId::dg14] = Bytes{};  // an empty file is a file
  dump.access_protocol = "PACE-GM";
  dump.denied = {FileId::dg3};
  dump.absent = {FileId::dg11, FileId::dg12};
  dump.stats.apdus = 123;
  dump.stats.bytes_sent = 4567;
  dump.stats.bytes_received = 89012;
  dump.stats.seconds = 2.5;
  return dump;
}

// Sets the process umask for the life of the object (to show modes do not depend on it).
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t old_;
};

TEST(DumpIo, RoundTrip) {
  test::TempDir temp;
  fs::path folder = temp.path() / "dump";
  ChipDump dump = sample_dump();
  write_dump(dump, folder);
  ChipDump loaded = load_dump(folder);
  EXPECT_EQ(loaded.files, dump.files);
  EXPECT_EQ(loaded.access_protocol, "PACE-GM");
  EXPECT_EQ(loaded.denied, dump.denied);
  EXPECT_EQ(loaded.absent, dump.absent);
  EXPECT_EQ(loaded.stats.apdus, 123u);
  EXPECT_EQ(loaded.stats.bytes_sent, 4567u);
  EXPECT_EQ(loaded.stats.bytes_received, 89012u);
  EXPECT_DOUBLE_EQ(loaded.stats.seconds, 2.5);
}

TEST(DumpIo, OneFilePerEfNamedByFileName) {
  test::TempDir temp;
  fs::path folder = temp.path() / "dump";
  write_dump(sample_dump(), folder);
  std::set<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder))
    names.insert(entry.path().filename());
  EXPECT_EQ(names, (std::set<std::string>{"EF.CardAccess", "EF.COM", "EF.SOD", "DG1", "DG2", "DG13", "DG14",
                                          "read.json"}));
  Bytes com = from_hex("60165F0104303130375F36063034303030305C0461756D6E");
  EXPECT_EQ(read_text(folder / "EF.COM"), as_string(com));
  nlohmann::json read = nlohmann::json::parse(read_text(folder / "read.json"));
  EXPECT_EQ(read.at("access_protocol"), "PACE-GM");
  EXPECT_EQ(read.at("denied"), nlohmann::json::array({"DG3"}));
  EXPECT_EQ(read.at("absent"), nlohmann::json::array({"DG11", "DG12"}));
  EXPECT_EQ(read.at("stats").at("apdus"), 123);
}

TEST(DumpIo, FolderIs0700AndFiles0600WhateverTheUmask) {
  test::TempDir temp;
  fs::path folder = temp.path() / "nested" / "dump";
  {
    ScopedUmask open_umask(0);
    write_dump(sample_dump(), folder);
  }
  EXPECT_EQ(mode_of(folder), 0700u);
  for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
    SCOPED_TRACE(entry.path().filename().string());
    EXPECT_EQ(mode_of(entry.path()), 0600u);
  }
}

std::set<std::string> names_in(const fs::path& folder) {
  std::set<std::string> names;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder))
    names.insert(entry.path().filename());
  return names;
}

TEST(DumpIo, AnExistingTargetIsRefusedAndLeftAsItWas) {
  test::TempDir temp;
  fs::path folder = temp.path() / "dump";
  fs::create_directories(folder);
  ASSERT_EQ(::chmod(folder.c_str(), 0755), 0);
  write_text(folder / "DG1", "old");
  try {
    write_dump(sample_dump(), folder);
    ADD_FAILURE() << "an existing folder was written into";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
    EXPECT_NE(std::string(e.what()).find("already exists"), std::string::npos) << e.what();
  }
  EXPECT_EQ(names_in(folder), (std::set<std::string>{"DG1"}));
  EXPECT_EQ(read_text(folder / "DG1"), "old");
  EXPECT_EQ(mode_of(folder), 0755u);
  EXPECT_EQ(names_in(temp.path()), (std::set<std::string>{"dump"}));  // no temporary folder left
  // An empty folder and a file are targets that exist too.
  fs::create_directories(temp.path() / "empty");
  EXPECT_EQ(code_of([&] { write_dump(sample_dump(), temp.path() / "empty"); }), ErrorCode::io);
  EXPECT_TRUE(fs::is_empty(temp.path() / "empty"));
}

TEST(DumpIo, ReplacingSwapsInANewPrivateFolder) {
  test::TempDir temp;
  fs::path folder = temp.path() / "dump";
  write_dump(sample_dump(), folder);
  ASSERT_EQ(::chmod(folder.c_str(), 0755), 0);
  ASSERT_EQ(::chmod((folder / "DG1").c_str(), 0644), 0);
  write_text(folder / "card-secrets.json", "{}");

  ChipDump smaller;
  smaller.files[FileId::dg1] = Bytes{0x61, 0x00};
  {
    ScopedUmask open_umask(0);
    write_dump(smaller, folder, /*replace=*/true);
  }
  EXPECT_EQ(names_in(folder), (std::set<std::string>{"DG1", "read.json"}));  // the old folder is gone whole
  EXPECT_EQ(mode_of(folder), 0700u);
  EXPECT_EQ(mode_of(folder / "DG1"), 0600u);
  EXPECT_EQ(mode_of(folder / "read.json"), 0600u);
  EXPECT_EQ(names_in(temp.path()), (std::set<std::string>{"dump"}));
  ChipDump loaded = load_dump(folder);
  ASSERT_EQ(loaded.files.size(), 1u);
  EXPECT_EQ(loaded.files.at(FileId::dg1), (Bytes{0x61, 0x00}));
  EXPECT_EQ(loaded.access_protocol, "");
  EXPECT_TRUE(loaded.denied.empty());
  // Into a folder that does not exist yet, replace writes a new one.
  write_dump(smaller, temp.path() / "new", /*replace=*/true);
  EXPECT_EQ(names_in(temp.path() / "new"), (std::set<std::string>{"DG1", "read.json"}));
}

TEST(DumpIo, ReplacingNeverWritesThroughASymlink) {
  test::TempDir temp;
  fs::path folder = temp.path() / "dump";
  fs::create_directories(folder);
  fs::path target = temp.path() / "elsewhere";
  write_text(target, "untouched");
  fs::create_symlink(target, folder / "DG1");
  write_dump(sample_dump(), folder, /*replace=*/true);
  EXPECT_EQ(read_text(target), "untouched");
  EXPECT_FALSE(fs::is_symlink(folder / "DG1"));
  // A target that is itself a symbolic link (to a folder) is not replaced, nor what it points to.
  fs::create_directories(temp.path() / "real");
  fs::create_directory_symlink(temp.path() / "real", temp.path() / "link");
  EXPECT_EQ(code_of([&] { write_dump(sample_dump(), temp.path() / "link", /*replace=*/true); }),
            ErrorCode::io);
  EXPECT_TRUE(fs::is_symlink(temp.path() / "link"));
  EXPECT_TRUE(fs::is_empty(temp.path() / "real"));
}

TEST(DumpIo, AFailureInTheMiddleLeavesNoTemporaryFolderAndTheTargetUntouched) {
  test::TempDir temp;
  fs::path fresh = temp.path() / "fresh";
  fs::path existing = temp.path() / "existing";
  fs::create_directories(existing);
  write_text(existing / "DG1", "old");
  // In a child process: files may not grow beyond 10000 bytes, so DG2 (20000 bytes) fails half way.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    struct rlimit limit {};
    limit.rlim_cur = limit.rlim_max = 10000;
    ::signal(SIGXFSZ, SIG_IGN);
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(3);
    const bool fresh_failed = code_of([&] { write_dump(sample_dump(), fresh); }) == ErrorCode::io;
    const bool replace_failed =
        code_of([&] { write_dump(sample_dump(), existing, /*replace=*/true); }) == ErrorCode::io;
    ::_exit(fresh_failed && replace_failed ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "writing did not fail as it should";
  EXPECT_EQ(names_in(temp.path()), (std::set<std::string>{"existing"}));  // no fresh, no temporary folder
  EXPECT_EQ(names_in(existing), (std::set<std::string>{"DG1"}));
  EXPECT_EQ(read_text(existing / "DG1"), "old");
}

// Loads `folder` on a thread; when that takes more than a second (an open that waits on a FIFO), `fifo`
// is opened for writing and closed to let it go, and nothing is returned: the suite never hangs.
std::optional<std::pair<ErrorCode, std::string>> load_within_a_second(const fs::path& folder,
                                                                      const fs::path& fifo) {
  std::promise<std::pair<ErrorCode, std::string>> outcome;
  std::future<std::pair<ErrorCode, std::string>> result = outcome.get_future();
  std::thread loader([&] {
    try {
      load_dump(folder);
      outcome.set_value({ErrorCode::internal, "no error"});
    } catch (const Error& e) {
      outcome.set_value({e.code(), e.what()});
    }
  });
  if (result.wait_for(std::chrono::seconds(1)) == std::future_status::ready) {
    loader.join();
    return result.get();
  }
  for (;;) {  // the loader waits in open(): a writer that comes and goes releases it
    int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) ::close(fd);
    if (result.wait_for(std::chrono::milliseconds(100)) == std::future_status::ready) break;
  }
  loader.join();
  return std::nullopt;
}

TEST(DumpIo, AFifoIsRefusedAtOnce) {
  for (const char* name : {"DG2", "read.json"}) {
    SCOPED_TRACE(name);
    test::TempDir temp;
    write_text(temp.path() / "DG1", "a");
    ASSERT_EQ(::mkfifo((temp.path() / name).c_str(), 0600), 0);
    auto outcome = load_within_a_second(temp.path(), temp.path() / name);
    ASSERT_TRUE(outcome) << "load_dump waited on a FIFO";
    EXPECT_EQ(outcome->first, ErrorCode::io);
    EXPECT_EQ(outcome->second, std::string(name) + " is not a usable file");
  }
}

TEST(DumpIo, ASymlinkIsRefusedAndItsTargetNeverOpened) {
  test::TempDir temp;
  fs::path folder = temp.path() / "dump";
  fs::create_directories(folder);
  // The target is a FIFO: opening it would block until the test let it go.
  ASSERT_EQ(::mkfifo((temp.path() / "secret").c_str(), 0600), 0);
  fs::create_symlink(temp.path() / "secret", folder / "DG13");
  auto outcome = load_within_a_second(folder, temp.path() / "secret");
  ASSERT_TRUE(outcome) << "load_dump opened the symbolic link's target";
  EXPECT_EQ(outcome->first, ErrorCode::io);
  EXPECT_EQ(outcome->second, "DG13 is not a usable file");
  // A link to a readable regular file is refused the same way: its content is never read.
  fs::remove(folder / "DG13");
  write_text(temp.path() / "plain", "secret");
  fs::create_symlink(temp.path() / "plain", folder / "DG13");
  try {
    load_dump(folder);
    ADD_FAILURE() << "a symbolic link was followed";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
    EXPECT_STREQ(e.what(), "DG13 is not a usable file");
  }
  // The folder itself is not followed through a symbolic link either.
  fs::create_directory_symlink(folder, temp.path() / "link");
  EXPECT_EQ(code_of([&] { load_dump(temp.path() / "link"); }), ErrorCode::io);
}

TEST(DumpIo, EverythingButARegularFileGetsTheSameError) {
  test::TempDir temp;
  fs::create_directories(temp.path() / "DG1");  // a folder where a file should be
  try {
    load_dump(temp.path());
    ADD_FAILURE() << "a folder was read as DG1";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
    EXPECT_STREQ(e.what(), "DG1 is not a usable file");  // not what it is
  }
  fs::remove(temp.path() / "DG1");
  ASSERT_EQ(::symlink("/dev/null", (temp.path() / "EF.SOD").c_str()), 0);  // a device, through a link
  try {
    load_dump(temp.path());
    ADD_FAILURE() << "a device was read as EF.SOD";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
    EXPECT_STREQ(e.what(), "EF.SOD is not a usable file");
  }
}

TEST(DumpIo, ReadReplaceDumpThroughTheProgram) {
  test::TempDir temp;
  const std::string dump = (temp.path() / "dump").string();
  const std::string read =
      std::string(CCCD_BINARY_DIR) + "/cccd-verify read --sim --id 001099012345 --json --dump ";
  ASSERT_EQ(test::run_program(read + dump).exit_code, 0);
  const std::set<std::string> written = names_in(dump);
  write_text(temp.path() / "dump" / "extra", "x");
  test::ProgramRun again = test::run_program(read + dump + " 2>&1");
  EXPECT_EQ(again.exit_code, 7) << again.out;  // a local file error
  EXPECT_NE(again.out.find("already exists"), std::string::npos) << again.out;
  EXPECT_TRUE(fs::exists(temp.path() / "dump" / "extra"));
  ASSERT_EQ(test::run_program(read + dump + " --replace-dump").exit_code, 0);
  EXPECT_EQ(names_in(dump), written);
  EXPECT_EQ(mode_of(dump), 0700u);
  EXPECT_EQ(names_in(temp.path()), (std::set<std::string>{"dump"}));
}

TEST(DumpIo, LoadIgnoresOtherFilesAndNeedsNoReadJson) {
  test::TempDir temp;
  fs::path folder = temp.path();
  write_text(folder / "DG1", "a");
  write_text(folder / "EF.COM", "b");
  write_text(folder / "card-secrets.json", "{\"can\": \"123456\"}");
  write_text(folder / "csca.pem", "-----BEGIN CERTIFICATE-----");
  write_text(folder / "DG17", "c");
  write_text(folder / "dg2", "d");
  ChipDump loaded = load_dump(folder);
  ASSERT_EQ(loaded.files.size(), 2u);
  EXPECT_EQ(loaded.files.at(FileId::dg1), Bytes{'a'});
  EXPECT_EQ(loaded.files.at(FileId::com), Bytes{'b'});
  EXPECT_EQ(loaded.access_protocol, "");
  EXPECT_EQ(loaded.stats.apdus, 0u);
}

TEST(DumpIo, FilesOverOneMebibyteAreRefused) {
  test::TempDir temp;
  fs::path folder = temp.path();
  write_text(folder / "DG2", std::string(std::size_t{1} << 20, 'x'));
  EXPECT_EQ(load_dump(folder).files.at(FileId::dg2).size(), std::size_t{1} << 20);
  write_text(folder / "DG2", std::string((std::size_t{1} << 20) + 1, 'x'));
  EXPECT_EQ(code_of([&] { load_dump(folder); }), ErrorCode::limit_exceeded);
  fs::remove(folder / "DG2");
  write_text(folder / "read.json", std::string((std::size_t{1} << 20) + 1, ' '));
  EXPECT_EQ(code_of([&] { load_dump(folder); }), ErrorCode::limit_exceeded);
}

TEST(DumpIo, MissingOrWrongFolderIsAnIoError) {
  test::TempDir temp;
  EXPECT_EQ(code_of([&] { load_dump(temp.path() / "nothing-here"); }), ErrorCode::io);
  write_text(temp.path() / "plain-file", "x");
  EXPECT_EQ(code_of([&] { load_dump(temp.path() / "plain-file"); }), ErrorCode::io);
  EXPECT_EQ(code_of([&] { write_dump(sample_dump(), temp.path() / "plain-file"); }), ErrorCode::io);
  EXPECT_EQ(code_of([&] { write_dump(sample_dump(), temp.path() / "plain-file", /*replace=*/true); }),
            ErrorCode::io);
  EXPECT_EQ(read_text(temp.path() / "plain-file"), "x");
  fs::create_directories(temp.path() / "dir" / "DG1");  // a folder where a file should be
  EXPECT_EQ(code_of([&] { load_dump(temp.path() / "dir"); }), ErrorCode::io);
}

TEST(DumpIo, BadReadJsonIsMalformed) {
  std::vector<std::string> bad = {
      "not json",
      "[1, 2]",
      "{\"access_protocol\": 5}",
      "{\"access_protocol\": \"" + std::string(65, 'A') + "\"}",
      "{\"access_protocol\": \"BAC\\n\"}",
      "{\"denied\": \"DG3\"}",
      "{\"denied\": [3]}",
      "{\"stats\": []}",
      "{\"stats\": {\"apdus\": -1}}",
      "{\"stats\": {\"apdus\": 1.5}}",
      "{\"stats\": {\"seconds\": \"2\"}}",
      std::string(10000, '[') + std::string(10000, ']'),
      "{\"a\":" + std::string(9, '[') + std::string(9, ']') + "}",
  };
  // One over the size of the file list: 20 names.
  std::string too_many = "{\"absent\": [";
  for (int i = 0; i < 20; ++i) too_many += std::string(i ? "," : "") + "\"DG1\"";
  bad.push_back(too_many + "]}");
  for (const std::string& text : bad) {
    SCOPED_TRACE(text.substr(0, 80));
    test::TempDir temp;
    write_text(temp.path() / "read.json", text);
    EXPECT_EQ(code_of([&] { load_dump(temp.path()); }), ErrorCode::malformed_data);
  }
}

TEST(DumpIo, ReadJsonToleratesUnknownKeysAndNames) {
  test::TempDir temp;
  write_text(temp.path() / "read.json",
             "{\"access_protocol\": \"BAC\", \"denied\": [\"DG3\", \"DG99\"], \"future\": {\"x\": [1]},"
             " \"stats\": {\"apdus\": 7, \"seconds\": 1}}");
  ChipDump loaded = load_dump(temp.path());
  EXPECT_EQ(loaded.access_protocol, "BAC");
  EXPECT_EQ(loaded.denied, std::vector<FileId>{FileId::dg3});
  EXPECT_EQ(loaded.stats.apdus, 7u);
  EXPECT_DOUBLE_EQ(loaded.stats.seconds, 1.0);
}

}  // namespace
}  // namespace cccd
