// The inside of TrustStore, shared by the verify layer.
//
// Threading: what a verification reads is a Snapshot, immutable once published. Adding certificates or
// CRLs copies the current snapshot (its anchors share their certificates and keys, so the copy is a
// vector of pointers and the indexes, not the certificates), adds to the copy and publishes it under
// the store's mutex. A verification takes the current snapshot once (a shared_ptr copy under that
// mutex, nothing more) and works on it to the end: an add on another thread never changes what it
// reads, and the last holder of a replaced snapshot frees it. Adds are serialised by a second mutex,
// so two adds never lose each other's certificates.
#pragma once

#include "crypto/openssl_ptr.hpp"

#include <cccd/bytes.hpp>
#include <cccd/trust.hpp>

#include <openssl/x509.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace cccd {

using X509CrlPtr = OpensslPtr<X509_CRL, &X509_CRL_free>;

namespace verification {

// The index key of a name: OpenSSL's hash of its canonical form (X509_NAME_hash_ex: case and spacing
// folded as X509_NAME_cmp compares). Equal names have equal keys; a key shared by different names is
// told apart by X509_NAME_cmp on the few candidates.
std::uint64_t name_key(const X509_NAME* name);
// SHA-256 of the DER of a certificate: what duplicate certificates are recognised by (and what the
// document signer cache is keyed by). CRLs are recognised by the SHA-256 of their encoding too.
using Digest = std::array<unsigned char, 32>;
struct DigestHash {
  std::size_t operator()(const Digest& digest) const noexcept {
    std::size_t head = 0;
    std::memcpy(&head, digest.data(), sizeof head);  // a SHA-256 is already uniformly spread
    return head;
  }
};
Digest certificate_digest(X509* certificate);

}  // namespace verification

// A CSCA certificate, parsed by OpenSSL on first use. Parsing a certificate decodes its public key,
// which costs about 100 µs in OpenSSL 3 (90 % of loading a PKD's CSCAs, measured with callgrind), and a
// server uses few of the thousands it trusts: the store indexes the DER by its subject name and digest
// and parses a certificate when a verification first reaches it. What checking a CRL's signature needs,
// the subject name and the key, comes without that parse: the name was parsed alone when the store
// indexed it, and an RSA or named-curve key is built from the SubjectPublicKeyInfo
// (crypto::named_public_key). Shared by the snapshots that hold the anchor; each first use runs once for
// all threads (call_once), nothing is changed after.
class AnchorCertificate {
 public:
  // Already parsed (a master list's certificates, master list roots).
  explicit AnchorCertificate(X509Ptr certificate);
  // DER that passed the store's structural check (trust_store.cpp), with its subject name parsed there
  // and where its SubjectPublicKeyInfo lies in it; the certificate is parsed on first use.
  AnchorCertificate(Bytes der, X509NamePtr subject, std::size_t key_info_offset, std::size_t key_info_size);

  // Null when OpenSSL refuses the DER: the anchor is then never found by anchors_named.
  X509* certificate() const;
  // The subject name, without parsing the certificate when the store parsed it alone.
  const X509_NAME* subject() const;
  // The key that verifies what this certificate signed: its public key, with explicit EC parameters
  // replaced by the named curve they equal (verification::issuer_key). Null when unusable, and then
  // key_problem() says why.
  EVP_PKEY* key() const;
  const std::string& key_problem() const;

 private:
  void parse() const;
  void make_key() const;

  Bytes der_;            // empty when constructed parsed
  X509NamePtr subject_;  // null when constructed parsed
  std::size_t key_info_offset_ = 0;
  std::size_t key_info_size_ = 0;  // 0: no SubjectPublicKeyInfo located
  mutable std::once_flag parsed_;
  mutable X509Ptr certificate_;
  mutable std::once_flag key_made_;
  mutable EvpPkeyPtr key_;
  mutable std::string key_problem_;
};

struct TrustStore::Impl {
  struct Anchor {
    std::shared_ptr<const AnchorCertificate> source;
    bool test_anchor = false;
    X509* certificate() const { return source->certificate(); }
    const X509_NAME* subject() const { return source->subject(); }
    EVP_PKEY* key() const { return source->key(); }
    const std::string& key_problem() const { return source->key_problem(); }
  };
  // A CRL with what was established when it was added: its issuer's name key, its validity window, and
  // whether its signature verifies with a CSCA of the store bearing its issuer's name (checked once,
  // when the CRL or such a CSCA is added; never again per verification).
  struct Crl {
    std::shared_ptr<X509_CRL> crl;
    std::uint64_t issuer_key = 0;
    std::optional<std::time_t> this_update;
    std::optional<std::time_t> next_update;
    bool verified = false;
  };

  // This snapshot's number, unique in the process: what caches of verification results are keyed by,
  // so a result computed on one snapshot is never used with another (of this store or of another).
  std::uint64_t id = 0;
  std::vector<Anchor> anchors;            // CSCA certificates (self-signed or link certificates)
  std::vector<Anchor> master_list_roots;  // may vouch for master lists only
  std::vector<Crl> crls;
  std::vector<MasterListInfo> master_lists;

  // Indexes into `anchors` and `crls`.
  std::unordered_multimap<std::uint64_t, std::size_t> anchors_by_subject;  // name_key of the subject
  std::unordered_map<verification::Digest, std::size_t, verification::DigestHash> anchors_by_digest;
  std::unordered_multimap<std::uint64_t, std::size_t> crls_by_issuer;  // name_key of the issuer
  std::unordered_map<verification::Digest, std::size_t, verification::DigestHash> crls_by_digest;

  // The anchor for a parsed `certificate`; shared by every way parsed certificates come in.
  static Anchor make_anchor(X509Ptr certificate, bool test_anchor);

  // The anchor whose certificate is exactly `certificate` (same DER), or null.
  const Anchor* find_exact(X509* certificate) const;
  // The anchors whose subject name is `name`, those whose subject key identifier equals `key_id` first
  // when one is given.
  std::vector<const Anchor*> anchors_named(const X509_NAME* name,
                                           const ASN1_OCTET_STRING* key_id = nullptr) const;
  // The anchors whose subject name is `name`, whether or not OpenSSL parses the rest of their
  // certificate: what a CRL's signature is checked with (name and key only), without parsing them.
  std::vector<const Anchor*> keys_named(const X509_NAME* name) const;
  // The CRLs whose issuer name is `name`.
  std::vector<const Crl*> crls_of(const X509_NAME* name) const;
};

// What a TrustStore holds: the published snapshot and the lock adds take.
struct TrustStore::Shared {
  mutable std::mutex publish;  // guards `current` (held only to copy or swap the pointer)
  std::mutex add;              // serialises adds: each copies the snapshot the previous one published
  std::shared_ptr<const Impl> current;
};

}  // namespace cccd
