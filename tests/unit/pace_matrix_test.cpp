// PACE end to end over the matrix of what a chip may offer: generated cards (cccd-sim's generator) with
// each mapping, key agreement group and cipher, written to a card folder and read back through the real
// reader code (read_and_verify), with the CAN and with the MRZ key.
//
// Coverage: Generic and Integrated Mapping x ids {0, 2 (DH), 12, 13 (256-bit), 15, 16 (384-bit), 17, 18
// (512/521-bit)} x every cipher x both passwords is the full product (128 reads, about 2 s); the
// remaining ids (1, 8, 9, 10, 11, 14) are read once each. Integrated Mapping with ECDH does not support
// P-224 (id 10; ICAO Doc 9303 Part 11: its point encoding needs p = 3 mod 4), so the generator refuses
// that card and id 10 is read with Generic Mapping only.
#include "crypto/pace_domain.hpp"
#include "lds/lds.hpp"
#include "lds/security_infos.hpp"
#include "sim/card_folder.hpp"
#include "sim/generator.hpp"
#include "sim/virtual_card_source.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"

#include <cccd/report.hpp>
#include <cccd/verify.hpp>

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

namespace cccd {
namespace {

using crypto::CipherKind;
using lds::PaceMapping;

struct Offer {
  PaceMapping mapping;
  int parameter_id;
  CipherKind cipher;
};

std::string mapping_label(PaceMapping mapping) {
  switch (mapping) {
    case PaceMapping::generic:
      return "GM";
    case PaceMapping::integrated:
      return "IM";
    case PaceMapping::chip_authentication:
      return "CAM";
  }
  return "?";
}

std::string cipher_label(CipherKind cipher) {
  switch (cipher) {
    case CipherKind::tdes:
      return "3DES";
    case CipherKind::aes128:
      return "AES128";
    case CipherKind::aes192:
      return "AES192";
    case CipherKind::aes256:
      return "AES256";
  }
  return "?";
}

sim::CardData card_offering(const Offer& offer, std::uint64_t seed = 7) {
  sim::GeneratorOptions options;
  options.seed = seed;
  options.pace = sim::PaceOffer{offer.mapping, offer.parameter_id, offer.cipher};
  return sim::generate_card(options);
}

// The MRZ text of the card (DG1), as a reader would scan it off the card's back.
std::string mrz_of(const sim::CardData& card) {
  return lds::parse_dg1(card.files.at(FileId::dg1)).text;
}

Credentials can_credentials() {
  return Credentials::from_id_number(sim::Holder{}.id_number);
}

Credentials mrz_credentials(const sim::CardData& card) {
  Credentials credentials = Credentials::from_mrz(mrz_of(card));
  credentials.can.clear();  // the MRZ key only: PACE must use it as the password
  return credentials;
}

Report read_folder(const test::TempDir& folder, const Credentials& credentials) {
  return sim::read_and_verify_virtual(folder.path(), credentials, nullptr);
}

void expect_verified(const Report& report, const std::string& protocol) {
  EXPECT_EQ(report.dump.access_protocol, protocol);
  EXPECT_TRUE(report.dump.access_note.empty()) << report.dump.access_note;
  EXPECT_TRUE(report.verdict.verified)
      << "access: " << report.verdict.access.detail << "; integrity: " << report.verdict.data_integrity.detail
      << "; trust: " << report.verdict.signer_trust.detail
      << "; chip: " << report.verdict.chip_authenticity.detail
      << "; consistency: " << report.verdict.consistency.detail;
  EXPECT_EQ(report.verdict.access.status, FindingStatus::passed);
  EXPECT_EQ(report.verdict.data_integrity.status, FindingStatus::passed);
  EXPECT_EQ(report.verdict.signer_trust.status, FindingStatus::passed);
  EXPECT_TRUE(report.verdict.test_csca);
  ASSERT_NE(report.dump.file(FileId::dg1), nullptr);
  ASSERT_NE(report.dump.file(FileId::dg2), nullptr);
  ASSERT_NE(report.dump.file(FileId::dg13), nullptr);
}

using test::error_of;

// ---------------------------------------------------------------------------------------------------
// Generic and Integrated Mapping: the matrix.

class PaceMatrix : public ::testing::TestWithParam<Offer> {};

TEST_P(PaceMatrix, ReadsAndVerifiesWithTheCanAndWithTheMrz) {
  const Offer offer = GetParam();
  const sim::CardData card = card_offering(offer);
  const lds::SecurityInfos infos = lds::parse_security_infos(card.files.at(FileId::card_access));
  ASSERT_EQ(infos.pace.size(), 1U);
  EXPECT_EQ(infos.pace[0].mapping, offer.mapping);
  EXPECT_EQ(infos.pace[0].agreement,
            offer.parameter_id <= 2 ? lds::KeyAgreement::dh : lds::KeyAgreement::ecdh);
  EXPECT_EQ(infos.pace[0].cipher, offer.cipher);
  EXPECT_EQ(infos.pace[0].parameter_id, static_cast<std::uint64_t>(offer.parameter_id));
  EXPECT_EQ(card.files.count(FileId::dg14), 0U);  // only a CAM card has a static CA key

  test::TempDir folder;
  sim::write_card_folder(card, folder.path());
  const std::string protocol = "PACE-" + mapping_label(offer.mapping);
  {
    SCOPED_TRACE("CAN");
    expect_verified(read_folder(folder, can_credentials()), protocol);
  }
  {
    SCOPED_TRACE("MRZ");
    expect_verified(read_folder(folder, mrz_credentials(card)), protocol);
  }
}

std::vector<Offer> matrix() {
  std::vector<Offer> offers;
  for (PaceMapping mapping : {PaceMapping::generic, PaceMapping::integrated}) {
    for (int id : {0, 2, 12, 13, 15, 16, 17, 18}) {
      for (CipherKind cipher : {CipherKind::tdes, CipherKind::aes128, CipherKind::aes192, CipherKind::aes256})
        offers.push_back({mapping, id, cipher});
    }
  }
  // Every other standardized id once. No Integrated Mapping on P-224 (id 10): see the top of the file.
  for (int id : {8, 9, 10, 11, 14}) offers.push_back({PaceMapping::generic, id, CipherKind::aes128});
  for (int id : {1, 8, 9, 11, 14}) offers.push_back({PaceMapping::integrated, id, CipherKind::aes128});
  offers.push_back({PaceMapping::generic, 1, CipherKind::aes256});
  return offers;
}

std::string offer_name(const ::testing::TestParamInfo<Offer>& info) {
  return mapping_label(info.param.mapping) + "_id" + std::to_string(info.param.parameter_id) + "_" +
         cipher_label(info.param.cipher);
}

INSTANTIATE_TEST_SUITE_P(Offers, PaceMatrix, ::testing::ValuesIn(matrix()), offer_name);

// ---------------------------------------------------------------------------------------------------
// Wrong passwords.

TEST(PaceMatrixErrors, AWrongCanOnAnIntegratedMappingCardIsAccessDenied) {
  for (int id : {0, 13, 18}) {
    SCOPED_TRACE(id);
    test::TempDir folder;
    sim::write_card_folder(card_offering({PaceMapping::integrated, id, CipherKind::aes128}), folder.path());
    Credentials wrong = can_credentials();
    wrong.can = wrong.can == "000000" ? "000001" : "000000";
    EXPECT_EQ(error_of([&] { read_folder(folder, wrong); }), ErrorCode::access_denied);
  }
}

TEST(PaceMatrixErrors, AWrongMrzKeyOnAGenericMappingCardIsAccessDenied) {
  const sim::CardData card = card_offering({PaceMapping::generic, 16, CipherKind::aes256});
  test::TempDir folder;
  sim::write_card_folder(card, folder.path());
  Credentials wrong = mrz_credentials(card);
  wrong.date_of_birth = "900518";  // the holder was born on 1990-05-17
  EXPECT_EQ(error_of([&] { read_folder(folder, wrong); }), ErrorCode::access_denied);
}

// ---------------------------------------------------------------------------------------------------
// Chip Authentication Mapping: the card's DG14 and the read.

class ChipAuthenticationMapping : public ::testing::TestWithParam<Offer> {};

TEST_P(ChipAuthenticationMapping, Dg14CarriesTheChipsStaticKeyAndIsHashedInTheSod) {
  const Offer offer = GetParam();
  const sim::CardData card = card_offering(offer);
  ASSERT_EQ(card.files.count(FileId::dg14), 1U);
  const lds::SecurityInfos dg14 = lds::parse_security_infos(card.files.at(FileId::dg14));
  ASSERT_EQ(dg14.chip_authentication_public_keys.size(), 1U);
  ASSERT_EQ(dg14.chip_authentication.size(), 1U);
  EXPECT_EQ(dg14.chip_authentication[0].agreement, lds::KeyAgreement::ecdh);
  EXPECT_EQ(dg14.chip_authentication[0].cipher, offer.cipher);
  EXPECT_EQ(dg14.chip_authentication[0].version, 1U);
  const lds::ChipAuthenticationPublicKeyInfo& key = dg14.chip_authentication_public_keys[0];
  EXPECT_EQ(key.agreement, lds::KeyAgreement::ecdh);
  ASSERT_TRUE(key.parameters.has_value());
  EXPECT_EQ(*key.parameters,
            lds::DomainParameters(lds::EcNamedCurve{sim::standardized_curve_oid(offer.parameter_id)}));
  // The public key in DG14 is the public half of the private scalar in the card's secrets.
  const crypto::PaceDomain domain = crypto::PaceDomain::standardized(offer.parameter_id);
  ASSERT_FALSE(card.secrets.chip_authentication_private_key.empty());
  EXPECT_EQ(key.public_key, domain.public_key(card.secrets.chip_authentication_private_key));

  const lds::SecurityInfos card_access = lds::parse_security_infos(card.files.at(FileId::card_access));
  ASSERT_EQ(card_access.pace.size(), 1U);
  EXPECT_EQ(card_access.pace[0].mapping, PaceMapping::chip_authentication);
  EXPECT_EQ(card_access.pace[0].cipher, offer.cipher);

  const Bytes& com = card.files.at(FileId::com);
  EXPECT_EQ(lds::parse_ef_com(com).data_groups.back(), FileId::dg14);

  // The private key survives the card folder.
  test::TempDir folder;
  sim::write_card_folder(card, folder.path());
  EXPECT_EQ(sim::load_card_folder(folder.path()).secrets.chip_authentication_private_key,
            card.secrets.chip_authentication_private_key);
}

TEST_P(ChipAuthenticationMapping, ReadsWithPaceCamAndTheChipIsAuthentic) {
  const Offer offer = GetParam();
  const sim::CardData card = card_offering(offer);
  test::TempDir folder;
  sim::write_card_folder(card, folder.path());
  for (const Credentials& credentials : {can_credentials(), mrz_credentials(card)}) {
    SCOPED_TRACE(credentials.can.empty() ? "MRZ" : "CAN");
    const Report report = read_folder(folder, credentials);
    expect_verified(report, "PACE-CAM");
    ASSERT_NE(report.dump.file(FileId::dg14), nullptr);
    EXPECT_EQ(*report.dump.file(FileId::dg14), card.files.at(FileId::dg14));
    EXPECT_EQ(report.verdict.chip_authenticity.status, FindingStatus::passed)
        << report.verdict.chip_authenticity.detail;
  }
}

INSTANTIATE_TEST_SUITE_P(Offers, ChipAuthenticationMapping,
                         ::testing::Values(Offer{PaceMapping::chip_authentication, 13, CipherKind::aes128},
                                           Offer{PaceMapping::chip_authentication, 12, CipherKind::aes192},
                                           Offer{PaceMapping::chip_authentication, 16, CipherKind::aes256},
                                           Offer{PaceMapping::chip_authentication, 18, CipherKind::aes128}),
                         offer_name);

}  // namespace
}  // namespace cccd
