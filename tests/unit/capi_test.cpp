// The C API as a C program sees it: only the exported cccd_* functions of the shared library, every
// failure a status plus this thread's message, and NULL tolerated everywhere.
#include "lds/lds.hpp"
#include "sim/generator.hpp"
#include "test_support.hpp"

#include "c_virtual_card.hpp"

#include <cccd/cccd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace cccd {
namespace {

using nlohmann::json;

const char* const kIdNumber = "001099012345";
const char* const kBirth = "1990-05-17";
const char* const kExpiry = "2030-05-17";

// Owners so that a failing assertion does not leak the handles.
struct CredentialsHandle {
  cccd_credentials* ptr = nullptr;
  ~CredentialsHandle() { cccd_credentials_free(ptr); }
};
struct TrustHandle {
  cccd_trust* ptr = nullptr;
  ~TrustHandle() { cccd_trust_free(ptr); }
};
struct ResultHandle {
  cccd_result* ptr = nullptr;
  ~ResultHandle() { cccd_result_free(ptr); }
};

json json_of(const cccd_result* result) {
  return json::parse(cccd_result_json(result));
}

// The built-in virtual CCCD read with the default holder's credentials.
// The challenge a server chose for the reads of these tests: a dump verified with it counts the chip's
// Active Authentication (the default card, like every CCCD, has DG15).
constexpr std::uint8_t kServerChallenge[8] = {0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58};

void read_default_card(ResultHandle& result) {
  CredentialsHandle credentials;
  ASSERT_EQ(cccd_credentials_from_id(kIdNumber, kBirth, kExpiry, &credentials.ptr), CCCD_OK)
      << cccd_last_error();
  ASSERT_NE(credentials.ptr, nullptr);
  const test::CVirtualCard card;
  cccd_read_options* options = nullptr;
  ASSERT_EQ(cccd_read_options_new(&options), CCCD_OK);
  ASSERT_EQ(cccd_read_options_set_challenge(options, kServerChallenge, sizeof kServerChallenge), CCCD_OK);
  const cccd_status status = cccd_read(card.transport(), credentials.ptr, card.trust(), options, &result.ptr);
  cccd_read_options_free(options);
  ASSERT_EQ(status, CCCD_OK) << cccd_last_error();
  ASSERT_NE(result.ptr, nullptr);
}

TEST(CApi, VersionIsNonEmpty) {
  ASSERT_NE(cccd_version(), nullptr);
  EXPECT_STRNE(cccd_version(), "");
}

TEST(CApi, BuiltInVirtualCardIsVerifiedWithItsTestCsca) {
  ResultHandle result;
  ASSERT_NO_FATAL_FAILURE(read_default_card(result));
  EXPECT_STREQ(cccd_last_error(), "");
  EXPECT_EQ(cccd_result_verified(result.ptr), 1);

  const json report = json_of(result.ptr);
  // Read through cccd_transport_new like any integrator's transport, so the source is "custom".
  EXPECT_EQ(report["source"], "custom");
  EXPECT_EQ(report["verdict"]["overall"], "verified");
  EXPECT_EQ(report["verdict"]["signer_trust"]["status"], "passed");
  EXPECT_EQ(report["verdict"]["signer_trust"]["test_csca"], true);
  EXPECT_EQ(report["verdict"]["access"]["status"], "passed");
  EXPECT_FALSE(report.contains("error"));
}

TEST(CApi, CompactJsonIsTheSameDocumentOnOneLine) {
  ResultHandle result;
  ASSERT_NO_FATAL_FAILURE(read_default_card(result));
  const std::string indented = cccd_result_json(result.ptr);
  const std::string compact = cccd_result_json_compact(result.ptr);
  ASSERT_FALSE(compact.empty());
  EXPECT_EQ(compact.find('\n'), std::string::npos);
  EXPECT_LT(compact.size(), indented.size() * 3 / 4);  // the indentation is a third of the bytes and more
  EXPECT_EQ(json::parse(compact), json::parse(indented));
  // What nlohmann writes for the same document on one line: byte for byte, as for the indented form.
  EXPECT_EQ(compact, json::parse(indented).dump());
  // Each form is built once and kept: the same pointer on every call, the other form untouched.
  EXPECT_EQ(cccd_result_json_compact(result.ptr), cccd_result_json_compact(result.ptr));
  EXPECT_EQ(std::string(cccd_result_json(result.ptr)), indented);
}

TEST(CApi, PhotoIsTheFaceImageOfDg2) {
  ResultHandle result;
  ASSERT_NO_FATAL_FAILURE(read_default_card(result));
  const Bytes expected = lds::parse_dg2(sim::default_card().files.at(FileId::dg2)).data;
  ASSERT_FALSE(expected.empty());

  const uint8_t* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(cccd_result_photo(result.ptr, &data, &size), CCCD_OK) << cccd_last_error();
  ASSERT_NE(data, nullptr);
  ASSERT_EQ(size, expected.size());
  EXPECT_EQ(Bytes(data, data + size), expected);
  EXPECT_EQ(json_of(result.ptr)["document"]["photo"]["size"], expected.size());
}

// The verdict per finding through cccd_result_finding_*: the same names, order and statuses as the JSON's
// verdict (its members that are findings: objects with a "status").
void expect_findings_match_json(const cccd_result* result) {
  const json verdict = json_of(result)["verdict"];
  std::vector<std::pair<std::string, std::string>> from_json;
  for (const auto& [name, value] : verdict.items()) {
    if (value.is_object() && value.contains("status")) from_json.emplace_back(name, value["status"]);
  }
  std::vector<std::pair<std::string, std::string>> from_api;
  for (size_t i = 0; const char* name = cccd_result_finding_name(result, i); ++i) {
    const char* status = cccd_result_finding_status(result, name);
    ASSERT_NE(status, nullptr) << name;
    from_api.emplace_back(name, status);
  }
  EXPECT_EQ(from_api, from_json);
}

TEST(CApi, FindingsAreTheVerdictsOwnForAVerifiedCard) {
  ResultHandle result;
  ASSERT_NO_FATAL_FAILURE(read_default_card(result));
  ASSERT_NO_FATAL_FAILURE(expect_findings_match_json(result.ptr));
  EXPECT_STREQ(cccd_result_finding_status(result.ptr, "chip_authenticity"), "passed");
  // No QR line was given: no such finding, and the list ends after signer_trust.
  EXPECT_EQ(cccd_result_finding_status(result.ptr, "qr_consistency"), nullptr);
  EXPECT_STREQ(cccd_result_finding_name(result.ptr, 5), "signer_trust");
  EXPECT_EQ(cccd_result_finding_name(result.ptr, 6), nullptr);
  EXPECT_EQ(cccd_result_finding_name(result.ptr, SIZE_MAX), nullptr);
  // Names that are not findings: the verdict's other members, and none at all.
  EXPECT_EQ(cccd_result_finding_status(result.ptr, "overall"), nullptr);
  EXPECT_EQ(cccd_result_finding_status(result.ptr, "policy"), nullptr);
  EXPECT_EQ(cccd_result_finding_status(result.ptr, ""), nullptr);
  EXPECT_EQ(cccd_result_finding_status(result.ptr, nullptr), nullptr);
  EXPECT_EQ(cccd_result_finding_name(nullptr, 0), nullptr);
  EXPECT_EQ(cccd_result_finding_status(nullptr, "access"), nullptr);
}

TEST(CApi, FindingsOfAnUntrustedReadWithAQrLineAreTheVerdictsOwn) {
  // A QR line whose name differs from the chip's: qr_consistency is a finding, and it failed.
  CredentialsHandle credentials;
  ASSERT_EQ(cccd_credentials_from_id("001099012345||Someone Else|17051990|Nam|X|10042021", "", "",
                                     &credentials.ptr),
            CCCD_OK)
      << cccd_last_error();
  const test::CVirtualCard card;
  ResultHandle result;
  ASSERT_EQ(cccd_read(card.transport(), credentials.ptr, nullptr, nullptr, &result.ptr), CCCD_OK)
      << cccd_last_error();
  ASSERT_NO_FATAL_FAILURE(expect_findings_match_json(result.ptr));
  EXPECT_STREQ(cccd_result_finding_status(result.ptr, "signer_trust"), "unknown");
  EXPECT_STREQ(cccd_result_finding_status(result.ptr, "qr_consistency"), "failed");
  EXPECT_STREQ(cccd_result_finding_name(result.ptr, 5), "qr_consistency");
  EXPECT_STREQ(cccd_result_finding_name(result.ptr, 6), "signer_trust");
  EXPECT_EQ(cccd_result_finding_name(result.ptr, 7), nullptr);
}

TEST(CApi, BadIdNumberIsInvalidArgumentWithoutEchoingIt) {
  const char* const bad_id = "00109901234X";
  cccd_credentials* out = reinterpret_cast<cccd_credentials*>(&out);  // a non-NULL sentinel
  EXPECT_EQ(cccd_credentials_from_id(bad_id, kBirth, kExpiry, &out), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(out, nullptr);
  const std::string message = cccd_last_error();
  EXPECT_FALSE(message.empty());
  EXPECT_EQ(message.find(bad_id), std::string::npos) << message;

  out = reinterpret_cast<cccd_credentials*>(&out);
  EXPECT_EQ(cccd_credentials_from_id("0010990123", kBirth, kExpiry, &out), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(std::string(cccd_last_error()).find("0010990123"), std::string::npos) << cccd_last_error();
}

TEST(CApi, AFailedCallIsAlsoAnErrorDocumentAndASuccessClearsIt) {
  cccd_credentials* out = nullptr;
  ASSERT_EQ(cccd_credentials_from_id("00109901234X", kBirth, kExpiry, &out), CCCD_ERR_INVALID_ARGUMENT);
  const nlohmann::json error = nlohmann::json::parse(cccd_last_error_json());
  EXPECT_EQ(error["error"]["code"], "invalid_argument");
  EXPECT_EQ(error["error"]["message"], cccd_last_error());
  EXPECT_EQ(error["verdict"]["overall"], "not_verified");
  EXPECT_EQ(std::string(cccd_last_error_json()).find("00109901234X"), std::string::npos);

  ASSERT_EQ(cccd_credentials_from_id("001099012345", kBirth, kExpiry, &out), CCCD_OK);
  EXPECT_STREQ(cccd_last_error_json(), "");
  cccd_credentials_free(out);
}

TEST(CApi, BadDateIsInvalidArgumentWithoutEchoingIt) {
  const char* const bad_birth = "1990-13-45";
  cccd_credentials* out = reinterpret_cast<cccd_credentials*>(&out);
  EXPECT_EQ(cccd_credentials_from_id(kIdNumber, bad_birth, kExpiry, &out), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(out, nullptr);
  std::string message = cccd_last_error();
  EXPECT_FALSE(message.empty());
  EXPECT_EQ(message.find(bad_birth), std::string::npos) << message;
  EXPECT_EQ(message.find(kIdNumber), std::string::npos) << message;

  const char* const bad_expiry = "17.05.2030";
  out = reinterpret_cast<cccd_credentials*>(&out);
  EXPECT_EQ(cccd_credentials_from_id(kIdNumber, kBirth, bad_expiry, &out), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(out, nullptr);
  message = cccd_last_error();
  EXPECT_FALSE(message.empty());
  EXPECT_EQ(message.find(bad_expiry), std::string::npos) << message;
}

TEST(CApi, SuccessfulCallClearsTheLastError) {
  cccd_credentials* out = nullptr;
  ASSERT_EQ(cccd_credentials_from_id("bad", kBirth, kExpiry, &out), CCCD_ERR_INVALID_ARGUMENT);
  ASSERT_STRNE(cccd_last_error(), "");
  CredentialsHandle credentials;
  ASSERT_EQ(cccd_credentials_from_id(kIdNumber, kBirth, kExpiry, &credentials.ptr), CCCD_OK);
  EXPECT_STREQ(cccd_last_error(), "");
}

TEST(CApi, WrongIdNumberIsAccessDenied) {
  // The last six digits are the CAN the virtual CCCD is opened with (PACE): a wrong one is refused.
  CredentialsHandle credentials;
  ASSERT_EQ(cccd_credentials_from_id("001099012399", kBirth, kExpiry, &credentials.ptr), CCCD_OK);
  cccd_result* result = reinterpret_cast<cccd_result*>(&result);
  const test::CVirtualCard card;
  EXPECT_EQ(cccd_read(card.transport(), credentials.ptr, card.trust(), nullptr, &result),
            CCCD_ERR_ACCESS_DENIED);
  EXPECT_EQ(result, nullptr);
  const std::string message = cccd_last_error();
  EXPECT_FALSE(message.empty());
  EXPECT_EQ(message.find("012399"), std::string::npos) << message;
  EXPECT_EQ(message.find("900518"), std::string::npos) << message;
}

// Nothing is trusted implicitly: the same card without its CSCA as trust reads, but is not verified.
TEST(CApi, WithoutTrustTheVirtualCardIsNotVerified) {
  CredentialsHandle credentials;
  ASSERT_EQ(cccd_credentials_from_id(kIdNumber, kBirth, kExpiry, &credentials.ptr), CCCD_OK);
  const test::CVirtualCard card;
  ResultHandle result;
  ASSERT_EQ(cccd_read(card.transport(), credentials.ptr, nullptr, nullptr, &result.ptr), CCCD_OK)
      << cccd_last_error();
  EXPECT_EQ(cccd_result_verified(result.ptr), 0);
  const json document = json_of(result.ptr);
  EXPECT_EQ(document["verdict"]["signer_trust"]["status"], "unknown") << document.dump(2);
}

// The CAN alone opens the CCCD (PACE).
TEST(CApi, CanAloneOpensTheCard) {
  CredentialsHandle credentials;
  ASSERT_EQ(cccd_credentials_from_can("012345", &credentials.ptr), CCCD_OK) << cccd_last_error();
  const test::CVirtualCard card;
  ResultHandle result;
  ASSERT_EQ(cccd_read(card.transport(), credentials.ptr, card.trust(), nullptr, &result.ptr), CCCD_OK)
      << cccd_last_error();
  EXPECT_EQ(cccd_result_verified(result.ptr), 1);
  cccd_credentials* bad = nullptr;
  EXPECT_EQ(cccd_credentials_from_can("01234", &bad), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(bad, nullptr);
}

TEST(CApi, VersionMacrosMatchTheLibrary) {
  EXPECT_STREQ(cccd_version(), CCCD_VERSION_STRING);
  EXPECT_EQ(cccd_version_number(), static_cast<uint32_t>(CCCD_VERSION_NUMBER));
  EXPECT_EQ(CCCD_VERSION_NUMBER, CCCD_VERSION_MAJOR * 10000 + CCCD_VERSION_MINOR * 100 + CCCD_VERSION_PATCH);
}

// Every entry point given a NULL where it needs an object fails cleanly, with a message.
TEST(CApi, NullArgumentsAreInvalidArgument) {
  CredentialsHandle credentials;
  ASSERT_EQ(cccd_credentials_from_id(kIdNumber, kBirth, kExpiry, &credentials.ptr), CCCD_OK);
  TrustHandle trust;
  ASSERT_EQ(cccd_trust_new(&trust.ptr), CCCD_OK);
  ResultHandle result;
  ASSERT_NO_FATAL_FAILURE(read_default_card(result));

  cccd_credentials* new_credentials = nullptr;
  cccd_result* new_result = nullptr;
  const uint8_t* data = nullptr;
  size_t size = 0;
  const auto expect_invalid = [](cccd_status status, const char* call) {
    EXPECT_EQ(status, CCCD_ERR_INVALID_ARGUMENT) << call;
    EXPECT_STRNE(cccd_last_error(), "") << call;
  };

  expect_invalid(cccd_credentials_from_id(nullptr, kBirth, kExpiry, &new_credentials), "from_id id");
  expect_invalid(cccd_credentials_from_id(kIdNumber, nullptr, kExpiry, &new_credentials), "from_id birth");
  expect_invalid(cccd_credentials_from_id(kIdNumber, kBirth, nullptr, &new_credentials), "from_id expiry");
  expect_invalid(cccd_credentials_from_id(kIdNumber, kBirth, kExpiry, nullptr), "from_id out");
  expect_invalid(cccd_credentials_from_mrz(nullptr, &new_credentials), "from_mrz text");
  expect_invalid(cccd_credentials_from_mrz("IDVNM", nullptr), "from_mrz out");
  EXPECT_EQ(new_credentials, nullptr);

  expect_invalid(cccd_trust_new(nullptr), "trust_new");
  expect_invalid(cccd_trust_add_path(nullptr, "/tmp"), "trust_add_path trust");
  expect_invalid(cccd_trust_add_path(trust.ptr, nullptr), "trust_add_path path");

  const test::CVirtualCard card;
  expect_invalid(cccd_read(card.transport(), nullptr, nullptr, nullptr, &new_result), "read credentials");
  expect_invalid(cccd_read(card.transport(), credentials.ptr, nullptr, nullptr, nullptr), "read out");
  expect_invalid(cccd_read(nullptr, credentials.ptr, nullptr, nullptr, &new_result), "read transport");
  cccd_transport* new_transport = nullptr;
  expect_invalid(cccd_transport_new(nullptr, nullptr, &new_transport), "transport_new callbacks");
  cccd_transport_callbacks no_transmit{};
  no_transmit.struct_size = sizeof no_transmit;
  expect_invalid(cccd_transport_new(&no_transmit, nullptr, &new_transport), "transport_new transmit");
  no_transmit.struct_size = 4;
  expect_invalid(cccd_transport_new(&no_transmit, nullptr, &new_transport), "transport_new struct_size");
  expect_invalid(cccd_transport_pcsc_new(nullptr, nullptr), "transport_pcsc_new out");
  EXPECT_EQ(new_transport, nullptr);
  expect_invalid(cccd_verify_dump(nullptr, nullptr, &new_result), "verify_dump folder");
  expect_invalid(cccd_verify_dump("/tmp", nullptr, nullptr), "verify_dump out");
  EXPECT_EQ(new_result, nullptr);

  expect_invalid(cccd_result_photo(nullptr, &data, &size), "result_photo result");
  expect_invalid(cccd_result_photo(result.ptr, nullptr, &size), "result_photo data");
  expect_invalid(cccd_result_photo(result.ptr, &data, nullptr), "result_photo size");
  expect_invalid(cccd_result_write_dump(nullptr, "/tmp"), "write_dump result");
  expect_invalid(cccd_result_write_dump(result.ptr, nullptr), "write_dump folder");

  // The accessors that cannot fail answer "nothing" for NULL.
  EXPECT_EQ(cccd_result_verified(nullptr), 0);
  ASSERT_NE(cccd_result_json(nullptr), nullptr);
  EXPECT_STREQ(cccd_result_json(nullptr), "");
  ASSERT_NE(cccd_result_json_compact(nullptr), nullptr);
  EXPECT_STREQ(cccd_result_json_compact(nullptr), "");
}

TEST(CApi, FreeingNullIsHarmless) {
  cccd_credentials_free(nullptr);
  cccd_trust_free(nullptr);
  cccd_result_free(nullptr);
  SUCCEED();  // reaching here without a crash is the outcome
}

TEST(CApi, DumpVerifiesAgainstTheTestCscaInATrustStore) {
  ResultHandle read;
  ASSERT_NO_FATAL_FAILURE(read_default_card(read));
  test::TempDir temp;
  const auto dump = temp.path() / "dump";
  ASSERT_EQ(cccd_result_write_dump(read.ptr, dump.c_str()), CCCD_OK) << cccd_last_error();

  const auto pem = temp.path() / "csca.pem";
  {
    std::ofstream file(pem, std::ios::binary);
    file << sim::default_card().csca_pem;
    ASSERT_TRUE(file.good());
  }
  TrustHandle trust;
  ASSERT_EQ(cccd_trust_new(&trust.ptr), CCCD_OK);
  ASSERT_EQ(cccd_trust_add_path(trust.ptr, pem.c_str()), CCCD_OK) << cccd_last_error();

  ResultHandle verified;
  ASSERT_EQ(cccd_verify_dump_with_challenge(dump.c_str(), trust.ptr, kServerChallenge,
                                            sizeof kServerChallenge, &verified.ptr),
            CCCD_OK)
      << cccd_last_error();
  EXPECT_EQ(cccd_result_verified(verified.ptr), 1);
  const json report = json_of(verified.ptr);
  EXPECT_EQ(report["source"], "dump");
  EXPECT_EQ(report["verdict"]["overall"], "verified");
  EXPECT_EQ(report["verdict"]["signer_trust"]["status"], "passed");
  // However it was loaded, a libcccd test CSCA is reported as one.
  EXPECT_EQ(report["verdict"]["signer_trust"]["test_csca"], true);

  // The photo survives the dump.
  const uint8_t* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(cccd_result_photo(verified.ptr, &data, &size), CCCD_OK) << cccd_last_error();
  EXPECT_EQ(Bytes(data, data + size), lds::parse_dg2(sim::default_card().files.at(FileId::dg2)).data);
}

TEST(CApi, DumpWithoutTrustIsNotVerifiedAndTrustUnknown) {
  ResultHandle read;
  ASSERT_NO_FATAL_FAILURE(read_default_card(read));
  test::TempDir temp;
  const auto dump = temp.path() / "dump";
  ASSERT_EQ(cccd_result_write_dump(read.ptr, dump.c_str()), CCCD_OK) << cccd_last_error();

  ResultHandle result;
  ASSERT_EQ(cccd_verify_dump(dump.c_str(), nullptr, &result.ptr), CCCD_OK) << cccd_last_error();
  EXPECT_EQ(cccd_result_verified(result.ptr), 0);
  const json report = json_of(result.ptr);
  EXPECT_EQ(report["verdict"]["overall"], "not_verified");
  EXPECT_EQ(report["verdict"]["signer_trust"]["status"], "unknown");
  // Nothing but trust is missing: the data still match the signed hashes.
  EXPECT_EQ(report["verdict"]["data_integrity"]["status"], "passed");
}

TEST(CApi, EmptyTrustStoreLeavesTrustUnknown) {
  ResultHandle read;
  ASSERT_NO_FATAL_FAILURE(read_default_card(read));
  test::TempDir temp;
  const auto dump = temp.path() / "dump";
  ASSERT_EQ(cccd_result_write_dump(read.ptr, dump.c_str()), CCCD_OK) << cccd_last_error();
  TrustHandle trust;
  ASSERT_EQ(cccd_trust_new(&trust.ptr), CCCD_OK);
  ResultHandle result;
  ASSERT_EQ(cccd_verify_dump(dump.c_str(), trust.ptr, &result.ptr), CCCD_OK) << cccd_last_error();
  EXPECT_EQ(cccd_result_verified(result.ptr), 0);
  EXPECT_NE(json_of(result.ptr)["verdict"]["signer_trust"]["status"], "passed");
}

TEST(CApi, TrustAddPathOnMissingFileIsIoError) {
  test::TempDir temp;
  TrustHandle trust;
  ASSERT_EQ(cccd_trust_new(&trust.ptr), CCCD_OK);
  const auto missing = temp.path() / "no-such.pem";
  EXPECT_EQ(cccd_trust_add_path(trust.ptr, missing.c_str()), CCCD_ERR_IO);
  EXPECT_STRNE(cccd_last_error(), "");
}

TEST(CApi, TrustAddPathOnANonCertificateFails) {
  test::TempDir temp;
  const auto junk = temp.path() / "junk.pem";
  {
    std::ofstream file(junk, std::ios::binary);
    file << "this is not a certificate\n";
  }
  TrustHandle trust;
  ASSERT_EQ(cccd_trust_new(&trust.ptr), CCCD_OK);
  const cccd_status status = cccd_trust_add_path(trust.ptr, junk.c_str());
  EXPECT_NE(status, CCCD_OK);
  EXPECT_STRNE(cccd_last_error(), "");
}

TEST(CApi, VerifyDumpOnMissingFolderIsIoError) {
  test::TempDir temp;
  const auto missing = temp.path() / "no-such-folder";
  cccd_result* result = reinterpret_cast<cccd_result*>(&result);
  EXPECT_EQ(cccd_verify_dump(missing.c_str(), nullptr, &result), CCCD_ERR_IO);
  EXPECT_EQ(result, nullptr);
  EXPECT_STRNE(cccd_last_error(), "");
}

TEST(CApi, StatusNames) {
  const std::pair<cccd_status, const char*> expected[] = {
      {CCCD_OK, "ok"},
      {CCCD_ERR_INVALID_ARGUMENT, "invalid_argument"},
      {CCCD_ERR_IO, "io"},
      {CCCD_ERR_TRANSPORT, "transport"},
      {CCCD_ERR_NO_READER, "no_reader"},
      {CCCD_ERR_NO_CARD, "no_card"},
      {CCCD_ERR_CARD_REMOVED, "card_removed"},
      {CCCD_ERR_TIMEOUT, "timeout"},
      {CCCD_ERR_CANCELLED, "cancelled"},
      {CCCD_ERR_ACCESS_DENIED, "access_denied"},
      {CCCD_ERR_SECURE_MESSAGING, "secure_messaging"},
      {CCCD_ERR_CARD_ERROR, "card_error"},
      {CCCD_ERR_FILE_NOT_FOUND, "file_not_found"},
      {CCCD_ERR_MALFORMED_DATA, "malformed_data"},
      {CCCD_ERR_CRYPTO, "crypto"},
      {CCCD_ERR_NOT_SUPPORTED, "not_supported"},
      {CCCD_ERR_LIMIT_EXCEEDED, "limit_exceeded"},
      {CCCD_ERR_INTERNAL, "internal"},
  };
  for (const auto& [status, name] : expected) {
    ASSERT_NE(cccd_status_name(status), nullptr) << static_cast<int>(status);
    EXPECT_STREQ(cccd_status_name(status), name) << static_cast<int>(status);
  }
  EXPECT_STREQ(cccd_status_name(static_cast<cccd_status>(18)), "unknown");
  EXPECT_STREQ(cccd_status_name(static_cast<cccd_status>(-1)), "unknown");
  EXPECT_STREQ(cccd_status_name(static_cast<cccd_status>(1000)), "unknown");
}

TEST(CApi, LastErrorIsPerThread) {
  cccd_credentials* out = nullptr;
  ASSERT_EQ(cccd_credentials_from_id("bad", kBirth, kExpiry, &out), CCCD_ERR_INVALID_ARGUMENT);
  const std::string main_message = cccd_last_error();
  ASSERT_FALSE(main_message.empty());

  std::string fresh_thread_message = "not run";
  std::string other_message;
  cccd_status other_status = CCCD_OK;
  cccd_result* other_result = nullptr;
  std::thread other([&] {
    fresh_thread_message = cccd_last_error();
    other_status = cccd_verify_dump("/nonexistent/cccd-capi-test", nullptr, &other_result);
    other_message = cccd_last_error();
  });
  other.join();

  EXPECT_EQ(fresh_thread_message, "");  // the main thread's error is not visible there
  EXPECT_EQ(other_status, CCCD_ERR_IO);
  EXPECT_FALSE(other_message.empty());
  EXPECT_NE(other_message, main_message);
  EXPECT_EQ(std::string(cccd_last_error()), main_message);  // nor is the other thread's here
}

TEST(CApi, MasterListsAndCrlsLoadIntoATrustStore) {
  const std::string pki = std::string(CCCD_TEST_DATA_DIR) + "/pki";
  const std::string list = pki + "/NL_ML_2026-07-22.ml";
  const std::string root = pki + "/NL_ROOT_CA.cer";
  TrustHandle trust;
  ASSERT_EQ(cccd_trust_new(&trust.ptr), CCCD_OK);
  EXPECT_EQ(cccd_trust_add_master_list(trust.ptr, list.c_str(), root.c_str()), CCCD_OK) << cccd_last_error();

  // Its signer does not chain to another root (the virtual card's test CSCA): refused.
  test::TempDir temp;
  const auto other_root = temp.path() / "csca.pem";
  std::ofstream(other_root, std::ios::binary) << sim::default_card().csca_pem;
  EXPECT_EQ(cccd_trust_add_master_list(trust.ptr, list.c_str(), other_root.c_str()), CCCD_ERR_CRYPTO);
  EXPECT_NE(std::string(cccd_last_error()).find("does not chain to any given master list root"),
            std::string::npos)
      << cccd_last_error();
  // The master list through add_path has no root: refused too.
  EXPECT_EQ(cccd_trust_add_path(trust.ptr, list.c_str()), CCCD_ERR_INVALID_ARGUMENT);

  // A CRL: a certificate is no CRL, a missing file is an I/O error.
  EXPECT_EQ(cccd_trust_add_crl(trust.ptr, root.c_str()), CCCD_ERR_MALFORMED_DATA);
  EXPECT_EQ(cccd_trust_add_crl(trust.ptr, (pki + "/missing.crl").c_str()), CCCD_ERR_IO);

  const auto expect_invalid = [](cccd_status status, const char* call) {
    EXPECT_EQ(status, CCCD_ERR_INVALID_ARGUMENT) << call;
    EXPECT_STRNE(cccd_last_error(), "") << call;
  };
  expect_invalid(cccd_trust_add_master_list(nullptr, list.c_str(), root.c_str()), "add_master_list trust");
  expect_invalid(cccd_trust_add_master_list(trust.ptr, nullptr, root.c_str()), "add_master_list path");
  expect_invalid(cccd_trust_add_master_list(trust.ptr, list.c_str(), nullptr), "add_master_list root");
  expect_invalid(cccd_trust_add_crl(nullptr, root.c_str()), "add_crl trust");
  expect_invalid(cccd_trust_add_crl(trust.ptr, nullptr), "add_crl path");
}

}  // namespace
}  // namespace cccd
