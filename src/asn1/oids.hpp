// Object identifiers that more than one layer names (the parser and the generator of a structure, the
// verifier and the signer). An OID used in one file only stays in that file.
#pragma once

namespace cccd::asn1::oid {

// CMS (RFC 5652) and its attributes (PKCS #9).
inline constexpr const char* kSignedData = "1.2.840.113549.1.7.2";
// id-data: the eContentType some issuers give EF.SOD, with the LDSSecurityObject inside all the same.
inline constexpr const char* kData = "1.2.840.113549.1.7.1";
inline constexpr const char* kContentTypeAttribute = "1.2.840.113549.1.9.3";
inline constexpr const char* kMessageDigestAttribute = "1.2.840.113549.1.9.4";
inline constexpr const char* kSigningTimeAttribute = "1.2.840.113549.1.9.5";

// ICAO Doc 9303 Part 10: the eContentType of EF.SOD.
inline constexpr const char* kLdsSecurityObject = "2.23.136.1.1.1";

// Signature algorithms the virtual card signs with (the verifier knows many more).
inline constexpr const char* kEcdsaWithSha256 = "1.2.840.10045.4.3.2";
inline constexpr const char* kSha256WithRsaEncryption = "1.2.840.113549.1.1.11";

// DG13 of the CCCD: ISO/IEC 10646 (UTF-8) as its character set.
inline constexpr const char* kIso10646Utf8 = "1.0.10646.1.0.8";

}  // namespace cccd::asn1::oid
