// Chip Authentication: the terminal (access/chip_authentication) against the chip's side
// (sim/chip_authentication_chip) for every command form, group and cipher; the choice of key in DG14;
// full reads of generated cards through the reader session and the verdict, a cloned chip included.
#include "access/chip_authentication.hpp"
#include "asn1/der.hpp"
#include "reader/session.hpp"
#include "sim/chip_authentication_chip.hpp"
#include "sim/clone_card.hpp"
#include "sim/generator.hpp"
#include "sim/virtual_card.hpp"
#include "sim/virtual_card_link.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"

#include <cccd/verify.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace cccd {
namespace {

using test::anchor_of;

using access::ChipAuthenticationCommand;
using crypto::CipherKind;
using test::error_of;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A plain link straight to the chip's Chip Authentication (the protocol alone, without secure messaging).
class ChipLoopback : public transport::Channel {
 public:
  explicit ChipLoopback(sim::ChipAuthenticationChip& chip) : chip_(chip) {}
  apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
    commands.push_back(command);
    if (command.ins == access::kInsMseSetAt) return chip_.manage_security_environment(command);
    if (command.ins == access::kInsGeneralAuthenticate) return chip_.general_authenticate(command);
    return {{}, apdu::sw::kInsNotSupported};
  }
  transport::ChannelCapabilities capabilities() const override {
    return {true, apdu::kMaxShortLc, apdu::kMaxShortLe, apdu::kMaxExtendedLc, 4096};
  }
  transport::TransferStats stats() const override { return {}; }
  std::vector<apdu::CommandApdu> commands;

 private:
  sim::ChipAuthenticationChip& chip_;
};

sim::ChipAuthenticationKey make_key(int parameter_id, CipherKind cipher, std::uint64_t version = 2,
                                    std::optional<std::uint64_t> key_id = std::nullopt,
                                    std::uint64_t seed = 3) {
  return sim::build_chip_authentication(sim::ChipAuthenticationOffer{parameter_id, cipher, version, key_id},
                                        seed);
}

std::vector<sim::ChipAuthenticationPrivateKey> private_keys(const sim::ChipAuthenticationKey& key) {
  std::vector<sim::ChipAuthenticationPrivateKey> keys;
  keys.push_back({std::nullopt, key.private_key});
  return keys;
}

void expect_same_keys(const sm::SessionKeys& terminal, const sm::SessionKeys& chip, CipherKind cipher) {
  EXPECT_EQ(terminal.cipher, cipher);
  EXPECT_EQ(chip.cipher, cipher);
  EXPECT_EQ(terminal.k_enc, chip.k_enc);
  EXPECT_EQ(terminal.k_mac, chip.k_mac);
  EXPECT_EQ(terminal.k_enc.size(), crypto::key_length(cipher));
  EXPECT_EQ(terminal.ssc, SecureBytes(crypto::block_length(cipher), 0));
  EXPECT_EQ(chip.ssc, terminal.ssc);
}

// ---- the protocol -------------------------------------------------------------------------------------

struct Group {
  int parameter_id;
  const char* label;
};

TEST(ChipAuthenticationProtocol, BothCommandFormsAgreeOnEveryGroupAndCipher) {
  const Group groups[] = {
      {13, "brainpoolP256r1"}, {12, "NIST P-256"}, {0, "DH 1024/160"}, {2, "DH 2048/256"}};
  for (const Group& group : groups) {
    for (CipherKind cipher : {CipherKind::tdes, CipherKind::aes128, CipherKind::aes192, CipherKind::aes256}) {
      const sim::ChipAuthenticationKey key = make_key(group.parameter_id, cipher);
      const lds::SecurityInfos dg14 = lds::parse_security_infos(key.dg14);
      std::optional<access::ChipAuthenticationChoice> choice = access::choose_chip_authentication(dg14);
      ASSERT_TRUE(choice);
      // ICAO: MSE:Set KAT for 3DES, General Authenticate for AES.
      EXPECT_EQ(choice->command, cipher == CipherKind::tdes
                                     ? ChipAuthenticationCommand::set_key_agreement_template
                                     : ChipAuthenticationCommand::general_authenticate);
      for (ChipAuthenticationCommand command : {ChipAuthenticationCommand::set_key_agreement_template,
                                                ChipAuthenticationCommand::general_authenticate}) {
        SCOPED_TRACE(std::string(group.label) + " " + std::string(crypto::cipher_name(cipher)) +
                     (command == ChipAuthenticationCommand::general_authenticate ? " GA" : " KAT"));
        choice->command = command;
        sim::ChipAuthenticationChip chip(dg14, private_keys(key));
        ChipLoopback link(chip);
        sm::SessionKeys terminal = access::perform_chip_authentication(link, *choice);
        std::optional<sm::SessionKeys> on_chip = chip.take_session();
        ASSERT_TRUE(on_chip);
        expect_same_keys(terminal, *on_chip, cipher);

        if (command == ChipAuthenticationCommand::set_key_agreement_template) {
          ASSERT_EQ(link.commands.size(), 1u);
          EXPECT_EQ(link.commands[0].p1, 0x41);
          EXPECT_EQ(link.commands[0].p2, 0xA6);
          EXPECT_EQ(link.commands[0].data[0], 0x91);
        } else {
          ASSERT_EQ(link.commands.size(), 2u);
          EXPECT_EQ(link.commands[0].p2, 0xA4);
          // 80 <id-CA-...> names the protocol with its cipher.
          const Bytes oid = access::oid_content(lds::chip_authentication_oid(choice->info.agreement, cipher));
          EXPECT_EQ(link.commands[0].data, asn1::tlv(0x80, oid));
          EXPECT_EQ(link.commands[1].ins, 0x86);
          EXPECT_EQ(link.commands[1].data[0], 0x7C);
        }
      }
    }
  }
}

TEST(ChipAuthenticationProtocol, TheDescriptionSaysWhatRan) {
  const sim::ChipAuthenticationKey key = make_key(13, CipherKind::aes128, 1, 7);
  std::optional<access::ChipAuthenticationChoice> choice =
      access::choose_chip_authentication(lds::parse_security_infos(key.dg14));
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->description(), "CA v1 ECDH-256 AES-128 GA keyId 7");
  const sim::ChipAuthenticationKey dh = make_key(2, CipherKind::tdes, 2);
  choice = access::choose_chip_authentication(lds::parse_security_infos(dh.dg14));
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->description(), "CA v2 DH-2048 3DES KAT");
}

// A DG14 with two keys: keyId 1 (brainpoolP256r1, AES-128) and keyId 2 (NIST P-256, AES-256).
struct TwoKeys {
  sim::ChipAuthenticationKey first = make_key(13, CipherKind::aes128, 2, 1, 11);
  sim::ChipAuthenticationKey second = make_key(12, CipherKind::aes256, 2, 2, 12);
  lds::SecurityInfos dg14() const {
    lds::SecurityInfos a = lds::parse_security_infos(first.dg14);
    lds::SecurityInfos b = lds::parse_security_infos(second.dg14);
    a.chip_authentication.insert(a.chip_authentication.end(), b.chip_authentication.begin(),
                                 b.chip_authentication.end());
    a.chip_authentication_public_keys.insert(a.chip_authentication_public_keys.end(),
                                             b.chip_authentication_public_keys.begin(),
                                             b.chip_authentication_public_keys.end());
    return lds::parse_security_infos(asn1::tlv(0x6E, lds::encode_security_infos(a)));
  }
};

TEST(ChipAuthenticationProtocol, TheKeyIdentifierSelectsTheKey) {
  TwoKeys two;
  const lds::SecurityInfos dg14 = two.dg14();
  std::optional<access::ChipAuthenticationChoice> choice = access::choose_chip_authentication(dg14);
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->key_id, std::optional<std::uint64_t>(2));  // the stronger cipher
  EXPECT_EQ(choice->info.cipher, CipherKind::aes256);
  EXPECT_EQ(choice->domain.parameter_id(), std::optional<int>(12));

  std::vector<sim::ChipAuthenticationPrivateKey> keys;
  keys.push_back({1, two.first.private_key});
  keys.push_back({2, two.second.private_key});
  sim::ChipAuthenticationChip chip(dg14, keys);
  ChipLoopback link(chip);
  sm::SessionKeys terminal = access::perform_chip_authentication(link, *choice);
  std::optional<sm::SessionKeys> on_chip = chip.take_session();
  ASSERT_TRUE(on_chip);
  expect_same_keys(terminal, *on_chip, CipherKind::aes256);
  // MSE:Set AT carries 84 02.
  const Bytes& set_at = link.commands.at(0).data;
  EXPECT_EQ(Bytes(set_at.end() - 3, set_at.end()), (Bytes{0x84, 0x01, 0x02}));

  // A chip that used the other key would agree on other keys.
  std::vector<sim::ChipAuthenticationPrivateKey> swapped;
  swapped.push_back({1, two.second.private_key});
  swapped.push_back({2, two.first.private_key});
  sim::ChipAuthenticationChip wrong_chip(dg14, swapped);
  ChipLoopback wrong_link(wrong_chip);
  // keyId 2's group is P-256; the first key's scalar is a valid P-256 scalar too, so the chip agrees.
  sm::SessionKeys again = access::perform_chip_authentication(wrong_link, *choice);
  std::optional<sm::SessionKeys> wrong = wrong_chip.take_session();
  ASSERT_TRUE(wrong);
  EXPECT_NE(again.k_mac, wrong->k_mac);

  // The chip does not know a key identifier DG14 does not have.
  access::ChipAuthenticationChoice unknown = *choice;
  unknown.key_id = 9;
  ChipLoopback third(chip);
  EXPECT_EQ(error_of([&] { access::perform_chip_authentication(third, unknown); }), ErrorCode::card_error);
}

TEST(ChipAuthenticationChoice, WithoutChipAuthenticationInfoTheKeyImpliesThreeDesKat) {
  const sim::ChipAuthenticationKey key = make_key(13, CipherKind::aes128);
  lds::SecurityInfos dg14 = lds::parse_security_infos(key.dg14);
  dg14.chip_authentication.clear();
  std::optional<access::ChipAuthenticationChoice> choice = access::choose_chip_authentication(dg14);
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->info.cipher, CipherKind::tdes);
  EXPECT_EQ(choice->info.version, 1u);
  EXPECT_EQ(choice->command, ChipAuthenticationCommand::set_key_agreement_template);
  sim::ChipAuthenticationChip chip(dg14, private_keys(key));
  ChipLoopback link(chip);
  sm::SessionKeys terminal = access::perform_chip_authentication(link, *choice);
  std::optional<sm::SessionKeys> on_chip = chip.take_session();
  ASSERT_TRUE(on_chip);
  expect_same_keys(terminal, *on_chip, CipherKind::tdes);
}

TEST(ChipAuthenticationChoice, AKeyIdentifierOnTheProtocolOnlyNamesTheSingleKey) {
  const sim::ChipAuthenticationKey key = make_key(13, CipherKind::aes128);
  lds::SecurityInfos dg14 = lds::parse_security_infos(key.dg14);
  dg14.chip_authentication.at(0).key_id = 5;
  std::optional<access::ChipAuthenticationChoice> choice = access::choose_chip_authentication(dg14);
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->key_id, std::optional<std::uint64_t>(5));
  sim::ChipAuthenticationChip chip(dg14, private_keys(key));
  ChipLoopback link(chip);
  sm::SessionKeys terminal = access::perform_chip_authentication(link, *choice);
  std::optional<sm::SessionKeys> on_chip = chip.take_session();
  ASSERT_TRUE(on_chip);
  expect_same_keys(terminal, *on_chip, CipherKind::aes128);
  // With two keys, neither of them keyId 5, there is nothing to pair it with.
  dg14.chip_authentication_public_keys.push_back(dg14.chip_authentication_public_keys.front());
  dg14.chip_authentication_public_keys.back().key_id = 6;
  EXPECT_EQ(error_of([&] { access::choose_chip_authentication(dg14); }), ErrorCode::malformed_data);
}

TEST(ChipAuthenticationChoice, NoKeyMeansNoChipAuthentication) {
  lds::SecurityInfos dg14 = lds::parse_security_infos(make_key(13, CipherKind::aes128).dg14);
  dg14.chip_authentication_public_keys.clear();
  EXPECT_FALSE(access::choose_chip_authentication(dg14));
}

// The SubjectPublicKeyInfo of an ECDH key on brainpoolP256r1 with `point` as its key.
lds::ChipAuthenticationPublicKeyInfo ec_key(ByteView point) {
  Bytes bits{0x00};
  append(bits, point);
  lds::ChipAuthenticationPublicKeyInfo key;
  key.agreement = lds::KeyAgreement::ecdh;
  key.subject_public_key_info = asn1::der_sequence(
      {lds::encode_domain_parameters(lds::EcNamedCurve{"1.3.36.3.3.2.8.1.1.7"}), asn1::tlv(0x03, bits)});
  return key;
}

// DG14 with one ChipAuthenticationInfo and `key`, parsed again as a reader would.
lds::SecurityInfos dg14_with(const lds::ChipAuthenticationPublicKeyInfo& key,
                             lds::KeyAgreement agreement = lds::KeyAgreement::ecdh) {
  lds::SecurityInfos infos;
  infos.chip_authentication_public_keys.push_back(key);
  infos.chip_authentication.push_back({agreement, CipherKind::aes128, 1, std::nullopt});
  return lds::parse_security_infos(asn1::tlv(0x6E, lds::encode_security_infos(infos)));
}

TEST(ChipAuthenticationChoice, MalformedKeysAreMalformedData) {
  const sim::ChipAuthenticationKey good = make_key(13, CipherKind::aes128);
  const Bytes point = lds::parse_security_infos(good.dg14).chip_authentication_public_keys.at(0).public_key;
  ASSERT_EQ(point.size(), 65u);
  EXPECT_TRUE(access::choose_chip_authentication(dg14_with(ec_key(point))));

  Bytes off_curve = point;
  off_curve.back() ^= 0x01;
  Bytes compressed(point.begin(), point.begin() + 33);
  compressed[0] = 0x02;
  Bytes truncated(point.begin(), point.end() - 1);
  Bytes infinity{0x00};
  for (const Bytes& bad : {off_curve, compressed, truncated, infinity}) {
    SCOPED_TRACE(to_hex(Bytes(bad.begin(), bad.begin() + 1)) + " " + std::to_string(bad.size()));
    lds::SecurityInfos dg14 = dg14_with(ec_key(bad));
    EXPECT_EQ(error_of([&] { access::choose_chip_authentication(dg14); }), ErrorCode::malformed_data);
  }

  // DH: the BIT STRING must hold a positive INTEGER no longer than p, valid in the group.
  const sim::ChipAuthenticationKey dh = make_key(0, CipherKind::aes128);
  lds::ChipAuthenticationPublicKeyInfo dh_key =
      lds::parse_security_infos(dh.dg14).chip_authentication_public_keys.at(0);
  const Bytes y = dh_key.public_key;
  auto with_value = [&](ByteView value) {
    lds::ChipAuthenticationPublicKeyInfo key = dh_key;
    Bytes bits{0x00};
    append(bits, value);
    asn1::Tlv spki = asn1::parse_one(key.subject_public_key_info, 0x30);
    asn1::TlvReader reader(spki.value);
    asn1::Tlv algorithm = reader.next();
    key.subject_public_key_info = asn1::der_sequence({algorithm.encoded, asn1::tlv(0x03, bits)});
    return dg14_with(key, lds::KeyAgreement::dh);
  };
  EXPECT_TRUE(access::choose_chip_authentication(with_value(y)));
  for (const Bytes& bad : {Bytes{0x04, 0x01, 0x02},                          // not an INTEGER
                           Bytes{0x02, 0x01, 0x80},                          // negative
                           Bytes{0x02, 0x01, 0x01},                          // 1: not in the subgroup
                           asn1::der_integer_unsigned(Bytes(200, 0xFF))}) {  // longer than p
    SCOPED_TRACE(to_hex(bad).substr(0, 8));
    lds::SecurityInfos dg14 = with_value(bad);
    EXPECT_EQ(error_of([&] { access::choose_chip_authentication(dg14); }), ErrorCode::malformed_data);
  }

  // A key without domain parameters and no ChipAuthenticationDomainParameterInfo.
  lds::ChipAuthenticationPublicKeyInfo bare;
  bare.agreement = lds::KeyAgreement::ecdh;
  Bytes bits{0x00};
  append(bits, point);
  bare.subject_public_key_info = asn1::der_sequence(
      {asn1::der_sequence({asn1::der_oid(lds::oid::kEcPublicKey)}), asn1::tlv(0x03, bits)});
  lds::SecurityInfos no_parameters = dg14_with(bare);
  EXPECT_EQ(error_of([&] { access::choose_chip_authentication(no_parameters); }), ErrorCode::malformed_data);
  // ... which a ChipAuthenticationDomainParameterInfo supplies.
  lds::ChipAuthenticationDomainParameterInfo domain_info;
  domain_info.agreement = lds::KeyAgreement::ecdh;
  domain_info.parameters.emplace<lds::EcNamedCurve>(lds::EcNamedCurve{"1.3.36.3.3.2.8.1.1.7"});
  no_parameters.chip_authentication_domain_parameters.push_back(std::move(domain_info));
  EXPECT_TRUE(access::choose_chip_authentication(no_parameters));
}

TEST(ChipAuthenticationChoice, AGroupThisLibraryLacksIsNotSupported) {
  lds::ChipAuthenticationPublicKeyInfo key;
  key.agreement = lds::KeyAgreement::ecdh;
  Bytes bits{0x00, 0x04};
  bits.resize(66, 0x01);
  key.subject_public_key_info =
      asn1::der_sequence({lds::encode_domain_parameters(lds::EcNamedCurve{"1.3.132.0.10"}),
                          asn1::tlv(0x03, bits)});  // secp256k1
  lds::SecurityInfos dg14 = dg14_with(key);
  EXPECT_EQ(error_of([&] { access::choose_chip_authentication(dg14); }), ErrorCode::not_supported);
}

TEST(ChipAuthenticationProtocol, RefusalsAndOddAnswersAreErrors) {
  const sim::ChipAuthenticationKey key = make_key(13, CipherKind::aes128);
  const lds::SecurityInfos dg14 = lds::parse_security_infos(key.dg14);
  std::optional<access::ChipAuthenticationChoice> choice = access::choose_chip_authentication(dg14);
  ASSERT_TRUE(choice);

  // A chip without the private key refuses.
  sim::ChipAuthenticationChip keyless(dg14, {});
  ChipLoopback link(keyless);
  try {
    access::perform_chip_authentication(link, *choice);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::card_error);
    EXPECT_TRUE(contains(e.what(), "GENERAL AUTHENTICATE")) << e.what();
  }

  // Answers of a scripted chip.
  struct Scripted : transport::Channel {
    std::vector<apdu::ResponseApdu> answers;
    std::size_t next = 0;
    apdu::ResponseApdu transmit(const apdu::CommandApdu&) override { return answers.at(next++); }
    transport::ChannelCapabilities capabilities() const override { return {}; }
    transport::TransferStats stats() const override { return {}; }
  };
  const Bytes empty_7c{0x7C, 0x00};
  const std::vector<std::pair<std::vector<apdu::ResponseApdu>, ErrorCode>> cases = {
      {{{{}, 0x6A80}}, ErrorCode::card_error},                                          // MSE:Set AT refused
      {{{{}, 0x9000}, {{}, 0x6985}}, ErrorCode::card_error},                            // GA refused
      {{{{}, 0x9000}, {{0x7C, 0x02, 0x81, 0x00}, 0x9000}}, ErrorCode::not_supported},   // TR-03110 CA2 nonce
      {{{{}, 0x9000}, {{0x7C, 0x02, 0x99, 0x00}, 0x9000}}, ErrorCode::malformed_data},  // unknown object
      {{{{}, 0x9000}, {{0x7D, 0x00}, 0x9000}}, ErrorCode::malformed_data},              // not 7C
      {{{{}, 0x9000}, {{0x7C, 0x05}, 0x9000}}, ErrorCode::malformed_data},              // truncated
  };
  for (const auto& [answers, code] : cases) {
    Scripted chip;
    chip.answers = answers;
    EXPECT_EQ(error_of([&] { access::perform_chip_authentication(chip, *choice); }), code);
  }
  Scripted fine;
  fine.answers = {{{}, 0x9000}, {empty_7c, 0x9000}};
  EXPECT_NO_THROW(access::perform_chip_authentication(fine, *choice));

  access::ChipAuthenticationChoice kat = *choice;
  kat.command = ChipAuthenticationCommand::set_key_agreement_template;
  Scripted kat_refused;
  kat_refused.answers = {{{}, 0x6A80}};
  EXPECT_EQ(error_of([&] { access::perform_chip_authentication(kat_refused, kat); }), ErrorCode::card_error);
}

TEST(ChipAuthenticationChip, RefusesWhatItCannotUse) {
  const sim::ChipAuthenticationKey key = make_key(13, CipherKind::aes128, 2, 1);
  sim::ChipAuthenticationChip chip(lds::parse_security_infos(key.dg14), private_keys(key));
  auto answer = [&](std::uint8_t ins, std::uint8_t p1, std::uint8_t p2, Bytes data) {
    return (ins == 0x22 ? chip.manage_security_environment({0x00, ins, p1, p2, std::move(data), 0})
                        : chip.general_authenticate({0x00, ins, p1, p2, std::move(data), 256}))
        .sw;
  };
  const Bytes oid =
      access::oid_content(lds::chip_authentication_oid(lds::KeyAgreement::ecdh, CipherKind::aes128));
  const Bytes other_oid =
      access::oid_content(lds::chip_authentication_oid(lds::KeyAgreement::ecdh, CipherKind::aes256));
  EXPECT_EQ(answer(0x86, 0, 0, {0x7C, 0x00}), 0x6985);                      // GA before MSE
  EXPECT_EQ(answer(0x22, 0x41, 0xB6, asn1::tlv(0x80, oid)), 0x6A86);        // wrong P2
  EXPECT_EQ(answer(0x22, 0x41, 0xA4, asn1::tlv(0x80, other_oid)), 0x6A80);  // not offered
  EXPECT_EQ(answer(0x22, 0x41, 0xA4, {0x80, 0x05, 0x01}), 0x6A80);          // broken TLV
  EXPECT_EQ(answer(0x22, 0x41, 0xA4, asn1::tlv(0x83, oid)), 0x6A80);        // wrong tag
  EXPECT_EQ(answer(0x22, 0x41, 0xA6, {0x84, 0x01, 0x01}), 0x6A80);          // KAT without a key
  EXPECT_EQ(answer(0x22, 0x41, 0xA6, concat({asn1::tlv(0x91, Bytes(65, 0x04)), Bytes{0x84, 0x01, 0x05}})),
            0x6A88);                                                              // unknown key reference
  EXPECT_EQ(answer(0x22, 0x41, 0xA6, asn1::tlv(0x91, Bytes(65, 0x04))), 0x6A80);  // not a point
  EXPECT_EQ(answer(0x22, 0x41, 0xA4, asn1::tlv(0x80, oid)), 0x9000);
  EXPECT_TRUE(chip.expects_general_authenticate());
  EXPECT_EQ(answer(0x86, 0, 0, {0x7C, 0x02, 0x81, 0x00}), 0x6A80);  // no ephemeral key
  EXPECT_FALSE(chip.expects_general_authenticate());                // the run is over
  EXPECT_FALSE(chip.take_session());
}

// ---- full reads ---------------------------------------------------------------------------------------

Credentials credentials() {
  return Credentials::from_id_number("001099012345", "1990-05-17", "2030-05-17");
}

sim::CardData card_with(const sim::ChipAuthenticationOffer& offer, std::uint64_t seed = 5) {
  sim::GeneratorOptions options;
  options.seed = seed;
  options.chip_authentication = offer;
  return sim::generate_card(options);
}

// Reads the card; `proof` receives what the session proved with the chip (for the live verdict).
ChipDump read(const sim::CardData& data, AccessMode access = AccessMode::automatic,
              std::optional<LiveChipProof>* proof = nullptr) {
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  ReadOptions options;
  options.access = access;
  return reader::read_chip(channel, credentials(), options, nullptr, proof);
}

void expect_everything_read(const ChipDump& dump) {
  for (FileId file : {FileId::com, FileId::sod, FileId::dg1, FileId::dg2, FileId::dg13, FileId::dg14})
    EXPECT_TRUE(dump.file(file)) << file_name(file);
}

TEST(ChipAuthenticationRead, GeneratedCardsWithV1AndV2AreAuthentic) {
  struct Case {
    sim::ChipAuthenticationOffer offer;
    AccessMode access;
    const char* expected;
  };
  const Case cases[] = {
      {sim::chip_authentication_offer_v1(), AccessMode::automatic, "CA v1 ECDH-256 3DES KAT"},
      {sim::chip_authentication_offer_v2(), AccessMode::automatic, "CA v2 ECDH-256 AES-128 GA"},
      // BAC (3DES) then AES: the read goes on with the AES sizes of the new keys.
      {sim::chip_authentication_offer_v2(), AccessMode::bac_only, "CA v2 ECDH-256 AES-128 GA"},
      {{2, CipherKind::aes256, 2, 4}, AccessMode::automatic, "CA v2 DH-2048 AES-256 GA keyId 4"},
      {{12, CipherKind::aes192, 1, std::nullopt}, AccessMode::automatic, "CA v1 ECDH-256 AES-192 GA"},
      // The key's group as a standardized id in place of its algorithm (BSI TR-03110 chips).
      {{13, CipherKind::aes128, 2, std::nullopt, true}, AccessMode::automatic, "CA v2 ECDH-256 AES-128 GA"},
      {{2, CipherKind::aes128, 2, std::nullopt, true}, AccessMode::automatic, "CA v2 DH-2048 AES-128 GA"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expected);
    const sim::CardData data = card_with(c.offer);
    // DG14 listed in EF.COM, hashed in EF.SOD; the private key in the secrets.
    ASSERT_TRUE(data.files.count(FileId::dg14));
    EXPECT_FALSE(data.secrets.chip_authentication_private_key.empty());
    std::optional<LiveChipProof> proof;
    const ChipDump dump = read(data, c.access, &proof);
    ASSERT_TRUE(proof);
    EXPECT_TRUE(proof->chip_authentication());
    EXPECT_EQ(dump.chip_authentication, c.expected);
    EXPECT_EQ(dump.chip_authentication_result, "passed") << dump.chip_authentication_note;
    expect_everything_read(dump);
    const Verdict verdict = verify(dump, anchor_of(data), {}, *proof);
    EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::passed) << verdict.chip_authenticity.detail;
    EXPECT_TRUE(contains(verdict.chip_authenticity.detail, "performed at read time"));
    EXPECT_EQ(verdict.data_integrity.status, FindingStatus::passed) << verdict.data_integrity.detail;
    EXPECT_TRUE(verdict.verified);
  }
}

TEST(ChipAuthenticationRead, TheDumpRepeatsTheResultOffline) {
  const sim::CardData data = card_with(sim::chip_authentication_offer_v2());
  std::optional<LiveChipProof> proof;
  const ChipDump dump = read(data, AccessMode::automatic, &proof);
  test::TempDir dir;
  write_dump(dump, dir.path() / "dump");
  const ChipDump loaded = load_dump(dir.path() / "dump");
  EXPECT_EQ(loaded.chip_authentication, dump.chip_authentication);
  EXPECT_EQ(loaded.chip_authentication_result, "passed");
  // Offline the recorded success is the reading app's word, which a copied session could repeat: unknown,
  // and so not verified; the same record judged by the process that made the read is a proof.
  const Verdict verdict = verify(loaded, anchor_of(data));
  EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::unknown) << verdict.chip_authenticity.detail;
  EXPECT_TRUE(contains(verdict.chip_authenticity.detail, "--challenge"));
  EXPECT_FALSE(verdict.verified);
  ASSERT_TRUE(proof);
  EXPECT_EQ(verify(dump, anchor_of(data), {}, *proof).chip_authenticity.status, FindingStatus::passed);

  // A dump whose DG14 is not the signed one: the recorded success does not count.
  ChipDump altered = loaded;
  altered.files[FileId::dg14].back() ^= 0x01;
  EXPECT_EQ(verify(altered, anchor_of(data)).chip_authenticity.status, FindingStatus::failed);
  // Without DG14, nothing ties the key to the SOD.
  altered = loaded;
  altered.files.erase(FileId::dg14);
  EXPECT_EQ(verify(altered, anchor_of(data)).chip_authenticity.status, FindingStatus::failed);
  // A dump without a record: not checked, not verified.
  altered = loaded;
  altered.chip_authentication_result.clear();
  const Verdict unrecorded = verify(altered, anchor_of(data));
  EXPECT_EQ(unrecorded.chip_authenticity.status, FindingStatus::not_checked);
  EXPECT_FALSE(unrecorded.verified);
}

TEST(ChipAuthenticationRead, ReadJsonFieldsAreChecked) {
  test::TempDir dir;
  ChipDump dump;
  dump.chip_authentication = "CA v1 ECDH-256 3DES KAT";
  dump.chip_authentication_result = "failed";
  dump.chip_authentication_note = "the chip refused MSE:Set KAT (6A80)";
  write_dump(dump, dir.path(), /*replace=*/true);  // the test folder exists
  const ChipDump loaded = load_dump(dir.path());
  EXPECT_EQ(loaded.chip_authentication, dump.chip_authentication);
  EXPECT_EQ(loaded.chip_authentication_result, "failed");
  EXPECT_EQ(loaded.chip_authentication_note, dump.chip_authentication_note);

  auto load_with = [&](const std::string& json) {
    const std::filesystem::path file = dir.path() / "read.json";
    std::ofstream(file, std::ios::trunc) << json;
    return load_dump(dir.path());
  };
  EXPECT_EQ(error_of([&] { load_with(R"({"chip_authentication": {"result": "maybe"}})"); }),
            ErrorCode::malformed_data);
  EXPECT_EQ(error_of([&] { load_with(R"({"chip_authentication": "passed"})"); }), ErrorCode::malformed_data);
  EXPECT_EQ(error_of([&] { load_with(R"({"chip_authentication": {"note": 5}})"); }),
            ErrorCode::malformed_data);
  EXPECT_EQ(error_of([&] { load_with(R"({"chip_authentication": {"protocol": "CA\n"}})"); }),
            ErrorCode::malformed_data);
  EXPECT_EQ(load_with(R"({"chip_authentication": {"result": "passed"}})").chip_authentication_result,
            "passed");
}

TEST(ChipAuthenticationRead, ACloneFailsButItsDataIsStillGenuine) {
  // The same files, another private key: what `cccd-sim clone` makes.
  sim::CardData clone = card_with(sim::chip_authentication_offer_v2());
  clone.secrets.chip_authentication_private_key =
      card_with(sim::chip_authentication_offer_v2(), 99).secrets.chip_authentication_private_key;
  for (AccessMode access : {AccessMode::automatic, AccessMode::bac_only}) {
    const ChipDump dump = read(clone, access);
    EXPECT_EQ(dump.chip_authentication_result, "failed");
    EXPECT_TRUE(contains(dump.chip_authentication_note, "lacks the private key"))
        << dump.chip_authentication_note;
    expect_everything_read(dump);  // the rest was read after opening the chip again
    const Verdict verdict = verify(dump, anchor_of(clone));
    EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::failed);
    EXPECT_TRUE(contains(verdict.chip_authenticity.detail, "failed at read time"))
        << verdict.chip_authenticity.detail;
    EXPECT_EQ(verdict.data_integrity.status, FindingStatus::passed) << verdict.data_integrity.detail;
    EXPECT_EQ(verdict.consistency.status, FindingStatus::passed);
    EXPECT_FALSE(verdict.verified);
  }
  // Version 1 (MSE:Set KAT), and DH, cloned as `cccd-sim clone` does.
  for (const sim::ChipAuthenticationOffer& offer :
       {sim::chip_authentication_offer_v1(), sim::ChipAuthenticationOffer{0, CipherKind::aes256, 2, 3}}) {
    const sim::CardData original = card_with(offer);
    const sim::CardData kat_clone = sim::clone_card(original);
    EXPECT_EQ(read(original).chip_authentication_result, "passed");
    const ChipDump dump = read(kat_clone);
    EXPECT_EQ(dump.chip_authentication_result, "failed");
    expect_everything_read(dump);
    const Verdict verdict = verify(dump, anchor_of(kat_clone));
    EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::failed);
    EXPECT_EQ(verdict.data_integrity.status, FindingStatus::passed);
    EXPECT_FALSE(verdict.verified);
  }
}

TEST(ChipAuthenticationRead, AChipThatRefusesGivesAClearFinding) {
  sim::CardData data = card_with(sim::chip_authentication_offer_v2());
  data.secrets.chip_authentication_private_key.clear();  // the chip has no CA: MSE answers 6A81
  const ChipDump dump = read(data);
  EXPECT_EQ(dump.chip_authentication_result, "failed");
  EXPECT_TRUE(contains(dump.chip_authentication_note, "refused MSE:Set AT (6A81)"))
      << dump.chip_authentication_note;
  expect_everything_read(dump);  // the refusal came under the old keys: the read went on
  const Verdict verdict = verify(dump, anchor_of(data));
  EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::failed);
  EXPECT_TRUE(contains(verdict.chip_authenticity.detail, "refused")) << verdict.chip_authenticity.detail;
  EXPECT_EQ(verdict.data_integrity.status, FindingStatus::passed);
  EXPECT_FALSE(verdict.verified);
}

TEST(ChipAuthenticationRead, AMalformedKeyInDg14IsRecorded) {
  sim::CardData data = card_with(sim::chip_authentication_offer_v2());
  Bytes& dg14 = data.files.at(FileId::dg14);
  // The last byte of the public point (the key's y coordinate): off the curve.
  const Bytes point = lds::parse_security_infos(dg14).chip_authentication_public_keys.at(0).public_key;
  auto at = std::search(dg14.begin(), dg14.end(), point.begin(), point.end());
  ASSERT_NE(at, dg14.end());
  *(at + static_cast<std::ptrdiff_t>(point.size()) - 1) ^= 0x01;
  const ChipDump dump = read(data);
  EXPECT_EQ(dump.chip_authentication_result, "failed");
  EXPECT_TRUE(contains(dump.chip_authentication_note, "no usable Chip Authentication key"))
      << dump.chip_authentication_note;
  expect_everything_read(dump);
  EXPECT_EQ(verify(dump, anchor_of(data)).chip_authenticity.status, FindingStatus::failed);
}

TEST(ChipAuthenticationRead, PaceCamCardsAreNotAuthenticatedTwice) {
  sim::GeneratorOptions options;
  options.pace = sim::PaceOffer{lds::PaceMapping::chip_authentication, 13, CipherKind::aes128};
  const sim::CardData data = sim::generate_card(options);
  std::optional<LiveChipProof> proof;
  const ChipDump dump = read(data, AccessMode::automatic, &proof);
  ASSERT_TRUE(proof);
  EXPECT_TRUE(proof->pace_cam());
  EXPECT_EQ(dump.access_protocol, "PACE-CAM");
  EXPECT_TRUE(dump.chip_authentication.empty());
  EXPECT_TRUE(dump.chip_authentication_result.empty());
  EXPECT_EQ(verify(dump, anchor_of(data), {}, *proof).chip_authenticity.status, FindingStatus::passed);

  // CAM and a separate CA offer do not go together.
  options.chip_authentication = sim::chip_authentication_offer_v2();
  EXPECT_EQ(error_of([&] { sim::generate_card(options); }), ErrorCode::invalid_argument);
}

TEST(ChipAuthenticationGenerator, OffersAreChecked) {
  EXPECT_EQ(error_of([&] { make_key(5, CipherKind::aes128); }), ErrorCode::invalid_argument);
  EXPECT_EQ(error_of([&] { make_key(13, CipherKind::aes128, 3); }), ErrorCode::invalid_argument);
  // Deterministic, and the seed changes the key.
  EXPECT_EQ(make_key(13, CipherKind::aes128).dg14, make_key(13, CipherKind::aes128).dg14);
  EXPECT_NE(make_key(13, CipherKind::aes128, 2, std::nullopt, 1).dg14,
            make_key(13, CipherKind::aes128, 2, std::nullopt, 2).dg14);
  // A card without the option has no DG14.
  EXPECT_FALSE(sim::generate_card(sim::GeneratorOptions{}).files.count(FileId::dg14));
}

}  // namespace
}  // namespace cccd
