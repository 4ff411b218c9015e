// The desk side of cccd-verify: the masks of --redact, the language tables, the progress bar's line,
// whole runs with --redact / --lang / --loop mistakes, and the C API's read options (progress, limits,
// challenge) and cancel token.
#include "cli/messages.hpp"
#include "cli/progress_bar.hpp"
#include "cli/redact.hpp"
#include "cli/terminal_text.hpp"
#include "sim/generator.hpp"
#include "test_support.hpp"

#include "c_virtual_card.hpp"

#include <cccd/cccd.h>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace cccd {
namespace {

using test::ProgramRun;

ProgramRun cccd_verify(const std::string& arguments) {
  const std::string command = std::string(CCCD_BINARY_DIR) + "/cccd-verify " + arguments + " 2>&1";
  return test::run_program(command);
}

const std::string kCredentials = "--id 001099012345 --birth 1990-05-17 --expiry 2030-05-17";

// Every spelling of the default holder's ID number, name and birth date that a program could print.
void expect_no_personal_data(const std::string& text) {
  const sim::Holder holder;
  for (const std::string& secret :
       {holder.id_number, std::string("099012345"), std::string("012345"), holder.full_name,
        std::string("NGUYEN THI THU HA"), std::string("NGUYEN"), std::string("17/05/1990"),
        std::string("1990-05-17"), std::string("900517"), holder.place_of_residence, holder.father_name}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "'" << secret << "' printed in:\n" << text;
  }
}

TEST(Redact, MasksEachKindOfValue) {
  EXPECT_EQ(cli::mask_id_number("001099012345"), "*********345");
  EXPECT_EQ(cli::mask_id_number("12"), "**");
  EXPECT_EQ(cli::mask_name("Nguyễn Thị Thu Hà"), "N. T. T. H.");
  EXPECT_EQ(cli::mask_name("Đặng  Ước"), "Đ. Ư.");
  EXPECT_EQ(cli::mask_name("U\xCC\x9B\xCC\x81t Lan"), "U\xCC\x9B\xCC\x81. L.");  // combining marks stay
  EXPECT_EQ(cli::mask_name("NGUYEN<<THI<THU<HA"), "N. T. T. H.");
  EXPECT_EQ(cli::mask_name(""), "");
  EXPECT_EQ(cli::mask_date("17/05/1990"), "**/**/1990");
  EXPECT_EQ(cli::mask_date("1990-05-17"), "1990-**-**");
  EXPECT_EQ(cli::mask_date("900517"), "90****");
  EXPECT_EQ(cli::mask_date("19900517"), "1990****");
  EXPECT_EQ(cli::mask_date("17 May"), "******");
  EXPECT_EQ(cli::mask_address("Xã A, Huyện B, Tỉnh C"), "***, Tỉnh C");
  EXPECT_EQ(cli::mask_address("Hà Nội"), "***");
}

TEST(Redact, ScrubsWhatItLearntWhereverItAppears) {
  cli::Redactor redactor(true);
  redactor.add_id_number("001099012345");
  redactor.add_id_number("012345");
  redactor.add_date("17/05/1990");
  redactor.add_name("Nguyễn Thị Thu Hà");
  EXPECT_EQ(redactor.scrub("id 001099012345, can 012345, born 1990-05-17 / 900517 / 17/05/1990"),
            "id *********345, can ***345, born 1990-**-** / 90**** / **/**/1990");
  EXPECT_EQ(redactor.scrub("Nguyễn Thị Thu Hà; NGUYỄN<THỊ"), "N. T. T. H.; NGUYỄN<THỊ");
  cli::Redactor off(false);
  off.add_id_number("001099012345");
  EXPECT_EQ(off.scrub("001099012345"), "001099012345");
}

TEST(TerminalSafe, EscapesWhatATerminalWouldActOnOrHide) {
  const struct {
    std::string in;
    std::string out;
  } cases[] = {
      {"\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"},  // clear the screen, cursor home
      {"\x1b[32m*** VERIFIED ***\x1b[0m", "\\x1b[32m*** VERIFIED ***\\x1b[0m"},  // recolour
      {"\x1b]0;title\x07", "\\x1b]0;title\\x07"},                                // OSC ended by BEL
      {"\x1b]8;;http://x\x1b\\", "\\x1b]8;;http://x\\x1b\\\\"},                  // OSC 8 hyperlink, ST
      {"ok\rVERIFIED", "ok\\x0dVERIFIED"},                                       // carriage return
      {std::string("a\nb\tc\x7f\0", 7), "a\\x0ab\\x09c\\x7f\\x00"},              // LF, TAB, DEL, NUL
      {"\xc2\x9b"
       "2J",
       "\\u009b2J"},            // C1 CSI (U+009B)
      {"\xc2\x85", "\\u0085"},  // C1 NEL
      {"abc\xe2\x80\xae"
       "cba",
       "abc\\u202ecba"},                                 // RIGHT-TO-LEFT OVERRIDE
      {"\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069"},  // LEFT-TO-RIGHT ISOLATE, PDI
      {"\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad", "\\u202a\\u202b\\u202c\\u202d"},
      {"a\xe2\x80\x8b"
       "b\xe2\x80\x8f",
       "a\\u200bb\\u200f"},           // ZERO WIDTH SPACE, RLM
      {"\xef\xbb\xbfx", "\\ufeffx"},  // BOM / ZWNBSP
      {"a\xe2\x80\xa8"
       "b\xe2\x80\xa9",
       "a\\u2028b\\u2029"},                 // line, paragraph separator
      {"\xff\xfe", "\\xff\\xfe"},           // not UTF-8
      {"\xc3", "\\xc3"},                    // cut sequence
      {"\xc0\xaf", "\\xc0\\xaf"},           // overlong '/'
      {"\xed\xa0\x80", "\\xed\\xa0\\x80"},  // surrogate
      {"C:\\x1b", "C:\\\\x1b"},             // a backslash cannot fake one
      {"Nguyễn Thị Thu Hà", "Nguyễn Thị Thu Hà"},
      {"Số 12, Hà Nội", "Số 12, Hà Nội"},
      {"U\xCC\x9B\xCC\x81t Lan", "U\xCC\x9B\xCC\x81t Lan"},  // combining marks stay
      {"Đặng Ước, Việt Nam — 日本 😀", "Đặng Ước, Việt Nam — 日本 😀"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(cli::terminal_safe(c.in), c.out) << "input: " << c.in;
}

TEST(Messages, OneTablePerLanguage) {
  EXPECT_STREQ(cli::messages(cli::Language::vi).full_name, "Họ và tên:              ");
  EXPECT_STREQ(cli::messages(cli::Language::en).full_name, "Full name:              ");
  EXPECT_STREQ(cli::messages(cli::Language::vi).status(FindingStatus::failed), "KHÔNG ĐẠT");
  EXPECT_STREQ(cli::messages(cli::Language::en).status(FindingStatus::passed), "passed");
  EXPECT_EQ(cli::language_from("en"), cli::Language::en);
  EXPECT_EQ(cli::language_from("vi"), cli::Language::vi);
  EXPECT_EQ(test::error_of([] { cli::language_from("fr"); }), ErrorCode::invalid_argument);
}

TEST(ProgressBar, LineShowsTheFileAndTheWholeRead) {
  cli::ProgressBar bar(nullptr, false, cli::messages(cli::Language::en));
  ReadProgress p;
  p.file = FileId::com;
  p.file_bytes = 1024;
  p.file_size = 1024;
  p.files_done = 0;
  p.files_total = 0;
  EXPECT_EQ(bar.line(p), "EF.COM[####################] 1.0/1.0 KB  · 0/? files, 1.0 KB");
  p.file = FileId::dg2;
  p.file_bytes = 5120;
  p.file_size = 20480;
  p.files_done = 4;
  p.files_total = 6;
  EXPECT_EQ(bar.line(p), "DG2   [#####...............] 5.0/20.0 KB  · 4/6 files, 6.0 KB");
  p.file_size = 0;
  p.file_bytes = 0;
  EXPECT_EQ(bar.line(p), "DG2   [....................] 0.0/? KB  · 4/6 files, 1.0 KB");
}

TEST(DeskCli, RedactHidesTheHoldersDataInHumanOutput) {
  const ProgramRun run = cccd_verify("read --sim " + kCredentials + " --redact");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  expect_no_personal_data(run.out);
  EXPECT_NE(run.out.find("*********345"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("N. T. T. H."), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("**/**/1990"), std::string::npos) << run.out;
}

TEST(DeskCli, RedactHidesTheHoldersDataInJson) {
  const ProgramRun run = cccd_verify("read --sim " + kCredentials + " --redact --json --lang en");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  expect_no_personal_data(run.out);
  EXPECT_NE(run.out.find("\"id_number\": \"*********345\""), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("\"overall\": \"verified\""), std::string::npos) << run.out;
}

TEST(DeskCli, RedactHidesTheCredentialsInErrors) {
  // Wrong dates for BAC: the error names no value, and the typed ones are masked wherever they show.
  const ProgramRun human = cccd_verify(
      "read --sim --bac-only --id 001099012345 --birth 1990-05-17 --expiry "
      "2031-05-17 --redact");
  EXPECT_EQ(human.exit_code, 3) << human.out;
  expect_no_personal_data(human.out);
  const ProgramRun json =
      cccd_verify("read --sim --bac-only " + kCredentials + " --redact --json --short-apdus");
  EXPECT_EQ(json.exit_code, 0) << json.out;
  expect_no_personal_data(json.out);
  const ProgramRun bad_date = cccd_verify(
      "read --sim --id 001099012345 --birth 1990-05-17 --expiry 2030-13-17 "
      "--redact");
  EXPECT_EQ(bad_date.exit_code, 2) << bad_date.out;
  expect_no_personal_data(bad_date.out);
}

TEST(DeskCli, WithoutRedactTheDataIsShown) {
  const ProgramRun run = cccd_verify("read --sim " + kCredentials);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find(sim::Holder{}.full_name), std::string::npos);
  EXPECT_NE(run.out.find("Quê quán:"), std::string::npos);
  EXPECT_NE(run.out.find("KẾT QUẢ: ĐÃ XÁC THỰC"), std::string::npos);
}

TEST(DeskCli, EnglishOnRequest) {
  const ProgramRun run = cccd_verify("read --sim " + kCredentials + " --lang en");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("RESULT: VERIFIED"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Place of origin:"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Chip access:            passed"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("Quê quán"), std::string::npos) << run.out;
  const ProgramRun error = cccd_verify("read --sim --id 001099012399 --lang en");
  EXPECT_EQ(error.exit_code, 3);
  EXPECT_NE(error.out.find("ERROR: access_denied"), std::string::npos) << error.out;
}

TEST(DeskCli, BadLanguageAndLoopMisuseAreUsageErrors) {
  EXPECT_EQ(cccd_verify("read --sim " + kCredentials + " --lang fr").exit_code, 2);
  EXPECT_EQ(cccd_verify("read --reader x " + kCredentials + " --loop").exit_code, 2);  // no --wait
  const ProgramRun sim = cccd_verify("read --sim " + kCredentials + " --wait 1 --loop");
  EXPECT_EQ(sim.exit_code, 2) << sim.out;
  EXPECT_NE(sim.out.find("--loop"), std::string::npos) << sim.out;
}

TEST(DeskCli, NoProgressBarWhenStderrIsNotATerminal) {
  const ProgramRun run = cccd_verify("read --sim " + kCredentials);
  EXPECT_EQ(run.out.find('\r'), std::string::npos);
  EXPECT_EQ(run.out.find("KB  ·"), std::string::npos);
}

TEST(DeskCli, HelpNamesExitCodesAndTheSchema) {
  const ProgramRun run = cccd_verify("--help --lang en");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("Exit codes: 0 verified, 1 not verified"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("docs/schema/cccd-result.schema.json"), std::string::npos) << run.out;
  // The default language is Vietnamese, --help included.
  const ProgramRun vi = cccd_verify("--help");
  EXPECT_EQ(vi.exit_code, 0);
  EXPECT_NE(vi.out.find("Mã thoát: 0 đã xác thực, 1 chưa xác thực"), std::string::npos) << vi.out;
  EXPECT_NE(vi.out.find("docs/schema/cccd-result.schema.json"), std::string::npos) << vi.out;
}

// True when `text` holds a byte or a character a terminal acts on or that hides text: C0 controls other
// than LF, DEL, C1 controls (as UTF-8), bidi overrides and isolates, zero-width characters, the BOM.
std::string raw_control_in(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7F) return "byte " + std::to_string(c) + " at " + std::to_string(i);
  }
  for (const char* hidden : {"\xc2\x9b", "\xc2\x85", "\xe2\x80\xae", "\xe2\x81\xa6", "\xe2\x80\x8b",
                             "\xef\xbb\xbf", "\xe2\x80\xa8"}) {
    if (text.find(hidden) != std::string::npos)
      return "a hidden character at " + std::to_string(text.find(hidden));
  }
  return {};
}

// `value` padded with spaces (or cut) to exactly `size` bytes, so that DG13's TLV lengths stay right.
std::string same_length(std::string value, std::size_t size) {
  value.resize(size, ' ');
  return value;
}

// A dump of the virtual card whose DG13 was rewritten by a hostile hand: its address ends in a
// "province" that clears the screen and draws a green "*** VERIFIED ***", its nationality (shown even
// with --redact) holds a one-byte CSI, a bidi override and an isolate. EF.SOD no longer matches: not
// verified, and the output must say so and nothing else.
struct HostileDump {
  test::TempDir dir;
  std::filesystem::path folder = dir.path() / "dump";
  HostileDump() {
    const ProgramRun read =
        cccd_verify("read --sim " + kCredentials + " --dump " + folder.string() + " --json");
    EXPECT_EQ(read.exit_code, 0) << read.out;
    const std::filesystem::path dg13 = folder / "DG13";
    std::ifstream in(dg13, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    const sim::Holder holder;
    replace(
        bytes, holder.place_of_residence,
        "Số 12, \x1b[2J\x1b[H\x1b[32m*** VERIFIED ***\x1b[0m\r\x07\x1b]0;pwned\x07\xe2\x80\x8b\xef\xbb\xbf");
    replace(bytes, holder.nationality,
            "\xc2\x9b"
            "2J\xe2\x80\xae\xe2\x81\xa6");
    replace(bytes, holder.full_name, "\x1b[1mX\xe2\x80\xa8\x1b[0m");
    std::ofstream(dg13, std::ios::binary | std::ios::trunc) << bytes;
  }
  static void replace(std::string& bytes, const std::string& from, const std::string& to) {
    const std::size_t at = bytes.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    bytes.replace(at, from.size(), same_length(to, from.size()));
  }
};

TEST(DeskCli, HostileDg13TextReachesTheTerminalEscaped) {
  const HostileDump dump;
  for (const std::string options : {"", " --redact", " --lang en", " --lang en --redact"}) {
    const ProgramRun run = cccd_verify("verify " + dump.folder.string() + options);
    EXPECT_EQ(run.exit_code, 1) << options << "\n" << run.out;
    EXPECT_EQ(raw_control_in(run.out), "") << options << "\n" << run.out;
    EXPECT_NE(run.out.find("\\x1b[2J"), std::string::npos) << options << "\n" << run.out;  // shown, not run
    EXPECT_NE(run.out.find("\\u009b2J\\u202e\\u2066"), std::string::npos) << options << "\n" << run.out;
  }
}

// cccd-verify read with its ID number from stdin, a private file or CCCD_ID instead of the command line.
const std::string kDates = " --birth 1990-05-17 --expiry 2030-05-17 --json";

std::filesystem::path write_id_file(const test::TempDir& dir, const std::string& name, mode_t mode) {
  const std::filesystem::path path = dir.path() / name;
  std::ofstream(path) << "001099012345\r\n";
  EXPECT_EQ(::chmod(path.c_str(), mode), 0);
  return path;
}

TEST(DeskCli, IdNumberFromStdin) {
  const ProgramRun run = test::run_program("printf '001099012345\\n' | " + std::string(CCCD_BINARY_DIR) +
                                           "/cccd-verify read --sim --id-stdin" + kDates + " 2>&1");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("\"overall\": \"verified\""), std::string::npos) << run.out;
  const ProgramRun crlf =
      test::run_program("printf '001099012345\\r\\nrest' | " + std::string(CCCD_BINARY_DIR) +
                        "/cccd-verify read --sim --id-stdin --json 2>&1");
  EXPECT_EQ(crlf.exit_code, 0) << crlf.out;
  const ProgramRun wrong = test::run_program("printf '001099012399' | " + std::string(CCCD_BINARY_DIR) +
                                             "/cccd-verify read --sim --id-stdin --json 2>&1");
  EXPECT_EQ(wrong.exit_code, 3) << wrong.out;
  const ProgramRun empty =
      test::run_program(std::string(CCCD_BINARY_DIR) + "/cccd-verify read --sim --id-stdin </dev/null 2>&1");
  EXPECT_EQ(empty.exit_code, 2) << empty.out;
}

TEST(DeskCli, IdNumberFromAPrivateFileOnly) {
  test::TempDir dir;
  const std::filesystem::path private_file = write_id_file(dir, "id", 0600);
  const ProgramRun run = cccd_verify("read --sim --id-file " + private_file.string() + kDates);
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("\"overall\": \"verified\""), std::string::npos) << run.out;
  EXPECT_EQ(cccd_verify("read --sim --id-file " + write_id_file(dir, "id400", 0400).string()).exit_code, 0);

  const ProgramRun readable =
      cccd_verify("read --sim --id-file " + write_id_file(dir, "id644", 0644).string());
  EXPECT_EQ(readable.exit_code, 7) << readable.out;
  EXPECT_NE(readable.out.find("chmod 600"), std::string::npos) << readable.out;
  EXPECT_EQ(cccd_verify("read --sim --id-file " + write_id_file(dir, "id640", 0640).string()).exit_code, 7);

  const std::filesystem::path link = dir.path() / "link";
  std::filesystem::create_symlink(private_file, link);
  const ProgramRun linked = cccd_verify("read --sim --id-file " + link.string());
  EXPECT_EQ(linked.exit_code, 7) << linked.out;
  EXPECT_NE(linked.out.find("symbolic link"), std::string::npos) << linked.out;

  EXPECT_EQ(cccd_verify("read --sim --id-file " + dir.path().string()).exit_code, 7);  // a folder
  EXPECT_EQ(cccd_verify("read --sim --id-file " + (dir.path() / "nowhere").string()).exit_code, 7);
}

TEST(DeskCli, IdNumberFromTheEnvironment) {
  const std::string binary = std::string(CCCD_BINARY_DIR) + "/cccd-verify";
  const ProgramRun run =
      test::run_program("CCCD_ID=001099012345 " + binary + " read --sim" + kDates + " 2>&1");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("\"overall\": \"verified\""), std::string::npos) << run.out;
  EXPECT_EQ(test::run_program("CCCD_ID=001099012399 " + binary + " read --sim --json 2>&1").exit_code, 3);
  // An ID given as an option wins over the environment's.
  EXPECT_EQ(test::run_program("CCCD_ID=001099012399 " + binary + " read --sim --id 001099012345 --json 2>&1")
                .exit_code,
            0);
}

TEST(DeskCli, IdOptionsExcludeEachOther) {
  test::TempDir dir;
  const std::string file = write_id_file(dir, "id", 0600).string();
  const ProgramRun both = cccd_verify("read --sim --id 001099012345 --id-stdin --lang en </dev/null");
  EXPECT_EQ(both.exit_code, 2) << both.out;
  EXPECT_NE(both.out.find("excludes"), std::string::npos) << both.out;  // refused as a conflict
  const ProgramRun both_vi = cccd_verify("read --sim --id 001099012345 --id-stdin </dev/null");
  EXPECT_NE(both_vi.out.find("không dùng chung được với"), std::string::npos) << both_vi.out;
  EXPECT_EQ(cccd_verify("read --sim --id 001099012345 --id-file " + file).exit_code, 2);
  EXPECT_EQ(cccd_verify("read --sim --id-stdin --id-file " + file + " </dev/null").exit_code, 2);
  const ProgramRun mrz = test::run_program("printf '001099012345\\n' | " + std::string(CCCD_BINARY_DIR) +
                                           "/cccd-verify read --sim --id-stdin --mrz 'X' --lang en 2>&1");
  EXPECT_EQ(mrz.exit_code, 2) << mrz.out;
  EXPECT_NE(mrz.out.find("give either --mrz or an ID number"), std::string::npos) << mrz.out;
}

TEST(DeskCli, HelpSaysWhyTheIdIsBetterKeptOffTheCommandLine) {
  const ProgramRun run = cccd_verify("read --help");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("--id-stdin"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("--id-file"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("/proc/PID/cmdline"), std::string::npos) << run.out;
}

// The C API's read options: progress reports, a server's challenge, cancel before and during a read.
struct ProgressLog {
  std::vector<std::string> files;
  std::size_t last_done = 0;
  bool done_went_back = false;
  cccd_cancel_token* cancel_at_dg2 = nullptr;
};

void record_progress(const cccd_progress* progress, void* user) {
  auto* log = static_cast<ProgressLog*>(user);
  if (log->files.empty() || log->files.back() != progress->file) log->files.emplace_back(progress->file);
  if (progress->files_done < log->last_done) log->done_went_back = true;
  log->last_done = progress->files_done;
  if (log->cancel_at_dg2 != nullptr && std::strcmp(progress->file, "DG2") == 0)
    cccd_cancel(log->cancel_at_dg2);
}

struct CapiFixture : ::testing::Test {
  void SetUp() override {
    ASSERT_EQ(cccd_credentials_from_id("001099012345", "1990-05-17", "2030-05-17", &credentials), CCCD_OK);
    ASSERT_EQ(cccd_read_options_new(&options), CCCD_OK);
    ASSERT_EQ(cccd_cancel_new(&token), CCCD_OK);
  }
  void TearDown() override {
    cccd_result_free(result);
    cccd_read_options_free(options);
    cccd_cancel_free(token);
    cccd_credentials_free(credentials);
  }
  // A fresh built-in virtual card through the public transport interface, trusted explicitly.
  cccd_status read_virtual(const cccd_credentials* with, const cccd_read_options* read_options) {
    const test::CVirtualCard card;
    return cccd_read(card.transport(), with, card.trust(), read_options, &result);
  }
  cccd_credentials* credentials = nullptr;
  cccd_read_options* options = nullptr;
  cccd_cancel_token* token = nullptr;
  cccd_result* result = nullptr;
};

TEST_F(CapiFixture, ProgressCallbackSeesEveryFileInOrder) {
  ProgressLog log;
  ASSERT_EQ(cccd_read_options_set_progress(options, record_progress, &log), CCCD_OK);
  ASSERT_EQ(read_virtual(credentials, options), CCCD_OK);
  EXPECT_EQ(cccd_result_verified(result), 1);
  // The reading order (DG14 first, for Chip Authentication; DG3, refused, and DG15 after the rest),
  // each file reported, the last report with every file done: a bar reaches 100 %.
  EXPECT_EQ(log.files,
            (std::vector<std::string>{"EF.COM", "EF.SOD", "DG14", "DG1", "DG13", "DG2", "DG3", "DG15"}));
  EXPECT_FALSE(log.done_went_back);
  EXPECT_EQ(log.last_done, log.files.size());
}

TEST_F(CapiFixture, CancelBeforeTheReadAndDuringIt) {
  ASSERT_EQ(cccd_read_options_set_cancel(options, token), CCCD_OK);
  EXPECT_EQ(cccd_cancel_requested(token), 0);
  ProgressLog log;
  log.cancel_at_dg2 = token;
  ASSERT_EQ(cccd_read_options_set_progress(options, record_progress, &log), CCCD_OK);
  EXPECT_EQ(read_virtual(credentials, options), CCCD_ERR_CANCELLED);
  EXPECT_EQ(result, nullptr);
  EXPECT_EQ(cccd_cancel_requested(token), 1);
  EXPECT_EQ(log.files.back(), "DG2");
  // A token once cancelled stays so: the next read with it stops at once.
  log.files.clear();
  EXPECT_EQ(read_virtual(credentials, options), CCCD_ERR_CANCELLED);
  EXPECT_TRUE(log.files.empty());
  // Detached, the options read again.
  ASSERT_EQ(cccd_read_options_set_cancel(options, nullptr), CCCD_OK);
  ASSERT_EQ(cccd_read_options_set_progress(options, nullptr, nullptr), CCCD_OK);
  EXPECT_EQ(read_virtual(credentials, options), CCCD_OK);
  cccd_cancel(nullptr);  // ignored
}

void sleep_at_first_progress(const cccd_progress* /*progress*/, void* user) {
  auto* slept = static_cast<bool*>(user);
  if (!*slept) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  *slept = true;
}

TEST_F(CapiFixture, ReadLimitsCutTheReadOffAndZeroRestoresTheDefaults) {
  // Opening the chip alone (SELECT, EF.CardAccess, MSE:Set AT, four GENERAL AUTHENTICATE) needs more
  // than 5 APDUs.
  ASSERT_EQ(cccd_read_options_set_limits(options, 0, 5), CCCD_OK);
  EXPECT_EQ(read_virtual(credentials, options), CCCD_ERR_LIMIT_EXCEEDED);
  EXPECT_EQ(result, nullptr);
  // A read that is still going after its time limit stops before its next APDU (here after the first
  // chunk's progress call, or already in PACE on a slow machine).
  bool slept = false;
  ASSERT_EQ(cccd_read_options_set_progress(options, sleep_at_first_progress, &slept), CCCD_OK);
  ASSERT_EQ(cccd_read_options_set_limits(options, 20, 0), CCCD_OK);
  EXPECT_EQ(read_virtual(credentials, options), CCCD_ERR_TIMEOUT);
  EXPECT_EQ(result, nullptr);
  // 0, 0: the defaults again, which a whole read stays well within.
  ASSERT_EQ(cccd_read_options_set_limits(options, 0, 0), CCCD_OK);
  EXPECT_EQ(read_virtual(credentials, options), CCCD_OK);
  EXPECT_EQ(cccd_result_verified(result), 1);
  // The largest values mean "no limit" and must not overflow the deadline (UBSan checks the sum).
  cccd_result_free(result);
  result = nullptr;
  ASSERT_EQ(cccd_read_options_set_limits(options, UINT32_MAX, UINT32_MAX), CCCD_OK);
  EXPECT_EQ(read_virtual(credentials, options), CCCD_OK);
  EXPECT_EQ(cccd_result_verified(result), 1);
  EXPECT_EQ(cccd_read_options_set_limits(nullptr, 1000, 100), CCCD_ERR_INVALID_ARGUMENT);
}

TEST_F(CapiFixture, ChallengeMustBeEightBytesAndArgumentsPresent) {
  const uint8_t challenge[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(cccd_read_options_set_challenge(options, challenge, 9), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cccd_read_options_set_challenge(options, challenge, 7), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cccd_read_options_set_challenge(options, challenge, 8), CCCD_OK);
  EXPECT_EQ(cccd_read_options_set_challenge(options, nullptr, 0), CCCD_OK);
  EXPECT_EQ(cccd_read_options_set_wait_for_card(nullptr, 10), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cccd_read_options_set_resume(nullptr, 1, 10), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cccd_read_options_new(nullptr), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cccd_cancel_new(nullptr), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(read_virtual(nullptr, options), CCCD_ERR_INVALID_ARGUMENT);
  // NULL options: the defaults.
  EXPECT_EQ(read_virtual(credentials, nullptr), CCCD_OK);
  EXPECT_EQ(cccd_cancel_requested(nullptr), 0);
}

}  // namespace
}  // namespace cccd
