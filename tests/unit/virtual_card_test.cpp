#include "sim/virtual_card.hpp"
#include "sim/virtual_card_link.hpp"

#include "access/bac.hpp"
#include "asn1/der.hpp"
#include "sim/generator.hpp"
#include "sm/secure_messaging.hpp"
#include "util/bytes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>

namespace cccd::sim {
namespace {

using apdu::CommandApdu;
using apdu::ResponseApdu;
namespace sw = apdu::sw;

constexpr const char* kSelectEmrtd = "00A4040C07A0000002471001";

// Drives a fresh default virtual CCCD with raw APDU bytes, and over a BAC session with a terminal-side
// SmCodec holding the keys perform_bac agreed with the card.
class VirtualCardTest : public testing::Test {
 protected:
  VirtualCard card{default_card()};
  std::optional<sm::SmCodec> terminal;

  const Bytes& file(FileId id) const { return card.data().files.at(id); }

  ResponseApdu send(ByteView command) { return ResponseApdu::decode(card.process(command)); }
  ResponseApdu send(const std::string& hex) { return send(from_hex(hex)); }
  std::uint16_t status_of(const std::string& hex) { return send(hex).sw; }

  void select_application() { ASSERT_EQ(status_of(kSelectEmrtd), sw::kOk); }

  void establish_bac() {
    select_application();
    VirtualCardChannel channel(card);
    access::BacKeys keys = access::derive_bac_keys(default_card().secrets.mrz_information);
    terminal.emplace(access::perform_bac(channel, keys));
    ASSERT_TRUE(card.secure_messaging_active());
  }

  // Protects `plain`, sends it and returns the card's raw (still protected) response.
  ResponseApdu send_protected_raw(const CommandApdu& plain) {
    return send(terminal->protect_command(plain).encode());
  }
  ResponseApdu send_protected(const CommandApdu& plain) {
    return terminal->unprotect_response(send_protected_raw(plain));
  }
};

TEST_F(VirtualCardTest, SelectingTheMasterFileIsNotSupported) {
  EXPECT_EQ(status_of("00A4000C023F00"), sw::kInsNotSupported);
  EXPECT_EQ(status_of("00A40000023F00"), sw::kInsNotSupported);
  EXPECT_EQ(status_of("00A4080C02011C"), sw::kInsNotSupported);  // by path from the MF
  EXPECT_EQ(status_of("00A4080C04011E0101"), sw::kInsNotSupported);
}

TEST_F(VirtualCardTest, SelectsTheEmrtdApplicationByItsAidOnly) {
  EXPECT_EQ(status_of("00A4040C07A0000002471002"), sw::kFileNotFound);
  EXPECT_EQ(status_of("00A4040C06A00000024710"), sw::kFileNotFound);  // a prefix of the AID
  EXPECT_EQ(status_of("00A4040C08A000000247100100"), sw::kFileNotFound);
  EXPECT_EQ(status_of(kSelectEmrtd), sw::kOk);
}

TEST_F(VirtualCardTest, CardAccessIsReadableWithoutAccessControl) {
  const Bytes& card_access = file(FileId::card_access);
  ASSERT_LT(card_access.size(), 256u);
  // By SFI 1C, before any SELECT (the CCCD cannot select the MF).
  ResponseApdu response = send("00B09C0000");
  EXPECT_EQ(response.sw, sw::kEndOfFileBeforeLe);
  EXPECT_EQ(response.data, card_access);
  // Exactly its length: 9000.
  CommandApdu exact{0x00, 0xB0, 0x9C, 0x00, {}, card_access.size()};
  response = send(exact.encode());
  EXPECT_EQ(response.sw, sw::kOk);
  EXPECT_EQ(response.data, card_access);
  // By FID 011C, and in parts.
  EXPECT_EQ(status_of("00A4020C02011C"), sw::kOk);
  response = send("00B0000204");
  EXPECT_EQ(response.sw, sw::kOk);
  EXPECT_EQ(response.data, Bytes(card_access.begin() + 2, card_access.begin() + 6));
}

TEST_F(VirtualCardTest, ApplicationFilesNeedAccessControl) {
  // Outside the application EF.COM does not exist.
  EXPECT_EQ(status_of("00B09E0004"), sw::kFileNotFound);
  EXPECT_EQ(status_of("00A4020C02011E"), sw::kFileNotFound);
  select_application();
  EXPECT_EQ(status_of("00B09E0004"), sw::kSecurityStatusNotSatisfied);
  EXPECT_EQ(status_of("00B0810004"), sw::kSecurityStatusNotSatisfied);  // DG1
  EXPECT_EQ(status_of("00A4020C02011E"), sw::kOk);
  EXPECT_EQ(status_of("00B0000004"), sw::kSecurityStatusNotSatisfied);
  // EF.CardAccess stays readable inside the application.
  ResponseApdu response = send("00B09C0004");
  EXPECT_EQ(response.sw, sw::kOk);
  EXPECT_EQ(response.data, Bytes(file(FileId::card_access).begin(), file(FileId::card_access).begin() + 4));
  // A protected command without a session has no key to check: 6988.
  EXPECT_EQ(status_of("0CB09E00"), sw::kSmDataObjectsIncorrect);
}

TEST_F(VirtualCardTest, BacOpensSecureMessagingAndFilesReadProtected) {
  establish_bac();
  EXPECT_EQ(card.authentication_attempts(), 1);
  const Bytes& com = file(FileId::com);
  ASSERT_GT(com.size(), 12u);
  ASSERT_LT(com.size() + 8, 231u);

  ResponseApdu response = send_protected({0x00, 0xB0, 0x9E, 0x00, {}, 4});
  EXPECT_EQ(response.sw, sw::kOk);
  EXPECT_EQ(response.data, Bytes(com.begin(), com.begin() + 4));

  response = send_protected({0x00, 0xB0, 0x9E, 0x00, {}, com.size() + 8});
  EXPECT_EQ(response.sw, sw::kEndOfFileBeforeLe);
  EXPECT_EQ(response.data, com);

  response = send_protected({0x00, 0xB0, 0x00, 0x04, {}, com.size() - 4});  // the rest of the current file
  EXPECT_EQ(response.sw, sw::kOk);
  EXPECT_EQ(response.data, Bytes(com.begin() + 4, com.end()));

  const Bytes& dg1 = file(FileId::dg1);
  response = send_protected({0x00, 0xB0, 0x81, 0x00, {}, dg1.size()});
  EXPECT_EQ(response.sw, sw::kOk);
  EXPECT_EQ(response.data, dg1);
  EXPECT_TRUE(card.secure_messaging_active());
}

TEST_F(VirtualCardTest, ProtectedReadsGiveTheProfileStatusWords) {
  establish_bac();
  ASSERT_EQ(card.data().files.count(FileId::dg3), 1u);
  EXPECT_EQ(send_protected({0x00, 0xB0, 0x83, 0x00, {}, 4}).sw, sw::kSecurityStatusNotSatisfied);  // DG3: TA
  EXPECT_EQ(send_protected({0x00, 0xA4, 0x02, 0x0C, from_hex("0103"), apdu::kNoLe}).sw, sw::kOk);
  EXPECT_EQ(send_protected({0x00, 0xB0, 0x00, 0x00, {}, 4}).sw, sw::kSecurityStatusNotSatisfied);
  EXPECT_EQ(send_protected({0x00, 0xB0, 0x8B, 0x00, {}, 4}).sw, sw::kFileNotFound);  // no DG11
  EXPECT_EQ(send_protected({0x00, 0xA4, 0x02, 0x0C, from_hex("010B"), apdu::kNoLe}).sw, sw::kFileNotFound);

  // Offsets: at the end of EF.COM nothing is left (6282), beyond it is 6B00.
  const Bytes& com = file(FileId::com);
  ASSERT_EQ(send_protected({0x00, 0xB0, 0x9E, 0x00, {}, 1}).sw, sw::kOk);
  auto at = [](std::size_t offset) {
    return CommandApdu{0x00, 0xB0, static_cast<std::uint8_t>(offset >> 8), static_cast<std::uint8_t>(offset),
                       {},   4};
  };
  ResponseApdu response = send_protected(at(com.size()));
  EXPECT_EQ(response.sw, sw::kEndOfFileBeforeLe);
  EXPECT_TRUE(response.data.empty());
  EXPECT_EQ(send_protected(at(com.size() + 1)).sw, sw::kWrongP1P2);
  EXPECT_EQ(send_protected(at(0x7FFF)).sw, sw::kWrongP1P2);
  // Every answer above was protected and in step: the session is still there.
  EXPECT_TRUE(card.secure_messaging_active());
  EXPECT_EQ(send_protected({0x00, 0xB0, 0x9E, 0x00, {}, 2}).data, Bytes(com.begin(), com.begin() + 2));
}

TEST_F(VirtualCardTest, OddInsReadBinaryTakesDo54AndAnswersDo53) {
  establish_bac();
  const Bytes& com = file(FileId::com);
  ASSERT_GT(com.size(), 10u);
  // Le 10: the DO'53' header (2 bytes) counts, so 8 bytes of data from offset 2.
  ResponseApdu response = send_protected({0x00, 0xB1, 0x01, 0x1E, from_hex("540102"), 10});
  EXPECT_EQ(response.sw, sw::kOk);
  EXPECT_EQ(response.data, asn1::tlv(0x53, ByteView(com).subspan(2, 8)));
  // Past the end: the rest of the file and 6282.
  response = send_protected({0x00, 0xB1, 0x00, 0x00, from_hex("540103"), com.size() + 8});
  EXPECT_EQ(response.sw, sw::kEndOfFileBeforeLe);
  EXPECT_EQ(response.data, asn1::tlv(0x53, ByteView(com).subspan(3)));
  // A two-byte offset.
  response = send_protected({0x00, 0xB1, 0x01, 0x1E, from_hex("54020005"), 6});
  EXPECT_EQ(response.sw, sw::kOk);
  EXPECT_EQ(response.data, asn1::tlv(0x53, ByteView(com).subspan(5, 4)));
  // Not a DO'54', or an offset of more than 3 bytes: 6A80.
  EXPECT_EQ(send_protected({0x00, 0xB1, 0x01, 0x1E, from_hex("550102"), 10}).sw, sw::kWrongData);
  EXPECT_EQ(send_protected({0x00, 0xB1, 0x01, 0x1E, from_hex("54040000000102"), 10}).sw, sw::kWrongData);
  EXPECT_EQ(send_protected({0x00, 0xB1, 0x01, 0x1E, from_hex("5401"), 10}).sw, sw::kWrongData);
  EXPECT_TRUE(card.secure_messaging_active());
}

TEST_F(VirtualCardTest, ProtectedReadLongerThanOneResponseIsWrongLengthAndKeepsTheSession) {
  establish_bac();
  ASSERT_EQ(terminal->cipher(), crypto::CipherKind::tdes);
  const Bytes& dg2 = file(FileId::dg2);
  ASSERT_GT(dg2.size(), 256u);
  // Le 256 under 3DES: 256 plaintext bytes do not fit a 256-byte protected response (231 do).
  ResponseApdu raw = send_protected_raw({0x00, 0xB0, 0x82, 0x00, {}, apdu::kMaxShortLe});
  EXPECT_EQ(raw.sw, sw::kWrongLength);  // the outer status word repeats DO'99'
  ASSERT_FALSE(raw.data.empty()) << "the error must come protected (DO'99' and DO'8E')";
  ResponseApdu response = terminal->unprotect_response(raw);
  EXPECT_EQ(response.sw, sw::kWrongLength);
  EXPECT_TRUE(response.data.empty());
  EXPECT_TRUE(card.secure_messaging_active());

  // The SSCs stayed in step: the largest read that fits works.
  std::size_t fits = terminal->max_plain_response(apdu::kMaxShortLe);
  EXPECT_EQ(fits, 231u);
  response = send_protected({0x00, 0xB0, 0x82, 0x00, {}, fits});
  EXPECT_EQ(response.sw, sw::kOk);
  EXPECT_EQ(response.data, Bytes(dg2.begin(), dg2.begin() + static_cast<std::ptrdiff_t>(fits)));

  // Extended length (this card supports it) carries much more in one response.
  response = send_protected({0x00, 0xB0, 0x00, 0x00, {}, 1024});
  EXPECT_EQ(response.sw, sw::kOk);
  EXPECT_EQ(response.data, Bytes(dg2.begin(), dg2.begin() + 1024));
}

TEST_F(VirtualCardTest, WrongMacEndsTheSession) {
  establish_bac();
  CommandApdu protected_command = terminal->protect_command({0x00, 0xB0, 0x9E, 0x00, {}, 4});
  protected_command.data.back() ^= 0x01;  // the last byte of DO'8E'
  Bytes raw = card.process(protected_command.encode());
  EXPECT_EQ(to_hex(raw), "6988");  // plain: no key to protect an answer about a bad key
  EXPECT_FALSE(card.secure_messaging_active());
  // The next protected command, even a correct one, finds no session.
  EXPECT_EQ(to_hex(card.process(terminal->protect_command({0x00, 0xB0, 0x9E, 0x00, {}, 4}).encode())),
            "6988");
}

TEST_F(VirtualCardTest, ProtectedCommandWithoutMacEndsTheSession) {
  establish_bac();
  // DO'97' only: the card must not act on a command it cannot authenticate.
  EXPECT_EQ(to_hex(card.process(from_hex("0CB09E0003970104"
                                         "00"))),
            "6988");
  EXPECT_FALSE(card.secure_messaging_active());
}

TEST_F(VirtualCardTest, PlainCommandDuringSecureMessagingEndsTheSession) {
  establish_bac();
  // The plain command is handled as from an unauthenticated terminal.
  EXPECT_EQ(status_of("00B09E0004"), sw::kSecurityStatusNotSatisfied);
  EXPECT_FALSE(card.secure_messaging_active());
  EXPECT_EQ(to_hex(card.process(terminal->protect_command({0x00, 0xB0, 0x9E, 0x00, {}, 4}).encode())),
            "6988");
  // Access control can start again.
  VirtualCardChannel channel(card);
  terminal.emplace(
      access::perform_bac(channel, access::derive_bac_keys(default_card().secrets.mrz_information)));
  EXPECT_EQ(send_protected({0x00, 0xB0, 0x9E, 0x00, {}, 4}).sw, sw::kOk);
}

TEST_F(VirtualCardTest, ResetDropsTheSessionAndTheApplication) {
  establish_bac();
  card.reset();
  EXPECT_FALSE(card.secure_messaging_active());
  EXPECT_EQ(status_of("00B09E0004"), sw::kFileNotFound);
}

TEST_F(VirtualCardTest, ExternalAuthenticateNeedsAFreshChallenge) {
  Bytes authenticate = from_hex("0082000028");
  append(authenticate, Bytes(40, 0x42));
  authenticate.push_back(0x28);

  EXPECT_EQ(send(authenticate).sw, sw::kConditionsNotSatisfied);
  EXPECT_EQ(card.authentication_attempts(), 0);

  ResponseApdu challenge = send("0084000008");
  ASSERT_EQ(challenge.sw, sw::kOk);
  EXPECT_EQ(challenge.data.size(), 8u);
  EXPECT_EQ(send(authenticate).sw, 0x6300);
  EXPECT_EQ(card.authentication_attempts(), 1);
  EXPECT_FALSE(card.secure_messaging_active());

  // The challenge was used up by the failed attempt.
  EXPECT_EQ(send(authenticate).sw, sw::kConditionsNotSatisfied);
  EXPECT_EQ(card.authentication_attempts(), 1);

  // GET CHALLENGE wants exactly 8 bytes and P1 = P2 = 0.
  EXPECT_EQ(status_of("0084000004"), sw::kWrongLength);
  EXPECT_EQ(status_of("0084010008"), sw::kIncorrectP1P2);
}

TEST_F(VirtualCardTest, ExternalAuthenticateWithWrongLengthIsNotAnAttempt) {
  ASSERT_EQ(send("0084000008").sw, sw::kOk);
  Bytes short_data = from_hex("0082000020");
  append(short_data, Bytes(32, 0x42));
  short_data.push_back(0x28);
  EXPECT_EQ(send(short_data).sw, sw::kWrongLength);
  EXPECT_EQ(card.authentication_attempts(), 0);
}

TEST_F(VirtualCardTest, ExtendedApduToAShortOnlyCardIsWrongLength) {
  CardData short_only = default_card();
  short_only.secrets.extended_length = false;
  VirtualCard small(short_only);
  const Bytes extended = from_hex("00B09C00000100");  // case 2E, Le 256
  EXPECT_EQ(to_hex(small.process(extended)), "6700");
  // The same read in short form works on it, and the extended form works on the default card.
  ResponseApdu response = ResponseApdu::decode(small.process(from_hex("00B09C0000")));
  EXPECT_EQ(response.data, file(FileId::card_access));
  response = send(extended);
  EXPECT_EQ(response.data, file(FileId::card_access));
  EXPECT_EQ(response.sw, sw::kEndOfFileBeforeLe);
}

TEST_F(VirtualCardTest, UndecodableAndUnknownCommands) {
  EXPECT_EQ(to_hex(card.process(from_hex("00A404"))), "6700");  // three bytes of garbage
  EXPECT_EQ(to_hex(card.process(Bytes{})), "6700");
  EXPECT_EQ(to_hex(card.process(from_hex("00A4040C05A000"))), "6700");  // Lc larger than the data
  EXPECT_EQ(status_of("00CA000000"), sw::kInsNotSupported);             // GET DATA
  // INTERNAL AUTHENTICATE on a card without Active Authentication (the default card has it).
  VirtualCard plain(generate_card(GeneratorOptions{}));
  EXPECT_EQ(ResponseApdu::decode(plain.process(from_hex("0088000008"
                                                        "0102030405060708"
                                                        "00")))
                .sw,
            sw::kInsNotSupported);
  EXPECT_EQ(status_of("80B09C0004"), sw::kClaNotSupported);
  EXPECT_EQ(status_of("80A4040C07A0000002471001"), sw::kClaNotSupported);
  // READ BINARY without a current file, and without Le.
  select_application();
  EXPECT_EQ(status_of("00B0000004"), sw::kCommandNotAllowed);
  EXPECT_EQ(status_of("00B09C00"), sw::kWrongLength);
}

}  // namespace
}  // namespace cccd::sim
