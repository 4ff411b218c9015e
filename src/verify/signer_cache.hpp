// The document signers a server meets: a bank verifies a stream of cards signed by a few hundred
// document signer (DS) certificates, each many times. Parsing a DS certificate (d2i_X509, which in
// OpenSSL 3 also decodes its key through the provider decoders) and finding the CSCA whose signature
// it carries (an ECDSA or RSA verification, plus those of the link certificates above it) are the
// largest costs of a verification after the SOD's own signature. This cache keeps both, shared by all
// threads: the parsed certificate by the SHA-256 of its DER, and the chain found for it on one trust
// store snapshot, so the second card of a signer costs neither. A chain is used only with the snapshot
// it was found on (snapshot ids are never reused): adding to a store invalidates every chain at once.
#pragma once

#include "verify/trust_store_chain.hpp"
#include "verify/trust_store_impl.hpp"

#include <cccd/bytes.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace cccd::verification {

// Least recently used signers beyond this many are dropped: room for the few hundred document signers
// of a country's stream (and the 1 000 of the benchmark), about 3 KiB each.
inline constexpr std::size_t kSignerCacheCapacity = 2048;

// What the trust check established for one DS on one snapshot, independent of the SOD's signing time
// and of the CRLs (both checked on every verification).
struct SignerChain {
  std::uint64_t snapshot_id = 0;
  IssuerSearch search;  // when the DS is not itself an anchor
  // From the anchor that issued the DS (or the DS itself, configured as an anchor) up through link
  // certificates; empty when no anchor issued it. Points into the snapshot `snapshot_id`: valid only
  // while a verification holds that snapshot.
  std::vector<const TrustStore::Impl::Anchor*> chain;
  bool signer_is_anchor = false;
  std::string top_subject;  // the verdict's csca_subject: the subject of chain.back(), one line
};

// A parsed DS certificate shared by every verification that meets it. The certificate is never
// changed after parsing (OpenSSL's lazily cached extension flags take its own lock).
class CachedSigner {
 public:
  explicit CachedSigner(X509Ptr certificate);
  X509* certificate() const noexcept { return certificate_.get(); }
  // The DER of the certificate's issuer name, and its subject as the verdict prints it: both asked on
  // every verification, made once.
  const Bytes& issuer_der() const noexcept { return issuer_der_; }
  const std::string& subject_line() const noexcept { return subject_line_; }
  // What is wrong with the certificate whatever the card and the time: malformed or unknown critical
  // extensions, a rule of the document signer profile broken (document_signer_rules.hpp). Made once.
  const std::optional<std::string>& profile_problem() const noexcept { return profile_problem_; }
  // The chain remembered for snapshot `snapshot_id`, or null.
  std::shared_ptr<const SignerChain> chain_for(std::uint64_t snapshot_id) const;
  void remember(std::shared_ptr<const SignerChain> chain) const;

 private:
  X509Ptr certificate_;
  Bytes issuer_der_;
  std::string subject_line_;
  std::optional<std::string> profile_problem_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<const SignerChain> chain_;
};

// The certificate of `der` from the shared cache, parsed (outside the cache's lock) when absent.
// Throws Error(malformed_data) when it does not parse as exactly one certificate.
std::shared_ptr<const CachedSigner> cached_signer(ByteView der);

// How many signers the cache holds now (for tests).
std::size_t cached_signer_count();

}  // namespace cccd::verification
