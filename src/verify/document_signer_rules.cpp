#include "verify/document_signer_rules.hpp"

#include "verify/signer_match.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace cccd::verification {

std::optional<std::string> document_signer_rule_broken(X509* signer) {
  const X509_NAME* subject = X509_get_subject_name(signer);
  const X509_NAME* issuer = X509_get_issuer_name(signer);
  if (X509_NAME_cmp(subject, issuer) == 0 || names_equal_canonically(subject, issuer)) {
    return "EF.SOD is signed by a self-issued certificate: a CSCA used directly as the document signer "
           "(ICAO 9303-12 requires a document signer certificate issued by the CSCA)";
  }
  std::uint32_t flags = X509_get_extension_flags(signer);
  ERR_clear_error();
  if ((flags & EXFLAG_BCONS) && (flags & EXFLAG_CA)) {
    return "the document signer certificate is a CA (basicConstraints CA:TRUE), which ICAO 9303-12 "
           "forbids for a document signer";
  }
  if (flags & EXFLAG_KUSAGE) {
    std::uint32_t usage = X509_get_key_usage(signer);
    if (usage & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) {
      return "the key usage of the document signer certificate allows signing certificates or CRLs "
             "(keyCertSign/cRLSign), which ICAO 9303-12 forbids for a document signer";
    }
    if (!(usage & KU_DIGITAL_SIGNATURE)) {
      return "the key usage of the document signer certificate does not allow signatures";
    }
  }
  return std::nullopt;
}

}  // namespace cccd::verification
