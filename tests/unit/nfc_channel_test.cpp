// The libnfc transport through libnfc's own pn532_uart driver: each test starts an emulated PN532 on a
// pseudo-terminal (sim::Pn532Emulator) with a virtual CCCD in its field, and opens it with NfcContext /
// NfcChannel or read_nfc_card as a desk would open a PN532 board on /dev/ttyUSB0. The emulator's frame
// parser and its answers to malformed frames are tested on the pty directly.
#include "transport/nfc_channel.hpp"
#include "reader/session.hpp"
#include "sim/generator.hpp"
#include "sim/pn532_emulator.hpp"
#include "sim/virtual_card.hpp"
#include "test_support.hpp"

#include <cccd/cccd.h>
#include <cccd/error.hpp>
#include <cccd/reader.hpp>
#include <cccd/verify.hpp>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace cccd {
namespace {

using test::anchor_of;
using test::default_credentials;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using sim::Pn532Emulator;
using sim::Pn532FrameParser;
using test::error_of;
using transport::NfcChannel;
using transport::NfcContext;
using Kind = Pn532FrameParser::Event::Kind;

// libnfc prints its own error lines on stderr; the tests provoke errors on purpose.
class QuietLibnfc : public ::testing::Environment {
 public:
  void SetUp() override { setenv("LIBNFC_LOG_LEVEL", "0", 0); }
};
const auto* const kQuiet = ::testing::AddGlobalTestEnvironment(new QuietLibnfc);

// A virtual card in the field of an emulated PN532 on a fresh pty.
struct Bench {
  explicit Bench(sim::CardData data = sim::default_card()) : card_data(std::move(data)), card(card_data) {
    emulator.start();
  }
  sim::CardData card_data;
  sim::VirtualCard card;
  Pn532Emulator emulator{card};
};

// The number of APDUs one full read of the default card takes, measured once through libnfc.
std::uint64_t full_read_apdus() {
  static const std::uint64_t count = [] {
    Bench bench;
    read_nfc_card(bench.emulator.connstring(), default_credentials());
    return bench.emulator.counters().apdus;
  }();
  return count;
}

TEST(NfcChannel, CapabilitiesAreShortApdus) {
  const transport::ChannelCapabilities capabilities = transport::nfc_capabilities();
  EXPECT_FALSE(capabilities.extended_length);
  EXPECT_EQ(capabilities.max_command_data, 255u);
  EXPECT_EQ(capabilities.max_response_data, 256u);
}

TEST(NfcChannel, OpensThePn532AndSelectsTheCard) {
  Bench bench;
  NfcContext context;
  NfcChannel channel(context, bench.emulator.connstring());
  EXPECT_EQ(channel.connstring(), bench.emulator.connstring());
  EXPECT_NE(channel.device_name().find("pn532_uart"), std::string::npos) << channel.device_name();
  EXPECT_FALSE(channel.card_selected());
  channel.select_card();
  EXPECT_TRUE(channel.card_selected());
  // SELECT the eMRTD application, in the clear.
  const apdu::ResponseApdu answer = channel.transmit(apdu::CommandApdu{
      0x00, 0xA4, 0x04, 0x0C, Bytes(std::begin(sim::kEmrtdAid), std::end(sim::kEmrtdAid)), apdu::kNoLe});
  EXPECT_EQ(answer.sw, 0x9000);
  EXPECT_EQ(bench.emulator.counters().apdus, 1u);
  EXPECT_EQ(bench.emulator.counters().unknown_commands, 0u);
  EXPECT_EQ(bench.emulator.counters().rejected_frames, 0u);
}

TEST(NfcChannel, FullReadWithPaceIsVerifiedAndMeasured) {
  Bench bench;
  NfcContext context;
  NfcChannel channel(context, bench.emulator.connstring());
  channel.select_card();
  const Clock::time_point start = Clock::now();
  std::optional<LiveChipProof> proof;  // this test read the chip itself
  const ChipDump dump = reader::read_chip(channel, default_credentials(), ReadOptions{}, nullptr, &proof);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(dump.access_protocol, "PACE-GM");
  const Verdict verdict = verify(dump, anchor_of(bench.card_data), {}, *proof);
  EXPECT_TRUE(verdict.verified) << verdict.data_integrity.detail << " / " << verdict.signer_trust.detail;
  const transport::TransferStats stats = channel.stats();
  EXPECT_EQ(stats.apdus, bench.emulator.counters().apdus);
  EXPECT_EQ(stats.bytes_sent, bench.emulator.counters().apdu_bytes_in);
  EXPECT_EQ(stats.bytes_received, bench.emulator.counters().apdu_bytes_out);
  std::printf(
      "libnfc pn532_uart full read (default card, PACE-GM, photo): %llu APDUs, %llu bytes sent, "
      "%llu bytes received, %.3f s\n",
      static_cast<unsigned long long>(stats.apdus), static_cast<unsigned long long>(stats.bytes_sent),
      static_cast<unsigned long long>(stats.bytes_received), seconds);
}

TEST(NfcChannel, ReadNfcCardWithBacIsVerified) {
  sim::GeneratorOptions options;
  options.no_card_access = true;  // no EF.CardAccess: the chip offers BAC only
  test::TempDir dir;
  sim::write_card_folder(sim::generate_card(options), dir.path());
  Bench bench(sim::load_card_folder(dir.path()));
  const ChipDump dump = read_nfc_card(bench.emulator.connstring(), default_credentials());
  EXPECT_EQ(dump.access_protocol, "BAC");
  EXPECT_TRUE(verify(dump, anchor_of(bench.card_data)).verified);
}

TEST(NfcChannel, WrongCanIsAccessDenied) {
  Bench bench;
  EXPECT_EQ(error_of([&] { read_nfc_card(bench.emulator.connstring(), Credentials::from_can("123456")); }),
            ErrorCode::access_denied);
  // The reader and the card are still usable: the right CAN reads.
  EXPECT_EQ(read_nfc_card(bench.emulator.connstring(), default_credentials()).access_protocol, "PACE-GM");
}

void expect_removed_at(std::uint64_t apdu_number) {
  Bench bench;
  bench.emulator.remove_card_after(apdu_number - 1);
  NfcContext context;
  NfcChannel channel(context, bench.emulator.connstring());
  channel.select_card();
  bool finished = false;
  try {
    reader::read_chip(channel, default_credentials(), ReadOptions{});
    finished = true;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::card_removed) << "APDU " << apdu_number << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find("left the field"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(finished) << "the read ended without the card (APDU " << apdu_number << ")";
  EXPECT_EQ(bench.emulator.counters().apdus, apdu_number - 1);
  EXPECT_FALSE(channel.card_selected());
}

TEST(NfcChannel, CardRemovedAtTheFirstApdu) {
  expect_removed_at(1);
}

TEST(NfcChannel, CardRemovedAtAMiddleApdu) {
  expect_removed_at(full_read_apdus() / 2);
}

TEST(NfcChannel, CardRemovedAtTheLastApdu) {
  expect_removed_at(full_read_apdus());
}

TEST(NfcChannel, ReadNfcCardGivesCardRemoved) {
  Bench bench;
  bench.emulator.remove_card_after(10);
  EXPECT_EQ(error_of([&] { read_nfc_card(bench.emulator.connstring(), default_credentials()); }),
            ErrorCode::card_removed);
}

TEST(NfcChannel, AReadResumesWhenTheCardComesBack) {
  Bench uninterrupted;
  const ChipDump expected = read_nfc_card(uninterrupted.emulator.connstring(), default_credentials());

  Bench bench;
  bench.emulator.remove_card_after(full_read_apdus() / 2);
  std::thread putter([&] {
    while (bench.emulator.card_present()) std::this_thread::sleep_for(5ms);
    std::this_thread::sleep_for(300ms);
    bench.emulator.insert_card();
  });
  ReadOptions options;
  options.resume_after_removal = true;
  options.resume_wait = 10s;
  std::optional<LiveChipProof> proof;  // this test read the chip itself
  const ChipDump resumed = read_nfc_card(bench.emulator.connstring(), default_credentials(), options, &proof);
  putter.join();
  EXPECT_EQ(resumed.files, expected.files);
  EXPECT_TRUE(verify(resumed, anchor_of(bench.card_data), {}, *proof).verified);
}

TEST(NfcChannel, ReadNfcCardWaitsForACardWhenAsked) {
  Bench bench;
  bench.emulator.remove_card();
  std::thread presenter([&] {
    std::this_thread::sleep_for(300ms);
    bench.emulator.insert_card();
  });
  ReadOptions options;
  options.wait_for_card = 10s;
  EXPECT_EQ(read_nfc_card(bench.emulator.connstring(), default_credentials(), options).access_protocol,
            "PACE-GM");
  presenter.join();
}

TEST(NfcChannel, ACancellationEndsReadNfcCardWaitingForACard) {
  Bench bench;
  bench.emulator.remove_card();
  Cancellation cancellation;
  std::thread canceller([&] {
    std::this_thread::sleep_for(300ms);
    cancellation.cancel();
  });
  ReadOptions options;
  options.wait_for_card = 30s;
  options.cancellation = &cancellation;
  const Clock::time_point start = Clock::now();
  EXPECT_EQ(error_of([&] { read_nfc_card(bench.emulator.connstring(), default_credentials(), options); }),
            ErrorCode::cancelled);
  canceller.join();
  EXPECT_LT(Clock::now() - start, 3s);
}

TEST(NfcChannel, CardPutBackIsSelectedAgainAndAnswers) {
  Bench bench;
  bench.emulator.remove_card_after(0);
  NfcContext context;
  NfcChannel channel(context, bench.emulator.connstring());
  channel.select_card();
  const apdu::CommandApdu select{
      0x00, 0xA4, 0x04, 0x0C, Bytes(std::begin(sim::kEmrtdAid), std::end(sim::kEmrtdAid)), apdu::kNoLe};
  EXPECT_EQ(error_of([&] { channel.transmit(select); }), ErrorCode::card_removed);
  EXPECT_EQ(error_of([&] { channel.transmit(select); }), ErrorCode::no_card);
  bench.emulator.insert_card();
  transport::Reconnectable& link = channel;
  link.reconnect(2s);
  EXPECT_EQ(channel.transmit(select).sw, 0x9000);
}

// A read starts from a known state (Reconnectable::reset_card): a card this channel has just activated
// is left alone; one it has talked to goes through the field off and on, and comes back with nothing
// selected. A chip resolving SFIs relative to the current DF shows it: SFI 1C is EF.CardAccess again.
TEST(NfcChannel, ResetCardPowersTheCardUpAnew) {
  sim::CardData data = sim::default_card();
  data.secrets.sfi_relative_to_current_df = true;
  Bench bench(data);
  NfcContext context;
  NfcChannel channel(context, bench.emulator.connstring());
  channel.select_card();
  transport::Reconnectable& link = channel;
  link.reset_card(2s);
  EXPECT_EQ(bench.emulator.counters().apdus, 0u);
  const apdu::CommandApdu select{
      0x00, 0xA4, 0x04, 0x0C, Bytes(std::begin(sim::kEmrtdAid), std::end(sim::kEmrtdAid)), apdu::kNoLe};
  const apdu::CommandApdu card_access{0x00, 0xB0, 0x9C, 0x00, {}, 256};
  ASSERT_EQ(channel.transmit(select).sw, 0x9000);
  EXPECT_EQ(channel.transmit(card_access).sw, apdu::sw::kFileNotFound);  // inside the application
  link.reset_card(2s);
  EXPECT_TRUE(channel.card_selected());
  EXPECT_EQ(channel.transmit(card_access).sw, apdu::sw::kEndOfFileBeforeLe);  // the MF again
}

TEST(NfcChannel, NoCardInTheFieldIsNoCard) {
  Bench bench;
  bench.emulator.remove_card();
  NfcContext context;
  NfcChannel channel(context, bench.emulator.connstring());
  EXPECT_EQ(error_of([&] { channel.select_card(); }), ErrorCode::no_card);
  EXPECT_EQ(error_of([&] { read_nfc_card(bench.emulator.connstring(), default_credentials()); }),
            ErrorCode::no_card);
}

TEST(NfcChannel, WaitForCardTimesOutCleanly) {
  Bench bench;
  bench.emulator.remove_card();
  NfcContext context;
  NfcChannel channel(context, bench.emulator.connstring());
  const Clock::time_point start = Clock::now();
  EXPECT_EQ(error_of([&] { channel.wait_for_card(400ms); }), ErrorCode::timeout);
  const auto waited = Clock::now() - start;
  EXPECT_GE(waited, 400ms);
  EXPECT_LT(waited, 3s);
  // The device is still fine: a card presented now is found.
  bench.emulator.insert_card();
  channel.select_card();
  EXPECT_TRUE(channel.card_selected());
}

TEST(NfcChannel, WaitForCardFindsACardPresentedDuringTheWait) {
  Bench bench;
  bench.emulator.remove_card();
  NfcContext context;
  NfcChannel channel(context, bench.emulator.connstring());
  std::thread presenter([&] {
    std::this_thread::sleep_for(300ms);
    bench.emulator.insert_card();
  });
  channel.wait_for_card(10s);
  presenter.join();
  EXPECT_TRUE(channel.card_selected());
}

TEST(NfcChannel, CancelEndsAWaitForCard) {
  Bench bench;
  bench.emulator.remove_card();
  NfcContext context;
  NfcChannel channel(context, bench.emulator.connstring());
  std::thread canceller([&] {
    std::this_thread::sleep_for(300ms);
    channel.cancel();
  });
  const Clock::time_point start = Clock::now();
  EXPECT_EQ(error_of([&] { channel.wait_for_card(30s); }), ErrorCode::cancelled);
  canceller.join();
  EXPECT_LT(Clock::now() - start, 3s);
  // A cancelled channel stays cancelled.
  EXPECT_EQ(error_of([&] { channel.select_card(); }), ErrorCode::cancelled);
}

TEST(NfcChannel, ACancellationEndsAWaitForCard) {
  Bench bench;
  bench.emulator.remove_card();
  NfcContext context;
  NfcChannel channel(context, bench.emulator.connstring());
  Cancellation cancellation;
  channel.set_cancellation(&cancellation);
  std::thread canceller([&] {
    std::this_thread::sleep_for(300ms);
    cancellation.cancel();
  });
  const Clock::time_point start = Clock::now();
  EXPECT_EQ(error_of([&] { channel.wait_for_card(30s); }), ErrorCode::cancelled);
  canceller.join();
  EXPECT_LT(Clock::now() - start, 3s);
}

TEST(NfcChannel, CancelEndsARead) {
  // A slow card (100 ms per APDU) so that the cancel lands while libnfc waits for an answer.
  const sim::CardData data = sim::default_card();
  sim::VirtualCard card(data);
  Pn532Emulator emulator(
      [&card](ByteView command) {
        std::this_thread::sleep_for(100ms);
        return card.process(command);
      },
      [&card] { card.reset(); });
  emulator.start();
  NfcContext context;
  NfcChannel channel(context, emulator.connstring());
  channel.select_card();
  std::thread canceller([&] {
    std::this_thread::sleep_for(450ms);
    channel.cancel();
  });
  const Clock::time_point start = Clock::now();
  EXPECT_EQ(error_of([&] { reader::read_chip(channel, default_credentials(), ReadOptions{}); }),
            ErrorCode::cancelled);
  canceller.join();
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_LT(emulator.counters().apdus, 10u);
}

TEST(NfcChannel, NoSuchDeviceIsNoReader) {
  NfcContext context;
  for (const char* connstring : {"pn532_uart:/dev/cccd-no-such-tty", "no_such_driver:/dev/ttyS0"}) {
    try {
      NfcChannel channel(context, connstring);
      ADD_FAILURE() << connstring << " opened";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::no_reader) << connstring;
      EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(error_of([] { read_nfc_card("pn532_uart:/dev/cccd-no-such-tty", default_credentials()); }),
            ErrorCode::no_reader);
  EXPECT_EQ(error_of([&] { NfcChannel channel(context, std::string(2000, 'x')); }),
            ErrorCode::invalid_argument);
}

TEST(NfcChannel, APortWithoutAPn532IsNoReader) {
  // A pty nobody answers on: libnfc's communication check times out.
  const int master = posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  const std::string connstring = std::string("pn532_uart:") + ptsname(master);
  NfcContext context;
  EXPECT_EQ(error_of([&] { NfcChannel channel(context, connstring); }), ErrorCode::no_reader);
  close(master);
}

TEST(NfcChannel, TheFirstDeviceIsTheConfiguredOne) {
  Bench bench;
  setenv("LIBNFC_DEFAULT_DEVICE", bench.emulator.connstring().c_str(), 1);
  setenv("LIBNFC_AUTO_SCAN", "false", 1);
  const std::vector<std::string> devices = list_nfc_devices();
  const ChipDump dump = read_nfc_card("", default_credentials());
  unsetenv("LIBNFC_DEFAULT_DEVICE");
  unsetenv("LIBNFC_AUTO_SCAN");
  ASSERT_FALSE(devices.empty());
  EXPECT_EQ(devices.front(), bench.emulator.connstring());
  EXPECT_EQ(dump.access_protocol, "PACE-GM");
}

TEST(NfcChannel, TheCApiReadsAndVerifiesThroughLibnfc) {
  Bench bench;
  test::TempDir dir;
  const std::filesystem::path csca = dir.path() / "csca.pem";
  {
    std::FILE* file = std::fopen(csca.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    std::fwrite(bench.card_data.csca_pem.data(), 1, bench.card_data.csca_pem.size(), file);
    std::fclose(file);
  }
  cccd_credentials* credentials = nullptr;
  ASSERT_EQ(cccd_credentials_from_id("001099012345", "1990-05-17", "2030-05-17", &credentials), CCCD_OK);
  cccd_trust* trust = nullptr;
  ASSERT_EQ(cccd_trust_new(&trust), CCCD_OK);
  ASSERT_EQ(cccd_trust_add_path(trust, csca.c_str()), CCCD_OK);

  // A libnfc reader is a transport like any other: made once, read through cccd_read.
  const auto read_nfc = [&](const std::string& connstring, const cccd_credentials* with, cccd_result** out) {
    cccd_transport* transport = nullptr;
    EXPECT_EQ(cccd_transport_nfc_new(connstring.c_str(), &transport), CCCD_OK);
    const cccd_status status = cccd_read(transport, with, trust, nullptr, out);
    cccd_transport_free(transport);
    return status;
  };
  cccd_result* result = nullptr;
  EXPECT_EQ(read_nfc(bench.emulator.connstring(), credentials, &result), CCCD_OK) << cccd_last_error();
  EXPECT_EQ(cccd_result_verified(result), 1);
  EXPECT_NE(std::string(cccd_result_json(result)).find("\"source\": \"nfc\""), std::string::npos);
  cccd_result_free(result);

  result = nullptr;
  EXPECT_EQ(read_nfc("pn532_uart:/dev/cccd-no-such-tty", credentials, &result), CCCD_ERR_NO_READER);
  EXPECT_EQ(result, nullptr);
  EXPECT_NE(std::string(cccd_last_error()).find("cannot open"), std::string::npos);
  EXPECT_EQ(read_nfc(bench.emulator.connstring(), nullptr, &result), CCCD_ERR_INVALID_ARGUMENT);
  cccd_trust_free(trust);
  cccd_credentials_free(credentials);
}

// A channel whose raw exchange the test can call with any length (the limits of the link itself).
class RawNfcChannel : public NfcChannel {
 public:
  using NfcChannel::NfcChannel;
  Bytes raw(ByteView command) { return exchange(command); }
};

TEST(NfcChannel, TheLinkCarries262BytesEachWayAndNoMore) {
  // The "card" answers as many bytes as the command's first two bytes say.
  Pn532Emulator emulator([](ByteView command) {
    const std::size_t wanted = command.size() >= 2 ? (std::size_t{command[0]} << 8 | command[1]) : 0;
    return Bytes(wanted, 0x5A);
  });
  emulator.start();
  NfcContext context;
  RawNfcChannel channel(context, emulator.connstring());
  channel.select_card();
  Bytes command(transport::kNfcMaxApdu, 0x00);
  command[0] = 0x01;
  command[1] = 0x06;  // 262
  EXPECT_EQ(channel.raw(command).size(), 262u);
  EXPECT_EQ(emulator.counters().apdu_bytes_in, 262u);
  // One byte more out: refused before libnfc (whose buffer would overflow).
  command.push_back(0x00);
  EXPECT_EQ(error_of([&] { channel.raw(command); }), ErrorCode::limit_exceeded);
  // One byte more in: the chip's buffer overflows (status 0E), a transport error.
  const Bytes ask_263 = {0x01, 0x07};
  EXPECT_EQ(error_of([&] { channel.raw(ask_263); }), ErrorCode::transport);
}

// ---- The emulator's frame layer, byte by byte ----

Bytes host_frame(ByteView body) {
  return sim::pn532_frame(sim::kPn532HostToChip, body);
}

// An extended host frame of any length, built here because the emulator's encoder refuses what the
// chip could not send: 00 00 FF FF FF LENM LENL LCS D4 body DCS 00.
Bytes extended_host_frame(const Bytes& body) {
  const std::size_t length = body.size() + 1;
  const auto high = static_cast<std::uint8_t>(length >> 8);
  const auto low = static_cast<std::uint8_t>(length & 0xFF);
  Bytes frame = {0x00, 0x00, 0xFF, 0xFF,
                 0xFF, high, low,  static_cast<std::uint8_t>(0x100 - ((high + low) & 0xFF))};
  frame.push_back(sim::kPn532HostToChip);
  unsigned sum = sim::kPn532HostToChip;
  for (std::uint8_t b : body) {
    frame.push_back(b);
    sum += b;
  }
  frame.push_back(static_cast<std::uint8_t>(0x100 - (sum & 0xFF)));
  frame.push_back(0x00);
  return frame;
}

std::vector<Pn532FrameParser::Event> parse(ByteView bytes) {
  Pn532FrameParser parser;
  std::vector<Pn532FrameParser::Event> events;
  parser.feed(bytes, events);
  return events;
}

TEST(Pn532FrameParser, ParsesACommandAfterTheWakeupPreamble) {
  Bytes bytes = {0x55, 0x55, 0x00, 0x00, 0x00, 0x00};
  const Bytes frame = host_frame(Bytes{0x14, 0x01});
  bytes.insert(bytes.end(), frame.begin(), frame.end());
  const auto events = parse(bytes);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::command);
  EXPECT_EQ(events[0].body, (Bytes{0x14, 0x01}));
}

TEST(Pn532FrameParser, AFrameSplitAcrossReadsIsWhole) {
  const Bytes frame = host_frame(Bytes{0x02});
  Pn532FrameParser parser;
  std::vector<Pn532FrameParser::Event> events;
  for (std::uint8_t byte : frame) parser.feed(ByteView(&byte, 1), events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].body, (Bytes{0x02}));
}

TEST(Pn532FrameParser, AckAndNack) {
  const auto ack = parse(sim::pn532_ack_frame());
  ASSERT_EQ(ack.size(), 1u);
  EXPECT_EQ(ack[0].kind, Kind::ack);
  const auto nack = parse(sim::pn532_nack_frame());
  ASSERT_EQ(nack.size(), 1u);
  EXPECT_EQ(nack[0].kind, Kind::nack);
}

TEST(Pn532FrameParser, BadLengthChecksumIsRejected) {
  Bytes frame = host_frame(Bytes{0x02});
  frame[4] ^= 0x01;  // LCS
  const auto events = parse(frame);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::bad_length_checksum);
}

TEST(Pn532FrameParser, BadExtendedLengthChecksumIsRejected) {
  Bytes frame = extended_host_frame(Bytes(260, 0x40));
  frame[7] ^= 0x01;  // LCS of LENM LENL
  const auto events = parse(frame);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].kind, Kind::bad_length_checksum);
}

TEST(Pn532FrameParser, BadDataChecksumIsRejected) {
  Bytes frame = host_frame(Bytes{0x4A, 0x01, 0x00});
  frame[frame.size() - 2] ^= 0x01;  // DCS
  const auto events = parse(frame);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::bad_data_checksum);
}

TEST(Pn532FrameParser, OverLongExtendedLengthIsRejectedBeforeItsBody) {
  // LEN 0x0400 (1024 bytes) with a correct LCS: over the bound, so no body is collected at all.
  const Bytes header = {0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x04, 0x00, 0xFC};
  const auto events = parse(header);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::bad_length);
  // One byte over the bound is rejected; the bound itself is accepted.
  const Bytes over = extended_host_frame(Bytes(sim::kPn532MaxHostFrameBody, 0x40));
  EXPECT_EQ(parse(over).at(0).kind, Kind::bad_length);
  const auto at_bound = parse(extended_host_frame(Bytes(sim::kPn532MaxHostFrameBody - 1, 0x40)));
  ASSERT_EQ(at_bound.size(), 1u);
  EXPECT_EQ(at_bound[0].kind, Kind::command);
  EXPECT_EQ(at_bound[0].body.size(), sim::kPn532MaxHostFrameBody - 1);
}

TEST(Pn532FrameParser, ALengthTooShortForACommandIsRejected) {
  // LEN 1: a TFI and no command code.
  const Bytes frame = {0x00, 0x00, 0xFF, 0x01, 0xFF, 0xD4, 0x2C, 0x00};
  const auto events = parse(frame);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].kind, Kind::bad_length);
}

TEST(Pn532FrameParser, AChipFrameIsNotACommand) {
  const auto events = parse(sim::pn532_frame(sim::kPn532ChipToHost, Bytes{0x03, 0x32}));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, Kind::bad_tfi);
}

TEST(Pn532FrameParser, ResynchronisesAfterAGarbledFrame) {
  Bytes bytes = host_frame(Bytes{0x02});
  bytes[bytes.size() - 2] ^= 0xFF;  // bad DCS
  bytes.insert(bytes.end(), {0x13, 0x37, 0xFF, 0x00});
  const Bytes good = host_frame(Bytes{0x02});
  bytes.insert(bytes.end(), good.begin(), good.end());
  const auto events = parse(bytes);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, Kind::bad_data_checksum);
  EXPECT_EQ(events[1].kind, Kind::command);
}

TEST(Pn532FrameParser, EncodesExtendedFramesAndRefusesOversizedBodies) {
  const Bytes frame = sim::pn532_frame(sim::kPn532ChipToHost, Bytes(260, 0x11));
  ASSERT_EQ(frame.size(), 8u + 261u + 2u);
  EXPECT_EQ(frame[3], 0xFF);
  EXPECT_EQ(frame[4], 0xFF);
  EXPECT_EQ((frame[5] << 8) | frame[6], 261);
  EXPECT_EQ((frame[5] + frame[6] + frame[7]) & 0xFF, 0);
  EXPECT_EQ(error_of([] { sim::pn532_frame(sim::kPn532ChipToHost, Bytes(265, 0)); }),
            ErrorCode::limit_exceeded);
}

// The emulator on its pty, spoken to directly (no libnfc): what the chip answers to bad input.
class RawPort {
 public:
  explicit RawPort(const std::string& path) : fd_(open(path.c_str(), O_RDWR | O_NOCTTY)) {
    termios settings{};
    tcgetattr(fd_, &settings);
    cfmakeraw(&settings);
    tcsetattr(fd_, TCSANOW, &settings);
  }
  ~RawPort() { close(fd_); }
  RawPort(const RawPort&) = delete;
  RawPort& operator=(const RawPort&) = delete;
  bool ok() const { return fd_ >= 0; }

  void write_bytes(const Bytes& bytes) {
    ASSERT_EQ(write(fd_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  // Everything that arrives within `quiet` of silence.
  Bytes read_for(std::chrono::milliseconds quiet) {
    Bytes got;
    std::uint8_t buffer[512];
    for (;;) {
      pollfd waiting{fd_, POLLIN, 0};
      if (poll(&waiting, 1, static_cast<int>(quiet.count())) <= 0) return got;
      const ssize_t count = read(fd_, buffer, sizeof buffer);
      if (count <= 0) return got;
      got.insert(got.end(), buffer, buffer + count);
    }
  }

 private:
  int fd_;
};

Bytes concat_frames(std::initializer_list<Bytes> frames) {
  Bytes all;
  for (const Bytes& frame : frames) all.insert(all.end(), frame.begin(), frame.end());
  return all;
}

TEST(Pn532Emulator, IgnoresFramesWithBadChecksumsOrLengths) {
  Bench bench;
  RawPort port(bench.emulator.device_path());
  ASSERT_TRUE(port.ok());
  Bytes bad_lcs = host_frame(Bytes{0x02});
  bad_lcs[4] ^= 0x01;
  Bytes bad_dcs = host_frame(Bytes{0x02});
  bad_dcs[bad_dcs.size() - 2] ^= 0x01;
  const Bytes over_long = {0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x04, 0x00, 0xFC};
  for (const Bytes& frame : {bad_lcs, bad_dcs, over_long}) {
    port.write_bytes(frame);
    EXPECT_TRUE(port.read_for(150ms).empty()) << "a bad frame was answered";
  }
  EXPECT_EQ(bench.emulator.counters().rejected_frames, 3u);
  EXPECT_EQ(bench.emulator.counters().frames, 0u);
  // And it still answers a good one.
  port.write_bytes(host_frame(Bytes{0x02}));
  const Bytes expected = concat_frames(
      {sim::pn532_ack_frame(), sim::pn532_frame(sim::kPn532ChipToHost, Bytes{0x03, 0x32, 0x01, 0x06, 0x07})});
  EXPECT_EQ(port.read_for(150ms), expected);
}

TEST(Pn532Emulator, UnknownCommandsAndBadParametersGetTheErrorFrame) {
  Bench bench;
  RawPort port(bench.emulator.device_path());
  ASSERT_TRUE(port.ok());
  const Bytes ack_then_error = concat_frames({sim::pn532_ack_frame(), sim::pn532_error_frame()});
  // TgInitAsTarget: not emulated. ReadRegister with half an address. InListPassiveTarget for 3 targets.
  for (const Bytes& body :
       {Bytes{0x8C}, Bytes{0x06, 0x63}, Bytes{0x4A, 0x03, 0x00}, Bytes{0x32, 0x05, 0xFF}}) {
    port.write_bytes(host_frame(body));
    EXPECT_EQ(port.read_for(150ms), ack_then_error);
  }
  EXPECT_EQ(bench.emulator.counters().unknown_commands, 1u);
}

TEST(Pn532Emulator, NackRepeatsTheLastAnswer) {
  Bench bench;
  RawPort port(bench.emulator.device_path());
  ASSERT_TRUE(port.ok());
  port.write_bytes(host_frame(Bytes{0x02}));
  const Bytes answer = sim::pn532_frame(sim::kPn532ChipToHost, Bytes{0x03, 0x32, 0x01, 0x06, 0x07});
  EXPECT_EQ(port.read_for(150ms), concat_frames({sim::pn532_ack_frame(), answer}));
  port.write_bytes(sim::pn532_nack_frame());
  EXPECT_EQ(port.read_for(150ms), answer);
}

TEST(Pn532Emulator, AnAckAbortsASelectionWaitingForACard) {
  Bench bench;
  bench.emulator.remove_card();
  RawPort port(bench.emulator.device_path());
  ASSERT_TRUE(port.ok());
  // Unlimited passive activation retries, then a selection: no card, so no answer yet.
  port.write_bytes(host_frame(Bytes{0x32, 0x05, 0xFF, 0x01, 0xFF}));
  port.read_for(100ms);
  port.write_bytes(host_frame(Bytes{0x4A, 0x01, 0x00}));
  EXPECT_EQ(port.read_for(200ms), sim::pn532_ack_frame());
  port.write_bytes(sim::pn532_ack_frame());
  port.read_for(100ms);
  bench.emulator.insert_card();
  EXPECT_TRUE(port.read_for(200ms).empty()) << "an aborted selection was answered";
  EXPECT_EQ(bench.emulator.counters().aborted, 1u);
  // A selection waiting when the card comes is answered then.
  bench.emulator.remove_card();
  port.write_bytes(host_frame(Bytes{0x4A, 0x01, 0x00}));
  EXPECT_EQ(port.read_for(200ms), sim::pn532_ack_frame());
  bench.emulator.insert_card();
  const Bytes found = port.read_for(200ms);
  ASSERT_GT(found.size(), 8u);
  EXPECT_EQ(found[6], 0x4B);  // InListPassiveTarget + 1
  EXPECT_EQ(found[7], 0x01);  // one target
}

TEST(Pn532Emulator, DataExchangeWithoutAnActivatedTargetTimesOut) {
  Bench bench;
  RawPort port(bench.emulator.device_path());
  ASSERT_TRUE(port.ok());
  port.write_bytes(host_frame(Bytes{0x40, 0x01, 0x00, 0xA4, 0x00, 0x0C}));
  EXPECT_EQ(
      port.read_for(150ms),
      concat_frames({sim::pn532_ack_frame(), sim::pn532_frame(sim::kPn532ChipToHost, Bytes{0x41, 0x01})}));
  EXPECT_EQ(bench.emulator.counters().apdus, 0u);
}

}  // namespace
}  // namespace cccd
