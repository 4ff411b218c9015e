#include "crypto/crypto.hpp"
#include "crypto/openssl_ptr.hpp"
#include "crypto/pace_domain.hpp"
#include "crypto/pace_keys.hpp"
#include "crypto/pace_mapping.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"

#include <gtest/gtest.h>
#include <openssl/obj_mac.h>

#include <functional>
#include <string>

namespace cccd::crypto {
namespace {

using test::icao_hex;

void expect_error(ErrorCode code, const std::function<void()>& action, const std::string& fragment = {}) {
  try {
    action();
    ADD_FAILURE() << "no error thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    if (!fragment.empty()) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  }
}

// The vector file writes points as X||Y; PACE encodes them as 04||X||Y.
Bytes point(const std::string& section, const std::string& key) {
  return concat({Bytes{0x04}, icao_hex(section, key)});
}

ByteView bytes_of(const SecureBytes& data) {
  return view(data);
}

// a * b^-1 mod n, all big-endian, with the order n: for recovering CAM's static key from the vectors.
Bytes divide_mod(ByteView a, ByteView b, ByteView n, std::size_t width) {
  BnCtxPtr ctx(BN_CTX_new());
  PublicBnPtr a_bn(BN_bin2bn(a.data(), static_cast<int>(a.size()), nullptr));
  PublicBnPtr b_bn(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr));
  PublicBnPtr n_bn(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
  PublicBnPtr result(BN_new());
  EXPECT_NE(BN_mod_inverse(result.get(), b_bn.get(), n_bn.get(), ctx.get()), nullptr);
  EXPECT_EQ(BN_mod_mul(result.get(), result.get(), a_bn.get(), n_bn.get(), ctx.get()), 1);
  Bytes out(width);
  EXPECT_EQ(BN_bn2binpad(result.get(), out.data(), static_cast<int>(width)), static_cast<int>(width));
  return out;
}

// x mod m for big-endian numbers.
Bytes reduce_mod(ByteView x, ByteView m, std::size_t width) {
  BnCtxPtr ctx(BN_CTX_new());
  PublicBnPtr x_bn(BN_bin2bn(x.data(), static_cast<int>(x.size()), nullptr));
  PublicBnPtr m_bn(BN_bin2bn(m.data(), static_cast<int>(m.size()), nullptr));
  PublicBnPtr result(BN_new());
  EXPECT_EQ(BN_nnmod(result.get(), x_bn.get(), m_bn.get(), ctx.get()), 1);
  Bytes out(width);
  EXPECT_EQ(BN_bn2binpad(result.get(), out.data(), static_cast<int>(width)), static_cast<int>(width));
  return out;
}

// The numbers of an OpenSSL named curve, as the SecurityInfos parser would hand them over.
EcDomainParameters curve_parameters(int nid) {
  EcGroupPtr group(EC_GROUP_new_by_curve_name(nid));
  BnCtxPtr ctx(BN_CTX_new());
  PublicBnPtr p(BN_new()), a(BN_new()), b(BN_new());
  EXPECT_EQ(EC_GROUP_get_curve(group.get(), p.get(), a.get(), b.get(), ctx.get()), 1);
  auto bytes = [](const BIGNUM* value) {
    Bytes out(static_cast<std::size_t>(BN_num_bytes(value)));
    BN_bn2bin(value, out.data());
    return out;
  };
  EcDomainParameters parameters;
  parameters.p = bytes(p.get());
  parameters.a = bytes(a.get());
  parameters.b = bytes(b.get());
  parameters.order = bytes(EC_GROUP_get0_order(group.get()));
  parameters.cofactor = bytes(EC_GROUP_get0_cofactor(group.get()));
  std::size_t size = EC_POINT_point2oct(group.get(), EC_GROUP_get0_generator(group.get()),
                                        POINT_CONVERSION_UNCOMPRESSED, nullptr, 0, ctx.get());
  parameters.generator.resize(size);
  EC_POINT_point2oct(group.get(), EC_GROUP_get0_generator(group.get()), POINT_CONVERSION_UNCOMPRESSED,
                     parameters.generator.data(), size, ctx.get());
  return parameters;
}

DhDomainParameters vector_dh_parameters() {
  return {icao_hex("pace_gm_dh", "p"), icao_hex("pace_gm_dh", "g"), icao_hex("pace_gm_dh", "q")};
}

// ---------------------------------------------------------------------------------------------
// ICAO Doc 9303 Part 11 worked examples

void check_gm_ecdh(const PaceDomain& domain) {
  const std::string s = "pace_gm_ecdh";
  const Bytes oid = icao_hex(s, "protocol_oid");
  EXPECT_EQ(to_hex(hash(HashAlgorithm::sha1, as_bytes("T22000129364081251010318"))),
            to_hex(icao_hex(s, "k_sha1_mrz")));
  SecureBytes k_pi = pace_password_key(PacePasswordType::mrz, "T22000129364081251010318", CipherKind::aes128);
  EXPECT_EQ(to_hex(bytes_of(k_pi)), to_hex(icao_hex(s, "k_pi")));
  SecureBytes nonce = pace_decrypt_nonce(CipherKind::aes128, k_pi, icao_hex(s, "encrypted_nonce"));
  EXPECT_EQ(to_hex(bytes_of(nonce)), to_hex(icao_hex(s, "nonce")));
  EXPECT_EQ(to_hex(pace_encrypt_nonce(CipherKind::aes128, k_pi, nonce)),
            to_hex(icao_hex(s, "encrypted_nonce")));

  PaceKeyPair map_ifd = domain.generate_key_pair(icao_hex(s, "map_sk_ifd"));
  PaceKeyPair map_ic = domain.generate_key_pair(icao_hex(s, "map_sk_ic"));
  EXPECT_EQ(to_hex(map_ifd.public_key), to_hex(point(s, "map_pk_ifd")));
  EXPECT_EQ(to_hex(map_ic.public_key), to_hex(point(s, "map_pk_ic")));
  SecureBytes h_ifd = domain.shared_element(map_ifd.private_key, map_ic.public_key);
  SecureBytes h_ic = domain.shared_element(map_ic.private_key, map_ifd.public_key);
  EXPECT_EQ(to_hex(bytes_of(h_ifd)), to_hex(point(s, "shared_point_h")));
  EXPECT_EQ(h_ifd, h_ic);

  PaceDomain mapped = generic_mapping(domain, nonce, h_ifd);
  EXPECT_EQ(to_hex(mapped.generator()), to_hex(point(s, "mapped_generator")));
  PaceKeyPair eph_ifd = mapped.generate_key_pair(icao_hex(s, "eph_sk_ifd"));
  PaceKeyPair eph_ic = mapped.generate_key_pair(icao_hex(s, "eph_sk_ic"));
  EXPECT_EQ(to_hex(eph_ifd.public_key), to_hex(point(s, "eph_pk_ifd")));
  EXPECT_EQ(to_hex(eph_ic.public_key), to_hex(point(s, "eph_pk_ic")));
  SecureBytes k_ifd = mapped.shared_secret(eph_ifd.private_key, eph_ic.public_key);
  SecureBytes k_ic = mapped.shared_secret(eph_ic.private_key, eph_ifd.public_key);
  EXPECT_EQ(to_hex(bytes_of(k_ifd)), to_hex(icao_hex(s, "shared_secret_k")));
  EXPECT_EQ(k_ifd, k_ic);

  PaceSessionKeys keys = pace_session_keys(CipherKind::aes128, k_ifd);
  EXPECT_EQ(to_hex(bytes_of(keys.k_enc)), to_hex(icao_hex(s, "ksenc")));
  EXPECT_EQ(to_hex(bytes_of(keys.k_mac)), to_hex(icao_hex(s, "ksmac")));
  EXPECT_EQ(to_hex(pace_public_key_data_object(mapped, oid, eph_ic.public_key)),
            to_hex(icao_hex(s, "t_ifd_input")));
  Bytes t_ifd = pace_authentication_token(CipherKind::aes128, keys.k_mac, mapped, oid, eph_ic.public_key);
  Bytes t_ic = pace_authentication_token(CipherKind::aes128, keys.k_mac, mapped, oid, eph_ifd.public_key);
  EXPECT_EQ(to_hex(t_ifd), to_hex(icao_hex(s, "t_ifd")));
  EXPECT_EQ(to_hex(t_ic), to_hex(icao_hex(s, "t_ic")));
  EXPECT_TRUE(pace_token_matches(t_ifd, icao_hex(s, "t_ifd")));
  EXPECT_FALSE(pace_token_matches(t_ifd, t_ic));
}

TEST(PaceVectors, GenericMappingEcdhAppendixG1) {
  PaceDomain domain = PaceDomain::standardized(13);
  EXPECT_EQ(domain.name(), "brainpoolP256r1");
  EXPECT_EQ(domain.parameter_id(), 13);
  check_gm_ecdh(domain);
}

TEST(PaceVectors, GenericMappingEcdhOnExplicitBrainpoolParameters) {
  PaceDomain domain = PaceDomain::explicit_ec(curve_parameters(NID_brainpoolP256r1));
  EXPECT_FALSE(domain.parameter_id().has_value());
  EXPECT_EQ(domain.field_size(), 32u);
  check_gm_ecdh(domain);
}

void check_gm_dh(const PaceDomain& domain) {
  const std::string s = "pace_gm_dh";
  const Bytes oid = icao_hex(s, "protocol_oid");
  EXPECT_EQ(to_hex(domain.generator()), to_hex(icao_hex(s, "g")));
  SecureBytes k_pi = pace_password_key(PacePasswordType::mrz, "T22000129364081251010318", CipherKind::aes128);
  EXPECT_EQ(to_hex(bytes_of(k_pi)), to_hex(icao_hex(s, "k_pi")));
  SecureBytes nonce = pace_decrypt_nonce(CipherKind::aes128, k_pi, icao_hex(s, "encrypted_nonce"));
  EXPECT_EQ(to_hex(bytes_of(nonce)), to_hex(icao_hex(s, "nonce")));
  EXPECT_EQ(to_hex(pace_encrypt_nonce(CipherKind::aes128, k_pi, nonce)),
            to_hex(icao_hex(s, "encrypted_nonce")));

  PaceKeyPair map_ifd = domain.generate_key_pair(icao_hex(s, "map_sk_ifd"));
  PaceKeyPair map_ic = domain.generate_key_pair(icao_hex(s, "map_sk_ic"));
  EXPECT_EQ(to_hex(map_ifd.public_key), to_hex(icao_hex(s, "map_pk_ifd")));
  EXPECT_EQ(to_hex(map_ic.public_key), to_hex(icao_hex(s, "map_pk_ic")));
  SecureBytes h_ifd = domain.shared_element(map_ifd.private_key, map_ic.public_key);
  EXPECT_EQ(to_hex(bytes_of(h_ifd)), to_hex(icao_hex(s, "shared_h")));
  EXPECT_EQ(h_ifd, domain.shared_element(map_ic.private_key, map_ifd.public_key));

  PaceDomain mapped = generic_mapping(domain, nonce, h_ifd);
  EXPECT_EQ(to_hex(mapped.generator()), to_hex(icao_hex(s, "mapped_generator")));
  PaceKeyPair eph_ifd = mapped.generate_key_pair(icao_hex(s, "eph_sk_ifd"));
  PaceKeyPair eph_ic = mapped.generate_key_pair(icao_hex(s, "eph_sk_ic"));
  EXPECT_EQ(to_hex(eph_ifd.public_key), to_hex(icao_hex(s, "eph_pk_ifd")));
  EXPECT_EQ(to_hex(eph_ic.public_key), to_hex(icao_hex(s, "eph_pk_ic")));
  SecureBytes k_ifd = mapped.shared_secret(eph_ifd.private_key, eph_ic.public_key);
  EXPECT_EQ(to_hex(bytes_of(k_ifd)), to_hex(icao_hex(s, "shared_secret_k")));
  EXPECT_EQ(k_ifd, mapped.shared_secret(eph_ic.private_key, eph_ifd.public_key));

  PaceSessionKeys keys = pace_session_keys(CipherKind::aes128, k_ifd);
  EXPECT_EQ(to_hex(bytes_of(keys.k_enc)), to_hex(icao_hex(s, "ksenc")));
  EXPECT_EQ(to_hex(bytes_of(keys.k_mac)), to_hex(icao_hex(s, "ksmac")));
  Bytes data = pace_public_key_data_object(mapped, oid, eph_ic.public_key);
  EXPECT_EQ(to_hex(Bytes(data.begin(), data.begin() + 17)), "7F49818F060A04007F0007020204010284");
  EXPECT_EQ(to_hex(pace_authentication_token(CipherKind::aes128, keys.k_mac, mapped, oid, eph_ic.public_key)),
            to_hex(icao_hex(s, "t_ifd")));
  EXPECT_EQ(
      to_hex(pace_authentication_token(CipherKind::aes128, keys.k_mac, mapped, oid, eph_ifd.public_key)),
      to_hex(icao_hex(s, "t_ic")));
}

TEST(PaceVectors, GenericMappingDhAppendixG2) {
  PaceDomain domain = PaceDomain::standardized(0);
  EXPECT_EQ(domain.kind(), PaceDomainKind::dh);
  EXPECT_EQ(domain.field_size(), 128u);
  EXPECT_EQ(domain.order_size(), 20u);
  check_gm_dh(domain);
}

TEST(PaceVectors, GenericMappingDhOnExplicitParameters) {
  check_gm_dh(PaceDomain::explicit_dh(vector_dh_parameters()));
}

TEST(PaceVectors, IntegratedMappingEcdhAppendixH1) {
  const std::string s = "pace_im_ecdh";
  const Bytes oid = icao_hex(s, "protocol_oid");
  PaceDomain domain = PaceDomain::standardized(13);
  // Erratum noted in the vector file: K_pi belongs to the CAN 123456.
  SecureBytes k_pi = pace_password_key(PacePasswordType::can, "123456", CipherKind::aes128);
  EXPECT_EQ(to_hex(bytes_of(k_pi)), to_hex(icao_hex(s, "k_pi")));
  SecureBytes nonce = pace_decrypt_nonce(CipherKind::aes128, k_pi, icao_hex(s, "encrypted_nonce"));
  EXPECT_EQ(to_hex(bytes_of(nonce)), to_hex(icao_hex(s, "nonce")));
  EXPECT_EQ(to_hex(pace_encrypt_nonce(CipherKind::aes128, k_pi, nonce)),
            to_hex(icao_hex(s, "encrypted_nonce")));
  const Bytes t = icao_hex(s, "nonce_t");

  SecureBytes r = integrated_mapping_prf(domain, CipherKind::aes128, nonce, t);
  EXPECT_EQ(to_hex(bytes_of(r)), to_hex(icao_hex(s, "prf_output_r")));
  // The chain with the published constants: k0 = E(t, s), x0 = E(k0, c1), k1 = E(k0, c0), x1 = E(k1, c1).
  const Bytes zero_iv(16, 0);
  Bytes k0 = aes_cbc_encrypt(t, zero_iv, nonce);
  Bytes k1 = aes_cbc_encrypt(k0, zero_iv, icao_hex(s, "prf_aes128_c0"));
  EXPECT_EQ(to_hex(Bytes(r.begin(), r.begin() + 16)),
            to_hex(aes_cbc_encrypt(k0, zero_iv, icao_hex(s, "prf_aes128_c1"))));
  EXPECT_EQ(to_hex(Bytes(r.begin() + 16, r.begin() + 32)),
            to_hex(aes_cbc_encrypt(k1, zero_iv, icao_hex(s, "prf_aes128_c1"))));

  const Bytes rp = icao_hex(s, "rp");
  EcDomainParameters numbers = curve_parameters(NID_brainpoolP256r1);
  EXPECT_EQ(to_hex(reduce_mod(r, numbers.p, 32)), to_hex(rp));
  EXPECT_EQ(to_hex(integrated_mapping_point_encoding(domain, rp)), to_hex(point(s, "mapped_generator")));
  PaceDomain mapped = integrated_mapping(domain, CipherKind::aes128, nonce, t);
  EXPECT_EQ(to_hex(mapped.generator()), to_hex(point(s, "mapped_generator")));

  PaceKeyPair eph_ifd = mapped.generate_key_pair(icao_hex(s, "eph_sk_ifd"));
  PaceKeyPair eph_ic = mapped.generate_key_pair(icao_hex(s, "eph_sk_ic"));
  EXPECT_EQ(to_hex(eph_ifd.public_key), to_hex(point(s, "eph_pk_ifd")));
  EXPECT_EQ(to_hex(eph_ic.public_key), to_hex(point(s, "eph_pk_ic")));
  SecureBytes k = mapped.shared_secret(eph_ifd.private_key, eph_ic.public_key);
  EXPECT_EQ(to_hex(bytes_of(k)), to_hex(icao_hex(s, "shared_secret_k")));
  EXPECT_EQ(k, mapped.shared_secret(eph_ic.private_key, eph_ifd.public_key));
  PaceSessionKeys keys = pace_session_keys(CipherKind::aes128, k);
  EXPECT_EQ(to_hex(bytes_of(keys.k_enc)), to_hex(icao_hex(s, "ksenc")));
  EXPECT_EQ(to_hex(bytes_of(keys.k_mac)), to_hex(icao_hex(s, "ksmac")));
  EXPECT_EQ(to_hex(pace_authentication_token(CipherKind::aes128, keys.k_mac, mapped, oid, eph_ic.public_key)),
            to_hex(icao_hex(s, "t_ifd")));
  EXPECT_EQ(
      to_hex(pace_authentication_token(CipherKind::aes128, keys.k_mac, mapped, oid, eph_ifd.public_key)),
      to_hex(icao_hex(s, "t_ic")));
}

TEST(PaceVectors, IntegratedMappingDhAppendixH2) {
  const std::string s = "pace_im_dh";
  const Bytes oid = icao_hex(s, "protocol_oid");
  for (const PaceDomain& domain :
       {PaceDomain::standardized(0), PaceDomain::explicit_dh(vector_dh_parameters())}) {
    SecureBytes k_pi = pace_password_key(PacePasswordType::can, "123456", CipherKind::aes128);
    EXPECT_EQ(to_hex(bytes_of(k_pi)), to_hex(icao_hex(s, "k_pi")));
    SecureBytes nonce = pace_decrypt_nonce(CipherKind::aes128, k_pi, icao_hex(s, "encrypted_nonce"));
    EXPECT_EQ(to_hex(bytes_of(nonce)), to_hex(icao_hex(s, "nonce")));
    const Bytes t = icao_hex(s, "nonce_t");
    SecureBytes r = integrated_mapping_prf(domain, CipherKind::aes128, nonce, t);
    EXPECT_EQ(r.size(), 144u);  // ceil((1024 + 64) / 128) = 9 blocks
    EXPECT_EQ(to_hex(bytes_of(r)), to_hex(icao_hex(s, "prf_output_r")));
    PaceDomain mapped = integrated_mapping(domain, CipherKind::aes128, nonce, t);
    EXPECT_EQ(to_hex(mapped.generator()), to_hex(icao_hex(s, "mapped_generator")));

    // The terminal's private key of the example is a full 1024-bit exponent.
    PaceKeyPair eph_ifd = mapped.generate_key_pair(icao_hex(s, "eph_sk_ifd"));
    EXPECT_EQ(to_hex(eph_ifd.public_key), to_hex(icao_hex(s, "eph_pk_ifd")));
    const Bytes eph_pk_ic = icao_hex(s, "eph_pk_ic");
    SecureBytes k = mapped.shared_secret(eph_ifd.private_key, eph_pk_ic);
    EXPECT_EQ(to_hex(bytes_of(k)), to_hex(icao_hex(s, "shared_secret_k")));
    PaceSessionKeys keys = pace_session_keys(CipherKind::aes128, k);
    EXPECT_EQ(to_hex(bytes_of(keys.k_enc)), to_hex(icao_hex(s, "ksenc")));
    EXPECT_EQ(to_hex(bytes_of(keys.k_mac)), to_hex(icao_hex(s, "ksmac")));
    EXPECT_EQ(to_hex(pace_authentication_token(CipherKind::aes128, keys.k_mac, mapped, oid, eph_pk_ic)),
              to_hex(icao_hex(s, "t_ifd")));
    EXPECT_EQ(
        to_hex(pace_authentication_token(CipherKind::aes128, keys.k_mac, mapped, oid, eph_ifd.public_key)),
        to_hex(icao_hex(s, "t_ic")));
  }
}

TEST(PaceVectors, ChipAuthenticationMappingEcdhAppendixI1) {
  const std::string s = "pace_cam_ecdh";
  const Bytes oid = icao_hex(s, "protocol_oid");
  PaceDomain domain = PaceDomain::standardized(13);
  const std::string mrz = as_string(as_bytes("C11T002JM496081222310314"));
  EXPECT_EQ(to_hex(hash(HashAlgorithm::sha1, as_bytes(mrz))), to_hex(icao_hex(s, "k_sha1_mrz")));
  SecureBytes k_pi = pace_password_key(PacePasswordType::mrz, mrz, CipherKind::aes128);
  EXPECT_EQ(to_hex(bytes_of(k_pi)), to_hex(icao_hex(s, "k_pi")));
  SecureBytes nonce = pace_decrypt_nonce(CipherKind::aes128, k_pi, icao_hex(s, "encrypted_nonce"));
  EXPECT_EQ(to_hex(bytes_of(nonce)), to_hex(icao_hex(s, "nonce")));

  PaceKeyPair map_ifd = domain.generate_key_pair(icao_hex(s, "map_sk_ifd"));
  PaceKeyPair map_ic = domain.generate_key_pair(icao_hex(s, "map_sk_ic"));
  EXPECT_EQ(to_hex(map_ifd.public_key), to_hex(point(s, "map_pk_ifd")));
  EXPECT_EQ(to_hex(map_ic.public_key), to_hex(point(s, "map_pk_ic")));
  SecureBytes h = domain.shared_element(map_ifd.private_key, map_ic.public_key);
  EXPECT_EQ(to_hex(bytes_of(h)), to_hex(point(s, "shared_point_h")));
  EXPECT_EQ(h, domain.shared_element(map_ic.private_key, map_ifd.public_key));
  PaceDomain mapped = generic_mapping(domain, nonce, h);
  EXPECT_EQ(to_hex(mapped.generator()), to_hex(point(s, "mapped_generator")));

  PaceKeyPair eph_ifd = mapped.generate_key_pair(icao_hex(s, "eph_sk_ifd"));
  EXPECT_EQ(to_hex(eph_ifd.public_key), to_hex(point(s, "eph_pk_ifd")));
  const Bytes eph_pk_ic = point(s, "eph_pk_ic");
  SecureBytes k = mapped.shared_secret(eph_ifd.private_key, eph_pk_ic);
  EXPECT_EQ(to_hex(bytes_of(k)), to_hex(icao_hex(s, "shared_secret_k")));
  PaceSessionKeys keys = pace_session_keys(CipherKind::aes128, k);
  EXPECT_EQ(to_hex(bytes_of(keys.k_enc)), to_hex(icao_hex(s, "ksenc")));
  EXPECT_EQ(to_hex(bytes_of(keys.k_mac)), to_hex(icao_hex(s, "ksmac")));
  EXPECT_EQ(to_hex(pace_authentication_token(CipherKind::aes128, keys.k_mac, mapped, oid, eph_pk_ic)),
            to_hex(icao_hex(s, "t_ifd")));
  EXPECT_EQ(
      to_hex(pace_authentication_token(CipherKind::aes128, keys.k_mac, mapped, oid, eph_ifd.public_key)),
      to_hex(icao_hex(s, "t_ic")));

  // The example publishes PK_IC but not SK_IC: SK_IC = SK_Map,IC * CA_IC^-1 mod n, and its public key
  // must be the published one before the chip side is recomputed from it.
  const Bytes ca_ic = icao_hex(s, "ca_ic");
  const Bytes static_pk_ic = point(s, "static_pk_ic");
  const Bytes sk_ic =
      divide_mod(icao_hex(s, "map_sk_ic"), ca_ic, curve_parameters(NID_brainpoolP256r1).order, 32);
  EXPECT_EQ(to_hex(domain.public_key(sk_ic)), to_hex(static_pk_ic));
  SecureBytes computed_ca = cam_chip_authentication_data(domain, sk_ic, icao_hex(s, "map_sk_ic"));
  EXPECT_EQ(to_hex(bytes_of(computed_ca)), to_hex(ca_ic));
  Bytes a_ic = cam_encrypt_chip_authentication_data(CipherKind::aes128, keys.k_enc, computed_ca);
  EXPECT_EQ(to_hex(a_ic), to_hex(icao_hex(s, "encrypted_chip_auth_data_a_ic")));

  SecureBytes decrypted = cam_decrypt_chip_authentication_data(CipherKind::aes128, keys.k_enc, a_ic);
  EXPECT_EQ(to_hex(bytes_of(decrypted)), to_hex(ca_ic));
  EXPECT_NO_THROW(cam_verify_chip(domain, decrypted, static_pk_ic, map_ic.public_key));

  // A chip without SK_IC cannot answer: any other CA_IC, or another mapping key, fails.
  Bytes wrong_ca = ca_ic;
  wrong_ca.back() ^= 0x01;
  expect_error(
      ErrorCode::crypto, [&] { cam_verify_chip(domain, wrong_ca, static_pk_ic, map_ic.public_key); },
      "chip not authenticated");
  expect_error(
      ErrorCode::crypto, [&] { cam_verify_chip(domain, ca_ic, static_pk_ic, map_ifd.public_key); },
      "chip not authenticated");
  Bytes tampered = a_ic;
  tampered[20] ^= 0x01;
  try {
    SecureBytes garbled = cam_decrypt_chip_authentication_data(CipherKind::aes128, keys.k_enc, tampered);
    expect_error(ErrorCode::crypto,
                 [&] { cam_verify_chip(domain, garbled, static_pk_ic, map_ic.public_key); });
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::crypto) << e.what();
  }
}

// ---------------------------------------------------------------------------------------------
// Every standardized domain

class StandardizedDomain : public ::testing::TestWithParam<int> {};

TEST_P(StandardizedDomain, KeyPairsValidateAndAgree) {
  PaceDomain domain = PaceDomain::standardized(GetParam());
  EXPECT_EQ(domain.parameter_id(), GetParam());
  EXPECT_EQ(domain.kind(), GetParam() <= 2 ? PaceDomainKind::dh : PaceDomainKind::ecdh);
  EXPECT_EQ(domain.field_size(), (domain.field_bits() + 7) / 8);
  EXPECT_NO_THROW(domain.validate_public_key(domain.generator()));
  PaceKeyPair first = domain.generate_key_pair();
  PaceKeyPair second = domain.generate_key_pair();
  EXPECT_NE(first.private_key, second.private_key);
  EXPECT_EQ(first.private_key.size(), domain.order_size());
  EXPECT_EQ(first.public_key.size(),
            domain.kind() == PaceDomainKind::ecdh ? 1 + 2 * domain.field_size() : domain.field_size());
  EXPECT_NO_THROW(domain.validate_public_key(first.public_key));
  EXPECT_NO_THROW(domain.validate_public_key(second.public_key));
  EXPECT_EQ(to_hex(domain.public_key(first.private_key)), to_hex(first.public_key));
  SecureBytes one = domain.shared_secret(first.private_key, second.public_key);
  SecureBytes other = domain.shared_secret(second.private_key, first.public_key);
  EXPECT_EQ(one, other);
  EXPECT_EQ(one.size(), domain.field_size());

  // A full Generic Mapping round on this domain: both sides reach the same generator and secret.
  SecureBytes h = domain.shared_element(first.private_key, second.public_key);
  EXPECT_EQ(h, domain.shared_element(second.private_key, first.public_key));
  Bytes nonce = random_bytes(16);
  PaceDomain mapped = generic_mapping(domain, nonce, h);
  EXPECT_NE(to_hex(mapped.generator()), to_hex(domain.generator()));
  EXPECT_NO_THROW(domain.validate_public_key(mapped.generator()));
  PaceKeyPair terminal = mapped.generate_key_pair();
  PaceKeyPair chip = mapped.generate_key_pair();
  EXPECT_EQ(mapped.shared_secret(terminal.private_key, chip.public_key),
            mapped.shared_secret(chip.private_key, terminal.public_key));
}

TEST_P(StandardizedDomain, IntegratedMappingGivesAGeneratorOfTheGroup) {
  PaceDomain domain = PaceDomain::standardized(GetParam());
  if (GetParam() == 10) {
    // P-224 has p = 1 mod 4, outside the point encoding of Part 11 appendix B.
    expect_error(ErrorCode::not_supported,
                 [&] { integrated_mapping(domain, CipherKind::aes128, random_bytes(16), random_bytes(16)); });
    return;
  }
  for (CipherKind cipher : {CipherKind::tdes, CipherKind::aes128, CipherKind::aes192, CipherKind::aes256}) {
    std::size_t s_size = cipher == CipherKind::tdes || cipher == CipherKind::aes128 ? 16 : 32;
    Bytes s = random_bytes(s_size);
    Bytes t = random_bytes(key_length(cipher));
    PaceDomain mapped = integrated_mapping(domain, cipher, s, t);
    EXPECT_NO_THROW(domain.validate_public_key(mapped.generator())) << cipher_name(cipher);
    EXPECT_EQ(to_hex(integrated_mapping(domain, cipher, s, t).generator()), to_hex(mapped.generator()));
    PaceKeyPair a = mapped.generate_key_pair();
    PaceKeyPair b = mapped.generate_key_pair();
    EXPECT_EQ(mapped.shared_secret(a.private_key, b.public_key),
              mapped.shared_secret(b.private_key, a.public_key));
  }
}

INSTANTIATE_TEST_SUITE_P(Ids, StandardizedDomain,
                         ::testing::Values(0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18));

TEST(PaceDomain, ReservedIdsAreNotSupported) {
  for (int id : {-1, 3, 4, 5, 6, 7, 19, 31, 1000}) {
    expect_error(
        ErrorCode::not_supported, [&] { PaceDomain::standardized(id); }, "parameter id");
  }
}

TEST(PaceDomain, NamesOfTheStandardizedDomains) {
  EXPECT_EQ(PaceDomain::standardized(12).name(), "NIST P-256");
  EXPECT_EQ(PaceDomain::standardized(18).field_bits(), 521u);
  EXPECT_EQ(PaceDomain::standardized(18).field_size(), 66u);
  EXPECT_EQ(PaceDomain::standardized(14).field_size(), 40u);
  EXPECT_EQ(PaceDomain::standardized(2).order_size(), 32u);
  EXPECT_EQ(PaceDomain::standardized(1).order_size(), 28u);
  EXPECT_NE(PaceDomain::standardized(0).name().find("RFC 5114"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Hostile public keys

TEST(PacePublicKeys, InvalidEcPointsAreRejected) {
  PaceDomain domain = PaceDomain::standardized(13);
  const Bytes valid = point("pace_gm_ecdh", "map_pk_ic");
  const Bytes own = icao_hex("pace_gm_ecdh", "map_sk_ifd");
  EXPECT_NO_THROW(domain.validate_public_key(valid));

  Bytes off_curve = valid;
  off_curve.back() ^= 0x01;
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(off_curve); }, "not on the curve");
  expect_error(
      ErrorCode::crypto, [&] { domain.shared_secret(own, off_curve); }, "not on the curve");
  expect_error(
      ErrorCode::crypto, [&] { domain.shared_element(own, off_curve); }, "not on the curve");

  // The identity: its one-byte encoding, and the affine (0, 0) some encoders emit for it.
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(Bytes{0x00}); }, "uncompressed point");
  Bytes zeros(65, 0x00);
  zeros[0] = 0x04;
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(zeros); }, "not on the curve");

  // x >= p: p + x is the same residue, so only the range check stops it.
  Bytes too_big = valid;
  too_big[1] = 0xFF;
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(too_big); }, "below the field prime");
  Bytes y_too_big = valid;
  y_too_big[33] = 0xFF;
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(y_too_big); }, "below the field prime");

  Bytes compressed(valid.begin(), valid.begin() + 33);
  compressed[0] = 0x02;
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(compressed); }, "uncompressed point");
  Bytes wrong_prefix = valid;
  wrong_prefix[0] = 0x06;
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(wrong_prefix); }, "uncompressed point");
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(ByteView(valid).first(64)); },
      "uncompressed point");
  Bytes longer = valid;
  longer.push_back(0x00);
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(longer); }, "uncompressed point");
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key({}); }, "uncompressed point");

  // A point of another curve is not a point of this one.
  PaceKeyPair p256 = PaceDomain::standardized(12).generate_key_pair();
  // (Its coordinates may also exceed this p: either refusal is right.)
  expect_error(ErrorCode::crypto, [&] { domain.validate_public_key(p256.public_key); });
  // Mapping data and generators get the same checks.
  expect_error(
      ErrorCode::crypto, [&] { generic_mapping(domain, random_bytes(16), off_curve); }, "not on the curve");
  expect_error(
      ErrorCode::crypto, [&] { domain.with_generator(off_curve); }, "not on the curve");
  // A token is never computed over a key that is not one of the domain.
  expect_error(ErrorCode::crypto, [&] {
    pace_authentication_token(CipherKind::aes128, Bytes(16, 1), domain,
                              icao_hex("pace_gm_ecdh", "protocol_oid"), off_curve);
  });
}

TEST(PacePublicKeys, InvalidDhValuesAreRejected) {
  PaceDomain domain = PaceDomain::standardized(0);
  const Bytes p = icao_hex("pace_gm_dh", "p");
  const Bytes own = icao_hex("pace_gm_dh", "map_sk_ifd");
  EXPECT_NO_THROW(domain.validate_public_key(icao_hex("pace_gm_dh", "map_pk_ic")));

  Bytes one(128, 0x00);
  one.back() = 0x01;
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(one); }, "1 < y < p-1");
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(Bytes{0x01}); }, "1 < y < p-1");
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(Bytes(128, 0x00)); }, "1 < y < p-1");
  Bytes p_minus_1 = p;
  p_minus_1.back() -= 1;  // p is odd: no borrow
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(p_minus_1); }, "1 < y < p-1");
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(p); }, "1 < y < p-1");
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(Bytes(128, 0xFF)); }, "1 < y < p-1");
  // 2 generates (almost) all of Z_p*, not the subgroup of order q.
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(Bytes{0x02}); }, "subgroup of order q");
  expect_error(
      ErrorCode::crypto, [&] { domain.shared_secret(own, Bytes{0x02}); }, "subgroup of order q");
  expect_error(
      ErrorCode::crypto, [&] { domain.shared_element(own, p_minus_1); }, "1 < y < p-1");
  Bytes too_long(129, 0x00);
  too_long.back() = 0x05;
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(too_long); }, "1 to 128 bytes");
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key({}); }, "1 to 128 bytes");
  expect_error(
      ErrorCode::crypto, [&] { generic_mapping(domain, random_bytes(16), Bytes{0x02}); },
      "subgroup of order q");
}

TEST(PacePublicKeys, InjectedPrivateKeysOutOfRange) {
  PaceDomain ec = PaceDomain::standardized(13);
  const Bytes n = curve_parameters(NID_brainpoolP256r1).order;
  expect_error(
      ErrorCode::invalid_argument, [&] { ec.generate_key_pair(Bytes(32, 0x00)); }, "1 <= d < n");
  expect_error(
      ErrorCode::invalid_argument, [&] { ec.generate_key_pair(n); }, "1 <= d < n");
  expect_error(
      ErrorCode::invalid_argument, [&] { ec.public_key(Bytes(33, 0x01)); }, "1 to 32 bytes");
  expect_error(
      ErrorCode::invalid_argument, [&] { ec.public_key(Bytes{}); }, "1 to 32 bytes");
  Bytes n_minus_1 = n;
  n_minus_1.back() -= 1;
  EXPECT_NO_THROW(ec.public_key(n_minus_1));
  PaceDomain dh = PaceDomain::standardized(0);
  expect_error(
      ErrorCode::invalid_argument, [&] { dh.public_key(icao_hex("pace_gm_dh", "p")); }, "1 <= x < p");
  expect_error(
      ErrorCode::invalid_argument, [&] { dh.public_key(Bytes{0x00}); }, "1 <= x < p");
}

// ---------------------------------------------------------------------------------------------
// Explicit domain parameters from a hostile EF.CardAccess

TEST(PaceExplicitDomain, BadCurvesAreRefused) {
  const EcDomainParameters good = curve_parameters(NID_brainpoolP256r1);
  EXPECT_NO_THROW(PaceDomain::explicit_ec(good));

  EcDomainParameters composite = good;
  composite.p.back() ^= 0x02;  // stays odd, no longer prime
  expect_error(
      ErrorCode::crypto, [&] { PaceDomain::explicit_ec(composite); }, "odd prime");
  EcDomainParameters singular = good;
  singular.a = {0x00};
  singular.b = {0x00};
  expect_error(ErrorCode::crypto, [&] { PaceDomain::explicit_ec(singular); });
  EcDomainParameters off_curve = good;
  off_curve.generator.back() ^= 0x01;
  expect_error(
      ErrorCode::crypto, [&] { PaceDomain::explicit_ec(off_curve); }, "generator is not a point");
  EcDomainParameters no_generator = good;
  no_generator.generator = {0x00};
  expect_error(
      ErrorCode::crypto, [&] { PaceDomain::explicit_ec(no_generator); }, "generator is not a point");
  EcDomainParameters wrong_order = good;
  wrong_order.order.back() ^= 0x02;
  expect_error(ErrorCode::crypto, [&] { PaceDomain::explicit_ec(wrong_order); });
  EcDomainParameters zero_cofactor = good;
  zero_cofactor.cofactor = {0x00};
  expect_error(
      ErrorCode::crypto, [&] { PaceDomain::explicit_ec(zero_cofactor); }, "cofactor");
  EcDomainParameters big_cofactor = good;
  big_cofactor.cofactor = {0x01, 0x00, 0x00};
  expect_error(
      ErrorCode::limit_exceeded, [&] { PaceDomain::explicit_ec(big_cofactor); }, "cofactor");
  EcDomainParameters a_too_big = good;
  a_too_big.a = concat({Bytes{0x00}, good.p});
  expect_error(
      ErrorCode::crypto, [&] { PaceDomain::explicit_ec(a_too_big); }, "not below p");
  EcDomainParameters huge = good;
  huge.p = Bytes(67, 0xFF);
  expect_error(
      ErrorCode::limit_exceeded, [&] { PaceDomain::explicit_ec(huge); }, "521 bits");
  EcDomainParameters very_long = good;
  very_long.p = Bytes(100000, 0x00);
  very_long.p.back() = 0x07;
  expect_error(
      ErrorCode::limit_exceeded, [&] { PaceDomain::explicit_ec(very_long); }, "521 bits");
  EcDomainParameters tiny = good;
  tiny.p = {0x61};
  expect_error(
      ErrorCode::crypto, [&] { PaceDomain::explicit_ec(tiny); }, "fewer than 192 bits");
  EcDomainParameters empty = good;
  empty.b.clear();
  expect_error(
      ErrorCode::crypto, [&] { PaceDomain::explicit_ec(empty); }, "b is empty");
  // An empty cofactor means 1, and leading zeros do not matter.
  EcDomainParameters no_cofactor = good;
  no_cofactor.cofactor.clear();
  no_cofactor.p = concat({Bytes{0x00, 0x00}, good.p});
  EXPECT_EQ(PaceDomain::explicit_ec(no_cofactor).field_size(), 32u);
}

// Wei25519 (curve25519 in short Weierstrass form, draft-ietf-lwig-curve-representations): cofactor 8,
// so points of the curve outside the subgroup of order n exist and must be refused. The generator here
// is 8 * (1, y), computed for this test; (1, y) itself has an order that n does not annihilate.
EcDomainParameters wei25519(const Bytes& cofactor) {
  EcDomainParameters parameters;
  parameters.p = from_hex("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFED");
  parameters.a = from_hex("2AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA984914A144");
  parameters.b = from_hex("7B425ED097B425ED097B425ED097B425ED097B425ED097B4260B5E9C7710C864");
  parameters.order = from_hex("1000000000000000000000000000000014DEF9DEA2F79CD65812631A5CF5D3ED");
  parameters.generator = from_hex(
      "0460CF42B87502C8C982433F864A5D9BCDAA949B89EB91AAB445236C155DD12153310D58B4694025928869E79BD5CCD4D47155"
      "E6B3"
      "2705A0BDBEC44613A9F86EA0");
  parameters.cofactor = cofactor;
  return parameters;
}

TEST(PaceExplicitDomain, CofactorCurveRefusesPointsOutsideTheSubgroup) {
  PaceDomain domain = PaceDomain::explicit_ec(wei25519({0x08}));
  const Bytes outside = from_hex(
      "040000000000000000000000000000000000000000000000000000000000000001"
      "29CE4FB276EE89D515AC6522E9B883D361C5FA9DCAFCC2E362B3AA080A0D76DC");
  expect_error(
      ErrorCode::crypto, [&] { domain.validate_public_key(outside); }, "subgroup of order n");
  PaceKeyPair first = domain.generate_key_pair();
  PaceKeyPair second = domain.generate_key_pair();
  expect_error(
      ErrorCode::crypto, [&] { domain.shared_secret(first.private_key, outside); }, "subgroup of order n");
  EXPECT_EQ(domain.shared_secret(first.private_key, second.public_key),
            domain.shared_secret(second.private_key, first.public_key));
  PaceDomain mapped =
      generic_mapping(domain, random_bytes(16), domain.shared_element(first.private_key, second.public_key));
  EXPECT_NO_THROW(domain.validate_public_key(mapped.generator()));
  // p = 1 mod 4: outside the point encoding of Integrated Mapping.
  expect_error(
      ErrorCode::not_supported,
      [&] { integrated_mapping(domain, CipherKind::aes128, random_bytes(16), random_bytes(16)); }, "3 mod 4");
  // Declared with cofactor 1, the order cannot be the number of points of the curve.
  expect_error(
      ErrorCode::crypto, [&] { PaceDomain::explicit_ec(wei25519({0x01})); }, "Hasse");
}

TEST(PaceExplicitDomain, BadDhGroupsAreRefused) {
  const DhDomainParameters good = vector_dh_parameters();
  EXPECT_NO_THROW(PaceDomain::explicit_dh(good));
  DhDomainParameters wrong_q = good;
  wrong_q.q.back() ^= 0x02;
  expect_error(
      ErrorCode::crypto, [&] { PaceDomain::explicit_dh(wrong_q); }, "q");
  DhDomainParameters wrong_g = good;
  wrong_g.g = {0x02};
  expect_error(
      ErrorCode::crypto, [&] { PaceDomain::explicit_dh(wrong_g); }, "g is not a generator");
  DhDomainParameters g_one = good;
  g_one.g = {0x01};
  expect_error(
      ErrorCode::crypto, [&] { PaceDomain::explicit_dh(g_one); }, "g is not a generator");
  DhDomainParameters composite = good;
  composite.p.back() ^= 0x02;
  expect_error(
      ErrorCode::crypto, [&] { PaceDomain::explicit_dh(composite); }, "odd prime");
  DhDomainParameters small = good;
  small.p = Bytes(good.p.begin() + 1, good.p.end());
  expect_error(
      ErrorCode::crypto, [&] { PaceDomain::explicit_dh(small); }, "fewer than 1024 bits");
  DhDomainParameters small_q = good;
  small_q.q = {0x0B};
  expect_error(
      ErrorCode::crypto, [&] { PaceDomain::explicit_dh(small_q); }, "fewer than 160 bits");
  DhDomainParameters huge = good;
  huge.p = Bytes(513, 0xFF);
  expect_error(
      ErrorCode::limit_exceeded, [&] { PaceDomain::explicit_dh(huge); }, "4096 bits");
  DhDomainParameters no_q = good;
  no_q.q.clear();
  expect_error(
      ErrorCode::crypto, [&] { PaceDomain::explicit_dh(no_q); }, "q is empty");
}

// ---------------------------------------------------------------------------------------------
// Nonces, keys, tokens

TEST(PaceKeys, PasswordKeysPerCipher) {
  SecureBytes aes128 = pace_password_key(PacePasswordType::can, "123456", CipherKind::aes128);
  EXPECT_EQ(aes128, derive_key(as_bytes("123456"), KeyPurpose::pace_password, CipherKind::aes128));
  SecureBytes aes256 = pace_password_key(PacePasswordType::pin, "123456", CipherKind::aes256);
  EXPECT_EQ(aes256.size(), 32u);
  SecureBytes tdes = pace_password_key(PacePasswordType::mrz, "T22000129364081251010318", CipherKind::tdes);
  Bytes seed = hash(HashAlgorithm::sha1, as_bytes("T22000129364081251010318"));
  EXPECT_EQ(tdes, derive_key(seed, KeyPurpose::pace_password, CipherKind::tdes));
  expect_error(ErrorCode::invalid_argument,
               [] { pace_password_key(PacePasswordType::can, "", CipherKind::aes128); });
}

TEST(PaceKeys, NonceSizesAreChecked) {
  const Bytes k_pi = icao_hex("pace_gm_ecdh", "k_pi");
  expect_error(
      ErrorCode::malformed_data, [&] { pace_decrypt_nonce(CipherKind::aes128, k_pi, {}); }, "whole");
  expect_error(
      ErrorCode::malformed_data, [&] { pace_decrypt_nonce(CipherKind::aes128, k_pi, Bytes(15, 1)); },
      "whole");
  expect_error(
      ErrorCode::malformed_data, [&] { pace_decrypt_nonce(CipherKind::aes128, k_pi, Bytes(80, 1)); },
      "whole");
  expect_error(
      ErrorCode::invalid_argument, [&] { pace_decrypt_nonce(CipherKind::aes128, Bytes(8, 1), Bytes(16, 1)); },
      "K_pi");
  expect_error(ErrorCode::invalid_argument,
               [&] { pace_encrypt_nonce(CipherKind::aes128, k_pi, Bytes(17, 1)); });
  // 3DES nonces are whole 8-byte blocks.
  SecureBytes tdes_key = pace_password_key(PacePasswordType::can, "123456", CipherKind::tdes);
  Bytes s = random_bytes(8);
  Bytes z = pace_encrypt_nonce(CipherKind::tdes, tdes_key, s);
  EXPECT_EQ(to_hex(z), to_hex(tdes_cbc_encrypt(tdes_key, Bytes(8, 0), s)));
  EXPECT_EQ(to_hex(bytes_of(pace_decrypt_nonce(CipherKind::tdes, tdes_key, z))), to_hex(s));
}

TEST(PaceKeys, TripleDesTokenIsTheRetailMacOfThePaddedData) {
  PaceDomain domain = PaceDomain::standardized(13);
  const Bytes oid = from_hex("04007F00070202040201");  // id-PACE-ECDH-GM-3DES-CBC-CBC
  PaceSessionKeys keys = pace_session_keys(CipherKind::tdes, random_bytes(32));
  EXPECT_EQ(keys.k_enc.size(), 16u);
  PaceKeyPair peer = domain.generate_key_pair();
  Bytes data = pace_public_key_data_object(domain, oid, peer.public_key);
  EXPECT_EQ(to_hex(Bytes(data.begin(), data.begin() + 17)), "7F494F060A04007F000702020402018641");
  EXPECT_EQ(to_hex(pace_authentication_token(CipherKind::tdes, keys.k_mac, domain, oid, peer.public_key)),
            to_hex(retail_mac(keys.k_mac, pad_iso9797_m2(data, 8))));
  expect_error(ErrorCode::invalid_argument, [&] {
    pace_authentication_token(CipherKind::aes128, Bytes(8, 1), domain, oid, peer.public_key);
  });
  expect_error(ErrorCode::invalid_argument,
               [&] { pace_public_key_data_object(domain, {}, peer.public_key); });
}

TEST(PaceKeys, TokenComparison) {
  const Bytes token = from_hex("C2B0BD78D94BA866");
  EXPECT_TRUE(pace_token_matches(token, token));
  EXPECT_FALSE(pace_token_matches(token, from_hex("C2B0BD78D94BA867")));
  EXPECT_FALSE(pace_token_matches(token, from_hex("C2B0BD78D94BA8")));
  EXPECT_FALSE(pace_token_matches(token, {}));
}

// ---------------------------------------------------------------------------------------------
// Integrated Mapping details

TEST(PaceIntegratedMapping, LongKeyCiphersUseTheLongConstantsAndTruncatedKeys) {
  PaceDomain domain = PaceDomain::standardized(13);
  const Bytes c0 = from_hex("D463D65234124EF7897054986DCA0A174E28DF758CBAA03F240616414D5A1676");
  const Bytes c1 = from_hex("54BD7255F0AAF831BEC3423FCF39D69B6CBF066677D0FAAE5AADD99DF8E53517");
  const Bytes zero_iv(16, 0);
  for (CipherKind cipher : {CipherKind::aes192, CipherKind::aes256}) {
    const std::size_t k = key_length(cipher);
    Bytes s = random_bytes(32);
    Bytes t = random_bytes(k);
    SecureBytes r = integrated_mapping_prf(domain, cipher, s, t);
    EXPECT_EQ(r.size(), 64u);  // ceil((256 + 64) / 256) = 2 outputs of 32 bytes
    Bytes k0 = aes_cbc_encrypt(t, zero_iv, s);
    Bytes x0 = aes_cbc_encrypt(ByteView(k0).first(k), zero_iv, c1);
    Bytes k1 = aes_cbc_encrypt(ByteView(k0).first(k), zero_iv, c0);
    Bytes x1 = aes_cbc_encrypt(ByteView(k1).first(k), zero_iv, c1);
    EXPECT_EQ(to_hex(bytes_of(r)), to_hex(concat({x0, x1}))) << cipher_name(cipher);
  }
  // 3DES: 16-byte s and t, 128-bit outputs with the short constants.
  Bytes s = random_bytes(16);
  Bytes t = random_bytes(16);
  SecureBytes r = integrated_mapping_prf(domain, CipherKind::tdes, s, t);
  EXPECT_EQ(r.size(), 48u);
  const Bytes des_iv(8, 0);
  Bytes k0 = tdes_cbc_encrypt(t, des_iv, s);
  EXPECT_EQ(to_hex(Bytes(r.begin(), r.begin() + 16)),
            to_hex(tdes_cbc_encrypt(k0, des_iv, icao_hex("pace_im_ecdh", "prf_aes128_c1"))));
}

TEST(PaceIntegratedMapping, NonceSizesAndFieldElementsAreChecked) {
  PaceDomain domain = PaceDomain::standardized(13);
  expect_error(
      ErrorCode::invalid_argument,
      [&] { integrated_mapping_prf(domain, CipherKind::aes128, Bytes(16, 1), Bytes(15, 1)); }, "nonce t");
  expect_error(
      ErrorCode::malformed_data,
      [&] { integrated_mapping_prf(domain, CipherKind::aes256, Bytes(16, 1), Bytes(32, 1)); }, "nonce s");
  expect_error(
      ErrorCode::malformed_data,
      [&] { integrated_mapping(domain, CipherKind::tdes, Bytes(8, 1), Bytes(16, 1)); }, "nonce s");
  expect_error(
      ErrorCode::crypto, [&] { integrated_mapping_point_encoding(domain, Bytes(32, 0)); }, "1..p-1");
  expect_error(
      ErrorCode::crypto, [&] { integrated_mapping_point_encoding(domain, Bytes(32, 0xFF)); }, "1..p-1");
  expect_error(ErrorCode::not_supported,
               [&] { integrated_mapping_point_encoding(PaceDomain::standardized(0), Bytes{0x05}); });
}

TEST(PaceChipAuthenticationMapping, OnlyEcdhWithAes) {
  PaceDomain dh = PaceDomain::standardized(0);
  expect_error(ErrorCode::not_supported, [&] { cam_chip_authentication_data(dh, Bytes{0x05}, Bytes{0x07}); });
  expect_error(ErrorCode::not_supported, [&] { cam_verify_chip(dh, Bytes{0x05}, Bytes{0x07}, Bytes{0x09}); });
  expect_error(ErrorCode::not_supported,
               [&] { cam_encrypt_chip_authentication_data(CipherKind::tdes, Bytes(16, 1), Bytes(32, 2)); });
  const Bytes ks_enc = random_bytes(16);
  expect_error(
      ErrorCode::crypto,
      [&] { cam_decrypt_chip_authentication_data(CipherKind::aes128, ks_enc, Bytes(17, 1)); }, "AES blocks");
  expect_error(
      ErrorCode::crypto, [&] { cam_decrypt_chip_authentication_data(CipherKind::aes128, ks_enc, {}); },
      "AES blocks");
  // A block that decrypts to no padding.
  Bytes no_padding = aes_cbc_encrypt(ks_enc, aes_ecb_encrypt_block(ks_enc, Bytes(16, 0xFF)), Bytes(16, 0x11));
  expect_error(
      ErrorCode::crypto,
      [&] { cam_decrypt_chip_authentication_data(CipherKind::aes128, ks_enc, no_padding); }, "padding");

  // A full round with fresh keys on another curve and AES-256.
  PaceDomain domain = PaceDomain::standardized(15);
  PaceKeyPair static_ic = domain.generate_key_pair();
  PaceKeyPair mapping_ic = domain.generate_key_pair();
  SecureBytes ca = cam_chip_authentication_data(domain, static_ic.private_key, mapping_ic.private_key);
  EXPECT_EQ(ca.size(), domain.order_size());
  const Bytes key = random_bytes(32);
  Bytes a_ic = cam_encrypt_chip_authentication_data(CipherKind::aes256, key, ca);
  EXPECT_EQ(a_ic.size(), 64u);
  SecureBytes back = cam_decrypt_chip_authentication_data(CipherKind::aes256, key, a_ic);
  EXPECT_EQ(back, ca);
  EXPECT_NO_THROW(cam_verify_chip(domain, back, static_ic.public_key, mapping_ic.public_key));
  PaceKeyPair impostor = domain.generate_key_pair();
  expect_error(
      ErrorCode::crypto, [&] { cam_verify_chip(domain, back, impostor.public_key, mapping_ic.public_key); },
      "chip not authenticated");
  expect_error(
      ErrorCode::crypto,
      [&] { cam_verify_chip(domain, Bytes(48, 0), static_ic.public_key, mapping_ic.public_key); }, "1..n-1");
}

}  // namespace
}  // namespace cccd::crypto
