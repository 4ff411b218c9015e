#include "sim/pace_chip.hpp"

#include "asn1/tlv.hpp"
#include "crypto/pace_mapping.hpp"
#include "util/bytes.hpp"

namespace cccd::sim {
namespace {

namespace sw = apdu::sw;
apdu::ResponseApdu status(std::uint16_t word) {
  return apdu::ResponseApdu{{}, word};
}

// The nonce length: l of Integrated Mapping (Part 11 section 4.4.3.3.2), which serves every mapping.
std::size_t nonce_length(crypto::CipherKind cipher) {
  std::size_t key = crypto::key_length(cipher);
  std::size_t block = crypto::block_length(cipher);
  return (key + block - 1) / block * block;
}

}  // namespace

struct PaceChip::Run {
  Run(lds::PaceInfo pace_info, crypto::PaceDomain pace_domain, crypto::PacePasswordType type, Bytes oid)
      : info(std::move(pace_info)),
        domain(std::move(pace_domain)),
        password_type(type),
        protocol(std::move(oid)) {}
  lds::PaceInfo info;
  crypto::PaceDomain domain;
  crypto::PacePasswordType password_type;
  Bytes protocol;
  int next_step = 0;
  SecureBytes nonce;
  std::optional<crypto::PaceKeyPair> mapping_key;
  Bytes terminal_mapping_key;
  std::optional<crypto::PaceDomain> mapped;
  std::optional<crypto::PaceKeyPair> ephemeral;
  Bytes terminal_ephemeral_key;
  std::optional<crypto::PaceSessionKeys> keys;
};

PaceChip::PaceChip(lds::SecurityInfos infos, const CardSecrets& secrets)
    : infos_(std::move(infos)),
      mrz_information_(secrets.mrz_information.begin(), secrets.mrz_information.end()),
      can_(secrets.can.begin(), secrets.can.end()),
      chip_authentication_key_(secure_copy(secrets.chip_authentication_private_key)) {}

void PaceChip::reset() {
  run_.reset();
}

std::optional<sm::SessionKeys> PaceChip::take_session() {
  std::optional<sm::SessionKeys> session = std::move(session_);
  session_.reset();
  return session;
}

apdu::ResponseApdu PaceChip::set_authentication_template(const apdu::CommandApdu& command) {
  run_.reset();
  if (command.p1 != 0xC1 || command.p2 != 0xA4) return status(sw::kIncorrectP1P2);
  std::optional<Bytes> protocol;
  std::optional<std::uint8_t> password;
  std::optional<std::uint64_t> parameter_id;
  try {
    asn1::TlvReader reader(command.data);
    while (!reader.empty()) {
      asn1::Tlv object = reader.next();
      if (object.tag == 0x80) protocol = Bytes(object.value.begin(), object.value.end());
      if (object.tag == 0x83 && object.value.size() == 1) password = object.value[0];
      if (object.tag == 0x84) parameter_id = be_value(object.value);
    }
  } catch (const Error&) {
    return status(sw::kWrongData);
  }
  if (!protocol || !password) return status(sw::kWrongData);
  auto type = static_cast<crypto::PacePasswordType>(*password);
  if (type != crypto::PacePasswordType::mrz && type != crypto::PacePasswordType::can)
    return status(sw::kWrongData);
  if ((type == crypto::PacePasswordType::can ? can_ : mrz_information_).empty())
    return status(sw::kWrongData);
  for (const lds::PaceInfo& info : infos_.pace) {
    if (access::oid_content(info.oid()) != *protocol) continue;
    // PACE-CAM needs the chip's static key; a card personalised without one cannot run it.
    if (info.mapping == lds::PaceMapping::chip_authentication && chip_authentication_key_.empty()) {
      return status(sw::kWrongData);
    }
    if (parameter_id && info.parameter_id != parameter_id) continue;
    try {
      run_ = std::make_shared<Run>(info, access::pace_domain(info, infos_), type, *protocol);
    } catch (const Error&) {
      return status(sw::kWrongData);
    }
    return status(sw::kOk);
  }
  return status(sw::kWrongData);  // a protocol this chip does not offer
}

apdu::ResponseApdu PaceChip::general_authenticate(const apdu::CommandApdu& command) {
  if (!run_) return status(sw::kConditionsNotSatisfied);
  // Steps 1-3 are chained (CLA 10), the last one is not.
  bool last = run_->next_step == 3;
  if (((command.cla & access::kClaChaining) != 0) == last) {
    run_.reset();
    return status(sw::kConditionsNotSatisfied);
  }
  try {
    return step(command);
  } catch (const Error&) {
    run_.reset();  // data the chip cannot use (a key off the curve, broken TLVs): the run is over
    return status(sw::kWrongData);
  }
}

apdu::ResponseApdu PaceChip::step(const apdu::CommandApdu& command) {
  Run& run = *run_;
  const crypto::CipherKind cipher = run.info.cipher;
  switch (run.next_step++) {
    case 0: {  // the encrypted nonce
      access::parse_authentication_data(command.data, {});
      run.nonce = secure_copy(crypto::random_bytes(nonce_length(cipher)));
      const SecureString& password =
          run.password_type == crypto::PacePasswordType::can ? can_ : mrz_information_;
      SecureBytes k_pi = crypto::pace_password_key(
          run.password_type, std::string_view(password.data(), password.size()), cipher);
      Bytes encrypted = crypto::pace_encrypt_nonce(cipher, view(k_pi), view(run.nonce));
      return {access::authentication_data({{access::kTagEncryptedNonce, encrypted}}), sw::kOk};
    }
    case 1: {  // the mapping
      access::AuthenticationData data =
          access::parse_authentication_data(command.data, {access::kTagMappingDataTerminal});
      std::optional<Bytes> terminal = data.object(access::kTagMappingDataTerminal);
      if (!terminal) throw Error(ErrorCode::malformed_data, "no mapping data");
      if (run.info.mapping == lds::PaceMapping::integrated) {
        run.mapped = crypto::integrated_mapping(run.domain, cipher, view(run.nonce), *terminal);
        return {access::authentication_data({}), sw::kOk};
      }
      run.mapping_key = run.domain.generate_key_pair();
      run.terminal_mapping_key = *terminal;
      SecureBytes shared = run.domain.shared_element(view(run.mapping_key->private_key), *terminal);
      run.mapped = crypto::generic_mapping(run.domain, view(run.nonce), view(shared));
      return {access::authentication_data({{access::kTagMappingDataChip, run.mapping_key->public_key}}),
              sw::kOk};
    }
    case 2: {  // the key agreement
      access::AuthenticationData data =
          access::parse_authentication_data(command.data, {access::kTagEphemeralKeyTerminal});
      std::optional<Bytes> terminal = data.object(access::kTagEphemeralKeyTerminal);
      if (!terminal) throw Error(ErrorCode::malformed_data, "no ephemeral key");
      // The terminal must not reuse its mapping key as its ephemeral key (Part 11 section 4.4.4.3).
      if (*terminal == run.terminal_mapping_key)
        throw Error(ErrorCode::crypto, "ephemeral key equals mapping key");
      run.ephemeral = run.mapped->generate_key_pair();
      run.terminal_ephemeral_key = *terminal;
      SecureBytes secret = run.mapped->shared_secret(view(run.ephemeral->private_key), *terminal);
      run.keys = crypto::pace_session_keys(cipher, view(secret));
      return {access::authentication_data({{access::kTagEphemeralKeyChip, run.ephemeral->public_key}}),
              sw::kOk};
    }
    default: {  // mutual authentication
      access::AuthenticationData data =
          access::parse_authentication_data(command.data, {access::kTagTokenTerminal});
      std::optional<Bytes> token = data.object(access::kTagTokenTerminal);
      Bytes expected = crypto::pace_authentication_token(cipher, view(run.keys->k_mac), *run.mapped,
                                                         run.protocol, run.ephemeral->public_key);
      if (!token || !crypto::pace_token_matches(expected, *token)) {
        ++failed_attempts_;
        run_.reset();
        return status(0x6300);  // wrong password (the keys differ, so the token does)
      }
      Bytes chip_token = crypto::pace_authentication_token(cipher, view(run.keys->k_mac), *run.mapped,
                                                           run.protocol, run.terminal_ephemeral_key);
      Bytes answer;
      if (run.info.mapping == lds::PaceMapping::chip_authentication) {
        // PACE-CAM: prove the static key of DG14 — CA_IC = SK_IC^-1 * SK_Map,IC, encrypted under KSenc.
        SecureBytes ca_ic = crypto::cam_chip_authentication_data(run.domain, chip_authentication_key_,
                                                                 view(run.mapping_key->private_key));
        Bytes a_ic = crypto::cam_encrypt_chip_authentication_data(cipher, view(run.keys->k_enc), view(ca_ic));
        answer = access::authentication_data(
            {{access::kTagTokenChip, chip_token}, {access::kTagEncryptedChipAuthenticationData, a_ic}});
      } else {
        answer = access::authentication_data({{access::kTagTokenChip, chip_token}});
      }
      session_ = sm::SessionKeys{cipher, std::move(run.keys->k_enc), std::move(run.keys->k_mac),
                                 SecureBytes(crypto::block_length(cipher), 0)};
      failed_attempts_ = 0;
      run_.reset();
      return {std::move(answer), sw::kOk};
    }
  }
}

}  // namespace cccd::sim
