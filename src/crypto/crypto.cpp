#include "crypto/crypto.hpp"

#include "crypto/openssl_ptr.hpp"
#include "util/bytes.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <climits>
#include <memory>
#include <string>

namespace cccd::crypto {
namespace {

constexpr std::size_t kDesBlock = 8;
constexpr std::size_t kAesBlock = 16;

[[noreturn]] void openssl_failed(const char* what) {
  throw Error(ErrorCode::crypto, std::string("OpenSSL: ") + what + " failed");
}

[[noreturn]] void bad_argument(const std::string& what) {
  throw Error(ErrorCode::invalid_argument, what);
}

EvpCipherPtr fetch_cipher(const char* name) {
  EvpCipherPtr cipher(EVP_CIPHER_fetch(nullptr, name, nullptr));
  if (!cipher) throw Error(ErrorCode::crypto, std::string("OpenSSL: cipher ") + name + " is not available");
  return cipher;
}

// One pass of a block cipher without padding. The caller has checked the key, IV and data sizes.
Bytes run_cipher(const char* name, ByteView key, ByteView iv, ByteView data, bool encrypt) {
  if (data.size() > static_cast<std::size_t>(INT_MAX)) bad_argument("cipher input too long");
  EvpCipherPtr cipher = fetch_cipher(name);
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) openssl_failed("EVP_CIPHER_CTX_new");
  if (EVP_CipherInit_ex2(ctx.get(), cipher.get(), key.data(), iv.empty() ? nullptr : iv.data(),
                         encrypt ? 1 : 0, nullptr) != 1) {
    openssl_failed("cipher initialisation");
  }
  if (EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1) openssl_failed("disabling cipher padding");
  Bytes out(data.size() + kAesBlock);
  int written = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &written, data.data(), static_cast<int>(data.size())) != 1) {
    openssl_failed("cipher update");
  }
  int final_written = 0;
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + written, &final_written) != 1) {
    openssl_failed("cipher finalisation");
  }
  out.resize(static_cast<std::size_t>(written) + static_cast<std::size_t>(final_written));
  return out;
}

void check_block_multiple(ByteView data, std::size_t block, const char* what) {
  if (data.size() % block != 0) {
    bad_argument(std::string(what) + ": data length is not a multiple of the block size");
  }
}

void check_tdes(ByteView key, ByteView iv, ByteView data) {
  if (key.size() != 16) bad_argument("3DES: key must be 16 bytes");
  if (iv.size() != kDesBlock) bad_argument("3DES: IV must be 8 bytes");
  check_block_multiple(data, kDesBlock, "3DES");
}

const char* aes_cbc_name(std::size_t key_size) {
  switch (key_size) {
    case 16:
      return "AES-128-CBC";
    case 24:
      return "AES-192-CBC";
    case 32:
      return "AES-256-CBC";
    default:
      bad_argument("AES: key must be 16, 24 or 32 bytes");
  }
}

const char* aes_ecb_name(std::size_t key_size) {
  switch (key_size) {
    case 16:
      return "AES-128-ECB";
    case 24:
      return "AES-192-ECB";
    case 32:
      return "AES-256-ECB";
    default:
      bad_argument("AES: key must be 16, 24 or 32 bytes");
  }
}

void check_aes(ByteView key, ByteView iv, ByteView data) {
  (void)aes_cbc_name(key.size());
  if (iv.size() != kAesBlock) bad_argument("AES: IV must be 16 bytes");
  check_block_multiple(data, kAesBlock, "AES");
}

struct HashOid {
  HashAlgorithm algorithm;
  std::string_view oid;
};
constexpr std::array<HashOid, 5> kHashOids{{
    {HashAlgorithm::sha1, "1.3.14.3.2.26"},
    {HashAlgorithm::sha224, "2.16.840.1.101.3.4.2.4"},
    {HashAlgorithm::sha256, "2.16.840.1.101.3.4.2.1"},
    {HashAlgorithm::sha384, "2.16.840.1.101.3.4.2.2"},
    {HashAlgorithm::sha512, "2.16.840.1.101.3.4.2.3"},
}};

}  // namespace

const EVP_MD* evp_md(HashAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case HashAlgorithm::sha1:
      return EVP_sha1();
    case HashAlgorithm::sha224:
      return EVP_sha224();
    case HashAlgorithm::sha256:
      return EVP_sha256();
    case HashAlgorithm::sha384:
      return EVP_sha384();
    case HashAlgorithm::sha512:
      return EVP_sha512();
  }
  return EVP_sha256();
}

Bytes hash(HashAlgorithm algorithm, ByteView data) {
  Bytes out(static_cast<std::size_t>(EVP_MAX_MD_SIZE));
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &size, evp_md(algorithm), nullptr) != 1) {
    openssl_failed("digest");
  }
  out.resize(size);
  return out;
}

std::size_t hash_size(HashAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case HashAlgorithm::sha1:
      return 20;
    case HashAlgorithm::sha224:
      return 28;
    case HashAlgorithm::sha256:
      return 32;
    case HashAlgorithm::sha384:
      return 48;
    case HashAlgorithm::sha512:
      return 64;
  }
  return 0;
}

std::string_view hash_name(HashAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case HashAlgorithm::sha1:
      return "SHA-1";
    case HashAlgorithm::sha224:
      return "SHA-224";
    case HashAlgorithm::sha256:
      return "SHA-256";
    case HashAlgorithm::sha384:
      return "SHA-384";
    case HashAlgorithm::sha512:
      return "SHA-512";
  }
  return "unknown";
}

std::optional<HashAlgorithm> hash_from_oid(std::string_view oid) noexcept {
  for (const HashOid& entry : kHashOids) {
    if (entry.oid == oid) return entry.algorithm;
  }
  return std::nullopt;
}

std::string_view hash_oid(HashAlgorithm algorithm) noexcept {
  for (const HashOid& entry : kHashOids) {
    if (entry.algorithm == algorithm) return entry.oid;
  }
  return {};
}

Bytes random_bytes(std::size_t count) {
  if (count > static_cast<std::size_t>(INT_MAX)) bad_argument("random: too many bytes requested");
  Bytes out(count);
  if (count > 0 && RAND_bytes(out.data(), static_cast<int>(count)) != 1) openssl_failed("RAND_bytes");
  return out;
}

Bytes tdes_cbc_encrypt(ByteView key, ByteView iv, ByteView data) {
  check_tdes(key, iv, data);
  return run_cipher("DES-EDE-CBC", key, iv, data, true);
}

Bytes tdes_cbc_decrypt(ByteView key, ByteView iv, ByteView data) {
  check_tdes(key, iv, data);
  return run_cipher("DES-EDE-CBC", key, iv, data, false);
}

Bytes aes_cbc_encrypt(ByteView key, ByteView iv, ByteView data) {
  check_aes(key, iv, data);
  return run_cipher(aes_cbc_name(key.size()), key, iv, data, true);
}

Bytes aes_cbc_decrypt(ByteView key, ByteView iv, ByteView data) {
  check_aes(key, iv, data);
  return run_cipher(aes_cbc_name(key.size()), key, iv, data, false);
}

Bytes aes_ecb_encrypt_block(ByteView key, ByteView block) {
  const char* name = aes_ecb_name(key.size());
  if (block.size() != kAesBlock) bad_argument("AES: a block must be 16 bytes");
  return run_cipher(name, key, {}, block, true);
}

Bytes retail_mac(ByteView key, ByteView padded_data) {
  if (key.size() != 16) bad_argument("retail MAC: key must be 16 bytes");
  if (padded_data.empty()) bad_argument("retail MAC: no data");
  check_block_multiple(padded_data, kDesBlock, "retail MAC");
  // Single DES is only in OpenSSL's legacy provider. Two-key 3DES with K1 || K1 is single DES with K1
  // (E_K1 D_K1 E_K1 = E_K1), and the final transformation E_K1(D_K2(E_K1(x))) of MAC algorithm 3 on
  // the last block is exactly one two-key 3DES (K1 || K2) block chained on the same IV.
  ByteView k1 = key.first(8);
  SecureBytes k1k1(k1.begin(), k1.end());
  k1k1.insert(k1k1.end(), k1.begin(), k1.end());
  std::size_t head = padded_data.size() - kDesBlock;
  Bytes iv(kDesBlock, 0);
  if (head > 0) {
    Bytes chained = run_cipher("DES-EDE-CBC", view(k1k1), iv, padded_data.first(head), true);
    iv.assign(chained.end() - static_cast<std::ptrdiff_t>(kDesBlock), chained.end());
  }
  return run_cipher("DES-EDE-CBC", key, iv, padded_data.subspan(head), true);
}

Bytes aes_cmac(ByteView key, ByteView data) {
  const char* cipher_name = aes_cbc_name(key.size());
  EvpMacPtr mac(EVP_MAC_fetch(nullptr, "CMAC", nullptr));
  if (!mac) openssl_failed("CMAC fetch");
  EvpMacCtxPtr ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) openssl_failed("EVP_MAC_CTX_new");
  std::array<OSSL_PARAM, 2> params{
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, const_cast<char*>(cipher_name), 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params.data()) != 1) openssl_failed("CMAC init");
  if (EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1) openssl_failed("CMAC update");
  Bytes out(kAesBlock);
  std::size_t written = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &written, out.size()) != 1) openssl_failed("CMAC final");
  out.resize(written);
  return out;
}

Bytes pad_iso9797_m2(ByteView data, std::size_t block) {
  if (block == 0) bad_argument("padding: block size of zero");
  Bytes out(data.begin(), data.end());
  out.push_back(0x80);
  while (out.size() % block != 0) out.push_back(0x00);
  return out;
}

Bytes unpad_iso9797_m2(ByteView data) {
  std::size_t end = data.size();
  while (end > 0 && data[end - 1] == 0x00) --end;
  if (end == 0 || data[end - 1] != 0x80) {
    throw Error(ErrorCode::secure_messaging, "ISO 9797-1 padding is missing or wrong");
  }
  return Bytes(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(end - 1));
}

void adjust_des_parity(std::span<std::uint8_t> key) noexcept {
  for (std::uint8_t& byte : key) {
    std::uint8_t high_bits = byte & 0xFE;
    int ones = 0;
    for (std::uint8_t b = high_bits; b != 0; b = static_cast<std::uint8_t>(b >> 1)) ones += b & 1;
    // Odd parity: the low bit makes the number of ones odd.
    byte = static_cast<std::uint8_t>(high_bits | (ones % 2 == 0 ? 1 : 0));
  }
}

std::size_t key_length(CipherKind cipher) noexcept {
  switch (cipher) {
    case CipherKind::tdes:
    case CipherKind::aes128:
      return 16;
    case CipherKind::aes192:
      return 24;
    case CipherKind::aes256:
      return 32;
  }
  return 0;
}

std::size_t block_length(CipherKind cipher) noexcept {
  return cipher == CipherKind::tdes ? kDesBlock : kAesBlock;
}

std::string_view cipher_name(CipherKind cipher) noexcept {
  switch (cipher) {
    case CipherKind::tdes:
      return "3DES";
    case CipherKind::aes128:
      return "AES-128";
    case CipherKind::aes192:
      return "AES-192";
    case CipherKind::aes256:
      return "AES-256";
  }
  return "unknown";
}

SecureBytes derive_key(ByteView shared_secret, KeyPurpose purpose, CipherKind cipher) {
  // ICAO 9303 Part 11 9.7.1: keydata = H(K || c) with a 32-bit big-endian counter; SHA-1 for 3DES and
  // AES-128, SHA-256 for AES-192/256.
  SecureBytes input(shared_secret.begin(), shared_secret.end());
  Bytes counter = be_bytes(static_cast<std::uint32_t>(purpose), 4);
  input.insert(input.end(), counter.begin(), counter.end());
  bool long_key = cipher == CipherKind::aes192 || cipher == CipherKind::aes256;
  Bytes digest = hash(long_key ? HashAlgorithm::sha256 : HashAlgorithm::sha1, view(input));
  SecureBytes key(digest.begin(), digest.begin() + static_cast<std::ptrdiff_t>(key_length(cipher)));
  secure_wipe(digest.data(), digest.size());
  if (cipher == CipherKind::tdes) adjust_des_parity(key);
  return key;
}

}  // namespace cccd::crypto
