// The profile ICAO Doc 9303 Part 12 (section 7.1, the document signer certificate) sets for the
// certificate that signs EF.SOD: an end-entity certificate that signs, nothing more. A CSCA key must
// never sign a document directly, and a certificate that may issue certificates is no document signer.
#pragma once

#include <openssl/x509.h>

#include <optional>
#include <string>

namespace cccd::verification {

// The first rule `signer` breaks, as the reason signer trust fails; nothing for a conformant DS:
// - self-issued (subject = issuer, as a CSCA root is): a CSCA used directly as the SOD signer;
// - basicConstraints CA:TRUE: a CA, not a document signer;
// - keyUsage with keyCertSign (or cRLSign): may issue certificates or CRLs;
// - keyUsage without digitalSignature: may not sign documents.
// A DS without a keyUsage extension at all is taken (early issuers, among them the BSI 2008 specimen,
// left it out); unreadable extensions are reported by the caller's own checks.
std::optional<std::string> document_signer_rule_broken(X509* signer);

}  // namespace cccd::verification
