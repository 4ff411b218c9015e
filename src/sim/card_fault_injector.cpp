// The faults of card behaviour, injected while the virtual card answers (CardFaultInjector): refusals,
// altered READ BINARY and INTERNAL AUTHENTICATE answers, forged secure messaging, a broken exchange. The
// catalogue and the faults in the card's data are in card_faults.cpp; the link's in faulty_card_channel.
#include "sim/card_faults.hpp"

#include "access/pace.hpp"
#include "asn1/der.hpp"
#include "asn1/oids.hpp"
#include "asn1/tlv.hpp"
#include "crypto/crypto.hpp"
#include "sim/test_pki.hpp"
#include "sim/virtual_card.hpp"
#include "util/bytes.hpp"

#include <algorithm>
#include <thread>

namespace cccd::sim {
namespace {

using apdu::CommandApdu;
using apdu::ResponseApdu;

bool is_read_binary(std::uint8_t ins) {
  return ins == 0xB0 || ins == 0xB1;
}

// The offset of an even-INS READ BINARY (P1P2, or P2 with an SFI in P1); 0 for the odd INS.
std::size_t read_offset(const CommandApdu& command) {
  if (command.ins != 0xB0) return 0;
  if (command.p1 & 0x80) return command.p2;
  return (static_cast<std::size_t>(command.p1 & 0x7F) << 8) | command.p2;
}

// The step of a PACE GENERAL AUTHENTICATE: the tag of the first object in its 7C (0 for an empty 7C).
std::uint8_t pace_step(ByteView data) {
  try {
    asn1::Tlv dynamic = asn1::parse_one(data, 0x7C);
    return dynamic.value.empty() ? 0 : dynamic.value[0];
  } catch (const Error&) {
    return 0xFF;
  }
}

Bytes sm_mac(const sm::SessionKeys& keys, ByteView ssc, ByteView data) {
  const std::size_t block = crypto::block_length(keys.cipher);
  Bytes input = crypto::pad_iso9797_m2(concat({ssc, data}), block);
  if (keys.cipher == crypto::CipherKind::tdes) return crypto::retail_mac(view(keys.k_mac), input);
  Bytes full = crypto::aes_cmac(view(keys.k_mac), input);
  full.resize(8);
  return full;
}

// Encrypts `padded` (already a whole number of blocks, or deliberately not) as the SM of `keys` does.
Bytes sm_encrypt(const sm::SessionKeys& keys, ByteView ssc, ByteView padded) {
  const std::size_t block = crypto::block_length(keys.cipher);
  if (keys.cipher == crypto::CipherKind::tdes)
    return crypto::tdes_cbc_encrypt(view(keys.k_enc), Bytes(block, 0), padded);
  Bytes iv = crypto::aes_ecb_encrypt_block(view(keys.k_enc), ssc);
  return crypto::aes_cbc_encrypt(view(keys.k_enc), iv, padded);
}

// A protected answer with the objects given and a valid MAC over them.
Bytes forged_answer(const sm::SessionKeys& keys, ByteView ssc, ByteView objects, std::uint16_t sw) {
  Bytes data(objects.begin(), objects.end());
  append(data, asn1::tlv(0x8E, sm_mac(keys, ssc, objects)));
  return ResponseApdu{std::move(data), sw}.encode();
}

Bytes do87(ByteView cryptogram) {
  Bytes value{0x01};
  append(value, cryptogram);
  return asn1::tlv(0x87, value);
}

}  // namespace

void CardFaultInjector::reset() {
  previous_answer_.clear();
}

bool CardFaultInjector::needs_session_keys() const noexcept {
  return fault_ == CardFault::sm_do99_missing || fault_ == CardFault::sm_do99_wrong_length ||
         fault_ == CardFault::sm_do87_bad_padding || fault_ == CardFault::sm_do87_wrong_length;
}

bool CardFaultInjector::targets_this_read(const CommandApdu& plain) const {
  return is_read_binary(plain.ins) && protected_reads_ == 2;
}

std::optional<std::uint16_t> CardFaultInjector::refusal(const CommandApdu& plain, bool secure_messaging) {
  if (secure_messaging && is_read_binary(plain.ins)) ++protected_reads_;
  const bool pace_ga = !secure_messaging && plain.ins == 0x86;
  switch (fault_) {
    case CardFault::sw_select_application:
      if (plain.ins == 0xA4 && plain.p1 == 0x04) return 0x6A82;
      break;
    case CardFault::sw_pace_mse_set_at:
      if (!secure_messaging && plain.ins == 0x22) return 0x6A80;
      break;
    case CardFault::sw_pace_ga_nonce:
      if (pace_ga && pace_step(plain.data) == 0) return 0x6A80;
      break;
    case CardFault::sw_pace_ga_map:
      if (pace_ga && pace_step(plain.data) == access::kTagMappingDataTerminal) return 0x6A80;
      break;
    case CardFault::sw_pace_ga_key_agreement:
      if (pace_ga && pace_step(plain.data) == access::kTagEphemeralKeyTerminal) return 0x6A80;
      break;
    case CardFault::sw_pace_ga_mutual_authentication:
      if (pace_ga && pace_step(plain.data) == access::kTagTokenTerminal) return 0x6300;
      break;
    case CardFault::sw_read_binary:  // from the second protected READ BINARY on (a retry gets it too)
      if (secure_messaging && is_read_binary(plain.ins) && protected_reads_ >= 2) return 0x6F00;
      break;
    case CardFault::sw_ca_mse_set_at:
      if (secure_messaging && plain.ins == 0x22) return 0x6A80;
      break;
    case CardFault::sw_ca_general_authenticate:
      if (secure_messaging && plain.ins == 0x86) return 0x6A80;
      break;
    case CardFault::sw_internal_authenticate:
      if (plain.ins == 0x88) return 0x6F00;
      break;
    default:
      break;
  }
  return std::nullopt;
}

void CardFaultInjector::alter_read_binary(const CommandApdu& plain, ResponseApdu& response) const {
  if (plain.ins != 0xB0 || read_offset(plain) == 0 || response.data.empty()) return;
  switch (fault_) {
    case CardFault::read_more_than_asked:
      // On a short last chunk, where 16 bytes more still fit one protected response (an extended one
      // carries 2015 plaintext bytes on the default card, whose face leaves a last chunk of ~1900).
      if (plain.le < 2000) response.data.insert(response.data.end(), 16, 0x00);
      break;
    case CardFault::read_no_progress:
      response = ResponseApdu{{}, apdu::sw::kOk};
      break;
    case CardFault::read_one_byte_at_a_time:
      response.data.resize(1);
      response.sw = apdu::sw::kOk;
      break;
    default:
      break;
  }
}

void CardFaultInjector::alter_internal_authenticate(ResponseApdu& response) const {
  if (response.data.empty()) return;
  if (fault_ == CardFault::aa_signature_wrong_length) response.data.pop_back();
  if (fault_ == CardFault::aa_signature_wrong) response.data[response.data.size() / 2] ^= 0x01;
}

bool CardFaultInjector::skips_ssc(const CommandApdu& plain) const {
  return fault_ == CardFault::sm_ssc_skipped && targets_this_read(plain);
}

Bytes CardFaultInjector::alter_protected_answer(const CommandApdu& plain, const ResponseApdu& plain_response,
                                                Bytes answer, const sm::SessionKeys& keys, ByteView ssc) {
  if (!is_read_binary(plain.ins)) return answer;
  if (!targets_this_read(plain) || plain_response.data.empty() || answer.size() < 12) {
    previous_answer_ = answer;
    return answer;
  }
  const std::size_t block = crypto::block_length(keys.cipher);
  const Bytes do99 = asn1::tlv(0x99, be_bytes(plain_response.sw, 2));
  switch (fault_) {
    case CardFault::sm_response_mac_wrong:
      answer[answer.size() - 3] ^= 0x01;  // the last MAC byte, before the status word
      break;
    case CardFault::sm_response_mac_missing:
      answer.erase(answer.end() - 12, answer.end() - 2);  // 8E 08 and the MAC
      break;
    case CardFault::sm_ssc_replayed:
      if (!previous_answer_.empty()) return previous_answer_;
      break;
    case CardFault::sm_do99_lying: {
      // The outer status word contradicts DO'99' (which the MAC covers): 6282 for 9000, 9000 otherwise.
      const bool ok = plain_response.sw == apdu::sw::kOk;
      answer[answer.size() - 2] = ok ? 0x62 : 0x90;
      answer[answer.size() - 1] = ok ? 0x82 : 0x00;
      break;
    }
    case CardFault::sm_plaintext_response:
      return plain_response.encode();
    case CardFault::sm_do99_missing:
      return forged_answer(keys, ssc,
                           do87(sm_encrypt(keys, ssc, crypto::pad_iso9797_m2(plain_response.data, block))),
                           plain_response.sw);
    case CardFault::sm_do99_wrong_length: {
      Bytes objects = do87(sm_encrypt(keys, ssc, crypto::pad_iso9797_m2(plain_response.data, block)));
      append(objects, asn1::tlv(0x99, Bytes{0x90, 0x00, 0x00}));
      return forged_answer(keys, ssc, objects, plain_response.sw);
    }
    case CardFault::sm_do87_bad_padding: {
      Bytes unpadded = plain_response.data;
      unpadded.resize((unpadded.size() + block - 1) / block * block, 0x00);  // zeros, no 80 marker
      if (unpadded.size() == plain_response.data.size()) unpadded.insert(unpadded.end(), block, 0x00);
      Bytes objects = do87(sm_encrypt(keys, ssc, unpadded));
      append(objects, do99);
      return forged_answer(keys, ssc, objects, plain_response.sw);
    }
    case CardFault::sm_do87_wrong_length: {
      Bytes cryptogram = sm_encrypt(keys, ssc, crypto::pad_iso9797_m2(plain_response.data, block));
      cryptogram.resize(cryptogram.size() - 3);
      Bytes objects = do87(cryptogram);
      append(objects, do99);
      return forged_answer(keys, ssc, objects, plain_response.sw);
    }
    default:
      break;
  }
  return answer;
}

Bytes CardFaultInjector::alter_exchange(ByteView encoded, Bytes answer) const {
  CommandApdu command;
  try {
    command = CommandApdu::decode(encoded);
  } catch (const Error&) {
    return answer;
  }
  if (fault_ == CardFault::endless_61xx && (is_read_binary(command.ins) || command.ins == 0xC0)) {
    return ResponseApdu{Bytes(16, 0xA5), 0x6110}.encode();
  }
  if (fault_ == CardFault::endless_6cxx && is_read_binary(command.ins))
    return ResponseApdu{{}, 0x6C10}.encode();

  // PACE answers (unprotected: the session does not exist yet).
  if (command.ins != 0x86 || (command.cla & 0x0C) != 0 || answer.size() < 4) return answer;
  ResponseApdu response = ResponseApdu::decode(answer);
  if (!response.ok()) return answer;
  const std::uint8_t step = pace_step(command.data);
  access::AuthenticationData data;
  try {
    data = access::parse_authentication_data(response.data, {0x80, 0x82, 0x84, 0x86, 0x8A});
  } catch (const Error&) {
    return answer;
  }
  auto rewrite = [&](std::uint8_t tag, const Bytes& value) {
    return ResponseApdu{access::authentication_data({{tag, value}}), apdu::sw::kOk}.encode();
  };
  switch (fault_) {
    case CardFault::pace_short_nonce:
      if (std::optional<Bytes> nonce = data.object(0x80); step == 0 && nonce && nonce->size() > 8) {
        nonce->resize(8);
        return rewrite(0x80, *nonce);
      }
      break;
    case CardFault::pace_mapping_point_off_curve:
      if (step == access::kTagMappingDataTerminal && data.object(0x82)) {
        Bytes point = *data.object(0x82);
        point.back() ^= 0x01;
        return rewrite(0x82, point);
      }
      break;
    case CardFault::pace_mapping_identity_point:
      if (step == access::kTagMappingDataTerminal) return rewrite(0x82, Bytes{0x00});
      break;
    case CardFault::pace_ephemeral_point_off_curve:
      if (step == access::kTagEphemeralKeyTerminal && data.object(0x84)) {
        Bytes point = *data.object(0x84);
        point.back() ^= 0x01;
        return rewrite(0x84, point);
      }
      break;
    case CardFault::pace_ephemeral_point_reflected:
      if (step == access::kTagEphemeralKeyTerminal) {
        try {
          access::AuthenticationData terminal =
              access::parse_authentication_data(command.data, {access::kTagEphemeralKeyTerminal});
          if (terminal.object(access::kTagEphemeralKeyTerminal))
            return rewrite(0x84, *terminal.object(access::kTagEphemeralKeyTerminal));
        } catch (const Error&) {
        }
      }
      break;
    case CardFault::pace_wrong_token:
      if (step == access::kTagTokenTerminal && data.object(0x86)) {
        Bytes token = *data.object(0x86);
        token.back() ^= 0x01;
        return rewrite(0x86, token);
      }
      break;
    case CardFault::pace_empty_dynamic_data:
      if (step == 0) return ResponseApdu{Bytes{0x7C, 0x00}, apdu::sw::kOk}.encode();
      break;
    default:
      break;
  }
  return answer;
}

}  // namespace cccd::sim
