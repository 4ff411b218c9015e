// cccd-verify as a desk officer or a script runs it: exit codes, JSON, the photo file, offline verify.
#include "lds/lds.hpp"
#include "sim/generator.hpp"
#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>

namespace cccd {
namespace {

using test::ProgramRun;

// Runs cccd-verify with `arguments` (shell words), capturing stdout; stderr goes to the test log.
ProgramRun cccd_verify(const std::string& arguments) {
  std::string command = std::string(CCCD_BINARY_DIR) + "/cccd-verify " + arguments;
  return test::run_program(command);
}

const std::string kCredentials = "--id 001099012345 --birth 1990-05-17 --expiry 2030-05-17";

TEST(Cli, ReadsTheBuiltInCardAsVerifiedJson) {
  ProgramRun run = cccd_verify("read --sim " + kCredentials + " --json");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  nlohmann::json result = nlohmann::json::parse(run.out);
  EXPECT_EQ(result["verdict"]["overall"], "verified");
  EXPECT_EQ(result["verdict"]["signer_trust"]["test_csca"], true);
  EXPECT_EQ(result["document"]["personal_data"]["full_name"], sim::Holder{}.full_name);
  EXPECT_EQ(result["document"]["photo"]["format"], "jpeg");
  EXPECT_GT(result["stats"]["apdus"].get<int>(), 3);
}

TEST(Cli, HumanOutputShowsVietnameseFields) {
  ProgramRun run = cccd_verify("read --sim " + kCredentials);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("ĐÃ XÁC THỰC"), std::string::npos);
  EXPECT_NE(run.out.find("Họ và tên:"), std::string::npos);
  EXPECT_NE(run.out.find(sim::Holder{}.full_name), std::string::npos);
  EXPECT_NE(run.out.find("THỬ NGHIỆM"), std::string::npos);  // the test CSCA is called what it is
}

TEST(Cli, IdNumberAloneOpensTheCardWithPace) {
  ProgramRun run = cccd_verify("read --sim --id 001099012345 --json");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  nlohmann::json result = nlohmann::json::parse(run.out);
  EXPECT_EQ(result["verdict"]["access"]["detail"], "PACE-GM");
  EXPECT_EQ(result["verdict"]["overall"], "verified");
  EXPECT_EQ(cccd_verify("read --sim --can 012345 --json").exit_code, 0);
  // BAC only: the dates are needed.
  EXPECT_EQ(cccd_verify("read --sim --id 001099012345 --bac-only --json").exit_code, 2);
  ProgramRun bac = cccd_verify("read --sim " + kCredentials + " --bac-only --json");
  EXPECT_EQ(nlohmann::json::parse(bac.out)["verdict"]["access"]["detail"], "BAC");
}

TEST(Cli, WrongCanExitsWithAccessDenied) {
  ProgramRun run = cccd_verify("read --sim --id 001099012399 --json");
  EXPECT_EQ(run.exit_code, 3);
  nlohmann::json result = nlohmann::json::parse(run.out);
  EXPECT_EQ(result["error"]["code"], "access_denied");
  EXPECT_EQ(run.out.find("012399"), std::string::npos);
}

TEST(Cli, WrongBirthDateExitsWithAccessDenied) {
  ProgramRun run =
      cccd_verify("read --sim --id 001099012345 --birth 1990-05-18 --expiry 2030-05-17 --bac-only --json");
  EXPECT_EQ(run.exit_code, 3);
  nlohmann::json result = nlohmann::json::parse(run.out);
  EXPECT_EQ(result["error"]["code"], "access_denied");
  EXPECT_EQ(result["verdict"]["overall"], "not_verified");
  // The message does not repeat what was typed.
  EXPECT_EQ(run.out.find("1990"), std::string::npos);
}

TEST(Cli, UsageErrorsExitWithTwo) {
  EXPECT_EQ(cccd_verify("read --sim --id 12345 --birth 1990-05-17 --expiry 2030-05-17 2>/dev/null").exit_code,
            2);
  EXPECT_EQ(cccd_verify("read --sim --id 001099012345 --birth 1990-05-17 2>/dev/null").exit_code, 2);
  EXPECT_EQ(cccd_verify("read --sim --pace-only --bac-only --id 001099012345 2>/dev/null").exit_code, 2);
  EXPECT_EQ(cccd_verify("read --sim --can 12345 2>/dev/null").exit_code, 2);
  EXPECT_EQ(cccd_verify("frobnicate 2>/dev/null").exit_code, 2);
}

TEST(Cli, PhotoIsTheImageOfDg2WrittenPrivately) {
  test::TempDir dir;
  std::filesystem::path photo = dir.path() / "face.jpg";
  ProgramRun run = cccd_verify("read --sim " + kCredentials + " --photo " + photo.string() + " --json");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  std::ifstream in(photo, std::ios::binary);
  Bytes written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, lds::parse_dg2(sim::default_card().files.at(FileId::dg2)).data);
  struct stat info {};
  ASSERT_EQ(::stat(photo.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(Cli, DumpThenVerifyOffline) {
  test::TempDir dir;
  std::filesystem::path dump = dir.path() / "dump";
  // The reading app used the server's challenge; the server verifies the dump with it (the card, like
  // every CCCD, proves itself with Active Authentication).
  const std::string challenge = " --challenge 1122334455667788";
  ASSERT_EQ(cccd_verify("read --sim " + kCredentials + challenge + " --dump " + dump.string() + " --json")
                .exit_code,
            0);
  std::filesystem::path csca = dir.path() / "csca.pem";
  std::ofstream(csca) << sim::default_card().csca_pem;

  ProgramRun trusted =
      cccd_verify("verify " + dump.string() + " --trust " + csca.string() + challenge + " --json");
  EXPECT_EQ(trusted.exit_code, 0) << trusted.out;
  EXPECT_EQ(nlohmann::json::parse(trusted.out)["source"], "dump");

  // Without a CSCA the signature still checks out, but trust is unknown: not verified.
  ProgramRun untrusted = cccd_verify("verify " + dump.string() + " --json");
  EXPECT_EQ(untrusted.exit_code, 1);
  nlohmann::json result = nlohmann::json::parse(untrusted.out);
  EXPECT_EQ(result["verdict"]["signer_trust"]["status"], "unknown");
  EXPECT_EQ(result["verdict"]["data_integrity"]["status"], "passed");

  ProgramRun missing = cccd_verify("verify " + (dir.path() / "nowhere").string() + " --json");
  EXPECT_EQ(missing.exit_code, 7);
}

}  // namespace
}  // namespace cccd
