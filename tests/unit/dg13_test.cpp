#include "asn1/der.hpp"
#include "lds/lds.hpp"
#include "util/bytes.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace cccd::lds {
namespace {

using asn1::der_integer;
using asn1::der_printable_string;
using asn1::der_utf8_string;

ErrorCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::internal;  // no error: never an expected code
}

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

Bytes join(const std::vector<Bytes>& parts) {
  Bytes out;
  for (const Bytes& part : parts) append(out, part);
  return out;
}

Bytes sequence(const std::vector<Bytes>& parts) {
  return asn1::tlv(0x30, join(parts));
}

// One field: 30 { 02 n, values... }
Bytes field(int number, const std::vector<Bytes>& values = {}) {
  std::vector<Bytes> parts{der_integer(static_cast<std::uint64_t>(number))};
  parts.insert(parts.end(), values.begin(), values.end());
  return sequence(parts);
}

// 6D { 30 { 02 version, 06 OID, <set tag> { fields } } }
Bytes dg13_of(const std::vector<Bytes>& fields, asn1::Tag set_tag = 0x31, bool with_oid = true) {
  std::vector<Bytes> body{der_integer(1)};
  if (with_oid) body.push_back(asn1::der_oid("1.0.10646.1.0.8"));
  body.push_back(asn1::tlv(set_tag, join(fields)));
  return asn1::tlv(0x6D, sequence(body));
}

// 300 bytes of address, so its value and every enclosing length take the long form.
std::string long_address() {
  std::string address = "Số 12, ngõ 34, đường Nguyễn Trãi, phường Thượng Đình, quận Thanh Xuân, Hà Nội";
  while (address.size() < 300) address += " x";
  return address.substr(0, 300);
}

// A DG13 shaped like a real CCCD's (chip profile): every field keyed by its number.
Bytes cccd_dg13() {
  return dg13_of({
      field(1, {der_printable_string("051091005513")}),
      field(2, {der_utf8_string("Nguyễn Văn An")}),
      field(3, {der_printable_string("10/05/1991")}),
      field(4, {der_utf8_string("Nam")}),
      field(5, {der_utf8_string("Việt Nam")}),
      field(6, {der_utf8_string("Kinh")}),
      field(7, {der_utf8_string("Không")}),
      field(8, {der_utf8_string("Hoàn Kiếm, Hà Nội")}),
      field(9, {der_utf8_string(long_address())}),
      field(10, {der_utf8_string("Nốt ruồi C:1cm trên trước mép phải")}),
      field(11, {der_printable_string("01/07/2021")}),
      field(12, {der_utf8_string("10/05/2031")}),
      field(13,
            {sequence({der_utf8_string("Nguyễn Văn Bình")}), sequence({der_utf8_string("Trần Thị Cúc")})}),
      field(14),
      field(15, {der_printable_string("012345678")}),
      field(16, {der_printable_string("ABCDEF0123456789")}),
  });
}

TEST(Dg13, CccdShape) {
  Bytes file = cccd_dg13();
  PersonalData data = parse_dg13(file);
  EXPECT_EQ(data.version, 1);
  ASSERT_EQ(data.fields.size(), 16u);
  EXPECT_EQ(data.id_number(), "051091005513");
  EXPECT_EQ(data.full_name(), "Nguyễn Văn An");
  EXPECT_EQ(data.date_of_birth(), "10/05/1991");
  EXPECT_EQ(data.sex(), "Nam");
  EXPECT_EQ(data.nationality(), "Việt Nam");
  EXPECT_EQ(data.ethnicity(), "Kinh");
  EXPECT_EQ(data.religion(), "Không");
  EXPECT_EQ(data.place_of_origin(), "Hoàn Kiếm, Hà Nội");
  EXPECT_EQ(data.place_of_residence(), long_address());
  EXPECT_EQ(data.identification_marks(), "Nốt ruồi C:1cm trên trước mép phải");
  EXPECT_EQ(data.date_of_issue(), "01/07/2021");
  EXPECT_EQ(data.date_of_expiry(), "10/05/2031");
  EXPECT_EQ(data.father_name(), "Nguyễn Văn Bình");
  EXPECT_EQ(data.mother_name(), "Trần Thị Cúc");
  EXPECT_EQ(data.spouse_name(), "");
  EXPECT_EQ(data.former_id_number(), "012345678");
  EXPECT_EQ(data.text(16), "ABCDEF0123456789");
  ASSERT_NE(data.field(14), nullptr);
  EXPECT_TRUE(data.field(14)->values.empty());
  EXPECT_EQ(to_hex(data.field(14)->raw), "300302010E");
  EXPECT_EQ(data.field(13)->values.size(), 2u);
  for (std::size_t i = 0; i < data.fields.size(); ++i)
    EXPECT_EQ(data.fields[i].number, static_cast<int>(i + 1));
}

TEST(Dg13, LongFormLengthsOnALongAddress) {
  Bytes file = cccd_dg13();
  EXPECT_EQ(file[1], 0x82);  // the whole file needs a two-byte length
  Bytes address = der_utf8_string(long_address());
  EXPECT_EQ(to_hex(ByteView(address).first(4)), "0C82012C");
  PersonalData data = parse_dg13(file);
  EXPECT_EQ(data.place_of_residence().size(), 300u);
  // The field's raw bytes are the field as it stands in the file, long-form length included.
  EXPECT_EQ(data.field(9)->raw, field(9, {address}));
}

TEST(Dg13, FieldOrderAndMissingFieldsDoNotMatter) {
  PersonalData data = parse_dg13(dg13_of({
      field(9, {der_utf8_string("Hà Nội")}),
      field(2, {der_utf8_string("Lê Thị Hoa")}),
      field(1, {der_printable_string("001190000001")}),
  }));
  EXPECT_EQ(data.id_number(), "001190000001");
  EXPECT_EQ(data.full_name(), "Lê Thị Hoa");
  EXPECT_EQ(data.place_of_residence(), "Hà Nội");
  EXPECT_EQ(data.field(3), nullptr);
  EXPECT_EQ(data.date_of_birth(), "");
  EXPECT_EQ(data.father_name(), "");
  EXPECT_EQ(data.mother_name(), "");
  EXPECT_EQ(data.fields[0].number, 9);
}

TEST(Dg13, EmptyAndUnknownFieldsAreKept) {
  PersonalData data = parse_dg13(dg13_of({
      field(10),
      field(15, {der_printable_string("")}),
      field(17, {der_utf8_string("something new")}),
      field(200, {asn1::der_octet_string(Bytes{1, 2, 3})}),
  }));
  ASSERT_EQ(data.fields.size(), 4u);
  EXPECT_TRUE(data.field(10)->values.empty());
  EXPECT_EQ(data.field(15)->values, std::vector<std::string>{""});
  EXPECT_EQ(data.text(17), "something new");
  ASSERT_NE(data.field(200), nullptr);
  EXPECT_TRUE(data.field(200)->values.empty());  // a value without text is skipped, the field kept
}

TEST(Dg13, EmptyFieldsOfA2024Card) {
  PersonalData data = parse_dg13(
      dg13_of({field(1, {der_printable_string("051091005513")}), field(10), field(14), field(15)}));
  EXPECT_EQ(data.identification_marks(), "");
  EXPECT_EQ(data.spouse_name(), "");
  EXPECT_EQ(data.former_id_number(), "");
  EXPECT_EQ(data.fields.size(), 4u);
}

TEST(Dg13, SpouseNested) {
  PersonalData data = parse_dg13(dg13_of({field(14, {sequence({der_utf8_string("Phạm Thị Dung")})})}));
  EXPECT_EQ(data.spouse_name(), "Phạm Thị Dung");
}

TEST(Dg13, ParentsWithAnEmptyFatherKeepTheirPlaces) {
  PersonalData data =
      parse_dg13(dg13_of({field(13, {sequence({}), sequence({der_utf8_string("Trần Thị Cúc")})})}));
  EXPECT_EQ(data.father_name(), "");
  EXPECT_EQ(data.mother_name(), "Trần Thị Cúc");
}

TEST(Dg13, ParentsGivenDirectlyWithoutNestedSequences) {
  PersonalData data =
      parse_dg13(dg13_of({field(13, {der_utf8_string("Nguyễn Văn Bình"), der_utf8_string("Trần Thị Cúc")})}));
  EXPECT_EQ(data.father_name(), "Nguyễn Văn Bình");
  EXPECT_EQ(data.mother_name(), "Trần Thị Cúc");
}

TEST(Dg13, ToleratedVariants) {
  // The SET of fields written as a SEQUENCE, no OID, a name nested in a SEQUENCE.
  PersonalData data = parse_dg13(dg13_of(
      {field(2, {sequence({der_utf8_string("Nguyễn Văn An")})}), field(1, {der_printable_string("1")})}, 0x30,
      false));
  EXPECT_EQ(data.full_name(), "Nguyễn Văn An");
  EXPECT_EQ(data.id_number(), "1");
  // Trailing padding after the file.
  Bytes padded = cccd_dg13();
  append(padded, Bytes(7, 0xFF));
  EXPECT_EQ(parse_dg13(padded).id_number(), "051091005513");
}

TEST(Dg13, TextTypes) {
  Bytes ia5 = asn1::tlv(0x16, as_bytes("ia5"));
  Bytes t61 = asn1::tlv(0x14, as_bytes("t61"));
  Bytes bmp = asn1::tlv(0x1E, from_hex("0056 0069 1EC7 0074"));  // "Việt" in UTF-16BE
  Bytes astral = asn1::tlv(0x1E, from_hex("D83D DE00 0041"));    // U+1F600 then 'A'
  PersonalData data = parse_dg13(dg13_of({field(5, {ia5, t61, bmp, astral})}));
  EXPECT_EQ(data.field(5)->values, (std::vector<std::string>{"ia5", "t61", "Việt",
                                                             "\xF0\x9F\x98\x80"
                                                             "A"}));
}

TEST(Dg13, InvalidUtf8IsMalformed) {
  for (const char* hex : {"C080",       // overlong '\0'
                          "C1BF",       // overlong
                          "E08080",     // overlong three-byte
                          "EDA080",     // surrogate U+D800
                          "F4908080",   // above U+10FFFF
                          "F5808080",   // invalid lead byte
                          "FF",         // never valid
                          "80",         // lone continuation
                          "4E6775C3",   // cut two-byte sequence at the end
                          "E1BB",       // cut three-byte sequence
                          "C328",       // lead not followed by a continuation
                          "F09F98"}) {  // cut four-byte sequence
    SCOPED_TRACE(hex);
    for (asn1::Tag tag : {0x0C, 0x13, 0x14, 0x16}) {
      Bytes file = dg13_of({field(2, {asn1::tlv(tag, from_hex(hex))})});
      EXPECT_EQ(code_of([&] { parse_dg13(file); }), ErrorCode::malformed_data);
    }
    // Inside a nested SEQUENCE too.
    Bytes nested = dg13_of({field(13, {sequence({asn1::tlv(0x0C, from_hex(hex))})})});
    EXPECT_EQ(code_of([&] { parse_dg13(nested); }), ErrorCode::malformed_data);
  }
  // The limits of valid UTF-8 are accepted.
  Bytes edges =
      dg13_of({field(2, {asn1::tlv(0x0C, from_hex("7F C280 DFBF E0A080 ED9FBF EE8080 F0908080 F48FBFBF"))})});
  EXPECT_EQ(parse_dg13(edges).full_name().size(), 1u + 2 + 2 + 3 + 3 + 3 + 4 + 4);
}

TEST(Dg13, InvalidBmpStringIsMalformed) {
  for (const char* hex : {"0056 00", "D83D", "DE00 0041", "D83D 0041"}) {
    SCOPED_TRACE(hex);
    Bytes file = dg13_of({field(2, {asn1::tlv(0x1E, from_hex(hex))})});
    EXPECT_EQ(code_of([&] { parse_dg13(file); }), ErrorCode::malformed_data);
  }
}

TEST(Dg13, ErrorMessagesNameTheFileAndHideTheData) {
  Bytes file =
      dg13_of({field(2, {asn1::tlv(0x0C, from_hex("4E677579E1BB856E C0"))})});  // "Nguyễn" + bad byte
  std::string message = message_of([&] { parse_dg13(file); });
  EXPECT_EQ(message.rfind("DG13: ", 0), 0u);
  EXPECT_EQ(message.find("Nguy"), std::string::npos);
}

TEST(Dg13, NestingIsBounded) {
  // Four nested SEQUENCEs inside a field are fine; a fifth is refused.
  Bytes four = der_utf8_string("deep");
  for (int i = 0; i < 4; ++i) four = sequence({four});
  EXPECT_EQ(parse_dg13(dg13_of({field(13, {four})})).father_name(), "deep");
  Bytes five = sequence({four});
  EXPECT_EQ(code_of([&] { parse_dg13(dg13_of({field(13, {five})})); }), ErrorCode::malformed_data);
  // Thousands of levels: refused without recursion (a recursive parser would be at risk here).
  Bytes deep = der_utf8_string("x");
  for (int i = 0; i < 2000; ++i) deep = sequence({deep});
  EXPECT_EQ(code_of([&] { parse_dg13(dg13_of({field(13, {deep})})); }), ErrorCode::malformed_data);
}

TEST(Dg13, FieldAndValueCountsAreBounded) {
  std::vector<Bytes> fields;
  for (std::size_t i = 0; i < kMaxDg13Fields; ++i) fields.push_back(field(static_cast<int>(i % 16 + 1)));
  EXPECT_EQ(parse_dg13(dg13_of(fields)).fields.size(), kMaxDg13Fields);
  fields.push_back(field(1));
  EXPECT_EQ(code_of([&] { parse_dg13(dg13_of(fields)); }), ErrorCode::limit_exceeded);

  std::vector<Bytes> values(kMaxDg13ValuesPerField, der_utf8_string("v"));
  EXPECT_EQ(parse_dg13(dg13_of({field(13, values)})).field(13)->values.size(), kMaxDg13ValuesPerField);
  values.push_back(der_utf8_string("v"));
  EXPECT_EQ(code_of([&] { parse_dg13(dg13_of({field(13, values)})); }), ErrorCode::limit_exceeded);
  // Nested values count towards the same bound.
  std::vector<Bytes> nested(kMaxDg13ValuesPerField + 1, sequence({der_utf8_string("v")}));
  EXPECT_EQ(code_of([&] { parse_dg13(dg13_of({field(13, nested)})); }), ErrorCode::limit_exceeded);
}

TEST(Dg13, RejectsBadStructure) {
  Bytes valid = cccd_dg13();
  Bytes wrong_outer = valid;
  wrong_outer[0] = 0x6C;
  Bytes huge_length = valid;
  huge_length[1] = 0x84;  // 84 then four bytes of the real contents read as a length
  std::vector<std::pair<std::string, Bytes>> cases = {
      {"wrong outer tag", wrong_outer},
      {"huge length", huge_length},
      {"empty", Bytes{}},
      {"no body", from_hex("6D00")},
      {"body not a SEQUENCE", asn1::tlv(0x6D, asn1::tlv(0x31, Bytes{}))},
      {"no version", asn1::tlv(0x6D, sequence({asn1::tlv(0x31, field(1))}))},
      {"no SET", asn1::tlv(0x6D, sequence({der_integer(1)}))},
      {"field not a SEQUENCE", dg13_of({der_utf8_string("loose")})},
      {"field without number", dg13_of({sequence({der_utf8_string("x")})})},
      {"empty field", dg13_of({sequence({})})},
      {"field number zero", dg13_of({field(0)})},
      {"field number too large", dg13_of({field(256)})},
      {"negative field number", dg13_of({sequence({from_hex("0201FF")})})},
      {"bad OID", asn1::tlv(0x6D, sequence({der_integer(1), from_hex("060180"), asn1::tlv(0x31, field(1))}))},
      {"inner length lies", dg13_of({from_hex("3005020101")})},
  };
  for (const auto& [name, file] : cases) {
    SCOPED_TRACE(name);
    // A structured binding is captured explicitly: clang 14 cannot capture one implicitly.
    EXPECT_EQ(code_of([&file = file] { parse_dg13(file); }), ErrorCode::malformed_data);
  }
}

TEST(Dg13, EveryTruncationIsMalformed) {
  Bytes file = cccd_dg13();
  for (std::size_t length = 0; length < file.size(); ++length) {
    Bytes prefix(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(length));
    ASSERT_EQ(code_of([&] { parse_dg13(prefix); }), ErrorCode::malformed_data) << length;
  }
}

TEST(Dg13, EveryTruncatedSetInsideValidLengthsIsMalformedOrShorter) {
  // The SET cut at each byte and every length around it made right again: the parser either rejects
  // the cut field or returns only whole fields, never a field made of bytes beyond the cut.
  Bytes fields =
      join({field(1, {der_printable_string("051091005513")}), field(9, {der_utf8_string(long_address())}),
            field(13, {sequence({der_utf8_string("Bình")}), sequence({der_utf8_string("Cúc")})})});
  for (std::size_t length = 0; length < fields.size(); ++length) {
    Bytes cut(fields.begin(), fields.begin() + static_cast<std::ptrdiff_t>(length));
    Bytes file = asn1::tlv(0x6D, sequence({der_integer(1), asn1::tlv(0x31, cut)}));
    try {
      PersonalData data = parse_dg13(file);
      std::size_t total = 0;
      for (const Dg13Field& f : data.fields) total += f.raw.size();
      EXPECT_EQ(total, length) << length;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::malformed_data) << length;
    }
  }
}

TEST(Dg13, PersonalDataAccessorsOnAnEmptyObject) {
  PersonalData empty;
  EXPECT_EQ(empty.field(1), nullptr);
  EXPECT_EQ(empty.text(1), "");
  EXPECT_EQ(empty.father_name(), "");
  EXPECT_EQ(empty.mother_name(), "");
}

TEST(Dg13, ParseDocumentReportsDg13Errors) {
  ChipDump dump;
  dump.files[FileId::dg13] = dg13_of({field(2, {asn1::tlv(0x0C, from_hex("C0"))})});
  Document document = parse_document(dump);
  EXPECT_FALSE(document.personal.has_value());
  ASSERT_EQ(document.parse_errors.size(), 1u);
  EXPECT_EQ(document.parse_errors[0].rfind("DG13: ", 0), 0u);

  dump.files[FileId::dg13] = cccd_dg13();
  document = parse_document(dump);
  ASSERT_TRUE(document.personal.has_value());
  EXPECT_EQ(document.personal->id_number(), "051091005513");
  EXPECT_TRUE(document.parse_errors.empty());
}

}  // namespace
}  // namespace cccd::lds
