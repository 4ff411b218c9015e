// The document signer profile of ICAO 9303-12 at the signer-trust level: certificates made with OpenSSL
// at test time, an EF.SOD signed through OpenSSL's CMS API with each, verified against its CSCA. Each
// rule refuses its certificate with its own reason; a conformant DS passes.
#include "openssl_sod.hpp"

#include <cccd/trust.hpp>
#include <cccd/verify.hpp>

#include <gtest/gtest.h>

#include <string>

namespace cccd {
namespace {

namespace os = test::openssl_sod;

Verdict verify_signed_by(X509* signer, EVP_PKEY* key, X509* csca) {
  Bytes sod = os::wrap_77(os::cms_sign(os::lds_security_object(os::data_groups()), signer, key, {}), false);
  TrustStore store;
  store.add_certificate(os::certificate_der(csca));
  return verify(os::dump_with(sod), store, VerifyOptions{});
}

struct Case {
  const char* what;
  std::vector<std::pair<int, std::string>> ds_extensions;
  const char* reason;  // nullptr: passes
};

TEST(DocumentSignerRules, EachRuleRefusesItsCertificateAndAConformantSignerPasses) {
  const Case cases[] = {
      {"conformant", os::ds_extensions(), nullptr},
      {"no keyUsage at all (early issuers)", {{NID_subject_key_identifier, "hash"}}, nullptr},
      {"CA:TRUE",
       {{NID_basic_constraints, "critical,CA:TRUE"}, {NID_key_usage, "critical,digitalSignature"}},
       "the document signer certificate is a CA (basicConstraints CA:TRUE)"},
      {"keyCertSign",
       {{NID_key_usage, "critical,digitalSignature,keyCertSign"}},
       "allows signing certificates or CRLs (keyCertSign/cRLSign)"},
      {"cRLSign", {{NID_key_usage, "critical,digitalSignature,cRLSign"}}, "(keyCertSign/cRLSign)"},
      {"no digitalSignature",
       {{NID_key_usage, "critical,nonRepudiation"}},
       "the key usage of the document signer certificate does not allow signatures"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    os::Pki pki(c.ds_extensions);
    Verdict v = verify_signed_by(pki.ds.get(), pki.ds_key.get(), pki.csca.get());
    EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;
    if (!c.reason) {
      EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
    } else {
      EXPECT_EQ(v.signer_trust.status, FindingStatus::failed);
      EXPECT_NE(v.signer_trust.detail.find(c.reason), std::string::npos) << v.signer_trust.detail;
    }
  }
}

TEST(DocumentSignerRules, ACscaUsedDirectlyAsTheSodSignerFails) {
  os::Pki pki;
  Verdict v = verify_signed_by(pki.csca.get(), pki.csca_key.get(), pki.csca.get());
  // The signature itself is good: it is who signed that is wrong.
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;
  EXPECT_EQ(v.signer_trust.status, FindingStatus::failed);
  EXPECT_NE(v.signer_trust.detail.find("a CSCA used directly as the document signer"), std::string::npos)
      << v.signer_trust.detail;
}

TEST(DocumentSignerRules, ALinkCscaUsedDirectlyFailsAsACa) {
  // A CSCA certified by another (a link certificate) is not self-issued; CA:TRUE still refuses it.
  os::Pki pki;
  EvpPkeyPtr link_key = os::ec_key();
  X509NamePtr link_name = os::make_name({{"C", "VN"}, {"O", "libcccd encoding test"}, {"CN", "CSCA link"}});
  X509Ptr link = os::make_certificate(link_name.get(), link_key.get(), pki.csca.get(), pki.csca_key.get(), 7,
                                      os::csca_extensions(), 3650);
  Verdict v = verify_signed_by(link.get(), link_key.get(), pki.csca.get());
  EXPECT_EQ(v.signer_trust.status, FindingStatus::failed);
  EXPECT_NE(v.signer_trust.detail.find("is a CA (basicConstraints CA:TRUE)"), std::string::npos)
      << v.signer_trust.detail;
}

}  // namespace
}  // namespace cccd
