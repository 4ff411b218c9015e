#include "access/bac.hpp"

#include "crypto/crypto.hpp"
#include "util/bytes.hpp"

#include <string>

namespace cccd::access {
namespace {

constexpr std::size_t kRandomLength = 8;
constexpr std::size_t kKeyMaterialLength = 16;
// E (32 bytes: RND || RND || K) followed by its 8-byte retail MAC.
constexpr std::size_t kCryptogramLength = 2 * kRandomLength + kKeyMaterialLength;
constexpr std::size_t kAuthenticationDataLength = kCryptogramLength + 8;
constexpr std::size_t kSscHalf = 4;

Bytes bac_encrypt(const BacKeys& keys, ByteView plain) {
  return crypto::tdes_cbc_encrypt(view(keys.k_enc), Bytes(8, 0), plain);
}

Bytes bac_decrypt(const BacKeys& keys, ByteView cryptogram) {
  return crypto::tdes_cbc_decrypt(view(keys.k_enc), Bytes(8, 0), cryptogram);
}

Bytes bac_mac(const BacKeys& keys, ByteView cryptogram) {
  return crypto::retail_mac(view(keys.k_mac), crypto::pad_iso9797_m2(cryptogram, 8));
}

// Session keys from K.IFD xor K.IC, SSC = the low four bytes of RND.IC then of RND.IFD.
sm::SessionKeys session_keys(ByteView k_ifd, ByteView k_ic, ByteView rnd_ic, ByteView rnd_ifd) {
  SecureBytes seed(kKeyMaterialLength);
  for (std::size_t i = 0; i < kKeyMaterialLength; ++i)
    seed[i] = static_cast<std::uint8_t>(k_ifd[i] ^ k_ic[i]);
  sm::SessionKeys session;
  session.cipher = crypto::CipherKind::tdes;
  session.k_enc = crypto::derive_key(view(seed), crypto::KeyPurpose::enc, crypto::CipherKind::tdes);
  session.k_mac = crypto::derive_key(view(seed), crypto::KeyPurpose::mac, crypto::CipherKind::tdes);
  session.ssc = secure_copy(rnd_ic.subspan(kRandomLength - kSscHalf));
  ByteView low_ifd = rnd_ifd.subspan(kRandomLength - kSscHalf);
  session.ssc.insert(session.ssc.end(), low_ifd.begin(), low_ifd.end());
  return session;
}

void check_keys(const BacKeys& keys) {
  if (keys.k_enc.size() != kKeyMaterialLength || keys.k_mac.size() != kKeyMaterialLength) {
    throw Error(ErrorCode::invalid_argument, "BAC: keys must be 16 bytes");
  }
}

// Status words with which a chip says the terminal's cryptogram (so the MRZ key) is wrong.
bool is_wrong_key_status(std::uint16_t sw) noexcept {
  return sw == 0x6300 || (sw & 0xFFF0) == 0x63C0 || sw == apdu::sw::kSecurityStatusNotSatisfied ||
         sw == apdu::sw::kConditionsNotSatisfied || sw == apdu::sw::kSmDataObjectsIncorrect;
}

}  // namespace

BacKeys derive_bac_keys(std::string_view mrz_information) {
  if (mrz_information.empty()) throw Error(ErrorCode::invalid_argument, "BAC: empty MRZ information");
  Bytes digest = crypto::hash(crypto::HashAlgorithm::sha1, as_bytes(mrz_information));
  SecureBytes seed(digest.begin(), digest.begin() + static_cast<std::ptrdiff_t>(kKeyMaterialLength));
  secure_wipe(digest.data(), digest.size());
  return BacKeys{crypto::derive_key(view(seed), crypto::KeyPurpose::enc, crypto::CipherKind::tdes),
                 crypto::derive_key(view(seed), crypto::KeyPurpose::mac, crypto::CipherKind::tdes)};
}

sm::SessionKeys perform_bac(transport::Channel& channel, const BacKeys& keys,
                            std::optional<BacTerminalRandoms> randoms) {
  check_keys(keys);
  if (!randoms) {
    randoms =
        BacTerminalRandoms{crypto::random_bytes(kRandomLength), crypto::random_bytes(kKeyMaterialLength)};
  }
  if (randoms->rnd_ifd.size() != kRandomLength || randoms->k_ifd.size() != kKeyMaterialLength) {
    throw Error(ErrorCode::invalid_argument, "BAC: RND.IFD must be 8 bytes and K.IFD 16 bytes");
  }

  apdu::ResponseApdu challenge =
      channel.transmit(apdu::CommandApdu{0x00, 0x84, 0x00, 0x00, {}, kRandomLength});
  if (!challenge.ok()) {
    throw Error(ErrorCode::card_error, "BAC: GET CHALLENGE answered " + apdu::sw_hex(challenge.sw));
  }
  if (challenge.data.size() != kRandomLength) {
    throw Error(ErrorCode::card_error, "BAC: GET CHALLENGE returned " +
                                           std::to_string(challenge.data.size()) + " bytes instead of 8");
  }
  const Bytes& rnd_ic = challenge.data;

  SecureBytes s = secure_copy(randoms->rnd_ifd);
  s.insert(s.end(), rnd_ic.begin(), rnd_ic.end());
  s.insert(s.end(), randoms->k_ifd.begin(), randoms->k_ifd.end());
  Bytes e_ifd = bac_encrypt(keys, view(s));
  Bytes command_data = concat({e_ifd, bac_mac(keys, e_ifd)});

  apdu::ResponseApdu answer = channel.transmit(
      apdu::CommandApdu{0x00, 0x82, 0x00, 0x00, std::move(command_data), kAuthenticationDataLength});
  if (is_wrong_key_status(answer.sw)) {
    throw Error(ErrorCode::access_denied,
                "the chip rejected the MRZ key: check document number, birth and expiry");
  }
  if (!answer.ok()) {
    throw Error(ErrorCode::card_error, "BAC: EXTERNAL AUTHENTICATE answered " + apdu::sw_hex(answer.sw));
  }
  if (answer.data.size() != kAuthenticationDataLength) {
    throw Error(ErrorCode::secure_messaging, "BAC: EXTERNAL AUTHENTICATE returned " +
                                                 std::to_string(answer.data.size()) + " bytes instead of 40");
  }
  ByteView e_ic = ByteView(answer.data).first(kCryptogramLength);
  ByteView m_ic = ByteView(answer.data).subspan(kCryptogramLength);
  if (!equal_constant_time(bac_mac(keys, e_ic), m_ic)) {
    throw Error(ErrorCode::secure_messaging, "BAC: the chip's authentication MAC does not verify");
  }
  Bytes r = bac_decrypt(keys, e_ic);  // RND.IC || RND.IFD || K.IC
  ByteView r_view(r);
  bool echoes = equal_constant_time(r_view.first(kRandomLength), rnd_ic) &&
                equal_constant_time(r_view.subspan(kRandomLength, kRandomLength), randoms->rnd_ifd);
  if (!echoes) {
    secure_wipe(r.data(), r.size());
    throw Error(ErrorCode::secure_messaging, "BAC: the chip's answer does not echo RND.IC and RND.IFD");
  }
  sm::SessionKeys session =
      session_keys(randoms->k_ifd, r_view.subspan(2 * kRandomLength), rnd_ic, randoms->rnd_ifd);
  secure_wipe(r.data(), r.size());
  secure_wipe(randoms->k_ifd.data(), randoms->k_ifd.size());
  return session;
}

BacChipResult bac_chip_authenticate(const BacKeys& keys, ByteView rnd_ic, ByteView k_ic,
                                    ByteView command_data) {
  check_keys(keys);
  if (rnd_ic.size() != kRandomLength || k_ic.size() != kKeyMaterialLength) {
    throw Error(ErrorCode::invalid_argument, "BAC: RND.IC must be 8 bytes and K.IC 16 bytes");
  }
  if (command_data.size() != kAuthenticationDataLength) {
    throw Error(ErrorCode::malformed_data, "BAC: EXTERNAL AUTHENTICATE data is not 40 bytes");
  }
  ByteView e_ifd = command_data.first(kCryptogramLength);
  ByteView m_ifd = command_data.subspan(kCryptogramLength);
  if (!equal_constant_time(bac_mac(keys, e_ifd), m_ifd)) {
    throw Error(ErrorCode::access_denied, "BAC: the terminal's authentication MAC does not verify");
  }
  Bytes s = bac_decrypt(keys, e_ifd);  // RND.IFD || RND.IC || K.IFD
  ByteView s_view(s);
  if (!equal_constant_time(s_view.subspan(kRandomLength, kRandomLength), rnd_ic)) {
    secure_wipe(s.data(), s.size());
    throw Error(ErrorCode::access_denied, "BAC: the terminal's cryptogram does not hold the challenge");
  }
  ByteView rnd_ifd = s_view.first(kRandomLength);
  SecureBytes r = secure_copy(rnd_ic);
  r.insert(r.end(), rnd_ifd.begin(), rnd_ifd.end());
  r.insert(r.end(), k_ic.begin(), k_ic.end());
  Bytes e_ic = bac_encrypt(keys, view(r));
  BacChipResult result;
  result.response = concat({e_ic, bac_mac(keys, e_ic)});
  result.session = session_keys(s_view.subspan(2 * kRandomLength), k_ic, rnd_ic, rnd_ifd);
  secure_wipe(s.data(), s.size());
  return result;
}

}  // namespace cccd::access
