#include "asn1/der.hpp"
#include "crypto/crypto.hpp"
#include "sm/secure_messaging.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>

namespace cccd::sm {
namespace {

using test::icao_hex;

constexpr const char* kSm3des = "secure_messaging_3des";

SessionKeys icao_session() {
  return SessionKeys{crypto::CipherKind::tdes, secure_copy(icao_hex("bac", "ksenc")),
                     secure_copy(icao_hex("bac", "ksmac")), secure_copy(icao_hex("bac", "ssc"))};
}

SessionKeys aes_session(crypto::CipherKind cipher) {
  std::size_t key_size = crypto::key_length(cipher);
  return SessionKeys{cipher, secure_copy(crypto::random_bytes(key_size)),
                     secure_copy(crypto::random_bytes(key_size)), secure_copy(Bytes(16, 0))};
}

template <class Action>
Error expect_error(ErrorCode code, Action action) {
  try {
    action();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e;
  }
  ADD_FAILURE() << "no error thrown";
  return Error(ErrorCode::internal, "none");
}

void expect_sm_error(const std::string& message_part, const std::function<void()>& action) {
  Error e = expect_error(ErrorCode::secure_messaging, action);
  EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos) << e.what();
}

Bytes plus_one(ByteView ssc) {
  Bytes next(ssc.begin(), ssc.end());
  for (std::size_t i = next.size(); i > 0 && ++next[i - 1] == 0; --i) {
  }
  return next;
}

// The MAC a 3DES chip would put on `objects` at SSC `ssc` (ICAO keys), computed from the crypto layer.
Bytes icao_response_mac(ByteView ssc, ByteView objects) {
  return crypto::retail_mac(icao_hex("bac", "ksmac"), crypto::pad_iso9797_m2(concat({ssc, objects}), 8));
}

// A response to the terminal codec whose SSC is `ssc_before`: `objects` followed by a valid DO'8E'.
apdu::ResponseApdu icao_signed_response(ByteView ssc_before, const Bytes& objects, std::uint16_t sw) {
  Bytes data = objects;
  append(data, asn1::tlv(0x8E, icao_response_mac(plus_one(ssc_before), objects)));
  return apdu::ResponseApdu{data, sw};
}

TEST(Sm3des, IcaoSelectAndReadBinaryExchanges) {
  SmCodec terminal(icao_session());
  auto select = apdu::CommandApdu::decode(icao_hex(kSm3des, "select_ef_com_plain"));
  EXPECT_EQ(to_hex(terminal.protect_command(select).encode()),
            to_hex(icao_hex(kSm3des, "select_protected_apdu")));
  apdu::ResponseApdu selected =
      terminal.unprotect_response(apdu::ResponseApdu::decode(icao_hex(kSm3des, "select_response")));
  EXPECT_EQ(selected.sw, 0x9000);
  EXPECT_TRUE(selected.data.empty());

  apdu::CommandApdu read4{0x00, 0xB0, 0x00, 0x00, {}, 4};
  EXPECT_EQ(to_hex(terminal.protect_command(read4).encode()),
            to_hex(icao_hex(kSm3des, "read4_protected_apdu")));
  apdu::ResponseApdu first =
      terminal.unprotect_response(apdu::ResponseApdu::decode(icao_hex(kSm3des, "read4_response")));
  EXPECT_EQ(first.sw, 0x9000);
  EXPECT_EQ(to_hex(first.data), to_hex(icao_hex(kSm3des, "read4_plain")));

  apdu::CommandApdu read18{0x00, 0xB0, 0x00, 0x04, {}, 0x12};
  EXPECT_EQ(to_hex(terminal.protect_command(read18).encode()),
            to_hex(icao_hex(kSm3des, "read18_protected_apdu")));
  apdu::ResponseApdu rest =
      terminal.unprotect_response(apdu::ResponseApdu::decode(icao_hex(kSm3des, "read18_response")));
  EXPECT_EQ(to_hex(rest.data), to_hex(icao_hex(kSm3des, "read18_plain")));
  EXPECT_EQ(to_hex(concat({first.data, rest.data})), to_hex(icao_hex("ef_com", "ef_com")));
  EXPECT_EQ(to_hex(terminal.ssc()), "887022120C06C22C");  // six increments from the BAC SSC
}

TEST(Sm3des, CardSideMirrorsTheIcaoExchanges) {
  SmCodec card(icao_session());
  apdu::CommandApdu select =
      card.unprotect_command(apdu::CommandApdu::decode(icao_hex(kSm3des, "select_protected_apdu")));
  EXPECT_EQ(to_hex(select.encode()), to_hex(icao_hex(kSm3des, "select_ef_com_plain")));
  EXPECT_EQ(to_hex(card.protect_response({{}, 0x9000}).encode()),
            to_hex(icao_hex(kSm3des, "select_response")));

  apdu::CommandApdu read4 =
      card.unprotect_command(apdu::CommandApdu::decode(icao_hex(kSm3des, "read4_protected_apdu")));
  EXPECT_EQ(to_hex(read4.encode()), "00B0000004");
  EXPECT_EQ(to_hex(card.protect_response({icao_hex(kSm3des, "read4_plain"), 0x9000}).encode()),
            to_hex(icao_hex(kSm3des, "read4_response")));

  apdu::CommandApdu read18 =
      card.unprotect_command(apdu::CommandApdu::decode(icao_hex(kSm3des, "read18_protected_apdu")));
  EXPECT_EQ(to_hex(read18.encode()), "00B0000412");
  EXPECT_EQ(to_hex(card.protect_response({icao_hex(kSm3des, "read18_plain"), 0x9000}).encode()),
            to_hex(icao_hex(kSm3des, "read18_response")));
}

TEST(SmAes, StructureIvAndMacFollowIcao) {
  // Checks one protected command against the crypto layer directly: IV = E(K_enc, SSC), CMAC over
  // SSC || padded header || DO'87' || DO'97', padded, truncated to 8.
  SessionKeys keys = aes_session(crypto::CipherKind::aes128);
  Bytes k_enc(keys.k_enc.begin(), keys.k_enc.end());
  Bytes k_mac(keys.k_mac.begin(), keys.k_mac.end());
  SmCodec terminal(keys);
  apdu::CommandApdu plain{0x00, 0x22, 0xC1, 0xA4, from_hex("800A04007F00070202040202830101"), 0x20};
  apdu::CommandApdu protected_command = terminal.protect_command(plain);
  Bytes ssc = plus_one(Bytes(16, 0));
  EXPECT_EQ(to_hex(terminal.ssc()), to_hex(ssc));
  EXPECT_EQ(protected_command.cla, 0x0C);
  EXPECT_EQ(protected_command.le, apdu::kMaxShortLe);

  Bytes iv = crypto::aes_ecb_encrypt_block(k_enc, ssc);
  Bytes cryptogram = crypto::aes_cbc_encrypt(k_enc, iv, crypto::pad_iso9797_m2(plain.data, 16));
  Bytes do87 = asn1::tlv(0x87, concat({from_hex("01"), cryptogram}));
  Bytes do97 = asn1::tlv(0x97, from_hex("20"));
  Bytes mac_input = concat({ssc, crypto::pad_iso9797_m2(from_hex("0C22C1A4"), 16), do87, do97});
  Bytes mac = crypto::aes_cmac(k_mac, crypto::pad_iso9797_m2(mac_input, 16));
  mac.resize(8);
  EXPECT_EQ(to_hex(protected_command.data), to_hex(concat({do87, do97, asn1::tlv(0x8E, mac)})));
}

TEST(SmAes, RoundTripTerminalAndCardForAllKeySizes) {
  for (auto cipher : {crypto::CipherKind::aes128, crypto::CipherKind::aes192, crypto::CipherKind::aes256}) {
    SCOPED_TRACE(std::string(crypto::cipher_name(cipher)));
    SessionKeys keys = aes_session(cipher);
    SmCodec terminal(keys);
    SmCodec card(keys);
    for (std::size_t size : {0, 1, 15, 16, 17, 200, 223, 300, 2000}) {
      SCOPED_TRACE(size);
      apdu::CommandApdu plain{0x00, 0xD6, 0x00, 0x00, crypto::random_bytes(size), size == 0 ? 256u : size};
      apdu::CommandApdu wire = terminal.protect_command(plain);
      bool extended = false;
      apdu::CommandApdu received =
          card.unprotect_command(apdu::CommandApdu::decode(wire.encode(), &extended));
      EXPECT_EQ(received.encode(), plain.encode());
      EXPECT_EQ(extended, size > 223 || plain.le > 256);
      Bytes answer = crypto::random_bytes(size);
      apdu::ResponseApdu response = terminal.unprotect_response(
          apdu::ResponseApdu::decode(card.protect_response({answer, 0x6282}).encode()));
      EXPECT_EQ(response.data, answer);
      EXPECT_EQ(response.sw, 0x6282);
      EXPECT_EQ(terminal.ssc().size(), 16u);
      EXPECT_TRUE(
          std::equal(terminal.ssc().begin(), terminal.ssc().end(), card.ssc().begin(), card.ssc().end()));
    }
  }
}

TEST(SmAes, OddInsUsesDo85AndLeEncodings) {
  SessionKeys keys = aes_session(crypto::CipherKind::aes128);
  SmCodec terminal(keys);
  SmCodec card(keys);

  apdu::CommandApdu read_b1{0x00, 0xB1, 0x00, 0x00, from_hex("54020100"), 65536};
  apdu::CommandApdu wire = terminal.protect_command(read_b1);
  EXPECT_EQ(wire.data[0], 0x85);
  EXPECT_EQ(wire.le, apdu::kMaxExtendedLe);
  Bytes encoded = wire.encode();
  EXPECT_EQ(to_hex(ByteView(encoded).last(2)), "0000");
  // DO'85' (2 + 16) then DO'97' with a two-byte Le of 0000 (65536).
  EXPECT_EQ(to_hex(ByteView(wire.data).subspan(18, 4)), "97020000");
  apdu::CommandApdu received = card.unprotect_command(apdu::CommandApdu::decode(encoded));
  EXPECT_EQ(received.le, apdu::kMaxExtendedLe);
  EXPECT_EQ(received.data, read_b1.data);
  apdu::ResponseApdu response = card.protect_response({from_hex("5303AABBCC"), 0x9000});
  EXPECT_EQ(response.data[0], 0x85);
  EXPECT_EQ(to_hex(terminal.unprotect_response(response).data), "5303AABBCC");

  apdu::CommandApdu read256{0x00, 0xB0, 0x00, 0x00, {}, 256};
  wire = terminal.protect_command(read256);
  EXPECT_EQ(to_hex(wire.data).substr(0, 6), "970100");
  EXPECT_EQ(to_hex(wire.encode()).substr(to_hex(wire.encode()).size() - 2), "00");
  EXPECT_EQ(card.unprotect_command(wire).le, 256u);
  terminal.unprotect_response(card.protect_response({Bytes(256, 1), 0x9000}));

  apdu::CommandApdu read1000{0x00, 0xB0, 0x00, 0x00, {}, 1000};
  wire = terminal.protect_command(read1000);
  EXPECT_EQ(to_hex(wire.data).substr(0, 8), "970203E8");
  EXPECT_EQ(wire.le, apdu::kMaxExtendedLe);
  EXPECT_EQ(card.unprotect_command(wire).le, 1000u);
}

TEST(SmFailures, FlippedMacBitIsRejected) {
  Bytes good = icao_hex(kSm3des, "read4_response");
  for (std::size_t index : {good.size() - 3, std::size_t{3}}) {  // the MAC itself, then the cryptogram
    SCOPED_TRACE(index);
    SmCodec terminal(icao_session());
    terminal.protect_command({0x00, 0xA4, 0x02, 0x0C, from_hex("011E"), 0});
    terminal.unprotect_response(apdu::ResponseApdu::decode(icao_hex(kSm3des, "select_response")));
    terminal.protect_command({0x00, 0xB0, 0x00, 0x00, {}, 4});
    Bytes tampered = good;
    tampered[index] ^= 0x01;
    expect_sm_error("response MAC does not verify",
                    [&] { terminal.unprotect_response(apdu::ResponseApdu::decode(tampered)); });
  }
}

TEST(SmFailures, MissingDo99IsRejected) {
  SmCodec terminal(icao_session());
  Bytes ssc(terminal.ssc().begin(), terminal.ssc().end());
  Bytes do87 = from_hex("8709019FF0EC34F9922651");
  expect_sm_error("DO'99' missing",
                  [&] { terminal.unprotect_response(icao_signed_response(ssc, do87, 0x9000)); });
}

TEST(SmFailures, MissingMacAndEmptySuccessAreRejected) {
  SmCodec terminal(icao_session());
  expect_sm_error("DO'8E' missing", [&] { terminal.unprotect_response({from_hex("99029000"), 0x9000}); });
  expect_sm_error("DO'8E' missing", [&] { terminal.unprotect_response({{}, 0x9000}); });
}

TEST(SmFailures, BadPaddingIsRejected) {
  SmCodec terminal(icao_session());
  Bytes ssc(terminal.ssc().begin(), terminal.ssc().end());
  // A block whose plaintext has no 80 padding byte, correctly encrypted and MACed.
  Bytes cryptogram =
      crypto::tdes_cbc_encrypt(icao_hex("bac", "ksenc"), Bytes(8, 0), from_hex("1111111111111111"));
  Bytes objects = concat({asn1::tlv(0x87, concat({from_hex("01"), cryptogram})), from_hex("99029000")});
  Error e = expect_error(ErrorCode::secure_messaging,
                         [&] { terminal.unprotect_response(icao_signed_response(ssc, objects, 0x9000)); });
  EXPECT_NE(std::string(e.what()).find("padding"), std::string::npos) << e.what();

  SmCodec again(icao_session());
  Bytes wrong_indicator =
      concat({asn1::tlv(0x87, concat({from_hex("02"), cryptogram})), from_hex("99029000")});
  expect_sm_error("padding indicator",
                  [&] { again.unprotect_response(icao_signed_response(ssc, wrong_indicator, 0x9000)); });

  SmCodec third(icao_session());
  Bytes partial_block = concat({asn1::tlv(0x87, from_hex("01AABBCC")), from_hex("99029000")});
  expect_sm_error("multiple of the block size",
                  [&] { third.unprotect_response(icao_signed_response(ssc, partial_block, 0x9000)); });
}

TEST(SmFailures, Do99ContradictingTheOuterStatusWordIsRejected) {
  SmCodec terminal(icao_session());
  SmCodec card(icao_session());
  apdu::ResponseApdu response = card.protect_response({from_hex("0102"), 0x9000});
  response.sw = 0x6282;
  expect_sm_error("contradicts", [&] { terminal.unprotect_response(response); });
}

TEST(SmFailures, MalformedOrUnknownDataObjectsAreRejected) {
  Bytes ssc = icao_hex("bac", "ssc");
  struct Case {
    const char* name;
    Bytes objects;
    const char* message;
  };
  for (const Case& c : {
           Case{"unknown DO'81'", from_hex("8102AABB99029000"), "unexpected data object '81'"},
           Case{"DO'97' in a response",
                from_hex("970100"
                         "99029000"),
                "unexpected data object '97'"},
           Case{"two DO'99'", from_hex("9902900099029000"), "repeated or out of order"},
           Case{"DO'87' after DO'99'",
                from_hex("99029000870901"
                         "0000000000000000"),
                "repeated or out of order"},
           Case{"DO'99' of three bytes", from_hex("9903900000"), "not two bytes"},
       }) {
    SCOPED_TRACE(c.name);
    SmCodec terminal(icao_session());
    expect_sm_error(c.message,
                    [&] { terminal.unprotect_response(icao_signed_response(ssc, c.objects, 0x9000)); });
  }

  SmCodec terminal(icao_session());
  Bytes good = icao_hex(kSm3des, "select_response");
  Bytes data_after_mac(good.begin(), good.end() - 2);
  append(data_after_mac, from_hex("99029000"));
  expect_sm_error("after DO'8E'", [&] { terminal.unprotect_response({data_after_mac, 0x9000}); });

  SmCodec truncated_codec(icao_session());
  Bytes truncated(good.begin(), good.end() - 3);
  expect_sm_error("do not parse", [&] { truncated_codec.unprotect_response({truncated, 0x9000}); });

  SmCodec short_mac_codec(icao_session());
  expect_sm_error("not 8 bytes", [&] {
    short_mac_codec.unprotect_response({from_hex("990290008E04FA855A5D"), 0x9000});
  });
}

TEST(SmFailures, BareErrorStatusWordPassesButCountsTheSsc) {
  SmCodec terminal(icao_session());
  apdu::ResponseApdu response = terminal.unprotect_response({{}, 0x6A82});
  EXPECT_EQ(response.sw, 0x6A82);
  EXPECT_TRUE(response.data.empty());
  EXPECT_EQ(to_hex(terminal.ssc()), "887022120C06C227");
}

TEST(SmCardSide, RejectsPlainCommandsAndBadCommandMacs) {
  SmCodec card(icao_session());
  expect_sm_error("plain command",
                  [&] { card.unprotect_command(apdu::CommandApdu::decode(from_hex("00A4020C02011E"))); });
  EXPECT_EQ(to_hex(card.ssc()), to_hex(icao_hex("bac", "ssc")));  // a plain command does not count

  Bytes tampered = icao_hex(kSm3des, "select_protected_apdu");
  tampered[tampered.size() - 2] ^= 0x01;
  expect_sm_error("command MAC does not verify",
                  [&] { card.unprotect_command(apdu::CommandApdu::decode(tampered)); });

  SmCodec fresh(icao_session());
  apdu::CommandApdu header_changed = apdu::CommandApdu::decode(icao_hex(kSm3des, "select_protected_apdu"));
  header_changed.p1 = 0x04;  // the header is covered by the MAC
  expect_sm_error("command MAC does not verify", [&] { fresh.unprotect_command(header_changed); });

  SmCodec no_mac(icao_session());
  expect_sm_error("DO'8E' missing", [&] {
    no_mac.unprotect_command({0x0C, 0xB0, 0x00, 0x00, from_hex("970104"), 256});
  });
}

TEST(SmCardSide, RejectsBadDo97) {
  SmCodec card(icao_session());
  // A command with a three-byte DO'97' and a valid MAC, built from the crypto layer.
  Bytes ssc = plus_one(icao_hex("bac", "ssc"));
  Bytes objects = from_hex("9703000100");
  Bytes mac_input = concat({ssc, crypto::pad_iso9797_m2(from_hex("0CB00000"), 8), objects});
  Bytes mac = crypto::retail_mac(icao_hex("bac", "ksmac"), crypto::pad_iso9797_m2(mac_input, 8));
  apdu::CommandApdu command{0x0C, 0xB0, 0x00, 0x00, concat({objects, asn1::tlv(0x8E, mac)}), 256};
  expect_sm_error("DO'97'", [&] { card.unprotect_command(command); });
}

TEST(SmCodecLimits, MaxPlainResponseAndCommand) {
  SmCodec tdes(icao_session());
  SmCodec aes(aes_session(crypto::CipherKind::aes128));
  EXPECT_EQ(tdes.max_plain_response(256), 231u);
  EXPECT_EQ(aes.max_plain_response(256), 223u);
  EXPECT_EQ(tdes.max_plain_response(0), 0u);
  EXPECT_EQ(aes.max_plain_response(20), 0u);
  EXPECT_EQ(tdes.max_plain_command(255), 231u);
  EXPECT_EQ(aes.max_plain_command(255), 223u);

  // The limits are tight: at the limit the protected response fits, one byte more does not.
  for (std::size_t limit : {std::size_t{256}, std::size_t{1000}, std::size_t{65536}}) {
    for (SmCodec* codec : {&tdes, &aes}) {
      SCOPED_TRACE(limit);
      std::size_t most = codec->max_plain_response(limit);
      EXPECT_LE(codec->protect_response({Bytes(most, 7), 0x9000}).data.size(), limit);
      EXPECT_GT(codec->protect_response({Bytes(most + 1, 7), 0x9000}).data.size(), limit);
    }
  }
  for (std::size_t limit : {std::size_t{255}, std::size_t{65535}}) {
    SmCodec terminal(aes_session(crypto::CipherKind::aes256));
    std::size_t most = terminal.max_plain_command(limit);
    EXPECT_LE(terminal.protect_command({0x00, 0xD6, 0, 0, Bytes(most, 1), 65536}).data.size(), limit);
    EXPECT_GT(terminal.protect_command({0x00, 0xD6, 0, 0, Bytes(most + 1, 1), 65536}).data.size(), limit);
  }
}

TEST(SmCodecArguments, RejectsWrongKeySizesAndAlreadyProtectedCommands) {
  expect_error(ErrorCode::invalid_argument, [] {
    SmCodec codec(SessionKeys{crypto::CipherKind::aes128, SecureBytes(16), SecureBytes(16), SecureBytes(8)});
  });
  expect_error(ErrorCode::invalid_argument, [] {
    SmCodec codec(SessionKeys{crypto::CipherKind::tdes, SecureBytes(24), SecureBytes(16), SecureBytes(8)});
  });
  SmCodec codec(icao_session());
  expect_error(ErrorCode::invalid_argument, [&] { codec.protect_command({0x0C, 0xB0, 0, 0, {}, 4}); });
}

// A card behind a channel: unprotects, answers READ BINARY with `file` bytes, protects.
class LoopbackCard : public transport::Channel {
 public:
  LoopbackCard(SessionKeys keys, Bytes file) : codec_(std::move(keys)), file_(std::move(file)) {}
  apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
    ++stats_.apdus;
    last_wire_ = command.encode();
    apdu::CommandApdu plain = codec_.unprotect_command(command);
    std::size_t offset = (std::size_t{plain.p1} << 8) | plain.p2;
    std::size_t count = std::min(plain.le, file_.size() - std::min(offset, file_.size()));
    Bytes data(file_.begin() + static_cast<std::ptrdiff_t>(offset),
               file_.begin() + static_cast<std::ptrdiff_t>(offset + count));
    return codec_.protect_response({data, 0x9000});
  }
  transport::ChannelCapabilities capabilities() const override {
    return {.extended_length = true, .max_command_data = 65535, .max_response_data = 65536};
  }
  transport::TransferStats stats() const override { return stats_; }
  Bytes last_wire_;

 private:
  SmCodec codec_;
  Bytes file_;
  transport::TransferStats stats_;
};

TEST(SecureChannel, TransmitsThroughTheCodecAndReportsPlainCapabilities) {
  SessionKeys keys = aes_session(crypto::CipherKind::aes128);
  Bytes file = crypto::random_bytes(3000);
  LoopbackCard card(keys, file);
  SecureChannel channel(card, keys);
  apdu::ResponseApdu response = channel.transmit({0x00, 0xB0, 0x00, 0x10, {}, 2000});
  EXPECT_EQ(response.sw, 0x9000);
  EXPECT_EQ(response.data, Bytes(file.begin() + 0x10, file.begin() + 0x10 + 2000));
  EXPECT_EQ(card.last_wire_[0], 0x0C);
  EXPECT_EQ(channel.stats().apdus, 1u);

  transport::ChannelCapabilities caps = channel.capabilities();
  EXPECT_TRUE(caps.extended_length);
  EXPECT_EQ(caps.max_response_data, channel.codec().max_plain_response(65536));
  EXPECT_EQ(caps.max_command_data, channel.codec().max_plain_command(65535));
  EXPECT_LT(caps.max_response_data, 65536u);
}

}  // namespace
}  // namespace cccd::sm
