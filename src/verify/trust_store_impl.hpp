// The inside of TrustStore, shared by the verify layer.
#pragma once

#include <cccd/trust.hpp>

#include <openssl/x509.h>

#include <memory>
#include <vector>

namespace cccd {

struct X509Deleter {
  void operator()(X509* cert) const noexcept { X509_free(cert); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

struct TrustStore::Impl {
  struct Anchor {
    X509Ptr certificate;
    bool test_anchor = false;
  };
  std::vector<Anchor> anchors;
};

}  // namespace cccd
