// The trust store: CSCA certificates a document signer must chain to.
#pragma once

#include <cccd/bytes.hpp>

#include <filesystem>
#include <memory>

namespace cccd {

class TrustStore {
 public:
  TrustStore();
  ~TrustStore();
  TrustStore(TrustStore&&) noexcept;
  TrustStore& operator=(TrustStore&&) noexcept;

  // A PEM file (one or more certificates), a DER certificate, or a folder of them (not recursive;
  // files that are neither are skipped). Throws Error(io) or Error(malformed_data) for a named file that
  // holds no certificate. Returns the number of certificates added.
  std::size_t add_path(const std::filesystem::path& path, bool test_anchor = false);
  // One certificate in DER or PEM. `test_anchor` marks libcccd's virtual-card test CSCAs so the verdict
  // can say that trust rests on a test certificate.
  void add_certificate(ByteView der_or_pem, bool test_anchor = false);

  std::size_t size() const noexcept;
  bool empty() const noexcept { return size() == 0; }

  struct Impl;
  const Impl& impl() const noexcept { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cccd
