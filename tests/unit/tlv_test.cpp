#include "asn1/tlv.hpp"
#include "asn1/ber.hpp"
#include "asn1/der.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"

#include <gtest/gtest.h>

namespace cccd::asn1 {
namespace {

TEST(Tlv, ReadsShortAndLongFormsAndMultiByteTags) {
  Bytes data = from_hex("5F0104303130365F36063034303030305C026175");
  TlvReader reader(data);
  Tlv a = reader.next();
  EXPECT_EQ(a.tag, 0x5F01u);
  EXPECT_EQ(as_string(a.value), "0106");
  EXPECT_EQ(reader.next().tag, 0x5F36u);
  Tlv c = reader.expect(0x5C);
  EXPECT_EQ(to_hex(c.value), "6175");
  EXPECT_TRUE(reader.empty());

  Bytes long_form = tlv(0x04, Bytes(300, 0xAB));
  EXPECT_EQ(to_hex(ByteView(long_form).first(4)), "0482012C");
  EXPECT_EQ(parse_one(long_form, 0x04).value.size(), 300u);
}

TEST(Tlv, RejectsTruncatedAndOverlongLengths) {
  for (const char* hex :
       {"04", "0405AABB", "048201", "04820100AA", "0485FFFFFFFFFF", "0480", "5F", "5F8080"}) {
    SCOPED_TRACE(hex);
    Bytes data = from_hex(hex);
    TlvReader reader(data);
    EXPECT_THROW(reader.next(), Error);
  }
  Bytes trailing = from_hex("020101FF");
  EXPECT_THROW(parse_one(trailing, 0x02), Error);
}

TEST(Tlv, ErrorsAreMalformedData) {
  Bytes data = from_hex("3005020101");
  try {
    parse_one(data, 0x30);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::malformed_data);
  }
}

TEST(Tlv, HeaderGivesTheLengthOfAnIncompleteFile) {
  Bytes head = from_hex("75820FE67F61");
  EXPECT_EQ(encoded_length_from_header(head), std::optional<std::size_t>(4 + 0x0FE6));
  EXPECT_EQ(encoded_length_from_header(from_hex("7582")), std::nullopt);
}

// ---- BER indefinite lengths (what real issuers write inside EF.SOD) ----

TEST(TlvBer, ReadsIndefiniteLengthsUpToTheirEndOfContents) {
  Bytes data = from_hex(
      "3080"
      "020101"
      "3080"
      "04020000"
      "0000"
      "0000"
      "0500");
  TlvReader reader(data);
  Tlv outer = reader.next();
  EXPECT_TRUE(outer.indefinite);
  EXPECT_EQ(outer.tag, 0x30u);
  // The 00 00 inside the OCTET STRING is its content, not an end-of-contents.
  EXPECT_EQ(to_hex(outer.value),
            "020101"
            "3080"
            "04020000"
            "0000");
  EXPECT_EQ(to_hex(outer.encoded),
            "3080"
            "020101"
            "3080"
            "04020000"
            "0000"
            "0000");
  EXPECT_EQ(reader.next().tag, 0x05u);
  TlvReader inner(outer.value);
  EXPECT_EQ(decode_unsigned(inner.next()), 1u);
  Tlv nested = inner.next();
  EXPECT_TRUE(nested.indefinite);
  EXPECT_EQ(to_hex(nested.value), "04020000");
  EXPECT_TRUE(inner.empty());
}

TEST(TlvBer, RefusesIndefiniteLengthsThatAreNotClosedOrNotConstructed) {
  for (const char* hex : {"3080", "308002", "3080020101",
                          "30800201010000"  // the last: closed once of two
                          "3080",
                          "0480AABB0000", "3080040500000000", "308030800000", "A08004020000"}) {
    SCOPED_TRACE(hex);
    Bytes data = from_hex(hex);
    TlvReader reader(data);
    EXPECT_EQ(test::error_of([&] {
                while (!reader.empty()) {
                  Tlv t = reader.next();
                  TlvReader inner(t.value);
                  while (!inner.empty()) inner.next();
                }
              }),
              ErrorCode::malformed_data);
  }
  // A definite element inside whose length runs past the indefinite one's end.
  Bytes overrun = from_hex("308004050000");
  EXPECT_THROW(parse_first(overrun), Error);
  // The header of an indefinite element gives no size to read a file by.
  EXPECT_THROW(encoded_length_from_header(from_hex("7780308006")), Error);
}

TEST(TlvBer, IndefiniteNestingIsBoundedWithoutRecursion) {
  auto nested = [](std::size_t depth) {
    Bytes data;
    for (std::size_t i = 0; i < depth; ++i) append(data, from_hex("3080"));
    append(data, from_hex("020101"));
    for (std::size_t i = 0; i < depth; ++i) append(data, from_hex("0000"));
    return data;
  };
  Bytes deepest_allowed = nested(kMaxIndefiniteNesting);
  EXPECT_EQ(parse_one(deepest_allowed, 0x30).encoded.size(), deepest_allowed.size());
  Bytes too_deep = nested(kMaxIndefiniteNesting + 1);
  EXPECT_EQ(test::error_of([&] { parse_one(too_deep, 0x30); }), ErrorCode::malformed_data);
  // A million opened elements: refused at the bound, in one scan, with no stack to exhaust.
  Bytes hostile;
  for (int i = 0; i < 1000000; ++i) append(hostile, from_hex("3080"));
  EXPECT_EQ(test::error_of([&] { parse_first(hostile); }), ErrorCode::malformed_data);
}

TEST(TlvBer, ConstructedOctetStringsAndDerReencoding) {
  Bytes segmented = from_hex("24800402AABB24800401CC00000401DD0000");
  EXPECT_EQ(to_hex(octet_string_octets(parse_first(segmented))), "AABBCCDD");
  Bytes primitive = from_hex("0403010203");
  EXPECT_EQ(to_hex(octet_string_octets(parse_first(primitive))), "010203");
  Bytes not_octets = from_hex("24800C01410000");  // a UTF8String segment inside an OCTET STRING
  EXPECT_EQ(test::error_of([&] { octet_string_octets(parse_first(not_octets)); }), ErrorCode::malformed_data);
  Bytes integer = from_hex("020101");
  EXPECT_EQ(test::error_of([&] { octet_string_octets(parse_first(integer)); }), ErrorCode::malformed_data);

  // Indefinite and long-form lengths become definite and minimal; constructed strings primitive.
  Bytes ber = from_hex(
      "3180"
      "308110"
      "0603550403"
      "3180"
      "2C80"
      "0C0141"
      "0000"
      "0000"
      "0000");
  EXPECT_EQ(to_hex(der_reencoded(parse_first(ber))),
            "310C"
            "300A"
            "0603550403"
            "3103"
            "0C0141");
  // DER input comes out unchanged.
  Bytes der = from_hex("310C300A060355040331030C0141");
  EXPECT_EQ(der_reencoded(parse_first(der)), der);
  // Definite nesting deeper than the bound is refused, not followed.
  Bytes deep = from_hex("020101");
  for (std::size_t i = 0; i <= kMaxBerDepth; ++i) deep = tlv(0x30, deep);
  EXPECT_EQ(test::error_of([&] { der_reencoded(parse_first(deep)); }), ErrorCode::malformed_data);
}

TEST(Der, OidRoundTrip) {
  for (const char* oid :
       {"2.23.136.1.1.1", "1.2.840.10045.4.3.2", "1.0.10646.1.0.8", "0.4.0.127.0.7.2.2.4.2.2"}) {
    Bytes encoded = der_oid(oid);
    EXPECT_EQ(decode_oid(parse_one(encoded, 0x06)), oid);
  }
  EXPECT_EQ(to_hex(der_oid("1.0.10646.1.0.8")), "060628D316010008");
  EXPECT_THROW(der_oid("1..2"), Error);
}

TEST(Der, IntegersAreMinimal) {
  EXPECT_EQ(to_hex(der_integer(0)), "020100");
  EXPECT_EQ(to_hex(der_integer(1)), "020101");
  EXPECT_EQ(to_hex(der_integer(128)), "02020080");
  EXPECT_EQ(decode_unsigned(parse_one(der_integer(65537), 0x02)), 65537u);
  EXPECT_THROW(decode_unsigned(parse_one(from_hex("0201FF"), 0x02)), Error);
}

}  // namespace
}  // namespace cccd::asn1
