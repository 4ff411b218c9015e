#include "lds/mrz.hpp"
#include "test_support.hpp"

#include <cccd/error.hpp>

#include <gtest/gtest.h>

#include <cctype>
#include <functional>

namespace cccd::lds {
namespace {

// The shape of the CCCD's MRZ (chip profile): number = last 9 digits of the ID, the ID in optional data 1.
const char* const kCccdLine1 = "IDVNM0910055134051091005513<<0";
const char* const kCccdLine2 = "9105104M3105102VNM<<<<<<<<<<<2";
const char* const kCccdLine3 = "NGUYEN<<VAN<AN<<<<<<<<<<<<<<<<";

std::string cccd_mrz() {
  return std::string(kCccdLine1) + "\n" + kCccdLine2 + "\n" + kCccdLine3;
}

ErrorCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::internal;  // no error at all: never the expected code
}

TEST(MrzCheckDigit, IcaoExamples) {
  EXPECT_EQ(mrz_check_digit("L898902C3"), '6');
  EXPECT_EQ(mrz_check_digit("L898902C<"), '3');
  EXPECT_EQ(mrz_check_digit("740812"), '2');
  EXPECT_EQ(mrz_check_digit("120415"), '9');
  EXPECT_EQ(mrz_check_digit("690806"), '1');
  EXPECT_EQ(mrz_check_digit("940623"), '6');
  EXPECT_EQ(mrz_check_digit("D23145890"), '7');
  EXPECT_EQ(mrz_check_digit("091005513"), '4');
  EXPECT_EQ(mrz_check_digit(""), '0');
  EXPECT_EQ(mrz_check_digit("<<<<<<"), '0');
}

TEST(MrzCheckDigit, FillerCountsZero) {
  // "91<<<<" weighs like "910000".
  EXPECT_EQ(mrz_check_digit("91<<<<"), mrz_check_digit("910000"));
  EXPECT_EQ(mrz_check_digit("9105<<"), mrz_check_digit("910500"));
}

TEST(MrzCheckDigit, RejectsOtherCharacters) {
  for (const char* field : {"12a4", "12 4", "12-4", "\xC3\xA9"}) {
    SCOPED_TRACE(field);
    EXPECT_EQ(code_of([field] { mrz_check_digit(field); }), ErrorCode::invalid_argument);
  }
}

TEST(ParseMrz, CccdTd1) {
  Mrz mrz = parse_mrz(cccd_mrz());
  EXPECT_EQ(mrz.format, Mrz::Format::td1);
  EXPECT_EQ(mrz.document_code, "ID");
  EXPECT_EQ(mrz.issuing_state, "VNM");
  EXPECT_EQ(mrz.document_number, "091005513");
  EXPECT_EQ(mrz.optional_data_1, "051091005513<<0");
  EXPECT_EQ(mrz.cccd_id_number(), "051091005513");
  EXPECT_EQ(mrz.date_of_birth, "910510");
  EXPECT_EQ(mrz.sex, "M");
  EXPECT_EQ(mrz.date_of_expiry, "310510");
  EXPECT_EQ(mrz.nationality, "VNM");
  EXPECT_EQ(mrz.optional_data_2, "");
  EXPECT_EQ(mrz.primary_identifier, "NGUYEN");
  EXPECT_EQ(mrz.secondary_identifier, "VAN AN");
  EXPECT_EQ(mrz.text, cccd_mrz());
  EXPECT_TRUE(mrz.check_digits_valid);
}

TEST(ParseMrz, OneRunAndLowerCaseAndCrLf) {
  Mrz run = parse_mrz(std::string(kCccdLine1) + kCccdLine2 + kCccdLine3);
  EXPECT_EQ(run.text, cccd_mrz());
  EXPECT_TRUE(run.check_digits_valid);

  std::string lower = cccd_mrz();
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Mrz from_lower = parse_mrz(lower);
  EXPECT_EQ(from_lower.text, cccd_mrz());
  EXPECT_TRUE(from_lower.check_digits_valid);

  Mrz crlf = parse_mrz(std::string(kCccdLine1) + "\r\n" + kCccdLine2 + "\r\n" + kCccdLine3 + "\r\n");
  EXPECT_EQ(crlf.text, cccd_mrz());
}

TEST(ParseMrz, UnknownDayAndMonthOfBirth) {
  // Only the year on record: "91<<<<", check digit computed with '<' = 0.
  Mrz year_only = parse_mrz(std::string(kCccdLine1) + "\n91<<<<6F9912315VNM<<<<<<<<<<<4\n" + kCccdLine3);
  EXPECT_EQ(year_only.date_of_birth, "91<<<<");
  EXPECT_EQ(year_only.date_of_expiry, "991231");
  EXPECT_EQ(year_only.sex, "F");
  EXPECT_TRUE(year_only.check_digits_valid);

  Mrz no_day = parse_mrz(std::string(kCccdLine1) + "\n9105<<1F9912315VNM<<<<<<<<<<<4\n" + kCccdLine3);
  EXPECT_EQ(no_day.date_of_birth, "9105<<");
  EXPECT_TRUE(no_day.check_digits_valid);

  MrzKeyFields fields = key_fields(year_only);
  EXPECT_EQ(std::string(mrz_information(fields).c_str()), "091005513491<<<<69912315");
}

TEST(ParseMrz, IcaoTd3) {
  Mrz mrz = parse_mrz(
      "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
      "L898902C36UTO7408122F1204159ZE184226B<<<<<10");
  EXPECT_EQ(mrz.format, Mrz::Format::td3);
  EXPECT_EQ(mrz.document_code, "P<");
  EXPECT_EQ(mrz.issuing_state, "UTO");
  EXPECT_EQ(mrz.primary_identifier, "ERIKSSON");
  EXPECT_EQ(mrz.secondary_identifier, "ANNA MARIA");
  EXPECT_EQ(mrz.document_number, "L898902C3");
  EXPECT_EQ(mrz.nationality, "UTO");
  EXPECT_EQ(mrz.date_of_birth, "740812");
  EXPECT_EQ(mrz.sex, "F");
  EXPECT_EQ(mrz.date_of_expiry, "120415");
  EXPECT_EQ(mrz.optional_data_2, "ZE184226B");
  EXPECT_EQ(mrz.cccd_id_number(), "");
  EXPECT_TRUE(mrz.check_digits_valid);
}

TEST(ParseMrz, IcaoTd1) {
  Mrz mrz = parse_mrz(
      "I<UTOD231458907<<<<<<<<<<<<<<<\n"
      "7408122F1204159UTO<<<<<<<<<<<6\n"
      "ERIKSSON<<ANNA<MARIA<<<<<<<<<<");
  EXPECT_EQ(mrz.format, Mrz::Format::td1);
  EXPECT_EQ(mrz.document_code, "I<");
  EXPECT_EQ(mrz.document_number, "D23145890");
  EXPECT_EQ(mrz.optional_data_1, "");
  EXPECT_EQ(mrz.cccd_id_number(), "");
  EXPECT_EQ(mrz.date_of_birth, "740812");
  EXPECT_EQ(mrz.date_of_expiry, "120415");
  EXPECT_EQ(mrz.nationality, "UTO");
  EXPECT_EQ(mrz.primary_identifier, "ERIKSSON");
  EXPECT_EQ(mrz.secondary_identifier, "ANNA MARIA");
  EXPECT_TRUE(mrz.check_digits_valid);
}

TEST(ParseMrz, Td1LongDocumentNumber) {
  // ICAO 9303 Part 5 example: number D23145890734, its check digit 9 after the overflow.
  Mrz mrz = parse_mrz(
      "I<UTOD23145890<7349<<<<<<<<<<<\n"
      "3407127M9507122UTO<<<<<<<<<<<2\n"
      "STEVENSON<<PETER<JOHN<<<<<<<<<");
  EXPECT_EQ(mrz.document_number, "D23145890734");
  EXPECT_EQ(mrz.optional_data_1, "");
  EXPECT_TRUE(mrz.check_digits_valid);
  MrzKeyFields fields = key_fields(mrz);
  EXPECT_EQ(fields.document_number, "D23145890734");
  EXPECT_EQ(std::string(mrz_information(fields).c_str()),
            "D2314589073493407127950712"
            "2");

  // The same with a wrong overflow check digit.
  Mrz wrong = parse_mrz(
      "I<UTOD23145890<7348<<<<<<<<<<<\n"
      "3407127M9507122UTO<<<<<<<<<<<2\n"
      "STEVENSON<<PETER<JOHN<<<<<<<<<");
  EXPECT_FALSE(wrong.check_digits_valid);
}

TEST(ParseMrz, EachWrongCheckDigitIsReported) {
  std::string good = cccd_mrz();
  // Positions in the joined text: number check (14), birth check (31+6), expiry check (31+14), composite
  // (31+29).
  for (std::size_t position : {std::size_t{14}, std::size_t{37}, std::size_t{45}, std::size_t{60}}) {
    SCOPED_TRACE(position);
    std::string bad = good;
    bad[position] = bad[position] == '0' ? '1' : '0';
    Mrz mrz = parse_mrz(bad);
    EXPECT_FALSE(mrz.check_digits_valid);
  }
  // TD3 personal number check.
  Mrz td3 = parse_mrz(
      "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
      "L898902C36UTO7408122F1204159ZE184226B<<<<<20");
  EXPECT_FALSE(td3.check_digits_valid);
}

TEST(ParseMrz, RejectsWrongShapes) {
  std::string l1 = kCccdLine1;
  std::string l2 = kCccdLine2;
  std::string l3 = kCccdLine3;
  for (const std::string& text :
       {std::string(), l1, l1 + "\n" + l2, l1 + "\n" + l2 + "\n" + l3 + "\n" + l3,
        l1 + "<\n" + l2 + "\n" + l3, l1 + "\n" + l2 + "\n" + l3.substr(1), l1 + l2 + l3 + "<",
        std::string(89, '<'), "IDVNM09100551340510910055!3<<0\n" + l2 + "\n" + l3, std::string(200, 'A')}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(code_of([&text] { parse_mrz(text); }), ErrorCode::invalid_argument);
  }
}

TEST(MrzInformation, IcaoBacVector) {
  auto bac = test::icao_section("bac");
  MrzKeyFields fields{bac.at("document_number"), bac.at("date_of_birth"), bac.at("date_of_expiry")};
  EXPECT_EQ(std::string(mrz_information(fields).c_str()), bac.at("mrz_information"));
  // Without the filler: padded back to 9.
  fields.document_number = "L898902C";
  EXPECT_EQ(std::string(mrz_information(fields).c_str()), bac.at("mrz_information"));
  fields.document_number = "l898902c";
  EXPECT_EQ(std::string(mrz_information(fields).c_str()), bac.at("mrz_information"));
}

TEST(MrzInformation, FromParsedMrz) {
  Mrz mrz = parse_mrz(cccd_mrz());
  EXPECT_EQ(std::string(mrz_information(key_fields(mrz)).c_str()), "091005513491051043105102");
  Mrz td3 = parse_mrz(
      "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
      "L898902C<6UTO7408122F1204159ZE184226B<<<<<10");
  EXPECT_EQ(td3.document_number, "L898902C");
  EXPECT_EQ(key_fields(td3).document_number, "L898902C<");
  EXPECT_EQ(std::string(mrz_information(key_fields(td3)).c_str()), "L898902C<374081221204159");
}

TEST(MrzInformation, ExpiryThatNeverComes) {
  MrzKeyFields fields{"091005513", "910510", "991231"};
  EXPECT_EQ(std::string(mrz_information(fields).c_str()),
            "09100551349105104991231"
            "5");
}

TEST(MrzInformation, RejectsBadFields) {
  std::vector<MrzKeyFields> bad = {
      {"", "910510", "310510"},           {std::string(23, '1'), "910510", "310510"},
      {"09100551-", "910510", "310510"},  {"091005513", "91051", "310510"},
      {"091005513", "910510", "3105100"}, {"091005513", "91O510", "310510"},
      {"091005513", "910510", "31A510"},
  };
  for (const MrzKeyFields& fields : bad) {
    SCOPED_TRACE(fields.document_number + " " + fields.date_of_birth + " " + fields.date_of_expiry);
    EXPECT_EQ(code_of([&fields] { mrz_information(fields); }), ErrorCode::invalid_argument);
  }
}

TEST(CccdIdNumber, OnlyTwelveDigits) {
  Mrz mrz;
  mrz.optional_data_1 = "051091005513<<0";
  EXPECT_EQ(mrz.cccd_id_number(), "051091005513");
  mrz.optional_data_1 = "05109100551";
  EXPECT_EQ(mrz.cccd_id_number(), "");
  mrz.optional_data_1 = "05109100551A<<0";
  EXPECT_EQ(mrz.cccd_id_number(), "");
  mrz.optional_data_1 = "051091005513";
  EXPECT_EQ(mrz.cccd_id_number(), "051091005513");
}

}  // namespace
}  // namespace cccd::lds
