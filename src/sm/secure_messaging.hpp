// Secure messaging (ICAO Doc 9303 Part 11 section 9.8): protected APDUs with DO'87' (encrypted data),
// DO'97' (Le), DO'99' (status word) and DO'8E' (MAC) under session keys and a send sequence counter.
//
// SmCodec holds one side's keys and SSC and does the four transformations; the terminal uses
// protect_command/unprotect_response, the virtual card unprotect_command/protect_response, so both sides
// share one implementation. SecureChannel wraps a Channel in it.
#pragma once

#include "asn1/tlv.hpp"
#include "crypto/crypto.hpp"
#include "transport/channel.hpp"
#include "util/secure_bytes.hpp"

namespace cccd::sm {

struct SessionKeys {
  crypto::CipherKind cipher = crypto::CipherKind::tdes;
  SecureBytes k_enc;
  SecureBytes k_mac;
  SecureBytes ssc;  // 8 bytes for 3DES, 16 for AES; the value before the first command
};

class SmCodec {
 public:
  explicit SmCodec(SessionKeys keys);

  // Terminal side. protect_command increments the SSC, builds the protected APDU (CLA | 0x0C, Le 00 or
  // 0000). unprotect_response increments the SSC, verifies DO'8E' before looking at anything else,
  // decrypts DO'87', and returns the plain data with the status word of DO'99'.
  // Throws Error(secure_messaging) on a missing or wrong MAC, a missing DO'99', bad padding, or a DO'99'
  // that contradicts the outer status word.
  apdu::CommandApdu protect_command(const apdu::CommandApdu& plain);
  apdu::ResponseApdu unprotect_response(const apdu::ResponseApdu& protected_response);

  // Card side (the same checks from the other end).
  apdu::CommandApdu unprotect_command(const apdu::CommandApdu& protected_command);
  apdu::ResponseApdu protect_response(const apdu::ResponseApdu& plain);

  // Largest plaintext a response can carry when the protected response holds at most `max_response`
  // bytes of data (256 for short APDUs): 231 for 3DES, 223 for AES at 256.
  std::size_t max_plain_response(std::size_t max_response) const noexcept;
  // Largest command plaintext that fits `max_command` bytes of protected command data.
  std::size_t max_plain_command(std::size_t max_command) const noexcept;

  crypto::CipherKind cipher() const noexcept { return keys_.cipher; }
  ByteView ssc() const noexcept { return view(keys_.ssc); }

 private:
  void increment_ssc() noexcept;
  Bytes mac(ByteView data) const;                       // over SSC || data, padded
  Bytes encrypt(ByteView plain) const;                  // pads, then encrypts with the IV of this SSC
  Bytes decrypt(ByteView cryptogram) const;             // decrypts and unpads
  Bytes decrypt_object(const asn1::Tlv& object) const;  // DO'87' or DO'85' to plaintext
  SessionKeys keys_;
  // INS of the command being exchanged: odd INS (B1, data in BER-TLV) carries its cryptogram in DO'85',
  // even INS in DO'87' (ISO/IEC 7816-4 section 10.3, ICAO 9303 Part 11 section 9.8.6).
  std::uint8_t current_ins_ = 0;
};

class SecureChannel : public transport::Channel {
 public:
  SecureChannel(transport::Channel& inner, SessionKeys keys) : inner_(inner), codec_(std::move(keys)) {}

  apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override;
  // What the protected link carries for plaintext: the inner capabilities less the SM overhead.
  transport::ChannelCapabilities capabilities() const override;
  transport::TransferStats stats() const override { return inner_.stats(); }
  const SmCodec& codec() const noexcept { return codec_; }

 private:
  transport::Channel& inner_;
  SmCodec codec_;
};

}  // namespace cccd::sm
