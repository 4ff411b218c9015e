#include "sim/chip_authentication_chip.hpp"

#include "access/pace.hpp"
#include "asn1/tlv.hpp"
#include "util/bytes.hpp"

namespace cccd::sim {
namespace {

namespace sw = apdu::sw;
constexpr std::uint16_t kReferenceNotFound = 0x6A88;

apdu::ResponseApdu status(std::uint16_t word) {
  return apdu::ResponseApdu{{}, word};
}

struct MseObjects {
  std::optional<Bytes> ephemeral_key;   // 91 (Set KAT)
  std::optional<Bytes> protocol;        // 80 (Set AT)
  std::optional<std::uint64_t> key_id;  // 84
};

// The data objects of an MSE command; nothing when they do not parse or one is out of place.
std::optional<MseObjects> parse_mse(ByteView data, bool key_agreement_template) {
  MseObjects objects;
  try {
    asn1::TlvReader reader(data);
    while (!reader.empty()) {
      asn1::Tlv object = reader.next();
      Bytes value(object.value.begin(), object.value.end());
      if (key_agreement_template && object.tag == access::kTagKatEphemeralPublicKey &&
          !objects.ephemeral_key) {
        objects.ephemeral_key = std::move(value);
      } else if (!key_agreement_template && object.tag == access::kTagCryptographicMechanism &&
                 !objects.protocol) {
        objects.protocol = std::move(value);
      } else if (object.tag == access::kTagPrivateKeyReference && !objects.key_id && !value.empty() &&
                 value.size() <= 8) {
        objects.key_id = be_value(value);
      } else {
        return std::nullopt;
      }
    }
  } catch (const Error&) {
    return std::nullopt;
  }
  return objects;
}

// Whether a protocol entry of DG14 may serve the key the terminal names.
bool serves(const lds::ChipAuthenticationInfo& info, std::optional<std::uint64_t> key_id) {
  return !info.key_id || !key_id || info.key_id == key_id;
}

}  // namespace

ChipAuthenticationChip::ChipAuthenticationChip(lds::SecurityInfos dg14,
                                               std::vector<ChipAuthenticationPrivateKey> keys)
    : dg14_(std::move(dg14)), keys_(std::move(keys)) {}

void ChipAuthenticationChip::reset() {
  pending_.reset();
  session_.reset();
}

std::optional<sm::SessionKeys> ChipAuthenticationChip::take_session() {
  std::optional<sm::SessionKeys> session = std::move(session_);
  session_.reset();
  return session;
}

apdu::ResponseApdu ChipAuthenticationChip::manage_security_environment(const apdu::CommandApdu& command) {
  pending_.reset();
  if (command.p1 != access::kP1SetForComputation) return status(sw::kIncorrectP1P2);
  const bool kat = command.p2 == access::kP2KeyAgreementTemplate;
  if (!kat && command.p2 != access::kP2AuthenticationTemplate) return status(sw::kIncorrectP1P2);
  std::optional<MseObjects> objects = parse_mse(command.data, kat);
  if (!objects) return status(sw::kWrongData);

  if (kat) {
    if (!objects->ephemeral_key) return status(sw::kWrongData);
    // MSE:Set KAT names no protocol: the entry of DG14 for this key, 3DES first (the cipher KAT is
    // defined for); a DG14 without ChipAuthenticationInfo means 3DES.
    std::optional<lds::ChipAuthenticationInfo> chosen;
    for (const lds::ChipAuthenticationInfo& info : dg14_.chip_authentication) {
      if (!serves(info, objects->key_id)) continue;
      if (!chosen || info.cipher == crypto::CipherKind::tdes) chosen = info;
    }
    if (!chosen && dg14_.chip_authentication.empty() && !dg14_.chip_authentication_public_keys.empty()) {
      const lds::KeyAgreement agreement = dg14_.chip_authentication_public_keys.front().agreement;
      chosen = lds::ChipAuthenticationInfo{agreement, crypto::CipherKind::tdes, 1, objects->key_id};
    }
    if (!chosen) return status(kReferenceNotFound);
    return agree(*chosen, objects->key_id, *objects->ephemeral_key);
  }

  if (!objects->protocol) return status(sw::kWrongData);
  for (const lds::ChipAuthenticationInfo& info : dg14_.chip_authentication) {
    if (!serves(info, objects->key_id)) continue;
    if (access::oid_content(lds::chip_authentication_oid(info.agreement, info.cipher)) != *objects->protocol)
      continue;
    pending_ = Pending{info, objects->key_id};
    return status(sw::kOk);
  }
  return status(sw::kWrongData);  // a protocol this chip does not offer
}

apdu::ResponseApdu ChipAuthenticationChip::general_authenticate(const apdu::CommandApdu& command) {
  if (!pending_) return status(sw::kConditionsNotSatisfied);
  Pending pending = std::move(*pending_);
  pending_.reset();
  if ((command.cla & access::kClaChaining) != 0 || command.p1 != 0 || command.p2 != 0)
    return status(sw::kIncorrectP1P2);
  std::optional<Bytes> ephemeral_key;
  try {
    ephemeral_key = access::parse_authentication_data(command.data, {access::kTagGaEphemeralPublicKey})
                        .object(access::kTagGaEphemeralPublicKey);
  } catch (const Error&) {
    return status(sw::kWrongData);
  }
  if (!ephemeral_key) return status(sw::kWrongData);
  apdu::ResponseApdu answer = agree(pending.info, pending.key_id, *ephemeral_key);
  if (answer.ok()) answer.data = access::authentication_data({});
  return answer;
}

apdu::ResponseApdu ChipAuthenticationChip::agree(const lds::ChipAuthenticationInfo& info,
                                                 std::optional<std::uint64_t> key_id,
                                                 ByteView terminal_public_key) {
  // The public key entry gives the group; the private key comes from the chip's own store.
  const lds::ChipAuthenticationPublicKeyInfo* public_key = nullptr;
  const auto& all = dg14_.chip_authentication_public_keys;
  for (const lds::ChipAuthenticationPublicKeyInfo& key : all) {
    if (key.agreement != info.agreement) continue;
    if (key_id ? key.key_id == key_id : (!key.key_id || all.size() == 1)) public_key = &key;
  }
  if (!public_key && all.size() == 1 && !all.front().key_id && all.front().agreement == info.agreement)
    public_key = &all.front();  // the identifier named by the protocol entry only
  const ChipAuthenticationPrivateKey* private_key = nullptr;
  for (const ChipAuthenticationPrivateKey& key : keys_) {
    if (key.key_id == key_id || (!key.key_id && !private_key)) private_key = &key;
  }
  if (!public_key || !private_key || private_key->private_key.empty()) return status(kReferenceNotFound);
  try {
    crypto::PaceDomain domain = access::chip_authentication_domain(*public_key, dg14_);
    SecureBytes shared = domain.shared_secret(view(private_key->private_key), terminal_public_key);
    session_ = access::chip_authentication_session_keys(info.cipher, view(shared));
  } catch (const Error&) {
    return status(sw::kWrongData);  // a key off the curve, out of range, of the wrong size
  }
  return status(sw::kOk);
}

}  // namespace cccd::sim
