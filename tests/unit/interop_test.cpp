// Chips that are not the CCCD, as the virtual card's interoperability switches play them
// (sim/card_folder.hpp CardSecrets, sim/foreign_chip.hpp): an EF.CardAccess with entries this library
// cannot use or did not know, SFIs resolved relative to the current DF, no SFIs under secure messaging,
// EF.ATR/INFO announcing extended length or a chip refusing it. Each is read and verified in process;
// tests/interop_pcsc_test.sh reads the same cards through pcscd + vpcd.
#include "lds/atr_info.hpp"
#include "lds/security_infos.hpp"
#include "reader/extended_length.hpp"
#include "reader/session.hpp"
#include "sim/foreign_chip.hpp"
#include "sim/generator.hpp"
#include "sim/virtual_card.hpp"
#include "sim/virtual_card_link.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"

#include <cccd/verify.hpp>

#include <gtest/gtest.h>

namespace cccd {
namespace {

using test::anchor_of;
using test::default_credentials;

// A link straight to the card without a reconnect (a caller's transport without one, or a reader whose
// card nobody reset): whatever an earlier session left selected is still selected. It carries extended
// APDUs of `max_response` bytes, as a PC/SC reader that does not report its buffer.
class PlainLink : public transport::RawChannel {
 public:
  explicit PlainLink(sim::VirtualCard& card, std::size_t max_response = 2048)
      : card_(card), max_response_(max_response) {}
  transport::ChannelCapabilities capabilities() const override {
    transport::ChannelCapabilities caps;
    caps.extended_length = true;
    caps.max_command_data = apdu::kMaxExtendedLc;
    caps.max_response_data = max_response_;
    return caps;
  }
  std::vector<Bytes> commands;
  int wrong_length_answers = 0;

 protected:
  Bytes exchange(ByteView command) override {
    commands.emplace_back(command.begin(), command.end());
    Bytes answer = card_.process(command);
    if (answer.size() == 2 && answer[0] == 0x67 && answer[1] == 0x00) ++wrong_length_answers;
    return answer;
  }

 private:
  sim::VirtualCard& card_;
  std::size_t max_response_;
};

void verified_read(const sim::CardData& data, const ChipDump& dump) {
  Verdict verdict = verify(dump, anchor_of(data));
  EXPECT_TRUE(verdict.verified) << verdict.access.detail << " / " << verdict.data_integrity.detail;
  EXPECT_EQ(dump.access_protocol, "PACE-GM");
}

// ---- EF.CardAccess with other chips' entries -------------------------------------------------------

TEST(Interop, CardAccessWithForeignEntriesStillOpensWithPace) {
  sim::CardData data = sim::generate_card(sim::GeneratorOptions{});
  data.files[FileId::card_access] = sim::card_access_with_foreign_entries(data.files.at(FileId::card_access));
  const lds::SecurityInfos infos = lds::parse_security_infos(data.files.at(FileId::card_access));
  // The standardized domain parameters are understood; the Restricted Identification entry and the
  // unusable PACEInfo are kept as unknown; the card's own PACEInfo is there.
  ASSERT_EQ(infos.chip_authentication_domain_parameters.size(), 1u);
  EXPECT_EQ(infos.chip_authentication_domain_parameters[0].parameters,
            lds::DomainParameters(lds::StandardizedDomainParameters{13}));
  EXPECT_EQ(infos.unknown.size(), 2u);
  EXPECT_FALSE(infos.pace.empty());

  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  ChipDump dump = reader::read_chip(channel, default_credentials(), ReadOptions{}, &channel);
  verified_read(data, dump);
  EXPECT_EQ(dump.file(FileId::card_access) ? *dump.file(FileId::card_access) : Bytes{},
            data.files.at(FileId::card_access));
  EXPECT_EQ(card.authentication_attempts(), 0);  // never BAC
}

// ---- SFIs relative to the current DF ----------------------------------------------------------------

TEST(Interop, SfiRelativeChipAnswers6A82ForCardAccessInsideTheApplication) {
  sim::CardData data = sim::generate_card(sim::GeneratorOptions{});
  data.secrets.sfi_relative_to_current_df = true;
  sim::VirtualCard card(data);
  auto send = [&](const std::string& hex) {
    return apdu::ResponseApdu::decode(card.process(from_hex(hex))).sw;
  };
  // EF.CardAccess is shorter than Le 256: its data come with 6282.
  EXPECT_EQ(send("00B09C0000"), apdu::sw::kEndOfFileBeforeLe);
  EXPECT_EQ(send("00A4040C07A0000002471001"), apdu::sw::kOk);
  EXPECT_EQ(send("00B09C0000"), apdu::sw::kFileNotFound);  // SFI 1C is not in the application
  EXPECT_EQ(send("00A4000C023F00"), apdu::sw::kOk);        // such a chip lets the MF be selected
  EXPECT_EQ(send("00B09C0000"), apdu::sw::kEndOfFileBeforeLe);
  // The CCCD profile serves SFI 1C whatever is selected and refuses the MF.
  sim::VirtualCard cccd(sim::generate_card(sim::GeneratorOptions{}));
  EXPECT_EQ(apdu::ResponseApdu::decode(cccd.process(from_hex("00A4040C07A0000002471001"))).sw, apdu::sw::kOk);
  EXPECT_EQ(apdu::ResponseApdu::decode(cccd.process(from_hex("00B09C0000"))).sw,
            apdu::sw::kEndOfFileBeforeLe);
  EXPECT_EQ(apdu::ResponseApdu::decode(cccd.process(from_hex("00A4000C023F00"))).sw,
            apdu::sw::kInsNotSupported);
}

TEST(Interop, SecondReadWithoutResetSelectsTheMfBeforeConcludingNoPace) {
  sim::CardData data = sim::generate_card(sim::GeneratorOptions{});
  data.secrets.sfi_relative_to_current_df = true;
  sim::VirtualCard card(data);
  PlainLink first(card);
  ChipDump dump = reader::read_chip(first, default_credentials(), ReadOptions{});
  verified_read(data, dump);
  // The same chip, still inside the eMRTD application, on a link that cannot reset it.
  PlainLink second(card);
  ChipDump again = reader::read_chip(second, default_credentials(), ReadOptions{});
  verified_read(data, again);
  EXPECT_EQ(card.authentication_attempts(), 0);  // no BAC: PACE was found
  const Bytes select_mf = from_hex("00A4000C023F00");
  EXPECT_EQ(std::count(second.commands.begin(), second.commands.end(), select_mf), 1);
  EXPECT_EQ(std::count(first.commands.begin(), first.commands.end(), select_mf), 0);
}

TEST(Interop, AReadStartsWithTheCardReset) {
  sim::CardData data = sim::generate_card(sim::GeneratorOptions{});
  data.secrets.sfi_relative_to_current_df = true;
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);  // its reconnect callback resets the card
  ChipDump first = reader::read_chip(channel, default_credentials(), ReadOptions{}, &channel);
  ChipDump second = reader::read_chip(channel, default_credentials(), ReadOptions{}, &channel);
  verified_read(data, second);
  EXPECT_EQ(second.stats.apdus, first.stats.apdus);  // the same read: nothing left over from the first
}

// ---- No short file identifiers under secure messaging ------------------------------------------------

TEST(Interop, ChipWithoutSfiUnderSecureMessagingIsReadBySelect) {
  const sim::CardData plain = sim::generate_card(sim::GeneratorOptions{});
  sim::VirtualCard baseline_card(plain);
  sim::VirtualCardChannel baseline_channel(baseline_card);
  const ChipDump baseline = reader::read_chip(baseline_channel, default_credentials(), ReadOptions{});
  for (std::uint16_t refusal : {0x6A82, 0x6A86, 0x6D00}) {
    SCOPED_TRACE(refusal);
    sim::CardData data = plain;
    data.secrets.sfi_refused_under_secure_messaging = refusal;
    sim::VirtualCard card(data);
    sim::VirtualCardChannel channel(card);
    ChipDump dump = reader::read_chip(channel, default_credentials(), ReadOptions{});
    verified_read(data, dump);
    EXPECT_EQ(dump.files, baseline.files);
    EXPECT_EQ(dump.denied, baseline.denied);
    EXPECT_TRUE(dump.absent.empty());
    // One refused SFI read, then every file of the session by SELECT: one SELECT more per file.
    const std::size_t files = dump.files.size() - 1 + dump.denied.size() + dump.absent.size();
    EXPECT_EQ(dump.stats.apdus, baseline.stats.apdus + files + 1);
  }
}

// ---- Extended length as the chip says it --------------------------------------------------------------

TEST(Interop, AtrInfoParsesExtendedLengthInfo) {
  const auto info = lds::parse_atr_info(from_hex("47038021407F660802020804020208020000"));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->max_command_apdu, 0x0804u);
  EXPECT_EQ(info->max_response_apdu, 0x0802u);
  EXPECT_FALSE(lds::parse_atr_info(from_hex("4703802100")).has_value());
  EXPECT_FALSE(lds::parse_atr_info({}).has_value());
  EXPECT_THROW(lds::parse_atr_info(from_hex("7F660402020804")), Error);              // one INTEGER only
  EXPECT_THROW(lds::parse_atr_info(from_hex("7F6606020208040400")), Error);          // not an INTEGER
  EXPECT_THROW(lds::parse_atr_info(from_hex("7F660A02020804020580000000")), Error);  // 5 bytes
  EXPECT_THROW(lds::parse_atr_info(from_hex("470980")), Error);                      // runs past the end
}

TEST(Interop, WhatTheChipSaysBoundsTheLink) {
  transport::ChannelCapabilities link;
  link.extended_length = true;
  link.max_command_data = 65535;
  link.max_response_data = 65536;
  reader::ChipExtendedLength chip;
  EXPECT_EQ(chip.apply(link).max_response_data, 65536u);
  chip.supported(lds::ExtendedLengthInfo{1033, 1026});
  EXPECT_TRUE(chip.apply(link).extended_length);
  EXPECT_EQ(chip.apply(link).max_command_data, 1024u);
  EXPECT_EQ(chip.apply(link).max_response_data, 1024u);
  chip.supported(lds::ExtendedLengthInfo{200, 100});  // less than short APDUs: short ones
  EXPECT_FALSE(chip.apply(link).extended_length);
  chip.refused();
  EXPECT_FALSE(chip.apply(link).extended_length);
  EXPECT_EQ(chip.apply(link).max_response_data, 256u);
}

TEST(Interop, AnnouncedOrProbedExtendedLengthReadsTheSame) {
  for (bool announced : {false, true}) {
    SCOPED_TRACE(announced);
    sim::CardData data = sim::generate_card(sim::GeneratorOptions{});
    data.secrets.atr_info = announced;
    sim::VirtualCard card(data);
    sim::VirtualCardChannel in_process(card);
    const ChipDump reference =
        reader::read_chip(in_process, default_credentials(), ReadOptions{}, &in_process);
    verified_read(data, reference);
    // A link that says nothing of its sizes beyond a reader's buffer: the same APDUs.
    sim::VirtualCard again(data);
    PlainLink link(again, 2048);
    const ChipDump dump = reader::read_chip(link, default_credentials(), ReadOptions{});
    verified_read(data, dump);
    EXPECT_EQ(dump.stats.apdus, reference.stats.apdus);
    EXPECT_EQ(link.wrong_length_answers, 0);
    // The first command asks EF.ATR/INFO with an extended Le.
    ASSERT_FALSE(link.commands.empty());
    EXPECT_EQ(to_hex(ByteView(link.commands[0]).first(4)), "00B08100");
    EXPECT_EQ(link.commands[0].size(), 7u);
  }
}

TEST(Interop, ACallerAskingForShortApdusGetsNoExtendedOneAndNoQuestion) {
  sim::CardData data = sim::generate_card(sim::GeneratorOptions{});
  data.secrets.atr_info = true;
  sim::VirtualCard card(data);
  PlainLink link(card, 2048);
  ReadOptions short_only;
  short_only.extended_length = false;
  const ChipDump dump = reader::read_chip(link, default_credentials(), short_only);
  verified_read(data, dump);
  for (const Bytes& command : link.commands) {
    bool extended = false;
    apdu::CommandApdu::decode(command, &extended);
    EXPECT_FALSE(extended) << to_hex(command);
    EXPECT_NE(to_hex(ByteView(command).first(4)), "00B08100");  // EF.ATR/INFO is not read
  }
}

TEST(Interop, AnnouncedSizesAreRespectedOnALinkThatCarriesMore) {
  sim::CardData data = sim::generate_card(sim::GeneratorOptions{});
  data.secrets.atr_info = true;
  data.secrets.max_response_data = 1024;
  sim::VirtualCard card(data);
  PlainLink link(card, 65536);  // the reader would carry 64 KiB; the chip says 1024 + 2
  const ChipDump dump = reader::read_chip(link, default_credentials(), ReadOptions{});
  verified_read(data, dump);
  EXPECT_EQ(link.wrong_length_answers, 0);
  EXPECT_EQ(card.pace_failures(), 0);
}

TEST(Interop, ChipRefusingExtendedLengthIsReadShortAfterOneQuestion) {
  for (bool announced : {false, true}) {
    SCOPED_TRACE(announced);
    sim::CardData data = sim::generate_card(sim::GeneratorOptions{});
    data.secrets.atr_info = announced;
    // The short read for comparison: the caller asked for no extended length, so nothing is asked.
    sim::VirtualCard short_card(data);
    sim::VirtualCardChannel short_channel(short_card);
    ReadOptions short_only;
    short_only.extended_length = false;
    const ChipDump reference = reader::read_chip(short_channel, default_credentials(), short_only);

    data.secrets.extended_length = false;
    sim::VirtualCard card(data);
    PlainLink link(card, 2048);
    const ChipDump dump = reader::read_chip(link, default_credentials(), ReadOptions{});
    verified_read(data, dump);
    // One question (EF.ATR/INFO with an extended Le: the chip answers 6700), then short
    // APDUs only: no reopening, one APDU more than the short read.
    EXPECT_EQ(link.wrong_length_answers, 1);
    EXPECT_EQ(dump.stats.apdus, reference.stats.apdus + 1);
    for (std::size_t i = 1; i < link.commands.size(); ++i) {
      bool extended = false;
      apdu::CommandApdu::decode(link.commands[i], &extended);
      EXPECT_FALSE(extended) << i;
    }
  }
}

}  // namespace
}  // namespace cccd
