// The verification policy and the document_validity finding (issue 17): an expired card is not
// verified unless the policy accepts it, a dump without any chip proof is refused under "require chip
// authenticity", and every result says which policy it was judged under (C++, C and JSON).
#include "sim/generator.hpp"
#include "sim/virtual_card_source.hpp"
#include "test_support.hpp"
#include "verify/document_validity.hpp"

#include <cccd/cccd.h>
#include <cccd/policy.hpp>
#include <cccd/report.hpp>
#include <cccd/verify.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace cccd {
namespace {

using verification::CardExpiry;

TEST(CalendarDate, TakesIsoAndTheCardsOwnForm) {
  EXPECT_EQ(parse_calendar_date("2030-05-17"), (CalendarDate{2030, 5, 17}));
  EXPECT_EQ(parse_calendar_date("17/05/2030"), (CalendarDate{2030, 5, 17}));
  EXPECT_EQ(parse_calendar_date("29/02/2024"), (CalendarDate{2024, 2, 29}));
  for (const char* bad :
       {"", "2030-5-17", "31/02/2030", "29/02/2023", "2030-13-01", "17.05.2030", "tomorrow"})
    EXPECT_FALSE(parse_calendar_date(bad).has_value()) << bad;
  EXPECT_EQ(to_string(CalendarDate{2030, 5, 7}), "2030-05-07");
}

TEST(CalendarDate, TheJudgementDayIsTheDayInVietnam) {
  // 2023-11-14 22:13:20 UTC is already the 15th in Vietnam (UTC+7).
  EXPECT_EQ(vietnam_date_at(1700000000), (CalendarDate{2023, 11, 15}));
  EXPECT_EQ(vietnam_date_at(0), (CalendarDate{1970, 1, 1}));
  for (CalendarDate day : {CalendarDate{2024, 2, 29}, CalendarDate{2030, 12, 31}, CalendarDate{2000, 1, 1}})
    EXPECT_EQ(vietnam_date_at(judgement_time_of(day)), day);
}

TEST(DocumentValidity, ReadsTheExpiryOfTheMrzAndOfDg13) {
  EXPECT_EQ(verification::card_expiry("991231", "Không thời hạn").kind, CardExpiry::Kind::none);
  EXPECT_EQ(verification::card_expiry("991231", "").kind, CardExpiry::Kind::none);
  EXPECT_EQ(verification::card_expiry("", "Không thời hạn").kind, CardExpiry::Kind::none);
  const CardExpiry both = verification::card_expiry("300517", "17/05/2030");
  ASSERT_EQ(both.kind, CardExpiry::Kind::date);
  EXPECT_EQ(both.date, (CalendarDate{2030, 5, 17}));
  EXPECT_EQ(verification::card_expiry("300517", "").date, (CalendarDate{2030, 5, 17}));
  EXPECT_EQ(verification::card_expiry("", "17/05/2030").date, (CalendarDate{2030, 5, 17}));
  EXPECT_EQ(verification::card_expiry("", "").kind, CardExpiry::Kind::unknown);
  EXPECT_EQ(verification::card_expiry("30<<17", "soon").kind, CardExpiry::Kind::unknown);
}

TEST(DocumentValidity, ACardIsValidThroughItsExpiryDay) {
  const CardExpiry expiry{CardExpiry::Kind::date, {2030, 5, 17}};
  EXPECT_EQ(verification::check_document_validity(expiry, {2030, 5, 17}).status, FindingStatus::passed);
  EXPECT_EQ(verification::check_document_validity(expiry, {2030, 5, 18}).status, FindingStatus::failed);
  EXPECT_EQ(verification::check_document_validity({CardExpiry::Kind::none, {}}, {2099, 1, 1}).status,
            FindingStatus::passed);
  EXPECT_EQ(verification::check_document_validity({}, {2030, 1, 1}).status, FindingStatus::unknown);
}

// A card of the real profile that expired on 2025-01-01, read live.
Report read_expired_card(const VerificationPolicy& policy) {
  sim::GeneratorOptions options = sim::cccd_profile_options();
  options.holder.expiry = "2025-01-01";
  sim::VirtualCardSource card(sim::generate_card(options));
  TrustStore trust;
  card.trust_test_csca(trust);
  ReadOptions read_options;
  read_options.policy = policy;
  return read_and_verify(card.source(),
                         Credentials::from_id_number("001099012345", "17/05/1990", "01/01/2025"), &trust,
                         read_options);
}

TEST(Policy, AnExpiredCardIsNotVerified) {
  const Report report = read_expired_card({});
  const Verdict& v = report.verdict;
  EXPECT_EQ(v.document_validity.status, FindingStatus::failed);
  EXPECT_EQ(v.document_validity.detail, "the card has expired");
  EXPECT_FALSE(v.verified);
  // Everything else about the card is fine: the expiry alone refuses it.
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed);
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed);
  EXPECT_EQ(v.chip_authenticity.status, FindingStatus::passed);
  EXPECT_EQ(v.consistency.status, FindingStatus::passed);
  EXPECT_FALSE(v.policy.accept_expired);
  ASSERT_TRUE(v.policy.at.has_value());

  const nlohmann::json json = nlohmann::json::parse(to_json(report));
  EXPECT_EQ(json["verdict"]["overall"], "not_verified");
  EXPECT_EQ(json["verdict"]["document_validity"]["status"], "failed");
  EXPECT_EQ(json["verdict"]["policy"]["accept_expired"], false);
  EXPECT_EQ(json["verdict"]["policy"]["judgement_date"], to_string(vietnam_date_at(*v.policy.at)));
}

TEST(Policy, AcceptingExpiredCardsVerifiesItAndSaysSo) {
  VerificationPolicy policy;
  policy.accept_expired = true;
  const Report report = read_expired_card(policy);
  EXPECT_TRUE(report.verdict.verified);
  EXPECT_EQ(report.verdict.document_validity.status, FindingStatus::failed);
  EXPECT_NE(report.verdict.document_validity.detail.find("the policy accepts expired cards"),
            std::string::npos);
  const nlohmann::json json = nlohmann::json::parse(to_json(report));
  EXPECT_EQ(json["verdict"]["overall"], "verified");
  EXPECT_EQ(json["verdict"]["policy"]["accept_expired"], true);
}

TEST(Policy, TheJudgementDateDecidesTheExpiry) {
  VerificationPolicy policy;
  policy.at = judgement_time_of({2024, 12, 31});
  const Report report = read_expired_card(policy);
  EXPECT_EQ(report.verdict.document_validity.status, FindingStatus::passed);
  EXPECT_TRUE(report.verdict.verified);
  EXPECT_EQ(nlohmann::json::parse(to_json(report))["verdict"]["policy"]["judgement_date"], "2024-12-31");
}

TEST(Policy, ACardWithoutExpiryIsValid) {
  sim::GeneratorOptions options = sim::cccd_profile_options();
  options.holder.birth = "1962";
  options.holder.expiry = "none";
  sim::VirtualCardSource card(sim::generate_card(options));
  TrustStore trust;
  card.trust_test_csca(trust);
  const Report report = read_and_verify(
      card.source(), Credentials::from_id_number("001099012345", "1962", "Không thời hạn"), &trust);
  EXPECT_EQ(report.verdict.document_validity.status, FindingStatus::passed);
  EXPECT_EQ(report.verdict.document_validity.detail, "the card does not expire");
  EXPECT_TRUE(report.verdict.verified);
}

// A bank's server: the app read a card that offers no chip proof (no DG14, no DG15) and uploaded the dump.
class ServerPolicy : public ::testing::Test {
 protected:
  void SetUp() override {
    sim::VirtualCardSource card(sim::generate_card(sim::GeneratorOptions{}));
    card.trust_test_csca(trust_);
    const Report read = read_and_verify(card.source(), test::default_credentials(), &trust_);
    dump_ = read.dump;
    ASSERT_EQ(dump_.file(FileId::dg14), nullptr);
    ASSERT_EQ(dump_.file(FileId::dg15), nullptr);
    write_dump(dump_, folder_.path() / "upload");
  }
  TrustStore trust_;
  ChipDump dump_;
  test::TempDir folder_;
  const std::array<std::uint8_t, 8> challenge_{1, 2, 3, 4, 5, 6, 7, 8};
};

TEST_F(ServerPolicy, WithoutTheRequirementADumpWithoutProofIsVerified) {
  VerifyOptions options;
  options.active_authentication_challenge = challenge_;
  const Verdict v = verify(dump_, trust_, options);
  EXPECT_EQ(v.chip_authenticity.status, FindingStatus::not_supported);
  EXPECT_TRUE(v.verified);
}

TEST_F(ServerPolicy, RequiringChipAuthenticityRefusesADumpWithoutProof) {
  VerifyOptions options;
  options.active_authentication_challenge = challenge_;
  options.policy.require_chip_authenticity = true;
  const Verdict v = verify(dump_, trust_, options);
  EXPECT_EQ(v.chip_authenticity.status, FindingStatus::failed);
  EXPECT_NE(v.chip_authenticity.detail.find("the policy requires a proof that the chip is genuine"),
            std::string::npos)
      << v.chip_authenticity.detail;
  EXPECT_FALSE(v.verified);
  EXPECT_TRUE(v.policy.require_chip_authenticity);
}

TEST_F(ServerPolicy, TheCApiJudgesUnderItsPolicyAndReportsIt) {
  cccd_policy* policy = nullptr;
  ASSERT_EQ(cccd_policy_new(&policy), CCCD_OK);
  ASSERT_EQ(cccd_policy_set_require_chip_authenticity(policy, 1), CCCD_OK);
  EXPECT_EQ(cccd_policy_set_judgement_date(policy, "31/02/2030"), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(cccd_last_error()).find("YYYY-MM-DD"), std::string::npos);
  ASSERT_EQ(cccd_policy_set_judgement_date(policy, "17/05/2029"), CCCD_OK);
  cccd_trust* trust = nullptr;
  ASSERT_EQ(cccd_trust_new(&trust), CCCD_OK);
  const std::string pem = sim::generate_card(sim::GeneratorOptions{}).csca_pem;
  ASSERT_EQ(cccd_trust_add_data(trust, reinterpret_cast<const std::uint8_t*>(pem.data()), pem.size()),
            CCCD_OK);

  const std::string folder = (folder_.path() / "upload").string();
  cccd_result* result = nullptr;
  EXPECT_EQ(cccd_verify_dump_with_policy(folder.c_str(), trust, policy, challenge_.data(), 7, &result),
            CCCD_ERR_INVALID_ARGUMENT);
  ASSERT_EQ(cccd_verify_dump_with_policy(folder.c_str(), trust, policy, challenge_.data(), challenge_.size(),
                                         &result),
            CCCD_OK);
  EXPECT_EQ(cccd_result_verified(result), 0);
  nlohmann::json json = nlohmann::json::parse(cccd_result_json(result));
  EXPECT_EQ(json["verdict"]["chip_authenticity"]["status"], "failed");
  EXPECT_EQ(json["verdict"]["policy"]["require_chip_authenticity"], true);
  EXPECT_EQ(json["verdict"]["policy"]["judgement_date"], "2029-05-17");
  cccd_result_free(result);

  // The same dump under the default policy (NULL): verified, and the JSON says chip proof was optional.
  ASSERT_EQ(cccd_verify_dump_with_policy(folder.c_str(), trust, nullptr, nullptr, 0, &result), CCCD_OK);
  EXPECT_EQ(cccd_result_verified(result), 1);
  json = nlohmann::json::parse(cccd_result_json(result));
  EXPECT_EQ(json["verdict"]["policy"]["require_chip_authenticity"], false);
  cccd_result_free(result);

  EXPECT_EQ(cccd_policy_set_accept_expired(nullptr, 1), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(cccd_read_options_set_policy(nullptr, policy), CCCD_ERR_INVALID_ARGUMENT);
  cccd_trust_free(trust);
  cccd_policy_free(policy);
}

}  // namespace
}  // namespace cccd
