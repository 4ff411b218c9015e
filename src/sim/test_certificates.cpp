// Test certificates of any profile (issue_test_certificate), CRLs and CSCA master lists, built with
// OpenSSL's X509 API for the trust tests; the deterministic PKI of the virtual card is in test_pki.cpp.
#include "sim/test_pki.hpp"

#include "asn1/der.hpp"
#include "asn1/oids.hpp"
#include "asn1/tlv.hpp"
#include "crypto/crypto.hpp"
#include "crypto/openssl_ptr.hpp"
#include "sim/deterministic_ecdsa.hpp"
#include "sim/deterministic_random.hpp"
#include "sim/openssl_checks.hpp"
#include "util/bytes.hpp"

#include <cccd/error.hpp>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

namespace cccd::sim {
namespace {

using openssl::check;
using openssl::checked;
using openssl::fail;

Bytes der_of_certificate(X509* certificate) {
  unsigned char* der = nullptr;
  const int length = i2d_X509(certificate, &der);
  if (length <= 0) fail("i2d_X509");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

X509Ptr certificate_from(ByteView der) {
  const unsigned char* cursor = der.data();
  X509Ptr certificate(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (!certificate) fail("d2i_X509");
  return certificate;
}

EvpPkeyPtr fresh_key(const CertificateProfile& profile) {
  if (profile.key_type == "RSA") {
    return EvpPkeyPtr(checked(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA",
                                                static_cast<std::size_t>(std::stoul(profile.key_parameter))),
                              "RSA key generation"));
  }
  return EvpPkeyPtr(
      checked(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", profile.key_parameter.c_str()), "EC key generation"));
}

void add_extension(X509* certificate, X509V3_CTX& ctx, int nid, const char* value) {
  X509_EXTENSION* extension = checked(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value), "X509V3_EXT_conf_nid");
  const int added = X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
  check(added, "X509_add_ext");
}

// Signs with the issuer's key: SHA-2 with PKCS#1 v1.5 or ECDSA, or RSASSA-PSS.
void sign_with(EVP_PKEY* key, const std::string& digest, bool rsa_pss,
               const std::function<int(EVP_MD_CTX*)>& sign) {
  EvpMdCtxPtr ctx(checked(EVP_MD_CTX_new(), "out of memory"));
  EVP_PKEY_CTX* pkey_ctx = nullptr;
  check(EVP_DigestSignInit_ex(ctx.get(), &pkey_ctx, digest.c_str(), nullptr, nullptr, key, nullptr),
        "EVP_DigestSignInit_ex");
  if (rsa_pss) {
    check(EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING), "PSS padding");
    check(EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, 32), "PSS salt");
  }
  if (sign(ctx.get()) <= 0) fail("signing");
}

}  // namespace

Bytes IssuedCertificate::der() const {
  return der_of_certificate(certificate.get());
}

IssuedCertificate issue_test_certificate(const CertificateProfile& profile, const IssuedCertificate* issuer,
                                         EVP_PKEY* key) {
  IssuedCertificate issued;
  if (key) {
    check(EVP_PKEY_up_ref(key), "EVP_PKEY_up_ref");
    issued.key.reset(key);
  } else {
    issued.key = fresh_key(profile);
  }
  // The certificate's copy of the public key, so that the explicit encoding does not touch the key.
  EvpPkeyPtr public_key(checked(EVP_PKEY_dup(issued.key.get()), "EVP_PKEY_dup"));
  if (profile.explicit_ec_parameters) {
    check(EVP_PKEY_set_utf8_string_param(public_key.get(), OSSL_PKEY_PARAM_EC_ENCODING,
                                         OSSL_PKEY_EC_ENCODING_EXPLICIT),
          "explicit EC encoding");
  }
  issued.certificate.reset(checked(X509_new(), "X509_new"));
  X509* cert = issued.certificate.get();
  check(X509_set_version(cert, 2), "X509_set_version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(cert), profile.serial), "serial");
  X509_NAME* name = X509_get_subject_name(cert);
  check(
      X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(profile.country.c_str()), -1, -1, 0),
      "C");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(profile.common_name.c_str()), -1,
                                   -1, 0),
        "CN");
  check(X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer->certificate.get()) : name),
        "issuer");
  checked(ASN1_TIME_set(X509_getm_notBefore(cert), profile.not_before), "notBefore");
  checked(ASN1_TIME_set(X509_getm_notAfter(cert), profile.not_after), "notAfter");
  check(X509_set_pubkey(cert, public_key.get()), "X509_set_pubkey");
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer->certificate.get() : cert, cert, nullptr, nullptr, 0);
  add_extension(cert, ctx, NID_subject_key_identifier, "hash");
  if (issuer) add_extension(cert, ctx, NID_authority_key_identifier, "keyid:always");
  if (profile.ca) {
    add_extension(cert, ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(cert, ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert, ctx, NID_key_usage, "critical,digitalSignature");
  }
  EVP_PKEY* signing_key = issuer ? issuer->key.get() : issued.key.get();
  sign_with(signing_key, profile.digest, profile.rsa_pss,
            [&](EVP_MD_CTX* md) { return X509_sign_ctx(cert, md); });
  return issued;
}

Bytes make_test_crl(EVP_PKEY* issuer_key, ByteView issuer_certificate, const std::vector<Bytes>& revoked,
                    std::time_t this_update) {
  X509Ptr issuer = certificate_from(issuer_certificate);
  OpensslPtr<X509_CRL, &X509_CRL_free> crl(checked(X509_CRL_new(), "X509_CRL_new"));
  check(X509_CRL_set_version(crl.get(), 1), "X509_CRL_set_version");
  check(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get())), "CRL issuer");
  OpensslPtr<ASN1_TIME, &ASN1_TIME_free> last(checked(ASN1_TIME_set(nullptr, this_update), "ASN1_TIME_set"));
  OpensslPtr<ASN1_TIME, &ASN1_TIME_free> next(
      checked(ASN1_TIME_set(nullptr, this_update + 30 * 24 * 3600), "ASN1_TIME_set"));
  check(X509_CRL_set1_lastUpdate(crl.get(), last.get()), "lastUpdate");
  check(X509_CRL_set1_nextUpdate(crl.get(), next.get()), "nextUpdate");
  for (const Bytes& der : revoked) {
    X509Ptr certificate = certificate_from(der);
    X509_REVOKED* entry = checked(X509_REVOKED_new(), "X509_REVOKED_new");
    if (X509_REVOKED_set_serialNumber(entry, X509_get_serialNumber(certificate.get())) != 1 ||
        X509_REVOKED_set_revocationDate(entry, last.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), entry) != 1) {
      X509_REVOKED_free(entry);
      fail("CRL entry");
    }
  }
  check(X509_CRL_sort(crl.get()), "X509_CRL_sort");
  sign_with(issuer_key, "SHA256", false, [&](EVP_MD_CTX* md) { return X509_CRL_sign_ctx(crl.get(), md); });
  unsigned char* der = nullptr;
  const int length = i2d_X509_CRL(crl.get(), &der);
  if (length <= 0) fail("i2d_X509_CRL");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

Bytes make_test_master_list(const std::vector<Bytes>& certificates, const IssuedCertificate& signer,
                            bool rsa_pss, int version, const std::string& econtent_type) {
  const Bytes content = asn1::der_sequence(
      {asn1::der_integer(static_cast<std::uint64_t>(version)), asn1::der_set_of(certificates)});

  BioPtr data(checked(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())), "BIO"));
  const unsigned int flags = CMS_PARTIAL | CMS_BINARY | CMS_NOSMIMECAP;
  OpensslPtr<CMS_ContentInfo, &CMS_ContentInfo_free> cms(
      checked(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags), "CMS_sign"));
  OpensslPtr<ASN1_OBJECT, &ASN1_OBJECT_free> type(checked(OBJ_txt2obj(econtent_type.c_str(), 1), "OID"));
  check(CMS_set1_eContentType(cms.get(), type.get()), "CMS_set1_eContentType");
  CMS_SignerInfo* info = checked(CMS_add1_signer(cms.get(), signer.certificate.get(), signer.key.get(),
                                                 EVP_sha256(), flags | (rsa_pss ? CMS_KEY_PARAM : 0U)),
                                 "CMS_add1_signer");
  if (rsa_pss) {
    EVP_PKEY_CTX* pkey_ctx = checked(CMS_SignerInfo_get0_pkey_ctx(info), "CMS_SignerInfo_get0_pkey_ctx");
    check(EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING), "PSS padding");
    check(EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, 32), "PSS salt");
  }
  check(CMS_final(cms.get(), data.get(), nullptr, flags), "CMS_final");
  unsigned char* der = nullptr;
  const int length = i2d_CMS_ContentInfo(cms.get(), &der);
  if (length <= 0) fail("i2d_CMS_ContentInfo");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

}  // namespace cccd::sim
