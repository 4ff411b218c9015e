#include "sm/secure_messaging.hpp"

#include "asn1/der.hpp"
#include "asn1/tlv.hpp"
#include "util/bytes.hpp"

#include <optional>
#include <string>

namespace cccd::sm {
namespace {

constexpr std::uint8_t kSmClaBits = 0x0C;
constexpr asn1::Tag kDoCryptogramBerTlv = 0x85;  // cryptogram of a BER-TLV value (odd INS)
constexpr asn1::Tag kDoCryptogram = 0x87;        // padding indicator 01 || cryptogram
constexpr asn1::Tag kDoLe = 0x97;
constexpr asn1::Tag kDoStatusWord = 0x99;
constexpr asn1::Tag kDoMac = 0x8E;
constexpr std::uint8_t kPaddingIndicatorIso = 0x01;
constexpr std::size_t kMacLength = 8;
// DO'99' (99 02 SW1 SW2) and DO'8E' (8E 08 MAC): the fixed part of every protected response.
constexpr std::size_t kResponseTrailer = 4 + 2 + kMacLength;
// DO'97' with a two-byte Le (97 02 xx xx) and DO'8E': the most a protected command adds besides DO'87'.
constexpr std::size_t kCommandTrailer = 4 + 2 + kMacLength;

[[noreturn]] void sm_error(const std::string& what) {
  throw Error(ErrorCode::secure_messaging, what);
}

std::string tag_hex(asn1::Tag tag) {
  return to_hex(be_bytes(tag, tag > 0xFFFF ? 3 : (tag > 0xFF ? 2 : 1)));
}

// Size of a BER length field for `length`.
std::size_t length_field_size(std::size_t length) noexcept {
  if (length < 0x80) return 1;
  if (length <= 0xFF) return 2;
  if (length <= 0xFFFF) return 3;
  return 4;
}

// The data objects of one protected APDU, as borrowed views into its data field.
struct SmObjects {
  std::optional<asn1::Tlv> cryptogram;  // DO'87' or DO'85'
  std::optional<asn1::Tlv> le;          // DO'97' (commands)
  std::optional<asn1::Tlv> status;      // DO'99' (responses)
  std::optional<asn1::Tlv> mac;         // DO'8E'
  ByteView mac_input;                   // every data object before DO'8E', as received
};

// Splits a protected data field into its data objects, strictly: each at most once, in the order
// cryptogram, Le or status word, MAC; DO'8E' last; anything else is an error. Only the structure is read
// here; nothing in the values is trusted until the MAC has been verified.
SmObjects split_objects(ByteView data, bool command) {
  SmObjects objects;
  asn1::TlvReader reader(data);
  int stage = 0;  // 0: nothing yet, 1: after the cryptogram, 2: after DO'97'/DO'99', 3: after DO'8E'
  try {
    while (!reader.empty()) {
      asn1::Tlv object = reader.next();
      if (stage == 3) sm_error("secure messaging: data after DO'8E'");
      if ((object.tag == kDoCryptogram || object.tag == kDoCryptogramBerTlv) && stage < 1) {
        objects.cryptogram = object;
        stage = 1;
      } else if (command && object.tag == kDoLe && stage < 2) {
        objects.le = object;
        stage = 2;
      } else if (!command && object.tag == kDoStatusWord && stage < 2) {
        objects.status = object;
        stage = 2;
      } else if (object.tag == kDoMac) {
        objects.mac = object;
        objects.mac_input = data.first(static_cast<std::size_t>(object.encoded.data() - data.data()));
        stage = 3;
      } else if (object.tag == kDoCryptogram || object.tag == kDoCryptogramBerTlv ||
                 object.tag == (command ? kDoLe : kDoStatusWord)) {
        sm_error("secure messaging: DO'" + tag_hex(object.tag) + "' repeated or out of order");
      } else {
        sm_error("secure messaging: unexpected data object '" + tag_hex(object.tag) + "'");
      }
    }
  } catch (const Error& e) {
    if (e.code() == ErrorCode::secure_messaging) throw;
    sm_error(std::string("secure messaging: data objects do not parse (") + e.what() + ")");
  }
  return objects;
}

void verify_mac(ByteView expected, const asn1::Tlv& mac_object, const char* what) {
  if (mac_object.value.size() != kMacLength)
    sm_error(std::string("DO'8E' of the ") + what + " is not 8 bytes");
  if (!equal_constant_time(expected, mac_object.value)) {
    sm_error(std::string(what) + " MAC does not verify");
  }
}

}  // namespace

SmCodec::SmCodec(SessionKeys keys) : keys_(std::move(keys)) {
  std::size_t key_size = crypto::key_length(keys_.cipher);
  if (keys_.k_enc.size() != key_size || keys_.k_mac.size() != key_size) {
    throw Error(ErrorCode::invalid_argument,
                "secure messaging: session key length does not match the cipher");
  }
  if (keys_.ssc.size() != crypto::block_length(keys_.cipher)) {
    throw Error(ErrorCode::invalid_argument, "secure messaging: SSC length does not match the cipher block");
  }
}

void SmCodec::increment_ssc() noexcept {
  for (std::size_t i = keys_.ssc.size(); i > 0; --i) {
    if (++keys_.ssc[i - 1] != 0) break;
  }
}

Bytes SmCodec::mac(ByteView data) const {
  std::size_t block = crypto::block_length(keys_.cipher);
  Bytes input = crypto::pad_iso9797_m2(concat({view(keys_.ssc), data}), block);
  if (keys_.cipher == crypto::CipherKind::tdes) return crypto::retail_mac(view(keys_.k_mac), input);
  Bytes full = crypto::aes_cmac(view(keys_.k_mac), input);
  full.resize(kMacLength);
  return full;
}

Bytes SmCodec::encrypt(ByteView plain) const {
  std::size_t block = crypto::block_length(keys_.cipher);
  Bytes padded = crypto::pad_iso9797_m2(plain, block);
  if (keys_.cipher == crypto::CipherKind::tdes) {
    return crypto::tdes_cbc_encrypt(view(keys_.k_enc), Bytes(block, 0), padded);
  }
  Bytes iv = crypto::aes_ecb_encrypt_block(view(keys_.k_enc), view(keys_.ssc));
  return crypto::aes_cbc_encrypt(view(keys_.k_enc), iv, padded);
}

Bytes SmCodec::decrypt(ByteView cryptogram) const {
  std::size_t block = crypto::block_length(keys_.cipher);
  if (cryptogram.empty() || cryptogram.size() % block != 0) {
    sm_error("secure messaging: cryptogram length is not a positive multiple of the block size");
  }
  Bytes padded;
  if (keys_.cipher == crypto::CipherKind::tdes) {
    padded = crypto::tdes_cbc_decrypt(view(keys_.k_enc), Bytes(block, 0), cryptogram);
  } else {
    Bytes iv = crypto::aes_ecb_encrypt_block(view(keys_.k_enc), view(keys_.ssc));
    padded = crypto::aes_cbc_decrypt(view(keys_.k_enc), iv, cryptogram);
  }
  Bytes plain = crypto::unpad_iso9797_m2(padded);
  secure_wipe(padded.data(), padded.size());
  return plain;
}

apdu::CommandApdu SmCodec::protect_command(const apdu::CommandApdu& plain) {
  if ((plain.cla & kSmClaBits) != 0) {
    throw Error(ErrorCode::invalid_argument, "secure messaging: the command to protect already has SM bits");
  }
  increment_ssc();
  current_ins_ = plain.ins;
  std::size_t block = crypto::block_length(keys_.cipher);
  apdu::CommandApdu out{static_cast<std::uint8_t>(plain.cla | kSmClaBits),
                        plain.ins,
                        plain.p1,
                        plain.p2,
                        {},
                        apdu::kMaxShortLe};

  Bytes objects;
  if (!plain.data.empty()) {
    Bytes cryptogram = encrypt(plain.data);
    if ((plain.ins & 0x01) != 0) {
      append(objects, asn1::tlv(kDoCryptogramBerTlv, cryptogram));
    } else {
      Bytes value{kPaddingIndicatorIso};
      append(value, cryptogram);
      append(objects, asn1::tlv(kDoCryptogram, value));
    }
  }
  if (plain.le != apdu::kNoLe) {
    Bytes le_value;
    if (plain.le <= apdu::kMaxShortLe) {
      le_value = be_bytes(plain.le == apdu::kMaxShortLe ? 0 : plain.le, 1);
    } else {
      le_value = be_bytes(plain.le == apdu::kMaxExtendedLe ? 0 : plain.le, 2);
    }
    append(objects, asn1::tlv(kDoLe, le_value));
  }

  Bytes header{out.cla, out.ins, out.p1, out.p2};
  Bytes mac_input = crypto::pad_iso9797_m2(header, block);
  append(mac_input, objects);
  append(objects, asn1::tlv(kDoMac, mac(mac_input)));

  out.data = std::move(objects);
  if (plain.le > apdu::kMaxShortLe || out.data.size() > apdu::kMaxShortLc) out.le = apdu::kMaxExtendedLe;
  return out;
}

apdu::ResponseApdu SmCodec::unprotect_response(const apdu::ResponseApdu& protected_response) {
  increment_ssc();
  // The chip reports some errors (6A82, 6982 ...) with a bare status word and no SM data objects.
  if (protected_response.data.empty() && !protected_response.ok()) return protected_response;

  SmObjects objects = split_objects(protected_response.data, false);
  if (!objects.mac) sm_error("secure messaging: DO'8E' missing in the response");
  if (!objects.status) sm_error("secure messaging: DO'99' missing in the response");
  verify_mac(mac(objects.mac_input), *objects.mac, "response");

  // Authentic from here on.
  if (objects.status->value.size() != 2) sm_error("secure messaging: DO'99' is not two bytes");
  auto status = static_cast<std::uint16_t>(be_value(objects.status->value));
  if (status != protected_response.sw) {
    sm_error("secure messaging: DO'99' status word " + apdu::sw_hex(status) + " contradicts the outer " +
             apdu::sw_hex(protected_response.sw));
  }
  apdu::ResponseApdu plain;
  plain.sw = status;
  if (objects.cryptogram) plain.data = decrypt_object(*objects.cryptogram);
  return plain;
}

Bytes SmCodec::decrypt_object(const asn1::Tlv& object) const {
  ByteView value = object.value;
  if (object.tag == kDoCryptogram) {  // DO'87' starts with the padding-content indicator; DO'85' does not
    if (value.empty() || value[0] != kPaddingIndicatorIso) {
      sm_error("secure messaging: DO'87' padding indicator is not 01");
    }
    value = value.subspan(1);
  }
  return decrypt(value);
}

apdu::CommandApdu SmCodec::unprotect_command(const apdu::CommandApdu& protected_command) {
  if ((protected_command.cla & kSmClaBits) != kSmClaBits) {
    sm_error("secure messaging: plain command received on a secure messaging channel");
  }
  increment_ssc();
  current_ins_ = protected_command.ins;
  SmObjects objects = split_objects(protected_command.data, true);
  if (!objects.mac) sm_error("secure messaging: DO'8E' missing in the command");

  std::size_t block = crypto::block_length(keys_.cipher);
  Bytes header{protected_command.cla, protected_command.ins, protected_command.p1, protected_command.p2};
  Bytes mac_input = crypto::pad_iso9797_m2(header, block);
  append(mac_input, objects.mac_input);
  verify_mac(mac(mac_input), *objects.mac, "command");

  apdu::CommandApdu plain{static_cast<std::uint8_t>(protected_command.cla & ~kSmClaBits),
                          protected_command.ins,
                          protected_command.p1,
                          protected_command.p2,
                          {},
                          apdu::kNoLe};
  if (objects.le) {
    ByteView value = objects.le->value;
    if (value.size() == 1) {
      plain.le = value[0] == 0 ? apdu::kMaxShortLe : value[0];
    } else if (value.size() == 2) {
      std::size_t le = (std::size_t{value[0]} << 8) | value[1];
      plain.le = le == 0 ? apdu::kMaxExtendedLe : le;
    } else {
      sm_error("secure messaging: DO'97' is not one or two bytes");
    }
  }
  if (objects.cryptogram) plain.data = decrypt_object(*objects.cryptogram);
  return plain;
}

apdu::ResponseApdu SmCodec::protect_response(const apdu::ResponseApdu& plain) {
  increment_ssc();
  Bytes objects;
  if (!plain.data.empty()) {
    Bytes cryptogram = encrypt(plain.data);
    if ((current_ins_ & 0x01) != 0) {
      append(objects, asn1::tlv(kDoCryptogramBerTlv, cryptogram));
    } else {
      Bytes value{kPaddingIndicatorIso};
      append(value, cryptogram);
      append(objects, asn1::tlv(kDoCryptogram, value));
    }
  }
  append(objects, asn1::tlv(kDoStatusWord, be_bytes(plain.sw, 2)));
  append(objects, asn1::tlv(kDoMac, mac(objects)));
  return apdu::ResponseApdu{std::move(objects), plain.sw};
}

std::size_t SmCodec::max_plain_response(std::size_t max_response) const noexcept {
  // Protected response data: DO'87' (87 L 01 cryptogram) + DO'99' + DO'8E'. The cryptogram of P plaintext
  // bytes is P padded up to the next whole block (always at least one padding byte).
  std::size_t block = crypto::block_length(keys_.cipher);
  if (max_response < kResponseTrailer + 3 + block) return 0;
  std::size_t cryptogram = (max_response - kResponseTrailer - 3) / block * block;
  while (cryptogram >= block) {
    std::size_t value = 1 + cryptogram;
    if (1 + length_field_size(value) + value + kResponseTrailer <= max_response) return cryptogram - 1;
    cryptogram -= block;
  }
  return 0;
}

std::size_t SmCodec::max_plain_command(std::size_t max_command) const noexcept {
  // Protected command data: DO'87' + DO'97' (up to 97 02 xx xx) + DO'8E'.
  std::size_t block = crypto::block_length(keys_.cipher);
  if (max_command < kCommandTrailer + 3 + block) return 0;
  std::size_t cryptogram = (max_command - kCommandTrailer - 3) / block * block;
  while (cryptogram >= block) {
    std::size_t value = 1 + cryptogram;
    if (1 + length_field_size(value) + value + kCommandTrailer <= max_command) return cryptogram - 1;
    cryptogram -= block;
  }
  return 0;
}

apdu::ResponseApdu SecureChannel::transmit(const apdu::CommandApdu& command) {
  apdu::CommandApdu protected_command = codec_.protect_command(command);
  apdu::ResponseApdu protected_response = inner_.transmit(protected_command);
  return codec_.unprotect_response(protected_response);
}

transport::ChannelCapabilities SecureChannel::capabilities() const {
  transport::ChannelCapabilities caps = inner_.capabilities();
  caps.max_response_data = codec_.max_plain_response(caps.max_response_data);
  caps.max_command_data = codec_.max_plain_command(caps.max_command_data);
  caps.max_short_response_data = codec_.max_plain_response(caps.max_short_response_data);
  caps.max_short_command_data = codec_.max_plain_command(caps.max_short_command_data);
  return caps;
}

}  // namespace cccd::sm
