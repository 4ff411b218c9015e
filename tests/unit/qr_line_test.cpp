// The counter's QR line (issue 21): the parser (fields, sex words, dates, an empty former ID, line ends,
// scanners on another keyboard layout), the canonical (NFC/NFD) comparison of Vietnamese text, the
// qr_consistency finding, the C API taking a QR line wherever an ID number goes, and cccd-verify with it.
#include "lds/qr_line.hpp"
#include "lds/lds.hpp"
#include "lds/unicode_text.hpp"
#include "sim/generator.hpp"
#include "test_support.hpp"
#include "verify/qr_consistency.hpp"

#include "c_virtual_card.hpp"

#include <cccd/cccd.h>
#include <cccd/error.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace cccd {
namespace {

using nlohmann::json;

const std::string kResidence = "Số 12 Ngõ 34 Phố Trần Quốc Hoàn, Phường Dịch Vọng Hậu, Quận Cầu Giấy, Hà Nội";
// The built-in virtual card's QR line (sim::Holder), as its printed front would give it.
const std::string kLine =
    "001099012345|034190001234|Nguyễn Thị Thu Hà|17051990|Nữ|" + kResidence + "|10042021";

// Runs `check` and returns the message of the Error(invalid_argument) it must throw.
template <class Check>
std::string refusal(Check&& check) {
  try {
    check();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no refusal";
  return {};
}

std::string refusal_of(const std::string& line) {
  return refusal([&] { lds::parse_id_or_qr_line(line); });
}

TEST(QrLine, ParsesEveryField) {
  const CardQr qr = lds::parse_qr_line(kLine);
  EXPECT_EQ(qr.id_number, "001099012345");
  EXPECT_EQ(qr.former_id_number, "034190001234");
  EXPECT_EQ(qr.full_name, "Nguyễn Thị Thu Hà");
  EXPECT_EQ(qr.date_of_birth, "17/05/1990");
  EXPECT_EQ(qr.sex, "Nữ");
  EXPECT_EQ(qr.place_of_residence, kResidence);
  EXPECT_EQ(qr.date_of_issue, "10/04/2021");
}

TEST(QrLine, LineEndsSpacesAndAnEmptyFormerId) {
  for (const std::string end : {"\n", "\r\n", "\r", "  \r\n"}) {
    EXPECT_EQ(lds::parse_qr_line(kLine + end).date_of_issue, "10/04/2021") << "line end of " << end.size();
  }
  const CardQr qr = lds::parse_qr_line("079062000123||Trần Văn Nam|02081962|Nam|Hà Nội|15012022");
  EXPECT_EQ(qr.former_id_number, "");
  EXPECT_EQ(qr.sex, "Nam");
  EXPECT_EQ(
      lds::parse_qr_line("079062000123|123456789|Trần Văn Nam|02081962|Nam|Hà Nội|15012022").former_id_number,
      "123456789");
}

TEST(QrLine, SexWordsInAnySpellingOrCase) {
  const std::string decomposed_nu = "Nu\xCC\x9B\xCC\x83";  // u + horn + tilde: ữ decomposed
  for (const std::string& word :
       {std::string("Nữ"), decomposed_nu, std::string("NỮ"), std::string("Nu"), std::string("nu")}) {
    EXPECT_EQ(lds::parse_qr_line("001099012345||A B|17051990|" + word + "|X|10042021").sex, "Nữ") << word;
  }
  for (const std::string& word : {std::string("Nam"), std::string("NAM"), std::string("nam")}) {
    EXPECT_EQ(lds::parse_qr_line("001099012345||A B|17051990|" + word + "|X|10042021").sex, "Nam") << word;
  }
  EXPECT_NE(refusal_of("001099012345||A B|17051990|Male|X|10042021").find("sex is neither Nam nor Nữ"),
            std::string::npos);
}

TEST(QrLine, RefusesBadFieldsByName) {
  EXPECT_NE(refusal_of("001099012345|034190001234|Nguyễn Thị Thu Hà|17051990|Nữ|Hà Nội").find("7 fields"),
            std::string::npos);
  EXPECT_NE(refusal_of(kLine + "|extra").find("this one has 8"), std::string::npos);
  EXPECT_NE(refusal_of("00109901234|||17051990|Nữ|X|10042021").find("ID number is not 12 digits"),
            std::string::npos);
  EXPECT_NE(refusal_of("001099012345|0341|A|17051990|Nữ|X|10042021").find("former ID number"),
            std::string::npos);
  EXPECT_NE(refusal_of("001099012345||A|1990-05-17|Nữ|X|10042021").find("date of birth is not ddmmyyyy"),
            std::string::npos);
  EXPECT_NE(refusal_of("001099012345||A|31021990|Nữ|X|10042021").find("date of birth is not a real date"),
            std::string::npos);
  EXPECT_NE(refusal_of("001099012345||A|17051990|Nữ|X|1004202").find("date of issue"), std::string::npos);
  EXPECT_NE(refusal_of("001099012345|||17051990|Nữ|X|10042021").find("has no name"), std::string::npos);
  // No value of the line is ever part of a refusal.
  const std::string message = refusal_of("001099012345|0341|Nguyễn Thị Thu Hà|17051990|Nữ|X|10042021");
  EXPECT_EQ(message.find("001099012345"), std::string::npos);
  EXPECT_EQ(message.find("Nguyễn"), std::string::npos);
  EXPECT_EQ(message.find("0341"), std::string::npos);
}

TEST(QrLine, ScannerOnAnotherKeyboardLayout) {
  // French AZERTY: the US key codes of the digits give the symbols of its digit row.
  const std::string azerty_id = "àà&àççà&é\"'(";
  for (const std::string& line :
       {azerty_id, azerty_id + "µàé'&çàààé\"'µ", azerty_id + "|034190001234|A|17051990|Nữ|X|10042021"}) {
    const std::string message = refusal_of(line);
    EXPECT_NE(message.find("check the scanner's keyboard layout"), std::string::npos) << message;
    EXPECT_NE(message.find("AZERTY"), std::string::npos) << message;
  }
  // German QWERTZ: the key of | gives '.
  std::string german = kLine;
  std::replace(german.begin(), german.end(), '|', '\'');
  EXPECT_NE(refusal_of(german).find("separators came out as '''"), std::string::npos) << refusal_of(german);
  // UTF-8 read as Windows-1252 and typed again: mojibake.
  const std::string mojibake = "001099012345||Nguy\xC3\xA1\xC2\xBB\xE2\x80\xA6n|17051990|Nữ|X|10042021";
  EXPECT_NE(refusal_of(mojibake).find("garbled"), std::string::npos) << refusal_of(mojibake);
  EXPECT_NE(refusal_of(mojibake).find("keyboard layout"), std::string::npos);
  // A scanner that types ASCII only and puts '?' for each letter it cannot type.
  const std::string question_marks = "001099012345||Nguy?n Th? Thu H?|17051990|N?|X|10042021";
  EXPECT_NE(refusal_of(question_marks).find("keyboard layout"), std::string::npos)
      << refusal_of(question_marks);
  // Not UTF-8 at all (a Latin-1 'ễ' has no byte; take é as 0xE9).
  EXPECT_NE(refusal_of("001099012345||Nguy\xE9n|17051990|Nam|X|10042021").find("keyboard layout"),
            std::string::npos);
}

TEST(QrLine, AnIdNumberAloneOrNeither) {
  const lds::IdOrQr id = lds::parse_id_or_qr_line("001099012345\r\n");
  EXPECT_EQ(id.id_number, "001099012345");
  EXPECT_FALSE(id.qr);
  const lds::IdOrQr qr = lds::parse_id_or_qr_line(kLine + "\n");
  EXPECT_EQ(qr.id_number, "001099012345");
  ASSERT_TRUE(qr.qr);
  EXPECT_NE(refusal_of("12345").find("12 digits"), std::string::npos);
  EXPECT_NE(refusal_of("").find("no ID number"), std::string::npos);
  EXPECT_NE(refusal_of("hello world, this is not a card").find("scan the QR code"), std::string::npos);
}

// Hostile lines (a scanner or a person may type anything): pieces of real lines, separators, digits,
// broken UTF-8, combining marks and controls, shuffled deterministically. The parser either accepts or
// refuses with invalid_argument; the comparison of whatever parsed never throws.
TEST(QrLine, HostileLinesAreRefusedOrParsedNeverAnythingElse) {
  const std::vector<std::string> pieces = {
      "|",          "||", "001099012345", "0",        "9",      "17051990",         "31022000", "Nam", "Nữ",
      "Nu\xCC\x9B", "ễ",  "\xCC\x83",     "\xE1\xBB", "\xFF",   "\xC3\xA1\xC2\xBB", "?",        "\r",  "\n",
      "\x1B[2J",    " ",  "à&é",          "'",        "Hà Nội", "\xF0\x9F\x98"};
  const PersonalData personal = lds::parse_dg13(sim::default_card().files.at(FileId::dg13));
  std::uint32_t state = 2166136261u;
  int parsed = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string line;
    const int count = 1 + static_cast<int>(state % 24);
    for (int i = 0; i < count; ++i) {
      state = state * 1664525u + 1013904223u;
      line += pieces[(state >> 8) % pieces.size()];
    }
    if (round % 7 == 0) line = kLine.substr(0, state % kLine.size()) + line;
    if (round % 3 == 0) {  // a real line with one piece slipped in somewhere: some of these still parse
      line = kLine;
      line.insert(state % line.size(), pieces[(state >> 16) % pieces.size()]);
    }
    try {
      const lds::IdOrQr entry = lds::parse_id_or_qr_line(line);
      ++parsed;
      if (entry.qr) (void)verification::check_qr_consistency(*entry.qr, personal);
    } catch (const Error& e) {
      ASSERT_EQ(e.code(), ErrorCode::invalid_argument) << e.what();
    }
    (void)lds::canonical_decomposition(line);
  }
  EXPECT_NE(refusal_of(std::string(5000, '|')).find("too long"), std::string::npos);
  EXPECT_GT(parsed, 0);
}

TEST(QrLine, TheVirtualCardsFrontGivesItsLine) {
  const sim::CardData card = sim::default_card();
  EXPECT_EQ(lds::qr_line_of(lds::parse_dg13(card.files.at(FileId::dg13))), kLine);
}

TEST(UnicodeText, CanonicalEquivalenceOfVietnameseLetters) {
  const std::string precomposed = "Nguyễn Thị Thu Hà";
  const std::string decomposed = "Nguye\xCC\x82\xCC\x83n Thi\xCC\xA3 Thu Ha\xCC\x80";  // e+^+~, i+dot, a+`
  // ệ as e + circumflex + dot below (marks in the other order) and as e + dot below + circumflex.
  EXPECT_TRUE(lds::canonically_equal(precomposed, decomposed));
  EXPECT_TRUE(lds::canonically_equal("ệ", "e\xCC\x82\xCC\xA3"));
  EXPECT_TRUE(lds::canonically_equal("ệ", "e\xCC\xA3\xCC\x82"));
  EXPECT_TRUE(lds::canonically_equal("ệ", "ẹ\xCC\x82"));
  EXPECT_TRUE(lds::canonically_equal("Đặng", "Đa\xCC\x86\xCC\xA3ng"));
  EXPECT_FALSE(lds::canonically_equal("Hà", "Ha"));
  EXPECT_FALSE(lds::canonically_equal("Hà", "Há"));
  EXPECT_FALSE(lds::canonically_equal("Đ", "D"));
  EXPECT_EQ(lds::canonical_decomposition("ABC \xFF z"), "ABC \xFF z");  // not UTF-8: kept as it is
}

PersonalData default_personal() {
  return lds::parse_dg13(sim::default_card().files.at(FileId::dg13));
}

TEST(QrConsistency, AgreesAndNamesTheFieldsThatDiffer) {
  const PersonalData personal = default_personal();
  const Finding same = verification::check_qr_consistency(lds::parse_qr_line(kLine), personal);
  EXPECT_EQ(same.status, FindingStatus::passed) << same.detail;

  CardQr qr = lds::parse_qr_line(kLine);
  qr.full_name = "Nguye\xCC\x82\xCC\x83n  Thị Thu Ha\xCC\x80";  // decomposed, two spaces: the same name
  EXPECT_EQ(verification::check_qr_consistency(qr, personal).status, FindingStatus::passed);

  qr.full_name = "Nguyen Thi Thu Ha";  // a scanner that typed no diacritics
  const Finding ascii = verification::check_qr_consistency(qr, personal);
  EXPECT_EQ(ascii.status, FindingStatus::passed);
  EXPECT_NE(ascii.detail.find("without diacritics"), std::string::npos);

  qr.full_name = "Nguyễn Thị Thu Hằng";  // a forged front
  qr.date_of_birth = "17/05/1991";
  qr.former_id_number = "";
  const Finding forged = verification::check_qr_consistency(qr, personal);
  EXPECT_EQ(forged.status, FindingStatus::failed);
  EXPECT_NE(forged.detail.find("differ in: former ID number, name, date of birth"), std::string::npos)
      << forged.detail;
  EXPECT_EQ(forged.detail.find("Hằng"), std::string::npos);

  CardQr other = lds::parse_qr_line(kLine);
  other.sex = "Nam";
  other.place_of_residence = "Hà Nội";
  other.date_of_issue = "11/04/2021";
  other.id_number = "001099012346";
  const Finding wrong = verification::check_qr_consistency(other, personal);
  EXPECT_NE(wrong.detail.find("differ in: ID number, sex, place of residence, date of issue"),
            std::string::npos)
      << wrong.detail;
}

struct Handles {
  cccd_credentials* credentials = nullptr;
  cccd_result* result = nullptr;
  ~Handles() {
    cccd_result_free(result);
    cccd_credentials_free(credentials);
  }
};

TEST(QrLineCApi, CredentialsFromIdTakeAQrLine) {
  test::CVirtualCard card;
  {
    Handles h;
    ASSERT_EQ(cccd_credentials_from_id((kLine + "\r\n").c_str(), "", "", &h.credentials), CCCD_OK)
        << cccd_last_error();
    ASSERT_EQ(cccd_read(card.transport(), h.credentials, card.trust(), nullptr, &h.result), CCCD_OK)
        << cccd_last_error();
    const json result = json::parse(cccd_result_json(h.result));
    EXPECT_EQ(result["verdict"]["overall"], "verified");
    EXPECT_EQ(result["verdict"]["qr_consistency"]["status"], "passed");
  }
  {
    // A forged front: the chip opens (the ID is right) and the verdict flags the QR code.
    Handles h;
    std::string forged = kLine;
    forged.replace(forged.find("Hà|"), std::string("Hà|").size(), "Hằng|");
    ASSERT_EQ(cccd_credentials_from_id(forged.c_str(), "", "", &h.credentials), CCCD_OK) << cccd_last_error();
    ASSERT_EQ(cccd_read(card.transport(), h.credentials, card.trust(), nullptr, &h.result), CCCD_OK);
    const json result = json::parse(cccd_result_json(h.result));
    EXPECT_EQ(result["verdict"]["overall"], "not_verified");
    EXPECT_EQ(result["verdict"]["qr_consistency"]["status"], "failed");
  }
  {
    // The ID number alone: no qr_consistency at all.
    Handles h;
    ASSERT_EQ(cccd_credentials_from_id("001099012345", "", "", &h.credentials), CCCD_OK);
    ASSERT_EQ(cccd_read(card.transport(), h.credentials, card.trust(), nullptr, &h.result), CCCD_OK);
    const json result = json::parse(cccd_result_json(h.result));
    EXPECT_FALSE(result["verdict"].contains("qr_consistency"));
    EXPECT_EQ(result["verdict"]["overall"], "verified");
  }
  Handles h;
  std::string german = kLine;
  std::replace(german.begin(), german.end(), '|', '\'');
  EXPECT_EQ(cccd_credentials_from_id(german.c_str(), "", "", &h.credentials), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(cccd_last_error()).find("check the scanner's keyboard layout"), std::string::npos);
}

test::ProgramRun cccd_verify(const std::string& arguments) {
  return test::run_program(std::string(CCCD_BINARY_DIR) + "/cccd-verify " + arguments + " 2>&1");
}

TEST(QrLineCli, EveryWayAnIdIsGiven) {
  test::TempDir dir;
  const std::filesystem::path file = dir.path() / "qr.txt";
  std::ofstream(file) << kLine << "\r\n";
  ::chmod(file.c_str(), 0600);
  const std::string quoted = "'" + kLine + "'";
  for (const std::string& way :
       {"--id " + quoted, "--id-file " + file.string(), "--id-stdin < " + file.string()}) {
    const test::ProgramRun run = cccd_verify("read --sim --json " + way);
    EXPECT_EQ(run.exit_code, 0) << way << "\n" << run.out;
    EXPECT_NE(run.out.find("\"qr_consistency\""), std::string::npos) << way;
  }
  std::string forged = kLine;
  forged.replace(forged.find("17051990"), 8, "17051991");
  const test::ProgramRun run = cccd_verify("read --sim --lang en --id '" + forged + "'");
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("QR code/chip (DG13):    FAILED"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("differ in: date of birth"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Source:                 VIRTUAL card (--sim)"), std::string::npos) << run.out;
  // A scanner on another layout: a usage error that says what to check.
  const test::ProgramRun azerty = cccd_verify("read --sim --lang en --id 'àà&àççà&é\"'\"'\"'('");
  EXPECT_EQ(azerty.exit_code, 2) << azerty.out;
  EXPECT_NE(azerty.out.find("check the scanner's keyboard layout"), std::string::npos) << azerty.out;
  // No ID given and stdin is not a terminal: the usage error, not a question.
  const test::ProgramRun none = cccd_verify("read --sim --lang en < /dev/null");
  EXPECT_EQ(none.exit_code, 2) << none.out;
}

}  // namespace
}  // namespace cccd
