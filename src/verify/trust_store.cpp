// The trust store: CSCA certificates, CRLs and master lists loaded from PEM or DER files and folders,
// parsed by OpenSSL from bounded buffers (a trust store path is configuration, but a folder may hold
// anything, and a master list comes from elsewhere).
#include "asn1/tlv.hpp"
#include "crypto/subject_public_key.hpp"
#include "verify/master_list.hpp"
#include "verify/trust_store_chain.hpp"
#include "verify/trust_store_impl.hpp"

#include <cccd/error.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <fstream>
#include <mutex>
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

// The DER of every certificate and every CRL of a PEM text, decoded in one pass (a PKD export puts
// each CSCA's CRL beside it); blocks of other kinds (keys) are skipped. Not parsed here: the store
// parses a CSCA when a verification first uses it (AnchorCertificate).
struct PemBlocks {
  std::vector<Bytes> certificates;
  std::vector<Bytes> crls;
};

PemBlocks pem_blocks(ByteView data) {
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) throw Error(ErrorCode::crypto, "trust store: cannot allocate an OpenSSL buffer");
  PemBlocks blocks;
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* body = nullptr;
    long length = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &body, &length) != 1) break;
    const std::string_view kind(name);
    // The labels PEM_read_bio_X509 and PEM_read_bio_X509_CRL take (RFC 7468 and the older one).
    if (kind == PEM_STRING_X509 || kind == PEM_STRING_X509_OLD)
      blocks.certificates.emplace_back(body, body + length);
    else if (kind == PEM_STRING_X509_CRL)
      blocks.crls.emplace_back(body, body + length);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(body);
    if (blocks.certificates.size() > kMaxCertificatesPerFile ||
        blocks.crls.size() > kMaxCertificatesPerFile) {
      ERR_clear_error();
      throw Error(ErrorCode::limit_exceeded,
                  "trust store: more than 4096 certificates or CRLs in one PEM file");
    }
  }
  // The loop ends with "no start line" at the end of the text, or with a decoding error on a broken
  // block; a broken block after good ones is not silently accepted.
  unsigned long last = ERR_peek_last_error();
  bool clean_end =
      last == 0 || (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE);
  ERR_clear_error();
  if (!clean_end) throw Error(ErrorCode::malformed_data, "trust store: a PEM block does not decode");
  return blocks;
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

// The DER of each certificate in `data` (a PEM text, or one DER certificate), unparsed.
std::vector<Bytes> certificate_ders(ByteView data) {
  if (data.size() > kMaxTrustFileSize) {
    throw Error(ErrorCode::limit_exceeded, "trust store: certificate data larger than 1 MiB");
  }
  if (data.empty()) throw Error(ErrorCode::malformed_data, "trust store: empty certificate data");
  if (looks_like_pem(data)) return pem_blocks(data).certificates;
  std::vector<Bytes> one;
  one.emplace_back(data.begin(), data.end());
  return one;
}

// Parsed now: master list roots, a handful.
std::vector<X509Ptr> parse_certificates(ByteView data) {
  std::vector<X509Ptr> parsed;
  for (const Bytes& der : certificate_ders(data)) parsed.push_back(parse_der(der));
  return parsed;
}

// What the store indexes a CSCA by, read from its DER without OpenSSL's full parse: the subject name
// (parsed alone, no key decoding, and kept), where its SubjectPublicKeyInfo lies, and whether it names a
// libcccd test CSCA. The certificate's outer
// structure is checked here (Certificate, TBSCertificate up to the subject, strict TLV), so a file that
// is not a certificate is refused when it is added, as a full parse would.
struct IncomingCertificate {
  Bytes der;
  verification::Digest digest{};
  X509NamePtr subject;
  std::uint64_t subject_key = 0;
  std::size_t key_info_offset = 0;
  std::size_t key_info_size = 0;
  bool test_csca = false;
};

bool names_a_libcccd_test_csca(const X509_NAME* subject);

IncomingCertificate describe_certificate(Bytes der) {
  IncomingCertificate incoming;
  try {
    constexpr asn1::Tag kSequence = 0x30, kInteger = 0x02, kBitString = 0x03, kVersion = 0xA0;
    const asn1::Tlv certificate = asn1::parse_one(der, kSequence);
    if (certificate.indefinite) throw Error(ErrorCode::malformed_data, "indefinite length");
    asn1::TlvReader fields(certificate.value);
    const asn1::Tlv tbs = fields.expect(kSequence);
    fields.expect(kSequence);   // signatureAlgorithm
    fields.expect(kBitString);  // signatureValue
    fields.expect_end();
    asn1::TlvReader tbs_fields(tbs.value);
    tbs_fields.next_if(kVersion);
    tbs_fields.expect(kInteger);   // serialNumber
    tbs_fields.expect(kSequence);  // signature
    tbs_fields.expect(kSequence);  // issuer
    tbs_fields.expect(kSequence);  // validity
    const asn1::Tlv subject = tbs_fields.expect(kSequence);
    const asn1::Tlv key_info = tbs_fields.expect(kSequence);
    const unsigned char* cursor = subject.encoded.data();
    X509NamePtr name(d2i_X509_NAME(nullptr, &cursor, static_cast<long>(subject.encoded.size())));
    if (!name || cursor != subject.encoded.data() + subject.encoded.size())
      throw Error(ErrorCode::malformed_data, "subject name");
    incoming.subject_key = verification::name_key(name.get());
    incoming.test_csca = names_a_libcccd_test_csca(name.get());
    incoming.subject = std::move(name);
    // An offset, not a view: `der` moves into `incoming` below (its buffer with it).
    incoming.key_info_offset = static_cast<std::size_t>(key_info.encoded.data() - der.data());
    incoming.key_info_size = key_info.encoded.size();
  } catch (const Error&) {
    ERR_clear_error();
    throw Error(ErrorCode::malformed_data, "trust store: not a DER certificate");
  }
  unsigned int length = 0;
  if (EVP_Digest(der.data(), der.size(), incoming.digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != incoming.digest.size()) {
    ERR_clear_error();
    throw Error(ErrorCode::crypto, "trust store: cannot hash a certificate");
  }
  incoming.der = std::move(der);
  return incoming;
}

std::vector<IncomingCertificate> describe_certificates(std::vector<Bytes> ders) {
  std::vector<IncomingCertificate> described;
  for (Bytes& der : ders) described.push_back(describe_certificate(std::move(der)));
  return described;
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

// A parsed CRL and the SHA-256 of the encoding it came in (what duplicates are recognised by).
struct IncomingCrl {
  X509CrlPtr crl;
  verification::Digest digest{};
};

IncomingCrl parse_crl_der(ByteView der, const char* what) {
  const unsigned char* cursor = der.data();
  IncomingCrl incoming{X509CrlPtr(d2i_X509_CRL(nullptr, &cursor, static_cast<long>(der.size())))};
  ERR_clear_error();
  if (!incoming.crl)
    throw Error(ErrorCode::malformed_data, std::string("trust store: ") + what + " does not parse");
  if (cursor != der.data() + der.size()) {
    throw Error(ErrorCode::malformed_data, std::string("trust store: bytes follow ") + what);
  }
  unsigned int length = 0;
  if (EVP_Digest(der.data(), der.size(), incoming.digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != incoming.digest.size()) {
    ERR_clear_error();
    throw Error(ErrorCode::crypto, "trust store: cannot hash a CRL");
  }
  return incoming;
}

std::vector<IncomingCrl> parse_crls(const std::vector<Bytes>& ders) {
  std::vector<IncomingCrl> crls;
  for (const Bytes& der : ders) crls.push_back(parse_crl_der(der, "a PEM CRL"));
  return crls;
}

// Every CRL of a PEM text (other blocks skipped) or the one DER CRL.
std::vector<IncomingCrl> parse_crls(ByteView data) {
  if (data.size() > kMaxTrustFileSize) {
    throw Error(ErrorCode::limit_exceeded, "trust store: CRL data larger than 1 MiB");
  }
  if (data.empty()) throw Error(ErrorCode::malformed_data, "trust store: empty CRL data");
  if (looks_like_pem(data)) return parse_crls(pem_blocks(data).crls);
  std::vector<IncomingCrl> crls;
  crls.push_back(parse_crl_der(data, "the DER CRL"));
  return crls;
}

// A CRL is verified once, here: with the CSCAs of the store that bear its issuer's name.
bool crl_signed_by_store(X509_CRL* crl, const TrustStore::Impl& impl) {
  for (const TrustStore::Impl::Anchor* anchor : impl.keys_named(X509_CRL_get_issuer(crl))) {
    if (!anchor->key()) continue;
    int result = X509_CRL_verify(crl, anchor->key());
    ERR_clear_error();
    if (result == 1) return true;
  }
  return false;
}

std::size_t add_crls(TrustStore::Impl& impl, std::vector<IncomingCrl> incoming) {
  std::size_t added = 0;
  for (auto& [crl, digest] : incoming) {
    if (impl.crls_by_digest.count(digest) != 0) continue;
    TrustStore::Impl::Crl entry;
    entry.issuer_key = verification::name_key(X509_CRL_get_issuer(crl.get()));
    entry.this_update = verification::time_of(X509_CRL_get0_lastUpdate(crl.get()));
    entry.next_update = verification::time_of(X509_CRL_get0_nextUpdate(crl.get()));
    entry.verified = crl_signed_by_store(crl.get(), impl);
    entry.crl = std::shared_ptr<X509_CRL>(crl.release(), &X509_CRL_free);
    const std::size_t index = impl.crls.size();
    impl.crls.push_back(std::move(entry));
    impl.crls_by_issuer.emplace(impl.crls[index].issuer_key, index);
    impl.crls_by_digest.emplace(digest, index);
    ++added;
  }
  return added;
}

// A CSCA added after the CRLs it signed: those of its name that did not verify yet are checked with it.
void verify_waiting_crls(TrustStore::Impl& impl, const TrustStore::Impl::Anchor& anchor,
                         std::uint64_t subject_key) {
  auto [first, last] = impl.crls_by_issuer.equal_range(subject_key);
  for (auto it = first; it != last; ++it) {
    TrustStore::Impl::Crl& entry = impl.crls[it->second];
    if (entry.verified) continue;
    // Only a CSCA with a CRL waiting for it has its key made now (AnchorCertificate).
    if (!anchor.key() || !anchor.subject()) return;
    if (X509_NAME_cmp(anchor.subject(), X509_CRL_get_issuer(entry.crl.get())) != 0) continue;
    entry.verified = X509_CRL_verify(entry.crl.get(), anchor.key()) == 1;
    ERR_clear_error();
  }
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

// One CSCA into the store's indexes, unless a certificate with the same SHA-256 is held already.
bool add_anchor(TrustStore::Impl& impl, const verification::Digest& digest, std::uint64_t subject_key,
                TrustStore::Impl::Anchor anchor) {
  if (impl.anchors_by_digest.count(digest) != 0) return false;
  const std::size_t index = impl.anchors.size();
  impl.anchors.push_back(std::move(anchor));
  impl.anchors_by_subject.emplace(subject_key, index);
  impl.anchors_by_digest.emplace(digest, index);
  verify_waiting_crls(impl, impl.anchors[index], subject_key);
  return true;
}

// Certificates a master list's CMS parsing has parsed already.
std::size_t add_anchors(TrustStore::Impl& impl, std::vector<X509Ptr> certificates, bool test_anchor) {
  std::size_t added = 0;
  for (X509Ptr& cert : certificates) {
    const verification::Digest digest = verification::certificate_digest(cert.get());
    const std::uint64_t subject_key = verification::name_key(X509_get_subject_name(cert.get()));
    if (add_anchor(impl, digest, subject_key, TrustStore::Impl::make_anchor(std::move(cert), test_anchor)))
      ++added;
  }
  return added;
}

// Certificates from PEM or DER files and buffers, parsed when first used.
std::size_t add_anchors(TrustStore::Impl& impl, std::vector<IncomingCertificate> certificates,
                        bool test_anchor) {
  std::size_t added = 0;
  for (IncomingCertificate& incoming : certificates) {
    TrustStore::Impl::Anchor anchor;
    anchor.test_anchor = test_anchor || incoming.test_csca;
    anchor.source =
        std::make_shared<const AnchorCertificate>(std::move(incoming.der), std::move(incoming.subject),
                                                  incoming.key_info_offset, incoming.key_info_size);
    if (add_anchor(impl, incoming.digest, incoming.subject_key, std::move(anchor))) ++added;
  }
  return added;
}

// Master list roots: a handful, kept in a plain list.
std::size_t add_all(std::vector<TrustStore::Impl::Anchor>& anchors, std::vector<X509Ptr> certificates,
                    bool test_anchor) {
  std::size_t added = 0;
  for (X509Ptr& cert : certificates) {
    bool known = std::any_of(anchors.begin(), anchors.end(), [&](const TrustStore::Impl::Anchor& a) {
      return X509_cmp(a.certificate(), cert.get()) == 0;
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
  info.added = add_anchors(impl, std::move(list.certificates), false);
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
  std::vector<IncomingCertificate> certificates;
  std::vector<IncomingCrl> crls;
  try {
    if (looks_like_pem(data)) {
      if (data.size() > kMaxTrustFileSize) {
        throw Error(ErrorCode::limit_exceeded, "trust store: certificate data larger than 1 MiB");
      }
      PemBlocks blocks = pem_blocks(data);
      certificates = describe_certificates(std::move(blocks.certificates));
      crls = parse_crls(blocks.crls);
    } else {
      try {
        certificates = describe_certificates(certificate_ders(data));
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
  return add_anchors(impl, std::move(certificates), test_anchor);
}

}  // namespace

namespace {

// The virtual card's test PKI names its CSCAs "libcccd TEST CSCA <seed>" (sim/test_pki). Whoever passes
// one as trust, the verdict says that trust rests on a test certificate, never on a real issuer.
bool names_a_libcccd_test_csca(const X509_NAME* subject) {
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

namespace {

// Snapshot numbers: never reused, so a cache entry made on a snapshot can never match another.
std::atomic<std::uint64_t> next_snapshot_id{1};

std::shared_ptr<const TrustStore::Impl> empty_snapshot() {
  auto empty = std::make_shared<TrustStore::Impl>();
  empty->id = next_snapshot_id.fetch_add(1);
  return empty;
}

// Every add: a copy of the current snapshot (anchors share their certificates and keys with it), the
// change made on the copy, the copy published. A change that throws publishes nothing, so a refused
// file or master list leaves the store as it was.
template <class Change>
std::size_t update(TrustStore::Shared& shared, Change&& change) {
  std::lock_guard add_lock(shared.add);
  std::shared_ptr<const TrustStore::Impl> before;
  {
    std::lock_guard lock(shared.publish);
    before = shared.current;
  }
  auto next = std::make_shared<TrustStore::Impl>(*before);
  std::size_t added = change(*next);
  next->id = next_snapshot_id.fetch_add(1);
  {
    std::lock_guard lock(shared.publish);
    shared.current = std::move(next);
  }
  return added;  // `before` is released here, outside the lock, when no verification holds it
}

}  // namespace

namespace verification {

std::uint64_t name_key(const X509_NAME* name) {
  int ok = 0;
  unsigned long hash = X509_NAME_hash_ex(name, nullptr, nullptr, &ok);
  ERR_clear_error();
  return ok == 1 ? hash : 0;  // an unhashable name lands in bucket 0, still compared by X509_NAME_cmp
}

Digest certificate_digest(X509* certificate) {
  Digest digest{};
  unsigned int length = 0;
  if (X509_digest(certificate, EVP_sha256(), digest.data(), &length) != 1 || length != digest.size()) {
    ERR_clear_error();
    throw Error(ErrorCode::crypto, "trust store: cannot hash a certificate");
  }
  return digest;
}

}  // namespace verification

namespace {

// OpenSSL fills a certificate's extension cache (key identifiers, basic constraints, key usage) on the
// first call that needs it, writing into the X509. Filled here, before any other thread can see the
// certificate, every later use only reads it (TSan saw a verification read a key identifier another
// thread's first use was writing).
void cache_extensions(X509* certificate) {
  X509_check_purpose(certificate, -1, 0);
  ERR_clear_error();
}

}  // namespace

AnchorCertificate::AnchorCertificate(X509Ptr certificate) : certificate_(std::move(certificate)) {
  cache_extensions(certificate_.get());
  key_ = verification::issuer_key(certificate_.get(), key_problem_);
  std::call_once(parsed_, [] {});  // nothing left to parse
  std::call_once(key_made_, [] {});
}

AnchorCertificate::AnchorCertificate(Bytes der, X509NamePtr subject, std::size_t key_info_offset,
                                     std::size_t key_info_size)
    : der_(std::move(der)),
      subject_(std::move(subject)),
      key_info_offset_(key_info_offset),
      key_info_size_(key_info_offset + key_info_size <= der_.size() ? key_info_size : 0) {}

// The DER stays: the key may be built from it on another thread at any time.
void AnchorCertificate::parse() const {
  std::call_once(parsed_, [this] {
    const unsigned char* cursor = der_.data();
    X509Ptr parsed(d2i_X509(nullptr, &cursor, static_cast<long>(der_.size())));
    if (!parsed || cursor != der_.data() + der_.size()) {
      ERR_clear_error();
      return;
    }
    cache_extensions(parsed.get());
    certificate_ = std::move(parsed);
  });
}

void AnchorCertificate::make_key() const {
  std::call_once(key_made_, [this] {
    if (key_info_size_ != 0) {
      key_ = crypto::named_public_key(ByteView(der_).subspan(key_info_offset_, key_info_size_));
      if (key_) return;
    }
    // Other kinds (explicit EC parameters above all) go through OpenSSL's decoding.
    if (X509* parsed = certificate())
      key_ = verification::issuer_key(parsed, key_problem_);
    else
      key_problem_ = "the certificate does not parse";
  });
}

X509* AnchorCertificate::certificate() const {
  parse();
  return certificate_.get();
}

const X509_NAME* AnchorCertificate::subject() const {
  if (subject_) return subject_.get();
  X509* parsed = certificate();
  return parsed ? X509_get_subject_name(parsed) : nullptr;
}

EVP_PKEY* AnchorCertificate::key() const {
  make_key();
  return key_.get();
}

const std::string& AnchorCertificate::key_problem() const {
  make_key();
  return key_problem_;
}

TrustStore::Impl::Anchor TrustStore::Impl::make_anchor(X509Ptr certificate, bool test_anchor) {
  Anchor anchor;
  anchor.test_anchor = test_anchor || names_a_libcccd_test_csca(X509_get_subject_name(certificate.get()));
  anchor.source = std::make_shared<const AnchorCertificate>(std::move(certificate));
  return anchor;
}

const TrustStore::Impl::Anchor* TrustStore::Impl::find_exact(X509* certificate) const {
  auto found = anchors_by_digest.find(verification::certificate_digest(certificate));
  return found == anchors_by_digest.end() ? nullptr : &anchors[found->second];
}

std::vector<const TrustStore::Impl::Anchor*> TrustStore::Impl::anchors_named(
    const X509_NAME* name, const ASN1_OCTET_STRING* key_id) const {
  std::vector<const Anchor*> named;
  auto [first, last] = anchors_by_subject.equal_range(verification::name_key(name));
  for (auto it = first; it != last; ++it) {
    const Anchor& anchor = anchors[it->second];
    X509* certificate = anchor.certificate();  // parsed here on first use
    if (certificate && X509_NAME_cmp(X509_get_subject_name(certificate), name) == 0) named.push_back(&anchor);
  }
  // In the order they were added; with a key identifier, the anchors it names first.
  std::sort(named.begin(), named.end());
  if (key_id && named.size() > 1) {
    std::stable_partition(named.begin(), named.end(), [&](const Anchor* anchor) {
      const ASN1_OCTET_STRING* own = X509_get0_subject_key_id(anchor->certificate());
      return own && ASN1_OCTET_STRING_cmp(own, key_id) == 0;
    });
  }
  ERR_clear_error();
  return named;
}

std::vector<const TrustStore::Impl::Anchor*> TrustStore::Impl::keys_named(const X509_NAME* name) const {
  std::vector<const Anchor*> named;
  auto [first, last] = anchors_by_subject.equal_range(verification::name_key(name));
  for (auto it = first; it != last; ++it) {
    const Anchor& anchor = anchors[it->second];
    const X509_NAME* subject = anchor.subject();
    if (subject && X509_NAME_cmp(subject, name) == 0) named.push_back(&anchor);
  }
  std::sort(named.begin(), named.end());  // in the order they were added
  return named;
}

std::vector<const TrustStore::Impl::Crl*> TrustStore::Impl::crls_of(const X509_NAME* name) const {
  std::vector<const Crl*> named;
  auto [first, last] = crls_by_issuer.equal_range(verification::name_key(name));
  for (auto it = first; it != last; ++it) {
    const Crl& crl = crls[it->second];
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl.crl.get()), name) == 0) named.push_back(&crl);
  }
  std::sort(named.begin(), named.end());
  return named;
}

TrustStore::TrustStore() : shared_(std::make_unique<Shared>()) {
  shared_->current = empty_snapshot();
}
TrustStore::~TrustStore() = default;
TrustStore::TrustStore(TrustStore&&) noexcept = default;
TrustStore& TrustStore::operator=(TrustStore&&) noexcept = default;

std::shared_ptr<const TrustStore::Impl> TrustStore::snapshot() const {
  if (!shared_) {  // moved from: an empty store
    static const std::shared_ptr<const Impl> kEmpty = empty_snapshot();
    return kEmpty;
  }
  std::lock_guard lock(shared_->publish);
  return shared_->current;
}

std::size_t TrustStore::add_path(const std::filesystem::path& path, bool test_anchor) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    throw Error(ErrorCode::io, "trust store: cannot find " + path.string());
  }
  if (!std::filesystem::is_directory(status)) {
    return update(*shared_, [&](Impl& impl) { return add_file(impl, path, test_anchor, false); });
  }
  std::vector<std::filesystem::path> files = folder_files(path);
  return update(*shared_, [&](Impl& impl) {
    std::size_t added = 0;
    for (const auto& file : files) added += add_file(impl, file, test_anchor, true);
    return added;
  });
}

void TrustStore::add_certificate(ByteView der_or_pem, bool test_anchor) {
  std::vector<IncomingCertificate> certificates = describe_certificates(certificate_ders(der_or_pem));
  if (certificates.empty()) throw Error(ErrorCode::malformed_data, "trust store: no certificate in the data");
  update(*shared_, [&](Impl& impl) { return add_anchors(impl, std::move(certificates), test_anchor); });
}

std::size_t TrustStore::add_master_list_roots(const std::filesystem::path& path) {
  std::vector<X509Ptr> certificates = load_certificates(path);
  if (certificates.empty()) {
    throw Error(ErrorCode::malformed_data, "trust store: " + path.string() + " holds no certificate");
  }
  return update(*shared_,
                [&](Impl& impl) { return add_all(impl.master_list_roots, std::move(certificates), false); });
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
  return update(*shared_, [&](Impl& impl) { return add_master_list_data(impl, data, path, root_anchors); });
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
  return update(*shared_, [&](Impl& impl) {
    return add_master_list_data(impl, list, "master list (memory)", root_anchors);
  });
}

std::size_t TrustStore::add_crl(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error(ErrorCode::io, "trust store: cannot find the CRL " + path.string());
  }
  Bytes data = read_bounded(path);
  std::vector<IncomingCrl> crls;
  try {
    crls = parse_crls(data);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::malformed_data) throw;
    throw Error(ErrorCode::malformed_data, "trust store: " + path.string() + " holds no CRL");
  }
  if (crls.empty()) throw Error(ErrorCode::malformed_data, "trust store: " + path.string() + " holds no CRL");
  return update(*shared_, [&](Impl& impl) { return add_crls(impl, std::move(crls)); });
}

void TrustStore::add_crl_data(ByteView der_or_pem) {
  std::vector<IncomingCrl> crls = parse_crls(der_or_pem);
  if (crls.empty()) throw Error(ErrorCode::malformed_data, "trust store: no CRL in the data");
  update(*shared_, [&](Impl& impl) { return add_crls(impl, std::move(crls)); });
}

std::size_t TrustStore::size() const noexcept {
  if (!shared_) return 0;
  std::lock_guard lock(shared_->publish);
  return shared_->current->anchors.size();
}

TrustStore::Summary TrustStore::summary() const {
  std::shared_ptr<const Impl> impl = snapshot();
  Summary summary;
  summary.csca_certificates = impl->anchors.size();
  for (const auto& anchor : impl->anchors) {
    // Parses every anchor (`cccd-verify trust`'s question): one OpenSSL refuses counts as "?".
    X509* certificate = anchor.certificate();
    ++summary.csca_by_country[certificate ? verification::country_of(X509_get_subject_name(certificate))
                                          : std::string("?")];
  }
  summary.master_list_roots = impl->master_list_roots.size();
  summary.master_lists = impl->master_lists;
  for (const Impl::Crl& entry : impl->crls) {
    CrlInfo info;
    info.issuer = verification::name_line(X509_CRL_get_issuer(entry.crl.get()));
    STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(entry.crl.get());
    info.revoked = revoked ? static_cast<std::size_t>(sk_X509_REVOKED_num(revoked)) : 0;
    if (entry.this_update) info.this_update = verification::iso_time(*entry.this_update);
    if (entry.next_update) info.next_update = verification::iso_time(*entry.next_update);
    info.verified = entry.verified;
    summary.crls.push_back(std::move(info));
  }
  return summary;
}

}  // namespace cccd
