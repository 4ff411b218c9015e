#include "asn1/tlv.hpp"
#include "asn1/der.hpp"
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
