// The trust store: CSCA certificates loaded from PEM or DER files and folders, parsed by OpenSSL from
// bounded buffers (a trust store path is configuration, but a folder may hold anything).
#include "verify/trust_store_impl.hpp"

#include <cccd/error.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <fstream>
#include <string_view>
#include <vector>

namespace cccd {
namespace {

// A CSCA certificate is a few kilobytes; a PEM bundle of a whole master list a few hundred.
constexpr std::size_t kMaxTrustFileSize = 1024 * 1024;
// Bounds the number of anchors one PEM bundle may add (a master list holds a few hundred).
constexpr std::size_t kMaxCertificatesPerFile = 4096;

bool looks_like_pem(ByteView data) {
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  return text.find("-----BEGIN ") != std::string_view::npos;
}

// Every certificate of a PEM text; blocks of other kinds (keys, CRLs) are skipped by OpenSSL.
std::vector<X509Ptr> parse_pem(ByteView data) {
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) throw Error(ErrorCode::crypto, "trust store: cannot allocate an OpenSSL buffer");
  std::vector<X509Ptr> certificates;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certificates.emplace_back(cert);
    if (certificates.size() > kMaxCertificatesPerFile) {
      ERR_clear_error();
      throw Error(ErrorCode::limit_exceeded, "trust store: more than 4096 certificates in one PEM file");
    }
  }
  // The loop ends with "no start line" at the end of the text, or with a decoding error on a broken
  // block; a broken block after good certificates is not silently accepted.
  unsigned long last = ERR_peek_last_error();
  bool clean_end =
      last == 0 || (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE);
  ERR_clear_error();
  if (!clean_end) throw Error(ErrorCode::malformed_data, "trust store: a PEM certificate does not decode");
  return certificates;
}

X509Ptr parse_der(ByteView data) {
  const unsigned char* cursor = data.data();
  X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(data.size())));
  ERR_clear_error();
  if (!cert) throw Error(ErrorCode::malformed_data, "trust store: not a DER certificate");
  if (cursor != data.data() + data.size()) {
    throw Error(ErrorCode::malformed_data, "trust store: bytes follow the DER certificate");
  }
  return cert;
}

std::vector<X509Ptr> parse_certificates(ByteView data) {
  if (data.size() > kMaxTrustFileSize) {
    throw Error(ErrorCode::limit_exceeded, "trust store: certificate data larger than 1 MiB");
  }
  if (data.empty()) throw Error(ErrorCode::malformed_data, "trust store: empty certificate data");
  if (looks_like_pem(data)) return parse_pem(data);
  std::vector<X509Ptr> one;
  one.push_back(parse_der(data));
  return one;
}

// Reads at most the bound plus one byte, so a file that grows or a device file cannot make it read
// without end.
Bytes read_bounded(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorCode::io, "trust store: cannot open " + file.string());
  Bytes data(kMaxTrustFileSize + 1);
  in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (in.bad()) throw Error(ErrorCode::io, "trust store: cannot read " + file.string());
  data.resize(static_cast<std::size_t>(in.gcount()));
  if (data.size() > kMaxTrustFileSize) {
    throw Error(ErrorCode::limit_exceeded, "trust store: " + file.string() + " is larger than 1 MiB");
  }
  return data;
}

std::size_t add_all(TrustStore::Impl& impl, std::vector<X509Ptr> certificates, bool test_anchor) {
  std::size_t added = 0;
  for (X509Ptr& cert : certificates) {
    bool known = std::any_of(
        impl.anchors.begin(), impl.anchors.end(),
        [&](const TrustStore::Impl::Anchor& a) { return X509_cmp(a.certificate.get(), cert.get()) == 0; });
    if (known) continue;
    impl.anchors.push_back({std::move(cert), test_anchor});
    ++added;
  }
  return added;
}

std::size_t add_file(TrustStore::Impl& impl, const std::filesystem::path& file, bool test_anchor) {
  Bytes data = read_bounded(file);
  std::vector<X509Ptr> certificates;
  try {
    certificates = parse_certificates(data);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::malformed_data) {
      throw Error(ErrorCode::malformed_data, "trust store: " + file.string() + " holds no certificate");
    }
    throw;
  }
  if (certificates.empty()) {
    throw Error(ErrorCode::malformed_data, "trust store: " + file.string() + " holds no certificate");
  }
  return add_all(impl, std::move(certificates), test_anchor);
}

}  // namespace

TrustStore::TrustStore() : impl_(std::make_unique<Impl>()) {}
TrustStore::~TrustStore() = default;
TrustStore::TrustStore(TrustStore&&) noexcept = default;
TrustStore& TrustStore::operator=(TrustStore&&) noexcept = default;

std::size_t TrustStore::add_path(const std::filesystem::path& path, bool test_anchor) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    throw Error(ErrorCode::io, "trust store: cannot find " + path.string());
  }
  if (!std::filesystem::is_directory(status)) return add_file(*impl_, path, test_anchor);

  // A folder: its regular files in name order (so the result does not depend on the file system),
  // not descending into sub-folders; files that hold no certificate are skipped.
  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator it(path, ec);
  if (ec) throw Error(ErrorCode::io, "trust store: cannot list " + path.string());
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::error_code file_ec;
    if (it->is_regular_file(file_ec)) files.push_back(it->path());
  }
  if (ec) throw Error(ErrorCode::io, "trust store: cannot list " + path.string());
  std::sort(files.begin(), files.end());

  std::size_t added = 0;
  for (const auto& file : files) {
    try {
      added += add_file(*impl_, file, test_anchor);
    } catch (const Error& e) {
      // Skipped: a file that is not a certificate, too large to be one, or unreadable. An error in
      // OpenSSL itself is not a property of the file and is reported.
      if (e.code() != ErrorCode::malformed_data && e.code() != ErrorCode::limit_exceeded &&
          e.code() != ErrorCode::io) {
        throw;
      }
    }
  }
  return added;
}

void TrustStore::add_certificate(ByteView der_or_pem, bool test_anchor) {
  std::vector<X509Ptr> certificates = parse_certificates(der_or_pem);
  if (certificates.empty()) throw Error(ErrorCode::malformed_data, "trust store: no certificate in the data");
  add_all(*impl_, std::move(certificates), test_anchor);
}

std::size_t TrustStore::size() const noexcept {
  return impl_ ? impl_->anchors.size() : 0;
}

}  // namespace cccd
