// The protocol OIDs of SecurityInfos: building them from mapping, key agreement and cipher, and
// classifying a protocol OID read from a chip.
#include "lds/security_infos_oids.hpp"

#include <cccd/error.hpp>

#include <array>
#include <optional>
#include <string>

namespace cccd::lds {
namespace {

using crypto::CipherKind;

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

}  // namespace

namespace security_infos_detail {

std::string ca_domain_parameter_oid(KeyAgreement agreement) {
  return std::string(oid::kIdCa) + "." + std::to_string(agreement_arc(agreement));
}
std::string pk_oid(KeyAgreement agreement) {
  return std::string(oid::kIdPk) + "." + std::to_string(agreement_arc(agreement));
}

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

}  // namespace security_infos_detail

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

}  // namespace cccd::lds
