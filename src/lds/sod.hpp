// EF.SOD: the Document Security Object, an LDSSecurityObject (ICAO Doc 9303 Part 10 section 4.6.2)
// inside CMS SignedData (RFC 5652), parsed strictly into the parts passive authentication checks.
// Strict in structure, tolerant in encoding as genuine documents need: BER (indefinite lengths, a
// constructed eContent), eContentType id-data, and a bare ContentInfo without the 77 wrapper.
#pragma once

#include <cccd/bytes.hpp>

#include <map>
#include <string>
#include <vector>

namespace cccd::lds {

struct SecurityObject {
  // SignedData
  std::string econtent_type;        // 2.23.136.1.1.1 (id-icao-mrtd-security-ldsSecurityObject) or id-data
  Bytes econtent;                   // the eContent octets (the LDSSecurityObject) that were signed
  std::vector<Bytes> certificates;  // DER certificates carried in SignedData (the DS, usually one)
  // SignerInfo (exactly one)
  int signer_info_version = 0;
  Bytes signer_issuer_der;               // issuerAndSerialNumber: issuer Name DER ...
  Bytes signer_serial;                   // ... and serial number magnitude (version 1)
  Bytes signer_subject_key_id;           // subjectKeyIdentifier (version 3)
  std::string digest_algorithm;          // OID of the SignerInfo digest algorithm
  Bytes signed_attributes_der;           // the signedAttrs as a DER SET OF (31 ...), what is signed
  Bytes message_digest;                  // the messageDigest attribute
  std::string content_type_attribute;    // the contentType attribute's OID
  std::string signature_algorithm;       // OID of the signature algorithm
  Bytes signature_algorithm_parameters;  // DER of its parameters (RSASSA-PSS), empty if absent/NULL
  Bytes signature;
  // LDSSecurityObject
  int lds_version = 0;                     // 0 (V0) or 1 (V1 with LDSVersionInfo)
  std::string hash_algorithm;              // OID of the data group hash algorithm
  std::map<int, Bytes> data_group_hashes;  // data group number -> hash
};

SecurityObject parse_sod(ByteView file);

inline constexpr std::size_t kMaxSodCertificates = 8;
inline constexpr std::size_t kMaxSodDataGroupHashes = 16;

}  // namespace cccd::lds
