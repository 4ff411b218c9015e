// Evidence in memory: base64, the evidence document (round trip, every bound and its error naming the
// field), a folder's files in memory, and verify as a pure judgement of the evidence: a recorded Chip
// Authentication or PACE-CAM never makes chip authenticity pass, whatever option a caller sets, in C++,
// through the C API and through the CLI.
#include "lds/evidence_skeleton.hpp"
#include "sim/generator.hpp"
#include "sim/test_pki.hpp"
#include "sim/virtual_card_source.hpp"
#include "test_support.hpp"
#include "util/base64.hpp"
#include "util/bytes.hpp"

#include <cccd/cccd.h>
#include <cccd/error.hpp>
#include <cccd/evidence.hpp>
#include <cccd/report.hpp>
#include <cccd/verify.hpp>

#include <gtest/gtest.h>

#include <array>
#include <ctime>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace cccd {
namespace {

namespace fs = std::filesystem;

// The message of the cccd::Error `body` throws ("" when none).
std::string message_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const ChipDump& default_dump() {
  static const ChipDump dump = sim::read_virtual_card({}, test::default_credentials());
  return dump;
}

TEST(Base64, RoundTripsAndRefusesAnythingElse) {
  for (std::size_t length = 0; length < 40; ++length) {
    Bytes data(length);
    for (std::size_t i = 0; i < length; ++i) data[i] = static_cast<std::uint8_t>(i * 37 + 11);
    const std::string text = to_base64(data);
    EXPECT_EQ(text.size() % 4, 0u);
    ASSERT_TRUE(from_base64(text)) << text;
    EXPECT_EQ(*from_base64(text), data);
    EXPECT_GE(base64_decoded_bound(text), data.size());
    EXPECT_LE(base64_decoded_bound(text), data.size() + 2);
  }
  EXPECT_EQ(to_base64(as_bytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(as_string(*from_base64("Zm9v\r\nYmE=")), "fooba");  // line breaks of some encoders
  for (const char* bad : {"Zm9", "Zm9v YmFy", "Zm9-", "Zg=a", "Z===", "Zg==Zg==", "=Zg=", "Zm9_"})
    EXPECT_FALSE(from_base64(bad)) << bad;
}

// Text without line breaks is decoded a group at a time, text with them a character at a time: the two
// accept and refuse the same texts. A line break inserted anywhere changes nothing, so each random text
// (mostly the alphabet, with '=' and a few other bytes) is decoded both ways.
TEST(Base64, DecodesTheSameWithOrWithoutLineBreaks) {
  std::mt19937 random(20261206);
  const std::string pool = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/====-_ \x80";
  std::size_t decoded = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text(random() % 24, 'A');
    for (char& c : text) c = pool[random() % pool.size()];
    if (round % 2 == 0 && !text.empty()) {  // half of them from real base64, one character changed
      Bytes data(random() % 30);
      for (auto& b : data) b = static_cast<std::uint8_t>(random());
      text = to_base64(data);
      if (!text.empty() && round % 4 == 0) text[random() % text.size()] = pool[random() % pool.size()];
    }
    std::string broken = text;
    broken.insert(random() % (broken.size() + 1), random() % 2 ? "\r\n" : "\n");
    const auto unbroken_result = from_base64(text);
    const auto broken_result = from_base64(broken);
    ASSERT_EQ(unbroken_result.has_value(), broken_result.has_value()) << text;
    if (unbroken_result) {
      EXPECT_EQ(*unbroken_result, *broken_result) << text;
      EXPECT_LE(unbroken_result->size(), base64_decoded_bound(text));
      EXPECT_EQ(base64_decoded_bound(text), base64_decoded_bound(broken));
      ++decoded;
    }
  }
  EXPECT_GT(decoded, 5000u);  // the valid side is well covered, not only refusals
}

TEST(EvidenceDocument, CarriesEverythingADumpFolderCarries) {
  ChipDump dump = default_dump();
  dump.access_note = "a note";
  dump.denied = {FileId::dg3};
  dump.absent = {FileId::dg16};
  dump.cam_chip_authentication_data = {1, 2, 3};
  dump.cam_mapping_public_key = {4, 5};
  dump.chip_authentication = "CA v2";
  dump.chip_authentication_result = "failed";
  dump.chip_authentication_note = "why";
  const std::string document = evidence_document(dump);
  const nlohmann::json json = nlohmann::json::parse(document);
  EXPECT_EQ(json.at("format"), "cccd-evidence");
  EXPECT_EQ(json.at("version"), kEvidenceVersion);
  const ChipDump back = parse_evidence_document(document);
  EXPECT_EQ(back.files, dump.files);
  EXPECT_EQ(back.access_protocol, dump.access_protocol);
  EXPECT_EQ(back.access_note, dump.access_note);
  EXPECT_EQ(back.aa_challenge, dump.aa_challenge);
  EXPECT_EQ(back.aa_signature, dump.aa_signature);
  EXPECT_EQ(back.cam_chip_authentication_data, dump.cam_chip_authentication_data);
  EXPECT_EQ(back.cam_mapping_public_key, dump.cam_mapping_public_key);
  EXPECT_EQ(back.chip_authentication, dump.chip_authentication);
  EXPECT_EQ(back.chip_authentication_result, dump.chip_authentication_result);
  EXPECT_EQ(back.chip_authentication_note, dump.chip_authentication_note);
  EXPECT_EQ(back.denied, dump.denied);
  EXPECT_EQ(back.absent, dump.absent);
  EXPECT_EQ(back.stats.apdus, dump.stats.apdus);
  EXPECT_EQ(evidence_document(back), document);

  // A folder, its files in memory and the document are one dump.
  test::TempDir dir;
  write_dump(dump, dir.path() / "dump");
  DumpFiles files;
  for (const auto& entry : fs::directory_iterator(dir.path() / "dump")) {
    std::ifstream in(entry.path(), std::ios::binary);
    files[entry.path().filename().string()] = Bytes(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_EQ(evidence_document(dump_from_files(files)), document);
  EXPECT_EQ(evidence_document(load_dump(dir.path() / "dump")), document);
}

// Found by evidence_fuzzer: what loads must write a document that loads to the same document. An empty
// file stays an empty file (as in a folder); a number JSON cannot write back (1e400) is refused.
TEST(EvidenceDocument, WhatLoadsWritesBackTheSame) {
  DumpFiles files{{"DG1", Bytes{}}, {"EF.COM", Bytes{0x60, 0x00}}};
  const ChipDump from_folder = dump_from_files(files);
  const std::string document = evidence_document(from_folder);
  EXPECT_EQ(evidence_document(parse_evidence_document(document)), document);
  EXPECT_TRUE(parse_evidence_document(document).file(FileId::dg1) != nullptr);
  const std::string infinite =
      R"({"format": "cccd-evidence", "version": 1, "read": {"stats": {"seconds": 1e400}}})";
  EXPECT_EQ(message_of([&] { parse_evidence_document(infinite); }), "evidence: not valid JSON");
}

TEST(EvidenceDocument, UnknownFieldsAndFilesAreIgnored) {
  nlohmann::json json = nlohmann::json::parse(evidence_document(default_dump()));
  json["uploaded_by"] = {{"app", "x"}, {"build", 7}};
  json["files"]["DG99"] = "AAAA";
  json["files"]["card-secrets.json"] = "not even base64";
  json["read"]["future_field"] = {1, 2, 3};
  EXPECT_EQ(parse_evidence_document(json.dump()).files, default_dump().files);
}

struct BadDocument {
  const char* what;
  std::function<void(nlohmann::json&)> mangle;
  ErrorCode code;
  const char* message;  // the field the error must name
};

TEST(EvidenceDocument, EveryViolationIsAClearErrorNamingTheField) {
  const std::string big(4 * ((kMaxEvidenceFileSize + 3) / 3) + 4, 'A');
  const BadDocument cases[] = {
      {"format missing", [](auto& j) { j.erase("format"); }, ErrorCode::malformed_data, "format is missing"},
      {"format wrong", [](auto& j) { j["format"] = "dump"; }, ErrorCode::malformed_data, "format is not"},
      {"version missing", [](auto& j) { j.erase("version"); }, ErrorCode::malformed_data,
       "version is missing"},
      {"version text", [](auto& j) { j["version"] = "1"; }, ErrorCode::malformed_data, "version is not"},
      {"version 0", [](auto& j) { j["version"] = 0; }, ErrorCode::malformed_data, "version is not"},
      {"version newer", [](auto& j) { j["version"] = 2; }, ErrorCode::not_supported, "version 2 is newer"},
      {"files a list", [](auto& j) { j["files"] = nlohmann::json::array(); }, ErrorCode::malformed_data,
       "files is not an object"},
      {"file a number", [](auto& j) { j["files"]["DG1"] = 5; }, ErrorCode::malformed_data,
       "files.DG1 is not base64 text"},
      {"file not base64", [](auto& j) { j["files"]["EF.SOD"] = "@@@@"; }, ErrorCode::malformed_data,
       "files.EF.SOD is not base64"},
      {"file too large", [&](auto& j) { j["files"]["DG2"] = big; }, ErrorCode::limit_exceeded,
       "files.DG2 is larger than 1 MiB"},
      {"read a list", [](auto& j) { j["read"] = nlohmann::json::array(); }, ErrorCode::malformed_data,
       "evidence: read.not a JSON object"},
      {"cam not hex",
       [](auto& j) {
         j["read"]["cam"] = {{"mapping_public_key", "xyz"}};
       },
       ErrorCode::malformed_data, "read.cam.mapping_public_key is not hex"},
      {"aa challenge long",
       [](auto& j) { j["read"]["active_authentication"]["challenge"] = std::string(130, 'A'); },
       ErrorCode::malformed_data, "read.active_authentication.challenge is too long"},
      {"ca result",
       [](auto& j) {
         j["read"]["chip_authentication"] = {{"result", "proven"}};
       },
       ErrorCode::malformed_data, "read.chip_authentication.result is neither"},
      {"note control", [](auto& j) { j["read"]["access_note"] = "\x1b[2J"; }, ErrorCode::malformed_data,
       "read.access_note is not printable ASCII"},
      {"denied text", [](auto& j) { j["read"]["denied"] = "DG3"; }, ErrorCode::malformed_data,
       "read.denied is not a list"},
      {"stats",
       [](auto& j) {
         j["read"]["stats"] = {{"apdus", -1}};
       },
       ErrorCode::malformed_data, "read.stats.apdus is not a count"},
  };
  for (const BadDocument& c : cases) {
    SCOPED_TRACE(c.what);
    nlohmann::json json = nlohmann::json::parse(evidence_document(default_dump()));
    c.mangle(json);
    const std::string text = json.dump();
    EXPECT_EQ(test::error_of([&] { parse_evidence_document(text); }), c.code);
    EXPECT_TRUE(contains(message_of([&] { parse_evidence_document(text); }), c.message))
        << message_of([&] { parse_evidence_document(text); });
  }
  // Not JSON, not an object, nested too deeply, invalid UTF-8, too large.
  EXPECT_TRUE(
      contains(message_of([] { parse_evidence_document("{\"format\":"); }), "evidence: not valid JSON"));
  EXPECT_TRUE(contains(message_of([] { parse_evidence_document("[]"); }), "evidence: not a JSON object"));
  EXPECT_TRUE(
      contains(message_of([] { parse_evidence_document(std::string(50, '[') + std::string(50, ']')); }),
               "nested too deeply"));
  EXPECT_TRUE(contains(message_of([] { parse_evidence_document("{\"format\":\"cccd-evidence\xff\"}"); }),
                       "evidence: not valid JSON"));
  const std::string huge(kMaxEvidenceDocumentSize + 1, ' ');
  EXPECT_EQ(test::error_of([&] { parse_evidence_document(huge); }), ErrorCode::limit_exceeded);
}

// What parse_evidence_document makes of `document`, as a comparable text: the document written back from
// the dump it loaded, or the refusal's code and message.
std::string outcome_of(ChipDump (*parse)(std::string_view), std::string_view document) {
  try {
    return "loaded " + evidence_document(parse(document));
  } catch (const Error& e) {
    return "refused " + std::string(to_string(e.code())) + ": " + e.what();
  }
}

// The parser sees the document without its files' base64 (lds/evidence_skeleton.hpp): whatever the
// document, the outcome is the one of parsing it whole.
TEST(EvidenceDocument, WithoutTheFilesTextTheParserComesToTheSameOutcome) {
  const std::string real = evidence_document(default_dump());
  const std::string head = R"({"format":"cccd-evidence","version":1,)";
  const std::vector<std::string> documents = {
      real,
      head + R"("files":{"DG1":"QUJD","EF.COM":"","DG2":"QUJDRA=="}})",
      head + R"("files":{"DG1":"QU\/D"}})",           // an escape: the parser reads it
      head + R"("files":{"D\u0047\u0031":"QUJD"}})",  // a key with escapes
      head + R"("files":{"DG1":"QUJD","DG1":""}})",   // a name twice: the last counts
      head + R"("files":{"DG1":"","DG1":"QUJD"}})",
      head + R"("files":{"DG1":"QUJD","DG1":"\u002a"}})",           // the last decodes to a non-base64
      head + R"("files":{"DG1":"QUJD"},"files":{"DG2":"QUJD"}})",   // "files" twice
      head + R"("files":{"DG1":"QUJD"},"fil\u0065s":{"DG1":""}})",  // twice, the second escaped
      head + R"("fil\u0065s":{"DG1":"QUJD"}})",
      head + "\"files\":{\"DG1\":\"QU\rJD\"}}",  // a raw CR: not JSON
      head + R"("files":{"DG1":"QUJ"}})",        // the alphabet, but not base64
      head + R"("files":{"DG1":"QUJD!"}})",
      head + R"("files":"QUJD"})",
      head + R"("files":{"DG1":{"x":"QUJD"}}})",
      head + R"("files":{"DG1":["QUJD"]}})",
      head + R"("files":{"DG1":"QUJD"}} trailing)",
      head + R"("files":{"DG1":"QUJD"})",  // unterminated
      head + R"("files":{"DG1":"QUJD)",
      head + R"("files":{"DG1":"QUJD"},"read":[[[[[[[[["QUJD"]]]]]]]]]})",  // nested too deeply
      R"([{"files":{"DG1":"QUJD"}}])",
      R"({"files":{"DG1":"QUJD"}})",                         // no format
      "\xEF\xBB\xBF" + head + R"("files":{"DG1":"QUJD"}})",  // a byte order mark
      head + R"("files":{"DG1":"QUJD","x":"\xC3"}})",        // ill-formed UTF-8 beside
      head + R"("files":{"DG99":"QUJD","DG1":"QUJD"}})",
  };
  for (const std::string& document : documents) {
    EXPECT_EQ(outcome_of(parse_evidence_document, document),
              outcome_of(parse_whole_evidence_document, document))
        << document.substr(0, 200);
  }
  // The real document's files were all cut: the parser saw none of their base64.
  const lds::EvidenceSkeleton skeleton = lds::cut_file_texts(real);
  EXPECT_TRUE(skeleton.exact);
  EXPECT_EQ(skeleton.cut.size(), default_dump().files.size());
  EXPECT_LT(skeleton.text.size(), real.size() / 10);
}

TEST(DumpFiles, BoundsAsForAFolder) {
  DumpFiles files{{"DG1", Bytes(kMaxEvidenceFileSize + 1)}};
  EXPECT_EQ(test::error_of([&] { dump_from_files(files); }), ErrorCode::limit_exceeded);
  const std::string record = "{\"cam\": 5}";
  files = {{"read.json", Bytes(record.begin(), record.end())}};
  EXPECT_EQ(message_of([&] { dump_from_files(files); }), "dump: read.json: cam is not an object");
}

// ---- verify is a pure judgement of the evidence -------------------------------------------------------

constexpr std::array<std::uint8_t, 8> kOwnChallenge{1, 2, 3, 4, 5, 6, 7, 8};

// A genuine card's evidence claiming Chip Authentication or PACE-CAM passed, without the Active
// Authentication signature (which the verifier's own challenge would check): exactly what a replayed
// session looks like.
struct Claim {
  const char* what;
  sim::CardData card;
  ChipDump dump;
};

std::vector<Claim> claims() {
  std::vector<Claim> all;
  sim::GeneratorOptions ca;
  ca.chip_authentication = sim::chip_authentication_offer_v2();
  sim::GeneratorOptions cam;
  cam.pace = sim::PaceOffer{lds::PaceMapping::chip_authentication, 13, crypto::CipherKind::aes128};
  for (auto& [what, options] : {std::pair{"CA", ca}, std::pair{"PACE-CAM", cam}}) {
    Claim claim{what, sim::generate_card(options), {}};
    claim.dump = sim::read_card_data(claim.card, test::default_credentials());
    claim.dump.aa_challenge.clear();
    claim.dump.aa_signature.clear();
    all.push_back(std::move(claim));
  }
  // The claim of a card that recorded CA passed, written by hand into read.json of a default card.
  Claim forged{"forged record", sim::CardData{}, default_dump()};
  forged.dump.chip_authentication = "CA v2 ECDH-256 AES-128 GA";
  forged.dump.chip_authentication_result = "passed";
  forged.dump.aa_challenge.clear();
  forged.dump.aa_signature.clear();
  all.push_back(std::move(forged));
  return all;
}

std::vector<VerifyOptions> every_verify_option() {
  std::vector<VerifyOptions> all;
  for (int challenge = 0; challenge < 2; ++challenge) {
    for (int at = 0; at < 2; ++at) {
      VerifyOptions options;
      if (challenge) options.active_authentication_challenge = kOwnChallenge;
      if (at) options.policy.at = std::time(nullptr);
      all.push_back(options);
    }
  }
  return all;
}

TEST(PureVerify, RecordedChipAuthenticationOrCamNeverPassesInCpp) {
  for (const Claim& claim : claims()) {
    SCOPED_TRACE(claim.what);
    if (claim.dump.chip_authentication_result.empty()) {
      ASSERT_FALSE(claim.dump.cam_chip_authentication_data.empty());
    }
    const TrustStore trust = claim.card.csca_pem.empty() ? TrustStore() : test::anchor_of(claim.card);
    for (const VerifyOptions& options : every_verify_option()) {
      const Verdict verdict = verify(claim.dump, trust, options);
      EXPECT_NE(verdict.chip_authenticity.status, FindingStatus::passed) << verdict.chip_authenticity.detail;
      EXPECT_FALSE(verdict.verified);
      const Report report = verify_evidence(claim.dump, trust, options);
      EXPECT_NE(report.verdict.chip_authenticity.status, FindingStatus::passed);
    }
  }
}

TEST(PureVerify, RecordedChipAuthenticationOrCamNeverPassesThroughTheCApi) {
  for (const Claim& claim : claims()) {
    SCOPED_TRACE(claim.what);
    test::TempDir dir;
    write_dump(claim.dump, dir.path() / "dump");
    cccd_trust* trust = nullptr;
    ASSERT_EQ(cccd_trust_new(&trust), CCCD_OK);
    if (!claim.card.csca_pem.empty()) {
      ASSERT_EQ(cccd_trust_add_data(trust, reinterpret_cast<const std::uint8_t*>(claim.card.csca_pem.data()),
                                    claim.card.csca_pem.size()),
                CCCD_OK);
    }
    const std::string document = evidence_document(claim.dump);
    cccd_evidence* evidence = nullptr;
    ASSERT_EQ(cccd_evidence_from_document(reinterpret_cast<const std::uint8_t*>(document.data()),
                                          document.size(), &evidence),
              CCCD_OK);
    std::vector<cccd_result*> results;
    for (const cccd_trust* store :
         {static_cast<const cccd_trust*>(trust), static_cast<const cccd_trust*>(nullptr)}) {
      cccd_result* result = nullptr;
      ASSERT_EQ(cccd_verify_dump((dir.path() / "dump").c_str(), store, &result), CCCD_OK);
      results.push_back(result);
      ASSERT_EQ(cccd_verify_dump_with_challenge((dir.path() / "dump").c_str(), store, kOwnChallenge.data(), 8,
                                                &result),
                CCCD_OK);
      results.push_back(result);
      ASSERT_EQ(cccd_verify_evidence(evidence, store, nullptr, &result), CCCD_OK);
      results.push_back(result);
      for (int challenge = 0; challenge < 2; ++challenge) {
        for (int at = 0; at < 2; ++at) {
          cccd_verify_options* options = nullptr;
          ASSERT_EQ(cccd_verify_options_new(&options), CCCD_OK);
          if (challenge) {
            ASSERT_EQ(cccd_verify_options_set_challenge(options, kOwnChallenge.data(), 8), CCCD_OK);
          }
          if (at) {
            ASSERT_EQ(cccd_verify_options_set_time(options, std::time(nullptr)), CCCD_OK);
          }
          ASSERT_EQ(cccd_verify_evidence(evidence, store, options, &result), CCCD_OK);
          results.push_back(result);
          cccd_verify_options_free(options);
        }
      }
    }
    for (cccd_result* result : results) {
      const nlohmann::json json = nlohmann::json::parse(cccd_result_json(result));
      EXPECT_NE(json.at("verdict").at("chip_authenticity").at("status"), "passed") << json.dump();
      EXPECT_EQ(cccd_result_verified(result), 0);
      cccd_result_free(result);
    }
    cccd_evidence_free(evidence);
    cccd_trust_free(trust);
  }
}

TEST(PureVerify, RecordedChipAuthenticationOrCamNeverPassesThroughTheCli) {
  const std::string program = std::string(CCCD_BINARY_DIR) + "/cccd-verify";
  for (const Claim& claim : claims()) {
    SCOPED_TRACE(claim.what);
    test::TempDir dir;
    write_dump(claim.dump, dir.path() / "dump");
    const std::string document = evidence_document(claim.dump);
    std::ofstream(dir.path() / "evidence.json") << document;
    std::ofstream(dir.path() / "csca.pem") << claim.card.csca_pem;
    for (const char* input : {"dump", "evidence.json"}) {
      for (const char* trust : {"", " --trust csca.pem"}) {
        for (const char* challenge : {"", " --challenge 0102030405060708"}) {
          if (claim.card.csca_pem.empty() && *trust != '\0') continue;
          const std::string command = "cd " + dir.path().string() + " && " + program + " verify " + input +
                                      trust + challenge + " --json";
          const test::ProgramRun run = test::run_program(command);
          EXPECT_EQ(run.exit_code, 1) << command << "\n" << run.out;
          const nlohmann::json json = nlohmann::json::parse(run.out);
          EXPECT_NE(json.at("verdict").at("chip_authenticity").at("status"), "passed") << command;
        }
      }
    }
  }
}

TEST(PureVerify, ALiveReadStillProvesChipAuthentication) {
  sim::GeneratorOptions options;
  options.chip_authentication = sim::chip_authentication_offer_v2();
  const sim::CardData card = sim::generate_card(options);
  test::TempDir dir;
  sim::write_card_folder(card, dir.path() / "card");
  const Report live = sim::read_and_verify_virtual(dir.path() / "card", test::default_credentials(), nullptr);
  EXPECT_EQ(live.dump.chip_authentication_result, "passed");
  EXPECT_EQ(live.verdict.chip_authenticity.status, FindingStatus::passed)
      << live.verdict.chip_authenticity.detail;
  EXPECT_TRUE(contains(live.verdict.chip_authenticity.detail, "performed at read time"));
  EXPECT_TRUE(live.verdict.verified);
}

TEST(PureVerify, AReplayedDocumentFailsChipAuthenticity) {
  // Read with one server challenge, verified with another: the signature is over another challenge.
  sim::GeneratorOptions generator;
  generator.active_authentication.algorithm = sim::AaAlgorithm::ecdsa;
  const sim::CardData card = sim::generate_card(generator);
  ReadOptions read_options;
  read_options.active_authentication_challenge = std::array<std::uint8_t, 8>{9, 9, 9, 9, 9, 9, 9, 9};
  const ChipDump dump = sim::read_card_data(card, test::default_credentials(), read_options);
  ASSERT_FALSE(dump.aa_signature.empty());
  const ChipDump replayed = parse_evidence_document(evidence_document(dump));
  VerifyOptions options;
  options.active_authentication_challenge = kOwnChallenge;
  const Verdict verdict = verify(replayed, test::anchor_of(card), options);
  EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::failed) << verdict.chip_authenticity.detail;
  EXPECT_FALSE(verdict.verified);
  options.active_authentication_challenge = read_options.active_authentication_challenge;
  const Verdict own = verify(replayed, test::anchor_of(card), options);
  EXPECT_EQ(own.chip_authenticity.status, FindingStatus::passed) << own.chip_authenticity.detail;
  EXPECT_TRUE(own.verified);
}

// ---- the C API of evidence and of trust from memory -----------------------------------------------------

std::string last_error() {
  return cccd_last_error();
}

TEST(EvidenceCApi, BuffersInDocumentOutAndEveryBadArgumentNamed) {
  cccd_evidence* evidence = nullptr;
  ASSERT_EQ(cccd_evidence_new(&evidence), CCCD_OK);
  for (const auto& [id, bytes] : default_dump().files)
    ASSERT_EQ(
        cccd_evidence_set_file(evidence, std::string(file_name(id)).c_str(), bytes.data(), bytes.size()),
        CCCD_OK);
  const ChipDump& dump = default_dump();
  ASSERT_EQ(cccd_evidence_set_active_authentication(evidence, kOwnChallenge.data(), 8,
                                                    dump.aa_signature.data(), dump.aa_signature.size()),
            CCCD_OK);
  ASSERT_EQ(cccd_evidence_set_access(evidence, "PACE-GM", nullptr), CCCD_OK);
  ASSERT_EQ(cccd_evidence_add_denied(evidence, "DG3"), CCCD_OK);
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
  ASSERT_EQ(cccd_evidence_file(evidence, "DG1", &data, &size), CCCD_OK);
  EXPECT_EQ(Bytes(data, data + size), dump.files.at(FileId::dg1));
  EXPECT_EQ(cccd_evidence_file(evidence, "DG7", &data, &size), CCCD_ERR_FILE_NOT_FOUND);
  const char* text = nullptr;
  ASSERT_EQ(cccd_evidence_document(evidence, &text, &size), CCCD_OK);
  const ChipDump back = parse_evidence_document(std::string_view(text, size));
  EXPECT_EQ(back.files, dump.files);
  EXPECT_EQ(back.access_protocol, "PACE-GM");
  EXPECT_EQ(back.denied, std::vector<FileId>{FileId::dg3});
  EXPECT_EQ(Bytes(back.aa_challenge), Bytes(kOwnChallenge.begin(), kOwnChallenge.end()));

  // Bad arguments: each a status and a message.
  const Bytes big(kMaxEvidenceFileSize + 1);
  EXPECT_EQ(cccd_evidence_set_file(evidence, "DG99", data, 1), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(last_error(), "not a file name of a dump"));
  EXPECT_EQ(cccd_evidence_set_file(evidence, "DG2", big.data(), big.size()), CCCD_ERR_LIMIT_EXCEEDED);
  EXPECT_EQ(cccd_evidence_set_file(evidence, "DG2", nullptr, 5), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cccd_evidence_set_active_authentication(evidence, kOwnChallenge.data(), 7, nullptr, 0),
            CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cccd_evidence_set_chip_authentication(evidence, "CA", "proven", nullptr),
            CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cccd_evidence_set_access(evidence, "PACE\x1b[2J", nullptr), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(last_error(), "not printable ASCII"));
  EXPECT_EQ(cccd_evidence_set_pace_cam(evidence, big.data(), 2000, big.data(), 10), CCCD_ERR_LIMIT_EXCEEDED);
  EXPECT_EQ(cccd_evidence_add_absent(evidence, "EF.XYZ"), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cccd_verify_evidence(nullptr, nullptr, nullptr, nullptr), CCCD_ERR_INVALID_ARGUMENT);
  cccd_evidence* parsed = nullptr;
  const std::string bad = R"({"format": "cccd-evidence", "version": 1, "files": {"DG1": "@@"}})";
  EXPECT_EQ(
      cccd_evidence_from_document(reinterpret_cast<const std::uint8_t*>(bad.data()), bad.size(), &parsed),
      CCCD_ERR_MALFORMED_DATA);
  EXPECT_EQ(parsed, nullptr);
  EXPECT_EQ(last_error(), "evidence: files.DG1 is not base64");
  EXPECT_TRUE(contains(cccd_last_error_json(), "files.DG1 is not base64"));

  // A folder written from the evidence reads back as the same evidence.
  test::TempDir dir;
  ASSERT_EQ(cccd_evidence_write_folder(evidence, (dir.path() / "dump").c_str()), CCCD_OK);
  EXPECT_EQ(cccd_evidence_write_folder(evidence, (dir.path() / "dump").c_str()), CCCD_ERR_IO);
  ASSERT_EQ(cccd_evidence_from_folder((dir.path() / "dump").c_str(), &parsed), CCCD_OK);
  const char* again = nullptr;
  ASSERT_EQ(cccd_evidence_document(parsed, &again, nullptr), CCCD_OK);
  ASSERT_EQ(cccd_evidence_document(evidence, &text, nullptr), CCCD_OK);
  EXPECT_STREQ(again, text);
  cccd_evidence_free(parsed);
  cccd_evidence_free(evidence);
}

TEST(EvidenceCApi, TrustStoreFromMemory) {
  const sim::TestPki pki = sim::make_test_pki(sim::SignerAlgorithm::ecdsa_brainpool_p256r1, 530);
  const Bytes crl = sim::make_test_crl(pki.csca_key.pkey(), pki.csca_certificate, {pki.ds_certificate},
                                       std::time(nullptr) - 3600);
  cccd_trust* trust = nullptr;
  ASSERT_EQ(cccd_trust_new(&trust), CCCD_OK);
  ASSERT_EQ(cccd_trust_add_data(trust, pki.csca_certificate.data(), pki.csca_certificate.size()), CCCD_OK);
  EXPECT_EQ(cccd_trust_add_crl_data(trust, crl.data(), crl.size()), CCCD_OK);
  EXPECT_EQ(cccd_trust_add_crl_data(trust, pki.csca_certificate.data(), pki.csca_certificate.size()),
            CCCD_ERR_MALFORMED_DATA);
  EXPECT_EQ(cccd_trust_add_crl_data(trust, nullptr, 0), CCCD_ERR_INVALID_ARGUMENT);

  const auto read = [](const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
  };
  const Bytes list = read(fs::path(CCCD_TEST_DATA_DIR) / "pki/NL_ML_2026-07-22.ml");
  const Bytes root = read(fs::path(CCCD_TEST_DATA_DIR) / "pki/NL_ROOT_CA.cer");
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(cccd_trust_add_master_list_data(trust, list.data(), list.size(), root.data(), root.size()),
            CCCD_OK)
      << last_error();
  // A list whose signer chains to none of the roots given: refused, nothing added.
  EXPECT_EQ(cccd_trust_add_master_list_data(trust, list.data(), list.size(), pki.csca_certificate.data(),
                                            pki.csca_certificate.size()),
            CCCD_ERR_CRYPTO);
  EXPECT_EQ(cccd_trust_add_master_list_data(trust, root.data(), root.size(), root.data(), root.size()),
            CCCD_ERR_MALFORMED_DATA);
  EXPECT_TRUE(contains(last_error(), "not a CSCA master list"));
  cccd_trust_free(trust);
}

// ---- the CLI: pack, unpack, read --evidence, verify FILE ---------------------------------------------

TEST(EvidenceCli, PackUnpackAndReadEvidence) {
  const std::string program = std::string(CCCD_BINARY_DIR) + "/cccd-verify";
  test::TempDir dir;
  const std::string d = dir.path().string();
  write_dump(default_dump(), dir.path() / "dump");
  EXPECT_EQ(test::run_program(program + " pack " + d + "/dump " + d + "/doc.json").exit_code, 0);
  EXPECT_EQ(fs::status(dir.path() / "doc.json").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  std::ifstream in(dir.path() / "doc.json");
  const std::string document((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(document, evidence_document(load_dump(dir.path() / "dump")) + "\n");
  // Never over an existing file unless asked; stdout when no FILE.
  EXPECT_EQ(test::run_program(program + " pack " + d + "/dump " + d + "/doc.json 2>&1").exit_code, 7);
  EXPECT_EQ(test::run_program(program + " pack " + d + "/dump " + d + "/doc.json --replace").exit_code, 0);
  EXPECT_EQ(test::run_program(program + " pack " + d + "/dump").out, document);
  // unpack: a new folder with the same files; an existing one refused.
  EXPECT_EQ(test::run_program(program + " unpack " + d + "/doc.json " + d + "/again").exit_code, 0);
  EXPECT_EQ(evidence_document(load_dump(dir.path() / "again")),
            evidence_document(load_dump(dir.path() / "dump")));
  EXPECT_EQ(test::run_program(program + " unpack " + d + "/doc.json " + d + "/again 2>&1").exit_code, 7);
  EXPECT_EQ(test::run_program(program + " unpack - " + d + "/piped < " + d + "/doc.json").exit_code, 0);
  // A broken document: a clear error naming the field (malformed data: exit 6).
  std::ofstream(dir.path() / "bad.json")
      << R"({"format": "cccd-evidence", "version": 1, "files": {"EF.SOD": 7}})";
  const test::ProgramRun bad = test::run_program(program + " verify " + d + "/bad.json --lang en 2>&1");
  EXPECT_EQ(bad.exit_code, 6) << bad.out;
  EXPECT_TRUE(contains(bad.out, "files.EF.SOD is not base64 text")) << bad.out;
  // read --evidence writes the document of the read, 0600; an existing file is refused.
  const std::string read = "echo 001099012345 | " + program +
                           " read --sim --id-stdin --birth 1990-05-17 --expiry 2030-05-17 --evidence " + d +
                           "/read.json --json > /dev/null";
  EXPECT_EQ(test::run_program(read).exit_code, 0);
  EXPECT_EQ(fs::status(dir.path() / "read.json").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(test::run_program(program + " verify " + d + "/read.json --json > /dev/null").exit_code, 1);
  EXPECT_EQ(test::run_program(read).exit_code, 7);
}

}  // namespace
}  // namespace cccd
