// Active Authentication: ISO/IEC 9796-2 and ECDSA signature checks, the chip's INTERNAL AUTHENTICATE,
// reads of AA cards and of their clones, offline verification with a server's challenge, the CLI.
#include "crypto/active_authentication.hpp"
#include "crypto/openssl_ptr.hpp"
#include "lds/lds.hpp"
#include "sim/active_authentication_chip.hpp"
#include "sim/clone_card.hpp"
#include "sim/generator.hpp"
#include "sim/virtual_card.hpp"
#include "sim/virtual_card_source.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"

#include <cccd/cccd.h>
#include <cccd/report.hpp>
#include <cccd/verify.hpp>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <dlfcn.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

namespace cccd {
namespace {

using crypto::HashAlgorithm;
using test::error_of;

const Bytes kChallenge = from_hex("0123456789ABCDEF");
constexpr std::array<std::uint8_t, 8> kServerChallenge = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};

// The message of the cccd::Error `body` throws ("" and a failure when none).
std::string message_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no cccd::Error thrown";
  return {};
}

EvpPkeyPtr generate(const char* type, const char* curve, std::size_t bits = 0) {
  EVP_PKEY* key = curve != nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve)
                                   : EVP_PKEY_Q_keygen(nullptr, nullptr, type, bits);
  EXPECT_NE(key, nullptr);
  return EvpPkeyPtr(key);
}

Bytes spki_of(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  EXPECT_GT(length, 0);
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

// DG15 of a key: 6F { SubjectPublicKeyInfo }.
Bytes dg15_of(EVP_PKEY* key) {
  Bytes spki = spki_of(key);
  Bytes header{0x6F};
  if (spki.size() < 128) {
    header.push_back(static_cast<std::uint8_t>(spki.size()));
  } else {
    header.push_back(0x82);
    header.push_back(static_cast<std::uint8_t>(spki.size() >> 8));
    header.push_back(static_cast<std::uint8_t>(spki.size() & 0xFF));
  }
  return concat({header, spki});
}

// The raw RSA private operation on a representative (what the chip does).
Bytes rsa_raw_sign(EVP_PKEY* key, ByteView representative) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  EXPECT_EQ(EVP_PKEY_sign_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING), 1);
  Bytes signature(static_cast<std::size_t>(EVP_PKEY_get_size(key)));
  std::size_t length = signature.size();
  EXPECT_EQ(EVP_PKEY_sign(ctx.get(), signature.data(), &length, representative.data(), representative.size()),
            1);
  signature.resize(length);
  return signature;
}

Bytes representative(EVP_PKEY* key, HashAlgorithm hash, bool implicit, ByteView challenge) {
  const std::size_t k = static_cast<std::size_t>(EVP_PKEY_get_size(key));
  Bytes m1(crypto::iso9796_m1_length(k, hash, implicit), 0x5A);
  return crypto::iso9796_representative(k, hash, implicit, m1, challenge);
}

// Plain r || s ECDSA over `message` with `hash`.
Bytes ecdsa_plain_sign(EVP_PKEY* key, HashAlgorithm hash, ByteView message, std::size_t half) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EXPECT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, crypto::evp_md(hash), nullptr, key), 1);
  std::size_t length = 0;
  EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &length, message.data(), message.size()), 1);
  Bytes der(length);
  EXPECT_EQ(EVP_DigestSign(ctx.get(), der.data(), &length, message.data(), message.size()), 1);
  const unsigned char* cursor = der.data();
  EcdsaSigPtr signature(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(length)));
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(signature.get(), &r, &s);
  Bytes plain(2 * half);
  EXPECT_GT(BN_bn2binpad(r, plain.data(), static_cast<int>(half)), 0);
  EXPECT_GT(BN_bn2binpad(s, plain.data() + half, static_cast<int>(half)), 0);
  return plain;
}

// ---- ISO/IEC 9796-2 ----

struct TrailerCase {
  HashAlgorithm hash;
  bool implicit;
};

TEST(Iso9796, EveryTrailerVerifiesOnRsa1024To3072) {
  const TrailerCase cases[] = {{HashAlgorithm::sha1, true},    {HashAlgorithm::sha1, false},
                               {HashAlgorithm::sha224, false}, {HashAlgorithm::sha256, false},
                               {HashAlgorithm::sha384, false}, {HashAlgorithm::sha512, false}};
  for (std::size_t bits : {1024u, 2048u, 3072u}) {
    EvpPkeyPtr key = generate("RSA", nullptr, bits);
    crypto::AaPublicKey public_key = crypto::parse_dg15(dg15_of(key.get()));
    EXPECT_EQ(public_key.kind, crypto::AaKeyKind::rsa);
    EXPECT_EQ(public_key.signature_length, bits / 8);
    EXPECT_EQ(public_key.description(), "RSA-" + std::to_string(bits));
    for (const TrailerCase& c : cases) {
      Bytes f = representative(key.get(), c.hash, c.implicit, kChallenge);
      EXPECT_EQ(f.front(), 0x6A);
      EXPECT_EQ(f.back(), c.implicit ? 0xBC : 0xCC);
      Bytes signature = rsa_raw_sign(key.get(), f);
      EXPECT_NO_THROW(crypto::verify_active_authentication(public_key, std::nullopt, kChallenge, signature))
          << bits << " bits, " << crypto::hash_name(c.hash);
      // The same signature over another challenge does not verify.
      EXPECT_NE(message_of([&] {
                  crypto::verify_active_authentication(public_key, std::nullopt, from_hex("0123456789ABCDEE"),
                                                       signature);
                }).find("hash does not match"),
                std::string::npos);
    }
  }
}

TEST(Iso9796, HashIdentifiersAreIso10118) {
  EXPECT_EQ(crypto::iso9796_hash_identifier(HashAlgorithm::sha1), 0x33);
  EXPECT_EQ(crypto::iso9796_hash_identifier(HashAlgorithm::sha256), 0x34);
  EXPECT_EQ(crypto::iso9796_hash_identifier(HashAlgorithm::sha512), 0x35);
  EXPECT_EQ(crypto::iso9796_hash_identifier(HashAlgorithm::sha384), 0x36);
  EXPECT_EQ(crypto::iso9796_hash_identifier(HashAlgorithm::sha224), 0x38);
}

TEST(Iso9796, BadRepresentativesAreRejectedWithTheirReason) {
  EvpPkeyPtr key = generate("RSA", nullptr, 2048);
  crypto::AaPublicKey public_key = crypto::parse_dg15(dg15_of(key.get()));
  const Bytes good = representative(key.get(), HashAlgorithm::sha256, false, kChallenge);
  auto verdict_of = [&](const Bytes& f) {
    Bytes signature = rsa_raw_sign(key.get(), f);
    EXPECT_EQ(error_of([&] {
                crypto::verify_active_authentication(public_key, std::nullopt, kChallenge, signature);
              }),
              ErrorCode::crypto);
    return message_of(
        [&] { crypto::verify_active_authentication(public_key, std::nullopt, kChallenge, signature); });
  };
  Bytes header = good;
  header[0] = 0x6B;
  EXPECT_NE(verdict_of(header).find("header is not 6A"), std::string::npos);
  Bytes full_recovery = good;
  full_recovery[0] = 0x4A;
  EXPECT_NE(verdict_of(full_recovery).find("header is not 6A"), std::string::npos);
  Bytes trailer = good;
  trailer.back() = 0xBD;
  EXPECT_NE(verdict_of(trailer).find("trailer is neither BC nor xx CC"), std::string::npos);
  Bytes unknown_hash = good;
  unknown_hash[unknown_hash.size() - 2] = 0x31;  // RIPEMD-160: not supported
  EXPECT_NE(verdict_of(unknown_hash).find("unknown hash"), std::string::npos);
  Bytes wrong_hash_id = good;
  wrong_hash_id[wrong_hash_id.size() - 2] = 0x36;  // SHA-384 named, SHA-256 used: H lands elsewhere
  EXPECT_NE(verdict_of(wrong_hash_id).find("hash does not match"), std::string::npos);
  Bytes hash_flipped = good;
  hash_flipped[hash_flipped.size() - 3] ^= 0x01;
  EXPECT_NE(verdict_of(hash_flipped).find("SHA-256 hash does not match"), std::string::npos);
  Bytes m1_changed = good;
  m1_changed[1] ^= 0x80;
  EXPECT_NE(verdict_of(m1_changed).find("hash does not match"), std::string::npos);

  const Bytes signature = rsa_raw_sign(key.get(), good);
  Bytes short_signature(signature.begin() + 1, signature.end());
  EXPECT_NE(message_of([&] {
              crypto::verify_active_authentication(public_key, std::nullopt, kChallenge, short_signature);
            }).find("the signature is 255 bytes"),
            std::string::npos);
  Bytes long_signature = signature;
  long_signature.push_back(0);
  EXPECT_EQ(error_of([&] {
              crypto::verify_active_authentication(public_key, std::nullopt, kChallenge, long_signature);
            }),
            ErrorCode::crypto);
  Bytes above_modulus(signature.size(), 0xFF);
  EXPECT_NE(message_of([&] {
              crypto::verify_active_authentication(public_key, std::nullopt, kChallenge, above_modulus);
            }).find("below the modulus"),
            std::string::npos);
}

TEST(Iso9796, EncoderBounds) {
  EXPECT_EQ(crypto::iso9796_m1_length(256, HashAlgorithm::sha1, true), 256u - 1 - 20 - 1);
  EXPECT_EQ(crypto::iso9796_m1_length(128, HashAlgorithm::sha512, false), 128u - 1 - 64 - 2);
  // No room for M1: the hash and trailer fill the representative.
  EXPECT_EQ(error_of([] { crypto::iso9796_m1_length(67, HashAlgorithm::sha512, false); }),
            ErrorCode::invalid_argument);
  EXPECT_EQ(error_of([] {
              crypto::iso9796_representative(256, HashAlgorithm::sha256, true, Bytes(233), kChallenge);
            }),
            ErrorCode::invalid_argument);  // BC means SHA-1
  EXPECT_EQ(
      error_of([] { crypto::iso9796_representative(256, HashAlgorithm::sha1, true, Bytes(10), kChallenge); }),
      ErrorCode::invalid_argument);  // M1 of the wrong length
}

// ---- ECDSA ----

TEST(AaEcdsa, PlainSignaturesVerifyOnNistAndBrainpoolCurves) {
  struct Curve {
    const char* name;
    std::size_t half;
    HashAlgorithm hash;
  };
  for (const Curve& curve :
       {Curve{"P-256", 32, HashAlgorithm::sha256}, Curve{"brainpoolP256r1", 32, HashAlgorithm::sha256},
        Curve{"P-384", 48, HashAlgorithm::sha384}, Curve{"brainpoolP384r1", 48, HashAlgorithm::sha1}}) {
    EvpPkeyPtr key = generate("EC", curve.name);
    crypto::AaPublicKey public_key = crypto::parse_dg15(dg15_of(key.get()));
    EXPECT_EQ(public_key.kind, crypto::AaKeyKind::ecdsa);
    EXPECT_EQ(public_key.signature_length, 2 * curve.half) << curve.name;
    const Bytes signature = ecdsa_plain_sign(key.get(), curve.hash, kChallenge, curve.half);
    EXPECT_NO_THROW(crypto::verify_active_authentication(public_key, curve.hash, kChallenge, signature))
        << curve.name;

    // Another challenge, another hash, a flipped bit: no.
    EXPECT_EQ(error_of([&] {
                crypto::verify_active_authentication(public_key, curve.hash, from_hex("0123456789ABCDEE"),
                                                     signature);
              }),
              ErrorCode::crypto);
    const HashAlgorithm other =
        curve.hash == HashAlgorithm::sha1 ? HashAlgorithm::sha256 : HashAlgorithm::sha1;
    EXPECT_EQ(
        error_of([&] { crypto::verify_active_authentication(public_key, other, kChallenge, signature); }),
        ErrorCode::crypto);
    Bytes flipped = signature;
    flipped[3] ^= 0x10;
    EXPECT_EQ(
        error_of([&] { crypto::verify_active_authentication(public_key, curve.hash, kChallenge, flipped); }),
        ErrorCode::crypto);
    // Wrong lengths: one byte short, one too many, a DER signature instead of r || s.
    Bytes short_signature(signature.begin(), signature.end() - 1);
    EXPECT_NE(message_of([&] {
                crypto::verify_active_authentication(public_key, curve.hash, kChallenge, short_signature);
              }).find("plain r || s"),
              std::string::npos);
    Bytes long_signature = signature;
    long_signature.push_back(0);
    EXPECT_EQ(error_of([&] {
                crypto::verify_active_authentication(public_key, curve.hash, kChallenge, long_signature);
              }),
              ErrorCode::crypto);
    // Without the hash of DG14's ActiveAuthenticationInfo there is nothing to check with.
    EXPECT_EQ(error_of([&] {
                crypto::verify_active_authentication(public_key, std::nullopt, kChallenge, signature);
              }),
              ErrorCode::not_supported);
  }
}

TEST(AaEcdsa, SignatureAlgorithmOidsNameTheHash) {
  EXPECT_EQ(crypto::aa_ecdsa_hash("1.2.840.10045.4.3.2"), HashAlgorithm::sha256);
  EXPECT_EQ(crypto::aa_ecdsa_hash("1.2.840.10045.4.1"), HashAlgorithm::sha1);
  EXPECT_EQ(crypto::aa_ecdsa_hash("1.2.840.10045.4.3.4"), HashAlgorithm::sha512);
  EXPECT_EQ(crypto::aa_ecdsa_hash("0.4.0.127.0.7.1.1.4.1.4"), HashAlgorithm::sha384);
  EXPECT_EQ(crypto::aa_ecdsa_hash("0.4.0.127.0.7.1.1.4.1.2"), HashAlgorithm::sha224);
  EXPECT_FALSE(crypto::aa_ecdsa_hash("1.2.840.113549.1.1.11"));  // an RSA algorithm
}

TEST(Dg15, HostileFilesGiveTheirErrors) {
  EvpPkeyPtr key = generate("EC", "P-256");
  Bytes good = dg15_of(key.get());
  EXPECT_NO_THROW(crypto::parse_dg15(good));
  Bytes padded = good;
  padded.push_back(0x00);  // file padding after the outer TLV is allowed
  EXPECT_NO_THROW(crypto::parse_dg15(padded));

  Bytes wrong_tag = good;
  wrong_tag[0] = 0x6E;
  EXPECT_EQ(error_of([&] { crypto::parse_dg15(wrong_tag); }), ErrorCode::malformed_data);
  Bytes truncated(good.begin(), good.end() - 5);
  EXPECT_EQ(error_of([&] { crypto::parse_dg15(truncated); }), ErrorCode::malformed_data);
  EXPECT_EQ(error_of([&] { crypto::parse_dg15({}); }), ErrorCode::malformed_data);
  // A SubjectPublicKeyInfo whose key bits are garbage.
  Bytes garbage = good;
  garbage[garbage.size() - 10] ^= 0xFF;
  EXPECT_EQ(error_of([&] { crypto::parse_dg15(garbage); }), ErrorCode::malformed_data);
  // Something after the SubjectPublicKeyInfo inside 6F.
  Bytes spki = spki_of(key.get());
  Bytes extra = concat({Bytes{0x6F, static_cast<std::uint8_t>(spki.size() + 2)}, spki, from_hex("0500")});
  EXPECT_EQ(error_of([&] { crypto::parse_dg15(extra); }), ErrorCode::malformed_data);

  // Keys AA does not use.
  EvpPkeyPtr small = generate("RSA", nullptr, 512);
  EXPECT_EQ(error_of([&] { crypto::parse_dg15(dg15_of(small.get())); }), ErrorCode::not_supported);
  EvpPkeyPtr edwards(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  ASSERT_TRUE(edwards);
  EXPECT_EQ(error_of([&] { crypto::parse_dg15(dg15_of(edwards.get())); }), ErrorCode::not_supported);
}

// ---- The chip ----

sim::CardData aa_card(sim::AaAlgorithm algorithm, std::optional<HashAlgorithm> hash = std::nullopt) {
  sim::GeneratorOptions options;
  options.active_authentication.algorithm = algorithm;
  options.active_authentication.hash = hash;
  return sim::generate_card(options);
}

const sim::CardData& rsa_card() {
  static const sim::CardData card = aa_card(sim::AaAlgorithm::rsa);
  return card;
}
const sim::CardData& ecdsa_card() {
  static const sim::CardData card = aa_card(sim::AaAlgorithm::ecdsa);
  return card;
}

TrustStore anchor_of(const sim::CardData& card) {
  TrustStore store;
  store.add_certificate(as_bytes(card.csca_pem), true);
  return store;
}

Credentials credentials() {
  return Credentials::from_can("012345");
}

TEST(AaChip, InternalAuthenticateChecksItsCommand) {
  const sim::CardSecrets& secrets = rsa_card().secrets;
  sim::ActiveAuthenticationChip chip(view(secrets.active_authentication_private_key),
                                     secrets.active_authentication_hash);
  apdu::CommandApdu good{0x00, sim::kInsInternalAuthenticate, 0x00, 0x00, kChallenge, apdu::kMaxShortLe};
  apdu::ResponseApdu response = chip.internal_authenticate(good);
  EXPECT_EQ(response.sw, apdu::sw::kOk);
  EXPECT_EQ(response.data.size(), 256u);
  // A fresh M1 each time: two signatures over one challenge differ.
  EXPECT_NE(chip.internal_authenticate(good).data, response.data);

  apdu::CommandApdu p1 = good;
  p1.p1 = 0x01;
  EXPECT_EQ(chip.internal_authenticate(p1).sw, apdu::sw::kIncorrectP1P2);
  apdu::CommandApdu short_challenge = good;
  short_challenge.data.pop_back();
  EXPECT_EQ(chip.internal_authenticate(short_challenge).sw, apdu::sw::kWrongLength);
  apdu::CommandApdu no_le = good;
  no_le.le = apdu::kNoLe;
  EXPECT_EQ(chip.internal_authenticate(no_le).sw, apdu::sw::kWrongLength);

  EXPECT_EQ(error_of([] { sim::ActiveAuthenticationChip broken(from_hex("3000"), HashAlgorithm::sha1); }),
            ErrorCode::malformed_data);
}

TEST(AaChip, RefusedBeforeAccessControl) {
  sim::VirtualCard card(rsa_card());
  apdu::CommandApdu command{0x00, sim::kInsInternalAuthenticate, 0x00, 0x00, kChallenge, apdu::kMaxShortLe};
  EXPECT_EQ(apdu::ResponseApdu::decode(card.process(command.encode())).sw,
            apdu::sw::kSecurityStatusNotSatisfied);
  // A card without an AA key does not know the instruction.
  sim::VirtualCard plain(sim::generate_card(sim::GeneratorOptions{}));
  EXPECT_EQ(apdu::ResponseApdu::decode(plain.process(command.encode())).sw, apdu::sw::kInsNotSupported);
}

TEST(AaGenerator, DataGroupsListedAndSigned) {
  const sim::CardData& rsa = rsa_card();
  ASSERT_TRUE(rsa.files.count(FileId::dg15));
  EXPECT_FALSE(rsa.files.count(FileId::dg14));  // RSA needs no ActiveAuthenticationInfo
  EXPECT_EQ(crypto::parse_dg15(rsa.files.at(FileId::dg15)).description(), "RSA-2048");
  std::vector<FileId> listed = lds::parse_ef_com(rsa.files.at(FileId::com)).data_groups;
  EXPECT_NE(std::find(listed.begin(), listed.end(), FileId::dg15), listed.end());
  EXPECT_EQ(rsa.secrets.active_authentication_hash, HashAlgorithm::sha1);

  const sim::CardData& ecdsa = ecdsa_card();
  ASSERT_TRUE(ecdsa.files.count(FileId::dg14));
  lds::SecurityInfos infos = lds::parse_security_infos(ecdsa.files.at(FileId::dg14));
  ASSERT_EQ(infos.active_authentication.size(), 1u);
  EXPECT_EQ(infos.active_authentication[0].signature_algorithm, "1.2.840.10045.4.3.2");  // ecdsa-with-SHA256
  EXPECT_EQ(crypto::parse_dg15(ecdsa.files.at(FileId::dg15)).description(), "ECDSA brainpoolP256r1");
  listed = lds::parse_ef_com(ecdsa.files.at(FileId::com)).data_groups;
  EXPECT_NE(std::find(listed.begin(), listed.end(), FileId::dg14), listed.end());
  EXPECT_NE(std::find(listed.begin(), listed.end(), FileId::dg15), listed.end());

  // Deterministic from the seed, like every generated card.
  EXPECT_EQ(aa_card(sim::AaAlgorithm::ecdsa).files.at(FileId::dg15), ecdsa.files.at(FileId::dg15));
  // Added to an existing DG14 next to what is there, in DER order.
  Bytes both = sim::dg14_with(ecdsa.files.at(FileId::dg14),
                              sim::encode_active_authentication_info(HashAlgorithm::sha1));
  EXPECT_EQ(lds::parse_security_infos(both).active_authentication.size(), 2u);
  EXPECT_EQ(error_of([] { sim::dg14_with(from_hex("6F00"), Bytes{0x30, 0x00}); }), ErrorCode::malformed_data);
  EXPECT_EQ(error_of([] { sim::ef_com_with(from_hex("6103000000"), 0x6F); }), ErrorCode::malformed_data);
}

TEST(AaCardFolder, SecretsKeepTheKeyAndHash) {
  test::TempDir dir;
  sim::CardData card = aa_card(sim::AaAlgorithm::rsa, HashAlgorithm::sha256);
  sim::write_card_folder(card, dir.path());
  sim::CardData loaded = sim::load_card_folder(dir.path());
  EXPECT_EQ(loaded.secrets.active_authentication_private_key, card.secrets.active_authentication_private_key);
  EXPECT_EQ(loaded.secrets.active_authentication_hash, HashAlgorithm::sha256);

  std::ofstream(dir.path() / sim::kSecretsFileName) << R"({"active_authentication_hash": "MD5"})";
  EXPECT_EQ(error_of([&] { sim::load_card_folder(dir.path()); }), ErrorCode::malformed_data);
  std::ofstream(dir.path() / sim::kSecretsFileName) << R"({"active_authentication_private_key": "XYZ"})";
  EXPECT_EQ(error_of([&] { sim::load_card_folder(dir.path()); }), ErrorCode::malformed_data);
  std::ofstream(dir.path() / sim::kSecretsFileName)
      << R"({"active_authentication_private_key": ")" << std::string(2 * 4097, 'A') << "\"}";
  EXPECT_EQ(error_of([&] { sim::load_card_folder(dir.path()); }), ErrorCode::malformed_data);
}

// ---- Reads ----

ReadOptions with_challenge() {
  ReadOptions options;
  options.active_authentication_challenge = kServerChallenge;
  return options;
}

void expect_authentic(const sim::CardData& card, const ReadOptions& options, const std::string& scheme) {
  std::optional<LiveChipProof> proof;  // this test read the chip itself
  ChipDump dump = sim::read_card_data(card, credentials(), options, &proof);
  ASSERT_EQ(dump.aa_challenge.size(), 8u);
  EXPECT_FALSE(dump.aa_signature.empty());
  VerifyOptions verify_options;
  verify_options.active_authentication_challenge = options.active_authentication_challenge;
  Verdict verdict = verify(dump, anchor_of(card), verify_options, proof.value());
  EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::passed) << verdict.chip_authenticity.detail;
  EXPECT_NE(verdict.chip_authenticity.detail.find(scheme), std::string::npos)
      << verdict.chip_authenticity.detail;
  EXPECT_TRUE(verdict.verified);
}

TEST(AaRead, RsaCardIsAuthentic) {
  expect_authentic(rsa_card(), {}, "RSA-2048, ISO/IEC 9796-2");
  ChipDump dump = sim::read_card_data(rsa_card(), credentials(), with_challenge());
  EXPECT_EQ(dump.aa_challenge, Bytes(kServerChallenge.begin(), kServerChallenge.end()));
  // Random challenges differ from read to read.
  EXPECT_NE(sim::read_card_data(rsa_card(), credentials(), {}).aa_challenge,
            sim::read_card_data(rsa_card(), credentials(), {}).aa_challenge);
}

TEST(AaRead, EcdsaCardIsAuthentic) {
  expect_authentic(ecdsa_card(), with_challenge(), "ECDSA with SHA-256");
}

TEST(AaRead, Sha256TrailerCard) {
  expect_authentic(aa_card(sim::AaAlgorithm::rsa, HashAlgorithm::sha256), {}, "RSA-2048");
}

TEST(AaRead, SignatureLongerThanAShortResponseComesWith61xx) {
  // Short APDUs: 256 signature bytes under AES secure messaging are 291 response bytes; the chip sends
  // 256 and 61 23, the raw channel collects the rest with GET RESPONSE.
  ReadOptions options;
  options.extended_length = false;
  expect_authentic(rsa_card(), options, "RSA-2048");
  sim::CardData short_only = rsa_card();
  short_only.secrets.extended_length = false;
  expect_authentic(short_only, {}, "RSA-2048");
}

TEST(AaRead, Rsa3072SignatureNeedsExtendedLengthOrGetResponse) {
  // 384 signature bytes: more than Le 00 asks for. With extended length the reader asks for them; on
  // short APDUs the chip sends them in 256-byte parts (61xx, GET RESPONSE).
  EvpPkeyPtr key = generate("RSA", nullptr, 3072);
  unsigned char* der = nullptr;
  const int length = i2d_PrivateKey(key.get(), &der);
  ASSERT_GT(length, 0);
  sim::CardData card = rsa_card();
  card.secrets.active_authentication_private_key.assign(der, der + length);
  OPENSSL_clear_free(der, static_cast<std::size_t>(length));
  card.files[FileId::dg15] = dg15_of(key.get());  // no longer what EF.SOD covers: checked directly here
  const crypto::AaPublicKey public_key = crypto::parse_dg15(card.files.at(FileId::dg15));
  for (bool extended : {true, false}) {
    ReadOptions options;
    options.extended_length = extended;
    ChipDump dump = sim::read_card_data(card, credentials(), options);
    ASSERT_EQ(dump.aa_signature.size(), 384u) << extended;
    EXPECT_NO_THROW(
        crypto::verify_active_authentication(public_key, std::nullopt, dump.aa_challenge, dump.aa_signature));
  }
}

TEST(AaRead, SkippedWhenNotAskedFor) {
  ReadOptions options;
  options.active_authentication = false;
  ChipDump dump = sim::read_card_data(rsa_card(), credentials(), options);
  EXPECT_TRUE(dump.aa_challenge.empty());
  Verdict verdict = verify(dump, anchor_of(rsa_card()));
  // The chip offers AA (DG15) and nothing proved it genuine: not verified.
  EXPECT_NE(verdict.chip_authenticity.status, FindingStatus::passed);
  EXPECT_NE(verdict.chip_authenticity.status, FindingStatus::not_supported);
  EXPECT_FALSE(verdict.verified);
}

void expect_clone_detected(const sim::CardData& original) {
  sim::CardData clone = sim::clone_card(original);
  EXPECT_EQ(clone.files, original.files);
  EXPECT_EQ(clone.secrets.can, original.secrets.can);
  EXPECT_NE(clone.secrets.active_authentication_private_key,
            original.secrets.active_authentication_private_key);
  ChipDump dump = sim::read_card_data(clone, credentials(), {});
  EXPECT_FALSE(dump.aa_signature.empty());
  Verdict verdict = verify(dump, anchor_of(original));
  EXPECT_EQ(verdict.data_integrity.status, FindingStatus::passed);
  EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::failed);
  EXPECT_NE(verdict.chip_authenticity.detail.find("Active Authentication"), std::string::npos);
  EXPECT_FALSE(verdict.verified);
}

TEST(AaClone, RsaCloneFails) {
  expect_clone_detected(rsa_card());
}

TEST(AaClone, EcdsaCloneFails) {
  expect_clone_detected(ecdsa_card());
}

TEST(AaClone, CamCloneGetsANewChipAuthenticationKey) {
  sim::GeneratorOptions options;
  options.pace = sim::PaceOffer{lds::PaceMapping::chip_authentication, 13, crypto::CipherKind::aes128};
  options.active_authentication.algorithm = sim::AaAlgorithm::ecdsa;
  sim::CardData card = sim::generate_card(options);
  ASSERT_FALSE(card.secrets.chip_authentication_private_key.empty());
  // DG14 holds the CA key and the ActiveAuthenticationInfo.
  lds::SecurityInfos infos = lds::parse_security_infos(card.files.at(FileId::dg14));
  EXPECT_EQ(infos.active_authentication.size(), 1u);
  EXPECT_EQ(infos.chip_authentication_public_keys.size(), 1u);
  std::optional<LiveChipProof> proof;  // this test read the chip itself
  const ChipDump read = sim::read_card_data(card, credentials(), {}, &proof);
  Verdict genuine = verify(read, anchor_of(card), {}, proof.value());
  EXPECT_EQ(genuine.chip_authenticity.status, FindingStatus::passed) << genuine.chip_authenticity.detail;
  // The same dump offline, without a challenge of the verifier's: a record, not a proof.
  Verdict offline = verify(sim::read_card_data(card, credentials(), {}), anchor_of(card));
  EXPECT_EQ(offline.chip_authenticity.status, FindingStatus::unknown) << offline.chip_authenticity.detail;
  EXPECT_FALSE(offline.verified);

  sim::CardData clone = sim::clone_card(card);
  EXPECT_NE(clone.secrets.chip_authentication_private_key, card.secrets.chip_authentication_private_key);
  EXPECT_EQ(clone.secrets.chip_authentication_private_key.size(),
            card.secrets.chip_authentication_private_key.size());
  Verdict verdict = verify(sim::read_card_data(clone, credentials(), {}), anchor_of(card));
  EXPECT_EQ(verdict.data_integrity.status, FindingStatus::passed);
  EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::failed);
  EXPECT_FALSE(verdict.verified);
}

TEST(AaClone, ChipAndActiveAuthenticationCardAndItsClone) {
  sim::GeneratorOptions options;
  options.chip_authentication = sim::chip_authentication_offer_v2();
  options.active_authentication.algorithm = sim::AaAlgorithm::ecdsa;
  sim::CardData card = sim::generate_card(options);
  // One DG14 holds Chip Authentication's entries and the ActiveAuthenticationInfo.
  lds::SecurityInfos infos = lds::parse_security_infos(card.files.at(FileId::dg14));
  EXPECT_EQ(infos.active_authentication.size(), 1u);
  EXPECT_EQ(infos.chip_authentication_public_keys.size(), 1u);
  EXPECT_EQ(infos.chip_authentication.size(), 1u);
  ChipDump dump = sim::read_card_data(card, credentials(), with_challenge());
  VerifyOptions verify_options;
  verify_options.active_authentication_challenge = kServerChallenge;
  Verdict genuine = verify(dump, anchor_of(card), verify_options);
  EXPECT_EQ(genuine.chip_authenticity.status, FindingStatus::passed) << genuine.chip_authenticity.detail;
  EXPECT_NE(genuine.chip_authenticity.detail.find("Active Authentication"), std::string::npos);
  EXPECT_TRUE(genuine.verified);

  sim::CardData clone = sim::clone_card(card);
  EXPECT_NE(clone.secrets.chip_authentication_private_key, card.secrets.chip_authentication_private_key);
  Verdict verdict = verify(sim::read_card_data(clone, credentials(), {}), anchor_of(card));
  EXPECT_EQ(verdict.data_integrity.status, FindingStatus::passed);
  EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::failed);
  EXPECT_FALSE(verdict.verified);
}

// ---- Offline ----

TEST(AaOffline, ServerChallengeMustBeTheSignedOne) {
  test::TempDir dir;
  ChipDump dump = sim::read_card_data(rsa_card(), credentials(), with_challenge());
  write_dump(dump, dir.path(), /*replace=*/true);  // the test folder exists
  ChipDump loaded = load_dump(dir.path());
  EXPECT_EQ(loaded.aa_challenge, dump.aa_challenge);
  EXPECT_EQ(loaded.aa_signature, dump.aa_signature);

  VerifyOptions right;
  right.active_authentication_challenge = kServerChallenge;
  Report report = verify_dump_folder(dir.path(), anchor_of(rsa_card()), right);
  EXPECT_EQ(report.verdict.chip_authenticity.status, FindingStatus::passed)
      << report.verdict.chip_authenticity.detail;
  EXPECT_TRUE(report.verdict.verified);

  VerifyOptions wrong;
  wrong.active_authentication_challenge = std::array<std::uint8_t, 8>{1, 2, 3, 4, 5, 6, 7, 8};
  report = verify_dump_folder(dir.path(), anchor_of(rsa_card()), wrong);
  EXPECT_EQ(report.verdict.chip_authenticity.status, FindingStatus::failed);
  EXPECT_NE(report.verdict.chip_authenticity.detail.find("another challenge"), std::string::npos);
  EXPECT_FALSE(report.verdict.verified);

  // A dump whose recorded challenge was rewritten to the server's: the signature is over another one.
  ChipDump rewritten = sim::read_card_data(rsa_card(), credentials(), {});
  rewritten.aa_challenge.assign(kServerChallenge.begin(), kServerChallenge.end());
  Verdict forged = verify(rewritten, anchor_of(rsa_card()), right);
  EXPECT_EQ(forged.chip_authenticity.status, FindingStatus::failed);
  EXPECT_NE(forged.chip_authenticity.detail.find("hash does not match"), std::string::npos);
}

TEST(AaOffline, AlteredOrMissingSignatureFails) {
  ChipDump dump = sim::read_card_data(ecdsa_card(), credentials(), {});
  ChipDump altered = dump;
  altered.aa_signature[10] ^= 0x01;
  Verdict verdict = verify(altered, anchor_of(ecdsa_card()));
  EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::failed);
  EXPECT_FALSE(verdict.verified);

  ChipDump truncated = dump;
  truncated.aa_signature.pop_back();
  EXPECT_EQ(verify(truncated, anchor_of(ecdsa_card())).chip_authenticity.status, FindingStatus::failed);

  ChipDump no_signature = dump;
  no_signature.aa_signature.clear();
  verdict = verify(no_signature, anchor_of(ecdsa_card()));
  EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::failed);
  EXPECT_NE(verdict.chip_authenticity.detail.find("no signature"), std::string::npos);

  ChipDump short_challenge = dump;
  short_challenge.aa_challenge.pop_back();
  EXPECT_EQ(verify(short_challenge, anchor_of(ecdsa_card())).chip_authenticity.status, FindingStatus::failed);

  // DG15 replaced by another key (and the SOD no longer matches): AA over that key proves nothing.
  ChipDump swapped = dump;
  EvpPkeyPtr other = generate("EC", "brainpoolP256r1");
  swapped.files[FileId::dg15] = dg15_of(other.get());
  verdict = verify(swapped, anchor_of(ecdsa_card()));
  EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::failed);
  EXPECT_NE(verdict.chip_authenticity.detail.find("not covered by a valid EF.SOD"), std::string::npos);

  // ECDSA needs DG14 (it names the hash).
  ChipDump no_dg14 = dump;
  no_dg14.files.erase(FileId::dg14);
  verdict = verify(no_dg14, anchor_of(ecdsa_card()));
  EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::failed);
  EXPECT_NE(verdict.chip_authenticity.detail.find("DG14"), std::string::npos);

  // A server's challenge but a dump without Active Authentication.
  ChipDump none = dump;
  none.aa_challenge.clear();
  none.aa_signature.clear();
  VerifyOptions options;
  options.active_authentication_challenge = kServerChallenge;
  verdict = verify(none, anchor_of(ecdsa_card()), options);
  EXPECT_EQ(verdict.chip_authenticity.status, FindingStatus::failed);
  EXPECT_NE(verdict.chip_authenticity.detail.find("no signature over the given challenge"),
            std::string::npos);
}

TEST(AaOffline, ReadJsonFieldsAreChecked) {
  test::TempDir dir;
  write_dump(sim::read_card_data(rsa_card(), credentials(), {}), dir.path(), /*replace=*/true);
  auto rewrite = [&](const std::string& text) { std::ofstream(dir.path() / "read.json") << text; };
  rewrite(R"({"active_authentication": {"challenge": "00112233445566ZZ", "signature": "00"}})");
  EXPECT_EQ(error_of([&] { load_dump(dir.path()); }), ErrorCode::malformed_data);
  rewrite(R"({"active_authentication": "0011"})");
  EXPECT_EQ(error_of([&] { load_dump(dir.path()); }), ErrorCode::malformed_data);
  rewrite(R"({"active_authentication": {"challenge": "0011", "signature": ")" +
          std::string(2 * 1024 + 2, 'A') + "\"}}");
  EXPECT_EQ(error_of([&] { load_dump(dir.path()); }), ErrorCode::malformed_data);
  rewrite(R"({"active_authentication": {"challenge": 5}})");
  EXPECT_EQ(error_of([&] { load_dump(dir.path()); }), ErrorCode::malformed_data);
}

// ---- The C API (libcccd.so, opened at run time: this test program links the static core) ----

template <class Function>
Function symbol(void* library, const char* name) {
  void* address = ::dlsym(library, name);
  EXPECT_NE(address, nullptr) << name;
  Function function = nullptr;
  std::memcpy(&function, &address, sizeof(function));
  return function;
}

TEST(AaCapi, VerifyDumpWithChallenge) {
  void* library = ::dlopen((std::string(CCCD_BINARY_DIR) + "/libcccd.so").c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(library, nullptr) << ::dlerror();
  auto trust_new = symbol<cccd_status (*)(cccd_trust**)>(library, "cccd_trust_new");
  auto trust_add = symbol<cccd_status (*)(cccd_trust*, const char*)>(library, "cccd_trust_add_path");
  auto trust_free = symbol<void (*)(cccd_trust*)>(library, "cccd_trust_free");
  auto verify_with_challenge =
      symbol<cccd_status (*)(const char*, const cccd_trust*, const unsigned char*, size_t, cccd_result**)>(
          library, "cccd_verify_dump_with_challenge");
  auto verified = symbol<int (*)(const cccd_result*)>(library, "cccd_result_verified");
  auto json = symbol<const char* (*)(const cccd_result*)>(library, "cccd_result_json");
  auto result_free = symbol<void (*)(cccd_result*)>(library, "cccd_result_free");
  ASSERT_TRUE(trust_new && trust_add && trust_free && verify_with_challenge && verified && json &&
              result_free);

  test::TempDir dir;
  const std::filesystem::path dump = dir.path() / "dump";
  write_dump(sim::read_card_data(rsa_card(), credentials(), with_challenge()), dump);
  std::ofstream(dir.path() / "csca.pem") << rsa_card().csca_pem;
  cccd_trust* trust = nullptr;
  ASSERT_EQ(trust_new(&trust), CCCD_OK);
  ASSERT_EQ(trust_add(trust, (dir.path() / "csca.pem").c_str()), CCCD_OK);

  cccd_result* result = nullptr;
  ASSERT_EQ(
      verify_with_challenge(dump.c_str(), trust, kServerChallenge.data(), kServerChallenge.size(), &result),
      CCCD_OK);
  EXPECT_EQ(verified(result), 1) << json(result);
  result_free(result);

  const unsigned char other[8] = {9, 9, 9, 9, 9, 9, 9, 9};
  result = nullptr;
  ASSERT_EQ(verify_with_challenge(dump.c_str(), trust, other, sizeof(other), &result), CCCD_OK);
  EXPECT_EQ(verified(result), 0);
  nlohmann::json parsed = nlohmann::json::parse(json(result));
  EXPECT_EQ(parsed["verdict"]["chip_authenticity"]["status"], "failed");
  EXPECT_NE(parsed["verdict"]["chip_authenticity"]["detail"].get<std::string>().find("another challenge"),
            std::string::npos);
  result_free(result);

  result = reinterpret_cast<cccd_result*>(&result);  // a stale handle is cleared on failure
  EXPECT_EQ(verify_with_challenge(dump.c_str(), trust, other, 7, &result), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(result, nullptr);
  EXPECT_EQ(verify_with_challenge(dump.c_str(), trust, nullptr, 8, &result), CCCD_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(verify_with_challenge(nullptr, trust, other, 8, &result), CCCD_ERR_INVALID_ARGUMENT);
  trust_free(trust);
  ::dlclose(library);
}

// ---- The programs ----

test::ProgramRun run(const std::string& program, const std::string& arguments) {
  return test::run_program(std::string(CCCD_BINARY_DIR) + "/" + program + " " + arguments);
}

TEST(AaCli, ReadWithAServerChallengeThenVerifyOffline) {
  test::TempDir dir;
  const std::string card = (dir.path() / "card").string();
  const std::string dump = (dir.path() / "dump").string();
  const std::string csca = (dir.path() / "card" / "csca.pem").string();
  ASSERT_EQ(run("cccd-sim", "personalise " + card + " --aa rsa").exit_code, 0);

  test::ProgramRun read =
      run("cccd-verify", "read --sim " + card + " --can 012345 --challenge 1122334455667788 --dump " + dump +
                             " --trust " + csca + " --json");
  ASSERT_EQ(read.exit_code, 0) << read.out;
  EXPECT_EQ(nlohmann::json::parse(read.out)["verdict"]["chip_authenticity"]["status"], "passed");
  std::ifstream read_json(dir.path() / "dump" / "read.json");
  nlohmann::json recorded = nlohmann::json::parse(read_json);
  EXPECT_EQ(recorded["active_authentication"]["challenge"], "1122334455667788");

  test::ProgramRun right =
      run("cccd-verify", "verify " + dump + " --trust " + csca + " --challenge 1122334455667788 --json");
  EXPECT_EQ(right.exit_code, 0) << right.out;
  test::ProgramRun wrong =
      run("cccd-verify", "verify " + dump + " --trust " + csca + " --challenge 1122334455667789 --json");
  EXPECT_EQ(wrong.exit_code, 1);
  nlohmann::json result = nlohmann::json::parse(wrong.out);
  EXPECT_EQ(result["verdict"]["chip_authenticity"]["status"], "failed");
  EXPECT_EQ(result["verdict"]["data_integrity"]["status"], "passed");

  EXPECT_EQ(run("cccd-verify", "verify " + dump + " --challenge 11223344 --json").exit_code, 2);
  EXPECT_EQ(run("cccd-verify", "read --sim " + card + " --can 012345 --challenge 112233445566778G").exit_code,
            2);

  // The clone opens with the same CAN, passes data integrity, and is found out.
  const std::string clone = (dir.path() / "clone").string();
  ASSERT_EQ(run("cccd-sim", "clone " + card + " " + clone).exit_code, 0);
  test::ProgramRun cloned =
      run("cccd-verify", "read --sim " + clone + " --can 012345 --trust " + csca + " --json");
  EXPECT_EQ(cloned.exit_code, 1);
  result = nlohmann::json::parse(cloned.out);
  EXPECT_EQ(result["verdict"]["chip_authenticity"]["status"], "failed");
  EXPECT_EQ(result["verdict"]["data_integrity"]["status"], "passed");
  EXPECT_EQ(result["verdict"]["overall"], "not_verified");
  // Cloning onto itself is refused.
  EXPECT_EQ(run("cccd-sim", "clone " + card + " " + card).exit_code, 2);
}

}  // namespace
}  // namespace cccd
