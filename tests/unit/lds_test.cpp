#include "lds/lds.hpp"
#include "asn1/der.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>

namespace cccd::lds {
namespace {

Bytes specimen(const std::string& name) {
  std::ifstream in(std::string(CCCD_TEST_DATA_DIR) + "/bsi2008/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing specimen " + name);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The code of the Error `action` throws; `internal` when it throws none (never an expected code).
ErrorCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::internal;
}

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

// Every proper prefix of a valid file must be rejected as malformed, whatever the parser.
template <class Parse>
void expect_every_truncation_malformed(const Bytes& file, Parse parse) {
  for (std::size_t length = 0; length < file.size(); ++length) {
    Bytes prefix(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(length));
    ErrorCode code = code_of([&] { parse(ByteView(prefix)); });
    ASSERT_EQ(code, ErrorCode::malformed_data) << "prefix of " << length << " bytes";
  }
}

// ---- EF.COM ----

TEST(EfCom, BsiSpecimen) {
  ComFile com = parse_ef_com(specimen("EF_COM.bin"));
  EXPECT_EQ(com.lds_version, "0107");
  EXPECT_EQ(com.unicode_version, "040000");
  EXPECT_EQ(com.data_groups, (std::vector<FileId>{FileId::dg1, FileId::dg2, FileId::dg3, FileId::dg14}));
}

TEST(EfCom, CccdListSkipsUnknownTagsAndDuplicates) {
  // DG1, DG2, DG3, DG13, DG14, DG15, plus an unknown tag 99 and DG1 again.
  Bytes file = from_hex("601A5F0104303130375F36063034303030305C08617563996D6E6F61");
  ComFile com = parse_ef_com(file);
  EXPECT_EQ(com.data_groups, (std::vector<FileId>{FileId::dg1, FileId::dg2, FileId::dg3, FileId::dg13,
                                                  FileId::dg14, FileId::dg15}));
}

TEST(EfCom, TrailingPaddingAfterTheFileIsIgnored) {
  Bytes file = specimen("EF_COM.bin");
  file.push_back(0x00);
  file.push_back(0xFF);
  EXPECT_EQ(parse_ef_com(file).data_groups.size(), 4u);
}

TEST(EfCom, RejectsBadFiles) {
  std::vector<std::string> bad = {
      "",
      "6100",                      // wrong outer tag
      "60045F010430",              // cut inside
      "600A5F0104303130375F3600",  // no tag list
      "60085F0104303130375C00"
      "00",                              // outer length lies (8 < contents)
      "600C5F01033031305C0461756300",    // LDS version of the wrong length
      "600A5F010430313A375C0161",        // LDS version not digits
      "600D5F0104303130375C01615C0175",  // two tag lists
      "6084FFFFFFFF5C0161",              // huge length
  };
  for (const std::string& hex : bad) {
    SCOPED_TRACE(hex);
    Bytes file = from_hex(hex);
    EXPECT_EQ(code_of([&] { parse_ef_com(file); }), ErrorCode::malformed_data);
  }
  EXPECT_EQ(message_of([] { parse_ef_com(from_hex("6100")); }).rfind("EF.COM: ", 0), 0u);
}

TEST(EfCom, EveryTruncationIsMalformed) {
  expect_every_truncation_malformed(specimen("EF_COM.bin"), parse_ef_com);
}

// ---- DG1 ----

TEST(Dg1, BsiSpecimenTd3) {
  Mrz mrz = parse_dg1(specimen("Datagroup1.bin"));
  EXPECT_EQ(mrz.format, Mrz::Format::td3);
  EXPECT_EQ(mrz.document_code, "P<");
  EXPECT_EQ(mrz.issuing_state, "D");
  EXPECT_EQ(mrz.primary_identifier, "MUSTERMANN");
  EXPECT_EQ(mrz.secondary_identifier, "ERIKA");
  EXPECT_EQ(mrz.document_number, "C11T002JM");
  EXPECT_EQ(mrz.nationality, "D");
  EXPECT_EQ(mrz.date_of_birth, "960812");
  EXPECT_EQ(mrz.sex, "F");
  EXPECT_EQ(mrz.date_of_expiry, "131031");
  EXPECT_TRUE(mrz.check_digits_valid);
}

Bytes dg1_of(const std::string& mrz_text) {
  return asn1::tlv(0x61, asn1::tlv(0x5F1F, as_bytes(mrz_text)));
}

TEST(Dg1, CccdTd1) {
  Mrz mrz =
      parse_dg1(dg1_of("IDVNM0910055134051091005513<<0"
                       "9105104M3105102VNM<<<<<<<<<<<2"
                       "NGUYEN<<VAN<AN<<<<<<<<<<<<<<<<"));
  EXPECT_EQ(mrz.format, Mrz::Format::td1);
  EXPECT_EQ(mrz.cccd_id_number(), "051091005513");
  EXPECT_EQ(mrz.document_number, "091005513");
  EXPECT_TRUE(mrz.check_digits_valid);
}

TEST(Dg1, RejectsBadFiles) {
  Bytes valid = specimen("Datagroup1.bin");
  Bytes wrong_outer = valid;
  wrong_outer[0] = 0x62;
  Bytes wrong_inner = valid;
  wrong_inner[3] = 0x1E;  // 5F1E instead of 5F1F
  Bytes huge = valid;
  huge[1] = 0xFF;
  for (const Bytes& file :
       {wrong_outer, wrong_inner, huge, dg1_of(std::string(89, '<')), dg1_of(std::string(72, '<')),
        dg1_of(std::string(88, '#')), from_hex("6100"), Bytes{}}) {
    SCOPED_TRACE(to_hex(file));
    EXPECT_EQ(code_of([&] { parse_dg1(file); }), ErrorCode::malformed_data);
  }
  EXPECT_EQ(message_of([&] { parse_dg1(dg1_of(std::string(89, '<'))); }).rfind("DG1: ", 0), 0u);
}

TEST(Dg1, EveryTruncationIsMalformed) {
  expect_every_truncation_malformed(specimen("Datagroup1.bin"), parse_dg1);
}

// ---- DG2 ----

const Bytes kJpegImage = from_hex("FFD8FFE000104A46494600010100000100010000FFD9");
const Bytes kJp2Image = from_hex("0000000C6A5020200D0A870A00000014667479706A703220");
const Bytes kJ2kCodestream = from_hex("FF4FFF51002F0000");

struct FaceRecord {
  Bytes image = kJpegImage;
  std::uint8_t image_type = 0;
  std::uint16_t feature_points = 0;
  std::uint16_t width = 480;
  std::uint16_t height = 640;
  std::string version = std::string("010\0", 4);
  std::optional<std::uint32_t> record_length;  // the real length unless set
  std::optional<std::uint32_t> block_length;
  std::uint16_t faces = 1;
};

// An ISO/IEC 19794-5 facial record with one face.
Bytes facial_record(const FaceRecord& r) {
  Bytes face;
  append(face, Bytes(4, 0));  // block length, set below
  append(face, be_bytes(r.feature_points, 2));
  append(face, Bytes{0x02, 0x00, 0x00});  // gender, eye colour, hair colour
  append(face, Bytes{0x00, 0x00, 0x00});  // feature mask
  append(face, Bytes{0x00, 0x00});        // expression
  append(face, Bytes{0x00, 0x00, 0x00});  // pose angle
  append(face, Bytes{0x00, 0x00, 0x00});  // pose angle uncertainty
  for (std::uint16_t i = 0; i < r.feature_points; ++i)
    append(face, Bytes{0x01, 0x11, 0x00, 0x10, 0x00, 0x20, 0x00, 0x00});
  append(face, Bytes{0x01, r.image_type});  // face image type, image data type
  append(face, be_bytes(r.width, 2));
  append(face, be_bytes(r.height, 2));
  append(face, Bytes{0x01, 0x02, 0x00, 0x00, 0x00, 0x00});  // colour space, source, device, quality
  append(face, r.image);
  Bytes block_length = be_bytes(r.block_length.value_or(static_cast<std::uint32_t>(face.size())), 4);
  std::copy(block_length.begin(), block_length.end(), face.begin());

  Bytes record{'F', 'A', 'C', 0x00};
  append(record, as_bytes(r.version));
  append(record, be_bytes(r.record_length.value_or(static_cast<std::uint32_t>(14 + face.size())), 4));
  append(record, be_bytes(r.faces, 2));
  append(record, face);
  return record;
}

Bytes dg2_of(const std::vector<Bytes>& records, std::uint64_t count, asn1::Tag data_tag = 0x5F2E) {
  Bytes templates = asn1::der_integer(count);
  for (const Bytes& record : records) {
    Bytes header = asn1::tlv(0xA1, from_hex("800201018102000887020101"));
    append(templates, asn1::tlv(0x7F60, {header, asn1::tlv(data_tag, record)}));
  }
  return asn1::tlv(0x75, asn1::tlv(0x7F61, templates));
}

Bytes dg2_of(const FaceRecord& r) {
  return dg2_of({facial_record(r)}, 1);
}

TEST(Dg2, BsiSpecimenJpeg2000) {
  Bytes file = specimen("Datagroup2.bin");
  FaceImage face = parse_dg2(file);
  EXPECT_EQ(face.format, FaceImage::Format::jpeg2000);
  EXPECT_EQ(format_name(face.format), "jpeg2000");
  EXPECT_EQ(face.width, 0x151);
  EXPECT_EQ(face.height, 0x1C1);
  // The image is the tail of the file after the 12 bytes of image information (at offset 0x54).
  ASSERT_EQ(face.data.size(), file.size() - 0x54);
  EXPECT_TRUE(std::equal(face.data.begin(), face.data.end(), file.begin() + 0x54));
}

TEST(Dg2, SyntheticJpegWithFeaturePoints) {
  FaceRecord r;
  r.feature_points = 3;
  FaceImage face = parse_dg2(dg2_of(r));
  EXPECT_EQ(face.format, FaceImage::Format::jpeg);
  EXPECT_EQ(format_name(face.format), "jpeg");
  EXPECT_EQ(face.width, 480);
  EXPECT_EQ(face.height, 640);
  EXPECT_EQ(face.data, kJpegImage);
}

TEST(Dg2, Jpeg2000CodestreamAnd7F2E) {
  FaceRecord r;
  r.image = kJ2kCodestream;
  r.image_type = 1;
  FaceImage face = parse_dg2(dg2_of({facial_record(r)}, 1, 0x7F2E));
  EXPECT_EQ(face.format, FaceImage::Format::jpeg2000);
  EXPECT_EQ(face.data, kJ2kCodestream);
}

TEST(Dg2, TakesTheFirstOfSeveralFaces) {
  FaceRecord first;
  FaceRecord second;
  second.image = kJp2Image;
  second.image_type = 1;
  FaceImage face = parse_dg2(dg2_of({facial_record(first), facial_record(second)}, 2));
  EXPECT_EQ(face.format, FaceImage::Format::jpeg);
}

TEST(Dg2, RecordLengthShorterThanTheBlockIsUsed) {
  // Bytes after the record inside 5F2E are ignored; the record itself is complete.
  Bytes record = facial_record(FaceRecord{});
  append(record, Bytes{0x00, 0x00});
  FaceImage face = parse_dg2(dg2_of({record}, 1));
  EXPECT_EQ(face.data, kJpegImage);
}

TEST(Dg2, LyingLengthsAreMalformed) {
  Bytes real = facial_record(FaceRecord{});
  auto with = [](auto change) {
    FaceRecord r;
    change(r);
    return dg2_of(r);
  };
  std::vector<std::pair<std::string, Bytes>> cases = {
      {"record length one too long",
       with([&](FaceRecord& r) { r.record_length = static_cast<std::uint32_t>(real.size() + 1); })},
      {"record length huge", with([](FaceRecord& r) { r.record_length = 0xFFFFFFFF; })},
      {"record length below header", with([](FaceRecord& r) { r.record_length = 13; })},
      {"block length one too long",
       with([&](FaceRecord& r) { r.block_length = static_cast<std::uint32_t>(real.size() - 14 + 1); })},
      {"block length huge", with([](FaceRecord& r) { r.block_length = 0xFFFFFFF0; })},
      {"block length below header", with([](FaceRecord& r) { r.block_length = 31; })},
      {"block length leaves no image", with([](FaceRecord& r) { r.block_length = 32; })},
      {"feature points run past", with([](FaceRecord& r) {
         r.feature_points = 0xFFFF;
         r.block_length = 20 + 12 + 22;
       })},
      {"no faces", with([](FaceRecord& r) { r.faces = 0; })},
      {"empty image", with([](FaceRecord& r) { r.image.clear(); })},
      {"jpeg declared, jpeg2000 inside", with([](FaceRecord& r) { r.image = kJp2Image; })},
      {"jpeg2000 declared, jpeg inside", with([](FaceRecord& r) { r.image_type = 1; })},
      {"unknown bytes", with([](FaceRecord& r) { r.image = from_hex("89504E470D0A1A0A"); })},
      {"unknown image data type", with([](FaceRecord& r) { r.image_type = 2; })},
      {"short jpeg magic", with([](FaceRecord& r) { r.image = from_hex("FFD8"); })},
  };
  for (const auto& [name, file] : cases) {
    SCOPED_TRACE(name);
    // A structured binding is captured explicitly: clang 14 cannot capture one implicitly.
    EXPECT_EQ(code_of([&file = file] { parse_dg2(file); }), ErrorCode::malformed_data);
  }
}

TEST(Dg2, RejectsBadStructure) {
  Bytes record = facial_record(FaceRecord{});
  Bytes not_fac = record;
  not_fac[0] = 'X';
  Bytes no_data = asn1::tlv(
      0x75, asn1::tlv(0x7F61, {asn1::der_integer(1), asn1::tlv(0x7F60, asn1::tlv(0xA1, Bytes{0x80, 0x00}))}));
  Bytes two_data = asn1::tlv(
      0x75, asn1::tlv(0x7F61, {asn1::der_integer(1),
                               asn1::tlv(0x7F60, {asn1::tlv(0x5F2E, record), asn1::tlv(0x5F2E, record)})}));
  Bytes wrong_template =
      asn1::tlv(0x75, asn1::tlv(0x7F61, {asn1::der_integer(1), asn1::tlv(0x7F2E, record)}));
  Bytes valid = dg2_of({record}, 1);
  Bytes wrong_outer = valid;
  wrong_outer[0] = 0x76;
  std::vector<std::pair<std::string, Bytes>> cases = {
      {"wrong outer tag", wrong_outer},
      {"no 7F61", asn1::tlv(0x75, asn1::tlv(0x7F60, record))},
      {"count zero", dg2_of({record}, 0)},
      {"count above templates", dg2_of({record}, 2)},
      {"count below templates", dg2_of({record, record}, 1)},
      {"not FAC", dg2_of({not_fac}, 1)},
      {"record shorter than header", dg2_of({Bytes(record.begin(), record.begin() + 13)}, 1)},
      {"no biometric data block", no_data},
      {"two biometric data blocks", two_data},
      {"template not 7F60", wrong_template},
      {"empty", Bytes{}},
  };
  for (const auto& [name, file] : cases) {
    SCOPED_TRACE(name);
    // A structured binding is captured explicitly: clang 14 cannot capture one implicitly.
    EXPECT_EQ(code_of([&file = file] { parse_dg2(file); }), ErrorCode::malformed_data);
  }
  EXPECT_EQ(message_of([&] { parse_dg2(wrong_outer); }).rfind("DG2: ", 0), 0u);
}

TEST(Dg2, TooManyFacesIsALimit) {
  Bytes record = facial_record(FaceRecord{});
  std::vector<Bytes> records(kMaxFaceImages + 1, record);
  EXPECT_EQ(code_of([&] { parse_dg2(dg2_of(records, records.size())); }), ErrorCode::limit_exceeded);
  std::vector<Bytes> allowed(kMaxFaceImages, record);
  EXPECT_EQ(parse_dg2(dg2_of(allowed, allowed.size())).data, kJpegImage);
}

TEST(Dg2, OtherRecordVersionIsNotSupported) {
  FaceRecord r;
  r.version = std::string("030\0", 4);
  EXPECT_EQ(code_of([&] { parse_dg2(dg2_of(r)); }), ErrorCode::not_supported);
}

TEST(Dg2, EveryTruncationIsMalformed) {
  expect_every_truncation_malformed(dg2_of(FaceRecord{}), parse_dg2);
}

TEST(Dg2, EveryTruncationOfTheSpecimenIsMalformed) {
  expect_every_truncation_malformed(specimen("Datagroup2.bin"), parse_dg2);
}

TEST(Dg2, EveryTruncatedRecordInsideValidTlvsIsMalformed) {
  // The TLV lengths are right but the facial record is cut: only the record's own lengths can tell.
  Bytes record = facial_record(FaceRecord{});
  for (std::size_t length = 0; length < record.size(); ++length) {
    Bytes cut(record.begin(), record.begin() + static_cast<std::ptrdiff_t>(length));
    ASSERT_EQ(code_of([&] { parse_dg2(dg2_of({cut}, 1)); }), ErrorCode::malformed_data) << length;
  }
}

// ---- parse_document ----

TEST(ParseDocument, ParsesWhatIsPresentAndCollectsErrors) {
  ChipDump dump;
  dump.files[FileId::com] = specimen("EF_COM.bin");
  dump.files[FileId::dg1] = specimen("Datagroup1.bin");
  dump.files[FileId::dg2] = specimen("Datagroup2.bin");
  dump.files[FileId::dg13] = from_hex("6D03300502");  // broken
  Document document = parse_document(dump);
  ASSERT_TRUE(document.com.has_value());
  ASSERT_TRUE(document.mrz.has_value());
  ASSERT_TRUE(document.face.has_value());
  EXPECT_FALSE(document.personal.has_value());
  EXPECT_EQ(document.mrz->document_number, "C11T002JM");
  EXPECT_EQ(document.face->format, FaceImage::Format::jpeg2000);
  ASSERT_EQ(document.parse_errors.size(), 1u);
  EXPECT_EQ(document.parse_errors[0], "DG13: TLV: length runs past the end of the data");
}

TEST(ParseDocument, EmptyDumpGivesNothing) {
  Document document = parse_document(ChipDump{});
  EXPECT_FALSE(document.com || document.mrz || document.face || document.personal);
  EXPECT_TRUE(document.parse_errors.empty());
}

TEST(ParseDocument, EveryBrokenFileIsReportedOnce) {
  ChipDump dump;
  dump.files[FileId::com] = from_hex("6100");
  dump.files[FileId::dg1] = from_hex("6100");
  dump.files[FileId::dg2] = from_hex("7500");
  dump.files[FileId::dg13] = from_hex("6D00");
  Document document = parse_document(dump);
  ASSERT_EQ(document.parse_errors.size(), 4u);
  for (const std::string& error : document.parse_errors) {
    SCOPED_TRACE(error);
    bool named = error.rfind("EF.COM: ", 0) == 0 || error.rfind("DG1: ", 0) == 0 ||
                 error.rfind("DG2: ", 0) == 0 || error.rfind("DG13: ", 0) == 0;
    EXPECT_TRUE(named);
    EXPECT_EQ(error.find(": DG"), std::string::npos);  // the file is named once, not twice
  }
}

TEST(FormatName, AllValues) {
  EXPECT_EQ(format_name(FaceImage::Format::unknown), "unknown");
}

}  // namespace
}  // namespace cccd::lds
