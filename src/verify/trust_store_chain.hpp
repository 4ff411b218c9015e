// Certificate checks of the trust store, done here rather than by X509_verify_cert: OpenSSL 3.0's
// chain builder refuses every CA certificate whose key has explicit EC parameters
// (X509_V_ERR_EC_KEY_EXPLICIT_PARAMS from check_chain at depth >= 1, whatever the verify flags), and
// real CSCA master lists hold many; and the validity policy (docs/trust.md) judges each certificate of a
// chain at its own time, where X509_verify_cert judges all at one.
#pragma once

#include "verify/trust_store_impl.hpp"

#include <openssl/x509.h>

#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace cccd::verification {

// The key that verifies signatures made by `certificate`'s subject: its public key, where explicit EC
// parameters are replaced by the named curve they equal (OpenSSL recognises them when decoding). Null,
// with `problem` set, when the key does not decode or its explicit parameters are no named curve (an
// unknown curve is refused: its generator could be anything).
EvpPkeyPtr issuer_key(X509* certificate, std::string& problem);

// Seconds since the epoch of an ASN.1 time; nothing when it does not convert.
std::optional<std::time_t> time_of(const ASN1_TIME* time);
// "2026-07-23T09:35:43Z".
std::string iso_time(std::time_t time);

enum class Validity { valid, not_yet_valid, expired };
Validity validity_at(X509* certificate, std::time_t when);

// Whether `candidate` may have issued `subject`: its subject is `subject`'s issuer and, when both carry
// them, the authority key identifier equals the candidate's subject key identifier.
bool may_have_issued(X509* candidate, X509* subject);
// Whether `key` verifies the signature of `subject`.
bool signature_verifies(X509* subject, EVP_PKEY* key);

struct IssuerSearch {
  const TrustStore::Impl::Anchor* issuer = nullptr;  // the anchor whose key verifies the signature
  bool name_matched = false;                         // some anchor carries the issuer's name
  std::string key_problem;                           // of a candidate whose key was unusable
};
// The anchor of `anchors` that issued `subject` (never `subject` itself).
IssuerSearch find_issuer(X509* subject, const std::vector<TrustStore::Impl::Anchor>& anchors);
// The same in a snapshot of the store, through its index: only the anchors named as the issuer are
// looked at (the one the authority key identifier names first).
IssuerSearch find_issuer(X509* subject, const TrustStore::Impl& store);

// A subject name's country (C=) as two or three capital letters, "??" when absent or anything else.
std::string country_of(const X509_NAME* name);

// A certificate or CRL name as one RFC 2253 line, non-ASCII escaped, cut at kMaxNameLength.
inline constexpr std::size_t kMaxNameLength = 512;
std::string name_line(const X509_NAME* name);

}  // namespace cccd::verification
