// Passive authentication (ICAO Doc 9303 Part 11 section 5.1): the EF.SOD signature, the data group
// hashes, and the chain from the document signer to a configured CSCA.
#pragma once

#include "verify/trust_store_impl.hpp"

#include <cccd/dump.hpp>
#include <cccd/verdict.hpp>
#include <cccd/verify.hpp>

#include <string>

namespace cccd::verification {

// Subjects longer than this are cut (they come from a file, and a report line should stay a line).
inline constexpr std::size_t kMaxSubjectLength = 512;

// Fills verdict.data_integrity, hashes, hash_algorithm, signature_algorithm and signer_subject.
// Returns the document signer certificate the SOD names (even when its signature fails), or null when
// there is none; the trust check takes it from there. Never throws for anything in the dump.
X509Ptr check_data_integrity(const ChipDump& dump, Verdict& verdict);

// Fills verdict.signer_trust, csca_subject and test_csca under the validity policy of trust.hpp
// (docs/trust.md): chain to a CSCA of the store, validity at the SOD signing time (which
// check_data_integrity attaches to the certificate it returns), CRLs. `document_signer` may be null (no
// usable EF.SOD). Never throws for anything in the dump.
void check_signer_trust(X509* document_signer, const TrustStore& trust, const VerifyOptions& options,
                        Verdict& verdict);

// A certificate name as one RFC 2253 line ("CN=CSCA Test,O=...,C=VN"), non-ASCII escaped.
std::string one_line_name(const X509_NAME* name);

}  // namespace cccd::verification
