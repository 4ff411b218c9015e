#include "access/chip_authentication.hpp"

#include "access/pace.hpp"
#include "asn1/der.hpp"
#include "asn1/tlv.hpp"
#include "crypto/pace_keys.hpp"
#include "util/bytes.hpp"

#include <cccd/error.hpp>

#include <algorithm>

namespace cccd::access {
namespace {

// Ranks ciphers: a stronger one wins when DG14 offers several.
int cipher_strength(crypto::CipherKind cipher) {
  switch (cipher) {
    case crypto::CipherKind::tdes:
      return 0;
    case crypto::CipherKind::aes128:
      return 1;
    case crypto::CipherKind::aes192:
      return 2;
    case crypto::CipherKind::aes256:
      return 3;
  }
  return 0;
}

bool better(const ChipAuthenticationChoice& a, const ChipAuthenticationChoice& b) {
  if (cipher_strength(a.info.cipher) != cipher_strength(b.info.cipher))
    return cipher_strength(a.info.cipher) > cipher_strength(b.info.cipher);
  if (a.info.version != b.info.version) return a.info.version > b.info.version;
  return a.domain.field_bits() > b.domain.field_bits();
}

// The domain of a public key: its own AlgorithmIdentifier, else the ChipAuthenticationDomainParameterInfo
// of its key identifier (or the only one).
std::optional<lds::DomainParameters> parameters_of(const lds::ChipAuthenticationPublicKeyInfo& key,
                                                   const lds::SecurityInfos& dg14) {
  if (key.parameters) return key.parameters;
  const auto& all = dg14.chip_authentication_domain_parameters;
  for (const lds::ChipAuthenticationDomainParameterInfo& info : all) {
    if (info.key_id == key.key_id && info.agreement == key.agreement) return info.parameters;
  }
  if (all.size() == 1 && all.front().agreement == key.agreement) return all.front().parameters;
  return std::nullopt;
}

// The public keys a ChipAuthenticationInfo may use: the one of its key identifier, or, without one, a
// key without identifier or the only key.
std::vector<const lds::ChipAuthenticationPublicKeyInfo*> keys_for(const lds::ChipAuthenticationInfo& info,
                                                                  const lds::SecurityInfos& dg14) {
  std::vector<const lds::ChipAuthenticationPublicKeyInfo*> keys;
  const auto& all = dg14.chip_authentication_public_keys;
  for (const lds::ChipAuthenticationPublicKeyInfo& key : all) {
    if (key.agreement != info.agreement) continue;
    if (info.key_id ? key.key_id == info.key_id : (!key.key_id || all.size() == 1)) keys.push_back(&key);
  }
  // A key identifier on the protocol only, with a single key: that key (the chip knows its identifier).
  if (keys.empty() && all.size() == 1 && all.front().agreement == info.agreement && !all.front().key_id)
    keys.push_back(&all.front());
  return keys;
}

Bytes integer_content(std::uint64_t value) {
  Bytes encoded = asn1::der_integer(value);
  asn1::Tlv integer = asn1::parse_one(encoded, 0x02);
  return Bytes(integer.value.begin(), integer.value.end());
}

std::string key_agreement_name(lds::KeyAgreement agreement) {
  return agreement == lds::KeyAgreement::dh ? "DH" : "ECDH";
}

[[noreturn]] void refused(const char* command, std::uint16_t status) {
  throw Error(ErrorCode::card_error, std::string("Chip Authentication: the chip refused ") + command + " (" +
                                         apdu::sw_hex(status) + ")");
}

}  // namespace

std::string ChipAuthenticationChoice::description() const {
  std::string text = "CA v" + std::to_string(info.version) + " " + key_agreement_name(info.agreement) + "-" +
                     std::to_string(domain.field_bits()) + " " +
                     std::string(crypto::cipher_name(info.cipher)) +
                     (command == ChipAuthenticationCommand::set_key_agreement_template ? " KAT" : " GA");
  if (key_id) text += " keyId " + std::to_string(*key_id);
  return text;
}

crypto::PaceDomain chip_authentication_domain(const lds::ChipAuthenticationPublicKeyInfo& key,
                                              const lds::SecurityInfos& dg14) {
  std::optional<lds::DomainParameters> parameters = parameters_of(key, dg14);
  if (!parameters)
    throw Error(ErrorCode::malformed_data, "DG14: a Chip Authentication key has no domain parameters");
  return lds::domain_of(*parameters);
}

Bytes chip_authentication_public_key(const lds::ChipAuthenticationPublicKeyInfo& key,
                                     const crypto::PaceDomain& domain) {
  Bytes encoded = key.public_key;
  if (domain.kind() == crypto::PaceDomainKind::dh) {
    // RFC 3279 DHPublicKey: the BIT STRING holds an INTEGER.
    asn1::Tlv integer = asn1::parse_one(key.public_key, 0x02);
    ByteView magnitude = integer.value;
    if (!magnitude.empty() && (magnitude[0] & 0x80) != 0)
      throw Error(ErrorCode::malformed_data, "DG14: the Chip Authentication DH public key is negative");
    while (!magnitude.empty() && magnitude[0] == 0) magnitude = magnitude.subspan(1);
    if (magnitude.empty() || magnitude.size() > domain.field_size())
      throw Error(ErrorCode::malformed_data, "DG14: the Chip Authentication DH public key is out of range");
    encoded.assign(domain.field_size() - magnitude.size(), 0);
    append(encoded, magnitude);
  }
  try {
    domain.validate_public_key(encoded);
  } catch (const Error& e) {
    throw Error(ErrorCode::malformed_data,
                std::string("DG14: the Chip Authentication public key is not a valid key of its group (") +
                    e.what() + ")");
  }
  return encoded;
}

std::optional<ChipAuthenticationChoice> choose_chip_authentication(const lds::SecurityInfos& dg14) {
  if (dg14.chip_authentication_public_keys.empty()) return std::nullopt;
  std::vector<lds::ChipAuthenticationInfo> protocols = dg14.chip_authentication;
  if (protocols.empty()) {
    // TR-03110 version 1: without a ChipAuthenticationInfo the protocol is the 3DES one of the key.
    for (const lds::ChipAuthenticationPublicKeyInfo& key : dg14.chip_authentication_public_keys) {
      protocols.push_back({key.agreement, crypto::CipherKind::tdes, 1, key.key_id});
    }
  }

  std::optional<ChipAuthenticationChoice> best;
  std::optional<Error> malformed;
  std::optional<Error> unsupported;
  for (const lds::ChipAuthenticationInfo& info : protocols) {
    if (info.version != 1 && info.version != 2) {
      unsupported = Error(ErrorCode::not_supported, "DG14: Chip Authentication of an unknown version");
      continue;
    }
    for (const lds::ChipAuthenticationPublicKeyInfo* key : keys_for(info, dg14)) {
      try {
        crypto::PaceDomain domain = chip_authentication_domain(*key, dg14);
        if ((domain.kind() == crypto::PaceDomainKind::dh) != (info.agreement == lds::KeyAgreement::dh)) {
          throw Error(ErrorCode::malformed_data,
                      "DG14: a Chip Authentication key does not match its protocol");
        }
        Bytes public_key = chip_authentication_public_key(*key, domain);
        ChipAuthenticationChoice choice{
            info, std::move(domain), std::move(public_key), info.key_id ? info.key_id : key->key_id,
            info.cipher == crypto::CipherKind::tdes ? ChipAuthenticationCommand::set_key_agreement_template
                                                    : ChipAuthenticationCommand::general_authenticate};
        if (!best || better(choice, *best)) best = std::move(choice);
      } catch (const Error& e) {
        // A group this library lacks is not the chip's fault; explicit parameters that fail their
        // checks (Error(crypto)) or a key that does not decode are a broken DG14.
        if (e.code() == ErrorCode::not_supported) {
          unsupported = e;
        } else if (e.code() == ErrorCode::malformed_data) {
          malformed = e;
        } else if (e.code() == ErrorCode::crypto || e.code() == ErrorCode::limit_exceeded) {
          malformed =
              Error(ErrorCode::malformed_data,
                    std::string("DG14: unusable Chip Authentication domain parameters (") + e.what() + ")");
        } else {
          throw;
        }
      }
    }
  }
  if (best) return best;
  if (malformed) throw *malformed;
  if (unsupported) throw *unsupported;
  throw Error(ErrorCode::malformed_data, "DG14: no Chip Authentication protocol matches its public keys");
}

sm::SessionKeys chip_authentication_session_keys(crypto::CipherKind cipher, ByteView shared_secret) {
  crypto::PaceSessionKeys keys = crypto::pace_session_keys(cipher, shared_secret);
  return {cipher, std::move(keys.k_enc), std::move(keys.k_mac), SecureBytes(crypto::block_length(cipher), 0)};
}

sm::SessionKeys perform_chip_authentication(transport::Channel& channel,
                                            const ChipAuthenticationChoice& choice) {
  crypto::PaceKeyPair ephemeral = choice.domain.generate_key_pair();
  Bytes key_reference;
  if (choice.key_id) key_reference = asn1::tlv(kTagPrivateKeyReference, integer_content(*choice.key_id));
  // A DH-2048 key (256 bytes) needs an extended command; the link says whether it has one.
  const transport::ChannelCapabilities caps = channel.capabilities();

  if (choice.command == ChipAuthenticationCommand::set_key_agreement_template) {
    Bytes data = concat({asn1::tlv(kTagKatEphemeralPublicKey, ephemeral.public_key), key_reference});
    apdu::ResponseApdu answer = channel.transmit(
        {0x00, kInsMseSetAt, kP1SetForComputation, kP2KeyAgreementTemplate, std::move(data), apdu::kNoLe});
    if (!answer.ok()) refused("MSE:Set KAT", answer.sw);
    if (!answer.data.empty())
      throw Error(ErrorCode::malformed_data, "Chip Authentication: MSE:Set KAT answered data");
  } else {
    Bytes protocol = oid_content(lds::chip_authentication_oid(choice.info.agreement, choice.info.cipher));
    Bytes set_at = concat({asn1::tlv(kTagCryptographicMechanism, protocol), key_reference});
    apdu::ResponseApdu selected =
        channel.transmit({0x00, kInsMseSetAt, kP1SetForComputation, kP2AuthenticationTemplate,
                          std::move(set_at), apdu::kNoLe});
    if (!selected.ok()) refused("MSE:Set AT", selected.sw);
    Bytes data = authentication_data({{kTagGaEphemeralPublicKey, ephemeral.public_key}});
    std::size_t le =
        caps.extended_length ? std::min(caps.max_response_data, apdu::kMaxExtendedLe) : apdu::kMaxShortLe;
    apdu::ResponseApdu answer = channel.transmit(
        {0x00, kInsGeneralAuthenticate, 0x00, 0x00, std::move(data), std::max(le, apdu::kMaxShortLe)});
    if (!answer.ok()) refused("GENERAL AUTHENTICATE", answer.sw);
    // ICAO's answer is an empty 7C. A nonce (81) and token (82) belong to TR-03110's Chip Authentication
    // version 2, whose keys are derived differently.
    AuthenticationData objects = parse_authentication_data(answer.data, {0x81, 0x82});
    if (!objects.objects.empty())
      throw Error(ErrorCode::not_supported,
                  "Chip Authentication: the chip answered with a nonce and token (TR-03110 version 2)");
  }
  SecureBytes shared = choice.domain.shared_secret(view(ephemeral.private_key), choice.chip_public_key);
  return chip_authentication_session_keys(choice.info.cipher, view(shared));
}

}  // namespace cccd::access
