// What the DomainParameters of a SecurityInfo name: the group PACE, Chip Authentication and the check
// of PACE-CAM compute in (crypto::PaceDomain).
#include "crypto/pace_domain.hpp"
#include "lds/security_infos.hpp"

#include <cccd/error.hpp>

#include <optional>
#include <variant>

namespace cccd::lds {

KeyAgreement key_agreement(const DomainParameters& parameters) noexcept {
  // Standardized ids 0-2 are the DH groups, 8-18 the curves (TR-03110 part 3 table 4).
  if (const auto* standardized = std::get_if<StandardizedDomainParameters>(&parameters))
    return standardized->id <= 2 ? KeyAgreement::dh : KeyAgreement::ecdh;
  return std::holds_alternative<DhDomainParameters>(parameters) ? KeyAgreement::dh : KeyAgreement::ecdh;
}

crypto::PaceDomain domain_of(const DomainParameters& parameters) {
  if (const auto* dh = std::get_if<DhDomainParameters>(&parameters)) {
    return crypto::PaceDomain::explicit_dh({dh->p, dh->g, dh->q});
  }
  if (const auto* ec = std::get_if<EcExplicitParameters>(&parameters)) {
    return crypto::PaceDomain::explicit_ec(
        {ec->prime, ec->a, ec->b, ec->base, ec->order, ec->cofactor.value_or(Bytes{})});
  }
  if (const auto* standardized = std::get_if<StandardizedDomainParameters>(&parameters)) {
    if (standardized->id > 31)
      throw Error(ErrorCode::not_supported,
                  "the chip names standardized domain parameters with an unknown id");
    return crypto::PaceDomain::standardized(static_cast<int>(standardized->id));
  }
  // A named curve is one of the standardized domains.
  const auto& named = std::get<EcNamedCurve>(parameters);
  if (std::optional<int> id = crypto::standardized_curve_id(named.curve_oid)) {
    return crypto::PaceDomain::standardized(*id);
  }
  throw Error(ErrorCode::not_supported, "PACE: the chip names a curve this library does not know");
}

}  // namespace cccd::lds
