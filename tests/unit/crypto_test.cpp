#include "crypto/crypto.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace cccd::crypto {
namespace {

using test::icao_hex;

void expect_error(ErrorCode code, const std::function<void()>& action) {
  try {
    action();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
  }
}

TEST(Hash, KnownDigestsSizesNamesAndOids) {
  EXPECT_EQ(to_hex(hash(HashAlgorithm::sha1, as_bytes("abc"))), "A9993E364706816ABA3E25717850C26C9CD0D89D");
  EXPECT_EQ(to_hex(hash(HashAlgorithm::sha256, as_bytes("abc"))),
            "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  EXPECT_EQ(to_hex(hash(HashAlgorithm::sha224, as_bytes("abc"))),
            "23097D223405D8228642A477BDA255B32AADBCE4BDA0B3F7E36C9DA7");
  EXPECT_EQ(to_hex(hash(HashAlgorithm::sha1, as_bytes("L898902C<369080619406236"))),
            to_hex(icao_hex("bac", "sha1_mrz_information")));
  for (auto algorithm : {HashAlgorithm::sha1, HashAlgorithm::sha224, HashAlgorithm::sha256,
                         HashAlgorithm::sha384, HashAlgorithm::sha512}) {
    EXPECT_EQ(hash(algorithm, {}).size(), hash_size(algorithm));
    EXPECT_EQ(hash_from_oid(hash_oid(algorithm)), algorithm);
  }
  EXPECT_EQ(hash_name(HashAlgorithm::sha256), "SHA-256");
  EXPECT_EQ(hash_name(HashAlgorithm::sha1), "SHA-1");
  EXPECT_EQ(hash_from_oid("1.3.14.3.2.26"), HashAlgorithm::sha1);
  EXPECT_EQ(hash_from_oid("2.16.840.1.101.3.4.2.3"), HashAlgorithm::sha512);
  EXPECT_FALSE(hash_from_oid("1.2.840.113549.2.5").has_value());  // MD5 is not accepted
  EXPECT_FALSE(hash_from_oid("").has_value());
}

TEST(Random, GivesTheRequestedCountAndDiffers) {
  EXPECT_TRUE(random_bytes(0).empty());
  Bytes a = random_bytes(32);
  Bytes b = random_bytes(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
}

TEST(TripleDes, IcaoBacCryptogramEncryptsAndDecrypts) {
  Bytes key = icao_hex("bac", "kenc");
  Bytes zero(8, 0);
  Bytes e_ifd = tdes_cbc_encrypt(key, zero, icao_hex("bac", "s"));
  EXPECT_EQ(to_hex(e_ifd), to_hex(icao_hex("bac", "e_ifd")));
  EXPECT_EQ(to_hex(tdes_cbc_decrypt(key, zero, e_ifd)), to_hex(icao_hex("bac", "s")));
  Bytes response = icao_hex("bac", "external_authenticate_response_data");
  EXPECT_EQ(to_hex(tdes_cbc_decrypt(key, zero, ByteView(response).first(32))), to_hex(icao_hex("bac", "r")));
  EXPECT_TRUE(tdes_cbc_encrypt(key, zero, {}).empty());
}

TEST(TripleDes, RejectsWrongSizes) {
  Bytes key(16, 1);
  Bytes iv(8, 0);
  expect_error(ErrorCode::invalid_argument, [&] { tdes_cbc_encrypt(Bytes(24, 1), iv, Bytes(8)); });
  expect_error(ErrorCode::invalid_argument, [&] { tdes_cbc_encrypt(Bytes(8, 1), iv, Bytes(8)); });
  expect_error(ErrorCode::invalid_argument, [&] { tdes_cbc_encrypt(key, Bytes(16), Bytes(8)); });
  expect_error(ErrorCode::invalid_argument, [&] { tdes_cbc_decrypt(key, iv, Bytes(9)); });
}

TEST(RetailMac, IcaoVectors) {
  // M_IFD over the padded E_IFD (four blocks) and the SELECT command MAC over N (four blocks).
  Bytes padded = pad_iso9797_m2(icao_hex("bac", "e_ifd"), 8);
  EXPECT_EQ(to_hex(retail_mac(icao_hex("bac", "kmac"), padded)), to_hex(icao_hex("bac", "m_ifd")));
  EXPECT_EQ(to_hex(retail_mac(icao_hex("bac", "ksmac"), icao_hex("secure_messaging_3des", "select_n"))),
            to_hex(icao_hex("secure_messaging_3des", "select_cc")));
  EXPECT_EQ(
      to_hex(retail_mac(icao_hex("bac", "ksmac"), icao_hex("secure_messaging_3des", "select_response_k"))),
      "FA855A5D4C50A8ED");
}

TEST(RetailMac, SingleBlockIsTheFinalTransformationOnly) {
  // One block: MAC = E_K1(D_K2(E_K1(x))), which is two-key 3DES of x with a zero IV.
  Bytes key = icao_hex("bac", "kmac");
  Bytes block = from_hex("0102030405060708");
  EXPECT_EQ(retail_mac(key, block), tdes_cbc_encrypt(key, Bytes(8, 0), block));
}

TEST(RetailMac, RejectsWrongSizes) {
  expect_error(ErrorCode::invalid_argument, [] { retail_mac(Bytes(16, 1), {}); });
  expect_error(ErrorCode::invalid_argument, [] { retail_mac(Bytes(16, 1), Bytes(7)); });
  expect_error(ErrorCode::invalid_argument, [] { retail_mac(Bytes(8, 1), Bytes(8)); });
}

TEST(Aes, NistSp80038aCbcAndEcbVectors) {
  Bytes iv = from_hex("000102030405060708090A0B0C0D0E0F");
  Bytes plain = from_hex("6BC1BEE22E409F96E93D7E117393172A");
  Bytes k128 = from_hex("2B7E151628AED2A6ABF7158809CF4F3C");
  Bytes k192 = from_hex("8E73B0F7DA0E6452C810F32B809079E562F8EAD2522C6B7B");
  Bytes k256 = from_hex("603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4");
  EXPECT_EQ(to_hex(aes_cbc_encrypt(k128, iv, plain)), "7649ABAC8119B246CEE98E9B12E9197D");
  EXPECT_EQ(to_hex(aes_cbc_encrypt(k192, iv, plain)), "4F021DB243BC633D7178183A9FA071E8");
  EXPECT_EQ(to_hex(aes_cbc_encrypt(k256, iv, plain)), "F58C4C04D6E5F1BA779EABFB5F7BFBD6");
  EXPECT_EQ(aes_cbc_decrypt(k256, iv, from_hex("F58C4C04D6E5F1BA779EABFB5F7BFBD6")), plain);
  EXPECT_EQ(to_hex(aes_ecb_encrypt_block(k128, plain)), "3AD77BB40D7A3660A89ECAF32466EF97");
}

TEST(Aes, RejectsWrongSizes) {
  Bytes iv(16, 0);
  expect_error(ErrorCode::invalid_argument, [&] { aes_cbc_encrypt(Bytes(15, 1), iv, Bytes(16)); });
  expect_error(ErrorCode::invalid_argument, [&] { aes_cbc_encrypt(Bytes(16, 1), Bytes(8), Bytes(16)); });
  expect_error(ErrorCode::invalid_argument, [&] { aes_cbc_decrypt(Bytes(16, 1), iv, Bytes(17)); });
  expect_error(ErrorCode::invalid_argument, [&] { aes_ecb_encrypt_block(Bytes(16, 1), Bytes(32)); });
  expect_error(ErrorCode::invalid_argument, [&] { aes_ecb_encrypt_block(Bytes(20, 1), Bytes(16)); });
  expect_error(ErrorCode::invalid_argument, [&] { aes_cmac(Bytes(10, 1), Bytes(16)); });
}

TEST(AesCmac, NistSp80038bVectors) {
  Bytes k128 = from_hex("2B7E151628AED2A6ABF7158809CF4F3C");
  EXPECT_EQ(to_hex(aes_cmac(k128, {})), "BB1D6929E95937287FA37D129B756746");
  EXPECT_EQ(to_hex(aes_cmac(k128, from_hex("6BC1BEE22E409F96E93D7E117393172A"))),
            "070A16B46B4D4144F79BDD9DD04A287C");
  Bytes k192 = from_hex("8E73B0F7DA0E6452C810F32B809079E562F8EAD2522C6B7B");
  EXPECT_EQ(to_hex(aes_cmac(k192, {})), "D17DDF46ADAACDE531CAC483DE7A9367");
  Bytes k256 = from_hex("603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4");
  EXPECT_EQ(to_hex(aes_cmac(k256, {})), "028962F61B7BF89EFC6B551F4667D983");
}

TEST(Padding, AddsAndRemovesMethod2) {
  EXPECT_EQ(to_hex(pad_iso9797_m2({}, 8)), "8000000000000000");
  EXPECT_EQ(to_hex(pad_iso9797_m2(from_hex("01020304050607"), 8)), "0102030405060780");
  EXPECT_EQ(pad_iso9797_m2(Bytes(8, 1), 8).size(), 16u);
  EXPECT_EQ(pad_iso9797_m2(Bytes(16, 1), 16).size(), 32u);
  EXPECT_EQ(to_hex(unpad_iso9797_m2(from_hex("0180000000000000"))), "01");
  EXPECT_TRUE(unpad_iso9797_m2(from_hex("8000000000000000")).empty());
  EXPECT_EQ(to_hex(unpad_iso9797_m2(from_hex("0080"))), "00");
  expect_error(ErrorCode::invalid_argument, [] { pad_iso9797_m2(Bytes(1), 0); });
}

TEST(Padding, RejectsMissingOrWrongPadding) {
  for (const char* hex : {"", "00", "0000000000000000", "0102030405060708", "0180000000000001", "8001"}) {
    SCOPED_TRACE(hex);
    expect_error(ErrorCode::secure_messaging, [&] { unpad_iso9797_m2(from_hex(hex)); });
  }
}

TEST(DesParity, IcaoKeys) {
  Bytes enc = icao_hex("bac", "kenc_before_parity");
  adjust_des_parity(enc);
  EXPECT_EQ(to_hex(enc), to_hex(icao_hex("bac", "kenc")));
  Bytes mac = icao_hex("bac", "kmac_before_parity");
  adjust_des_parity(mac);
  EXPECT_EQ(to_hex(mac), to_hex(icao_hex("bac", "kmac")));
}

TEST(Kdf, IcaoBacKeysAre3desWithParity) {
  Bytes seed = icao_hex("bac", "kseed");
  EXPECT_EQ(to_hex(view(derive_key(seed, KeyPurpose::enc, CipherKind::tdes))),
            to_hex(icao_hex("bac", "kenc")));
  EXPECT_EQ(to_hex(view(derive_key(seed, KeyPurpose::mac, CipherKind::tdes))),
            to_hex(icao_hex("bac", "kmac")));
  Bytes session_seed = icao_hex("bac", "session_kseed");
  EXPECT_EQ(to_hex(view(derive_key(session_seed, KeyPurpose::enc, CipherKind::tdes))),
            to_hex(icao_hex("bac", "ksenc")));
  EXPECT_EQ(to_hex(view(derive_key(session_seed, KeyPurpose::mac, CipherKind::tdes))),
            to_hex(icao_hex("bac", "ksmac")));
}

TEST(Kdf, IcaoPaceAes128SessionKeysAndPasswordKey) {
  for (const char* section : {"pace_gm_ecdh", "pace_gm_dh", "pace_im_ecdh", "pace_cam_ecdh"}) {
    SCOPED_TRACE(section);
    Bytes secret = icao_hex(section, "shared_secret_k");
    EXPECT_EQ(to_hex(view(derive_key(secret, KeyPurpose::enc, CipherKind::aes128))),
              to_hex(icao_hex(section, "ksenc")));
    EXPECT_EQ(to_hex(view(derive_key(secret, KeyPurpose::mac, CipherKind::aes128))),
              to_hex(icao_hex(section, "ksmac")));
  }
  EXPECT_EQ(to_hex(view(derive_key(icao_hex("pace_gm_ecdh", "k_sha1_mrz"), KeyPurpose::pace_password,
                                   CipherKind::aes128))),
            to_hex(icao_hex("pace_gm_ecdh", "k_pi")));
}

TEST(Kdf, Aes192And256UseSha256) {
  // Expected values: SHA-256(K || 00000001) and SHA-256(K || 00000002), computed independently.
  Bytes secret = icao_hex("pace_gm_ecdh", "shared_secret_k");
  EXPECT_EQ(to_hex(view(derive_key(secret, KeyPurpose::enc, CipherKind::aes256))),
            "8419651A9932A555FE20D96406746A82F750F4CCB3D6BE786D4630BCC681BF0E");
  EXPECT_EQ(to_hex(view(derive_key(secret, KeyPurpose::mac, CipherKind::aes256))),
            "AA35FDB8D201BC2FD2BD98550C6FE549568C5E769BE67F04733673B7C910A59F");
  EXPECT_EQ(to_hex(view(derive_key(secret, KeyPurpose::enc, CipherKind::aes192))),
            "8419651A9932A555FE20D96406746A82F750F4CCB3D6BE78");
}

TEST(CipherKinds, LengthsAndNames) {
  EXPECT_EQ(key_length(CipherKind::tdes), 16u);
  EXPECT_EQ(key_length(CipherKind::aes128), 16u);
  EXPECT_EQ(key_length(CipherKind::aes192), 24u);
  EXPECT_EQ(key_length(CipherKind::aes256), 32u);
  EXPECT_EQ(block_length(CipherKind::tdes), 8u);
  EXPECT_EQ(block_length(CipherKind::aes192), 16u);
  EXPECT_EQ(cipher_name(CipherKind::tdes), "3DES");
  EXPECT_EQ(cipher_name(CipherKind::aes256), "AES-256");
}

}  // namespace
}  // namespace cccd::crypto
