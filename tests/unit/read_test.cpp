// End to end through the real library code: the reader session against the virtual CCCD, the
// verification of what it read, and the public C++ entry points.
#include "asn1/der.hpp"
#include "lds/lds.hpp"
#include "reader/session.hpp"
#include "sim/generator.hpp"
#include "sim/virtual_card.hpp"
#include "sim/virtual_card_link.hpp"
#include "sim/virtual_card_source.hpp"
#include "sm/secure_messaging.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"

#include <cccd/report.hpp>
#include <cccd/verify.hpp>

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace cccd {
namespace {

using test::anchor_of;
using test::default_credentials;

const sim::Holder kHolder{};  // the default card's holder

using test::error_of;

// A link to the virtual card that flips one bit of the MAC in the n-th response (1-based): what a
// corrupted or forged response looks like to the reader.
class MacTamperingChannel : public transport::RawChannel {
 public:
  MacTamperingChannel(sim::VirtualCard& card, int victim) : card_(card), victim_(victim) {}
  transport::ChannelCapabilities capabilities() const override {
    return sim::VirtualCardChannel(card_).capabilities();
  }

 protected:
  Bytes exchange(ByteView command) override {
    Bytes response = card_.process(command);
    if (++count_ == victim_ && response.size() >= 12) response[response.size() - 3] ^= 0x01;  // last MAC byte
    return response;
  }

 private:
  sim::VirtualCard& card_;
  int victim_;
  int count_ = 0;
};

TEST(Read, DefaultCardIsVerifiedWithExactFieldsAndPhoto) {
  Report report = sim::read_and_verify_virtual({}, default_credentials(), nullptr);
  EXPECT_TRUE(report.verdict.verified);
  EXPECT_EQ(report.verdict.access.status, FindingStatus::passed);
  EXPECT_EQ(report.verdict.data_integrity.status, FindingStatus::passed)
      << report.verdict.data_integrity.detail;
  EXPECT_EQ(report.verdict.signer_trust.status, FindingStatus::passed) << report.verdict.signer_trust.detail;
  EXPECT_TRUE(report.verdict.test_csca);
  EXPECT_EQ(report.verdict.consistency.status, FindingStatus::passed) << report.verdict.consistency.detail;
  EXPECT_EQ(report.dump.access_protocol, "PACE-GM");

  ASSERT_TRUE(report.document.personal.has_value());
  const PersonalData& p = *report.document.personal;
  EXPECT_EQ(p.id_number(), kHolder.id_number);
  EXPECT_EQ(p.full_name(), kHolder.full_name);
  EXPECT_EQ(p.date_of_birth(), "17/05/1990");
  EXPECT_EQ(p.nationality(), kHolder.nationality);
  EXPECT_EQ(p.ethnicity(), kHolder.ethnicity);
  EXPECT_EQ(p.religion(), kHolder.religion);
  EXPECT_EQ(p.place_of_origin(), kHolder.place_of_origin);
  EXPECT_EQ(p.place_of_residence(), kHolder.place_of_residence);
  EXPECT_EQ(p.identification_marks(), kHolder.identification_marks);
  EXPECT_EQ(p.date_of_issue(), "10/04/2021");
  EXPECT_EQ(p.date_of_expiry(), "17/05/2030");
  EXPECT_EQ(p.father_name(), kHolder.father_name);
  EXPECT_EQ(p.mother_name(), kHolder.mother_name);
  EXPECT_EQ(p.former_id_number(), kHolder.former_id_number);

  // The photo handed out is exactly the image inside DG2 as personalised.
  ASSERT_TRUE(report.document.face.has_value());
  FaceImage personalised = lds::parse_dg2(sim::default_card().files.at(FileId::dg2));
  EXPECT_EQ(report.document.face->data, personalised.data);
  EXPECT_EQ(report.document.face->format, FaceImage::Format::jpeg);
  ASSERT_GE(report.document.face->data.size(), 3u);
  EXPECT_EQ(report.document.face->data[0], 0xFF);
  EXPECT_EQ(report.document.face->data[1], 0xD8);

  // DG3 is listed by EF.COM but needs Terminal Authentication: skipped quietly, not an error.
  EXPECT_EQ(report.dump.denied, std::vector<FileId>{FileId::dg3});
  EXPECT_TRUE(report.document.parse_errors.empty());
  for (FileId f : {FileId::com, FileId::sod, FileId::dg1, FileId::dg2, FileId::dg13}) {
    ASSERT_NE(report.dump.file(f), nullptr) << file_name(f);
    EXPECT_EQ(*report.dump.file(f), sim::default_card().files.at(f)) << file_name(f);
  }
}

// Expected APDUs of a full read, from what the card holds: the access protocol's own exchanges, one
// refused READ for DG3, for every other file ceil(size / chunk) READ BINARY commands — no SELECTs, no
// header reads — and the chip's proofs when it has their data groups.
// BAC: SELECT, GET CHALLENGE, EXTERNAL AUTHENTICATE. PACE: READ EF.CardAccess, MSE:Set AT, four
// GENERAL AUTHENTICATE, SELECT under secure messaging. Chip Authentication (DG14, AES): MSE:Set AT,
// GENERAL AUTHENTICATE and a READ of DG14 that confirms the new keys. Active Authentication (DG15):
// INTERNAL AUTHENTICATE, whose protected signature the card gives with 61xx and a GET RESPONSE.
constexpr std::uint64_t kBacApdus = 3;
constexpr std::uint64_t kPaceApdus = 7;
// On a link that may carry extended APDUs: READ EF.ATR/INFO, the chip's word on extended length.
constexpr std::uint64_t kExtendedLengthQuestion = 1;
constexpr std::uint64_t kChipAuthenticationApdus = 3;    // MSE:Set AT, GA, DG14 read again under its keys
constexpr std::uint64_t kActiveAuthenticationApdus = 2;  // INTERNAL AUTHENTICATE, GET RESPONSE (61xx)
// `chunk_before_ca`: the largest plaintext of EF.COM, EF.SOD and DG14, read before Chip Authentication
// replaces the access protocol's keys (BAC's 3DES by DG14's AES); 0: the same as `chunk`.
std::uint64_t expected_apdus(const sim::CardData& card, std::size_t chunk, std::uint64_t access_apdus,
                             bool photo = true, std::size_t chunk_before_ca = 0) {
  std::uint64_t apdus = access_apdus;
  for (const auto& [f, content] : card.files) {
    if (f == FileId::card_access || (f == FileId::dg2 && !photo)) continue;
    const bool before_ca = f == FileId::com || f == FileId::sod || f == FileId::dg14;
    const std::size_t size = before_ca && chunk_before_ca != 0 ? chunk_before_ca : chunk;
    apdus += f == FileId::dg3 ? 1 : (content.size() + size - 1) / size;
  }
  if (card.files.count(FileId::dg14) != 0) apdus += kChipAuthenticationApdus;
  if (card.files.count(FileId::dg15) != 0) apdus += kActiveAuthenticationApdus;
  return apdus;
}

// What a server that chose the Active Authentication challenge of the read verifies with.
VerifyOptions with_challenge_of(const ChipDump& dump) {
  VerifyOptions options;
  std::array<std::uint8_t, 8> challenge{};
  if (dump.aa_challenge.size() == challenge.size())
    std::copy(dump.aa_challenge.begin(), dump.aa_challenge.end(), challenge.begin());
  options.active_authentication_challenge = challenge;
  return options;
}

std::size_t largest_plaintext(crypto::CipherKind cipher, std::size_t response_bytes) {
  std::size_t key = crypto::key_length(cipher);
  sm::SmCodec probe(
      sm::SessionKeys{cipher, SecureBytes(key), SecureBytes(key), SecureBytes(crypto::block_length(cipher))});
  return probe.max_plain_response(response_bytes);
}

ReadOptions with_access(AccessMode mode) {
  ReadOptions options;
  options.access = mode;
  return options;
}

TEST(Read, ShortApdusAskForTheLargestPlaintextThatFits) {
  sim::CardData data = sim::default_card();
  data.secrets.extended_length = false;
  // PACE (AES-128): 223 bytes of plaintext in a 256-byte response; BAC (3DES): 231.
  ASSERT_EQ(largest_plaintext(crypto::CipherKind::aes128, 256), 223u);
  ASSERT_EQ(largest_plaintext(crypto::CipherKind::tdes, 256), 231u);
  for (AccessMode mode : {AccessMode::automatic, AccessMode::bac_only}) {
    sim::VirtualCard card(data);
    sim::VirtualCardChannel channel(card);
    ChipDump dump = reader::read_chip(channel, default_credentials(), with_access(mode));
    bool pace = mode == AccessMode::automatic;
    EXPECT_EQ(dump.access_protocol, pace ? "PACE-GM" : "BAC");
    // The link carries extended APDUs; the chip refuses the one that asks (6700) and the read is short.
    // After BAC, Chip Authentication (AES-128) changes the keys: 231 bytes (3DES) before it, 223 after.
    EXPECT_EQ(dump.stats.apdus, (pace ? expected_apdus(data, 223, kPaceApdus)
                                      : expected_apdus(data, 223, kBacApdus, true, 231)) +
                                    kExtendedLengthQuestion);
    EXPECT_EQ(dump.files.at(FileId::dg2), data.files.at(FileId::dg2));
  }
}

TEST(Read, ExtendedLengthIsUsedWhenTheLinkSupportsIt) {
  const sim::CardData& data = sim::default_card();
  ASSERT_TRUE(data.secrets.extended_length);
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  ChipDump dump = reader::read_chip(channel, default_credentials(), ReadOptions{});
  std::size_t chunk = largest_plaintext(crypto::CipherKind::aes128, data.secrets.max_response_data);
  EXPECT_EQ(dump.stats.apdus, expected_apdus(data, chunk, kPaceApdus) + kExtendedLengthQuestion);
  EXPECT_EQ(dump.files.at(FileId::dg2), data.files.at(FileId::dg2));

  // The same card with extended length turned off by the caller reads with short APDUs.
  sim::VirtualCard again(data);
  sim::VirtualCardChannel short_channel(again);
  ReadOptions no_extended;
  no_extended.extended_length = false;
  EXPECT_EQ(reader::read_chip(short_channel, default_credentials(), no_extended).stats.apdus,
            expected_apdus(data, 223, kPaceApdus));
}

TEST(Read, WrongBirthDateIsAccessDeniedAfterOneBacAttempt) {
  sim::VirtualCard card(sim::default_card());
  sim::VirtualCardChannel channel(card);
  Credentials wrong = Credentials::from_id_number("001099012345", "1990-05-18", "2030-05-17");
  EXPECT_EQ(error_of([&] { reader::read_chip(channel, wrong, with_access(AccessMode::bac_only)); }),
            ErrorCode::access_denied);
  EXPECT_EQ(card.authentication_attempts(), 1);
  // READ EF.ATR/INFO, SELECT, GET CHALLENGE, EXTERNAL AUTHENTICATE: no retry storm.
  EXPECT_EQ(channel.stats().apdus, 4u);
}

TEST(Read, WrongCanIsAccessDeniedAfterOnePaceAttemptAndNoBac) {
  sim::VirtualCard card(sim::default_card());
  sim::VirtualCardChannel channel(card);
  // The last six digits are the CAN: 012346 instead of 012345. The dates would open BAC, but a wrong
  // password is never a reason to try another protocol.
  Credentials wrong = Credentials::from_id_number("001099012346", "1990-05-17", "2030-05-17");
  try {
    reader::read_chip(channel, wrong, ReadOptions{});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::access_denied);
    EXPECT_NE(std::string(e.what()).find("CAN"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("012346"), std::string::npos) << e.what();
  }
  EXPECT_EQ(card.pace_failures(), 1);
  EXPECT_EQ(card.authentication_attempts(), 0);  // no BAC
  EXPECT_EQ(channel.stats().apdus, 7u);  // EF.ATR/INFO, EF.CardAccess, MSE:Set AT, 4 GENERAL AUTHENTICATE
}

TEST(Read, ResponseWithABrokenMacIsASecureMessagingError) {
  // APDU 1 reads EF.ATR/INFO (the link carries extended APDUs). Under PACE, APDU 8 is the protected
  // SELECT and 9 the first protected READ BINARY; under BAC, APDU 5 is the first protected READ BINARY.
  // Every later one is checked the same way, under Chip Authentication's keys too (PACE: 15, BAC: 11,
  // the first READ after its confirmation). A broken answer during Chip Authentication itself fails that
  // proof instead (chip_authentication_test).
  for (auto [mode, victim] : {std::pair{AccessMode::automatic, 8}, std::pair{AccessMode::automatic, 9},
                              std::pair{AccessMode::automatic, 15}, std::pair{AccessMode::bac_only, 5},
                              std::pair{AccessMode::bac_only, 11}}) {
    SCOPED_TRACE(victim);
    sim::VirtualCard card(sim::default_card());
    MacTamperingChannel channel(card, victim);
    // A structured binding is captured explicitly: clang 14 cannot capture one implicitly.
    EXPECT_EQ(
        error_of([&, mode = mode] { reader::read_chip(channel, default_credentials(), with_access(mode)); }),
        ErrorCode::secure_messaging);
  }
}

TEST(Read, MrzCredentialsOpenTheCard) {
  Mrz mrz = lds::parse_dg1(sim::default_card().files.at(FileId::dg1));
  Report report = sim::read_and_verify_virtual({}, Credentials::from_mrz(mrz.text), nullptr);
  EXPECT_TRUE(report.verdict.verified);
}

TEST(Read, DataGroupAlteredAfterSigningFailsIntegrity) {
  sim::CardData data = sim::default_card();
  Bytes& dg13 = data.files.at(FileId::dg13);
  // Change one letter of the name: the TLV stays valid, the hash does not.
  Bytes name(kHolder.mother_name.begin(), kHolder.mother_name.end());
  auto it = std::search(dg13.begin(), dg13.end(), name.begin(), name.end());
  ASSERT_NE(it, dg13.end());
  *it = 'P';
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  ChipDump dump = reader::read_chip(channel, default_credentials(), ReadOptions{});
  Verdict verdict = verify(dump, anchor_of(data));
  EXPECT_FALSE(verdict.verified);
  EXPECT_EQ(verdict.data_integrity.status, FindingStatus::failed);
  EXPECT_NE(verdict.data_integrity.detail.find("DG13"), std::string::npos) << verdict.data_integrity.detail;
  EXPECT_EQ(verdict.signer_trust.status, FindingStatus::passed);
}

TEST(Read, CardSignedUnderAnotherCscaFailsTrust) {
  sim::GeneratorOptions other;
  other.seed = 77;
  TrustStore foreign = anchor_of(sim::generate_card(other));
  Report report = sim::read_and_verify_virtual({}, default_credentials(), &foreign);
  EXPECT_FALSE(report.verdict.verified);
  EXPECT_EQ(report.verdict.data_integrity.status, FindingStatus::passed);
  EXPECT_EQ(report.verdict.signer_trust.status, FindingStatus::failed);
}

TEST(Read, NoTrustStoreMeansTrustUnknownAndNotVerified) {
  TrustStore empty;
  Report report = sim::read_and_verify_virtual({}, default_credentials(), &empty);
  EXPECT_EQ(report.verdict.signer_trust.status, FindingStatus::unknown);
  EXPECT_EQ(report.verdict.data_integrity.status, FindingStatus::passed);
  EXPECT_FALSE(report.verdict.verified);
}

TEST(Read, YearOnlyBirthAndNoExpiryCard) {
  sim::GeneratorOptions options;
  options.holder.id_number = "079062000123";
  options.holder.birth = "1962";
  options.holder.expiry = "none";
  options.seed = 5;
  test::TempDir dir;
  sim::write_card_folder(sim::generate_card(options), dir.path());
  const std::filesystem::path source = dir.path();
  Report report = sim::read_and_verify_virtual(
      source, Credentials::from_id_number("079062000123", "1962", "none"), nullptr);
  EXPECT_TRUE(report.verdict.verified) << report.verdict.consistency.detail;
  ASSERT_TRUE(report.document.mrz.has_value());
  EXPECT_EQ(report.document.mrz->date_of_expiry, "991231");
  EXPECT_EQ(report.document.mrz->date_of_birth.substr(0, 2), "62");
}

TEST(Read, DumpFolderVerifiesOfflineTheSameWay) {
  Report live = sim::read_and_verify_virtual({}, default_credentials(), nullptr);
  test::TempDir dir;
  std::filesystem::path folder = dir.path() / "dump";
  write_dump(live.dump, folder);
  struct stat info {};
  ASSERT_EQ(::stat((folder / "DG13").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(folder.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);

  // Offline, the chip's proof counts over the challenge the verifier chose (the app used the server's).
  Report offline = verify_dump_folder(folder, anchor_of(sim::default_card()), with_challenge_of(live.dump));
  EXPECT_TRUE(offline.verdict.verified);
  EXPECT_EQ(offline.dump.files, live.dump.files);
  EXPECT_EQ(offline.document.personal->full_name(), kHolder.full_name);
}

TEST(Read, VirtualCardServesADumpedFolder) {
  // A dump plus access data is a card again: the same folder format serves both.
  Report live = sim::read_and_verify_virtual({}, default_credentials(), nullptr);
  test::TempDir dir;
  sim::CardData data;
  data.files = live.dump.files;
  data.secrets = sim::default_card().secrets;
  data.csca_pem = sim::default_card().csca_pem;
  sim::write_card_folder(data, dir.path());
  const std::filesystem::path source = dir.path();
  EXPECT_TRUE(sim::read_and_verify_virtual(source, default_credentials(), nullptr).verdict.verified);
}

TEST(Read, JsonCarriesTheVerdictFieldsPhotoAndStats) {
  Report report = sim::read_and_verify_virtual({}, default_credentials(), nullptr);
  std::string json = to_json(report);
  for (const char* needle : {"\"overall\": \"verified\"", "\"data_integrity\"", "\"signer_trust\"",
                             "\"consistency\"", "\"apdus\"", "\"format\": \"jpeg\"", "\"test_csca\": true"}) {
    EXPECT_NE(json.find(needle), std::string::npos) << needle;
  }
  EXPECT_NE(json.find(kHolder.full_name), std::string::npos);
}

}  // namespace
}  // namespace cccd

namespace cccd {
namespace {

TEST(Read, ADumpFolderIsServedWithTheAccessDataOfItsMrz) {
  // `read --dump` writes no secrets; the virtual card takes its access data from the dump's DG1.
  Report live = sim::read_and_verify_virtual({}, default_credentials(), nullptr);
  test::TempDir dir;
  write_dump(live.dump, dir.path(), /*replace=*/true);  // the test folder exists
  const std::filesystem::path source = dir.path();
  TrustStore anchor = anchor_of(sim::default_card());
  Report again = sim::read_and_verify_virtual(source, default_credentials(), &anchor);
  // The files are the card's, but not its private keys: the copy cannot prove itself the chip.
  EXPECT_EQ(again.verdict.data_integrity.status, FindingStatus::passed);
  EXPECT_EQ(again.verdict.consistency.status, FindingStatus::passed);
  EXPECT_EQ(again.verdict.chip_authenticity.status, FindingStatus::failed)
      << again.verdict.chip_authenticity.detail;
  EXPECT_FALSE(again.verdict.verified);
  EXPECT_EQ(again.dump.files, live.dump.files);
  // Both passwords come from the dump's DG1: the CAN (PACE) and the MRZ key (BAC).
  Credentials wrong_can = Credentials::from_id_number("001099012399", "1990-05-17", "2030-05-17");
  EXPECT_EQ(error_of([&] { sim::read_and_verify_virtual(source, wrong_can, &anchor); }),
            ErrorCode::access_denied);
  Credentials wrong_expiry = Credentials::from_id_number("001099012345", "1990-05-17", "2030-05-18");
  EXPECT_EQ(error_of([&] {
              sim::read_and_verify_virtual(source, wrong_expiry, &anchor, with_access(AccessMode::bac_only));
            }),
            ErrorCode::access_denied);
}

}  // namespace
}  // namespace cccd

namespace cccd {
namespace {

// A photo larger than 32 767 bytes: offsets beyond that travel in DO'54' of READ BINARY B1, the data
// come back in DO'53' under DO'85' secure messaging, and every response still fits the link.
TEST(Read, OffsetsBeyond32767UseOddInsReadBinary) {
  sim::CardData data = sim::default_card();
  Bytes photo(70000);
  for (std::size_t i = 0; i < photo.size(); ++i) photo[i] = static_cast<std::uint8_t>(i * 7 + (i >> 8));
  data.files[FileId::dg2] = asn1::tlv(0x75, photo);
  for (bool extended : {true, false}) {
    SCOPED_TRACE(extended);
    data.secrets.extended_length = extended;
    sim::VirtualCard card(data);
    sim::VirtualCardChannel channel(card);
    ChipDump dump = reader::read_chip(channel, default_credentials(), ReadOptions{});
    EXPECT_EQ(dump.files.at(FileId::dg2), data.files.at(FileId::dg2));
    // Not verified (the SOD does not cover this photo), but read byte for byte.
    EXPECT_EQ(verify(dump, anchor_of(data)).data_integrity.status, FindingStatus::failed);
  }
}

}  // namespace
}  // namespace cccd

namespace cccd {
namespace {

TEST(Read, FilesEfComListsButTheCardLacksAreRecordedAbsent) {
  sim::CardData data = sim::default_card();
  // EF.COM is not signed: it may list what is not there (DG5 here). 6A82 records it, the read goes on.
  data.files[FileId::com] =
      asn1::tlv(0x60, {asn1::tlv(0x5F01, as_bytes("0107")), asn1::tlv(0x5F36, as_bytes("040000")),
                       asn1::tlv(0x5C, Bytes{0x61, 0x75, 0x63, 0x65, 0x6D, 0x6E, 0x6F})});
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  std::optional<LiveChipProof> proof;  // this test read the chip itself
  ChipDump dump = reader::read_chip(channel, default_credentials(), ReadOptions{}, nullptr, &proof);
  EXPECT_EQ(dump.absent, std::vector<FileId>{FileId::dg5});
  EXPECT_EQ(dump.denied, std::vector<FileId>{FileId::dg3});
  EXPECT_TRUE(verify(dump, anchor_of(data), {}, *proof).verified);
}

TEST(Read, AnEfComThatDoesNotParseFallsBackToTheCccdFiles) {
  sim::CardData data = sim::default_card();
  data.files[FileId::com] = Bytes{0x60, 0x03, 0x5C, 0x05, 0x61};  // inner length runs past its parent
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  std::optional<LiveChipProof> proof;  // this test read the chip itself
  ChipDump dump = reader::read_chip(channel, default_credentials(), ReadOptions{}, nullptr, &proof);
  for (FileId f : {FileId::sod, FileId::dg1, FileId::dg2, FileId::dg13, FileId::dg14, FileId::dg15})
    EXPECT_NE(dump.file(f), nullptr) << file_name(f);
  EXPECT_TRUE(dump.absent.empty());
  EXPECT_TRUE(verify(dump, anchor_of(data), {}, *proof).verified);
}

TEST(Read, WithoutThePhotoDg2IsNotAskedFor) {
  sim::VirtualCard card(sim::default_card());
  sim::VirtualCardChannel channel(card);
  ReadOptions options;
  options.read_photo = false;
  ChipDump dump = reader::read_chip(channel, default_credentials(), options);
  EXPECT_EQ(dump.file(FileId::dg2), nullptr);
  EXPECT_NE(dump.file(FileId::dg13), nullptr);
  const sim::CardData& data = sim::default_card();
  EXPECT_EQ(
      dump.stats.apdus,
      expected_apdus(data, largest_plaintext(crypto::CipherKind::aes128, data.secrets.max_response_data),
                     kPaceApdus, /*photo=*/false) +
          kExtendedLengthQuestion);
}

}  // namespace
}  // namespace cccd

namespace cccd {
namespace {

TEST(Read, ProgressReachesEveryFilesSize) {
  std::map<FileId, ReadProgress> last;
  ReadProgress final_report;
  std::size_t calls = 0;
  ReadOptions options;
  options.progress = [&](const ReadProgress& p) {
    ++calls;
    EXPECT_LE(p.file_bytes, p.file_size);
    EXPECT_LE(p.files_done, p.files_total);
    last[p.file] = p;
    final_report = p;
  };
  sim::VirtualCard card(sim::default_card());
  sim::VirtualCardChannel channel(card);
  ChipDump dump = reader::read_chip(channel, default_credentials(), options);
  for (const auto& [file, content] : dump.files) {
    if (file == FileId::card_access) continue;  // read before access control: not part of the progress
    ASSERT_TRUE(last.count(file)) << file_name(file);
    EXPECT_EQ(last[file].file_bytes, content.size()) << file_name(file);
    EXPECT_EQ(last[file].file_size, content.size()) << file_name(file);
  }
  // EF.COM, then EF.SOD and every data group EF.COM lists.
  const std::size_t total = lds::parse_ef_com(dump.files.at(FileId::com)).data_groups.size() + 2;
  EXPECT_EQ(last[FileId::dg2].files_total, total);
  EXPECT_GE(calls, dump.files.size());
  // The last report says every file is done: a bar or a callback reaches 100 %.
  EXPECT_EQ(final_report.files_done, final_report.files_total);
  EXPECT_EQ(final_report.files_total, total);
  EXPECT_EQ(final_report.file_bytes, final_report.file_size);
}

}  // namespace
}  // namespace cccd

namespace cccd {
namespace {

TEST(Credentials, DatesMustBeOnTheCalendar) {
  EXPECT_NO_THROW(Credentials::from_id_number("001099012345", "1992-02-29", "2030-05-17"));
  EXPECT_NO_THROW(Credentials::from_id_number("001099012345", "1990", "none"));
  EXPECT_NO_THROW(Credentials::from_id_number("001099012345", "1990-05", "300517"));
  for (const char* birth :
       {"1990-02-30", "1991-02-29", "1990-04-31", "1990-13-01", "1990-00-10", "90<<17", "1990-5-17"}) {
    SCOPED_TRACE(birth);
    EXPECT_EQ(error_of([&] { Credentials::from_id_number("001099012345", birth, "2030-05-17"); }),
              ErrorCode::invalid_argument);
  }
  EXPECT_EQ(error_of([&] { Credentials::from_id_number("001099012345", "1990-05-17", "2030"); }),
            ErrorCode::invalid_argument);
  EXPECT_EQ(error_of([&] { Credentials::from_id_number("00109901234X", "1990-05-17", "2030-05-17"); }),
            ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace cccd

namespace cccd {
namespace {

TEST(Read, ACardWithoutCardAccessIsOpenedWithBacAndSaysSo) {
  // The profile's card (Chip and Active Authentication both run after BAC; a virtual card without
  // EF.CardAccess used to refuse INTERNAL AUTHENTICATE).
  sim::CardData data = sim::default_card();
  data.files.erase(FileId::card_access);
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  std::optional<LiveChipProof> proof;  // this test read the chip itself
  ChipDump dump = reader::read_chip(channel, default_credentials(), ReadOptions{}, nullptr, &proof);
  EXPECT_EQ(dump.access_protocol, "BAC");
  Verdict verdict = verify(dump, anchor_of(data), {}, *proof);
  EXPECT_TRUE(verdict.verified);
  EXPECT_EQ(verdict.access.detail, "BAC — the chip has no EF.CardAccess, so it offers no PACE");
  // PACE only: a clear error, not a silent BAC.
  sim::VirtualCard again(data);
  sim::VirtualCardChannel channel2(again);
  EXPECT_EQ(error_of([&] {
              reader::read_chip(channel2, default_credentials(), with_access(AccessMode::pace_only));
            }),
            ErrorCode::not_supported);
  // Without the dates there is nothing to open it with.
  sim::VirtualCard third(data);
  sim::VirtualCardChannel channel3(third);
  EXPECT_EQ(error_of([&] {
              reader::read_chip(channel3, Credentials::from_id_number("001099012345"), ReadOptions{});
            }),
            ErrorCode::invalid_argument);
}

TEST(Read, AGarbageCardAccessFallsBackToBacAndTheVerdictSaysWhy) {
  sim::CardData data = sim::default_card();
  data.files[FileId::card_access] = Bytes{0x31, 0x05, 0x30, 0x09, 0x06, 0x01, 0x00};
  sim::VirtualCard card(data);
  sim::VirtualCardChannel channel(card);
  std::optional<LiveChipProof> proof;  // this test read the chip itself
  ChipDump dump = reader::read_chip(channel, default_credentials(), ReadOptions{}, nullptr, &proof);
  EXPECT_EQ(dump.access_protocol, "BAC");
  EXPECT_NE(dump.access_note.find("EF.CardAccess does not parse"), std::string::npos) << dump.access_note;
  Verdict verdict = verify(dump, anchor_of(data), {}, *proof);
  EXPECT_TRUE(verdict.verified);
  EXPECT_NE(verdict.access.detail.find("EF.CardAccess does not parse"), std::string::npos)
      << verdict.access.detail;
}

TEST(Read, MrzPasswordOpensPaceWhenThereIsNoCan) {
  Mrz mrz = lds::parse_dg1(sim::default_card().files.at(FileId::dg1));
  Credentials credentials = Credentials::from_mrz(mrz.text);
  credentials.can.clear();
  sim::VirtualCard card(sim::default_card());
  sim::VirtualCardChannel channel(card);
  std::optional<LiveChipProof> proof;  // this test read the chip itself
  ChipDump dump = reader::read_chip(channel, credentials, ReadOptions{}, nullptr, &proof);
  EXPECT_EQ(dump.access_protocol, "PACE-GM");
  EXPECT_TRUE(verify(dump, anchor_of(sim::default_card()), {}, *proof).verified);
}

}  // namespace
}  // namespace cccd

namespace cccd {
namespace {

// A link that rewrites one byte of the n-th response (1-based) at `offset` from its start: a forged or
// broken chip answer during PACE.
class ResponseTamperingChannel : public transport::RawChannel {
 public:
  ResponseTamperingChannel(sim::VirtualCard& card, int victim, std::size_t offset)
      : card_(card), victim_(victim), offset_(offset) {}
  transport::ChannelCapabilities capabilities() const override {
    return sim::VirtualCardChannel(card_).capabilities();
  }

 protected:
  Bytes exchange(ByteView command) override {
    Bytes response = card_.process(command);
    if (++count_ == victim_ && response.size() > offset_ + 2) response[offset_] ^= 0x01;
    return response;
  }

 private:
  sim::VirtualCard& card_;
  int victim_;
  std::size_t offset_;
  int count_ = 0;
};

ErrorCode pace_error_with_tampering(int victim, std::size_t offset, sim::VirtualCard& card) {
  ResponseTamperingChannel channel(card, victim, offset);
  return error_of([&] { reader::read_chip(channel, default_credentials(), ReadOptions{}); });
}

TEST(Read, AChipTokenThatDoesNotVerifyStopsTheReadWithoutBac) {
  // APDU 1 reads EF.ATR/INFO, 2 EF.CardAccess. APDU 7 is the last GENERAL AUTHENTICATE:
  // 7C 0A 86 08 <token>; byte 4 is the token's first.
  sim::VirtualCard card(sim::default_card());
  EXPECT_EQ(pace_error_with_tampering(7, 4, card), ErrorCode::crypto);
  EXPECT_EQ(card.authentication_attempts(), 0);  // no fall back to BAC
}

TEST(Read, AnInvalidChipPublicKeyStopsTheRead) {
  // After EF.ATR/INFO and EF.CardAccess, APDU 5 answers the mapping (7C 43 82 41 04 X Y), APDU 6 the key
  // agreement (7C 43 84 41 04 X Y): flipping a bit of Y puts the point off the curve.
  for (int victim : {5, 6}) {
    SCOPED_TRACE(victim);
    sim::VirtualCard card(sim::default_card());
    EXPECT_EQ(pace_error_with_tampering(victim, 60, card), ErrorCode::crypto);
    EXPECT_EQ(card.authentication_attempts(), 0);
  }
}

TEST(Read, AnEncryptedNonceThatDoesNotParseStopsTheRead) {
  // APDU 4 answers 7C 12 80 10 <z>: a wrong inner length breaks the TLV.
  sim::VirtualCard card(sim::default_card());
  EXPECT_EQ(pace_error_with_tampering(4, 3, card), ErrorCode::malformed_data);
}

}  // namespace
}  // namespace cccd

namespace cccd {
namespace {

TEST(Read, PaceCamProofTravelsInTheDumpAndIsCheckedButNotTrustedOffline) {
  sim::GeneratorOptions options;
  options.pace = sim::PaceOffer{lds::PaceMapping::chip_authentication, 13, crypto::CipherKind::aes128};
  options.seed = 9;
  sim::CardData data = sim::generate_card(options);
  test::TempDir dir;
  sim::write_card_folder(data, dir.path() / "card");
  const std::filesystem::path source = dir.path() / "card";
  Report live = sim::read_and_verify_virtual(source, default_credentials(), nullptr);
  EXPECT_EQ(live.dump.access_protocol, "PACE-CAM");
  EXPECT_EQ(live.verdict.chip_authenticity.status, FindingStatus::passed)
      << live.verdict.chip_authenticity.detail;
  EXPECT_TRUE(live.verdict.verified);

  write_dump(live.dump, dir.path() / "dump");
  TrustStore anchor = anchor_of(data);
  // Offline the proof is checked against DG14's key, but it could be a genuine session's copied:
  // unknown, not passed, until the verifier asks its own challenge (Active Authentication).
  Report offline = verify_dump_folder(dir.path() / "dump", anchor);
  EXPECT_EQ(offline.verdict.chip_authenticity.status, FindingStatus::unknown)
      << offline.verdict.chip_authenticity.detail;
  EXPECT_FALSE(offline.verdict.verified);
  // No option of verify() turns the recorded proof into one: only the live read's own (checked above).

  // A proof that does not belong to DG14's key (a clone replaying another chip's answer) fails.
  ChipDump forged = live.dump;
  forged.cam_chip_authentication_data.back() ^= 0x01;
  Verdict verdict = verify(forged, anchor);
  EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::failed);
  EXPECT_FALSE(verdict.verified);
  // Without DG14 in the dump, the proof cannot be checked: not verified.
  forged = live.dump;
  forged.files.erase(FileId::dg14);
  verdict = verify(forged, anchor);
  EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::failed);
  EXPECT_FALSE(verdict.verified);
}

}  // namespace
}  // namespace cccd

namespace cccd {
namespace {

// A chip whose EF.CardAccess gives its PACE domain as explicit parameters (PACEDomainParameterInfo
// with a private id) instead of a standardized id.
TEST(Read, PaceWithExplicitDomainParametersFromCardAccess) {
  const std::pair<lds::KeyAgreement, lds::DomainParameters> domains[] = {
      {lds::KeyAgreement::ecdh, test::brainpool_p256r1_explicit()},
      {lds::KeyAgreement::dh,
       lds::DhDomainParameters{test::icao_hex("pace_gm_dh", "p"), test::icao_hex("pace_gm_dh", "g"),
                               test::icao_hex("pace_gm_dh", "q")}},
  };
  for (const auto& [agreement, parameters] : domains) {
    SCOPED_TRACE(agreement == lds::KeyAgreement::ecdh ? "ECDH" : "DH");
    lds::SecurityInfos infos;
    infos.pace.push_back({lds::PaceMapping::generic, agreement, crypto::CipherKind::aes128, 2, 31});
    infos.pace_domain_parameters.push_back({lds::PaceMapping::generic, agreement, parameters, 31});
    sim::CardData data = sim::default_card();
    data.files[FileId::card_access] = lds::encode_security_infos(infos);
    sim::VirtualCard card(data);
    sim::VirtualCardChannel channel(card);
    std::optional<LiveChipProof> proof;  // this test read the chip itself
    ChipDump dump = reader::read_chip(channel, default_credentials(), ReadOptions{}, nullptr, &proof);
    EXPECT_EQ(dump.access_protocol, "PACE-GM");
    EXPECT_TRUE(dump.access_note.empty()) << dump.access_note;
    EXPECT_TRUE(verify(dump, anchor_of(data), {}, *proof).verified);
  }
}

}  // namespace
}  // namespace cccd
