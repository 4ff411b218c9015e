#include "crypto/pace_keys.hpp"

#include "asn1/der.hpp"
#include "util/bytes.hpp"

#include <cccd/error.hpp>

#include <string>

namespace cccd::crypto {
namespace {

constexpr asn1::Tag kPublicKeyTemplate = 0x7F49;
constexpr asn1::Tag kObjectIdentifier = 0x06;
constexpr asn1::Tag kEcPublicPoint = 0x86;
constexpr asn1::Tag kDhPublicValue = 0x84;
constexpr std::size_t kMaxNonceSize = 64;
constexpr std::size_t kMaxOidSize = 32;

SecureBytes cbc_zero_iv(CipherKind cipher, ByteView key, ByteView data, bool encrypt) {
  Bytes iv(block_length(cipher), 0);
  Bytes out;
  if (cipher == CipherKind::tdes) {
    out = encrypt ? tdes_cbc_encrypt(key, iv, data) : tdes_cbc_decrypt(key, iv, data);
  } else {
    out = encrypt ? aes_cbc_encrypt(key, iv, data) : aes_cbc_decrypt(key, iv, data);
  }
  SecureBytes result = secure_copy(out);
  secure_wipe(out.data(), out.size());
  return result;
}

void check_key(CipherKind cipher, ByteView key, const char* what) {
  if (key.size() != key_length(cipher)) {
    throw Error(ErrorCode::invalid_argument, std::string("PACE: ") + what + " must have " +
                                                 std::to_string(key_length(cipher)) + " bytes for " +
                                                 std::string(cipher_name(cipher)));
  }
}

void check_nonce_size(CipherKind cipher, std::size_t size, ErrorCode code, const char* what) {
  if (size == 0 || size % block_length(cipher) != 0 || size > kMaxNonceSize) {
    throw Error(code, std::string("PACE: ") + what + " must be 1 to " + std::to_string(kMaxNonceSize) +
                          " bytes in whole " + std::string(cipher_name(cipher)) + " blocks");
  }
}

}  // namespace

SecureBytes pace_password_key(PacePasswordType type, std::string_view password, CipherKind cipher) {
  if (password.empty()) throw Error(ErrorCode::invalid_argument, "PACE: the password is empty");
  if (type != PacePasswordType::mrz) return derive_key(as_bytes(password), KeyPurpose::pace_password, cipher);
  Bytes digest = hash(HashAlgorithm::sha1, as_bytes(password));
  SecureBytes seed = secure_copy(digest);
  secure_wipe(digest.data(), digest.size());
  return derive_key(view(seed), KeyPurpose::pace_password, cipher);
}

SecureBytes pace_decrypt_nonce(CipherKind cipher, ByteView k_pi, ByteView encrypted_nonce) {
  check_key(cipher, k_pi, "K_pi");
  check_nonce_size(cipher, encrypted_nonce.size(), ErrorCode::malformed_data, "the encrypted nonce");
  return cbc_zero_iv(cipher, k_pi, encrypted_nonce, false);
}

Bytes pace_encrypt_nonce(CipherKind cipher, ByteView k_pi, ByteView nonce) {
  check_key(cipher, k_pi, "K_pi");
  check_nonce_size(cipher, nonce.size(), ErrorCode::invalid_argument, "the nonce");
  SecureBytes encrypted = cbc_zero_iv(cipher, k_pi, nonce, true);
  return Bytes(encrypted.begin(), encrypted.end());
}

PaceSessionKeys pace_session_keys(CipherKind cipher, ByteView shared_secret) {
  if (shared_secret.empty()) throw Error(ErrorCode::invalid_argument, "PACE: the shared secret is empty");
  return {derive_key(shared_secret, KeyPurpose::enc, cipher),
          derive_key(shared_secret, KeyPurpose::mac, cipher)};
}

Bytes pace_public_key_data_object(const PaceDomain& domain, ByteView protocol_oid, ByteView public_key) {
  if (protocol_oid.empty() || protocol_oid.size() > kMaxOidSize) {
    throw Error(ErrorCode::invalid_argument,
                "PACE: the protocol OID must have 1 to " + std::to_string(kMaxOidSize) + " content bytes");
  }
  // The key we MAC is the peer's: it must be one of the domain before it goes into a token.
  domain.validate_public_key(public_key);
  asn1::Tag key_tag = domain.kind() == PaceDomainKind::ecdh ? kEcPublicPoint : kDhPublicValue;
  Bytes oid = asn1::tlv(kObjectIdentifier, protocol_oid);
  Bytes key = asn1::tlv(key_tag, public_key);
  return asn1::tlv(kPublicKeyTemplate, {oid, key});
}

Bytes pace_authentication_token(CipherKind cipher, ByteView ks_mac, const PaceDomain& domain,
                                ByteView protocol_oid, ByteView peer_public_key) {
  check_key(cipher, ks_mac, "KSmac");
  Bytes data = pace_public_key_data_object(domain, protocol_oid, peer_public_key);
  Bytes mac =
      cipher == CipherKind::tdes ? retail_mac(ks_mac, pad_iso9797_m2(data, 8)) : aes_cmac(ks_mac, data);
  mac.resize(8);
  return mac;
}

bool pace_token_matches(ByteView expected, ByteView received) noexcept {
  return expected.size() == received.size() && equal_constant_time(expected, received);
}

}  // namespace cccd::crypto
