#include "access/security_infos.hpp"

#include "asn1/der.hpp"
#include "asn1/tlv.hpp"

#include <cccd/error.hpp>

#include <array>
#include <string>
#include <utility>

namespace cccd::access {
namespace {

using asn1::Tlv;
using asn1::TlvReader;
using crypto::CipherKind;

constexpr asn1::Tag kInteger = 0x02;
constexpr asn1::Tag kBitString = 0x03;
constexpr asn1::Tag kOctetString = 0x04;
constexpr asn1::Tag kNull = 0x05;
constexpr asn1::Tag kOid = 0x06;
constexpr asn1::Tag kSequence = 0x30;
constexpr asn1::Tag kSet = 0x31;
constexpr asn1::Tag kDg14 = 0x6E;

// The largest SubjectPublicKeyInfo kept: explicit parameters and a point or DH value of the largest size.
constexpr std::size_t kMaxPublicKeyInfoBytes = 8 * kMaxDomainParameterBytes;

[[noreturn]] void malformed(const std::string& what) {
  throw Error(ErrorCode::malformed_data, "SecurityInfos: " + what);
}

constexpr std::array<CipherKind, 4> kCiphers = {CipherKind::tdes, CipherKind::aes128, CipherKind::aes192,
                                                CipherKind::aes256};
constexpr std::array<PaceMapping, 3> kMappings = {PaceMapping::generic, PaceMapping::integrated,
                                                  PaceMapping::chip_authentication};
constexpr std::array<KeyAgreement, 2> kAgreements = {KeyAgreement::dh, KeyAgreement::ecdh};

// The arc after id-CA / id-PACE... that names the cipher suite (TR-03110 part 3 A.1.1).
int cipher_arc(CipherKind cipher) {
  switch (cipher) {
    case CipherKind::tdes:
      return 1;
    case CipherKind::aes128:
      return 2;
    case CipherKind::aes192:
      return 3;
    case CipherKind::aes256:
      return 4;
  }
  throw Error(ErrorCode::invalid_argument, "SecurityInfos: unknown cipher");
}

// The arc after id-PACE naming mapping and key agreement; nothing for a combination that has no OID.
std::optional<int> pace_arc(PaceMapping mapping, KeyAgreement agreement) {
  const bool dh = agreement == KeyAgreement::dh;
  switch (mapping) {
    case PaceMapping::generic:
      return dh ? 1 : 2;
    case PaceMapping::integrated:
      return dh ? 3 : 4;
    case PaceMapping::chip_authentication:
      return dh ? std::nullopt : std::optional<int>(6);
  }
  return std::nullopt;
}

int agreement_arc(KeyAgreement agreement) {
  return agreement == KeyAgreement::dh ? 1 : 2;
}

std::string ca_oid(KeyAgreement agreement, CipherKind cipher) {
  return std::string(oid::kIdCa) + "." + std::to_string(agreement_arc(agreement)) + "." +
         std::to_string(cipher_arc(cipher));
}
std::string ca_domain_parameter_oid(KeyAgreement agreement) {
  return std::string(oid::kIdCa) + "." + std::to_string(agreement_arc(agreement));
}
std::string pk_oid(KeyAgreement agreement) {
  return std::string(oid::kIdPk) + "." + std::to_string(agreement_arc(agreement));
}

// What a protocol OID names. Matched exactly: an OID under a known arc that TR-03110 does not define
// (id-PACE-ECDH-CAM-3DES, id-CA-ECDH.9 ...) is unknown, not misread.
enum class Kind {
  unknown,
  pace,
  pace_domain_parameters,
  chip_authentication,
  chip_authentication_domain_parameters,
  chip_authentication_public_key,
  terminal_authentication,
  active_authentication
};

struct Classified {
  Kind kind = Kind::unknown;
  PaceMapping mapping = PaceMapping::generic;
  KeyAgreement agreement = KeyAgreement::ecdh;
  CipherKind cipher = CipherKind::aes128;
};

Classified classify(const std::string& protocol) {
  if (protocol == oid::kIdTa) return {Kind::terminal_authentication};
  if (protocol == oid::kIdActiveAuthentication) return {Kind::active_authentication};
  for (KeyAgreement agreement : kAgreements) {
    if (protocol == pk_oid(agreement)) return {Kind::chip_authentication_public_key, {}, agreement};
    if (protocol == ca_domain_parameter_oid(agreement))
      return {Kind::chip_authentication_domain_parameters, {}, agreement};
    for (CipherKind cipher : kCiphers)
      if (protocol == ca_oid(agreement, cipher)) return {Kind::chip_authentication, {}, agreement, cipher};
    for (PaceMapping mapping : kMappings) {
      if (!pace_arc(mapping, agreement)) continue;
      if (protocol == pace_domain_parameter_oid(mapping, agreement))
        return {Kind::pace_domain_parameters, mapping, agreement};
      for (CipherKind cipher : kCiphers) {
        if (mapping == PaceMapping::chip_authentication && cipher == CipherKind::tdes) continue;
        if (protocol == pace_oid(mapping, agreement, cipher)) return {Kind::pace, mapping, agreement, cipher};
      }
    }
  }
  return {};
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::pace:
      return "PACEInfo";
    case Kind::pace_domain_parameters:
      return "PACEDomainParameterInfo";
    case Kind::chip_authentication:
      return "ChipAuthenticationInfo";
    case Kind::chip_authentication_domain_parameters:
      return "ChipAuthenticationDomainParameterInfo";
    case Kind::chip_authentication_public_key:
      return "ChipAuthenticationPublicKeyInfo";
    case Kind::terminal_authentication:
      return "TerminalAuthenticationInfo";
    case Kind::active_authentication:
      return "ActiveAuthenticationInfo";
    case Kind::unknown:
      break;
  }
  return "SecurityInfo";
}

// ---- decoding helpers; each throws Error(malformed_data) with a short reason -------------------------

[[noreturn]] void bad(const char* what) {
  throw Error(ErrorCode::malformed_data, what);
}

void check_size(ByteView value, std::size_t limit, const char* what) {
  if (value.size() > limit)
    throw Error(ErrorCode::limit_exceeded,
                std::string("SecurityInfos: ") + what + " longer than " + std::to_string(limit) + " bytes");
}

// A non-negative INTEGER as its magnitude without leading zeros (zero stays one 00 byte).
Bytes unsigned_magnitude(const Tlv& integer, const char* what) {
  if (integer.tag != kInteger) bad("expected an INTEGER");
  ByteView v = integer.value;
  if (v.empty()) bad("empty INTEGER");
  if ((v[0] & 0x80) != 0) bad("negative INTEGER in domain parameters");
  while (v.size() > 1 && v[0] == 0) v = v.subspan(1);
  check_size(v, kMaxDomainParameterBytes, what);
  return Bytes(v.begin(), v.end());
}

Bytes octet_string(const Tlv& tlv, const char* what) {
  if (tlv.tag != kOctetString) bad("expected an OCTET STRING");
  check_size(tlv.value, kMaxDomainParameterBytes * 2 + 1, what);
  return Bytes(tlv.value.begin(), tlv.value.end());
}

std::optional<std::uint64_t> optional_integer(TlvReader& reader) {
  std::optional<Tlv> integer = reader.next_if(kInteger);
  if (!integer) return std::nullopt;
  return asn1::decode_unsigned(*integer);
}

DhDomainParameters parse_dh_parameters(const Tlv& parameters) {
  if (parameters.tag != kSequence) bad("DH DomainParameters is not a SEQUENCE");
  TlvReader reader(parameters.value);
  DhDomainParameters dh;
  dh.p = unsigned_magnitude(reader.next(), "DH prime");
  dh.g = unsigned_magnitude(reader.next(), "DH generator");
  dh.q = unsigned_magnitude(reader.next(), "DH order");
  // j and validationParms (X9.42) may follow; PACE does not use them.
  if (std::optional<Tlv> j = reader.next_if(kInteger)) unsigned_magnitude(*j, "DH cofactor j");
  reader.next_if(kSequence);
  reader.expect_end();
  return dh;
}

EcExplicitParameters parse_ec_explicit(const Tlv& parameters) {
  TlvReader reader(parameters.value);
  if (asn1::decode_unsigned(reader.expect(kInteger)) != 1) bad("ECParameters version is not 1");

  const Tlv field_id = reader.expect(kSequence);
  TlvReader field(field_id.value);
  if (asn1::decode_oid(field.expect(kOid)) != oid::kPrimeField)
    throw Error(ErrorCode::not_supported,
                "SecurityInfos: EC domain parameters on a field other than a prime field");
  EcExplicitParameters ec;
  ec.prime = unsigned_magnitude(field.next(), "EC prime");
  field.expect_end();

  const Tlv curve_tlv = reader.expect(kSequence);
  TlvReader curve(curve_tlv.value);
  ec.a = octet_string(curve.next(), "EC coefficient a");
  ec.b = octet_string(curve.next(), "EC coefficient b");
  curve.next_if(kBitString);  // the seed the curve was generated from
  curve.expect_end();

  ec.base = octet_string(reader.next(), "EC base point");
  if (ec.base.size() < 3 || ec.base[0] != 0x04 || ec.base.size() % 2 == 0)
    bad("EC base point is not an uncompressed point");
  ec.order = unsigned_magnitude(reader.next(), "EC order");
  if (std::optional<Tlv> cofactor = reader.next_if(kInteger))
    ec.cofactor = unsigned_magnitude(*cofactor, "EC cofactor");
  reader.expect_end();
  return ec;
}

// The parameters of an AlgorithmIdentifier whose OID is dhpublicnumber or id-ecPublicKey.
DomainParameters parse_parameters(const std::string& algorithm, const Tlv& parameters) {
  if (algorithm == oid::kDhPublicNumber) return parse_dh_parameters(parameters);
  if (parameters.tag == kOid) return EcNamedCurve{asn1::decode_oid(parameters)};
  if (parameters.tag != kSequence) bad("ECParameters neither explicit nor a named curve");
  return parse_ec_explicit(parameters);
}

DomainParameters parse_algorithm_identifier(const Tlv& identifier) {
  if (identifier.tag != kSequence) bad("AlgorithmIdentifier is not a SEQUENCE");
  TlvReader reader(identifier.value);
  const std::string algorithm = asn1::decode_oid(reader.expect(kOid));
  if (algorithm != oid::kDhPublicNumber && algorithm != oid::kEcPublicKey)
    bad("domain parameters of an algorithm other than DH (dhpublicnumber) or ECDH (id-ecPublicKey)");
  DomainParameters parameters = parse_parameters(algorithm, reader.next());
  reader.expect_end();
  return parameters;
}

void check_agreement(const DomainParameters& parameters, KeyAgreement agreement) {
  if (key_agreement(parameters) != agreement)
    bad("domain parameters do not match the protocol's key agreement");
}

PaceInfo parse_pace(TlvReader& reader, const Classified& c) {
  PaceInfo info;
  info.mapping = c.mapping;
  info.agreement = c.agreement;
  info.cipher = c.cipher;
  info.version = asn1::decode_unsigned(reader.expect(kInteger));
  info.parameter_id = optional_integer(reader);
  return info;
}

PaceDomainParameterInfo parse_pace_domain_parameters(TlvReader& reader, const Classified& c) {
  PaceDomainParameterInfo info;
  info.mapping = c.mapping;
  info.agreement = c.agreement;
  info.parameters = parse_algorithm_identifier(reader.next());
  check_agreement(info.parameters, c.agreement);
  info.parameter_id = optional_integer(reader);
  return info;
}

ChipAuthenticationInfo parse_chip_authentication(TlvReader& reader, const Classified& c) {
  ChipAuthenticationInfo info;
  info.agreement = c.agreement;
  info.cipher = c.cipher;
  info.version = asn1::decode_unsigned(reader.expect(kInteger));
  info.key_id = optional_integer(reader);
  return info;
}

ChipAuthenticationDomainParameterInfo parse_ca_domain_parameters(TlvReader& reader, const Classified& c) {
  ChipAuthenticationDomainParameterInfo info;
  info.agreement = c.agreement;
  info.parameters = parse_algorithm_identifier(reader.next());
  check_agreement(info.parameters, c.agreement);
  info.key_id = optional_integer(reader);
  return info;
}

ChipAuthenticationPublicKeyInfo parse_ca_public_key(TlvReader& reader, const Classified& c) {
  const Tlv spki = reader.expect(kSequence);
  check_size(spki.encoded, kMaxPublicKeyInfoBytes, "SubjectPublicKeyInfo");
  ChipAuthenticationPublicKeyInfo info;
  info.agreement = c.agreement;
  info.subject_public_key_info.assign(spki.encoded.begin(), spki.encoded.end());

  TlvReader spki_reader(spki.value);
  const Tlv identifier = spki_reader.expect(kSequence);
  TlvReader identifier_reader(identifier.value);
  const std::string algorithm = asn1::decode_oid(identifier_reader.expect(kOid));
  const std::string expected = c.agreement == KeyAgreement::dh ? oid::kDhPublicNumber : oid::kEcPublicKey;
  if (algorithm != expected) bad("public key algorithm does not match id-PK-DH / id-PK-ECDH");
  // Parameters may be absent (or NULL) when a ChipAuthenticationDomainParameterInfo carries them.
  if (!identifier_reader.empty() && identifier_reader.peek_tag() != kNull) {
    info.parameters = parse_parameters(algorithm, identifier_reader.next());
    check_agreement(*info.parameters, c.agreement);
  } else {
    identifier_reader.next_if(kNull);
  }
  identifier_reader.expect_end();

  const Tlv key = spki_reader.expect(kBitString);
  if (key.value.size() < 2 || key.value[0] != 0) bad("subjectPublicKey is not a whole-byte BIT STRING");
  info.public_key.assign(key.value.begin() + 1, key.value.end());
  spki_reader.expect_end();

  info.key_id = optional_integer(reader);
  return info;
}

TerminalAuthenticationInfo parse_terminal_authentication(TlvReader& reader) {
  TerminalAuthenticationInfo info;
  info.version = asn1::decode_unsigned(reader.expect(kInteger));
  if (std::optional<Tlv> file = reader.next_if(kSequence))
    info.ef_cvca = Bytes(file->encoded.begin(), file->encoded.end());
  return info;
}

ActiveAuthenticationInfo parse_active_authentication(TlvReader& reader) {
  ActiveAuthenticationInfo info;
  info.version = asn1::decode_unsigned(reader.expect(kInteger));
  info.signature_algorithm = asn1::decode_oid(reader.expect(kOid));
  return info;
}

void parse_entry(const Tlv& entry, std::size_t index, SecurityInfos& out) {
  Kind kind = Kind::unknown;
  try {
    if (entry.tag != kSequence) bad("not a SEQUENCE");
    TlvReader reader(entry.value);
    const std::string protocol = asn1::decode_oid(reader.expect(kOid));
    const Classified c = classify(protocol);
    kind = c.kind;
    switch (c.kind) {
      case Kind::pace:
        out.pace.push_back(parse_pace(reader, c));
        break;
      case Kind::pace_domain_parameters:
        out.pace_domain_parameters.push_back(parse_pace_domain_parameters(reader, c));
        break;
      case Kind::chip_authentication:
        out.chip_authentication.push_back(parse_chip_authentication(reader, c));
        break;
      case Kind::chip_authentication_domain_parameters:
        out.chip_authentication_domain_parameters.push_back(parse_ca_domain_parameters(reader, c));
        break;
      case Kind::chip_authentication_public_key:
        out.chip_authentication_public_keys.push_back(parse_ca_public_key(reader, c));
        break;
      case Kind::terminal_authentication:
        out.terminal_authentication.push_back(parse_terminal_authentication(reader));
        break;
      case Kind::active_authentication:
        out.active_authentication.push_back(parse_active_authentication(reader));
        break;
      case Kind::unknown:
        // Kept whole; its content need only be well-formed TLVs.
        while (!reader.empty()) reader.next();
        out.unknown.push_back({protocol, Bytes(entry.encoded.begin(), entry.encoded.end())});
        return;
    }
    reader.expect_end();
  } catch (const Error& error) {
    if (error.code() != ErrorCode::malformed_data) throw;
    malformed("entry " + std::to_string(index + 1) + " (" + kind_name(kind) + "): " + error.what());
  }
}

// ---- encoding helpers ------------------------------------------------------------------------------

Bytes sequence_of(const std::vector<Bytes>& parts) {
  Bytes value;
  for (const Bytes& part : parts) value.insert(value.end(), part.begin(), part.end());
  return asn1::tlv(kSequence, value);
}

void append_optional(std::vector<Bytes>& parts, const std::optional<std::uint64_t>& value) {
  if (value) parts.push_back(asn1::der_integer(*value));
}

Bytes encode_ec_explicit(const EcExplicitParameters& ec) {
  std::vector<Bytes> parts = {
      asn1::der_integer(1),
      asn1::der_sequence({asn1::der_oid(oid::kPrimeField), asn1::der_integer_unsigned(ec.prime)}),
      asn1::der_sequence({asn1::der_octet_string(ec.a), asn1::der_octet_string(ec.b)}),
      asn1::der_octet_string(ec.base),
      asn1::der_integer_unsigned(ec.order),
  };
  if (ec.cofactor) parts.push_back(asn1::der_integer_unsigned(*ec.cofactor));
  return sequence_of(parts);
}

Bytes encode_ca_domain_parameter_info(const ChipAuthenticationDomainParameterInfo& info) {
  std::vector<Bytes> parts = {asn1::der_oid(ca_domain_parameter_oid(info.agreement)),
                              encode_domain_parameters(info.parameters)};
  append_optional(parts, info.key_id);
  return sequence_of(parts);
}

Bytes encode_ca_public_key_info(const ChipAuthenticationPublicKeyInfo& info) {
  std::vector<Bytes> parts = {asn1::der_oid(pk_oid(info.agreement)), info.subject_public_key_info};
  append_optional(parts, info.key_id);
  return sequence_of(parts);
}

Bytes encode_active_authentication_info(const ActiveAuthenticationInfo& info) {
  return asn1::der_sequence({asn1::der_oid(oid::kIdActiveAuthentication), asn1::der_integer(info.version),
                             asn1::der_oid(info.signature_algorithm)});
}

}  // namespace

std::string pace_domain_parameter_oid(PaceMapping mapping, KeyAgreement agreement) {
  const std::optional<int> arc = pace_arc(mapping, agreement);
  if (!arc)
    throw Error(ErrorCode::invalid_argument, "PACE: Chip Authentication Mapping is defined for ECDH only");
  return std::string(oid::kIdPace) + "." + std::to_string(*arc);
}

std::string pace_oid(PaceMapping mapping, KeyAgreement agreement, CipherKind cipher) {
  if (mapping == PaceMapping::chip_authentication && cipher == CipherKind::tdes)
    throw Error(ErrorCode::invalid_argument, "PACE: Chip Authentication Mapping is defined for AES only");
  return pace_domain_parameter_oid(mapping, agreement) + "." + std::to_string(cipher_arc(cipher));
}

std::string chip_authentication_oid(KeyAgreement agreement, CipherKind cipher) {
  return ca_oid(agreement, cipher);
}

KeyAgreement key_agreement(const DomainParameters& parameters) noexcept {
  return std::holds_alternative<DhDomainParameters>(parameters) ? KeyAgreement::dh : KeyAgreement::ecdh;
}

SecurityInfos parse_security_infos(ByteView data) {
  ByteView set_bytes = data;
  try {
    Tlv outer = asn1::parse_first(data);
    if (outer.tag == kDg14) {
      TlvReader dg14(outer.value);
      outer = dg14.expect(kSet);
      dg14.expect_end();
    } else if (outer.tag != kSet) {
      bad("expected a SET OF SecurityInfo (31) or DG14 (6E)");
    }
    set_bytes = outer.value;
  } catch (const Error& error) {
    if (error.code() != ErrorCode::malformed_data) throw;
    malformed(error.what());
  }

  SecurityInfos infos;
  TlvReader reader(set_bytes);
  std::size_t count = 0;
  while (!reader.empty()) {
    Tlv entry;
    try {
      entry = reader.next();
    } catch (const Error& error) {
      malformed("entry " + std::to_string(count + 1) + ": " + error.what());
    }
    if (count == kMaxSecurityInfos)
      throw Error(ErrorCode::limit_exceeded,
                  "SecurityInfos: more than " + std::to_string(kMaxSecurityInfos) + " entries");
    parse_entry(entry, count, infos);
    ++count;
  }
  return infos;
}

Bytes encode_pace_info(const PaceInfo& info) {
  std::vector<Bytes> parts = {asn1::der_oid(info.oid()), asn1::der_integer(info.version)};
  append_optional(parts, info.parameter_id);
  return sequence_of(parts);
}

Bytes encode_pace_domain_parameter_info(const PaceDomainParameterInfo& info) {
  if (key_agreement(info.parameters) != info.agreement)
    throw Error(ErrorCode::invalid_argument,
                "PACEDomainParameterInfo: parameters do not match the key agreement");
  std::vector<Bytes> parts = {asn1::der_oid(pace_domain_parameter_oid(info.mapping, info.agreement)),
                              encode_domain_parameters(info.parameters)};
  append_optional(parts, info.parameter_id);
  return sequence_of(parts);
}

Bytes encode_chip_authentication_info(const ChipAuthenticationInfo& info) {
  std::vector<Bytes> parts = {asn1::der_oid(ca_oid(info.agreement, info.cipher)),
                              asn1::der_integer(info.version)};
  append_optional(parts, info.key_id);
  return sequence_of(parts);
}

Bytes encode_terminal_authentication_info(const TerminalAuthenticationInfo& info) {
  std::vector<Bytes> parts = {asn1::der_oid(oid::kIdTa), asn1::der_integer(info.version)};
  if (info.ef_cvca) parts.push_back(*info.ef_cvca);
  return sequence_of(parts);
}

Bytes encode_domain_parameters(const DomainParameters& parameters) {
  if (const auto* dh = std::get_if<DhDomainParameters>(&parameters)) {
    return asn1::der_sequence(
        {asn1::der_oid(oid::kDhPublicNumber),
         asn1::der_sequence({asn1::der_integer_unsigned(dh->p), asn1::der_integer_unsigned(dh->g),
                             asn1::der_integer_unsigned(dh->q)})});
  }
  if (const auto* named = std::get_if<EcNamedCurve>(&parameters))
    return asn1::der_sequence({asn1::der_oid(oid::kEcPublicKey), asn1::der_oid(named->curve_oid)});
  return asn1::der_sequence(
      {asn1::der_oid(oid::kEcPublicKey), encode_ec_explicit(std::get<EcExplicitParameters>(parameters))});
}

Bytes encode_security_infos(const SecurityInfos& infos) {
  std::vector<Bytes> entries;
  for (const auto& info : infos.pace) entries.push_back(encode_pace_info(info));
  for (const auto& info : infos.pace_domain_parameters)
    entries.push_back(encode_pace_domain_parameter_info(info));
  for (const auto& info : infos.chip_authentication) entries.push_back(encode_chip_authentication_info(info));
  for (const auto& info : infos.chip_authentication_domain_parameters)
    entries.push_back(encode_ca_domain_parameter_info(info));
  for (const auto& info : infos.chip_authentication_public_keys)
    entries.push_back(encode_ca_public_key_info(info));
  for (const auto& info : infos.terminal_authentication)
    entries.push_back(encode_terminal_authentication_info(info));
  for (const auto& info : infos.active_authentication)
    entries.push_back(encode_active_authentication_info(info));
  for (const auto& info : infos.unknown) entries.push_back(info.encoded);
  return asn1::der_set_of(std::move(entries));
}

}  // namespace cccd::access
