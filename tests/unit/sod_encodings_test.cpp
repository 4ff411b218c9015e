// The EF.SOD encodings real issuers use, each made here with OpenSSL's CMS API (or by changing its DER
// in place) at test time: BER indefinite lengths, eContentType id-data, a SignerInfo whose issuer name is
// encoded differently from the certificate's, a bare ContentInfo without the 77 wrapper. Each verifies;
// its corrupted twin is refused. The signature stays strict: signed attributes are verified as DER.
#include "asn1/tlv.hpp"
#include "lds/sod.hpp"
#include "openssl_sod.hpp"

#include <cccd/trust.hpp>
#include <cccd/verify.hpp>

#include <gtest/gtest.h>

#include <string>

namespace cccd {
namespace {

namespace os = test::openssl_sod;

TrustStore store_of(const os::Pki& pki) {
  TrustStore store;
  store.add_certificate(os::certificate_der(pki.csca.get()));
  return store;
}

Verdict verify_sod(ByteView sod, const os::Pki& pki) {
  return verify(os::dump_with(sod), store_of(pki), VerifyOptions{});
}

void expect_verified(ByteView sod, const os::Pki& pki) {
  Verdict v = verify_sod(sod, pki);
  EXPECT_EQ(v.data_integrity.status, FindingStatus::passed) << v.data_integrity.detail;
  EXPECT_EQ(v.signer_trust.status, FindingStatus::passed) << v.signer_trust.detail;
  EXPECT_EQ(v.signer_subject, "CN=DS OpenSSL test,O=libcccd encoding test,C=VN");
}

void expect_refused(ByteView sod, const os::Pki& pki, std::string_view reason) {
  Verdict v = verify_sod(sod, pki);
  EXPECT_EQ(v.data_integrity.status, FindingStatus::failed);
  EXPECT_NE(v.data_integrity.detail.find(reason), std::string::npos) << v.data_integrity.detail;
}

Bytes econtent() {
  return os::lds_security_object(os::data_groups());
}

// The first byte of DG2's hash in the file changed: the eContent no longer matches messageDigest.
Bytes with_econtent_corrupted(ByteView sod) {
  Bytes hash = os::sha256(os::data_groups().at(2));
  Bytes changed = hash;
  changed[0] ^= 0x01;
  return os::replace_last(sod, hash, changed);
}

// The last byte of the file flipped: for a DER SignedData without unsigned attributes, the last byte
// of the signature's s.
Bytes with_signature_corrupted(ByteView sod) {
  Bytes out(sod.begin(), sod.end());
  out.back() ^= 0x01;
  return out;
}

TEST(SodEncodings, BerIndefiniteLengthsFromCmsStreamingVerify) {
  os::Pki pki;
  os::CmsOptions options;
  options.ber_stream = true;
  Bytes content_info = os::cms_sign(econtent(), pki.ds.get(), pki.ds_key.get(), options);
  // What OpenSSL streaming writes: ContentInfo 30 80, and the eContent a constructed OCTET STRING.
  ASSERT_EQ(content_info[0], 0x30);
  ASSERT_EQ(content_info[1], 0x80);
  const Bytes constructed_octets{0xA0, 0x80, 0x24, 0x80};
  EXPECT_NE(os::find_last(content_info, constructed_octets), std::string::npos);

  Bytes sod = os::wrap_77(content_info, true);
  lds::SecurityObject parsed = lds::parse_sod(sod);
  EXPECT_EQ(parsed.econtent, econtent());
  EXPECT_EQ(parsed.data_group_hashes.size(), 3u);
  expect_verified(sod, pki);
  expect_verified(os::wrap_77(content_info, false), pki);

  expect_refused(with_econtent_corrupted(sod), pki, "messageDigest attribute of EF.SOD does not match");
  // An end-of-contents pair removed: the file no longer closes what it opened.
  Bytes unclosed(sod.begin(), sod.end() - 2);
  expect_refused(unclosed, pki, "does not parse");
}

TEST(SodEncodings, IdDataEContentTypeWithAnLdsSecurityObjectVerifies) {
  os::Pki pki;
  os::CmsOptions options;
  options.id_data = true;
  Bytes sod = os::wrap_77(os::cms_sign(econtent(), pki.ds.get(), pki.ds_key.get(), options), false);
  EXPECT_EQ(lds::parse_sod(sod).econtent_type, "1.2.840.113549.1.7.1");
  expect_verified(sod, pki);
  expect_refused(with_signature_corrupted(sod), pki, "SOD signature does not verify");
  // id-data whose content is not an LDSSecurityObject is still refused.
  Bytes other =
      os::wrap_77(os::cms_sign(Bytes{0x04, 0x01, 0x00}, pki.ds.get(), pki.ds_key.get(), options), false);
  expect_refused(other, pki, "does not parse");
}

TEST(SodEncodings, SignerInfoIssuerEncodedDifferentlyIsMatchedCanonically) {
  os::Pki pki;
  Bytes sod = os::wrap_77(os::cms_sign(econtent(), pki.ds.get(), pki.ds_key.get(), {}), false);
  // The sid's issuer (the last copy of the CSCA name in the file) rewritten as another issuer writes it:
  // RDNs in the opposite order, UTF8String instead of PrintableString, the organisation in capitals.
  X509NamePtr variant = os::make_name(
      {{"CN", "CSCA OpenSSL test", true}, {"O", "LIBCCCD ENCODING TEST", true}, {"C", "VN", false}});
  Bytes original_der = os::name_der(pki.csca_name.get());
  Bytes variant_der = os::name_der(variant.get());
  ASSERT_EQ(original_der.size(), variant_der.size());
  ASSERT_NE(X509_NAME_cmp(variant.get(), pki.csca_name.get()), 0);  // OpenSSL alone would not match them
  Bytes reencoded = os::replace_last(sod, original_der, variant_der);
  expect_verified(reencoded, pki);
  // Its twin: the same sid with the signature corrupted; the sid still names the DS, whose key refuses it.
  expect_refused(with_signature_corrupted(reencoded), pki, "SOD signature does not verify");
}

TEST(SodEncodings, SignerFoundBySubjectKeyIdentifierAndAsLastResortByItsKey) {
  os::Pki pki;
  os::CmsOptions options;
  options.key_id_sid = true;
  Bytes by_key_id = os::wrap_77(os::cms_sign(econtent(), pki.ds.get(), pki.ds_key.get(), options), false);
  EXPECT_FALSE(lds::parse_sod(by_key_id).signer_subject_key_id.empty());
  expect_verified(by_key_id, pki);
  expect_refused(with_signature_corrupted(by_key_id), pki, "SOD signature does not verify");

  // A sid naming another issuer altogether: the certificate whose key verifies is the signer.
  Bytes sod = os::wrap_77(os::cms_sign(econtent(), pki.ds.get(), pki.ds_key.get(), {}), false);
  X509NamePtr stranger =
      os::make_name({{"C", "VN"}, {"O", "libcccd encoding test"}, {"CN", "CSCA OpenSSL tesX"}});
  Bytes unnamed = os::replace_last(sod, os::name_der(pki.csca_name.get()), os::name_der(stranger.get()));
  expect_verified(unnamed, pki);
  expect_refused(with_signature_corrupted(unnamed), pki, "no certificate in EF.SOD matches its SignerInfo");
}

TEST(SodEncodings, BareContentInfoWithoutThe77WrapperVerifies) {
  os::Pki pki;
  Bytes bare = os::cms_sign(econtent(), pki.ds.get(), pki.ds_key.get(), {});
  ASSERT_EQ(bare[0], 0x30);
  expect_verified(bare, pki);
  expect_refused(with_econtent_corrupted(bare), pki, "messageDigest attribute of EF.SOD does not match");
  // The streamed (BER) ContentInfo bare too.
  os::CmsOptions stream;
  stream.ber_stream = true;
  Bytes bare_ber = os::cms_sign(econtent(), pki.ds.get(), pki.ds_key.get(), stream);
  expect_verified(bare_ber, pki);
  expect_refused(with_econtent_corrupted(bare_ber), pki, "messageDigest attribute of EF.SOD does not match");
}

// The signed attributes of a DER SOD put in another order in the file (BER allows any order in a SET
// OF, DER does not): verified as their DER, which is what was signed. The same swap in the bytes that
// are signed would break the signature, so the verifier cannot be taking the file's order.
TEST(SodEncodings, SignedAttributesAreVerifiedAsTheirDerEncoding) {
  os::Pki pki;
  Bytes sod = os::wrap_77(os::cms_sign(econtent(), pki.ds.get(), pki.ds_key.get(), {}), false);
  lds::SecurityObject parsed = lds::parse_sod(sod);
  // The [0] in the file: its contents are the DER SET OF's contents.
  ByteView der_contents = ByteView(parsed.signed_attributes_der).subspan(2);
  ASSERT_LT(parsed.signed_attributes_der[1], 0x80);  // short form: three small attributes
  asn1::TlvReader reader(der_contents);
  std::vector<Bytes> attributes;
  while (!reader.empty()) {
    asn1::Tlv attribute = reader.next();
    attributes.emplace_back(attribute.encoded.begin(), attribute.encoded.end());
  }
  ASSERT_EQ(attributes.size(), 3u);  // contentType, signingTime, messageDigest
  Bytes reversed;
  for (auto it = attributes.rbegin(); it != attributes.rend(); ++it) append(reversed, *it);
  Bytes reordered = os::replace_last(sod, der_contents, reversed);
  EXPECT_EQ(lds::parse_sod(reordered).signed_attributes_der, parsed.signed_attributes_der);
  expect_verified(reordered, pki);
  expect_refused(with_signature_corrupted(reordered), pki, "SOD signature does not verify");
}

}  // namespace
}  // namespace cccd
