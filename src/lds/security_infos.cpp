// The parser of SecurityInfos (EF.CardAccess, DG14): hostile bytes to the structures of security_infos.hpp.
#include "lds/security_infos.hpp"

#include "asn1/der.hpp"
#include "asn1/tlv.hpp"
#include "lds/security_infos_oids.hpp"

#include <cccd/error.hpp>

#include <algorithm>
#include <array>
#include <string>

namespace cccd::lds {
namespace {

using asn1::Tlv;
using asn1::TlvReader;
using crypto::CipherKind;
using security_infos_detail::Classified;
using security_infos_detail::classify;
using security_infos_detail::Kind;
using security_infos_detail::kind_name;

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

// standardizedDomainParameters: the INTEGER id of a group TR-03110 defines (0-2 DH, 8-18 ECDH).
StandardizedDomainParameters parse_standardized(const Tlv& parameters) {
  if (parameters.tag != kInteger) bad("standardized domain parameters are not an INTEGER id");
  const std::uint64_t id = asn1::decode_unsigned(parameters);
  if (id > 18 || (id > 2 && id < 8))
    throw Error(ErrorCode::not_supported,
                "standardized domain parameters with the reserved id " + std::to_string(id));
  return {id};
}

DomainParameters parse_algorithm_identifier(const Tlv& identifier) {
  if (identifier.tag != kSequence) bad("AlgorithmIdentifier is not a SEQUENCE");
  TlvReader reader(identifier.value);
  const std::string algorithm = asn1::decode_oid(reader.expect(kOid));
  if (algorithm == oid::kStandardizedDomainParameters) {
    DomainParameters standardized = parse_standardized(reader.next());
    reader.expect_end();
    return standardized;
  }
  if (algorithm != oid::kDhPublicNumber && algorithm != oid::kEcPublicKey)
    bad("domain parameters of an algorithm other than DH (dhpublicnumber), ECDH (id-ecPublicKey) or "
        "standardizedDomainParameters");
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
  if (algorithm == oid::kStandardizedDomainParameters) {
    // BSI TR-03110 chips (German ID cards among them) name the key's group by its standardized id in
    // place of the key algorithm: 30 0C 06 07 04007F0007010202 02 01 0D is brainpoolP256r1.
    info.parameters = parse_standardized(identifier_reader.next());
    check_agreement(*info.parameters, c.agreement);
  } else if (algorithm != expected) {
    bad("public key algorithm does not match id-PK-DH / id-PK-ECDH");
  } else if (!identifier_reader.empty() && identifier_reader.peek_tag() != kNull) {
    // Parameters may be absent (or NULL) when a ChipAuthenticationDomainParameterInfo carries them.
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

// One entry into `out`. An entry this library cannot use is kept in `out.unknown` with the reason and
// skipped: a chip's other entries (its PACEInfo above all) must not be lost to one another reader does
// not understand.
void parse_entry(const Tlv& entry, SecurityInfos& out) {
  Kind kind = Kind::unknown;
  std::string protocol;
  try {
    if (entry.tag != kSequence) bad("not a SEQUENCE");
    TlvReader reader(entry.value);
    protocol = asn1::decode_oid(reader.expect(kOid));
    const Classified c = classify(protocol);
    kind = c.kind;
    // Parsed into a copy first, so that an entry failing half-way leaves nothing behind.
    SecurityInfos parsed;
    switch (c.kind) {
      case Kind::pace:
        parsed.pace.push_back(parse_pace(reader, c));
        break;
      case Kind::pace_domain_parameters:
        parsed.pace_domain_parameters.push_back(parse_pace_domain_parameters(reader, c));
        break;
      case Kind::chip_authentication:
        parsed.chip_authentication.push_back(parse_chip_authentication(reader, c));
        break;
      case Kind::chip_authentication_domain_parameters:
        parsed.chip_authentication_domain_parameters.push_back(parse_ca_domain_parameters(reader, c));
        break;
      case Kind::chip_authentication_public_key:
        parsed.chip_authentication_public_keys.push_back(parse_ca_public_key(reader, c));
        break;
      case Kind::terminal_authentication:
        parsed.terminal_authentication.push_back(parse_terminal_authentication(reader));
        break;
      case Kind::active_authentication:
        parsed.active_authentication.push_back(parse_active_authentication(reader));
        break;
      case Kind::unknown:
        // Kept whole; its content need only be well-formed TLVs.
        while (!reader.empty()) reader.next();
        out.unknown.push_back({protocol, Bytes(entry.encoded.begin(), entry.encoded.end()), {}});
        return;
    }
    reader.expect_end();
    auto move_into = [](auto& from, auto& to) { to.insert(to.end(), from.begin(), from.end()); };
    move_into(parsed.pace, out.pace);
    move_into(parsed.pace_domain_parameters, out.pace_domain_parameters);
    move_into(parsed.chip_authentication, out.chip_authentication);
    move_into(parsed.chip_authentication_domain_parameters, out.chip_authentication_domain_parameters);
    move_into(parsed.chip_authentication_public_keys, out.chip_authentication_public_keys);
    move_into(parsed.terminal_authentication, out.terminal_authentication);
    move_into(parsed.active_authentication, out.active_authentication);
  } catch (const Error& error) {
    const ErrorCode code = error.code();
    if (code != ErrorCode::malformed_data && code != ErrorCode::limit_exceeded &&
        code != ErrorCode::not_supported) {
      throw;
    }
    out.unknown.push_back({protocol, Bytes(entry.encoded.begin(), entry.encoded.end()),
                           std::string(kind_name(kind)) + ": " + error.what()});
  }
}

}  // namespace

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
    parse_entry(entry, infos);
    ++count;
  }
  return infos;
}

}  // namespace cccd::lds
