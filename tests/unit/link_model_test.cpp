// The link model's arithmetic against values computed by hand from ISO/IEC 14443 (fc = 13.56 MHz), and
// the model applied to a read of the default virtual card.
#include "sim/link_model.hpp"

#include "reader/session.hpp"
#include "sim/generator.hpp"
#include "test_support.hpp"

#include <cccd/error.hpp>

#include <gtest/gtest.h>

#include <map>

namespace cccd {
namespace {

using sim::CommandKind;

sim::LinkParameters at(int kbps) {
  sim::LinkParameters params;
  params.bitrate_kbps = kbps;
  return params;
}

TEST(LinkModel, BitTimeIsTheEtuOfEachRate) {
  EXPECT_NEAR(sim::bit_time_us(106), 9.43953, 1e-5);  // 128 / 13.56
  EXPECT_NEAR(sim::bit_time_us(212), 4.71976, 1e-5);
  EXPECT_NEAR(sim::bit_time_us(424), 2.35988, 1e-5);
  EXPECT_NEAR(sim::bit_time_us(848), 1.17994, 1e-5);
  EXPECT_EQ(test::error_of([] { sim::bit_time_us(100); }), ErrorCode::invalid_argument);
  EXPECT_EQ(test::error_of([] { sim::bit_time_us(0); }), ErrorCode::invalid_argument);
}

TEST(LinkModel, TypeAFrameIsNineBitsAByteAndTwoForFraming) {
  // An R(ACK) (PCB + CRC_A): 3 * 9 + 2 = 29 etu.
  EXPECT_NEAR(sim::frame_air_us(3, at(106)), 29 * 128 / 13.56, 1e-6);
  EXPECT_NEAR(sim::frame_air_us(256, at(424)), 2306 * 32 / 13.56, 1e-6);
}

TEST(LinkModel, TypeBFrameIsTenBitsACharacterWithSofEofAndGuardTime) {
  sim::LinkParameters params = at(106);
  params.card_type = sim::CardType::b;
  EXPECT_NEAR(sim::frame_air_us(3, params), (12 + 30 + 10) * 128 / 13.56, 1e-6);
  params.type_b_egt_etu = 2;  // between the 3 characters: 2 guard times
  EXPECT_NEAR(sim::frame_air_us(3, params), (12 + 30 + 4 + 10) * 128 / 13.56, 1e-6);
}

TEST(LinkModel, BlocksChainWhenTheApduExceedsTheFrame) {
  sim::LinkParameters params = at(424);  // FSC = FSD = 256: 253 bytes of INF
  EXPECT_EQ(sim::i_block_overhead(params), 3u);
  EXPECT_EQ(sim::r_block_bytes(params), 3u);
  EXPECT_EQ(sim::blocks_for(0, 256, params), 1u);
  EXPECT_EQ(sim::blocks_for(253, 256, params), 1u);
  EXPECT_EQ(sim::blocks_for(254, 256, params), 2u);
  EXPECT_EQ(sim::blocks_for(2050, 256, params), 9u);
  params.cid = true;
  params.nad = true;
  EXPECT_EQ(sim::i_block_overhead(params), 5u);
  EXPECT_EQ(sim::r_block_bytes(params), 4u);  // no NAD in R-blocks
  EXPECT_EQ(sim::blocks_for(251, 256, params), 1u);
  EXPECT_EQ(sim::blocks_for(252, 256, params), 2u);
  EXPECT_EQ(test::error_of([&] { sim::blocks_for(10, 5, params); }), ErrorCode::invalid_argument);
}

TEST(LinkModel, OneFrameEachWay) {
  // A short protected READ BINARY (19 bytes) and its 242-byte answer at 424 kbit/s: frames of 22 and
  // 245 bytes = (200 + 2207) etu of 32/fc; one turnaround each side; 1 ms of reader; 3 ms of chip.
  sim::ExchangeTime time = sim::modelled_exchange_time(19, 242, at(424), 3000.0);
  EXPECT_EQ(time.command_blocks, 1u);
  EXPECT_EQ(time.response_blocks, 1u);
  EXPECT_NEAR(time.air_us, 2407 * 32 / 13.56, 1e-6);
  EXPECT_NEAR(time.turnaround_us, 2 * 1172 / 13.56, 1e-6);
  EXPECT_DOUBLE_EQ(time.processing_us, 3000.0);
  EXPECT_DOUBLE_EQ(time.reader_us, 1000.0);
  EXPECT_NEAR(time.total_us(), (2407 * 32 + 2 * 1172) / 13.56 + 4000, 1e-6);
}

TEST(LinkModel, ChainedResponseCostsAcksAndTurnarounds) {
  // 600 response bytes at 106 kbit/s: blocks of 253 + 253 + 94 INF (256, 256, 97 bytes), two R(ACK)s
  // from the reader; the 23-byte command in one 26-byte block. 236 + 2306 + 2306 + 875 + 2 * 29 etu.
  sim::LinkParameters params = at(106);
  params.reader_overhead_us = 0;
  sim::ExchangeTime time = sim::modelled_exchange_time(23, 600, params, 0.0);
  EXPECT_EQ(time.command_blocks, 1u);
  EXPECT_EQ(time.response_blocks, 3u);
  EXPECT_NEAR(time.air_us, 5781 * 128 / 13.56, 1e-6);
  EXPECT_NEAR(time.turnaround_us, 3 * 2 * 1172 / 13.56, 1e-6);  // 3 frames each way
  EXPECT_NEAR(time.total_us(), (5781 * 128 + 6 * 1172) / 13.56, 1e-6);
}

TEST(LinkModel, ChainedCommandWithALargerCardFrame) {
  // A 600-byte command to a card with FSC 512 (509 INF): 2 blocks and one R(ACK) from the card; the
  // 2-byte answer in one 5-byte block. At 848 kbit/s: (9*512+2) + (9*94+2) + 29 + (9*5+2) etu.
  sim::LinkParameters params = at(848);
  params.fsc = 512;
  params.reader_overhead_us = 0;
  sim::ExchangeTime time = sim::modelled_exchange_time(600, 2, params, 0.0);
  EXPECT_EQ(time.command_blocks, 2u);
  EXPECT_EQ(time.response_blocks, 1u);
  EXPECT_NEAR(time.air_us, (4610 + 848 + 29 + 47) * 16 / 13.56, 1e-6);
}

TEST(LinkModel, ProcessingTimeFollowsTheCommandKind) {
  sim::ChipProcessing chip;
  EXPECT_DOUBLE_EQ(chip.of(CommandKind::read_binary, 1000),
                   chip.read_binary_us + 1000 * chip.per_response_byte_us);
  EXPECT_DOUBLE_EQ(chip.of(CommandKind::pace_map, 1000), chip.pace_map_us);
  sim::ExchangeTime time = sim::modelled_exchange_time(75, 71, at(424), CommandKind::pace_key_agreement);
  EXPECT_DOUBLE_EQ(time.processing_us, chip.pace_key_agreement_us);
}

TEST(LinkModel, ClassifiesCommands) {
  EXPECT_EQ(sim::classify_command(Bytes{0x00, 0xB0, 0x9C, 0x00, 0x00}), CommandKind::read_binary);
  EXPECT_EQ(sim::classify_command(Bytes{0x0C, 0xB1, 0x00, 0x00, 0x01, 0x00}), CommandKind::read_binary);
  EXPECT_EQ(sim::classify_command(Bytes{0x0C, 0xA4, 0x04, 0x0C, 0x00}), CommandKind::select);
  EXPECT_EQ(sim::classify_command(Bytes{0x00, 0x22, 0xC1, 0xA4, 0x00}), CommandKind::mse);
  EXPECT_EQ(sim::classify_command(Bytes{0x10, 0x86, 0x00, 0x00, 0x02, 0x7C, 0x00, 0x00}),
            CommandKind::pace_nonce);
  EXPECT_EQ(sim::classify_command(Bytes{0x10, 0x86, 0x00, 0x00, 0x04, 0x7C, 0x02, 0x81, 0x00, 0x00}),
            CommandKind::pace_map);
  EXPECT_EQ(sim::classify_command(Bytes{0x10, 0x86, 0x00, 0x00, 0x04, 0x7C, 0x02, 0x83, 0x00, 0x00}),
            CommandKind::pace_key_agreement);
  EXPECT_EQ(sim::classify_command(Bytes{0x00, 0x86, 0x00, 0x00, 0x04, 0x7C, 0x02, 0x85, 0x00, 0x00}),
            CommandKind::pace_mutual_auth);
  EXPECT_EQ(sim::classify_command(Bytes{0x0C, 0x86, 0x00, 0x00, 0x04, 0x87, 0x02, 0x01, 0x00, 0x00}),
            CommandKind::chip_authentication);
  EXPECT_EQ(sim::classify_command(Bytes{0x00, 0x88, 0x00, 0x00, 0x08}), CommandKind::internal_authenticate);
  EXPECT_EQ(sim::classify_command(Bytes{0x00, 0x84, 0x00, 0x00, 0x08}), CommandKind::get_challenge);
  EXPECT_EQ(sim::classify_command(Bytes{0x00, 0x82, 0x00, 0x00, 0x00}), CommandKind::external_authenticate);
  EXPECT_EQ(sim::classify_command(Bytes{0x00, 0xC0, 0x00, 0x00, 0x00}), CommandKind::get_response);
  // Undecodable, too short, no 7C, an unknown object, an unknown INS: other.
  EXPECT_EQ(sim::classify_command(Bytes{0x00, 0x86, 0x00}), CommandKind::other);
  EXPECT_EQ(sim::classify_command(Bytes{0x00, 0x86, 0x00, 0x00, 0x05, 0x7C}), CommandKind::other);
  EXPECT_EQ(sim::classify_command(Bytes{0x00, 0x86, 0x00, 0x00, 0x02, 0x01, 0x00}), CommandKind::other);
  EXPECT_EQ(sim::classify_command(Bytes{0x00, 0x86, 0x00, 0x00, 0x04, 0x7C, 0x02, 0x99, 0x00}),
            CommandKind::other);
  EXPECT_EQ(sim::classify_command(Bytes{0x00, 0xCA, 0x00, 0x00, 0x00}), CommandKind::other);
}

TEST(LinkModel, SecureMessagingSizes) {
  // AES: a short response (256) carries 223 plaintext bytes (cryptogram 224: 87 81 E1 01 ... = 228,
  // + 99 02 90 00 + 8E 08 MAC = 242); the default card's 2048-byte body 2015; 3DES short 231.
  EXPECT_EQ(sim::max_plain_per_response(256, 16), 223u);
  EXPECT_EQ(sim::max_plain_per_response(2048, 16), 2015u);
  EXPECT_EQ(sim::max_plain_per_response(256, 8), 231u);
  EXPECT_EQ(sim::max_plain_per_response(20, 16), 0u);
  EXPECT_EQ(sim::protected_response_bytes(223, 16), 244u);  // with the status word
  EXPECT_EQ(sim::protected_response_bytes(0, 16), 16u);
  EXPECT_EQ(sim::protected_read_command_bytes(223, false, 16), 19u);  // 4 + Lc + 97 01 xx + 8E 08 .. + Le
  EXPECT_EQ(sim::protected_read_command_bytes(2015, true, 16),
            23u);  // 4 + 00 Lc Lc + 97 02 xx xx + MAC + Le Le
  EXPECT_EQ(sim::protected_read_command_bytes(2015, true, 16, 2), 41u);  // + 85 10 <16>: the offset DO'54'
}

struct ModelledRead {
  ChipDump dump;
  std::vector<sim::ExchangeRecord> records;
  double modelled_us = 0;
};

ModelledRead read_default_card(int kbps, bool extended) {
  sim::VirtualCard card(sim::default_card());
  sim::ModelledLinkChannel channel(card, at(kbps));
  ReadOptions options;
  options.extended_length = extended;
  ModelledRead read;
  read.dump = reader::read_chip(channel, Credentials::from_can(sim::default_card().secrets.can), options);
  read.records = channel.records();
  read.modelled_us = channel.modelled_us();
  EXPECT_EQ(read.records.size(), read.dump.stats.apdus);
  return read;
}

TEST(ModelledLinkChannel, RecordsEveryExchangeOfARead) {
  ModelledRead read = read_default_card(424, true);
  std::map<CommandKind, int> kinds;
  double sum = 0;
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  for (const sim::ExchangeRecord& record : read.records) {
    ++kinds[record.kind];
    sum += record.time.total_us();
    sent += record.command_bytes;
    received += record.response_bytes;
  }
  EXPECT_NEAR(sum, read.modelled_us, 1e-6);
  EXPECT_EQ(sent, read.dump.stats.bytes_sent);
  EXPECT_EQ(received, read.dump.stats.bytes_received);
  // PACE-GM: MSE:Set AT and one of each General Authenticate step; the default card's Chip
  // Authentication adds its own MSE:Set AT.
  EXPECT_EQ(kinds[CommandKind::mse], 2);
  EXPECT_EQ(kinds[CommandKind::pace_nonce], 1);
  EXPECT_EQ(kinds[CommandKind::pace_map], 1);
  EXPECT_EQ(kinds[CommandKind::pace_key_agreement], 1);
  EXPECT_EQ(kinds[CommandKind::pace_mutual_auth], 1);
  EXPECT_GE(kinds[CommandKind::read_binary], 5);
}

TEST(ModelledLinkChannel, KeepsTheTearingSwitch) {
  // The card leaves the field at the fourth exchange and comes back: the read resumes through the
  // same channel, and the torn exchange (its answer lost) has no record.
  sim::VirtualCard card(sim::default_card());
  sim::ModelledLinkChannel channel(card, at(424));
  channel.remove_card_at({3});
  ReadOptions options;
  options.resume_after_removal = true;
  ChipDump dump =
      reader::read_chip(channel, Credentials::from_can(sim::default_card().secrets.can), options, &channel);
  EXPECT_EQ(dump.files.count(FileId::dg2), 1u);
  EXPECT_FALSE(channel.records().empty());
  EXPECT_EQ(channel.records().size() + 1, channel.exchanges());
}

TEST(ReadBound, IsBelowTheReadAndMatchesItsExchangeSizes) {
  for (bool extended : {true, false}) {
    ModelledRead read = read_default_card(424, extended);
    const std::size_t response = extended ? sim::default_card().secrets.max_response_data : 256;
    sim::ReadBound bound = sim::read_bound(read.dump, read.records, {response, extended, 16}, at(424));
    EXPECT_LE(bound.modelled_us, read.modelled_us);
    EXPECT_LE(bound.exchanges.size(), read.records.size());
    // Every file's bytes are carried: the plaintext the bound's protected READs bring is the files'.
    std::size_t file_bytes = 0;
    for (const auto& [file, content] : read.dump.files) {
      if (file != FileId::com && file != FileId::card_access) file_bytes += content.size();
    }
    const std::size_t per_read = sim::max_plain_per_response(response, 16);
    std::size_t reads = 0;
    for (const sim::ExchangeRecord& record : bound.exchanges)
      reads += record.kind == CommandKind::read_binary && record.secure_messaging ? 1 : 0;
    EXPECT_GE(reads * per_read, file_bytes);
    // The protected SELECT after PACE has the size the library's has (both are fixed by the protocol).
    std::size_t library_select = 0;
    std::size_t bound_select = 0;
    for (const sim::ExchangeRecord& record : read.records)
      if (record.kind == CommandKind::select && record.secure_messaging)
        library_select = record.command_bytes;
    for (const sim::ExchangeRecord& record : bound.exchanges)
      if (record.kind == CommandKind::select) bound_select = record.command_bytes;
    EXPECT_EQ(bound_select, library_select);
  }
}

TEST(ReadBound, RefusesAResponseSizeWithoutRoomForData) {
  ModelledRead read = read_default_card(424, true);
  EXPECT_EQ(test::error_of([&] {
              sim::read_bound(read.dump, read.records, {16, false, 16}, at(424));
            }),
            ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace cccd
