#include "access/pace.hpp"

#include "access/pace_test_hooks.hpp"

#include "asn1/der.hpp"
#include "asn1/tlv.hpp"
#include "crypto/pace_mapping.hpp"
#include "util/bytes.hpp"

#include <algorithm>

namespace cccd::access {
namespace {

namespace sw = apdu::sw;

bool agreement_matches(lds::KeyAgreement agreement, const crypto::PaceDomain& domain) {
  return (agreement == lds::KeyAgreement::ecdh) == (domain.kind() == crypto::PaceDomainKind::ecdh);
}

const char* password_name(crypto::PacePasswordType type) {
  switch (type) {
    case crypto::PacePasswordType::mrz:
      return "MRZ key (document number, birth and expiry dates)";
    case crypto::PacePasswordType::can:
      return "CAN";
    case crypto::PacePasswordType::pin:
      return "PIN";
    case crypto::PacePasswordType::puk:
      return "PUK";
  }
  return "password";
}

[[noreturn]] void refused(const char* step, std::uint16_t status) {
  throw Error(ErrorCode::card_error,
              std::string("PACE: the chip refused ") + step + " (" + apdu::sw_hex(status) + ")");
}

// One GENERAL AUTHENTICATE step: 7C-wrapped data in, the chip's answer out (status word unchecked).
// DH-2048 public keys (256 bytes in a 7C template) do not fit short APDUs: with a link that takes
// extended length, such a command and its answer (the chip's key, as long) use it. Everything else
// stays short, so a link that announces extended length wrongly cannot break access control.
apdu::ResponseApdu general_authenticate(transport::Channel& channel, bool last, ByteView data) {
  transport::ChannelCapabilities caps = channel.capabilities();
  const bool needs_extended = data.size() > apdu::kMaxShortLc;
  std::size_t le = needs_extended && caps.extended_length
                       ? std::min(caps.max_response_data, apdu::kMaxExtendedLe)
                       : apdu::kMaxShortLe;
  return channel.transmit({last ? std::uint8_t{0x00} : kClaChaining, kInsGeneralAuthenticate, 0x00, 0x00,
                           Bytes(data.begin(), data.end()), std::max(le, apdu::kMaxShortLe)});
}

// The chip's answer to a step it must accept.
AuthenticationData accepted(const apdu::ResponseApdu& response, const char* step,
                            std::initializer_list<std::uint8_t> answer_tags) {
  if (!response.ok()) refused(step, response.sw);
  return parse_authentication_data(response.data, answer_tags);
}

// The parameter id as the content of an INTEGER (ids are small and non-negative).
Bytes integer_content(std::uint64_t value) {
  Bytes out;
  do {
    out.insert(out.begin(), static_cast<std::uint8_t>(value & 0xFF));
    value >>= 8;
  } while (value != 0);
  if (out.front() & 0x80) out.insert(out.begin(), 0x00);
  return out;
}

}  // namespace

crypto::PaceDomain pace_domain(const lds::PaceInfo& info, const lds::SecurityInfos& infos) {
  if (!info.parameter_id)
    throw Error(ErrorCode::not_supported, "PACE: the PACEInfo names no domain parameters");
  std::uint64_t id = *info.parameter_id;
  // A PACEDomainParameterInfo with this id takes precedence (ids 0-31 may be reused for explicit ones).
  for (const lds::PaceDomainParameterInfo& explicit_info : infos.pace_domain_parameters) {
    if (explicit_info.parameter_id == info.parameter_id && explicit_info.mapping == info.mapping &&
        explicit_info.agreement == info.agreement) {
      crypto::PaceDomain domain = lds::domain_of(explicit_info.parameters);
      if (!agreement_matches(info.agreement, domain)) break;
      return domain;
    }
  }
  if (id > 31) throw Error(ErrorCode::not_supported, "PACE: domain parameters with an unknown id");
  crypto::PaceDomain domain = crypto::PaceDomain::standardized(static_cast<int>(id));
  if (!agreement_matches(info.agreement, domain)) {
    throw Error(ErrorCode::not_supported, "PACE: the PACEInfo's key agreement does not match its parameters");
  }
  return domain;
}

std::optional<lds::PaceInfo> choose_pace_info(const lds::SecurityInfos& infos) {
  for (const lds::PaceInfo& info : infos.pace) {
    if (info.version != 2) continue;
    try {
      pace_domain(info, infos);
      return info;
    } catch (const Error&) {
      // Not usable by this library: try the next one.
    }
  }
  return std::nullopt;
}

std::string pace_protocol_name(lds::PaceMapping mapping) {
  switch (mapping) {
    case lds::PaceMapping::generic:
      return "PACE-GM";
    case lds::PaceMapping::integrated:
      return "PACE-IM";
    case lds::PaceMapping::chip_authentication:
      return "PACE-CAM";
  }
  return "PACE";
}

Bytes oid_content(std::string_view dotted) {
  Bytes encoded = asn1::der_oid(dotted);
  asn1::Tlv tlv = asn1::parse_one(encoded, 0x06);
  return Bytes(tlv.value.begin(), tlv.value.end());
}

std::optional<Bytes> AuthenticationData::object(std::uint8_t tag) const {
  for (const auto& [t, value] : objects) {
    if (t == tag) return value;
  }
  return std::nullopt;
}

AuthenticationData parse_authentication_data(ByteView data,
                                             std::initializer_list<std::uint8_t> allowed_tags) {
  asn1::Tlv outer = asn1::parse_one(data, 0x7C);
  AuthenticationData result;
  asn1::TlvReader reader(outer.value);
  while (!reader.empty()) {
    asn1::Tlv object = reader.next();
    bool allowed = false;
    for (std::uint8_t tag : allowed_tags) allowed = allowed || object.tag == tag;
    if (!allowed)
      throw Error(ErrorCode::malformed_data, "PACE: unexpected data object in authentication data");
    if (result.object(static_cast<std::uint8_t>(object.tag))) {
      throw Error(ErrorCode::malformed_data, "PACE: a data object appears twice in authentication data");
    }
    result.objects.emplace_back(static_cast<std::uint8_t>(object.tag),
                                Bytes(object.value.begin(), object.value.end()));
  }
  return result;
}

Bytes authentication_data(std::initializer_list<std::pair<std::uint8_t, ByteView>> objects) {
  Bytes inner;
  for (const auto& [tag, value] : objects) append(inner, asn1::tlv(tag, value));
  return asn1::tlv(0x7C, inner);
}

namespace {

// The terminal's side of PACE. `hooks` (tests only, nullptr in production) fixes what is otherwise
// drawn at random.
PaceResult run_pace(transport::Channel& channel, const lds::PaceInfo& info, const crypto::PaceDomain& domain,
                    const PacePassword& password, const detail::PaceTestHooks* hooks) {
  // A fixed secret from the test hooks, or nothing: then the step draws its own at random.
  auto fixed = [hooks](std::optional<SecureBytes> detail::PaceTestHooks::*field) -> std::optional<ByteView> {
    if (hooks == nullptr || !(hooks->*field)) return std::nullopt;
    return view(*(hooks->*field));
  };
  const crypto::CipherKind cipher = info.cipher;
  const Bytes protocol = oid_content(info.oid());

  // MSE:Set AT names the protocol, the password and the domain parameters (84: some chips insist).
  Bytes set_at =
      concat({asn1::tlv(0x80, protocol), asn1::tlv(0x83, Bytes{static_cast<std::uint8_t>(password.type)})});
  if (info.parameter_id) append(set_at, asn1::tlv(0x84, integer_content(*info.parameter_id)));
  apdu::ResponseApdu selected = channel.transmit({0x00, kInsMseSetAt, 0xC1, 0xA4, set_at, apdu::kNoLe});
  if (selected.sw1() == 0x63 || selected.sw == sw::kAuthenticationMethodBlocked) {
    throw Error(ErrorCode::access_denied, std::string("PACE: the ") + password_name(password.type) +
                                              " is blocked or suspended (" + apdu::sw_hex(selected.sw) + ")");
  }
  if (!selected.ok()) refused("MSE:Set AT", selected.sw);

  PaceResult result;
  result.mapping = info.mapping;
  // 1. The encrypted nonce.
  AuthenticationData nonce_data = accepted(general_authenticate(channel, false, authentication_data({})),
                                           "the nonce request", {kTagEncryptedNonce});
  std::optional<Bytes> encrypted_nonce = nonce_data.object(kTagEncryptedNonce);
  if (!encrypted_nonce) throw Error(ErrorCode::malformed_data, "PACE: the chip sent no encrypted nonce");
  SecureBytes k_pi = crypto::pace_password_key(
      password.type, std::string_view(password.value.data(), password.value.size()), cipher);
  SecureBytes nonce = crypto::pace_decrypt_nonce(cipher, view(k_pi), *encrypted_nonce);

  // 2. Mapping to the ephemeral generator.
  std::optional<crypto::PaceDomain> mapped;
  if (info.mapping == lds::PaceMapping::integrated) {
    std::optional<ByteView> fixed_t = fixed(&detail::PaceTestHooks::nonce_t);
    Bytes nonce_t =
        fixed_t ? Bytes(fixed_t->begin(), fixed_t->end()) : crypto::random_bytes(crypto::key_length(cipher));
    accepted(general_authenticate(channel, false, authentication_data({{kTagMappingDataTerminal, nonce_t}})),
             "the mapping", {});
    mapped = crypto::integrated_mapping(domain, cipher, view(nonce), nonce_t);
  } else {
    crypto::PaceKeyPair mapping_key =
        domain.generate_key_pair(fixed(&detail::PaceTestHooks::mapping_private_key));
    AuthenticationData answer = accepted(
        general_authenticate(channel, false,
                             authentication_data({{kTagMappingDataTerminal, mapping_key.public_key}})),
        "the mapping", {kTagMappingDataChip});
    std::optional<Bytes> chip_mapping_key = answer.object(kTagMappingDataChip);
    if (!chip_mapping_key) throw Error(ErrorCode::malformed_data, "PACE: the chip sent no mapping key");
    if (*chip_mapping_key == mapping_key.public_key) {
      throw Error(ErrorCode::crypto, "PACE: the chip echoed the terminal's mapping key");
    }
    SecureBytes shared = domain.shared_element(view(mapping_key.private_key), *chip_mapping_key);
    mapped = crypto::generic_mapping(domain, view(nonce), view(shared));
    result.chip_mapping_public_key = *chip_mapping_key;
  }

  // 3. Key agreement on the mapped generator.
  crypto::PaceKeyPair ephemeral =
      mapped->generate_key_pair(fixed(&detail::PaceTestHooks::agreement_private_key));
  AuthenticationData agreed =
      accepted(general_authenticate(channel, false,
                                    authentication_data({{kTagEphemeralKeyTerminal, ephemeral.public_key}})),
               "the key agreement", {kTagEphemeralKeyChip});
  std::optional<Bytes> chip_key = agreed.object(kTagEphemeralKeyChip);
  if (!chip_key) throw Error(ErrorCode::malformed_data, "PACE: the chip sent no ephemeral key");
  if (*chip_key == ephemeral.public_key)
    throw Error(ErrorCode::crypto, "PACE: the chip echoed the terminal's key");
  SecureBytes shared_secret = mapped->shared_secret(view(ephemeral.private_key), *chip_key);
  crypto::PaceSessionKeys keys = crypto::pace_session_keys(cipher, view(shared_secret));

  // 4. Mutual authentication with the tokens.
  Bytes token = crypto::pace_authentication_token(cipher, view(keys.k_mac), *mapped, protocol, *chip_key);
  apdu::ResponseApdu final_answer =
      general_authenticate(channel, true, authentication_data({{kTagTokenTerminal, token}}));
  // Only here can the chip tell a wrong password: the terminal's token does not verify.
  if (final_answer.sw1() == 0x63 || final_answer.sw == sw::kSecurityStatusNotSatisfied) {
    std::string retries = (final_answer.sw & 0xFFF0) == 0x63C0
                              ? " (" + std::to_string(final_answer.sw & 0x0F) + " tries left)"
                              : std::string();
    throw Error(ErrorCode::access_denied,
                std::string("PACE: the chip rejected the ") + password_name(password.type) + retries);
  }
  // Besides its token (and A_IC for CAM) the chip may name its CVCA (87, 88; Part 11 section 4.4.4,
  // as in Appendix G.2's answer).
  AuthenticationData confirmed =
      accepted(final_answer, "the authentication token",
               {kTagTokenChip, kTagCertificationAuthorityReference,
                kTagPreviousCertificationAuthorityReference, kTagEncryptedChipAuthenticationData});
  std::optional<Bytes> chip_token = confirmed.object(kTagTokenChip);
  Bytes expected =
      crypto::pace_authentication_token(cipher, view(keys.k_mac), *mapped, protocol, ephemeral.public_key);
  if (!chip_token || !crypto::pace_token_matches(expected, *chip_token)) {
    throw Error(ErrorCode::crypto, "PACE: the chip's authentication token does not verify");
  }
  std::optional<Bytes> a_ic = confirmed.object(kTagEncryptedChipAuthenticationData);
  if (info.mapping == lds::PaceMapping::chip_authentication) {
    if (!a_ic) throw Error(ErrorCode::crypto, "PACE-CAM: the chip sent no chip authentication data");
    result.encrypted_chip_authentication_data = a_ic;
  }

  result.session.cipher = cipher;
  result.session.k_enc = std::move(keys.k_enc);
  result.session.k_mac = std::move(keys.k_mac);
  result.session.ssc = SecureBytes(crypto::block_length(cipher), 0);
  return result;
}

}  // namespace

PaceResult perform_pace(transport::Channel& channel, const lds::PaceInfo& info,
                        const crypto::PaceDomain& domain, const PacePassword& password) {
  return run_pace(channel, info, domain, password, nullptr);
}

namespace detail {

PaceResult perform_pace_with_test_hooks(transport::Channel& channel, const lds::PaceInfo& info,
                                        const crypto::PaceDomain& domain, const PacePassword& password,
                                        const PaceTestHooks& hooks) {
  return run_pace(channel, info, domain, password, &hooks);
}

}  // namespace detail

}  // namespace cccd::access
