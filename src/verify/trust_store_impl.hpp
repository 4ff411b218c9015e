// The inside of TrustStore, shared by the verify layer.
#pragma once

#include "crypto/openssl_ptr.hpp"

#include <cccd/trust.hpp>

#include <openssl/x509.h>

#include <memory>
#include <vector>

namespace cccd {

struct TrustStore::Impl {
  struct Anchor {
    X509Ptr certificate;
    bool test_anchor = false;
  };
  std::vector<Anchor> anchors;
};

}  // namespace cccd
