#include "verify/consistency.hpp"
#include "lds/mrz.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cccd::verification {
namespace {

std::string pad(std::string text, std::size_t width) {
  text.resize(width, '<');
  return text;
}

// A TD1 MRZ of the CCCD shape, with correct check digits, for the given data.
Mrz cccd_mrz(const std::string& id, const std::string& birth, char sex, const std::string& expiry,
             const std::string& name_field) {
  std::string number = id.substr(3);
  std::string line1 = "IDVNM" + number + lds::mrz_check_digit(number) + pad(id + "<<0", 15);
  std::string line2 = birth + lds::mrz_check_digit(birth) + sex + expiry + lds::mrz_check_digit(expiry) +
                      "VNM" + std::string(11, '<');
  line2 += lds::mrz_check_digit(line1.substr(5, 25) + line2.substr(0, 7) + line2.substr(8, 7) +
                                line2.substr(18, 11));
  std::string line3 = name_field.size() >= 30 ? name_field.substr(0, 30) : pad(name_field, 30);
  return lds::parse_mrz(line1 + "\n" + line2 + "\n" + line3);
}

PersonalData dg13(const std::string& id, const std::string& name, const std::string& birth,
                  const std::string& sex, const std::string& expiry) {
  PersonalData data;
  data.version = 1;
  data.fields.push_back({1, {id}, {}});
  data.fields.push_back({2, {name}, {}});
  data.fields.push_back({3, {birth}, {}});
  data.fields.push_back({4, {sex}, {}});
  data.fields.push_back({5, {"Việt Nam"}, {}});
  data.fields.push_back({12, {expiry}, {}});
  return data;
}

const std::string kId = "001099012345";

Mrz good_mrz() {
  return cccd_mrz(kId, "900517", 'F', "300517", "NGUYEN<<THI<THU<HA");
}
PersonalData good_dg13() {
  return dg13(kId, "Nguyễn Thị Thu Hà", "17/05/1990", "Nữ", "17/05/2030");
}

TEST(NameFolding, FoldsVietnameseLettersToTheirBase) {
  EXPECT_EQ(mrz_form_of_name("Nguyễn Thị Thu Hà"), "NGUYEN THI THU HA");
  EXPECT_EQ(mrz_form_of_name("Đặng Văn Đức"), "DANG VAN DUC");
  EXPECT_EQ(mrz_form_of_name("đỗ ơn ưng"), "DO ON UNG");
  EXPECT_EQ(mrz_form_of_name("Trương Quỳnh Ngữ"), "TRUONG QUYNH NGU");
  // Every vowel with each tone, upper and lower case (a, ă, â, e, ê, i, o, ô, ơ, u, ư, y).
  EXPECT_EQ(mrz_form_of_name("àáảãạ ằắẳẵặ ầấẩẫậ ÀÁẢÃẠ ẰẮẲẴẶ ẦẤẨẪẬ"), "AAAAA AAAAA AAAAA AAAAA AAAAA AAAAA");
  EXPECT_EQ(mrz_form_of_name("èéẻẽẹ ềếểễệ ÈÉẺẼẸ ỀẾỂỄỆ"), "EEEEE EEEEE EEEEE EEEEE");
  EXPECT_EQ(mrz_form_of_name("ìíỉĩị ÌÍỈĨỊ"), "IIIII IIIII");
  EXPECT_EQ(mrz_form_of_name("òóỏõọ ồốổỗộ ờớởỡợ ÒÓỎÕỌ ỒỐỔỖỘ ỜỚỞỠỢ"), "OOOOO OOOOO OOOOO OOOOO OOOOO OOOOO");
  EXPECT_EQ(mrz_form_of_name("ùúủũụ ừứửữự ÙÚỦŨỤ ỪỨỬỮỰ"), "UUUUU UUUUU UUUUU UUUUU");
  EXPECT_EQ(mrz_form_of_name("ỳýỷỹỵ ỲÝỶỸỴ"), "YYYYY YYYYY");
}

TEST(NameFolding, HandlesDecomposedMarksSpacesAndPunctuation) {
  // "Nguyễn" typed as e + circumflex + tilde combining marks.
  EXPECT_EQ(mrz_form_of_name("Nguye\u0302\u0303n  Thi\u0323"), "NGUYEN THI");
  EXPECT_EQ(mrz_form_of_name("  Lê\u00A0Văn-Tám  "), "LE VAN TAM");
  EXPECT_EQ(mrz_form_of_name("O'Neil"), "ONEIL");
}

TEST(NameFolding, MarksWhatHasNoLatinForm) {
  EXPECT_EQ(mrz_form_of_name("Иван"), "????");
  EXPECT_EQ(mrz_form_of_name("A\xFF"
                             "B"),
            "A?B");                                 // not UTF-8
  EXPECT_EQ(mrz_form_of_name("A\xE1\xBB"), "A??");  // cut inside a sequence
  EXPECT_EQ(mrz_form_of_name(""), "");
}

TEST(BirthDates, CompareYearMonthAndDay) {
  EXPECT_TRUE(birth_dates_agree("900517", "17/05/1990"));
  EXPECT_TRUE(birth_dates_agree("900517", "17/5/1990"));
  EXPECT_FALSE(birth_dates_agree("900517", "18/05/1990"));
  EXPECT_FALSE(birth_dates_agree("900517", "17/06/1990"));
  EXPECT_FALSE(birth_dates_agree("910517", "17/05/1990"));
}

TEST(BirthDates, UnknownPartsFollowTheDocumentedRule) {
  // MRZ unknown day or month ("<<", or "00") matches whatever DG13 has there.
  EXPECT_TRUE(birth_dates_agree("90<<<<", "1990"));
  EXPECT_TRUE(birth_dates_agree("90<<<<", "00/00/1990"));
  EXPECT_TRUE(birth_dates_agree("90<<<<", "17/05/1990"));
  EXPECT_TRUE(birth_dates_agree("9005<<", "05/1990"));
  EXPECT_TRUE(birth_dates_agree("9005<<", "00/05/1990"));
  EXPECT_TRUE(birth_dates_agree("900000", "1990"));
  EXPECT_FALSE(birth_dates_agree("9006<<", "05/1990"));
  EXPECT_FALSE(birth_dates_agree("91<<<<", "1990"));
  // A part the MRZ knows must be known to DG13 too.
  EXPECT_FALSE(birth_dates_agree("900517", "1990"));
  EXPECT_FALSE(birth_dates_agree("900517", "00/05/1990"));
  EXPECT_FALSE(birth_dates_agree("900517", "05/1990"));
}

TEST(BirthDates, RejectWhatIsNoDate) {
  for (const char* text :
       {"", "17-05-1990", "17/05/90", "1/2/3/1990", "aa/05/1990", "17/05/19900", "/05/1990", "117/05/1990"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(birth_dates_agree("900517", text));
  }
  EXPECT_FALSE(birth_dates_agree("9005", "17/05/1990"));
  EXPECT_FALSE(birth_dates_agree("X00517", "17/05/1990"));
  EXPECT_FALSE(birth_dates_agree("90AB17", "17/05/1990"));
}

TEST(ExpiryDates, NoExpiryMatchesOnly991231) {
  EXPECT_TRUE(expiry_dates_agree("991231", "Không thời hạn"));
  EXPECT_TRUE(expiry_dates_agree("991231", ""));
  EXPECT_FALSE(expiry_dates_agree("300517", "Không thời hạn"));
  EXPECT_FALSE(expiry_dates_agree("991231", "17/05/2030"));
  EXPECT_TRUE(expiry_dates_agree("300517", "17/05/2030"));
  EXPECT_FALSE(expiry_dates_agree("300518", "17/05/2030"));
}

TEST(Names, SameWhenTheWordsAgreeWhateverTheSplit) {
  EXPECT_EQ(compare_names(good_mrz(), "Nguyễn Thị Thu Hà"), NameMatch::same);
  Mrz other_split = cccd_mrz(kId, "900517", 'F', "300517", "NGUYEN<THI<<THU<HA");
  EXPECT_EQ(compare_names(other_split, "Nguyễn Thị Thu Hà"), NameMatch::same);
  EXPECT_EQ(compare_names(good_mrz(), "Nguyễn Thị Thu Hương"), NameMatch::different);
  EXPECT_EQ(compare_names(good_mrz(), "Nguyễn Thị Hà"), NameMatch::different);
  EXPECT_EQ(compare_names(good_mrz(), "Nguyễn Thị Thu Hà Anh"), NameMatch::different);  // MRZ field not full
  EXPECT_EQ(compare_names(good_mrz(), ""), NameMatch::different);
}

TEST(Names, AcceptsAnIcaoTruncationOfALongName) {
  // "NGUYEN<<THI<THU<HA<PHUONG<KHANH" is 31 characters: the MRZ keeps 30, ending in a letter.
  Mrz cut = cccd_mrz(kId, "900517", 'F', "300517", "NGUYEN<<THI<THU<HA<PHUONG<KHANH");
  EXPECT_EQ(cut.text.substr(cut.text.size() - 30), "NGUYEN<<THI<THU<HA<PHUONG<KHAN");
  EXPECT_EQ(compare_names(cut, "Nguyễn Thị Thu Hà Phương Khánh"), NameMatch::truncated);
  // Initials of given names, when the field is full, are a truncation as well.
  Mrz initials = cccd_mrz(kId, "900517", 'F', "300517", "NGUYENVANTHANHLONGA<<T<T<H<P<K");
  EXPECT_EQ(compare_names(initials, "Nguyenvanthanhlonga Thị Thu Hà Phương Khánh"), NameMatch::truncated);
  // Not a truncation: a different word, or more words than DG13 has.
  EXPECT_EQ(compare_names(cut, "Nguyễn Thị Thu Hà Phúc Khánh"), NameMatch::different);
  EXPECT_EQ(compare_names(cut, "Nguyễn Thị Thu Hà"), NameMatch::different);
}

TEST(Consistency, PassesForAgreeingData) {
  Finding finding = check_consistency(good_mrz(), good_dg13());
  EXPECT_EQ(finding.status, FindingStatus::passed) << finding.detail;
}

TEST(Consistency, CardsThatDoNotExpireAndUnknownBirthDays) {
  Mrz mrz = cccd_mrz(kId, "50<<<<", 'M', "991231", "TRAN<<VAN<BA");
  PersonalData data = dg13(kId, "Trần Văn Ba", "1950", "Nam", "Không thời hạn");
  Finding finding = check_consistency(mrz, data);
  EXPECT_EQ(finding.status, FindingStatus::passed) << finding.detail;
}

void expect_fails_on(const Mrz& mrz, const PersonalData& data, const std::string& field,
                     const std::vector<std::string>& secrets) {
  Finding finding = check_consistency(mrz, data);
  EXPECT_EQ(finding.status, FindingStatus::failed);
  EXPECT_NE(finding.detail.find(field), std::string::npos) << finding.detail;
  for (const auto& secret : secrets)
    EXPECT_EQ(finding.detail.find(secret), std::string::npos) << finding.detail;
}

TEST(Consistency, NamesTheFieldThatDiffersWithoutItsValue) {
  const std::string other_id = "001099012399";
  expect_fails_on(good_mrz(), dg13(other_id, "Nguyễn Thị Thu Hà", "17/05/1990", "Nữ", "17/05/2030"),
                  "ID number", {other_id, kId});
  expect_fails_on(good_mrz(), dg13(other_id, "Nguyễn Thị Thu Hà", "17/05/1990", "Nữ", "17/05/2030"),
                  "document number", {"099012399", "099012345"});
  expect_fails_on(good_mrz(), dg13(kId, "Nguyễn Thị Thu Hà", "18/05/1990", "Nữ", "17/05/2030"),
                  "date of birth", {"1990", "900517"});
  expect_fails_on(good_mrz(), dg13(kId, "Nguyễn Thị Thu Hà", "17/05/1990", "Nữ", "Không thời hạn"),
                  "date of expiry", {"300517", "2030"});
  expect_fails_on(good_mrz(), dg13(kId, "Nguyễn Thị Thu Hà", "17/05/1990", "Nam", "17/05/2030"), "sex",
                  {"Nam"});
  expect_fails_on(good_mrz(), dg13(kId, "Nguyễn Thị Thu Hằng", "17/05/1990", "Nữ", "17/05/2030"), "name",
                  {"NGUYEN", "Nguyễn", "HANG"});
}

TEST(Consistency, ADocumentNumberThatIsNotTheIdTailFails) {
  // The MRZ carries the right 12-digit ID but another document number.
  Mrz mrz = good_mrz();
  mrz.document_number = "123456789";
  Finding finding = check_consistency(mrz, good_dg13());
  EXPECT_EQ(finding.status, FindingStatus::failed);
  EXPECT_EQ(finding.detail, "DG1 (MRZ) and DG13 differ in: document number");
}

TEST(Consistency, MissingFieldsFail) {
  PersonalData empty;
  Finding finding = check_consistency(good_mrz(), empty);
  EXPECT_EQ(finding.status, FindingStatus::failed);
  EXPECT_EQ(finding.detail,
            "DG1 (MRZ) and DG13 differ in: ID number, document number, date of birth, date of expiry, name");
  // An MRZ without the 12-digit ID in optional data 1.
  Mrz mrz = good_mrz();
  mrz.optional_data_1.clear();
  expect_fails_on(mrz, good_dg13(), "ID number", {});
}

}  // namespace
}  // namespace cccd::verification
