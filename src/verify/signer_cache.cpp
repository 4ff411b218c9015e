// The shared, bounded LRU of document signer certificates (signer_cache.hpp).
#include "verify/signer_cache.hpp"

#include "verify/document_signer_rules.hpp"

#include <cccd/error.hpp>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <list>
#include <unordered_map>
#include <utility>

namespace cccd::verification {
namespace {

class SignerCache {
 public:
  std::shared_ptr<const CachedSigner> find(const Digest& key) {
    std::lock_guard lock(mutex_);
    auto found = index_.find(key);
    if (found == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, found->second);  // now the most recently used
    return found->second->second;
  }

  // Keeps `signer` unless another thread put the same certificate first; returns the one kept.
  std::shared_ptr<const CachedSigner> insert(const Digest& key, std::shared_ptr<const CachedSigner> signer) {
    std::shared_ptr<const CachedSigner> dropped;  // released after the lock
    std::lock_guard lock(mutex_);
    auto found = index_.find(key);
    if (found != index_.end()) return found->second->second;
    order_.emplace_front(key, std::move(signer));
    index_.emplace(key, order_.begin());
    if (order_.size() > kSignerCacheCapacity) {
      dropped = std::move(order_.back().second);
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    return order_.front().second;
  }

  std::size_t size() {
    std::lock_guard lock(mutex_);
    return order_.size();
  }

 private:
  using Entry = std::pair<Digest, std::shared_ptr<const CachedSigner>>;
  std::mutex mutex_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<Digest, std::list<Entry>::iterator, DigestHash> index_;
};

SignerCache& cache() {
  static SignerCache* shared = new SignerCache;  // never destroyed: threads may verify during exit
  return *shared;
}

Digest digest_of(ByteView der) {
  Digest digest{};
  unsigned int length = 0;
  if (EVP_Digest(der.data(), der.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    ERR_clear_error();
    throw Error(ErrorCode::crypto, "cannot hash a certificate of EF.SOD");
  }
  return digest;
}

}  // namespace

CachedSigner::CachedSigner(X509Ptr certificate) : certificate_(std::move(certificate)) {
  const unsigned char* der = nullptr;
  std::size_t length = 0;
  if (X509_NAME_get0_der(X509_get_issuer_name(certificate_.get()), &der, &length) == 1) {
    issuer_der_.assign(der, der + length);
  }
  ERR_clear_error();
  subject_line_ = name_line(X509_get_subject_name(certificate_.get()));
  const std::uint32_t flags = X509_get_extension_flags(certificate_.get());
  ERR_clear_error();
  if (flags & EXFLAG_INVALID) {
    profile_problem_ = "the document signer certificate has malformed extensions";
  } else if (flags & EXFLAG_CRITICAL) {
    profile_problem_ =
        "the document signer certificate carries a critical extension this library does not know";
  } else {
    profile_problem_ = document_signer_rule_broken(certificate_.get());
  }
}

std::shared_ptr<const SignerChain> CachedSigner::chain_for(std::uint64_t snapshot_id) const {
  std::lock_guard lock(mutex_);
  return chain_ && chain_->snapshot_id == snapshot_id ? chain_ : nullptr;
}

void CachedSigner::remember(std::shared_ptr<const SignerChain> chain) const {
  std::lock_guard lock(mutex_);
  chain_.swap(chain);
}

std::shared_ptr<const CachedSigner> cached_signer(ByteView der) {
  const Digest key = digest_of(der);
  if (auto known = cache().find(key)) return known;
  const unsigned char* cursor = der.data();
  X509Ptr certificate(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!certificate || cursor != der.data() + der.size()) {
    throw Error(ErrorCode::malformed_data, "a certificate in EF.SOD does not parse");
  }
  return cache().insert(key, std::make_shared<const CachedSigner>(std::move(certificate)));
}

std::size_t cached_signer_count() {
  return cache().size();
}

}  // namespace cccd::verification
