#include "apdu/apdu.hpp"
#include "transport/channel.hpp"
#include "util/bytes.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <vector>

namespace cccd::apdu {
namespace {

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

// Encodes, checks the bytes, decodes them back and checks every field and the framing.
void expect_round_trip(const CommandApdu& command, const std::string& hex, bool extended) {
  Bytes encoded = command.encode();
  EXPECT_EQ(to_hex(encoded), to_hex(from_hex(hex)));
  bool was_extended = !extended;
  CommandApdu decoded = CommandApdu::decode(encoded, &was_extended);
  EXPECT_EQ(was_extended, extended);
  EXPECT_EQ(decoded.cla, command.cla);
  EXPECT_EQ(decoded.ins, command.ins);
  EXPECT_EQ(decoded.p1, command.p1);
  EXPECT_EQ(decoded.p2, command.p2);
  EXPECT_EQ(decoded.data, command.data);
  EXPECT_EQ(decoded.le, command.le);
}

TEST(CommandApdu, Case1HeaderOnly) {
  CommandApdu command{0x00, 0xA4, 0x04, 0x0C, {}, kNoLe};
  EXPECT_FALSE(command.needs_extended());
  expect_round_trip(command, "00A4040C", false);
}

TEST(CommandApdu, Case2ShortLe) {
  expect_round_trip({0x00, 0x84, 0x00, 0x00, {}, 8}, "0084000008", false);
  expect_round_trip({0x00, 0xB0, 0x9C, 0x00, {}, 1}, "00B09C0001", false);
}

TEST(CommandApdu, Case2ShortLe256IsZero) {
  CommandApdu command{0x00, 0xB0, 0x9C, 0x00, {}, kMaxShortLe};
  EXPECT_FALSE(command.needs_extended());
  expect_round_trip(command, "00B09C0000", false);
}

TEST(CommandApdu, Case3Short) {
  expect_round_trip({0x00, 0xA4, 0x04, 0x0C, from_hex("A0000002471001"), kNoLe}, "00A4040C07A0000002471001",
                    false);
}

TEST(CommandApdu, Case3ShortWith255Bytes) {
  CommandApdu command{0x00, 0xD6, 0x00, 0x00, Bytes(255, 0x5A), kNoLe};
  EXPECT_FALSE(command.needs_extended());
  Bytes encoded = command.encode();
  ASSERT_EQ(encoded.size(), 4u + 1 + 255);
  EXPECT_EQ(encoded[4], 0xFF);
  expect_round_trip(command, to_hex(encoded), false);
}

TEST(CommandApdu, Case4Short) {
  expect_round_trip({0x0C, 0xB0, 0x00, 0x00, from_hex("970104"), 0x10},
                    "0CB0000003970104"
                    "10",
                    false);
  expect_round_trip({0x0C, 0xB0, 0x00, 0x00, from_hex("970100"), kMaxShortLe}, "0CB000000397010000", false);
}

TEST(CommandApdu, Case2ExtendedLe) {
  CommandApdu command{0x00, 0xB0, 0x00, 0x00, {}, 0x0800};
  EXPECT_TRUE(command.needs_extended());
  expect_round_trip(command, "00B00000000800", true);
  expect_round_trip({0x00, 0xB0, 0x00, 0x00, {}, 257}, "00B00000000101", true);
}

TEST(CommandApdu, Case2ExtendedLe65536IsZeroZero) {
  expect_round_trip({0x00, 0xB0, 0x00, 0x00, {}, kMaxExtendedLe}, "00B00000000000", true);
}

TEST(CommandApdu, Case3Extended) {
  CommandApdu command{0x00, 0xD6, 0x00, 0x00, Bytes(256, 0xA5), kNoLe};
  EXPECT_TRUE(command.needs_extended());
  Bytes encoded = command.encode();
  ASSERT_EQ(encoded.size(), 4u + 3 + 256);
  EXPECT_EQ(to_hex(ByteView(encoded).subspan(0, 7)), "00D60000000100");
  expect_round_trip(command, to_hex(encoded), true);
}

TEST(CommandApdu, Case4Extended) {
  // Short data but an extended Ne: the whole command goes extended.
  expect_round_trip({0x0C, 0xB0, 0x00, 0x00, from_hex("97020800"), 0x0800}, "0CB00000000004970208000800",
                    true);
  expect_round_trip({0x0C, 0xB0, 0x00, 0x00, from_hex("97020000"), kMaxExtendedLe},
                    "0CB00000000004970200000000", true);
  // Long data and a short Ne: also extended, Le on two bytes.
  CommandApdu command{0x00, 0x2A, 0x00, 0xBE, Bytes(300, 0x11), 0x20};
  Bytes encoded = command.encode();
  ASSERT_EQ(encoded.size(), 4u + 3 + 300 + 2);
  EXPECT_EQ(to_hex(ByteView(encoded).subspan(0, 7)), "002A00BE00012C");
  EXPECT_EQ(to_hex(ByteView(encoded).subspan(encoded.size() - 2)), "0020");
  expect_round_trip(command, to_hex(encoded), true);
}

TEST(CommandApdu, EncodeExtendedForcesExtendedFraming) {
  EXPECT_EQ(to_hex(CommandApdu{0x00, 0xA4, 0x04, 0x0C, {}, kNoLe}.encode_extended()), "00A4040C");
  EXPECT_EQ(to_hex(CommandApdu{0x00, 0xB0, 0x00, 0x00, {}, 4}.encode_extended()), "00B00000000004");
  EXPECT_EQ(to_hex(CommandApdu{0x00, 0xB0, 0x00, 0x00, {}, kMaxShortLe}.encode_extended()), "00B00000000100");
  EXPECT_EQ(to_hex(CommandApdu{0x00, 0xA4, 0x02, 0x0C, from_hex("011E"), kNoLe}.encode_extended()),
            "00A4020C000002011E");
  Bytes case4 = CommandApdu{0x0C, 0xB0, 0x00, 0x00, from_hex("970104"), 4}.encode_extended();
  EXPECT_EQ(to_hex(case4), "0CB000000000039701040004");
  bool was_extended = false;
  CommandApdu decoded = CommandApdu::decode(case4, &was_extended);
  EXPECT_TRUE(was_extended);
  EXPECT_EQ(decoded.data, from_hex("970104"));
  EXPECT_EQ(decoded.le, 4u);
}

TEST(CommandApdu, EncodeRejectsSizesNoApduCarries) {
  expect_error(ErrorCode::invalid_argument,
               [] { CommandApdu{0x00, 0xD6, 0x00, 0x00, Bytes(kMaxExtendedLc + 1, 0), kNoLe}.encode(); });
  expect_error(ErrorCode::invalid_argument,
               [] { CommandApdu{0x00, 0xB0, 0x00, 0x00, {}, kMaxExtendedLe + 1}.encode(); });
  expect_error(ErrorCode::invalid_argument,
               [] { CommandApdu{0x00, 0xB0, 0x00, 0x00, {}, kMaxExtendedLe + 1}.encode_extended(); });
  // The largest ones still encode.
  EXPECT_EQ(CommandApdu({0x00, 0xD6, 0x00, 0x00, Bytes(kMaxExtendedLc, 0), kMaxExtendedLe}).encode().size(),
            4u + 3 + kMaxExtendedLc + 2);
}

TEST(CommandApdu, DecodeRejectsInconsistentLengths) {
  const char* bad[] = {
      "",                        // nothing
      "00",                      // one byte
      "00A404",                  // three bytes: no full header
      "00A4040C05A000",          // short Lc 5, two bytes of data
      "00A4040C02A00000AA",      // short Lc 2, three bytes after the data
      "00A4040C0000",            // extended marker and one byte: truncated length
      "00B0000000000000AA",      // extended Lc 0 with bytes after it
      "00D6000000000511",        // extended Lc 5, one byte of data
      "00D60000000001110000AA",  // extended Lc 1, data, Le and one byte too many
      "00D600000000011100",      // extended Lc 1, data, a one-byte Le
  };
  for (const char* hex : bad) {
    SCOPED_TRACE(hex);
    expect_error(ErrorCode::malformed_data, [&] { CommandApdu::decode(from_hex(hex)); });
  }
}

TEST(ResponseApdu, DecodeSplitsDataAndStatusWord) {
  ResponseApdu only_sw = ResponseApdu::decode(from_hex("6A82"));
  EXPECT_TRUE(only_sw.data.empty());
  EXPECT_EQ(only_sw.sw, sw::kFileNotFound);
  EXPECT_EQ(only_sw.sw1(), 0x6A);
  EXPECT_EQ(only_sw.sw2(), 0x82);
  EXPECT_FALSE(only_sw.ok());

  ResponseApdu with_data = ResponseApdu::decode(from_hex("0102039000"));
  EXPECT_EQ(with_data.data, from_hex("010203"));
  EXPECT_TRUE(with_data.ok());
  EXPECT_EQ(to_hex(with_data.encode()), "0102039000");
  EXPECT_EQ(sw_hex(0x6282), "6282");
}

TEST(ResponseApdu, DecodeRejectsLessThanAStatusWord) {
  expect_error(ErrorCode::malformed_data, [] { ResponseApdu::decode(Bytes{}); });
  expect_error(ErrorCode::malformed_data, [] { ResponseApdu::decode(from_hex("90")); });
}

// A raw transport that answers from a script and records every command it was sent.
class ScriptedRawChannel : public transport::RawChannel {
 public:
  transport::ChannelCapabilities capabilities() const override { return {}; }

  std::deque<Bytes> responses;
  std::optional<Bytes> repeat_forever;  // answered once the script is used up
  std::vector<Bytes> sent;

 protected:
  Bytes exchange(ByteView command) override {
    sent.emplace_back(command.begin(), command.end());
    if (!responses.empty()) {
      Bytes next = std::move(responses.front());
      responses.pop_front();
      return next;
    }
    if (repeat_forever) return *repeat_forever;
    throw Error(ErrorCode::transport, "script exhausted");
  }
};

Bytes response_bytes(Bytes data, std::uint16_t status) {
  return ResponseApdu{std::move(data), status}.encode();
}

TEST(RawChannel, PassesAPlainExchangeThroughAndCountsIt) {
  ScriptedRawChannel channel;
  channel.responses.push_back(from_hex("0102 9000"));
  ResponseApdu response = channel.transmit({0x00, 0xB0, 0x9E, 0x00, {}, 2});
  EXPECT_EQ(response.sw, sw::kOk);
  EXPECT_EQ(response.data, from_hex("0102"));
  ASSERT_EQ(channel.sent.size(), 1u);
  EXPECT_EQ(to_hex(channel.sent[0]), "00B09E0002");
  transport::TransferStats stats = channel.stats();
  EXPECT_EQ(stats.apdus, 1u);
  EXPECT_EQ(stats.bytes_sent, 5u);
  EXPECT_EQ(stats.bytes_received, 4u);
}

TEST(RawChannel, CollectsMoreDataWithGetResponse) {
  ScriptedRawChannel channel;
  Bytes part1(10, 0x11);
  Bytes part2(0x20, 0x22);
  Bytes part3(256, 0x33);
  Bytes part4(5, 0x44);
  channel.responses.push_back(response_bytes(part1, 0x6120));
  channel.responses.push_back(response_bytes(part2, 0x6100));  // 61 00: 256 more bytes
  channel.responses.push_back(response_bytes(part3, 0x6105));
  channel.responses.push_back(response_bytes(part4, 0x9000));

  // CLA 0D: secure messaging bits and logical channel 1; GET RESPONSE keeps only the channel.
  ResponseApdu response = channel.transmit({0x0D, 0xB0, 0x00, 0x00, from_hex("970100"), kMaxShortLe});
  EXPECT_EQ(response.sw, sw::kOk);
  EXPECT_EQ(response.data, concat({part1, part2, part3, part4}));

  ASSERT_EQ(channel.sent.size(), 4u);
  EXPECT_EQ(to_hex(channel.sent[0]), "0DB000000397010000");
  EXPECT_EQ(to_hex(channel.sent[1]), "01C0000020");
  EXPECT_EQ(to_hex(channel.sent[2]), "01C0000000");  // Le 256
  EXPECT_EQ(to_hex(channel.sent[3]), "01C0000005");

  transport::TransferStats stats = channel.stats();
  EXPECT_EQ(stats.apdus, 4u);
  EXPECT_EQ(stats.bytes_sent, 9u + 5 + 5 + 5);
  EXPECT_EQ(stats.bytes_received, (10u + 2) + (0x20 + 2) + (256 + 2) + (5 + 2));
}

TEST(RawChannel, GetResponseKeepsTheLogicalChannelOfEveryClassCoding) {
  struct Case {
    std::uint8_t command_cla;
    std::uint8_t get_response_cla;
  };
  // First interindustry: channel in b2-b1, SM in b4-b3. Further interindustry (01xx xxxx): channel
  // 4-19 in b4-b1, SM in b6.
  const Case cases[] = {{0x00, 0x00}, {0x0C, 0x00}, {0x0F, 0x03}, {0x40, 0x40}, {0x60, 0x40}, {0x6B, 0x4B}};
  for (const Case& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.command_cla));
    ScriptedRawChannel channel;
    channel.responses.push_back(response_bytes(from_hex("01"), 0x6101));
    channel.responses.push_back(response_bytes(from_hex("02"), 0x9000));
    EXPECT_EQ(channel.transmit({c.command_cla, 0xB0, 0x00, 0x00, {}, 2}).data, from_hex("0102"));
    ASSERT_EQ(channel.sent.size(), 2u);
    EXPECT_EQ(channel.sent[1][0], c.get_response_cla);
  }
}

TEST(RawChannel, GetResponseEndingInAnErrorReturnsThatStatusWord) {
  ScriptedRawChannel channel;
  channel.responses.push_back(response_bytes(from_hex("AA"), 0x6102));
  channel.responses.push_back(response_bytes({}, 0x6F00));
  ResponseApdu response = channel.transmit({0x00, 0xB0, 0x00, 0x00, {}, 3});
  EXPECT_EQ(response.sw, sw::kNoPreciseDiagnosis);
  EXPECT_EQ(response.data, from_hex("AA"));
  EXPECT_EQ(channel.sent.size(), 2u);
}

TEST(RawChannel, WrongLengthResendsOnceWithTheCardsLe) {
  ScriptedRawChannel channel;
  channel.responses.push_back(response_bytes({}, 0x6C08));
  channel.responses.push_back(response_bytes(Bytes(8, 0x77), 0x9000));
  ResponseApdu response = channel.transmit({0x00, 0x84, 0x00, 0x00, {}, 0x10});
  EXPECT_EQ(response.sw, sw::kOk);
  EXPECT_EQ(response.data, Bytes(8, 0x77));
  ASSERT_EQ(channel.sent.size(), 2u);
  EXPECT_EQ(to_hex(channel.sent[0]), "0084000010");
  EXPECT_EQ(to_hex(channel.sent[1]), "0084000008");  // the same command, Le from SW2
  EXPECT_EQ(channel.stats().apdus, 2u);
  EXPECT_EQ(channel.stats().bytes_sent, 10u);
  EXPECT_EQ(channel.stats().bytes_received, 2u + 10);
}

TEST(RawChannel, WrongLength6C00MeansLe256) {
  ScriptedRawChannel channel;
  channel.responses.push_back(response_bytes({}, 0x6C00));
  channel.responses.push_back(response_bytes(Bytes(256, 0x01), 0x9000));
  ResponseApdu response = channel.transmit({0x00, 0xB0, 0x00, 0x00, from_hex("54"), 4});
  EXPECT_EQ(response.data.size(), 256u);
  ASSERT_EQ(channel.sent.size(), 2u);
  EXPECT_EQ(to_hex(channel.sent[1]), "00B00000015400");
}

TEST(RawChannel, WrongLengthThenMoreDataIsCollected) {
  ScriptedRawChannel channel;
  channel.responses.push_back(response_bytes({}, 0x6C04));
  channel.responses.push_back(response_bytes(from_hex("0102"), 0x6102));
  channel.responses.push_back(response_bytes(from_hex("0304"), 0x9000));
  ResponseApdu response = channel.transmit({0x00, 0xB0, 0x00, 0x00, {}, 0x10});
  EXPECT_EQ(response.data, from_hex("01020304"));
  ASSERT_EQ(channel.sent.size(), 3u);
  EXPECT_EQ(to_hex(channel.sent[2]), "00C0000002");
}

TEST(RawChannel, SecondWrongLengthIsACardError) {
  ScriptedRawChannel channel;
  channel.responses.push_back(response_bytes({}, 0x6C08));
  channel.responses.push_back(response_bytes({}, 0x6C04));
  channel.responses.push_back(response_bytes(Bytes(4, 0), 0x9000));  // never asked for
  expect_error(ErrorCode::card_error, [&] { channel.transmit({0x00, 0x84, 0x00, 0x00, {}, 0x10}); });
  EXPECT_EQ(channel.sent.size(), 1u + transport::kMaxWrongLengthResends);
  EXPECT_EQ(channel.stats().apdus, 2u);
}

TEST(RawChannel, EndlessMoreDataStopsAfterTheRoundLimit) {
  ScriptedRawChannel channel;
  channel.repeat_forever = response_bytes(from_hex("AB"), 0x6101);
  expect_error(ErrorCode::card_error, [&] { channel.transmit({0x00, 0xB0, 0x00, 0x00, {}, 1}); });
  // The command and exactly kMaxGetResponseRounds GET RESPONSEs, then the channel gives up.
  const std::size_t exchanges = 1 + static_cast<std::size_t>(transport::kMaxGetResponseRounds);
  EXPECT_EQ(channel.sent.size(), exchanges);
  for (std::size_t i = 1; i < channel.sent.size(); ++i) EXPECT_EQ(to_hex(channel.sent[i]), "00C0000001");
  transport::TransferStats stats = channel.stats();
  EXPECT_EQ(stats.apdus, exchanges);
  EXPECT_EQ(stats.bytes_sent, 5u * exchanges);
  EXPECT_EQ(stats.bytes_received, 3u * exchanges);
}

TEST(RawChannel, MoreDataThanAnyResponseCarriesIsALimit) {
  // A card that sends far more than each GET RESPONSE asked for: stopped at 65536 bytes in total.
  ScriptedRawChannel channel;
  channel.repeat_forever = response_bytes(Bytes(4000, 0x5A), 0x6100);
  expect_error(ErrorCode::limit_exceeded, [&] { channel.transmit({0x00, 0xB0, 0x00, 0x00, {}, 1}); });
  EXPECT_EQ(channel.sent.size(), 17u);  // 17 * 4000 > 65536 >= 16 * 4000
}

TEST(RawChannel, UndecodableResponseIsMalformed) {
  ScriptedRawChannel channel;
  channel.responses.push_back(from_hex("90"));
  expect_error(ErrorCode::malformed_data, [&] { channel.transmit({0x00, 0xB0, 0x00, 0x00, {}, 1}); });
  EXPECT_EQ(channel.stats().apdus, 1u);
  EXPECT_EQ(channel.stats().bytes_received, 1u);
}

TEST(RawChannel, TransportFailurePropagates) {
  ScriptedRawChannel channel;  // empty script: exchange throws Error(transport)
  expect_error(ErrorCode::transport, [&] { channel.transmit({0x00, 0xB0, 0x00, 0x00, {}, 1}); });
  EXPECT_EQ(channel.stats().apdus, 1u);
  EXPECT_EQ(channel.stats().bytes_sent, 5u);
  EXPECT_EQ(channel.stats().bytes_received, 0u);
}

}  // namespace
}  // namespace cccd::apdu
