// The encoders of SecurityInfos (the virtual card's generator): DER SecurityInfo SEQUENCEs and the SET OF
// EF.CardAccess.
#include "asn1/der.hpp"
#include "asn1/tlv.hpp"
#include "lds/security_infos.hpp"
#include "lds/security_infos_oids.hpp"

#include <cccd/error.hpp>

#include <utility>
#include <vector>

namespace cccd::lds {
namespace {

using security_infos_detail::ca_domain_parameter_oid;
using security_infos_detail::pk_oid;

constexpr asn1::Tag kSequence = 0x30;

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
  std::vector<Bytes> parts = {asn1::der_oid(chip_authentication_oid(info.agreement, info.cipher)),
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
  if (const auto* standardized = std::get_if<StandardizedDomainParameters>(&parameters))
    return asn1::der_sequence(
        {asn1::der_oid(oid::kStandardizedDomainParameters), asn1::der_integer(standardized->id)});
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

}  // namespace cccd::lds
