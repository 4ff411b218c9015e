// cccd-verify and cccd-sim as a new user meets them (issue 17): the policy options and what every
// result says of its policy, dates typed as on the card, Vietnamese and English throughout, and the
// small defects of item 5 (--redact, --photo errors, --dump DIR/, unknown files in a dump, --version).
#include "test_support.hpp"

#include <cccd/version.h>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

namespace cccd {
namespace {

namespace fs = std::filesystem;
using test::ProgramRun;

const std::string kVerify = std::string(CCCD_BINARY_DIR) + "/cccd-verify ";
const std::string kSim = std::string(CCCD_BINARY_DIR) + "/cccd-sim ";

// stdout and stderr together.
ProgramRun run(const std::string& program, const std::string& arguments) {
  return test::run_program(program + arguments + " 2>&1");
}
// stdout alone.
ProgramRun run_stdout(const std::string& program, const std::string& arguments) {
  return test::run_program(program + arguments + " 2>/dev/null");
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

std::string quoted(const fs::path& path) {
  return "'" + path.string() + "'";
}

// A card of the default profile that expired on 2025-01-01.
class ExpiredCard : public ::testing::Test {
 protected:
  void SetUp() override {
    card_ = temp_.path() / "card";
    const ProgramRun made = run(kSim, "personalise " + quoted(card_) + " --expiry 2025-01-01");
    ASSERT_EQ(made.exit_code, 0) << made.out;
  }
  std::string read_args() const {
    return "read --sim " + quoted(card_) + " --id 001099012345 --birth 17/05/1990 --expiry 01/01/2025";
  }
  test::TempDir temp_;
  fs::path card_;
};

TEST_F(ExpiredCard, IsNotVerifiedAndTheResultSaysWhy) {
  const ProgramRun vi = run(kVerify, read_args());
  EXPECT_EQ(vi.exit_code, 1) << vi.out;
  EXPECT_TRUE(has(vi.out, "KẾT QUẢ: CHƯA XÁC THỰC")) << vi.out;
  EXPECT_TRUE(has(vi.out, "Hiệu lực thẻ:           KHÔNG ĐẠT — thẻ đã hết hạn")) << vi.out;
  EXPECT_TRUE(
      has(vi.out, "Chính sách:             không bắt buộc chứng minh chip thật, không chấp nhận thẻ hết hạn"))
      << vi.out;

  const ProgramRun json = run_stdout(kVerify, read_args() + " --json");
  EXPECT_EQ(json.exit_code, 1) << json.out;
  const nlohmann::json result = nlohmann::json::parse(json.out);
  EXPECT_EQ(result["verdict"]["overall"], "not_verified");
  EXPECT_EQ(result["verdict"]["document_validity"]["status"], "failed");
  EXPECT_EQ(result["verdict"]["policy"]["accept_expired"], false);
}

TEST_F(ExpiredCard, IsVerifiedWhenThePolicyAcceptsItAndThePolicyIsShown) {
  const ProgramRun en = run(kVerify, read_args() + " --accept-expired --lang en");
  EXPECT_EQ(en.exit_code, 0) << en.out;
  EXPECT_TRUE(has(en.out, "RESULT: VERIFIED")) << en.out;
  EXPECT_TRUE(has(en.out,
                  "Document validity:      FAILED — the card has expired (accepted: the policy accepts "
                  "expired cards)"))
      << en.out;
  EXPECT_TRUE(has(en.out, "Policy:                 chip authenticity not required, expired cards accepted"))
      << en.out;
  const ProgramRun json = run_stdout(kVerify, read_args() + " --accept-expired --json");
  EXPECT_EQ(json.exit_code, 0) << json.out;
  EXPECT_EQ(nlohmann::json::parse(json.out)["verdict"]["policy"]["accept_expired"], true);
}

TEST_F(ExpiredCard, TheJudgementDateIsTypedEitherWay) {
  for (const char* date : {"31/12/2024", "2024-12-31"}) {
    const ProgramRun json = run_stdout(kVerify, read_args() + " --at " + date + " --json");
    EXPECT_EQ(json.exit_code, 0) << date << json.out;
    const nlohmann::json result = nlohmann::json::parse(json.out);
    EXPECT_EQ(result["verdict"]["document_validity"]["status"], "passed");
    EXPECT_EQ(result["verdict"]["policy"]["judgement_date"], "2024-12-31");
  }
  const ProgramRun bad = run(kVerify, read_args() + " --at 31/02/2024");
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_TRUE(has(bad.out, "--at: đưa một ngày có thật dạng YYYY-MM-DD hoặc dd/mm/yyyy")) << bad.out;
}

// A dump of a card with neither Chip nor Active Authentication, verified by a server with its challenge.
TEST(ServerPolicyCli, RequiringChipAuthenticityRefusesADumpWithoutProof) {
  test::TempDir temp;
  const fs::path card = temp.path() / "card";
  const fs::path dump = temp.path() / "upload";
  ASSERT_EQ(run(kSim, "personalise " + quoted(card) + " --ca none --aa none").exit_code, 0);
  const ProgramRun read = run(kVerify, "read --sim " + quoted(card) +
                                           " --id 001099012345 --challenge "
                                           "0102030405060708 --dump " +
                                           quoted(dump));
  ASSERT_EQ(read.exit_code, 0) << read.out;
  EXPECT_TRUE(has(read.out, "Chip thật:              thẻ không hỗ trợ")) << read.out;

  const std::string verify =
      "verify " + quoted(dump) + " --trust " + quoted(card / "csca.pem") + " --challenge 0102030405060708";
  const ProgramRun lenient = run(kVerify, verify);
  EXPECT_EQ(lenient.exit_code, 0) << lenient.out;

  const ProgramRun strict = run(kVerify, verify + " --require-chip-authenticity");
  EXPECT_EQ(strict.exit_code, 1) << strict.out;
  EXPECT_TRUE(has(strict.out, "KẾT QUẢ: CHƯA XÁC THỰC")) << strict.out;
  EXPECT_TRUE(has(strict.out,
                  "Chip thật:              KHÔNG ĐẠT — chip không hỗ trợ Chip Authentication lẫn "
                  "Active Authentication, mà chính sách đòi hỏi bằng chứng chip là thật"))
      << strict.out;
  EXPECT_TRUE(has(strict.out, "Chính sách:             bắt buộc chứng minh chip thật")) << strict.out;

  const ProgramRun json = run_stdout(kVerify, verify + " --require-chip-authenticity --json");
  EXPECT_EQ(json.exit_code, 1) << json.out;
  const nlohmann::json result = nlohmann::json::parse(json.out);
  EXPECT_EQ(result["verdict"]["chip_authenticity"]["status"], "failed");
  EXPECT_EQ(result["verdict"]["policy"]["require_chip_authenticity"], true);
}

// The default card is the real CCCD's profile: its chip proves itself, and `personalise` writes the same.
TEST(DefaultCardCli, ShowsAPassedChipAuthenticity) {
  const ProgramRun json = run_stdout(kVerify, "read --sim --id 001099012345 --json");
  ASSERT_EQ(json.exit_code, 0) << json.out;
  const nlohmann::json result = nlohmann::json::parse(json.out);
  EXPECT_EQ(result["verdict"]["chip_authenticity"]["status"], "passed");
  const std::string detail = result["verdict"]["chip_authenticity"]["detail"];
  EXPECT_TRUE(has(detail, "CA v1 ECDH-256 AES-128")) << detail;
  EXPECT_TRUE(has(detail, "Active Authentication (RSA-2048")) << detail;
  const std::size_t face = result["document"]["photo"]["size"];
  EXPECT_GE(face, 15000u);
  EXPECT_LE(face, 25000u);
  const nlohmann::json& read = result["files"]["read"];
  for (const char* file : {"EF.COM", "EF.SOD", "DG1", "DG2", "DG13", "DG14", "DG15"})
    EXPECT_NE(std::find(read.begin(), read.end(), file), read.end()) << file;
}

TEST(PersonaliseCli, TheSexFollowsTheOptionOrTheName) {
  test::TempDir temp;
  const fs::path man = temp.path() / "man";
  ASSERT_EQ(run(kSim, "personalise " + quoted(man) +
                          " --id 079062000123 --name 'Trần Văn Nam' --birth 1962 "
                          "--expiry none")
                .exit_code,
            0);
  const ProgramRun read = run(kVerify, "read --sim " + quoted(man) +
                                           " --id 079062000123 --birth 1962 --expiry "
                                           "'Không thời hạn'");
  EXPECT_EQ(read.exit_code, 0) << read.out;
  EXPECT_TRUE(has(read.out, "Giới tính:              Nam")) << read.out;
  EXPECT_TRUE(has(read.out, "Ngày sinh:              1962")) << read.out;
  EXPECT_TRUE(has(read.out, "Hiệu lực thẻ:           đạt — thẻ không có thời hạn")) << read.out;

  const fs::path woman = temp.path() / "woman";
  ASSERT_EQ(run(kSim, "personalise " + quoted(woman) + " --name 'Lê Minh Anh' --sex F").exit_code, 0);
  const ProgramRun unclear = run(kSim, "personalise " + quoted(temp.path() / "x") + " --name 'Lê Minh Anh'");
  EXPECT_EQ(unclear.exit_code, 2) << unclear.out;
  EXPECT_TRUE(has(unclear.out, "--sex")) << unclear.out;
}

TEST(LanguageCli, EnglishShowsNoVietnameseValueWords) {
  const ProgramRun en = run(kVerify, "read --sim --id 001099012345 --lang en");
  EXPECT_EQ(en.exit_code, 0) << en.out;
  EXPECT_TRUE(has(en.out, "Sex:                    Female")) << en.out;
  EXPECT_TRUE(has(en.out, "Religion:               None")) << en.out;
  EXPECT_FALSE(has(en.out, "Nữ")) << en.out;
}

TEST(LanguageCli, HelpAndCommandLineErrorsFollowTheLanguage) {
  const ProgramRun vi = run(kVerify, "read --help");
  EXPECT_EQ(vi.exit_code, 0) << vi.out;
  EXPECT_TRUE(has(vi.out, "Đọc thẻ ảo")) << vi.out;
  EXPECT_TRUE(has(vi.out, "--require-chip-authenticity")) << vi.out;
  EXPECT_FALSE(has(vi.out, "Read a virtual card")) << vi.out;
  const ProgramRun en = run(kVerify, "read --lang en --help");
  EXPECT_TRUE(has(en.out, "Read a virtual card")) << en.out;

  const ProgramRun unknown = run(kVerify, "read --sim --bogus");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.out;
  EXPECT_TRUE(has(unknown.out, "LỖI: Tham số sau không dùng được: --bogus")) << unknown.out;
  EXPECT_TRUE(has(unknown.out, "Chạy với --help")) << unknown.out;
  const ProgramRun unknown_en = run(kVerify, "read --sim --bogus --lang en");
  EXPECT_TRUE(has(unknown_en.out, "The following argument was not expected: --bogus")) << unknown_en.out;
}

TEST(LanguageCli, AWrongIdIsExplainedInVietnamese) {
  const ProgramRun wrong = run(kVerify, "read --sim --id 001099012399");
  EXPECT_EQ(wrong.exit_code, 3) << wrong.out;
  EXPECT_TRUE(has(wrong.out,
                  "LỖI: từ chối truy cập: PACE: chip từ chối CAN (6 chữ số cuối của số định danh cá nhân)"))
      << wrong.out;
}

TEST(VersionCli, PrintsTheVersion) {
  for (const std::string& program : {kVerify, kSim}) {
    const ProgramRun version = run(program, "--version");
    EXPECT_EQ(version.exit_code, 0) << version.out;
    EXPECT_TRUE(has(version.out, CCCD_VERSION_STRING)) << version.out;
  }
}

// Item 5: --redact masks personal values only.
TEST(RedactCli, MasksPersonalValuesOnly) {
  test::TempDir temp;
  const fs::path card = temp.path() / "card";
  ASSERT_EQ(run(kSim, "personalise " + quoted(card) + " --birth 1962 --expiry none").exit_code, 0);
  const std::string read =
      "read --sim " + quoted(card) + " --id 001099012345 --birth 1962 --expiry none --redact";
  const ProgramRun human = run(kVerify, read);
  EXPECT_EQ(human.exit_code, 0) << human.out;
  EXPECT_TRUE(has(human.out, "Ngày sinh:              1962")) << human.out;            // the year is kept
  EXPECT_TRUE(has(human.out, "Ngày hết hạn:           Không thời hạn")) << human.out;  // not personal
  EXPECT_TRUE(has(human.out, "Tôn giáo:               ***")) << human.out;             // the field is masked
  EXPECT_TRUE(has(human.out, "Không được phép đọc")) << human.out;  // but not the word everywhere
  EXPECT_FALSE(has(human.out, "001099012345")) << human.out;

  const ProgramRun json = run_stdout(kVerify, read + " --json");
  const nlohmann::json result = nlohmann::json::parse(json.out);
  EXPECT_EQ(result["document"]["mrz"]["id_number"], "*********345");
  EXPECT_EQ(result["document"]["personal_data"]["date_of_birth"], "1962");
}

// Item 5: a photo that cannot be written keeps the verified result; its error comes separately.
TEST(PhotoCli, AWriteErrorKeepsTheVerifiedResult) {
  test::TempDir temp;
  const std::string photo = quoted(temp.path() / "no-such-folder" / "face.png");
  const ProgramRun out = run_stdout(kVerify, "read --sim --id 001099012345 --photo " + photo);
  EXPECT_EQ(out.exit_code, 7) << out.out;
  EXPECT_TRUE(has(out.out, "KẾT QUẢ: ĐÃ XÁC THỰC")) << out.out;
  const ProgramRun both = run(kVerify, "read --sim --id 001099012345 --photo " + photo);
  EXPECT_TRUE(
      has(both.out, "LỖI GHI ẢNH (kết quả xác thực ở trên vẫn giữ nguyên): lỗi tệp: không tạo được face.png"))
      << both.out;
  const ProgramRun json = run_stdout(kVerify, "read --sim --id 001099012345 --json --photo " + photo);
  EXPECT_EQ(nlohmann::json::parse(json.out)["verdict"]["overall"], "verified");
}

// Item 5: --dump DIR and --dump DIR/ both create DIR, mode 0700.
TEST(DumpCli, CreatesThePrivateFolderWithOrWithoutASlash) {
  test::TempDir temp;
  for (const std::string name : {"plain", "slash/"}) {
    const fs::path target = temp.path() / name;
    const ProgramRun out = run(kVerify, "read --sim --id 001099012345 --dump " + quoted(target));
    ASSERT_EQ(out.exit_code, 0) << out.out;
    struct stat info {};
    ASSERT_EQ(::stat(target.string().c_str(), &info), 0) << name;
    EXPECT_TRUE(S_ISDIR(info.st_mode)) << name;
    EXPECT_EQ(info.st_mode & 07777, 0700u) << name;
    EXPECT_TRUE(fs::exists(target / "DG1")) << name;
  }
}

// Item 5: a file in a dump whose name is none of a dump's is reported, not silently ignored.
TEST(DumpCli, AnUnknownFileInADumpIsReported) {
  test::TempDir temp;
  const fs::path dump = temp.path() / "dump";
  ASSERT_EQ(run(kVerify, "read --sim --id 001099012345 --dump " + quoted(dump)).exit_code, 0);
  fs::rename(dump / "DG1", dump / "DG1.bin");
  const ProgramRun out = run(kVerify, "verify " + quoted(dump));
  EXPECT_EQ(out.exit_code, 1) << out.out;
  EXPECT_TRUE(has(out.out, "thư mục dữ liệu: DG1.bin không phải tệp của thư mục dữ liệu")) << out.out;
  const ProgramRun json = run_stdout(kVerify, "verify " + quoted(dump) + " --json");
  const nlohmann::json errors = nlohmann::json::parse(json.out)["parse_errors"];
  ASSERT_EQ(errors.size(), 1u) << json.out;
  EXPECT_TRUE(has(errors[0].get<std::string>(), "DG1.bin is not a file of a dump")) << json.out;
}

}  // namespace
}  // namespace cccd
