// What the programs and the C API say (issue 16): error texts bounded, a long path shortened in the middle
// (a 10 MiB path through the C API, a 100 KiB one on cccd-verify's and cccd-sim's command lines);
// cccd-sim's output escaped for the terminal like cccd-verify's; and --redact leaving no plain copy of the
// ID number anywhere, even when a card puts it into the fields --redact keeps (sex, nationality, the
// province of an address).
#include "cli/human_output.hpp"
#include "cli/redact.hpp"
#include "sim/generator.hpp"
#include "test_support.hpp"
#include "util/message_text.hpp"

#include <cccd/cccd.h>
#include <cccd/report.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>

namespace cccd {
namespace {

namespace fs = std::filesystem;

const std::string kId = "001099012345";  // the default holder's; document number its last 9, CAN its last 6

std::string program(const char* name) {
  return "'" + std::string(CCCD_BINARY_DIR) + "/" + name + "'";
}

// A path of about `size` bytes in a folder that does not exist: "/nonexistent-cccd/d0123456789/..."
// with a recognisable beginning and end.
std::string long_path(std::size_t size) {
  std::string path = "/nonexistent-cccd/BEGINNING-OF-THE-PATH/";
  while (path.size() + 40 < size) path += "d0123456789/";
  return path + "the-END-of-the-path-is-kept";
}

// The ID number and its tails (document number, CAN) in plain, never in redacted output.
void expect_no_plain_id(const std::string& text) {
  for (const std::string& secret : {kId, kId.substr(3), kId.substr(6)})
    EXPECT_EQ(text.find(secret), std::string::npos) << "'" << secret << "' printed in:\n" << text;
}

// ---------------------------------------------------------------------------------------------------
// bounded_message

TEST(BoundedMessage, ShortTextsStayWhole) {
  EXPECT_EQ(bounded_message("trust store: cannot find /etc/cccd/csca.pem"),
            "trust store: cannot find /etc/cccd/csca.pem");
  EXPECT_EQ(bounded_message(""), "");
}

TEST(BoundedMessage, ATenMebibytePathKeepsItsFirstAndLastSixtyCharacters) {
  const std::string word = long_path(10 * 1024 * 1024) + ":";  // a word runs to the next space
  const std::string message = bounded_message("trust store: cannot find " + word + " No such file");
  EXPECT_LE(message.size(), kMaxMessageBytes);
  EXPECT_EQ(message, "trust store: cannot find " + word.substr(0, 60) + "..." +
                         word.substr(word.size() - 60) + " No such file");
}

TEST(BoundedMessage, NeverSplitsAUtf8Character) {
  std::string word = "a";
  for (int i = 0; i < 1000; ++i) word += "ễ";  // 3 bytes each: byte 60 is inside the 20th
  const std::string message = bounded_message(word);
  EXPECT_EQ(message, word.substr(0, 58) + "..." + word.substr(word.size() - 60));
}

TEST(BoundedMessage, ManyShortWordsAreCappedAndKeepTheEnd) {
  std::string text;
  while (text.size() < 10 * 1024 * 1024) text += "ab ";
  text += "the reason";
  const std::string message = bounded_message(text);
  EXPECT_LE(message.size(), kMaxMessageBytes);
  EXPECT_TRUE(message.ends_with("the reason")) << message.substr(message.size() - 40);
  EXPECT_TRUE(message.starts_with("ab ab "));
}

// ---------------------------------------------------------------------------------------------------
// The C API with a 10 MiB path.

void expect_bounded_last_error(const std::string& path) {
  const std::string message = cccd_last_error();
  EXPECT_LE(message.size(), kMaxMessageBytes);
  EXPECT_FALSE(message.empty());
  if (message.find(path.substr(0, 30)) != std::string::npos) {
    // The path is named: its beginning and its end, the middle elided.
    EXPECT_NE(message.find(path.substr(0, 60) + "..." + path.substr(path.size() - 60)), std::string::npos)
        << message;
  }
  const nlohmann::json json = nlohmann::json::parse(cccd_last_error_json());
  EXPECT_EQ(json["error"]["message"], message);
}

TEST(CApiErrors, ATenMebibytePathComesBackShortened) {
  const std::string path = long_path(10 * 1024 * 1024);
  cccd_trust* trust = nullptr;
  ASSERT_EQ(cccd_trust_new(&trust), CCCD_OK);
  EXPECT_NE(cccd_trust_add_path(trust, path.c_str()), CCCD_OK);
  expect_bounded_last_error(path);
  EXPECT_NE(std::string(cccd_last_error()).find("BEGINNING-OF-THE-PATH"), std::string::npos);
  EXPECT_NE(std::string(cccd_last_error()).find("the-END-of-the-path-is-kept"), std::string::npos);
  EXPECT_NE(cccd_trust_add_crl(trust, path.c_str()), CCCD_OK);
  expect_bounded_last_error(path);
  EXPECT_NE(cccd_trust_add_master_list(trust, path.c_str(), path.c_str()), CCCD_OK);
  expect_bounded_last_error(path);
  cccd_result* result = nullptr;
  EXPECT_NE(cccd_verify_dump(path.c_str(), trust, &result), CCCD_OK);
  EXPECT_EQ(result, nullptr);
  expect_bounded_last_error(path);
  cccd_trust_free(trust);
}

// ---------------------------------------------------------------------------------------------------
// cccd-verify and cccd-sim with a 100 KiB path (a single argument may hold at most 128 KiB).

TEST(ProgramErrors, CccdVerifyShortensALongPath) {
  const std::string path = long_path(100 * 1024);
  const test::ProgramRun human = test::run_program(
      program("cccd-verify") + " verify /nonexistent-dump --trust '" + path + "' --lang en 2>&1");
  EXPECT_EQ(human.exit_code, 7) << human.out.substr(0, 300);
  EXPECT_LE(human.out.size(), kMaxMessageBytes + 64) << human.out.substr(0, 300);
  EXPECT_NE(human.out.find("BEGINNING-OF-THE-PATH"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("the-END-of-the-path-is-kept"), std::string::npos) << human.out;

  const test::ProgramRun json =
      test::run_program(program("cccd-verify") + " verify /nonexistent-dump --trust '" + path + "' --json");
  EXPECT_EQ(json.exit_code, 7);
  const nlohmann::json error = nlohmann::json::parse(json.out);
  EXPECT_LE(error["error"]["message"].get<std::string>().size(), kMaxMessageBytes);

  const test::ProgramRun id_file = test::run_program(program("cccd-verify") + " read --sim --id-file '" +
                                                     path + "' --birth 1990-05-17 --expiry 2030-05-17 2>&1");
  EXPECT_EQ(id_file.exit_code, 7) << id_file.out.substr(0, 300);
  EXPECT_LE(id_file.out.size(), kMaxMessageBytes + 64) << id_file.out.substr(0, 300);
}

TEST(ProgramErrors, CccdSimShortensALongPath) {
  const std::string path = long_path(100 * 1024);
  for (const std::string& command :
       {"show '" + path + "'", "personalise '" + path + "'", "serve '" + path + "'"}) {
    const test::ProgramRun run = test::run_program(program("cccd-sim") + " " + command + " 2>&1");
    EXPECT_NE(run.exit_code, 0) << command.substr(0, 20);
    EXPECT_LE(run.out.size(), kMaxMessageBytes + 64) << run.out.substr(0, 300);
  }
}

// ---------------------------------------------------------------------------------------------------
// cccd-sim's output through the terminal escaper.

// No byte a terminal acts on (C0 but the line feed, DEL, C1 as UTF-8) and no bidi control.
void expect_terminal_safe(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    EXPECT_FALSE((c < 0x20 && c != '\n') || c == 0x7F) << "raw control byte " << int(c) << " in:\n" << text;
    EXPECT_FALSE(c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                 static_cast<unsigned char>(text[i + 1]) <= 0x9F)
        << "raw C1 control in:\n"
        << text;
  }
  EXPECT_EQ(text.find("\xE2\x80\xAE"), std::string::npos) << "raw bidi override in:\n" << text;
}

TEST(CccdSimOutput, FolderNamesAndHolderDataAreEscaped) {
  test::TempDir dir;
  // A folder named to clear the screen, recolour the output and reverse it.
  const std::string hostile = (dir.path() / "card\x1b[2J\x1b[32m\xE2\x80\xAE\xC2\x9B").string();
  const test::ProgramRun made =
      test::run_program(program("cccd-sim") + " personalise '" + hostile + "' 2>&1");
  ASSERT_EQ(made.exit_code, 0) << made.out;
  expect_terminal_safe(made.out);
  EXPECT_NE(made.out.find("card\\x1b[2J\\x1b[32m\\u202e\\u009b"), std::string::npos) << made.out;
  EXPECT_NE(made.out.find("--id 001099012345"), std::string::npos) << made.out;  // what the user asked for

  const test::ProgramRun shown = test::run_program(program("cccd-sim") + " show '" + hostile + "' 2>&1");
  EXPECT_EQ(shown.exit_code, 0) << shown.out;
  expect_terminal_safe(shown.out);

  const std::string clone = (dir.path() / "clone\x07\x1b]0;title\x07").string();
  const test::ProgramRun cloned =
      test::run_program(program("cccd-sim") + " clone '" + hostile + "' '" + clone + "' 2>&1");
  EXPECT_EQ(cloned.exit_code, 0) << cloned.out;
  expect_terminal_safe(cloned.out);

  // Refusals and errors name the folder escaped too.
  const test::ProgramRun again =
      test::run_program(program("cccd-sim") + " personalise '" + dir.path().string() + "' 2>&1");
  EXPECT_NE(again.exit_code, 0);
  const test::ProgramRun refused =
      test::run_program(program("cccd-sim") + " clone '" + hostile + "' '" + hostile + "' 2>&1");
  EXPECT_NE(refused.exit_code, 0);
  expect_terminal_safe(refused.out);
  const test::ProgramRun missing =
      test::run_program(program("cccd-sim") + " serve-pn532 '" + hostile + "-missing' 2>&1");
  EXPECT_NE(missing.exit_code, 0);
  expect_terminal_safe(missing.out);
}

// ---------------------------------------------------------------------------------------------------
// --redact: no plain copy of the ID number in anything printed.

// A report whose card put the ID number into every field, the kept ones (sex, nationality, the province
// of the addresses) and unknown ones included.
Report report_with_id_everywhere() {
  Report report;
  report.source = "dump";
  PersonalData personal;
  personal.version = 1;
  const auto field = [&](int number, std::string value) {
    personal.fields.push_back(Dg13Field{number, {std::move(value)}, {}});
  };
  field(1, kId);
  field(2, "Nguyễn Thị Thu Hà");
  field(3, "17/05/1990");
  field(4, kId);
  field(5, "Việt Nam " + kId);
  field(8, "Xã A, Huyện B, Tỉnh " + kId);
  field(9, "Số 12, " + kId);
  field(15, kId.substr(3));
  field(40, kId);
  report.document.personal = personal;
  report.document.parse_errors.push_back("DG2: something about " + kId);
  report.verdict.consistency = {FindingStatus::failed, "DG1 and DG13 differ"};
  return report;
}

TEST(RedactId, NoPlainCopyWhenTheCardPutsTheIdIntoKeptFields) {
  cli::Redactor redactor(true);
  const Report report = report_with_id_everywhere();
  redactor.learn(report);
  const Report shown = redactor.redact(report);
  for (cli::Language language : {cli::Language::vi, cli::Language::en}) {
    std::ostringstream human;
    cli::print_report(human, shown, cli::messages(language));
    expect_no_plain_id(redactor.scrub(human.str()));
  }
  expect_no_plain_id(redactor.scrub(to_json(shown)));
  expect_no_plain_id(redactor.scrub(to_json(shown, -1)));
}

TEST(RedactId, NoPlainCopyInAnyOutputOfAReadOrAVerification) {
  test::TempDir dir;
  const std::string dump = (dir.path() / "dump").string();
  const std::string verify = program("cccd-verify");
  // The ID comes from the environment, so it is on no command line; the dump is written for the
  // verifications below.
  const std::string read =
      "CCCD_ID=" + kId + " " + verify + " read --sim --birth 1990-05-17 --expiry 2030-05-17";
  const test::ProgramRun dumped = test::run_program(read + " --redact --dump '" + dump + "' 2>&1");
  ASSERT_EQ(dumped.exit_code, 0) << dumped.out;
  expect_no_plain_id(dumped.out);
  for (const char* options :
       {" --redact", " --redact --json", " --redact --lang en", " --redact --json --lang en"}) {
    const test::ProgramRun run = test::run_program(read + options + " 2>&1");
    EXPECT_EQ(run.exit_code, 0) << run.out;
    expect_no_plain_id(run.out);
    const test::ProgramRun offline = test::run_program(verify + " verify '" + dump + "' --trust '" + dump +
                                                       "/../no-such.pem'" + options + " 2>&1");
    expect_no_plain_id(offline.out);
    const test::ProgramRun untrusted =
        test::run_program(verify + " verify '" + dump + "'" + options + " 2>&1");
    EXPECT_EQ(untrusted.exit_code, 1) << untrusted.out;
    expect_no_plain_id(untrusted.out);
  }
  // A wrong ID number (access denied) and a malformed one: the error quotes neither.
  const test::ProgramRun wrong =
      test::run_program("CCCD_ID=001099012399 " + verify + " read --sim --redact --lang en 2>&1");
  EXPECT_EQ(wrong.exit_code, 3) << wrong.out;
  EXPECT_EQ(wrong.out.find("001099012399"), std::string::npos) << wrong.out;
  const test::ProgramRun malformed =
      test::run_program("CCCD_ID=0010990123X5 " + verify + " read --sim --redact --json 2>&1");
  EXPECT_EQ(malformed.exit_code, 2) << malformed.out;
  EXPECT_EQ(malformed.out.find("0010990123X5"), std::string::npos) << malformed.out;
}

}  // namespace
}  // namespace cccd
