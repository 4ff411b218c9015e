// Passive authentication (ICAO Doc 9303 Part 11 section 5.1): the EF.SOD signature, the data group
// hashes, and the chain from the document signer to a configured CSCA.
#pragma once

#include "verify/signer_cache.hpp"
#include "verify/sod_timing.hpp"
#include "verify/trust_store_impl.hpp"

#include <cccd/dump.hpp>
#include <cccd/verdict.hpp>
#include <cccd/verify.hpp>

#include <string>

namespace cccd::verification {

// Subjects longer than this are cut (they come from a file, and a report line should stay a line).
inline constexpr std::size_t kMaxSubjectLength = 512;

// The document signer certificate the SOD names and the SOD's signing time, handed from the integrity
// check to the trust check (the certificate is shared with other verifications: nothing is written on it).
struct SodSigner {
  std::shared_ptr<const CachedSigner> certificate;  // null when the SOD names none
  SodTiming timing;
};

// Fills verdict.data_integrity, hashes, hash_algorithm, signature_algorithm and signer_subject.
// Returns the document signer certificate the SOD names (even when its signature fails) with the SOD's
// signing time, or no certificate when there is none; the trust check takes it from there. Never throws
// for anything in the dump.
SodSigner check_data_integrity(const ChipDump& dump, Verdict& verdict);

// Fills verdict.signer_trust, csca_subject and test_csca under the validity policy of trust.hpp
// (docs/trust.md): chain to a CSCA of the store, validity at the SOD signing time, CRLs. Works on one
// snapshot of `trust` from start to end. `signer.certificate` may be null (no usable EF.SOD). Never
// throws for anything in the dump.
void check_signer_trust(const SodSigner& signer, const TrustStore& trust, const VerifyOptions& options,
                        Verdict& verdict);

// A certificate name as one RFC 2253 line ("CN=CSCA Test,O=...,C=VN"), non-ASCII escaped.
std::string one_line_name(const X509_NAME* name);

}  // namespace cccd::verification
