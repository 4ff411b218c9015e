// libFuzzer target: secure-messaging response unwrapping (sm::SmCodec::unprotect_response) under fixed
// test keys, and the card side's command unwrapping (unprotect_command).
//
// A MAC the fuzzer cannot forge would stop it at verify_mac, so besides feeding raw responses the harness
// plays the genuine chip: it MACs fuzzer-chosen data objects with the session keys, or encrypts
// fuzzer-chosen plaintext (padding included) into a DO'87', so everything the codec does after the MAC
// check (DO'99' checks, decryption, unpadding) sees hostile but authentic data.
//
// Input: byte 0 = cipher (bit 0: 3DES / AES-128) and mode (bits 1-2), bytes 1-2 = the status word, the
// rest = payload.
//   mode 0: the payload (with the status word) as a raw protected response
//   mode 1: payload = data objects; the harness appends a correct DO'8E'
//   mode 2: payload = plaintext (its own padding, if any); the harness builds DO'87' 01 || E(payload
//           cut to whole blocks), DO'99' = the status word, and a correct DO'8E'
//   mode 3: payload as a raw protected command for the card side
#include "apdu/apdu.hpp"
#include "crypto/crypto.hpp"
#include "sm/secure_messaging.hpp"

#include <cccd/error.hpp>

#include <cstddef>
#include <cstdint>

namespace {

using cccd::Bytes;
using cccd::ByteView;
using cccd::crypto::CipherKind;

cccd::sm::SessionKeys test_keys(CipherKind cipher) {
  cccd::sm::SessionKeys keys;
  keys.cipher = cipher;
  const std::size_t block = cccd::crypto::block_length(cipher);
  for (std::uint8_t i = 0; i < 16; ++i) {
    keys.k_enc.push_back(static_cast<std::uint8_t>(0x10 + i));
    keys.k_mac.push_back(static_cast<std::uint8_t>(0x40 + i));
  }
  keys.ssc.assign(block, 0);
  keys.ssc.back() = 0x2A;
  return keys;
}

// The SSC unprotect_response will use: the starting one incremented once.
Bytes next_ssc(const cccd::sm::SessionKeys& keys) {
  Bytes ssc(keys.ssc.begin(), keys.ssc.end());
  for (std::size_t i = ssc.size(); i-- > 0;) {
    if (++ssc[i] != 0) break;
  }
  return ssc;
}

Bytes response_mac(const cccd::sm::SessionKeys& keys, ByteView ssc, ByteView objects) {
  const std::size_t block = cccd::crypto::block_length(keys.cipher);
  Bytes input(ssc.begin(), ssc.end());
  input.insert(input.end(), objects.begin(), objects.end());
  const Bytes padded = cccd::crypto::pad_iso9797_m2(input, block);
  if (keys.cipher == CipherKind::tdes) return cccd::crypto::retail_mac(cccd::view(keys.k_mac), padded);
  Bytes mac = cccd::crypto::aes_cmac(cccd::view(keys.k_mac), padded);
  mac.resize(8);
  return mac;
}

void append_tlv(Bytes& out, std::uint8_t tag, ByteView value) {
  out.push_back(tag);
  const std::size_t length = value.size();
  if (length < 0x80) {
    out.push_back(static_cast<std::uint8_t>(length));
  } else if (length < 0x100) {
    out.push_back(0x81);
    out.push_back(static_cast<std::uint8_t>(length));
  } else {
    out.push_back(0x82);
    out.push_back(static_cast<std::uint8_t>(length >> 8));
    out.push_back(static_cast<std::uint8_t>(length));
  }
  out.insert(out.end(), value.begin(), value.end());
}

void append_mac(Bytes& objects, const cccd::sm::SessionKeys& keys) {
  const Bytes ssc = next_ssc(keys);
  const Bytes mac = response_mac(keys, ssc, objects);
  append_tlv(objects, 0x8E, mac);
}

Bytes encrypt_raw(const cccd::sm::SessionKeys& keys, ByteView plain) {
  const std::size_t block = cccd::crypto::block_length(keys.cipher);
  const ByteView whole = plain.first(plain.size() - plain.size() % block);
  if (keys.cipher == CipherKind::tdes) {
    return cccd::crypto::tdes_cbc_encrypt(cccd::view(keys.k_enc), Bytes(block, 0), whole);
  }
  const Bytes ssc = next_ssc(keys);
  const Bytes iv = cccd::crypto::aes_ecb_encrypt_block(cccd::view(keys.k_enc), ssc);
  return cccd::crypto::aes_cbc_encrypt(cccd::view(keys.k_enc), iv, whole);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const CipherKind cipher = (data[0] & 1) != 0 ? CipherKind::aes128 : CipherKind::tdes;
  const int mode = (data[0] >> 1) & 3;
  const auto sw = static_cast<std::uint16_t>((data[1] << 8) | data[2]);
  const ByteView payload(data + 3, size - 3);
  const cccd::sm::SessionKeys keys = test_keys(cipher);
  try {
    cccd::sm::SmCodec codec(keys);
    cccd::apdu::ResponseApdu response;
    response.sw = sw;
    switch (mode) {
      case 0:
        response.data.assign(payload.begin(), payload.end());
        (void)codec.unprotect_response(response);
        break;
      case 1:
        response.data.assign(payload.begin(), payload.end());
        append_mac(response.data, keys);
        (void)codec.unprotect_response(response);
        break;
      case 2: {
        Bytes cryptogram{0x01};
        const Bytes encrypted = encrypt_raw(keys, payload);
        cryptogram.insert(cryptogram.end(), encrypted.begin(), encrypted.end());
        append_tlv(response.data, 0x87, cryptogram);
        const std::uint8_t status[] = {data[1], data[2]};
        append_tlv(response.data, 0x99, status);
        append_mac(response.data, keys);
        (void)codec.unprotect_response(response);
        break;
      }
      default:
        (void)codec.unprotect_command(cccd::apdu::CommandApdu::decode(payload));
        break;
    }
  } catch (const cccd::Error&) {
  }
  return 0;
}
