// Passive authentication, the signer's side: the chain from the document signer to a CSCA of the store,
// validity at the SOD signing time, extensions, CSCA link certificates and CRLs.
#include "verify/passive_auth.hpp"
#include "verify/signer_cache.hpp"

#include "util/bytes.hpp"
#include "verify/sod_timing.hpp"
#include "verify/trust_store_chain.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <optional>
#include <vector>

namespace cccd::verification {
namespace {

Finding failed(std::string detail) {
  return {FindingStatus::failed, std::move(detail)};
}

// How far a chain of CSCA link certificates is followed up through the store.
constexpr int kMaxLinkDepth = 8;
// A signing time this far after "now" is taken as clock skew, not as a forgery.
constexpr std::time_t kClockTolerance = 24 * 3600;

// The document signer's own checks: validity at the signing time (or, without one, already valid now),
// then what the cache established once for the certificate (readable extensions, the document signer
// profile of ICAO 9303-12).
std::optional<std::string> document_signer_problem(const CachedSigner& cached,
                                                   std::optional<std::time_t> signing_time, std::time_t now) {
  X509* signer = cached.certificate();
  if (signing_time) {
    switch (validity_at(signer, *signing_time)) {
      case Validity::valid:
        break;
      case Validity::not_yet_valid:
        return "the document signer certificate was not yet valid at the SOD signing time";
      case Validity::expired:
        return "the document signer certificate had expired at the SOD signing time";
    }
  } else if (validity_at(signer, now) == Validity::not_yet_valid) {
    return "the document signer certificate is not yet valid";
  }
  return cached.profile_problem();
}

// The CSCA that issued the document signer: a CA, allowed to sign certificates, valid when it issued
// the DS and at the signing time.
std::optional<std::string> issuing_csca_problem(X509* csca, X509* signer,
                                                std::optional<std::time_t> signing_time) {
  if (X509_check_ca(csca) == 0) return "the certificate that issued the document signer is not a CA";
  std::uint32_t flags = X509_get_extension_flags(csca);
  ERR_clear_error();
  if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(csca) & KU_KEY_CERT_SIGN)) {
    return "the key usage of the CSCA that issued the document signer does not allow certificate signing";
  }
  std::optional<std::time_t> issued = time_of(X509_get0_notBefore(signer));
  if (!issued || validity_at(csca, *issued) != Validity::valid) {
    return "the CSCA was not valid when it issued the document signer certificate";
  }
  if (signing_time) {
    switch (validity_at(csca, *signing_time)) {
      case Validity::valid:
        break;
      case Validity::not_yet_valid:
        return "the CSCA was not yet valid at the SOD signing time";
      case Validity::expired:
        return "the CSCA had expired at the SOD signing time";
    }
  }
  return std::nullopt;
}

bool self_signed(const TrustStore::Impl::Anchor& anchor) {
  X509* cert = anchor.certificate();
  return X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0 &&
         signature_verifies(cert, anchor.key());
}

// From a link certificate (a CSCA key certified by the previous one) up to the CSCA that signed it, as
// long as that one is in the store too and was valid when it signed. A link whose signer is not in the
// store stays the anchor: every certificate of the store is trusted as configured.
void climb_links(const TrustStore::Impl& store, std::vector<const TrustStore::Impl::Anchor*>& chain) {
  for (int depth = 0; depth < kMaxLinkDepth; ++depth) {
    X509* link = chain.back()->certificate();
    IssuerSearch search = find_issuer(link, store);
    if (!search.issuer || std::find(chain.begin(), chain.end(), search.issuer) != chain.end()) return;
    // A self-signed anchor is the top. Asked only once another anchor could have issued it: its
    // self-signature is an ECDSA/RSA verification, which would otherwise cost every verification one
    // more signature check than the chain needs (docs/PERFORMANCE.md).
    if (self_signed(*chain.back())) return;
    std::optional<std::time_t> issued = time_of(X509_get0_notBefore(link));
    if (!issued || validity_at(search.issuer->certificate(), *issued) != Validity::valid) return;
    chain.push_back(search.issuer);
  }
}

struct Revocation {
  bool revoked = false;
  bool checked = false;     // a verified CRL of the DS's issuer was consulted
  std::size_t ignored = 0;  // CRLs of the issuer's name that did not verify
};

// The CRLs of the DS's issuer, found by name; whether each verifies was settled when it was added.
Revocation check_revocation(X509* signer, const TrustStore::Impl& store) {
  Revocation result;
  for (const TrustStore::Impl::Crl* crl : store.crls_of(X509_get_issuer_name(signer))) {
    if (!crl->verified) {
      ++result.ignored;
      continue;
    }
    result.checked = true;
    X509_REVOKED* entry = nullptr;
    // 1: listed; 2: listed as removeFromCRL (a delta CRL lifting a hold), which is not a revocation.
    if (X509_CRL_get0_by_cert(crl->crl.get(), &entry, signer) == 1) result.revoked = true;
    ERR_clear_error();
  }
  return result;
}

// The chain of `document_signer` in `store`, found once per signer and snapshot (signer_cache.hpp): the
// second card of a signer costs no CSCA signature check.
std::shared_ptr<const SignerChain> chain_of(const CachedSigner& signer, const TrustStore::Impl& store) {
  if (auto known = signer.chain_for(store.id)) return known;
  auto found = std::make_shared<SignerChain>();
  found->snapshot_id = store.id;
  X509* document_signer = signer.certificate();
  if (const TrustStore::Impl::Anchor* itself = store.find_exact(document_signer)) {
    // The document signer configured as an anchor itself: trusted as it stands.
    found->chain.push_back(itself);
    found->signer_is_anchor = true;
  } else {
    found->search = find_issuer(document_signer, store);
    if (found->search.issuer) {
      found->chain.push_back(found->search.issuer);
      climb_links(store, found->chain);
    }
  }
  if (!found->chain.empty()) {
    found->top_subject = one_line_name(X509_get_subject_name(found->chain.back()->certificate()));
  }
  signer.remember(found);
  return found;
}

}  // namespace

void check_signer_trust(const SodSigner& signer, const TrustStore& trust, const VerifyOptions& options,
                        Verdict& verdict) {
  // One snapshot for the whole check: adds on other threads do not change what it reads.
  const std::shared_ptr<const TrustStore::Impl> store = trust.snapshot();
  X509* document_signer = signer.certificate ? signer.certificate->certificate() : nullptr;
  if (store->anchors.empty()) {
    verdict.signer_trust = {FindingStatus::unknown,
                            "no CSCA configured: whether the document signer is trusted is unknown"};
    return;
  }
  if (!document_signer) {
    verdict.signer_trust = failed("EF.SOD gives no document signer certificate to check");
    return;
  }
  std::time_t now = options.policy.at.value_or(std::time(nullptr));
  if (signer.timing.unreadable) {
    verdict.signer_trust = failed("the signingTime attribute of EF.SOD does not parse");
    return;
  }
  std::optional<std::time_t> signing_time = signer.timing.signing_time;
  if (signing_time && *signing_time > now + kClockTolerance) {
    verdict.signer_trust = failed("the signingTime of EF.SOD lies in the future");
    return;
  }
  if (auto problem = document_signer_problem(*signer.certificate, signing_time, now)) {
    verdict.signer_trust = failed(*problem);
    return;
  }

  const std::shared_ptr<const SignerChain> found = chain_of(*signer.certificate, *store);
  const std::vector<const TrustStore::Impl::Anchor*>& chain = found->chain;  // issuing anchor upwards
  if (!found->signer_is_anchor) {
    const IssuerSearch& search = found->search;
    if (!search.issuer) {
      verdict.signer_trust =
          failed(search.name_matched
                     ? "the document signer's signature does not verify with the CSCA of the trust store "
                       "named as its issuer" +
                           (search.key_problem.empty() ? std::string() : " (" + search.key_problem + ")")
                     : std::string("no CSCA in the trust store issued the document signer certificate"));
      return;
    }
    if (auto problem = issuing_csca_problem(search.issuer->certificate(), document_signer, signing_time)) {
      verdict.signer_trust = failed(*problem);
      return;
    }
  }

  Revocation revocation = check_revocation(document_signer, *store);
  if (revocation.revoked) {
    verdict.signer_trust = failed("the document signer certificate is revoked (on the CRL of " +
                                  name_line(X509_get_issuer_name(document_signer)) + ")");
    return;
  }

  verdict.csca_subject = found->top_subject;
  verdict.test_csca = std::any_of(chain.begin(), chain.end(), [](const auto* a) { return a->test_anchor; });
  std::string detail =
      verdict.test_csca ? "the document signer chains to a configured libcccd test CSCA (not a real issuer)"
                        : "the document signer chains to a configured CSCA";
  if (chain.size() > 1) detail += " through " + std::to_string(chain.size() - 1) + " link certificate(s)";
  detail += signing_time ? ", valid at the SOD signing time" : " (EF.SOD gives no signing time)";
  detail +=
      revocation.checked ? "; not revoked by its CSCA's CRL" : "; no CRL of its CSCA in the trust store";
  if (revocation.ignored > 0) {
    detail += "; " + std::to_string(revocation.ignored) +
              " CRL(s) bearing its CSCA's name did not verify with a CSCA of the store and were ignored";
  }
  verdict.signer_trust = {FindingStatus::passed, detail};
}

}  // namespace cccd::verification
