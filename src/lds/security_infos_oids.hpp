// The protocol OIDs of SecurityInfos (TR-03110 part 3 A.1.1), shared by the parser and the encoders of
// security_infos.hpp: what an OID names, and the OIDs that have no public builder.
#pragma once

#include "lds/security_infos.hpp"

#include <string>

namespace cccd::lds::security_infos_detail {

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
  crypto::CipherKind cipher = crypto::CipherKind::aes128;
};

Classified classify(const std::string& protocol);
// "PACEInfo", "ChipAuthenticationInfo" ..., "SecurityInfo" for an unknown one.
const char* kind_name(Kind kind);

// id-CA-DH / id-CA-ECDH (ChipAuthenticationDomainParameterInfo) and id-PK-DH / id-PK-ECDH.
std::string ca_domain_parameter_oid(KeyAgreement agreement);
std::string pk_oid(KeyAgreement agreement);

}  // namespace cccd::lds::security_infos_detail
