// `cccd-verify trust` and the --trust / --ml-root options: the Dutch master list through the program.
#include "sim/test_pki.hpp"
#include "test_support.hpp"

#include <cccd/dump.hpp>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace cccd {
namespace {

using test::ProgramRun;

ProgramRun cccd_verify(const std::string& arguments, bool with_errors = false) {
  std::string command =
      std::string(CCCD_BINARY_DIR) + "/cccd-verify " + arguments + (with_errors ? " 2>&1" : "");
  return test::run_program(command);
}

const std::string kPki = std::string(CCCD_TEST_DATA_DIR) + "/pki";
const std::string kList = kPki + "/NL_ML_2026-07-22.ml";
const std::string kRoot = kPki + "/NL_ROOT_CA.cer";

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(TrustCli, PrintsTheMasterListCountedByCountry) {
  ProgramRun run = cccd_verify("trust --lang en --trust " + kList + " --ml-root " + kRoot);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_TRUE(contains(run.out, "CSCA certificates: 411 from ")) << run.out;
  EXPECT_TRUE(contains(run.out, "master list roots: 1\n")) << run.out;
  EXPECT_TRUE(contains(run.out,
                       "master lists: 1\n  NL_ML_2026-07-22.ml: 411 certificates (411 new), signed "
                       "2026-07-23T09:35:43Z by "))
      << run.out;
  EXPECT_TRUE(contains(run.out, "CN=Masterlist Signer NL")) << run.out;
  EXPECT_TRUE(contains(run.out, "CRLs: 0\n")) << run.out;
  EXPECT_TRUE(contains(run.out, "by country:\n")) << run.out;
  EXPECT_TRUE(contains(run.out, "\n  NL ")) << run.out;
  EXPECT_TRUE(contains(run.out, "\n  DE ")) << run.out;
}

TEST(TrustCli, AMasterListNeedsItsRoot) {
  ProgramRun run = cccd_verify("trust --lang en --trust " + kList, true);
  EXPECT_EQ(run.exit_code, 2) << run.out;  // usage: --ml-root missing
  EXPECT_TRUE(contains(run.out, "is a CSCA master list")) << run.out;

  // Against another root: refused, exit 7 (a --trust input that fails its checks is a local file that
  // cannot be used; 8 would say the program is broken), nothing printed as loaded.
  test::TempDir dir;
  std::time_t now = std::time(nullptr);
  sim::IssuedCertificate other = sim::issue_test_certificate(
      {"Other root", "VN", "EC", "P-256", false, true, 1, now - 3600, now + 3600}, nullptr);
  Bytes der = other.der();
  std::ofstream(dir.path() / "other.der", std::ios::binary)
      .write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
  run = cccd_verify("trust --lang en --trust " + kList + " --ml-root " + (dir.path() / "other.der").string(),
                    true);
  EXPECT_EQ(run.exit_code, 7) << run.out;
  EXPECT_TRUE(contains(run.out, "does not chain to any given master list root")) << run.out;
  EXPECT_FALSE(contains(run.out, "CSCA certificates:")) << run.out;
  // The same refusal stops verify (and read) with the same code.
  run = cccd_verify("verify --lang en " + dir.path().string() + " --trust " + kList + " --ml-root " +
                        (dir.path() / "other.der").string(),
                    true);
  EXPECT_EQ(run.exit_code, 7) << run.out;
  EXPECT_TRUE(contains(run.out, "does not chain to any given master list root")) << run.out;
}

TEST(TrustCli, VerifyTakesTheMasterListAsTrust) {
  // The BSI 2008 specimen against the Dutch CSCAs: its issuer is not among them.
  const std::filesystem::path source = std::filesystem::path(CCCD_TEST_DATA_DIR) / "bsi2008";
  auto read = [&](const char* name) {
    std::ifstream in(source / name, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  ChipDump dump;
  dump.files[FileId::sod] = read("EF_SOD.bin");
  dump.files[FileId::dg1] = read("Datagroup1.bin");
  dump.files[FileId::dg2] = read("Datagroup2.bin");
  dump.files[FileId::dg3] = read("Datagroup3.bin");
  dump.files[FileId::dg14] = read("Datagroup14.bin");
  test::TempDir dir;
  write_dump(dump, dir.path() / "dump");
  ProgramRun run = cccd_verify("verify " + (dir.path() / "dump").string() + " --trust " + kList +
                               " --ml-root " + kRoot + " --json");
  EXPECT_EQ(run.exit_code, 1) << run.out;
  nlohmann::json result = nlohmann::json::parse(run.out);
  EXPECT_EQ(result["verdict"]["data_integrity"]["status"], "passed") << run.out;
  EXPECT_EQ(result["verdict"]["signer_trust"]["status"], "failed") << run.out;
  EXPECT_EQ(result["verdict"]["signer_trust"]["detail"],
            "no CSCA in the trust store issued the document signer certificate");
}

}  // namespace
}  // namespace cccd
