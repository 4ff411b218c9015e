// SecurityInfos (ICAO Doc 9303 Part 11 section 9.2, BSI TR-03110 part 3 appendix A): what EF.CardAccess
// and DG14 say about the chip's access and authentication protocols (PACE, Chip, Terminal and Active
// Authentication), parsed from hostile bytes and, for the virtual card, encoded again.
//
// Every SecurityInfo is SEQUENCE { protocol OBJECT IDENTIFIER, requiredData ANY, optionalData ANY
// OPTIONAL }. An entry whose protocol this library does not know, or whose content it cannot use (another
// issuer's encoding, parameters it does not support), is kept as unknown and skipped, never fatal for the
// others: new protocols and encodings appear on chips long before readers learn them.
#pragma once

#include "crypto/crypto.hpp"
#include "crypto/pace_domain.hpp"

#include <cccd/bytes.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cccd::lds {

// Object identifiers of TR-03110 part 3 (bsi-de 0.4.0.127.0.7) and ICAO 9303 Part 11.
namespace oid {
inline constexpr const char* kIdPk = "0.4.0.127.0.7.2.2.1";    // + .1 DH, .2 ECDH
inline constexpr const char* kIdTa = "0.4.0.127.0.7.2.2.2";    // Terminal Authentication
inline constexpr const char* kIdCa = "0.4.0.127.0.7.2.2.3";    // + .1 DH, .2 ECDH, then the cipher
inline constexpr const char* kIdPace = "0.4.0.127.0.7.2.2.4";  // + mapping and agreement, then the cipher
inline constexpr const char* kIdActiveAuthentication = "2.23.136.1.1.5";
inline constexpr const char* kDhPublicNumber = "1.2.840.10046.2.1";  // ANSI X9.42 DH domain parameters
inline constexpr const char* kEcPublicKey = "1.2.840.10045.2.1";     // RFC 3279 EC public key
inline constexpr const char* kPrimeField = "1.2.840.10045.1.1";
// bsi-de algorithms(1) standardizedDomainParameters(2): an AlgorithmIdentifier whose parameters are the
// INTEGER id of a standardized group (TR-03110 part 3 A.2.1.1, as on German ID cards).
inline constexpr const char* kStandardizedDomainParameters = "0.4.0.127.0.7.1.2";
}  // namespace oid

enum class PaceMapping { generic, integrated, chip_authentication };  // GM, IM, CAM
enum class KeyAgreement { dh, ecdh };

// The dotted OID id-PACE-<agreement>-<mapping>-<cipher>, e.g. (generic, ecdh, aes128) ->
// "0.4.0.127.0.7.2.2.4.2.2". Throws Error(invalid_argument) for a combination TR-03110 does not define
// (Chip Authentication Mapping exists only for ECDH with AES).
std::string pace_oid(PaceMapping mapping, KeyAgreement agreement, crypto::CipherKind cipher);
// id-PACE-<agreement>-<mapping> without the cipher: the protocol of a PACEDomainParameterInfo.
std::string pace_domain_parameter_oid(PaceMapping mapping, KeyAgreement agreement);
// The dotted OID id-CA-<agreement>-<cipher> of a ChipAuthenticationInfo, e.g. (ecdh, aes128) ->
// "0.4.0.127.0.7.2.2.3.2.2"; Chip Authentication defines every agreement and cipher.
std::string chip_authentication_oid(KeyAgreement agreement, crypto::CipherKind cipher);

// DH domain parameters (ANSI X9.42 DomainParameters). Integers as unsigned big-endian magnitudes
// without leading zeros.
struct DhDomainParameters {
  Bytes p;
  Bytes g;
  Bytes q;
  friend bool operator==(const DhDomainParameters&, const DhDomainParameters&) = default;
};

// Explicit ECParameters on a prime field (RFC 3279). prime, order and cofactor as unsigned big-endian
// magnitudes without leading zeros; a, b and base as the octet strings stand (base is the uncompressed
// point 04 || x || y).
struct EcExplicitParameters {
  Bytes prime;
  Bytes a;
  Bytes b;
  Bytes base;
  Bytes order;
  std::optional<Bytes> cofactor;
  friend bool operator==(const EcExplicitParameters&, const EcExplicitParameters&) = default;
};

// ECParameters given as a named curve.
struct EcNamedCurve {
  std::string curve_oid;  // dotted, e.g. "1.3.36.3.3.2.8.1.1.7" (brainpoolP256r1)
  friend bool operator==(const EcNamedCurve&, const EcNamedCurve&) = default;
};

// Standardized domain parameters named by their id (TR-03110 part 3 table 4): 0-2 DH, 8-18 ECDH; the
// reserved ids are not accepted when parsing.
struct StandardizedDomainParameters {
  std::uint64_t id = 13;
  friend bool operator==(const StandardizedDomainParameters&, const StandardizedDomainParameters&) = default;
};

// An AlgorithmIdentifier carrying domain parameters: dhpublicnumber with DomainParameters,
// id-ecPublicKey with explicit or named ECParameters, or standardizedDomainParameters with an id.
using DomainParameters =
    std::variant<DhDomainParameters, EcExplicitParameters, EcNamedCurve, StandardizedDomainParameters>;
KeyAgreement key_agreement(const DomainParameters& parameters) noexcept;
// The group of explicit or named domain parameters (PACEDomainParameterInfo, a Chip Authentication
// public key's AlgorithmIdentifier), for PACE, Chip Authentication and the check of PACE-CAM. Throws
// Error(not_supported) for a curve it does not know, Error(crypto) for parameters that fail their checks.
crypto::PaceDomain domain_of(const DomainParameters& parameters);

struct PaceInfo {
  PaceMapping mapping = PaceMapping::generic;
  KeyAgreement agreement = KeyAgreement::ecdh;
  crypto::CipherKind cipher = crypto::CipherKind::aes128;
  std::uint64_t version = 2;
  std::optional<std::uint64_t> parameter_id;  // standardized (0-31) or the id of a PACEDomainParameterInfo
  std::string oid() const { return pace_oid(mapping, agreement, cipher); }
  friend bool operator==(const PaceInfo&, const PaceInfo&) = default;
};

struct PaceDomainParameterInfo {
  PaceMapping mapping = PaceMapping::generic;
  KeyAgreement agreement = KeyAgreement::ecdh;  // agrees with `parameters` (checked when parsing)
  DomainParameters parameters;
  std::optional<std::uint64_t> parameter_id;
  friend bool operator==(const PaceDomainParameterInfo&, const PaceDomainParameterInfo&) = default;
};

struct ChipAuthenticationInfo {
  KeyAgreement agreement = KeyAgreement::ecdh;
  crypto::CipherKind cipher = crypto::CipherKind::aes128;
  std::uint64_t version = 1;
  std::optional<std::uint64_t> key_id;
  friend bool operator==(const ChipAuthenticationInfo&, const ChipAuthenticationInfo&) = default;
};

// ChipAuthenticationDomainParameterInfo (protocol id-CA-DH or id-CA-ECDH without cipher).
struct ChipAuthenticationDomainParameterInfo {
  KeyAgreement agreement = KeyAgreement::ecdh;
  DomainParameters parameters;
  std::optional<std::uint64_t> key_id;
  friend bool operator==(const ChipAuthenticationDomainParameterInfo&,
                         const ChipAuthenticationDomainParameterInfo&) = default;
};

struct ChipAuthenticationPublicKeyInfo {
  KeyAgreement agreement = KeyAgreement::ecdh;  // id-PK-DH or id-PK-ECDH
  Bytes subject_public_key_info;                // the whole DER SubjectPublicKeyInfo (for d2i_PUBKEY)
  std::optional<DomainParameters> parameters;   // from its AlgorithmIdentifier, when it has them
  Bytes public_key;  // the subjectPublicKey BIT STRING contents after the unused-bits byte
  std::optional<std::uint64_t> key_id;
  friend bool operator==(const ChipAuthenticationPublicKeyInfo&,
                         const ChipAuthenticationPublicKeyInfo&) = default;
};

struct TerminalAuthenticationInfo {
  std::uint64_t version = 1;
  std::optional<Bytes> ef_cvca;  // the optional FileID (TR-03110 v1) as encoded, kept raw
  friend bool operator==(const TerminalAuthenticationInfo&, const TerminalAuthenticationInfo&) = default;
};

struct ActiveAuthenticationInfo {
  std::uint64_t version = 1;
  std::string signature_algorithm;  // dotted OID, e.g. ecdsa-plain-SHA256
  friend bool operator==(const ActiveAuthenticationInfo&, const ActiveAuthenticationInfo&) = default;
};

struct UnknownSecurityInfo {
  std::string protocol;  // dotted OID; empty when the entry has none (not a SEQUENCE starting with an OID)
  Bytes encoded;         // the whole SecurityInfo SEQUENCE as it stood
  // Why an entry of a protocol this library knows was skipped ("PACEInfo: expected an INTEGER"); empty
  // for a protocol it does not know.
  std::string skipped;
  friend bool operator==(const UnknownSecurityInfo&, const UnknownSecurityInfo&) = default;
};

struct SecurityInfos {
  std::vector<PaceInfo> pace;
  std::vector<PaceDomainParameterInfo> pace_domain_parameters;
  std::vector<ChipAuthenticationInfo> chip_authentication;
  std::vector<ChipAuthenticationDomainParameterInfo> chip_authentication_domain_parameters;
  std::vector<ChipAuthenticationPublicKeyInfo> chip_authentication_public_keys;
  std::vector<TerminalAuthenticationInfo> terminal_authentication;
  std::vector<ActiveAuthenticationInfo> active_authentication;
  std::vector<UnknownSecurityInfo> unknown;
  friend bool operator==(const SecurityInfos&, const SecurityInfos&) = default;
};

inline constexpr std::size_t kMaxSecurityInfos = 32;
// The largest integer or octet string accepted in domain parameters and keys (a 8192-bit DH prime).
inline constexpr std::size_t kMaxDomainParameterBytes = 1024;

// Parses EF.CardAccess (31 SET OF SecurityInfo) or DG14 (6E { 31 ... }); bytes after the outer TLV
// (file padding) are ignored. An entry that does not parse, has a known protocol with content this library
// cannot use (malformed, a domain parameter longer than kMaxDomainParameterBytes, EC parameters on a field
// other than a prime field, a reserved standardized id) is kept in `unknown` with the reason, and the
// others are parsed as usual. Errors: Error(malformed_data) when the outer structure or the sequence of
// entries does not parse; Error(limit_exceeded) for more than kMaxSecurityInfos entries.
SecurityInfos parse_security_infos(ByteView data);

// Encoders (the virtual card's generator). Each returns one DER SecurityInfo SEQUENCE; they throw
// Error(invalid_argument) for a combination without an OID.
Bytes encode_pace_info(const PaceInfo& info);
Bytes encode_pace_domain_parameter_info(const PaceDomainParameterInfo& info);
Bytes encode_chip_authentication_info(const ChipAuthenticationInfo& info);
Bytes encode_terminal_authentication_info(const TerminalAuthenticationInfo& info);
// The AlgorithmIdentifier of `parameters` (dhpublicnumber or id-ecPublicKey).
Bytes encode_domain_parameters(const DomainParameters& parameters);
// The DER SET OF every entry (EF.CardAccess), in DER order (encodings sorted), unknown entries as kept.
Bytes encode_security_infos(const SecurityInfos& infos);

}  // namespace cccd::lds
