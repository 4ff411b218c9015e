#include "lds/sod.hpp"

#include "asn1/ber.hpp"
#include "asn1/der.hpp"
#include "asn1/oids.hpp"
#include "asn1/tlv.hpp"
#include "lds/parse_context.hpp"

#include <cccd/error.hpp>

namespace cccd::lds {
namespace {

constexpr const char* kFile = "EF.SOD";
constexpr std::size_t kMaxHashSize = 64;  // SHA-512

[[noreturn]] void malformed(const std::string& what) {
  detail::malformed(kFile, what);
}

int small_integer(const asn1::Tlv& integer, std::uint64_t max, const char* what) {
  std::uint64_t value = asn1::decode_unsigned(integer);
  if (value > max) malformed(std::string(what) + " out of range");
  return static_cast<int>(value);
}

struct AlgorithmIdentifier {
  std::string oid;
  Bytes parameters;  // DER of the parameters; empty when absent or NULL
};

// AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }
AlgorithmIdentifier parse_algorithm(const asn1::Tlv& sequence, const char* what) {
  if (sequence.tag != 0x30) malformed(std::string(what) + " is not an AlgorithmIdentifier");
  asn1::TlvReader reader(sequence.value);
  AlgorithmIdentifier algorithm;
  algorithm.oid = asn1::decode_oid(reader.expect(0x06));
  if (!reader.empty()) {
    asn1::Tlv parameters = reader.next();
    if (parameters.tag != 0x05 || !parameters.value.empty()) {
      algorithm.parameters.assign(parameters.encoded.begin(), parameters.encoded.end());
    }
  }
  reader.expect_end();
  return algorithm;
}

// signedAttrs: SET OF Attribute { attrType OID, attrValues SET OF ANY }. Only contentType and
// messageDigest matter to passive authentication; each must appear once with exactly one value.
void parse_signed_attributes(const asn1::Tlv& attributes, SecurityObject& sod) {
  bool have_content_type = false;
  bool have_message_digest = false;
  asn1::TlvReader reader(attributes.value);
  while (!reader.empty()) {
    asn1::Tlv attribute = reader.expect(0x30);
    asn1::TlvReader attribute_reader(attribute.value);
    std::string type = asn1::decode_oid(attribute_reader.expect(0x06));
    asn1::Tlv values = attribute_reader.expect(0x31);
    attribute_reader.expect_end();
    if (type != asn1::oid::kContentTypeAttribute && type != asn1::oid::kMessageDigestAttribute) continue;
    asn1::TlvReader value_reader(values.value);
    asn1::Tlv value = value_reader.next();
    if (!value_reader.empty()) malformed("signed attribute with more than one value");
    if (type == asn1::oid::kContentTypeAttribute) {
      if (have_content_type) malformed("two contentType attributes");
      have_content_type = true;
      sod.content_type_attribute = asn1::decode_oid(value);
    } else {
      if (have_message_digest) malformed("two messageDigest attributes");
      have_message_digest = true;
      if (value.tag != 0x04) malformed("messageDigest attribute is not an OCTET STRING");
      sod.message_digest.assign(value.value.begin(), value.value.end());
    }
  }
  if (!have_content_type) malformed("no contentType signed attribute");
  if (!have_message_digest) malformed("no messageDigest signed attribute");
}

// What the signature covers: the attributes DER-encoded as a SET OF (RFC 5652 section 5.4), whatever
// encoding the file uses. For a DER file these are its own bytes with the [0] IMPLICIT tag turned back
// into 31; a BER file (indefinite lengths, long-form lengths, constructed strings, unsorted SET OF) is
// re-encoded, each Attribute's values and then the attributes sorted as DER sorts a SET OF. A signer that
// signed anything but the DER is refused, as CMS requires.
Bytes der_signed_attributes(const asn1::Tlv& attributes) {
  std::vector<Bytes> encoded;
  asn1::TlvReader reader(attributes.value);
  while (!reader.empty()) {
    asn1::Tlv attribute = reader.expect(0x30);
    asn1::TlvReader attribute_reader(attribute.value);
    asn1::Tlv type = attribute_reader.expect(0x06);
    asn1::Tlv values = attribute_reader.expect(0x31);
    attribute_reader.expect_end();
    std::vector<Bytes> value_encodings;
    asn1::TlvReader value_reader(values.value);
    while (!value_reader.empty()) value_encodings.push_back(asn1::der_reencoded(value_reader.next()));
    encoded.push_back(
        asn1::der_sequence({asn1::der_reencoded(type), asn1::der_set_of(std::move(value_encodings))}));
  }
  return asn1::der_set_of(std::move(encoded));
}

// SignerInfo (RFC 5652 section 5.3).
void parse_signer_info(const asn1::Tlv& signer_info, SecurityObject& sod) {
  if (signer_info.tag != 0x30) malformed("SignerInfo is not a SEQUENCE");
  asn1::TlvReader reader(signer_info.value);
  sod.signer_info_version = small_integer(reader.expect(0x02), 5, "SignerInfo version");

  asn1::Tlv sid = reader.next();
  if (sid.tag == 0x30) {  // issuerAndSerialNumber
    asn1::TlvReader sid_reader(sid.value);
    asn1::Tlv issuer = sid_reader.expect(0x30);
    asn1::Tlv serial = sid_reader.expect(0x02);
    sid_reader.expect_end();
    if (serial.value.empty()) malformed("empty serial number");
    sod.signer_issuer_der.assign(issuer.encoded.begin(), issuer.encoded.end());
    ByteView magnitude = serial.value;
    while (magnitude.size() > 1 && magnitude[0] == 0) magnitude = magnitude.subspan(1);
    sod.signer_serial.assign(magnitude.begin(), magnitude.end());
  } else if (sid.tag == 0x80) {  // [0] subjectKeyIdentifier
    if (sid.value.empty()) malformed("empty subjectKeyIdentifier");
    sod.signer_subject_key_id.assign(sid.value.begin(), sid.value.end());
  } else {
    malformed("SignerInfo sid is neither issuerAndSerialNumber nor subjectKeyIdentifier");
  }

  sod.digest_algorithm = parse_algorithm(reader.next(), "SignerInfo digestAlgorithm").oid;

  asn1::Tlv signed_attributes = reader.expect(0xA0);  // ICAO 9303 Part 10 requires signedAttrs
  parse_signed_attributes(signed_attributes, sod);
  sod.signed_attributes_der = der_signed_attributes(signed_attributes);

  AlgorithmIdentifier signature_algorithm = parse_algorithm(reader.next(), "SignerInfo signatureAlgorithm");
  sod.signature_algorithm = signature_algorithm.oid;
  sod.signature_algorithm_parameters = std::move(signature_algorithm.parameters);
  asn1::Tlv signature = reader.expect(0x04);
  if (signature.value.empty()) malformed("empty signature");
  sod.signature.assign(signature.value.begin(), signature.value.end());
  reader.next_if(0xA1);  // unsignedAttrs: not used
  reader.expect_end();
}

// LDSSecurityObject (ICAO 9303 Part 10 section 4.6.2.2).
void parse_lds_security_object(ByteView econtent, SecurityObject& sod) {
  asn1::Tlv object = asn1::parse_one(econtent, 0x30);
  asn1::TlvReader reader(object.value);
  sod.lds_version = small_integer(reader.expect(0x02), 1, "LDSSecurityObject version");
  sod.hash_algorithm = parse_algorithm(reader.next(), "LDSSecurityObject hashAlgorithm").oid;
  asn1::Tlv hashes = reader.expect(0x30);
  asn1::TlvReader hash_reader(hashes.value);
  while (!hash_reader.empty()) {
    asn1::Tlv entry = hash_reader.expect(0x30);
    asn1::TlvReader entry_reader(entry.value);
    std::uint64_t number = asn1::decode_unsigned(entry_reader.expect(0x02));
    asn1::Tlv hash = entry_reader.expect(0x04);
    entry_reader.expect_end();
    if (number < 1 || number > 16) malformed("data group number out of range");
    if (hash.value.empty() || hash.value.size() > kMaxHashSize)
      malformed("data group hash of impossible size");
    if (sod.data_group_hashes.size() >= kMaxSodDataGroupHashes) {
      throw Error(ErrorCode::limit_exceeded, std::string(kFile) + ": more data group hashes than allowed");
    }
    bool inserted =
        sod.data_group_hashes.emplace(static_cast<int>(number), Bytes(hash.value.begin(), hash.value.end()))
            .second;
    if (!inserted) malformed("a data group is hashed twice");
  }
  if (sod.data_group_hashes.empty()) malformed("no data group hashes");
  if (std::optional<asn1::Tlv> version_info = reader.next_if(0x30)) {
    // LDSVersionInfo { ldsVersion PrintableString, unicodeVersion PrintableString }: checked, not kept.
    asn1::TlvReader info_reader(version_info->value);
    info_reader.expect(0x13);
    info_reader.expect(0x13);
    info_reader.expect_end();
  }
  reader.expect_end();
}

void parse_signed_data(const asn1::Tlv& signed_data, SecurityObject& sod) {
  asn1::TlvReader reader(signed_data.value);
  small_integer(reader.expect(0x02), 5, "SignedData version");

  asn1::Tlv digest_algorithms = reader.expect(0x31);
  asn1::TlvReader digest_reader(digest_algorithms.value);
  while (!digest_reader.empty()) parse_algorithm(digest_reader.next(), "SignedData digestAlgorithm");

  asn1::Tlv encap = reader.expect(0x30);
  asn1::TlvReader encap_reader(encap.value);
  sod.econtent_type = asn1::decode_oid(encap_reader.expect(0x06));
  asn1::Tlv explicit_content = encap_reader.expect(0xA0);
  encap_reader.expect_end();
  // eContent: a primitive OCTET STRING, or in BER a constructed one whose segments are the octets; the
  // messageDigest is over the octets either way (RFC 5652 section 5.4).
  asn1::TlvReader econtent_reader(explicit_content.value);
  asn1::Tlv econtent = econtent_reader.next();
  econtent_reader.expect_end();
  sod.econtent = asn1::octet_string_octets(econtent);

  if (std::optional<asn1::Tlv> certificates = reader.next_if(0xA0)) {
    asn1::TlvReader cert_reader(certificates->value);
    while (!cert_reader.empty()) {
      asn1::Tlv certificate = cert_reader.next();
      if (certificate.tag != 0x30) continue;  // other CertificateChoices: not used for eMRTDs
      if (sod.certificates.size() >= kMaxSodCertificates) {
        throw Error(ErrorCode::limit_exceeded, std::string(kFile) + ": more certificates than allowed");
      }
      sod.certificates.emplace_back(certificate.encoded.begin(), certificate.encoded.end());
    }
  }
  reader.next_if(0xA1);  // crls: revocation comes from the trust store, not from the SOD

  asn1::Tlv signer_infos = reader.expect(0x31);
  reader.expect_end();
  asn1::TlvReader signer_reader(signer_infos.value);
  if (signer_reader.empty()) malformed("no SignerInfo");
  parse_signer_info(signer_reader.next(), sod);
  if (!signer_reader.empty()) malformed("more than one SignerInfo");

  // id-data is what some issuers write instead of id-icao-mrtd-security-ldsSecurityObject; what decides
  // is that the content is an LDSSecurityObject, and the signature covers the type either way (the
  // contentType attribute must equal it, see passive_auth.cpp).
  if (sod.econtent_type != asn1::oid::kLdsSecurityObject && sod.econtent_type != asn1::oid::kData)
    malformed("eContentType is neither an LDS security object nor id-data");
  parse_lds_security_object(sod.econtent, sod);
}

}  // namespace

// EF.SOD = 77 { ContentInfo { contentType signedData, [0] SignedData } } (ICAO 9303 Part 10 section 4.6.2).
// A bare ContentInfo (30 ...), what some readers store as the SOD, is taken as the same object.
SecurityObject parse_sod(ByteView file) {
  return detail::in_file(kFile, [file] {
    asn1::Tlv outer = asn1::parse_first(file);
    if (outer.tag != 0x77 && outer.tag != 0x30) malformed("not an EF.SOD (outer tag is neither 77 nor 30)");
    asn1::Tlv content_info = outer.tag == 0x30 ? outer : asn1::parse_one(outer.value, 0x30);
    asn1::TlvReader reader(content_info.value);
    if (asn1::decode_oid(reader.expect(0x06)) != asn1::oid::kSignedData)
      malformed("ContentInfo is not SignedData");
    asn1::Tlv explicit_content = reader.expect(0xA0);
    reader.expect_end();
    asn1::Tlv signed_data = asn1::parse_one(explicit_content.value, 0x30);
    SecurityObject sod;
    parse_signed_data(signed_data, sod);
    return sod;
  });
}

}  // namespace cccd::lds
