// The CMS structure is parsed and its signature checked by OpenSSL (d2i_CMS_ContentInfo is bounded by
// the input and by OpenSSL's ASN.1 nesting limit); the signer's chain by the trust store's own checks;
// the CscaMasterList content by the strict TLV reader. Every step names what failed.
#include "verify/master_list.hpp"

#include "asn1/tlv.hpp"
#include "crypto/crypto.hpp"
#include "util/bytes.hpp"
#include "verify/trust_store_chain.hpp"

#include <cccd/error.hpp>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include <array>
#include <climits>

namespace cccd::verification {
namespace {

using CmsPtr = OpensslPtr<CMS_ContentInfo, &CMS_ContentInfo_free>;

struct X509StackFree {
  void operator()(STACK_OF(X509) * stack) const noexcept { sk_X509_pop_free(stack, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

constexpr std::string_view kSignedDataOid = "1.2.840.113549.1.7.2";

[[noreturn]] void refuse(const std::string& what) {
  ERR_clear_error();
  throw Error(ErrorCode::crypto, "master list: " + what);
}
[[noreturn]] void malformed(const std::string& what) {
  ERR_clear_error();
  throw Error(ErrorCode::malformed_data, "master list: " + what);
}

std::string oid_text(const ASN1_OBJECT* object) {
  std::array<char, 128> text{};
  int length = OBJ_obj2txt(text.data(), static_cast<int>(text.size()), object, 1);
  if (length <= 0 || static_cast<std::size_t>(length) >= text.size()) return {};
  return std::string(text.data(), static_cast<std::size_t>(length));
}

CmsPtr decode(ByteView data) {
  if (data.size() > kMaxMasterListSize) {
    throw Error(ErrorCode::limit_exceeded, "master list: larger than 32 MiB");
  }
  const unsigned char* cursor = data.data();
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &cursor, static_cast<long>(data.size())));
  if (!cms) malformed("not a CMS ContentInfo");
  if (cursor != data.data() + data.size()) malformed("bytes follow the CMS ContentInfo");
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) malformed("not CMS SignedData");
  if (oid_text(CMS_get0_eContentType(cms.get())) != kCscaMasterListOid) {
    malformed("the eContentType is not id-icao-cscaMasterList");
  }
  return cms;
}

// The SignerInfo (exactly one) and its certificate from SignedData.certificates.
CMS_SignerInfo* signer_info_of(CMS_ContentInfo* cms, X509Ptr& signer) {
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms);
  if (!infos || sk_CMS_SignerInfo_num(infos) != 1) malformed("not exactly one SignerInfo");
  CMS_SignerInfo* info = sk_CMS_SignerInfo_value(infos, 0);
  X509StackPtr certificates(CMS_get1_certs(cms));
  ERR_clear_error();
  int count = certificates ? sk_X509_num(certificates.get()) : 0;
  for (int i = 0; i < count; ++i) {
    X509* candidate = sk_X509_value(certificates.get(), i);
    if (CMS_SignerInfo_cert_cmp(info, candidate) == 0) {
      if (X509_up_ref(candidate) != 1) refuse("cannot hold the signer certificate");
      signer.reset(candidate);
      return info;
    }
  }
  ERR_clear_error();
  refuse("the certificate of its signer is not in the SignedData");
}

// contentType and messageDigest attributes, and the signature over the signed attributes.
void check_signature(CMS_ContentInfo* cms, CMS_SignerInfo* info, X509* signer) {
  if (CMS_signed_get_attr_count(info) <= 0) refuse("its SignerInfo has no signed attributes");
  auto* content_type = static_cast<ASN1_OBJECT*>(
      CMS_signed_get0_data_by_OBJ(info, OBJ_nid2obj(NID_pkcs9_contentType), -3, V_ASN1_OBJECT));
  if (!content_type || OBJ_cmp(content_type, CMS_get0_eContentType(cms)) != 0) {
    refuse("the contentType attribute differs from the eContentType");
  }
  auto* message_digest = static_cast<ASN1_OCTET_STRING*>(
      CMS_signed_get0_data_by_OBJ(info, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING));
  if (!message_digest) refuse("its SignerInfo has no single messageDigest attribute");

  ASN1_OCTET_STRING** content = CMS_get0_content(cms);
  if (!content || !*content) malformed("the list is not inside the SignedData (detached content)");
  X509_ALGOR* digest_algorithm = nullptr;
  CMS_SignerInfo_get0_algs(info, nullptr, nullptr, &digest_algorithm, nullptr);
  const ASN1_OBJECT* digest_oid = nullptr;
  if (digest_algorithm) X509_ALGOR_get0(&digest_oid, nullptr, nullptr, digest_algorithm);
  std::optional<crypto::HashAlgorithm> hash =
      digest_oid ? crypto::hash_from_oid(oid_text(digest_oid)) : std::nullopt;
  if (!hash) {
    ERR_clear_error();
    throw Error(ErrorCode::not_supported, "master list: unsupported digest algorithm");
  }
  ByteView content_bytes(ASN1_STRING_get0_data(*content),
                         static_cast<std::size_t>(ASN1_STRING_length(*content)));
  ByteView signed_digest(ASN1_STRING_get0_data(message_digest),
                         static_cast<std::size_t>(ASN1_STRING_length(message_digest)));
  if (!equal_constant_time(crypto::hash(*hash, content_bytes), signed_digest)) {
    refuse("its content does not match the signed messageDigest (the list was altered)");
  }

  CMS_SignerInfo_set1_signer_cert(info, signer);
  if (CMS_SignerInfo_verify(info) != 1) refuse("the signature does not verify with its signer certificate");
  ERR_clear_error();
}

std::optional<std::time_t> signing_time_of(CMS_SignerInfo* info) {
  int index = CMS_signed_get_attr_by_NID(info, NID_pkcs9_signingTime, -1);
  ERR_clear_error();
  if (index < 0) return std::nullopt;
  if (CMS_signed_get_attr_by_NID(info, NID_pkcs9_signingTime, index) >= 0) {
    malformed("more than one signingTime attribute");
  }
  ERR_clear_error();
  X509_ATTRIBUTE* attribute = CMS_signed_get_attr(info, index);
  ASN1_TYPE* value =
      attribute && X509_ATTRIBUTE_count(attribute) == 1 ? X509_ATTRIBUTE_get0_type(attribute, 0) : nullptr;
  if (!value || (value->type != V_ASN1_UTCTIME && value->type != V_ASN1_GENERALIZEDTIME)) {
    malformed("its signingTime attribute is not a single time");
  }
  std::optional<std::time_t> when = time_of(value->value.asn1_string);
  if (!when) malformed("its signingTime attribute does not parse");
  return when;
}

// The signer is one of the roots, or issued by one that was valid when it issued the signer.
void check_signer_chain(X509* signer, std::optional<std::time_t> signing_time,
                        const std::vector<TrustStore::Impl::Anchor>& roots, std::time_t now) {
  std::time_t at = signing_time.value_or(now);
  switch (validity_at(signer, at)) {
    case Validity::valid:
      break;
    case Validity::not_yet_valid:
      refuse(std::string("its signer certificate was not yet valid at ") +
             (signing_time ? "the list's signing time" : "the verification time"));
    case Validity::expired:
      refuse(std::string("its signer certificate had expired at ") +
             (signing_time ? "the list's signing time" : "the verification time"));
  }
  for (const auto& root : roots) {
    if (X509_cmp(root.certificate(), signer) == 0) return;
  }
  IssuerSearch search = find_issuer(signer, roots);
  if (!search.issuer) {
    std::string signer_name = name_line(X509_get_subject_name(signer));
    if (search.name_matched) {
      refuse("its signer (" + signer_name + ") is not signed by the given master list root of that name" +
             (search.key_problem.empty() ? std::string() : " (" + search.key_problem + ")"));
    }
    refuse("its signer (" + signer_name + ") does not chain to any given master list root");
  }
  std::optional<std::time_t> issued = time_of(X509_get0_notBefore(signer));
  if (!issued || validity_at(search.issuer->certificate(), *issued) != Validity::valid) {
    refuse("the root that issued its signer was not valid when it issued the signer certificate");
  }
}

std::vector<X509Ptr> parse_certificate_list(ByteView content) {
  asn1::Tlv list = asn1::parse_one(content, 0x30);
  asn1::TlvReader reader(list.value);
  if (asn1::decode_unsigned(reader.expect(0x02)) != 0) malformed("CscaMasterList version other than v0");
  asn1::Tlv set = reader.expect(0x31);
  reader.expect_end();
  std::vector<X509Ptr> certificates;
  asn1::TlvReader entries(set.value);
  while (!entries.empty()) {
    asn1::Tlv entry = entries.next();
    if (entry.tag != 0x30) malformed("an entry of certList is not a certificate");
    if (certificates.size() >= kMaxMasterListCertificates) {
      throw Error(ErrorCode::limit_exceeded, "master list: more than 20000 certificates");
    }
    const unsigned char* cursor = entry.encoded.data();
    X509Ptr certificate(d2i_X509(nullptr, &cursor, static_cast<long>(entry.encoded.size())));
    if (!certificate || cursor != entry.encoded.data() + entry.encoded.size()) {
      malformed("certificate " + std::to_string(certificates.size() + 1) + " of certList does not parse");
    }
    certificates.push_back(std::move(certificate));
  }
  return certificates;
}

}  // namespace

bool looks_like_master_list(ByteView data) {
  try {
    asn1::Tlv content_info = asn1::parse_first(data);
    if (content_info.tag != 0x30) return false;
    asn1::TlvReader outer(content_info.value);
    if (asn1::decode_oid(outer.expect(0x06)) != kSignedDataOid) return false;
    asn1::TlvReader explicit_content(outer.expect(0xA0).value);
    asn1::TlvReader signed_data(explicit_content.expect(0x30).value);
    signed_data.expect(0x02);  // version
    signed_data.expect(0x31);  // digestAlgorithms
    asn1::TlvReader encapsulated(signed_data.expect(0x30).value);
    return asn1::decode_oid(encapsulated.expect(0x06)) == kCscaMasterListOid;
  } catch (const Error&) {
    return false;
  }
}

MasterList open_master_list(ByteView data, const std::vector<TrustStore::Impl::Anchor>& roots,
                            std::time_t now) {
  if (data.size() > static_cast<std::size_t>(LONG_MAX)) {
    throw Error(ErrorCode::limit_exceeded, "master list: larger than 32 MiB");
  }
  CmsPtr cms = decode(data);
  MasterList list;
  CMS_SignerInfo* info = signer_info_of(cms.get(), list.signer);
  check_signature(cms.get(), info, list.signer.get());
  list.signing_time = signing_time_of(info);
  check_signer_chain(list.signer.get(), list.signing_time, roots, now);

  ASN1_OCTET_STRING** content = CMS_get0_content(cms.get());
  list.certificates = parse_certificate_list(
      ByteView(ASN1_STRING_get0_data(*content), static_cast<std::size_t>(ASN1_STRING_length(*content))));
  ERR_clear_error();
  return list;
}

}  // namespace cccd::verification
