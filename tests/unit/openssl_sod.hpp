// EF.SODs and their certificates made with OpenSSL itself at test time (the CMS API, X509 API), not with
// libcccd's own generator: so the tests check what another implementation writes, in the encodings real
// issuers use (BER streaming, id-data, subjectKeyIdentifier sids), and the certificate profiles ICAO
// 9303-12 allows or forbids. Header-only: each test program that includes it builds its own copy.
#pragma once

#include "asn1/der.hpp"
#include "crypto/openssl_ptr.hpp"
#include "util/bytes.hpp"

#include <cccd/bytes.hpp>
#include <cccd/dump.hpp>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace cccd::test::openssl_sod {

inline void ensure(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("OpenSSL test material: ") + what);
}

inline EvpPkeyPtr ec_key() {
  EvpPkeyPtr key(EVP_EC_gen("prime256v1"));
  ensure(key != nullptr, "EC key");
  return key;
}

// One RDN attribute: its short name ("C", "O", "CN") and value, as a PrintableString unless utf8.
struct NameEntry {
  std::string field;
  std::string value;
  bool utf8 = false;
};

inline X509NamePtr make_name(const std::vector<NameEntry>& entries) {
  X509NamePtr name(X509_NAME_new());
  for (const NameEntry& e : entries) {
    int type = e.utf8 ? V_ASN1_UTF8STRING : V_ASN1_PRINTABLESTRING;
    ensure(X509_NAME_add_entry_by_txt(name.get(), e.field.c_str(), type,
                                      reinterpret_cast<const unsigned char*>(e.value.data()),
                                      static_cast<int>(e.value.size()), -1, 0) == 1,
           "name entry");
  }
  return name;
}

inline Bytes name_der(const X509_NAME* name) {
  unsigned char* out = nullptr;
  int length = i2d_X509_NAME(name, &out);
  ensure(length > 0, "name encoding");
  Bytes der(out, out + length);
  OPENSSL_free(out);
  return der;
}

inline Bytes certificate_der(X509* cert) {
  unsigned char* out = nullptr;
  int length = i2d_X509(cert, &out);
  ensure(length > 0, "certificate encoding");
  Bytes der(out, out + length);
  OPENSSL_free(out);
  return der;
}

// A certificate of `subject` for `key`, signed by `issuer_key` under `issuer` (the certificate itself when
// null: self-signed), valid from a day before now for `days`, with extensions given as OpenSSL config
// values ({NID_key_usage, "critical,digitalSignature"}).
inline X509Ptr make_certificate(const X509_NAME* subject, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                                long serial, const std::vector<std::pair<int, std::string>>& extensions,
                                long days = 365) {
  X509Ptr cert(X509_new());
  ensure(cert && X509_set_version(cert.get(), 2) == 1, "certificate");
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24 * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
  X509_set_subject_name(cert.get(), subject);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : subject);
  ensure(X509_set_pubkey(cert.get(), key) == 1, "public key");
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    ensure(extension != nullptr, "extension");
    X509_add_ext(cert.get(), extension, -1);
    X509_EXTENSION_free(extension);
  }
  ensure(X509_sign(cert.get(), issuer_key, EVP_sha256()) > 0, "certificate signature");
  return cert;
}

inline std::vector<std::pair<int, std::string>> csca_extensions() {
  return {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
          {NID_key_usage, "critical,keyCertSign,cRLSign"},
          {NID_subject_key_identifier, "hash"}};
}

inline std::vector<std::pair<int, std::string>> ds_extensions() {
  return {{NID_key_usage, "critical,digitalSignature"},
          {NID_subject_key_identifier, "hash"},
          {NID_authority_key_identifier, "keyid"}};
}

// A CSCA (self-signed) and a document signer it issued, both P-256.
struct Pki {
  EvpPkeyPtr csca_key = ec_key();
  X509NamePtr csca_name;
  X509Ptr csca;
  EvpPkeyPtr ds_key = ec_key();
  X509Ptr ds;

  Pki() : Pki(ds_extensions()) {}
  explicit Pki(const std::vector<std::pair<int, std::string>>& ds_exts) {
    csca_name = make_name({{"C", "VN"}, {"O", "libcccd encoding test"}, {"CN", "CSCA OpenSSL test"}});
    csca = make_certificate(csca_name.get(), csca_key.get(), nullptr, csca_key.get(), 1, csca_extensions(),
                            3650);
    X509NamePtr ds_name = make_name({{"C", "VN"}, {"O", "libcccd encoding test"}, {"CN", "DS OpenSSL test"}});
    ds = make_certificate(ds_name.get(), ds_key.get(), csca.get(), csca_key.get(), 0x1234, ds_exts);
  }
};

// The data groups the SODs of these tests list, and their LDSSecurityObject (SHA-256, version 0).
inline std::map<int, Bytes> data_groups() {
  return {{1, Bytes{0x61, 0x01, 0x00}}, {2, Bytes(100, 0x75)}, {13, Bytes{0x6D, 0x01, 0x00}}};
}

inline Bytes sha256(ByteView data) {
  Bytes digest(SHA256_DIGEST_LENGTH);
  SHA256(data.data(), data.size(), digest.data());
  return digest;
}

inline Bytes lds_security_object(const std::map<int, Bytes>& groups) {
  Bytes hashes;
  for (const auto& [number, content] : groups) {
    append(hashes, asn1::der_sequence({asn1::der_integer(static_cast<std::uint64_t>(number)),
                                       asn1::der_octet_string(sha256(content))}));
  }
  return asn1::der_sequence({asn1::der_integer(0),
                             asn1::der_sequence({asn1::der_oid("2.16.840.1.101.3.4.2.1"), asn1::der_null()}),
                             asn1::tlv(0x30, hashes)});
}

struct CmsOptions {
  bool ber_stream = false;  // CMS streaming: indefinite lengths and a constructed eContent
  bool id_data = false;     // eContentType id-data rather than id-icao-mrtd-security-ldsSecurityObject
  bool key_id_sid = false;  // SignerInfo sid as subjectKeyIdentifier
};

// A ContentInfo (SignedData) over `econtent`, signed by `signer` with `key` through OpenSSL's CMS API,
// with the contentType, messageDigest and signingTime signed attributes.
inline Bytes cms_sign(ByteView econtent, X509* signer, EVP_PKEY* key, const CmsOptions& options) {
  unsigned flags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
  if (options.ber_stream) flags |= CMS_STREAM;
  using CmsPtr = OpensslPtr<CMS_ContentInfo, &CMS_ContentInfo_free>;
  CmsPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
  ensure(cms != nullptr, "CMS_sign");
  unsigned signer_flags = CMS_BINARY | CMS_NOSMIMECAP | (options.key_id_sid ? CMS_USE_KEYID : 0u);
  ensure(CMS_add1_signer(cms.get(), signer, key, EVP_sha256(), signer_flags) != nullptr, "CMS signer");
  if (!options.id_data) {
    ASN1_OBJECT* type = OBJ_txt2obj("2.23.136.1.1.1", 1);
    ensure(type && CMS_set1_eContentType(cms.get(), type) == 1, "eContentType");
    ASN1_OBJECT_free(type);
  }
  BioPtr in(BIO_new_mem_buf(econtent.data(), static_cast<int>(econtent.size())));
  BioPtr out(BIO_new(BIO_s_mem()));
  if (options.ber_stream) {
    ensure(i2d_CMS_bio_stream(out.get(), cms.get(), in.get(), static_cast<int>(flags)) == 1, "CMS stream");
  } else {
    ensure(CMS_final(cms.get(), in.get(), nullptr, flags) == 1 && i2d_CMS_bio(out.get(), cms.get()) == 1,
           "CMS final");
  }
  char* data = nullptr;
  long length = BIO_get_mem_data(out.get(), &data);
  ensure(length > 0, "CMS output");
  return Bytes(reinterpret_cast<std::uint8_t*>(data), reinterpret_cast<std::uint8_t*>(data) + length);
}

// EF.SOD's 77 wrapper around a ContentInfo: definite, or indefinite (77 80 ... 00 00) for a BER one.
inline Bytes wrap_77(ByteView content_info, bool indefinite) {
  if (!indefinite) return asn1::tlv(0x77, content_info);
  Bytes out{0x77, 0x80};
  append(out, content_info);
  append(out, Bytes{0x00, 0x00});
  return out;
}

// A dump of data_groups() and `sod`.
inline ChipDump dump_with(ByteView sod) {
  ChipDump dump;
  for (const auto& [number, content] : data_groups()) dump.files[*data_group(number)] = content;
  dump.files[FileId::sod] = Bytes(sod.begin(), sod.end());
  return dump;
}

// The position of the last occurrence of `needle` in `haystack` (npos when absent).
inline std::size_t find_last(ByteView haystack, ByteView needle) {
  if (needle.empty() || needle.size() > haystack.size()) return std::string::npos;
  for (std::size_t i = haystack.size() - needle.size() + 1; i-- > 0;) {
    if (std::equal(needle.begin(), needle.end(), haystack.begin() + static_cast<std::ptrdiff_t>(i))) return i;
  }
  return std::string::npos;
}

// `data` with the last occurrence of `from` replaced by `to` (same length, so no length changes).
inline Bytes replace_last(ByteView data, ByteView from, ByteView to) {
  ensure(from.size() == to.size(), "replacement of another length");
  std::size_t at = find_last(data, from);
  ensure(at != std::string::npos, "bytes to replace not found");
  Bytes out(data.begin(), data.end());
  std::copy(to.begin(), to.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
  return out;
}

}  // namespace cccd::test::openssl_sod
