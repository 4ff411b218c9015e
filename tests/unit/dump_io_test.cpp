#include "test_support.hpp"
#include "util/bytes.hpp"

#include <cccd/dump.hpp>
#include <cccd/error.hpp>

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

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

TEST(DumpIo, RewritingNarrowsAWideExistingFileAndRemovesStaleOnes) {
  test::TempDir temp;
  fs::path folder = temp.path() / "dump";
  write_dump(sample_dump(), folder);
  ASSERT_EQ(::chmod((folder / "DG1").c_str(), 0644), 0);
  write_text(folder / "card-secrets.json", "{}");

  ChipDump smaller;
  smaller.files[FileId::dg1] = Bytes{0x61, 0x00};
  write_dump(smaller, folder);
  EXPECT_EQ(mode_of(folder / "DG1"), 0600u);
  EXPECT_FALSE(fs::exists(folder / "DG2"));  // left from the first dump: gone
  EXPECT_FALSE(fs::exists(folder / "DG13"));
  EXPECT_TRUE(fs::exists(folder / "card-secrets.json"));  // not an EF: not ours to remove
  ChipDump loaded = load_dump(folder);
  ASSERT_EQ(loaded.files.size(), 1u);
  EXPECT_EQ(loaded.files.at(FileId::dg1), (Bytes{0x61, 0x00}));
  EXPECT_EQ(loaded.access_protocol, "");
  EXPECT_TRUE(loaded.denied.empty());
}

TEST(DumpIo, WritingThroughASymlinkIsRefused) {
  test::TempDir temp;
  fs::path folder = temp.path() / "dump";
  fs::create_directories(folder);
  fs::path target = temp.path() / "elsewhere";
  write_text(target, "untouched");
  fs::create_symlink(target, folder / "DG1");
  EXPECT_EQ(code_of([&] { write_dump(sample_dump(), folder); }), ErrorCode::io);
  EXPECT_EQ(read_text(target), "untouched");
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
