// Card sessions that survive the field: the card pulled away at the first, a middle and the last APDU of
// a read, with and without resuming; a read cancelled from another thread; a link or a card that refuses
// extended length. All through the real reader session against the virtual CCCD.
#include "reader/session.hpp"
#include "sim/generator.hpp"
#include "sim/virtual_card.hpp"
#include "sim/virtual_card_link.hpp"
#include "test_support.hpp"

#include <cccd/verify.hpp>

#include <gtest/gtest.h>

#include <thread>

namespace cccd {
namespace {

// What Chip Authentication costs again after the chip was opened anew: MSE:Set AT, GENERAL
// AUTHENTICATE and the READ of DG14 that confirms its keys (the default card has DG14).
constexpr std::uint64_t kChipAuthenticationAgain = 3;

using test::anchor_of;
using test::default_credentials;

using test::error_of;

struct Baseline {
  ChipDump dump;
  std::uint64_t exchanges = 0;
};

// The uninterrupted read every torn one is compared with.
Baseline uninterrupted(const sim::CardData& data, const ReadOptions& options = {}) {
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  Baseline baseline;
  baseline.dump = reader::read_chip(channel, default_credentials(), options, &channel);
  baseline.exchanges = channel.exchanges();
  return baseline;
}

class TornRead : public ::testing::TestWithParam<const char*> {};

std::uint64_t removal_index(const std::string& where, std::uint64_t exchanges) {
  if (where == "first") return 0;
  if (where == "middle") return exchanges / 2;
  return exchanges - 1;
}

TEST_P(TornRead, WithoutResumeEndsWithCardRemovedAndNoDump) {
  const sim::CardData& data = sim::default_card();
  const Baseline baseline = uninterrupted(data);
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  channel.remove_card_at({removal_index(GetParam(), baseline.exchanges)});
  EXPECT_EQ(error_of([&] { reader::read_chip(channel, default_credentials(), {}, &channel); }),
            ErrorCode::card_removed);
  EXPECT_FALSE(channel.card_present());
}

TEST_P(TornRead, WithResumeGivesTheSameDumpAndReadsNothingTwice) {
  const sim::CardData& data = sim::default_card();
  const Baseline baseline = uninterrupted(data);
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  channel.remove_card_at({removal_index(GetParam(), baseline.exchanges)});
  ReadOptions options;
  options.resume_after_removal = true;
  std::optional<LiveChipProof> proof;  // this test read the chip itself
  ChipDump dump = reader::read_chip(channel, default_credentials(), options, &channel, &proof);

  EXPECT_EQ(dump.files, baseline.dump.files);
  EXPECT_EQ(dump.access_protocol, baseline.dump.access_protocol);
  EXPECT_EQ(dump.denied, baseline.dump.denied);
  // Opening the chip again costs the access-control exchanges (EF.CardAccess, PACE, SELECT), at most
  // one SELECT of the file being read, and Chip Authentication again when DG14 was read (MSE:Set AT,
  // GENERAL AUTHENTICATE, DG14 read under its keys); re-reading any other file would cost more.
  const std::uint64_t reopen_cost = 10 + kChipAuthenticationAgain;
  EXPECT_LE(channel.exchanges(), baseline.exchanges + reopen_cost);
  // Bytes: the access control's, DG14's and Chip Authentication's again, and at most one Active
  // Authentication signature (RSA-2048, 256 bytes protected) when the card left during it.
  EXPECT_LE(dump.stats.bytes_received,
            baseline.dump.stats.bytes_received + 400 + data.files.at(FileId::dg14).size() + 64 + 320);
  Verdict verdict = verify(dump, anchor_of(data), {}, *proof);
  EXPECT_TRUE(verdict.verified) << verdict.data_integrity.detail << " / " << verdict.chip_authenticity.detail;
}

INSTANTIATE_TEST_SUITE_P(AtApdu, TornRead, ::testing::Values("first", "middle", "last"));

// Tearing over every exchange of a full read, on extended and on short APDUs: each tear alone gives a
// clean card_removed, and with resume the completed read equals the uninterrupted one byte for byte.
void tear_at_every_exchange(const sim::CardData& data, const ReadOptions& base) {
  const Baseline baseline = uninterrupted(data, base);
  ASSERT_GT(baseline.exchanges, 5u);
  for (std::uint64_t at = 0; at < baseline.exchanges; ++at) {
    SCOPED_TRACE("card pulled at exchange " + std::to_string(at));
    {
      sim::VirtualCard card(data);
      sim::VirtualCardChannel channel(card);
      channel.remove_card_at({at});
      EXPECT_EQ(error_of([&] { reader::read_chip(channel, default_credentials(), base, &channel); }),
                ErrorCode::card_removed);
    }
    sim::VirtualCard card(data);
    sim::VirtualCardChannel channel(card);
    channel.remove_card_at({at});
    ReadOptions resume = base;
    resume.resume_after_removal = true;
    const ChipDump dump = reader::read_chip(channel, default_credentials(), resume, &channel);
    EXPECT_EQ(dump.files, baseline.dump.files);
    EXPECT_EQ(dump.denied, baseline.dump.denied);
    EXPECT_EQ(dump.absent, baseline.dump.absent);
    EXPECT_EQ(dump.access_protocol, baseline.dump.access_protocol);
  }
}

TEST(Tearing, EveryExchangeOfAnExtendedLengthRead) {
  tear_at_every_exchange(sim::default_card(), {});
}

TEST(Tearing, EveryExchangeOfAShortApduRead) {
  ReadOptions options;
  options.extended_length = false;
  tear_at_every_exchange(sim::default_card(), options);
}

TEST(Tearing, EveryExchangeOfABacRead) {
  sim::GeneratorOptions generator;
  generator.no_card_access = true;
  tear_at_every_exchange(sim::generate_card(generator), {});
}

TEST(Resume, InTheMiddleOfTheLargestFileGoesOnFromItsOffset) {
  // The photo (DG2) is the largest file: read on short APDUs it takes dozens of READ BINARY, so a tear
  // well inside it leaves a piece beyond offset 255, which needs a SELECT and the offset in P1-P2.
  const sim::CardData& data = sim::default_card();
  ReadOptions options;
  options.extended_length = false;
  const Baseline baseline = uninterrupted(data, options);
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  channel.remove_card_at({baseline.exchanges - 20, baseline.exchanges - 5});
  options.resume_after_removal = true;
  ChipDump dump = reader::read_chip(channel, default_credentials(), options, &channel);
  EXPECT_EQ(dump.files, baseline.dump.files);
  EXPECT_LE(channel.exchanges(), baseline.exchanges + 2 * (10 + kChipAuthenticationAgain));
}

TEST(Resume, WithBac) {
  sim::GeneratorOptions generator;
  generator.no_card_access = true;
  const sim::CardData data = sim::generate_card(generator);
  const Baseline baseline = uninterrupted(data);
  ASSERT_EQ(baseline.dump.access_protocol, "BAC");
  for (std::uint64_t at : {std::uint64_t{0}, baseline.exchanges / 2, baseline.exchanges - 1}) {
    sim::VirtualCard card(data);
    sim::VirtualCardChannel channel(card);
    channel.remove_card_at({at});
    ReadOptions options;
    options.resume_after_removal = true;
    ChipDump dump = reader::read_chip(channel, default_credentials(), options, &channel);
    EXPECT_EQ(dump.files, baseline.dump.files) << "removed at " << at;
    EXPECT_EQ(dump.access_protocol, "BAC");
  }
}

TEST(Resume, GivesUpAfterTheBoundOfReopenings) {
  // A card that leaves again at every opening must not keep the reader busy forever.
  const sim::CardData& data = sim::default_card();
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  std::set<std::uint64_t> always;
  for (std::uint64_t i = 0; i < 200; ++i) always.insert(i);
  channel.remove_card_at(always);
  ReadOptions options;
  options.resume_after_removal = true;
  EXPECT_EQ(error_of([&] { reader::read_chip(channel, default_credentials(), options, &channel); }),
            ErrorCode::card_removed);
  EXPECT_EQ(channel.exchanges(), static_cast<std::uint64_t>(kMaxReopenings + 1));
}

TEST(Resume, WithoutALinkThatReconnectsTheRemovalIsFinal) {
  const sim::CardData& data = sim::default_card();
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  channel.remove_card_at({5});
  ReadOptions options;
  options.resume_after_removal = true;
  EXPECT_EQ(error_of([&] { reader::read_chip(channel, default_credentials(), options); }),
            ErrorCode::card_removed);
}

TEST(Cancel, FromAnotherThreadEndsTheReadBeforeItsNextApdu) {
  const sim::CardData& data = sim::default_card();
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  Cancellation cancellation;
  channel.set_cancellation(&cancellation);
  ReadOptions options;
  options.cancellation = &cancellation;
  // The progress callback runs on the reading thread; the cancel comes from another one while the
  // photo is being read, and the reading thread waits for it to have happened.
  bool asked = false;
  options.progress = [&](const ReadProgress& progress) {
    if (progress.file != FileId::dg2 || asked) return;
    asked = true;
    std::thread([&] { cancellation.cancel(); }).join();
  };
  EXPECT_EQ(error_of([&] { reader::read_chip(channel, default_credentials(), options, &channel); }),
            ErrorCode::cancelled);
  EXPECT_TRUE(asked);
  EXPECT_TRUE(cancellation.cancelled());
}

TEST(Cancel, BeforeTheReadSendsNothing) {
  sim::VirtualCard card(sim::default_card());
  sim::VirtualCardChannel channel(card);
  Cancellation cancellation;
  cancellation.cancel();
  channel.set_cancellation(&cancellation);
  EXPECT_EQ(error_of([&] { reader::read_chip(channel, default_credentials(), {}, &channel); }),
            ErrorCode::cancelled);
  EXPECT_EQ(channel.exchanges(), 0u);
}

// A link that says it carries extended APDUs over a card that answers 6700 to each of them (what a card
// announcing more than its buffer holds does), or a reader that fails to transmit them.
class ExtendedLengthLiar : public transport::RawChannel {
 public:
  enum class Refusal { card_answers_6700, reader_transmit_error };
  ExtendedLengthLiar(sim::VirtualCard& card, Refusal refusal) : card_(card), refusal_(refusal) {}
  transport::ChannelCapabilities capabilities() const override {
    transport::ChannelCapabilities caps;
    caps.extended_length = true;
    caps.max_command_data = apdu::kMaxExtendedLc;
    caps.max_response_data = 2048;
    return caps;
  }
  int refused = 0;

 protected:
  Bytes exchange(ByteView command) override {
    bool extended = false;
    apdu::CommandApdu::decode(command, &extended);
    if (extended) {
      ++refused;
      if (refusal_ == Refusal::reader_transmit_error) {
        throw Error(ErrorCode::transport, "the reader could not transmit the APDU");
      }
      return {0x67, 0x00};
    }
    return card_.process(command);
  }

 private:
  sim::VirtualCard& card_;
  Refusal refusal_;
};

TEST(ExtendedLength, RefusedByTheCardOpensTheChipAgainOnShortApdus) {
  sim::GeneratorOptions generator;
  sim::CardData data = sim::generate_card(generator);
  data.secrets.extended_length = false;  // the card itself takes short APDUs only
  sim::VirtualCard card(data);
  ExtendedLengthLiar channel(card, ExtendedLengthLiar::Refusal::card_answers_6700);
  ChipDump dump = reader::read_chip(channel, default_credentials(), {});
  Verdict verdict = verify(dump, anchor_of(data));
  EXPECT_TRUE(verdict.verified) << verdict.data_integrity.detail;
  // One refusal: the chip is opened again (a plain 6700 leaves the counters in doubt) and the rest of
  // the read stays on short APDUs.
  EXPECT_EQ(channel.refused, 1);
  EXPECT_EQ(card.pace_failures(), 0);
  EXPECT_EQ(dump.access_protocol, "PACE-GM");
}

TEST(ExtendedLength, ATransmitErrorOpensTheChipAgainOnShortApdus) {
  sim::GeneratorOptions generator;
  sim::CardData data = sim::generate_card(generator);
  data.secrets.extended_length = false;
  sim::VirtualCard card(data);
  ExtendedLengthLiar channel(card, ExtendedLengthLiar::Refusal::reader_transmit_error);
  ChipDump dump = reader::read_chip(channel, default_credentials(), {});
  Verdict verdict = verify(dump, anchor_of(data));
  EXPECT_TRUE(verdict.verified) << verdict.data_integrity.detail;
  EXPECT_EQ(channel.refused, 1);
}

TEST(SmallLink, ACardWhoseResponsesCarryLessThanAShortApduIsReadWhole) {
  sim::CardData data = sim::generate_card(sim::GeneratorOptions{});
  data.secrets.max_response_data = 200;  // extended length, but a buffer smaller than a short response
  const Baseline baseline = uninterrupted(data);
  EXPECT_TRUE(verify(baseline.dump, anchor_of(data)).verified);
  EXPECT_TRUE(baseline.dump.files.count(FileId::dg2));
}

}  // namespace
}  // namespace cccd
