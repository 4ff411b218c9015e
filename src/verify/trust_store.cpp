// The trust store: CSCA certificates, CRLs and master lists loaded from PEM or DER files and folders,
// parsed by OpenSSL from bounded buffers (a trust store path is configuration, but a folder may hold
// anything, and a master list comes from elsewhere).
#include "verify/master_list.hpp"
#include "verify/trust_store_chain.hpp"
#include "verify/trust_store_impl.hpp"

#include <cccd/error.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <algorithm>
#include <ctime>
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
// without end; in chunks, so a small certificate does not cost a master list's buffer. The bound is the
// master list's: other contents are held to 1 MiB once recognised.
Bytes read_bounded(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorCode::io, "trust store: cannot open " + file.string());
  constexpr std::size_t kChunk = 64 * 1024;
  Bytes data;
  while (in && data.size() <= verification::kMaxMasterListSize) {
    std::size_t used = data.size();
    data.resize(used + kChunk);
    in.read(reinterpret_cast<char*>(data.data() + used), static_cast<std::streamsize>(kChunk));
    data.resize(used + static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw Error(ErrorCode::io, "trust store: cannot read " + file.string());
  if (data.size() > verification::kMaxMasterListSize) {
    throw Error(ErrorCode::limit_exceeded, "trust store: " + file.string() + " is larger than 32 MiB");
  }
  return data;
}

bool looks_like_pem_crl(ByteView data) {
  std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  return text.find("-----BEGIN X509 CRL-----") != std::string_view::npos;
}

// Every CRL of a PEM text (other blocks skipped) or the one DER CRL.
std::vector<X509CrlPtr> parse_crls(ByteView data) {
  if (data.size() > kMaxTrustFileSize) {
    throw Error(ErrorCode::limit_exceeded, "trust store: CRL data larger than 1 MiB");
  }
  if (data.empty()) throw Error(ErrorCode::malformed_data, "trust store: empty CRL data");
  std::vector<X509CrlPtr> crls;
  if (looks_like_pem(data)) {
    BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    if (!bio) throw Error(ErrorCode::crypto, "trust store: cannot allocate an OpenSSL buffer");
    while (X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) {
      crls.emplace_back(crl);
      if (crls.size() > kMaxCertificatesPerFile) {
        ERR_clear_error();
        throw Error(ErrorCode::limit_exceeded, "trust store: more than 4096 CRLs in one PEM file");
      }
    }
    unsigned long last = ERR_peek_last_error();
    bool clean_end =
        last == 0 || (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE);
    ERR_clear_error();
    if (!clean_end) throw Error(ErrorCode::malformed_data, "trust store: a PEM CRL does not decode");
    return crls;
  }
  const unsigned char* cursor = data.data();
  X509CrlPtr crl(d2i_X509_CRL(nullptr, &cursor, static_cast<long>(data.size())));
  ERR_clear_error();
  if (!crl) throw Error(ErrorCode::malformed_data, "trust store: not a DER CRL");
  if (cursor != data.data() + data.size()) {
    throw Error(ErrorCode::malformed_data, "trust store: bytes follow the DER CRL");
  }
  crls.push_back(std::move(crl));
  return crls;
}

std::size_t add_crls(TrustStore::Impl& impl, std::vector<X509CrlPtr> crls) {
  std::size_t added = 0;
  for (X509CrlPtr& crl : crls) {
    bool known = std::any_of(impl.crls.begin(), impl.crls.end(), [&](const X509CrlPtr& held) {
      return X509_CRL_match(held.get(), crl.get()) == 0;
    });
    if (known) continue;
    impl.crls.push_back(std::move(crl));
    ++added;
  }
  return added;
}

// A folder's regular files in name order (so the result does not depend on the file system), not
// descending into sub-folders.
std::vector<std::filesystem::path> folder_files(const std::filesystem::path& path) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator it(path, ec);
  if (ec) throw Error(ErrorCode::io, "trust store: cannot list " + path.string());
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::error_code file_ec;
    if (it->is_regular_file(file_ec)) files.push_back(it->path());
  }
  if (ec) throw Error(ErrorCode::io, "trust store: cannot list " + path.string());
  std::sort(files.begin(), files.end());
  return files;
}

std::size_t add_all(std::vector<TrustStore::Impl::Anchor>& anchors, std::vector<X509Ptr> certificates,
                    bool test_anchor) {
  std::size_t added = 0;
  for (X509Ptr& cert : certificates) {
    bool known = std::any_of(anchors.begin(), anchors.end(), [&](const TrustStore::Impl::Anchor& a) {
      return X509_cmp(a.certificate.get(), cert.get()) == 0;
    });
    if (known) continue;
    anchors.push_back(TrustStore::Impl::make_anchor(std::move(cert), test_anchor));
    ++added;
  }
  return added;
}

// The certificates of one file or of every file of a folder (not recursive, others skipped).
std::vector<X509Ptr> load_certificates(const std::filesystem::path& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    throw Error(ErrorCode::io, "trust store: cannot find " + path.string());
  }
  auto from_file = [](const std::filesystem::path& file) {
    Bytes data = read_bounded(file);
    std::vector<X509Ptr> certificates = parse_certificates(data);
    if (certificates.empty()) throw Error(ErrorCode::malformed_data, "no certificate");
    return certificates;
  };
  if (!std::filesystem::is_directory(status)) {
    try {
      return from_file(path);
    } catch (const Error& e) {
      if (e.code() == ErrorCode::malformed_data) {
        throw Error(ErrorCode::malformed_data, "trust store: " + path.string() + " holds no certificate");
      }
      throw;
    }
  }
  std::vector<X509Ptr> all;
  for (const auto& file : folder_files(path)) {
    try {
      for (X509Ptr& cert : from_file(file)) all.push_back(std::move(cert));
    } catch (const Error& e) {
      if (e.code() != ErrorCode::malformed_data && e.code() != ErrorCode::limit_exceeded &&
          e.code() != ErrorCode::io) {
        throw;
      }
    }
  }
  return all;
}

std::size_t add_master_list_data(TrustStore::Impl& impl, ByteView data, const std::filesystem::path& file,
                                 const std::vector<TrustStore::Impl::Anchor>& roots) {
  if (roots.empty()) {
    throw Error(ErrorCode::invalid_argument,
                "trust store: " + file.string() +
                    " is a CSCA master list: give the certificate of the root its signer chains to "
                    "(--ml-root) to load it");
  }
  verification::MasterList list;
  try {
    list = verification::open_master_list(data, roots, std::time(nullptr));
  } catch (const Error& e) {
    throw Error(e.code(), "trust store: " + file.filename().string() + ": " + e.what());
  }
  TrustStore::MasterListInfo info;
  info.source = file.filename().string();
  info.signer = verification::name_line(X509_get_subject_name(list.signer.get()));
  if (list.signing_time) info.signing_time = verification::iso_time(*list.signing_time);
  info.certificates = list.certificates.size();
  info.added = add_all(impl.anchors, std::move(list.certificates), false);
  impl.master_lists.push_back(info);
  return info.added;
}

// One file: a master list, PEM (certificates and CRLs), a DER certificate or a DER CRL. In a folder
// (`skip_unknown`), a file that is none of them is skipped; a master list never is.
std::size_t add_file(TrustStore::Impl& impl, const std::filesystem::path& file, bool test_anchor,
                     bool skip_unknown) {
  Bytes data;
  try {
    data = read_bounded(file);
  } catch (const Error& e) {
    if (skip_unknown && (e.code() == ErrorCode::io || e.code() == ErrorCode::limit_exceeded)) return 0;
    throw;
  }
  if (verification::looks_like_master_list(data)) {
    return add_master_list_data(impl, data, file, impl.master_list_roots);
  }
  std::vector<X509Ptr> certificates;
  std::vector<X509CrlPtr> crls;
  try {
    if (looks_like_pem(data)) {
      certificates = parse_certificates(data);
      if (looks_like_pem_crl(data)) crls = parse_crls(data);
    } else {
      try {
        certificates = parse_certificates(data);
      } catch (const Error& e) {
        if (e.code() != ErrorCode::malformed_data) throw;
        crls = parse_crls(data);
      }
    }
  } catch (const Error& e) {
    if (skip_unknown && (e.code() == ErrorCode::malformed_data || e.code() == ErrorCode::limit_exceeded)) {
      return 0;
    }
    if (e.code() == ErrorCode::malformed_data) {
      throw Error(ErrorCode::malformed_data,
                  "trust store: " + file.string() + " holds no certificate, CRL or master list");
    }
    throw;
  }
  if (certificates.empty() && crls.empty()) {
    if (skip_unknown) return 0;
    throw Error(ErrorCode::malformed_data,
                "trust store: " + file.string() + " holds no certificate, CRL or master list");
  }
  add_crls(impl, std::move(crls));
  return add_all(impl.anchors, std::move(certificates), test_anchor);
}

}  // namespace

namespace {

// The virtual card's test PKI names its CSCAs "libcccd TEST CSCA <seed>" (sim/test_pki). Whoever passes
// one as trust, the verdict says that trust rests on a test certificate, never on a real issuer.
bool names_a_libcccd_test_csca(const X509* certificate) {
  const X509_NAME* subject = X509_get_subject_name(certificate);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return false;
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  static constexpr std::string_view kPrefix = "libcccd TEST CSCA";
  const int length = ASN1_STRING_length(value);
  return length >= static_cast<int>(kPrefix.size()) &&
         std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)), kPrefix.size()) ==
             kPrefix;
}

}  // namespace

TrustStore::Impl::Anchor TrustStore::Impl::make_anchor(X509Ptr certificate, bool test_anchor) {
  Anchor anchor;
  test_anchor = test_anchor || names_a_libcccd_test_csca(certificate.get());
  anchor.key = verification::issuer_key(certificate.get(), anchor.key_problem);
  anchor.certificate = std::move(certificate);
  anchor.test_anchor = test_anchor;
  return anchor;
}

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
  if (!std::filesystem::is_directory(status)) return add_file(*impl_, path, test_anchor, false);
  std::size_t added = 0;
  for (const auto& file : folder_files(path)) added += add_file(*impl_, file, test_anchor, true);
  return added;
}

void TrustStore::add_certificate(ByteView der_or_pem, bool test_anchor) {
  std::vector<X509Ptr> certificates = parse_certificates(der_or_pem);
  if (certificates.empty()) throw Error(ErrorCode::malformed_data, "trust store: no certificate in the data");
  add_all(impl_->anchors, std::move(certificates), test_anchor);
}

std::size_t TrustStore::add_master_list_roots(const std::filesystem::path& path) {
  std::vector<X509Ptr> certificates = load_certificates(path);
  if (certificates.empty()) {
    throw Error(ErrorCode::malformed_data, "trust store: " + path.string() + " holds no certificate");
  }
  return add_all(impl_->master_list_roots, std::move(certificates), false);
}

std::size_t TrustStore::add_master_list(const std::filesystem::path& path,
                                        const std::vector<std::filesystem::path>& roots) {
  std::vector<Impl::Anchor> root_anchors;
  for (const auto& root : roots) add_all(root_anchors, load_certificates(root), false);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error(ErrorCode::io, "trust store: cannot find the master list " + path.string());
  }
  Bytes data = read_bounded(path);
  if (!verification::looks_like_master_list(data)) {
    throw Error(ErrorCode::malformed_data, "trust store: " + path.string() +
                                               " is not a CSCA master list (CMS SignedData of "
                                               "id-icao-cscaMasterList)");
  }
  return add_master_list_data(*impl_, data, path, root_anchors);
}

std::size_t TrustStore::add_master_list_bytes(ByteView list, ByteView roots_pem_or_der) {
  std::vector<Impl::Anchor> root_anchors;
  add_all(root_anchors, parse_certificates(roots_pem_or_der), false);
  if (root_anchors.empty())
    throw Error(ErrorCode::malformed_data, "trust store: no root certificate in the data");
  if (!verification::looks_like_master_list(list)) {
    throw Error(ErrorCode::malformed_data,
                "trust store: the data is not a CSCA master list (CMS SignedData of id-icao-cscaMasterList)");
  }
  return add_master_list_data(*impl_, list, "master list (memory)", root_anchors);
}

std::size_t TrustStore::add_crl(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error(ErrorCode::io, "trust store: cannot find the CRL " + path.string());
  }
  Bytes data = read_bounded(path);
  std::vector<X509CrlPtr> crls;
  try {
    crls = parse_crls(data);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::malformed_data) throw;
    throw Error(ErrorCode::malformed_data, "trust store: " + path.string() + " holds no CRL");
  }
  if (crls.empty()) throw Error(ErrorCode::malformed_data, "trust store: " + path.string() + " holds no CRL");
  return add_crls(*impl_, std::move(crls));
}

void TrustStore::add_crl_data(ByteView der_or_pem) {
  std::vector<X509CrlPtr> crls = parse_crls(der_or_pem);
  if (crls.empty()) throw Error(ErrorCode::malformed_data, "trust store: no CRL in the data");
  add_crls(*impl_, std::move(crls));
}

std::size_t TrustStore::size() const noexcept {
  return impl_ ? impl_->anchors.size() : 0;
}

TrustStore::Summary TrustStore::summary() const {
  Summary summary;
  summary.csca_certificates = impl_->anchors.size();
  for (const auto& anchor : impl_->anchors)
    ++summary.csca_by_country[verification::country_of(anchor.certificate.get())];
  summary.master_list_roots = impl_->master_list_roots.size();
  summary.master_lists = impl_->master_lists;
  for (const X509CrlPtr& crl : impl_->crls) {
    CrlInfo info;
    info.issuer = verification::name_line(X509_CRL_get_issuer(crl.get()));
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
    info.revoked = revoked ? static_cast<std::size_t>(sk_X509_REVOKED_num(revoked)) : 0;
    if (auto when = verification::time_of(X509_CRL_get0_lastUpdate(crl.get()))) {
      info.this_update = verification::iso_time(*when);
    }
    if (auto when = verification::time_of(X509_CRL_get0_nextUpdate(crl.get()))) {
      info.next_update = verification::iso_time(*when);
    }
    info.verified = verification::crl_verified(crl.get(), impl_->anchors);
    summary.crls.push_back(std::move(info));
  }
  return summary;
}

}  // namespace cccd
