// The inside of TrustStore, shared by the verify layer.
#pragma once

#include "crypto/openssl_ptr.hpp"

#include <cccd/trust.hpp>

#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

namespace cccd {

using X509CrlPtr = OpensslPtr<X509_CRL, &X509_CRL_free>;

struct TrustStore::Impl {
  struct Anchor {
    X509Ptr certificate;
    bool test_anchor = false;
    // The key that verifies what this certificate signed: its public key, with explicit EC parameters
    // replaced by the named curve they equal (verification::issuer_key). Null when unusable, and then
    // `key_problem` says why.
    EvpPkeyPtr key;
    std::string key_problem;
  };
  std::vector<Anchor> anchors;            // CSCA certificates (self-signed or link certificates)
  std::vector<Anchor> master_list_roots;  // may vouch for master lists only
  std::vector<X509CrlPtr> crls;           // checked against the CSCAs when used
  std::vector<MasterListInfo> master_lists;

  // The anchor for `certificate` (its key computed once); shared by every way certificates come in.
  static Anchor make_anchor(X509Ptr certificate, bool test_anchor);
};

}  // namespace cccd
