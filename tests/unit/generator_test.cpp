// The virtual card generator: test PKI, data groups, EF.SOD, access data and the card folder. Every
// product is checked with an independent reader: OpenSSL (certificates, CMS), libjpeg (the face) and the
// library's own LDS parsers.
#include "sim/generator.hpp"
#include "asn1/der.hpp"
#include "asn1/tlv.hpp"
#include "crypto/crypto.hpp"
#include "crypto/openssl_ptr.hpp"
#include "crypto/pace_domain.hpp"
#include "lds/lds.hpp"
#include "lds/mrz.hpp"
#include "lds/security_infos.hpp"
#include "lds/sod.hpp"
#include "sim/deterministic_ecdsa.hpp"
#include "sim/deterministic_random.hpp"
#include "sim/face_image.hpp"
#include "sim/test_pki.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include <jpeglib.h>
#include <sys/stat.h>
#include <sys/wait.h>

namespace cccd::sim {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------------
// OpenSSL helpers for the checks.

X509Ptr parse_certificate(const Bytes& der) {
  const unsigned char* cursor = der.data();
  X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  EXPECT_TRUE(cert);
  return cert;
}

X509Ptr certificate_from_pem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::string name_entry(X509_NAME* name, int nid) {
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(std::max(length, 0)));
  OPENSSL_free(utf8);
  return out;
}

// Verifies the DS certificate against the CSCA as the only trust anchor, at the current time.
int verify_chain(X509* csca, X509* ds) {
  X509StorePtr store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), csca);
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), ds, nullptr);
  const int ok = X509_verify_cert(ctx.get());
  return ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
}

// Verifies EF.SOD as CMS with OpenSSL: the signature by the DS (signer certificate trust not checked
// here) and returns the signed content, or nothing when the verification fails.
std::optional<Bytes> cms_verify_sod(const Bytes& sod, const Bytes& ds_der) {
  asn1::Tlv wrapper = asn1::parse_one(sod, 0x77);
  BioPtr in(BIO_new_mem_buf(wrapper.value.data(), static_cast<int>(wrapper.value.size())));
  OpensslPtr<CMS_ContentInfo, &CMS_ContentInfo_free> cms(d2i_CMS_bio(in.get(), nullptr));
  if (!cms) return std::nullopt;
  X509Ptr ds = parse_certificate(ds_der);
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> certs(
      sk_X509_new_null(), [](STACK_OF(X509) * s) { sk_X509_free(s); });
  sk_X509_push(certs.get(), ds.get());
  BioPtr out(BIO_new(BIO_s_mem()));
  if (CMS_verify(cms.get(), certs.get(), nullptr, nullptr, out.get(),
                 CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1) {
    return std::nullopt;
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(out.get(), &data);
  return Bytes(data, data + length);
}

// Decodes a JPEG with libjpeg into RGB pixels.
struct Decoded {
  int width = 0;
  int height = 0;
  int components = 0;
  Bytes pixels;
};

struct JpegErrors {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
};

void jpeg_fail(j_common_ptr info) {
  std::longjmp(reinterpret_cast<JpegErrors*>(info->err)->jump, 1);
}

bool decode_into(const Bytes& jpeg, int* width, int* height, int* components, std::uint8_t* out,
                 std::size_t capacity) {
  jpeg_decompress_struct info{};
  JpegErrors errors{};
  info.err = jpeg_std_error(&errors.manager);
  errors.manager.error_exit = jpeg_fail;
  if (setjmp(errors.jump) != 0) {
    jpeg_destroy_decompress(&info);
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, jpeg.data(), static_cast<unsigned long>(jpeg.size()));
  jpeg_read_header(&info, TRUE);
  info.out_color_space = JCS_RGB;
  jpeg_start_decompress(&info);
  *width = static_cast<int>(info.output_width);
  *height = static_cast<int>(info.output_height);
  *components = info.output_components;
  const std::size_t stride = info.output_width * static_cast<std::size_t>(info.output_components);
  if (stride * info.output_height > capacity) {
    jpeg_destroy_decompress(&info);
    return false;
  }
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = out + info.output_scanline * stride;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return true;
}

std::optional<Decoded> decode_jpeg(const Bytes& jpeg) {
  Decoded decoded;
  decoded.pixels.resize(1024 * 1024 * 3);
  if (!decode_into(jpeg, &decoded.width, &decoded.height, &decoded.components, decoded.pixels.data(),
                   decoded.pixels.size())) {
    return std::nullopt;
  }
  decoded.pixels.resize(static_cast<std::size_t>(decoded.width * decoded.height * decoded.components));
  return decoded;
}

using test::error_of;

Bytes hash256(ByteView data) {
  return crypto::hash(crypto::HashAlgorithm::sha256, data);
}

// ---------------------------------------------------------------------------------------------------
// Deterministic ECDSA and the test PKI.

TEST(DeterministicEcdsa, MatchesRfc6979P256Sha256Vector) {
  // RFC 6979 appendix A.2.5, P-256, SHA-256, message "sample".
  const Bytes key = from_hex("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");
  const Bytes signature = deterministic_ecdsa_sign(NID_X9_62_prime256v1, key, hash256(as_bytes("sample")));
  asn1::TlvReader reader(asn1::parse_one(signature, 0x30).value);
  EXPECT_EQ(to_hex(reader.expect(0x02).value),
            "00EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716");
  EXPECT_EQ(to_hex(reader.expect(0x02).value),
            "00F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8");
  reader.expect_end();
}

TEST(DeterministicEcdsa, RejectsScalarsOutOfRange) {
  const Bytes digest = hash256(as_bytes("x"));
  EXPECT_EQ(error_of([&] { deterministic_ecdsa_sign(NID_brainpoolP256r1, Bytes(32, 0), digest); }),
            ErrorCode::invalid_argument);
  const Bytes order = ec_group_order(NID_brainpoolP256r1);
  EXPECT_EQ(error_of([&] { deterministic_ecdsa_sign(NID_brainpoolP256r1, order, digest); }),
            ErrorCode::invalid_argument);
  EXPECT_EQ(error_of([&] { deterministic_ecdsa_sign(NID_undef, Bytes(32, 1), digest); }),
            ErrorCode::invalid_argument);
}

TEST(DeterministicRandom, SeedAndLabelSelectTheStream) {
  EXPECT_EQ(expand_seed(7, "a", 40), expand_seed(7, "a", 40));
  EXPECT_EQ(expand_seed(7, "a", 40).size(), 40u);
  EXPECT_NE(expand_seed(7, "a", 32), expand_seed(8, "a", 32));
  EXPECT_NE(expand_seed(7, "a", 32), expand_seed(7, "b", 32));
  // The first block is SHA-256("a" 00 seed counter).
  const SecureBytes first = expand_seed(7, "a", 32);
  EXPECT_EQ(Bytes(first.begin(), first.end()), hash256(from_hex("61"
                                                                "00"
                                                                "0000000000000007"
                                                                "00000000")));
}

TEST(TestPki, TimesAreUtcTimeBefore2050AndGeneralizedTimeAfter) {
  EXPECT_EQ(to_hex(der_time(2021, 4, 10)), "170D" + to_hex(as_bytes("210410000000Z")));
  EXPECT_EQ(to_hex(der_time(2050, 1, 1)), "180F" + to_hex(as_bytes("20500101000000Z")));
  EXPECT_EQ(to_hex(der_time(1999, 12, 31)), "170D" + to_hex(as_bytes("991231000000Z")));
}

void check_pki(SignerAlgorithm algorithm, std::uint64_t seed) {
  const TestPki pki = make_test_pki(algorithm, seed);
  X509Ptr csca = parse_certificate(pki.csca_certificate);
  X509Ptr ds = parse_certificate(pki.ds_certificate);
  ASSERT_TRUE(csca && ds);

  EXPECT_EQ(X509_verify(csca.get(), X509_get0_pubkey(csca.get())), 1);
  EXPECT_EQ(X509_verify(ds.get(), X509_get0_pubkey(csca.get())), 1);
  EXPECT_NE(X509_verify(csca.get(), X509_get0_pubkey(ds.get())), 1);
  EXPECT_EQ(verify_chain(csca.get(), ds.get()), X509_V_OK);

  const int expected_nid =
      algorithm == SignerAlgorithm::rsa_2048 ? NID_sha256WithRSAEncryption : NID_ecdsa_with_SHA256;
  EXPECT_EQ(X509_get_signature_nid(csca.get()), expected_nid);
  EXPECT_EQ(X509_get_signature_nid(ds.get()), expected_nid);
  EXPECT_EQ(X509_get_version(csca.get()), 2);

  X509_NAME* subject = X509_get_subject_name(csca.get());
  EXPECT_EQ(name_entry(subject, NID_commonName), "libcccd TEST CSCA " + std::to_string(seed));
  EXPECT_EQ(name_entry(subject, NID_organizationName), "libcccd virtual card (not a real authority)");
  EXPECT_EQ(name_entry(subject, NID_countryName), "VN");
  EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(csca.get()), subject), 0);
  EXPECT_EQ(X509_NAME_cmp(X509_get_issuer_name(ds.get()), subject), 0);
  EXPECT_EQ(name_entry(X509_get_subject_name(ds.get()), NID_commonName),
            "libcccd TEST DS " + std::to_string(seed));

  // CSCA: CA, critical; keyCertSign + cRLSign; key ids. DS: digitalSignature; AKI = CSCA SKI.
  int critical = -1;
  auto* constraints = static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(csca.get(), NID_basic_constraints, &critical, nullptr));
  ASSERT_NE(constraints, nullptr);
  EXPECT_EQ(critical, 1);
  EXPECT_TRUE(constraints->ca);
  BASIC_CONSTRAINTS_free(constraints);
  EXPECT_EQ(X509_get_key_usage(csca.get()), static_cast<std::uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_EQ(X509_get_key_usage(ds.get()), static_cast<std::uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(X509_check_ca(ds.get()), 0);
  const ASN1_OCTET_STRING* csca_ski = X509_get0_subject_key_id(csca.get());
  const ASN1_OCTET_STRING* ds_aki = X509_get0_authority_key_id(ds.get());
  ASSERT_TRUE(csca_ski && ds_aki);
  EXPECT_EQ(ASN1_STRING_length(csca_ski), 20);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(csca_ski, ds_aki), 0);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(csca_ski, X509_get0_authority_key_id(csca.get())), 0);

  // Validity: fixed dates, valid now and for years.
  ASN1_TIME* expected = ASN1_TIME_new();
  ASN1_TIME_set_string(expected, "200101000000Z");
  EXPECT_EQ(ASN1_TIME_compare(X509_get0_notBefore(csca.get()), expected), 0);
  ASN1_TIME_set_string(expected, "450101000000Z");
  EXPECT_EQ(ASN1_TIME_compare(X509_get0_notAfter(csca.get()), expected), 0);
  ASN1_TIME_set_string(expected, "210101000000Z");
  EXPECT_EQ(ASN1_TIME_compare(X509_get0_notBefore(ds.get()), expected), 0);
  ASN1_TIME_set_string(expected, "360101000000Z");
  EXPECT_EQ(ASN1_TIME_compare(X509_get0_notAfter(ds.get()), expected), 0);
  ASN1_TIME_free(expected);

  // The SignerInfo identifiers match the DS certificate.
  EXPECT_EQ(pki.ds_serial, asn1::der_integer_unsigned(Bytes(pki.ds_serial.begin() + 2, pki.ds_serial.end())));
  const ASN1_INTEGER* serial = X509_get0_serialNumber(ds.get());
  unsigned char* serial_der = nullptr;
  const int serial_length = i2d_ASN1_INTEGER(serial, &serial_der);
  EXPECT_EQ(Bytes(serial_der, serial_der + serial_length), pki.ds_serial);
  OPENSSL_free(serial_der);

  // The private keys are consistent with the certified public keys.
  EXPECT_EQ(EVP_PKEY_eq(pki.csca_key.pkey(), X509_get0_pubkey(csca.get())), 1);
  EXPECT_EQ(EVP_PKEY_eq(pki.ds_key.pkey(), X509_get0_pubkey(ds.get())), 1);
  EXPECT_EQ(EVP_PKEY_get_bits(pki.ds_key.pkey()), algorithm == SignerAlgorithm::rsa_2048 ? 2048 : 256);

  // The PEM form is the same certificate.
  X509Ptr from_pem = certificate_from_pem(certificate_pem(pki.csca_certificate));
  ASSERT_TRUE(from_pem);
  EXPECT_EQ(X509_cmp(from_pem.get(), csca.get()), 0);
}

TEST(TestPki, EcdsaCertificatesVerifyWithOpenSsl) {
  check_pki(SignerAlgorithm::ecdsa_brainpool_p256r1, 1);
}

TEST(TestPki, RsaCertificatesVerifyWithOpenSsl) {
  check_pki(SignerAlgorithm::rsa_2048, 5);
}

TEST(TestPki, EcdsaKeyIsOnBrainpoolP256r1AndSignaturesVerify) {
  const TestKey key = TestKey::derive(SignerAlgorithm::ecdsa_brainpool_p256r1, 3, "DS");
  char group[64] = {};
  std::size_t length = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(key.pkey(), group, sizeof group, &length), 1);
  EXPECT_STREQ(group, "brainpoolP256r1");
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new(key.pkey(), nullptr));
  EXPECT_EQ(EVP_PKEY_pairwise_check(check.get()), 1);

  const ByteView message = as_bytes("the signed attributes");
  const Bytes signature = key.sign(message);
  EXPECT_EQ(signature, key.sign(message));  // deterministic
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  ASSERT_EQ(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.pkey()), 1);
  EXPECT_EQ(EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()),
            1);
  const ByteView other = as_bytes("other attributes");
  ASSERT_EQ(EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.pkey()), 1);
  EXPECT_NE(EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), other.data(), other.size()), 1);
}

TEST(TestPki, RsaKeyIsAValid2048BitKeyWithExponent65537) {
  const TestKey key = TestKey::derive(SignerAlgorithm::rsa_2048, 3, "DS");
  EXPECT_EQ(EVP_PKEY_get_bits(key.pkey()), 2048);
  BIGNUM* e = nullptr;
  ASSERT_EQ(EVP_PKEY_get_bn_param(key.pkey(), "e", &e), 1);
  EXPECT_EQ(BN_get_word(e), 65537u);
  BN_free(e);
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new(key.pkey(), nullptr));
  EXPECT_EQ(EVP_PKEY_check(check.get()), 1);
  EXPECT_EQ(key.subject_public_key_info(),
            TestKey::derive(SignerAlgorithm::rsa_2048, 3, "DS").subject_public_key_info());
  EXPECT_NE(key.subject_public_key_info(),
            TestKey::derive(SignerAlgorithm::rsa_2048, 3, "CSCA").subject_public_key_info());
}

TEST(TestPki, SameSeedSameCertificatesOtherSeedOthers) {
  const TestPki a = make_test_pki(SignerAlgorithm::ecdsa_brainpool_p256r1, 42);
  const TestPki b = make_test_pki(SignerAlgorithm::ecdsa_brainpool_p256r1, 42);
  const TestPki c = make_test_pki(SignerAlgorithm::ecdsa_brainpool_p256r1, 43);
  EXPECT_EQ(a.csca_certificate, b.csca_certificate);
  EXPECT_EQ(a.ds_certificate, b.ds_certificate);
  EXPECT_NE(a.csca_certificate, c.csca_certificate);
  EXPECT_NE(a.ds_key.subject_public_key_info(), c.ds_key.subject_public_key_info());
  EXPECT_NE(a.csca_key.subject_public_key_info(), a.ds_key.subject_public_key_info());
}

// ---------------------------------------------------------------------------------------------------
// Holder validation and the MRZ.

TEST(Generator, RejectsBadHolderDataWithoutEchoingIt) {
  struct Case {
    const char* what;
    void (*change)(Holder&);
  };
  const Case cases[] = {
      {"short ID", [](Holder& h) { h.id_number = "00109901234"; }},
      {"letter in ID", [](Holder& h) { h.id_number = "00109901234X"; }},
      {"30 February", [](Holder& h) { h.birth = "1990-02-30"; }},
      {"month 13", [](Holder& h) { h.birth = "1990-13"; }},
      {"two-digit year", [](Holder& h) { h.birth = "90"; }},
      {"slashes", [](Holder& h) { h.birth = "17/05/1990"; }},
      {"29 February of a common year", [](Holder& h) { h.expiry = "2030-02-29"; }},
      {"partial expiry", [](Holder& h) { h.expiry = "2030-05"; }},
      {"issue none", [](Holder& h) { h.issue = "none"; }},
      {"year 1899", [](Holder& h) { h.birth = "1899-01-01"; }},
      {"sex", [](Holder& h) { h.sex = 'X'; }},
      {"Han character in name", [](Holder& h) { h.full_name = "Nguyễn 阮"; }},
      {"empty name", [](Holder& h) { h.full_name = "  "; }},
      {"broken UTF-8", [](Holder& h) { h.place_of_origin = "X\xC3"; }},
      {"overlong UTF-8", [](Holder& h) { h.religion = "\xC0\xAF"; }},
      {"too long", [](Holder& h) { h.place_of_residence = std::string(kMaxHolderTextBytes + 1, 'a'); }},
      {"former ID letters", [](Holder& h) { h.former_id_number = "A12"; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Holder holder;
    c.change(holder);
    try {
      validate_holder(holder);
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
      const std::string message = e.what();
      EXPECT_EQ(message.find(holder.id_number), std::string::npos);
      EXPECT_EQ(message.find(holder.birth), std::string::npos);
    }
    GeneratorOptions options;
    options.holder = holder;
    EXPECT_EQ(error_of([&] { generate_card(options); }), ErrorCode::invalid_argument);
  }
  Holder leap;
  leap.birth = "2000-02-29";
  EXPECT_NO_THROW(validate_holder(leap));
}

TEST(Generator, MrzNamesDropDiacritics) {
  EXPECT_EQ(mrz_name("Nguyễn Thị Thu Hà"), "NGUYEN<<THI<THU<HA");
  EXPECT_EQ(mrz_name("Đặng Văn Đức"), "DANG<<VAN<DUC");
  EXPECT_EQ(mrz_name("đỗ   ngọc ánh"), "DO<<NGOC<ANH");
  EXPECT_EQ(mrz_name("Lê"), "LE");
  EXPECT_EQ(mrz_name("Ưng Hoàng Phúc Ỹ"), "UNG<<HOANG<PHUC<Y");
  EXPECT_EQ(mrz_name("Nguye\xCC\x82\xCC\x83n Thi\xCC\xA3"), "NGUYEN<<THI");  // decomposed (NFD) input
  EXPECT_EQ(mrz_name("Trần Thị-Lan"), "TRAN<<THI<LAN");
}

TEST(Generator, Dg1HoldsTheTd1MrzWithRightCheckDigits) {
  const Holder holder;
  const Bytes dg1 = build_dg1(holder);
  const std::string expected =
      "IDVNM0990123459001099012345<<0"
      "9005178F3005176VNM<<<<<<<<<<<2"
      "NGUYEN<<THI<THU<HA<<<<<<<<<<<<";
  EXPECT_EQ(to_hex(ByteView(dg1).first(5)), "615D5F1F5A");
  EXPECT_EQ(as_string(ByteView(dg1).subspan(5)), expected);
  EXPECT_EQ(mrz_text(holder), expected);

  const Mrz mrz = lds::parse_dg1(dg1);
  EXPECT_TRUE(mrz.check_digits_valid);
  EXPECT_EQ(mrz.document_number, "099012345");
  EXPECT_EQ(mrz.cccd_id_number(), "001099012345");
  EXPECT_EQ(mrz.date_of_birth, "900517");
  EXPECT_EQ(mrz.date_of_expiry, "300517");
  EXPECT_EQ(mrz.sex, "F");
  EXPECT_EQ(mrz.primary_identifier, "NGUYEN");
  EXPECT_EQ(mrz.secondary_identifier, "THI THU HA");
}

TEST(Generator, Dg1WithYearOnlyBirthAndNoExpiry) {
  Holder holder;
  holder.birth = "1990";
  holder.expiry = "none";
  const std::string text = mrz_text(holder);
  EXPECT_EQ(text.substr(30, 30), "90<<<<3F9912315VNM<<<<<<<<<<<6");
  const Mrz mrz = lds::parse_dg1(build_dg1(holder));
  EXPECT_TRUE(mrz.check_digits_valid);
  EXPECT_EQ(mrz.date_of_birth, "90<<<<");
  EXPECT_EQ(mrz.date_of_expiry, "991231");
  EXPECT_EQ(card_mrz_information(holder), "099012345990<<<<39912315");
}

TEST(Generator, Dg1OfTheProfileExampleShape) {
  Holder holder;
  holder.id_number = "051091005513";
  holder.full_name = "Đặng Văn Đức";
  holder.birth = "1991-05";
  holder.sex = 'M';
  holder.expiry = "2031-01-01";
  EXPECT_EQ(mrz_text(holder),
            "IDVNM0910055134051091005513<<0"  // the line of docs/cccd-chip-profile.md
            "9105<<1M3101012VNM<<<<<<<<<<<4"
            "DANG<<VAN<DUC<<<<<<<<<<<<<<<<<");
  EXPECT_TRUE(lds::parse_mrz(mrz_text(holder)).check_digits_valid);
}

TEST(Generator, SecretsAreTheMrzInformationAndTheCan) {
  const CardData card = generate_card(GeneratorOptions{});
  EXPECT_EQ(card.secrets.mrz_information, "099012345990051783005176");
  EXPECT_EQ(card.secrets.can, "012345");
  EXPECT_TRUE(card.secrets.extended_length);
  EXPECT_EQ(card.secrets.max_response_data, 2048u);
  // The same as the reader derives from the MRZ it reads.
  const SecureString from_mrz =
      lds::mrz_information(lds::key_fields(lds::parse_dg1(card.files.at(FileId::dg1))));
  EXPECT_EQ(std::string(from_mrz.begin(), from_mrz.end()), card.secrets.mrz_information);
}

// ---------------------------------------------------------------------------------------------------
// EF.COM, EF.CardAccess, DG3, DG13.

TEST(Generator, ComAndDg3) {
  EXPECT_EQ(to_hex(build_ef_com()),
            "6016"
            "5F010430313037"
            "5F3606303430303030"
            "5C046175636D");
  const ComFile com = lds::parse_ef_com(build_ef_com());
  EXPECT_EQ(com.lds_version, "0107");
  EXPECT_EQ(com.unicode_version, "040000");
  EXPECT_EQ(com.data_groups, (std::vector<FileId>{FileId::dg1, FileId::dg2, FileId::dg3, FileId::dg13}));
  EXPECT_EQ(to_hex(build_dg3()), "63067F6103020100");
}

// The profile's 54 bytes, byte for byte (cccd-chip-profile.md, "Access control").
TEST(Generator, CardAccessIsTheProfilesFile) {
  EXPECT_EQ(to_hex(build_card_access()),
            "3134"
            "300D060804007F00070202020201"
            "01"
            "300F060A04007F00070202030202"
            "020101"
            "3012060A04007F00070202040202"
            "020102"
            "02010D");
  EXPECT_EQ(default_card().files.at(FileId::card_access), build_card_access());
}

TEST(Generator, CardAccessForOtherPaceCombinations) {
  using lds::KeyAgreement;
  using lds::PaceMapping;
  // PACE-DH-IM with 3DES on the 1024-bit MODP group (parameter id 0): the PACEInfo and TA.
  EXPECT_EQ(to_hex(build_card_access(PaceMapping::integrated, KeyAgreement::dh, crypto::CipherKind::tdes, 0)),
            "3123"
            "300D060804007F00070202020201"
            "01"
            "3012060A04007F00070202040301"
            "020102"
            "020100");
  // Without a parameter id; PACE-ECDH-CAM with AES-256.
  const lds::SecurityInfos cam = lds::parse_security_infos(build_card_access(
      PaceMapping::chip_authentication, KeyAgreement::ecdh, crypto::CipherKind::aes256, std::nullopt));
  ASSERT_EQ(cam.pace.size(), 1u);
  EXPECT_EQ(cam.pace[0].oid(), "0.4.0.127.0.7.2.2.4.6.4");
  EXPECT_EQ(cam.pace[0].version, 2u);
  EXPECT_FALSE(cam.pace[0].parameter_id.has_value());
  EXPECT_EQ(cam.terminal_authentication.size(), 1u);
  EXPECT_TRUE(cam.chip_authentication.empty());
  // Combinations without an OID.
  try {
    build_card_access(PaceMapping::chip_authentication, KeyAgreement::dh, crypto::CipherKind::aes128, 0);
    ADD_FAILURE() << "CAM with DH accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::invalid_argument);
  }
  try {
    build_card_access(PaceMapping::chip_authentication, KeyAgreement::ecdh, crypto::CipherKind::tdes, 13);
    ADD_FAILURE() << "CAM with 3DES accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::invalid_argument);
  }
}

TEST(Generator, Dg13RoundTripsThroughTheParserWithDiacriticsExact) {
  const Holder holder;
  const Bytes dg13 = build_dg13(holder, 1);
  EXPECT_EQ(to_hex(ByteView(dg13).first(1)), "6D");
  const PersonalData data = lds::parse_dg13(dg13);
  EXPECT_EQ(data.version, 1);
  ASSERT_EQ(data.fields.size(), 16u);
  for (int n = 1; n <= 16; ++n) EXPECT_EQ(data.fields[static_cast<std::size_t>(n - 1)].number, n);
  EXPECT_EQ(data.id_number(), "001099012345");
  EXPECT_EQ(data.full_name(), "Nguyễn Thị Thu Hà");
  EXPECT_EQ(data.date_of_birth(), "17/05/1990");
  EXPECT_EQ(data.sex(), "Nữ");
  EXPECT_EQ(data.nationality(), "Việt Nam");
  EXPECT_EQ(data.ethnicity(), "Kinh");
  EXPECT_EQ(data.religion(), "Không");
  EXPECT_EQ(data.place_of_origin(), "Xã Đông Hưng, Huyện Đông Hưng, Tỉnh Thái Bình");
  EXPECT_EQ(data.place_of_residence(),
            "Số 12 Ngõ 34 Phố Trần Quốc Hoàn, Phường Dịch Vọng Hậu, Quận Cầu Giấy, Hà Nội");
  EXPECT_EQ(data.identification_marks(), "Nốt ruồi C:2cm trên sau đầu mày phải");
  EXPECT_EQ(data.date_of_issue(), "10/04/2021");
  EXPECT_EQ(data.date_of_expiry(), "17/05/2030");
  EXPECT_EQ(data.father_name(), "Nguyễn Văn Hùng");
  EXPECT_EQ(data.mother_name(), "Trần Thị Lan");
  EXPECT_EQ(data.spouse_name(), "");
  EXPECT_EQ(data.former_id_number(), "034190001234");
  EXPECT_EQ(data.text(16).size(), 16u);

  // Exact encodings the profile gives: header, types, the empty spouse, the parents' nesting.
  EXPECT_EQ(to_hex(ByteView(dg13).subspan(dg13[1] == 0x82 ? 4 : 3, 1)), "30");
  EXPECT_EQ(to_hex(data.field(14)->raw), "300302010E");
  const Bytes parents = data.field(13)->raw;
  asn1::TlvReader parent_reader(asn1::parse_one(parents, 0x30).value);
  EXPECT_EQ(asn1::decode_unsigned(parent_reader.expect(0x02)), 13u);
  EXPECT_EQ(as_string(asn1::parse_one(parent_reader.expect(0x30).encoded, 0x30).value.subspan(2)),
            "Nguyễn Văn Hùng");
  EXPECT_EQ(parent_reader.expect(0x30).value[0], 0x0C);
  parent_reader.expect_end();
  for (int n : {1, 3, 11, 15, 16}) {
    SCOPED_TRACE(n);
    EXPECT_EQ(data.field(n)->raw[5], 0x13);  // PrintableString
  }
  for (int n : {2, 4, 5, 6, 7, 10, 12}) {
    SCOPED_TRACE(n);
    EXPECT_EQ(data.field(n)->raw[5], 0x0C);  // UTF8String
  }
  asn1::Tlv outer = asn1::parse_one(dg13, 0x6D);
  asn1::TlvReader reader(asn1::parse_one(outer.value, 0x30).value);
  EXPECT_EQ(to_hex(reader.expect(0x02).encoded), "020101");
  EXPECT_EQ(to_hex(reader.expect(0x06).encoded), "060628D316010008");
  reader.expect(0x31);
  reader.expect_end();
}

TEST(Generator, Dg13WithoutExpirySpouseLongAddressAndPartialBirth) {
  Holder holder;
  holder.expiry = "none";
  holder.spouse_name = "Lê Văn Bình";
  holder.birth = "1990-05";
  holder.place_of_residence = "Thôn Đông, " + std::string(300, 'x');
  holder.former_id_number.clear();
  const Bytes dg13 = build_dg13(holder, 9);
  EXPECT_EQ(dg13[1], 0x82);  // long-form length
  const PersonalData data = lds::parse_dg13(dg13);
  EXPECT_EQ(data.date_of_expiry(), "Không thời hạn");
  EXPECT_EQ(data.spouse_name(), "Lê Văn Bình");
  EXPECT_EQ(data.date_of_birth(), "05/1990");
  EXPECT_EQ(data.place_of_residence(), holder.place_of_residence);
  EXPECT_EQ(to_hex(ByteView(data.field(9)->raw).first(2)), "3082");
  EXPECT_EQ(to_hex(data.field(15)->raw), "300302010F");
  EXPECT_EQ(data.former_id_number(), "");
  holder.birth = "1990";
  EXPECT_EQ(lds::parse_dg13(build_dg13(holder, 9)).date_of_birth(), "1990");
  holder.sex = 'M';
  EXPECT_EQ(lds::parse_dg13(build_dg13(holder, 9)).sex(), "Nam");
  // Field 16 comes from the seed.
  EXPECT_EQ(lds::parse_dg13(build_dg13(holder, 9)).text(16), lds::parse_dg13(build_dg13(holder, 9)).text(16));
  EXPECT_NE(lds::parse_dg13(build_dg13(holder, 9)).text(16),
            lds::parse_dg13(build_dg13(holder, 10)).text(16));
}

// ---------------------------------------------------------------------------------------------------
// DG2: the face.

TEST(Generator, Dg2IsACbeffFacialRecordWithADecodableJpeg) {
  const Holder holder;
  const Bytes dg2 = build_dg2(holder, 1);
  const FaceImage face = lds::parse_dg2(dg2);
  EXPECT_EQ(face.format, FaceImage::Format::jpeg);
  EXPECT_EQ(face.width, kFaceWidth);
  EXPECT_EQ(face.height, kFaceHeight);
  const Bytes jpeg = face_jpeg(1, FaceGender::female);
  EXPECT_EQ(face.data, jpeg);
  EXPECT_GT(jpeg.size(), 5000u);
  EXPECT_LT(jpeg.size(), 60000u);

  // CBEFF header and the ISO/IEC 19794-5 record header, byte by byte.
  asn1::Tlv group = asn1::parse_one(dg2, 0x75);
  asn1::TlvReader group_reader(group.value);
  asn1::TlvReader info_reader(group_reader.expect(0x7F61).value);
  EXPECT_EQ(to_hex(info_reader.expect(0x02).encoded), "020101");
  asn1::TlvReader template_reader(info_reader.expect(0x7F60).value);
  EXPECT_EQ(to_hex(template_reader.expect(0xA1).encoded),
            "A10F"
            "80020101"
            "810102"
            "87020101"
            "88020008");
  asn1::Tlv record = template_reader.expect(0x5F2E);
  template_reader.expect_end();
  const ByteView fac = record.value;
  ASSERT_GT(fac.size(), 46u);
  EXPECT_EQ(to_hex(fac.first(8)), "4641430030313000");
  EXPECT_EQ(be_value(fac.subspan(8, 4)), fac.size());
  EXPECT_EQ(be_value(fac.subspan(12, 2)), 1u);
  EXPECT_EQ(be_value(fac.subspan(14, 4)), fac.size() - 14);
  EXPECT_EQ(to_hex(fac.subspan(18, 16)),
            "0000"
            "02"
            "01"
            "02"
            "000000"
            "0001"
            "000000"
            "000000");
  EXPECT_EQ(to_hex(fac.subspan(34, 12)),
            "01"
            "00"
            "00F0"
            "0140"
            "01"
            "02"
            "0000"
            "0000");
  EXPECT_EQ(Bytes(fac.begin() + 46, fac.end()), jpeg);
}

TEST(Generator, FaceJpegDecodesToTheDrawnPicture) {
  for (FaceGender gender : {FaceGender::female, FaceGender::male}) {
    const Bytes jpeg = face_jpeg(7, gender);
    EXPECT_EQ(jpeg, face_jpeg(7, gender));
    const std::optional<Decoded> decoded = decode_jpeg(jpeg);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded->width, kFaceWidth);
    EXPECT_EQ(decoded->height, kFaceHeight);
    EXPECT_EQ(decoded->components, 3);
    const Bytes drawn = draw_face(7, gender);
    ASSERT_EQ(drawn.size(), decoded->pixels.size());
    double total = 0;
    for (std::size_t i = 0; i < drawn.size(); ++i) total += std::abs(int{drawn[i]} - int{decoded->pixels[i]});
    EXPECT_LT(total / static_cast<double>(drawn.size()), 4.0);  // quality 85: close to the drawing
    // A face, not a blank: the centre is skin, the corner is the light background.
    auto pixel = [&](int x, int y) { return &drawn[static_cast<std::size_t>((y * kFaceWidth + x) * 3)]; };
    EXPECT_GT(pixel(2, 2)[0], 200);
    EXPECT_GT(pixel(120, 170)[0], pixel(120, 170)[2] + 20);  // skin: more red than blue
  }
  EXPECT_NE(draw_face(7, FaceGender::female), draw_face(8, FaceGender::female));
  EXPECT_EQ(error_of([] { encode_jpeg(Bytes(10), 2, 2, 85); }), ErrorCode::invalid_argument);
}

// ---------------------------------------------------------------------------------------------------
// EF.SOD and the whole card.

void check_card_sod(const CardData& card, SignerAlgorithm algorithm) {
  const Bytes& sod = card.files.at(FileId::sod);
  const lds::SecurityObject so = lds::parse_sod(sod);
  EXPECT_EQ(so.econtent_type, "2.23.136.1.1.1");
  EXPECT_EQ(so.content_type_attribute, "2.23.136.1.1.1");
  EXPECT_EQ(so.lds_version, 0);
  EXPECT_EQ(so.hash_algorithm, "2.16.840.1.101.3.4.2.1");
  EXPECT_EQ(so.digest_algorithm, "2.16.840.1.101.3.4.2.1");
  EXPECT_EQ(so.signer_info_version, 1);
  EXPECT_EQ(so.signature_algorithm,
            algorithm == SignerAlgorithm::rsa_2048 ? "1.2.840.113549.1.1.11" : "1.2.840.10045.4.3.2");
  ASSERT_EQ(so.data_group_hashes.size(), 4u);
  for (auto [number, file] :
       {std::pair{1, FileId::dg1}, {2, FileId::dg2}, {3, FileId::dg3}, {13, FileId::dg13}}) {
    SCOPED_TRACE(number);
    ASSERT_TRUE(so.data_group_hashes.count(number));
    EXPECT_EQ(so.data_group_hashes.at(number), hash256(card.files.at(file)));
  }
  EXPECT_EQ(so.message_digest, hash256(so.econtent));
  ASSERT_EQ(so.certificates.size(), 1u);

  // OpenSSL's CMS code verifies the signature and gives back the LDSSecurityObject ...
  const std::optional<Bytes> content = cms_verify_sod(sod, so.certificates[0]);
  ASSERT_TRUE(content);
  EXPECT_EQ(*content, so.econtent);
  // ... and the DS chains to the card's CSCA.
  X509Ptr csca = certificate_from_pem(card.csca_pem);
  X509Ptr ds = parse_certificate(so.certificates[0]);
  ASSERT_TRUE(csca && ds);
  EXPECT_EQ(verify_chain(csca.get(), ds.get()), X509_V_OK);
  const unsigned char* issuer_der = nullptr;
  std::size_t issuer_length = 0;
  ASSERT_EQ(X509_NAME_get0_der(X509_get_issuer_name(ds.get()), &issuer_der, &issuer_length), 1);
  EXPECT_EQ(so.signer_issuer_der, Bytes(issuer_der, issuer_der + issuer_length));
  const ASN1_INTEGER* serial = X509_get0_serialNumber(ds.get());
  BIGNUM* serial_bn = ASN1_INTEGER_to_BN(serial, nullptr);
  Bytes serial_bytes(static_cast<std::size_t>(BN_num_bytes(serial_bn)));
  BN_bn2bin(serial_bn, serial_bytes.data());
  BN_free(serial_bn);
  EXPECT_EQ(so.signer_serial, serial_bytes);

  // A changed bit anywhere in the signature or the signed content breaks it.
  Bytes tampered = sod;
  tampered[tampered.size() - 5] ^= 0x01;  // in the signature value
  EXPECT_FALSE(cms_verify_sod(tampered, so.certificates[0]));
  // Another card's CSCA does not anchor this DS.
  const TestPki other = make_test_pki(algorithm, 999);
  X509Ptr other_csca = parse_certificate(other.csca_certificate);
  EXPECT_NE(verify_chain(other_csca.get(), ds.get()), X509_V_OK);
}

TEST(Generator, EcdsaSodIsValidCmsOverTheDataGroupHashes) {
  const CardData card = generate_card(GeneratorOptions{});
  check_card_sod(card, SignerAlgorithm::ecdsa_brainpool_p256r1);
  EXPECT_EQ(card.files.count(FileId::dg14), 0u);
  EXPECT_EQ(card.files.count(FileId::dg15), 0u);
  // signingTime is the issue date.
  const Bytes& sod = card.files.at(FileId::sod);
  const Bytes issue_time = der_time(2021, 4, 10);
  EXPECT_NE(std::search(sod.begin(), sod.end(), issue_time.begin(), issue_time.end()), sod.end());
}

TEST(Generator, RsaSodIsValidCmsOverTheDataGroupHashes) {
  GeneratorOptions options;
  options.signer = SignerAlgorithm::rsa_2048;
  options.seed = 11;
  check_card_sod(generate_card(options), SignerAlgorithm::rsa_2048);
}

TEST(Generator, SameSeedGivesIdenticalFilesOtherSeedDifferent) {
  GeneratorOptions options;
  options.seed = 77;
  const CardData a = generate_card(options);
  const CardData b = generate_card(options);
  options.seed = 78;
  const CardData c = generate_card(options);
  EXPECT_EQ(a.files, b.files);
  EXPECT_EQ(a.csca_pem, b.csca_pem);
  EXPECT_NE(a.files.at(FileId::sod), c.files.at(FileId::sod));
  EXPECT_NE(a.files.at(FileId::dg2), c.files.at(FileId::dg2));
  EXPECT_NE(a.files.at(FileId::dg13), c.files.at(FileId::dg13));
  EXPECT_NE(a.csca_pem, c.csca_pem);
  EXPECT_EQ(a.files.at(FileId::dg1), c.files.at(FileId::dg1));  // the MRZ depends on the holder only
  const std::vector<FileId> expected{FileId::card_access, FileId::com, FileId::sod, FileId::dg1,
                                     FileId::dg2,         FileId::dg3, FileId::dg13};
  std::vector<FileId> ids;
  for (const auto& entry : a.files) ids.push_back(entry.first);
  EXPECT_EQ(ids, expected);
}

TEST(Generator, DefaultCardIsComputedOnceFromTheCccdProfile) {
  const CardData& card = default_card();
  EXPECT_EQ(&card, &default_card());
  EXPECT_EQ(card.files, generate_card(cccd_profile_options()).files);
}

// The default card is the real CCCD of docs/cccd-chip-profile.md: EF.COM lists DG1, DG2, DG3, DG13, DG14
// and DG15; DG14 offers Chip Authentication (ECDH, AES-128, version 1); DG15 holds an RSA-2048 Active
// Authentication key; the face is 15-25 KB.
TEST(Generator, DefaultCardHasTheCccdProfile) {
  const CardData& card = default_card();
  EXPECT_EQ(
      lds::parse_ef_com(card.files.at(FileId::com)).data_groups,
      (std::vector<FileId>{FileId::dg1, FileId::dg2, FileId::dg3, FileId::dg13, FileId::dg14, FileId::dg15}));
  const lds::SecurityInfos dg14 = lds::parse_security_infos(card.files.at(FileId::dg14));
  ASSERT_EQ(dg14.chip_authentication.size(), 1u);
  EXPECT_EQ(dg14.chip_authentication[0].agreement, lds::KeyAgreement::ecdh);
  EXPECT_EQ(dg14.chip_authentication[0].cipher, crypto::CipherKind::aes128);
  EXPECT_EQ(dg14.chip_authentication[0].version, 1u);
  ASSERT_EQ(dg14.chip_authentication_public_keys.size(), 1u);
  EXPECT_FALSE(card.secrets.chip_authentication_private_key.empty());
  // DG15: 6F { SubjectPublicKeyInfo } with an RSA key of 2048 bits.
  const Bytes& dg15 = card.files.at(FileId::dg15);
  ASSERT_GT(dg15.size(), 4u);
  const unsigned char* in = dg15.data() + 4;  // 6F 82 LL LL
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &in, static_cast<long>(dg15.size() - 4));
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(key), EVP_PKEY_RSA);
  EXPECT_EQ(EVP_PKEY_get_bits(key), 2048);
  EVP_PKEY_free(key);
  const std::size_t face = card.files.at(FileId::dg2).size();
  EXPECT_GE(face, 15000u);
  EXPECT_LE(face, 25000u);
}

// ---------------------------------------------------------------------------------------------------
// The PACE a generated card offers, and the static Chip Authentication key of a CAM card.

GeneratorOptions offering(lds::PaceMapping mapping, int parameter_id, crypto::CipherKind cipher,
                          std::uint64_t seed = 1) {
  GeneratorOptions options;
  options.seed = seed;
  options.pace = PaceOffer{mapping, parameter_id, cipher};
  return options;
}

TEST(GeneratorPace, WithoutAnOfferTheCardHasTheProfilesCardAccess) {
  const CardData card = generate_card(GeneratorOptions{});
  EXPECT_EQ(card.files.at(FileId::card_access).size(), 54u);
  EXPECT_EQ(card.files.at(FileId::card_access), build_card_access());
  EXPECT_TRUE(card.secrets.chip_authentication_private_key.empty());
}

TEST(GeneratorPace, AnOfferIsThePaceInfoOfTheCardAccess) {
  using lds::KeyAgreement;
  using lds::PaceMapping;
  const struct {
    PaceMapping mapping;
    int id;
    crypto::CipherKind cipher;
    KeyAgreement agreement;
  } cases[] = {
      {PaceMapping::integrated, 16, crypto::CipherKind::aes256, KeyAgreement::ecdh},
      {PaceMapping::generic, 0, crypto::CipherKind::tdes, KeyAgreement::dh},
      {PaceMapping::integrated, 2, crypto::CipherKind::aes192, KeyAgreement::dh},
      {PaceMapping::generic, 8, crypto::CipherKind::aes128, KeyAgreement::ecdh},
      {PaceMapping::chip_authentication, 18, crypto::CipherKind::aes128, KeyAgreement::ecdh},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.id);
    const CardData card = generate_card(offering(c.mapping, c.id, c.cipher));
    EXPECT_EQ(card.files.at(FileId::card_access),
              build_card_access(c.mapping, c.agreement, c.cipher, static_cast<std::uint64_t>(c.id)));
    const lds::SecurityInfos infos = lds::parse_security_infos(card.files.at(FileId::card_access));
    ASSERT_EQ(infos.pace.size(), 1u);
    EXPECT_EQ(infos.pace[0].mapping, c.mapping);
    EXPECT_EQ(infos.pace[0].agreement, c.agreement);
    EXPECT_EQ(infos.pace[0].cipher, c.cipher);
    EXPECT_EQ(infos.pace[0].parameter_id, static_cast<std::uint64_t>(c.id));
    EXPECT_EQ(card.files.count(FileId::dg14), c.mapping == PaceMapping::chip_authentication ? 1u : 0u);
    EXPECT_EQ(card.secrets.chip_authentication_private_key.empty(),
              c.mapping != PaceMapping::chip_authentication);
  }
}

TEST(GeneratorPace, NoCardAccessGivesACardWithoutEfCardAccess) {
  GeneratorOptions options;
  options.no_card_access = true;
  const CardData card = generate_card(options);
  EXPECT_EQ(card.files.count(FileId::card_access), 0u);
  EXPECT_EQ(card.files.at(FileId::com), build_ef_com());
  check_card_sod(card, SignerAlgorithm::ecdsa_brainpool_p256r1);
}

TEST(GeneratorPace, OffersThatDoNotExistAreRefused) {
  using crypto::CipherKind;
  using lds::PaceMapping;
  const GeneratorOptions bad[] = {
      offering(PaceMapping::chip_authentication, 13, CipherKind::tdes),
      offering(PaceMapping::chip_authentication, 0, CipherKind::aes128),
      offering(PaceMapping::chip_authentication, 2, CipherKind::aes256),
      offering(PaceMapping::generic, 3, CipherKind::aes128),
      offering(PaceMapping::integrated, 7, CipherKind::aes128),
      offering(PaceMapping::generic, 19, CipherKind::aes128),
      offering(PaceMapping::generic, 31, CipherKind::aes128),
      offering(PaceMapping::generic, -1, CipherKind::aes128),
      offering(PaceMapping::integrated, 10, CipherKind::aes128),
  };
  for (const GeneratorOptions& options : bad) {
    SCOPED_TRACE(options.pace->parameter_id);
    EXPECT_EQ(error_of([&] { generate_card(options); }), ErrorCode::invalid_argument);
  }
  EXPECT_EQ(error_of([&] { build_chip_authentication(13, CipherKind::tdes, 1); }),
            ErrorCode::invalid_argument);
  EXPECT_EQ(error_of([&] { build_chip_authentication(1, CipherKind::aes128, 1); }),
            ErrorCode::invalid_argument);
  EXPECT_EQ(error_of([&] { standardized_curve_oid(7); }), ErrorCode::invalid_argument);
  EXPECT_EQ(error_of([&] { standardized_curve_oid(19); }), ErrorCode::invalid_argument);
}

// The group OpenSSL names for the curve OID DG14 announces, read by OpenSSL's own SPKI decoder.
std::string openssl_group_of(const Bytes& subject_public_key_info) {
  const unsigned char* cursor = subject_public_key_info.data();
  EvpPkeyPtr key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(subject_public_key_info.size())));
  if (!key) return "(does not decode)";
  EXPECT_EQ(cursor, subject_public_key_info.data() + subject_public_key_info.size());
  char name[64] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_group_name(key.get(), name, sizeof name, &length) != 1) return "(no group)";
  return std::string(name, length);
}

TEST(GeneratorPace, ChipAuthenticationMappingCardHasItsStaticKeyInDg14) {
  const std::pair<int, const char*> curves[] = {
      {8, "prime192v1"},       {9, "brainpoolP192r1"},  {10, "secp224r1"},       {11, "brainpoolP224r1"},
      {12, "prime256v1"},      {13, "brainpoolP256r1"}, {14, "brainpoolP320r1"}, {15, "secp384r1"},
      {16, "brainpoolP384r1"}, {17, "brainpoolP512r1"}, {18, "secp521r1"},
  };
  for (const auto& [id, group] : curves) {
    SCOPED_TRACE(id);
    const crypto::CipherKind cipher = id % 2 ? crypto::CipherKind::aes256 : crypto::CipherKind::aes192;
    const CardData card = generate_card(offering(lds::PaceMapping::chip_authentication, id, cipher, 3));
    const Bytes& dg14 = card.files.at(FileId::dg14);
    ASSERT_EQ(dg14.front(), 0x6E);
    const lds::SecurityInfos infos = lds::parse_security_infos(dg14);
    ASSERT_EQ(infos.chip_authentication_public_keys.size(), 1u);
    ASSERT_EQ(infos.chip_authentication.size(), 1u);
    EXPECT_TRUE(infos.pace.empty());
    EXPECT_TRUE(infos.unknown.empty());
    const lds::ChipAuthenticationInfo& info = infos.chip_authentication[0];
    EXPECT_EQ(info.agreement, lds::KeyAgreement::ecdh);
    EXPECT_EQ(info.cipher, cipher);
    EXPECT_EQ(info.version, 1u);
    EXPECT_FALSE(info.key_id.has_value());
    const lds::ChipAuthenticationPublicKeyInfo& key = infos.chip_authentication_public_keys[0];
    EXPECT_EQ(key.agreement, lds::KeyAgreement::ecdh);
    ASSERT_TRUE(key.parameters.has_value());
    EXPECT_EQ(*key.parameters, lds::DomainParameters(lds::EcNamedCurve{standardized_curve_oid(id)}));
    EXPECT_EQ(openssl_group_of(key.subject_public_key_info), group);

    // The private scalar in the secrets is the one behind the public point, and a valid key.
    const crypto::PaceDomain domain = crypto::PaceDomain::standardized(id);
    const Bytes& private_key = card.secrets.chip_authentication_private_key;
    EXPECT_EQ(private_key.size(), domain.order_size());
    EXPECT_EQ(key.public_key, domain.public_key(private_key));
    EXPECT_NO_THROW(domain.validate_public_key(key.public_key));

    // EF.COM lists DG14 and EF.SOD covers it.
    EXPECT_EQ(lds::parse_ef_com(card.files.at(FileId::com)).data_groups,
              (std::vector<FileId>{FileId::dg1, FileId::dg2, FileId::dg3, FileId::dg13, FileId::dg14}));
    const lds::SecurityObject so = lds::parse_sod(card.files.at(FileId::sod));
    ASSERT_EQ(so.data_group_hashes.size(), 5u);
    EXPECT_EQ(so.data_group_hashes.at(14), hash256(dg14));
    EXPECT_EQ(so.data_group_hashes.at(1), hash256(card.files.at(FileId::dg1)));
    EXPECT_TRUE(cms_verify_sod(card.files.at(FileId::sod), so.certificates.at(0)));
  }
}

TEST(GeneratorPace, TheStaticKeyComesFromTheSeed) {
  const GeneratorOptions options =
      offering(lds::PaceMapping::chip_authentication, 13, crypto::CipherKind::aes128, 41);
  const CardData a = generate_card(options);
  const CardData b = generate_card(options);
  const CardData c =
      generate_card(offering(lds::PaceMapping::chip_authentication, 13, crypto::CipherKind::aes128, 42));
  EXPECT_EQ(a.files, b.files);
  EXPECT_EQ(a.secrets.chip_authentication_private_key, b.secrets.chip_authentication_private_key);
  EXPECT_NE(a.secrets.chip_authentication_private_key, c.secrets.chip_authentication_private_key);
  EXPECT_NE(a.files.at(FileId::dg14), c.files.at(FileId::dg14));
  const ChipAuthenticationKey key = build_chip_authentication(13, crypto::CipherKind::aes128, 41);
  EXPECT_EQ(key.dg14, a.files.at(FileId::dg14));
  EXPECT_EQ(Bytes(key.private_key.begin(), key.private_key.end()), a.secrets.chip_authentication_private_key);
}

// ---------------------------------------------------------------------------------------------------
// The card folder.

unsigned mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  return static_cast<unsigned>(info.st_mode & 07777);
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

TEST(CardFolder, WritesPrivateFilesAndLoadsThemBack) {
  test::TempDir temp;
  const fs::path folder = temp.path() / "card";
  const CardData& card = default_card();
  write_card_folder(card, folder);
  EXPECT_EQ(mode_of(folder), 0700u);
  for (const auto& [id, bytes] : card.files) {
    SCOPED_TRACE(std::string(file_name(id)));
    EXPECT_EQ(mode_of(folder / std::string(file_name(id))), 0600u);
    EXPECT_EQ(fs::file_size(folder / std::string(file_name(id))), bytes.size());
  }
  EXPECT_EQ(mode_of(folder / kSecretsFileName), 0600u);
  EXPECT_EQ(mode_of(folder / kCscaFileName), 0600u);

  std::ifstream secrets_file(folder / kSecretsFileName);
  const nlohmann::json secrets = nlohmann::json::parse(secrets_file);
  EXPECT_EQ(secrets.at("mrz_information"), "099012345990051783005176");
  EXPECT_EQ(secrets.at("can"), "012345");
  EXPECT_EQ(secrets.at("extended_length"), true);
  EXPECT_EQ(secrets.at("max_response_data"), 2048);

  const CardData loaded = load_card_folder(folder);
  EXPECT_EQ(loaded.files, card.files);
  EXPECT_EQ(loaded.secrets.mrz_information, card.secrets.mrz_information);
  EXPECT_EQ(loaded.secrets.can, card.secrets.can);
  EXPECT_EQ(loaded.secrets.extended_length, card.secrets.extended_length);
  EXPECT_EQ(loaded.secrets.max_response_data, card.secrets.max_response_data);
  EXPECT_EQ(loaded.csca_pem, card.csca_pem);
}

TEST(CardFolder, RewritingTightensModesAndRemovesStaleFiles) {
  test::TempDir temp;
  const fs::path folder = temp.path() / "card";
  fs::create_directories(folder);
  fs::permissions(folder, fs::perms::all);
  write_text(folder / "DG1", "old");
  fs::permissions(folder / "DG1", fs::perms::all);
  write_text(folder / "DG14", "stale");
  write_text(folder / "notes.txt", "kept");
  CardData card = generate_card(GeneratorOptions{});  // no DG14: the stale one must go
  card.csca_pem.clear();
  write_text(folder / kCscaFileName, "stale");
  write_card_folder(card, folder);
  EXPECT_EQ(mode_of(folder), 0700u);
  EXPECT_EQ(mode_of(folder / "DG1"), 0600u);
  EXPECT_FALSE(fs::exists(folder / "DG14"));
  EXPECT_FALSE(fs::exists(folder / kCscaFileName));
  EXPECT_TRUE(fs::exists(folder / "notes.txt"));
  EXPECT_EQ(load_card_folder(folder).files, card.files);
}

TEST(CardFolder, LoadErrors) {
  test::TempDir temp;
  EXPECT_EQ(error_of([&] { load_card_folder(temp.path() / "missing"); }), ErrorCode::io);
  write_text(temp.path() / "plain-file", "x");
  EXPECT_EQ(error_of([&] { load_card_folder(temp.path() / "plain-file"); }), ErrorCode::io);

  const fs::path folder = temp.path() / "card";
  write_card_folder(default_card(), folder);
  {
    std::ofstream big(folder / "DG2", std::ios::binary);
    big << std::string(kMaxCardFolderFileBytes + 1, 'x');
  }
  EXPECT_EQ(error_of([&] { load_card_folder(folder); }), ErrorCode::limit_exceeded);
  {
    std::ofstream exact(folder / "DG2", std::ios::binary | std::ios::trunc);
    exact << std::string(kMaxCardFolderFileBytes, 'x');
  }
  EXPECT_EQ(load_card_folder(folder).files.at(FileId::dg2).size(), kMaxCardFolderFileBytes);

  fs::create_directory(folder / "DG3.tmp");
  fs::remove(folder / "DG3");
  fs::create_directory(folder / "DG3");
  EXPECT_EQ(error_of([&] { load_card_folder(folder); }), ErrorCode::io);
  fs::remove(folder / "DG3");

  for (const char* bad :
       {"not json", "[1,2]", R"({"can": 12345})", R"({"mrz_information": "abc"})",
        R"({"extended_length": "yes"})", R"({"max_response_data": 0})", R"({"max_response_data": 70000})",
        R"({"max_response_data": -1})", R"({"chip_authentication_private_key": 12})",
        R"({"chip_authentication_private_key": ""})", R"({"chip_authentication_private_key": "ABC"})",
        R"({"chip_authentication_private_key": "0G"})", R"({"chip_authentication_private_key": "01 02"})"}) {
    SCOPED_TRACE(bad);
    write_text(folder / kSecretsFileName, bad);
    EXPECT_EQ(error_of([&] { load_card_folder(folder); }), ErrorCode::malformed_data);
  }
  write_text(folder / kSecretsFileName,
             R"({"chip_authentication_private_key": ")" + std::string(2 * 73, 'A') + "\"}");
  EXPECT_EQ(error_of([&] { load_card_folder(folder); }), ErrorCode::malformed_data);
  write_text(folder / kSecretsFileName,
             R"({"chip_authentication_private_key": ")" + std::string(2 * 72, 'a') + "\"}");
  EXPECT_EQ(load_card_folder(folder).secrets.chip_authentication_private_key, Bytes(72, 0xAA));
  write_text(folder / kSecretsFileName, std::string(kMaxCardFolderFileBytes + 1, ' '));
  EXPECT_EQ(error_of([&] { load_card_folder(folder); }), ErrorCode::limit_exceeded);
}

TEST(CardFolder, LoadsADumpFolderWithoutSecretsOrCsca) {
  test::TempDir temp;
  const fs::path folder = temp.path() / "dump";
  fs::create_directories(folder);
  const Bytes com = build_ef_com();
  std::ofstream(folder / "EF.COM", std::ios::binary)
      .write(reinterpret_cast<const char*>(com.data()), static_cast<std::streamsize>(com.size()));
  write_text(folder / "read.json", "{}");
  const CardData loaded = load_card_folder(folder);
  ASSERT_EQ(loaded.files.size(), 1u);
  EXPECT_EQ(loaded.files.at(FileId::com), com);
  EXPECT_TRUE(loaded.secrets.mrz_information.empty());
  EXPECT_TRUE(loaded.secrets.can.empty());
  EXPECT_TRUE(loaded.csca_pem.empty());
}

// ---------------------------------------------------------------------------------------------------
// The cccd-sim program (built beside the tests).

struct ProgramRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

ProgramRun run_sim(const std::string& arguments) {
  const std::string command = std::string(CCCD_BINARY_DIR) + "/cccd-sim " + arguments + " 2>&1";
  ProgramRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) run.output.append(buffer, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

bool sim_program_built() {
  return fs::exists(fs::path(CCCD_BINARY_DIR) / "cccd-sim");
}

TEST(CccdSim, PersonaliseWritesTheCardOfTheOptions) {
  if (!sim_program_built()) GTEST_SKIP() << "cccd-sim is not built";
  test::TempDir temp;
  const fs::path folder = temp.path() / "card";
  const ProgramRun run =
      run_sim("personalise '" + folder.string() +
              "' --id 079188001122 --name 'Đỗ Văn Ánh' --birth 1988 --expiry none --issue 2022-01-15"
              " --sex M --seed 5 --signer ecdsa");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find((folder / kCscaFileName).string()), std::string::npos);

  // The default card of personalise is the real CCCD's profile (CA v1 AES-128 in DG14, AA RSA in DG15).
  GeneratorOptions options = cccd_profile_options();
  options.holder.id_number = "079188001122";
  options.holder.full_name = "Đỗ Văn Ánh";
  options.holder.birth = "1988";
  options.holder.expiry = "none";
  options.holder.issue = "2022-01-15";
  options.holder.sex = 'M';
  options.seed = 5;
  const CardData expected = generate_card(options);
  const CardData loaded = load_card_folder(folder);
  EXPECT_EQ(loaded.files, expected.files);
  EXPECT_EQ(loaded.secrets.can, "001122");
  EXPECT_EQ(loaded.csca_pem, expected.csca_pem);

  // show lists the files and sizes, never the access data.
  const ProgramRun shown = run_sim("show '" + folder.string() + "'");
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("DG2"), std::string::npos);
  EXPECT_NE(shown.output.find(std::to_string(expected.files.at(FileId::dg2).size()) + " bytes"),
            std::string::npos);
  EXPECT_EQ(shown.output.find(expected.secrets.mrz_information), std::string::npos);
  EXPECT_EQ(shown.output.find("001122"), std::string::npos);
}

TEST(CccdSim, BadInputsExitWithCode2AndNameTheOption) {
  if (!sim_program_built()) GTEST_SKIP() << "cccd-sim is not built";
  test::TempDir temp;
  const std::string folder = "'" + (temp.path() / "card").string() + "'";
  const std::pair<std::string, std::string> cases[] = {
      {"--id 12345", "--id"},
      {"--birth 1990-02-30", "--birth"},
      {"--birth 17/05/1990", "--birth"},
      {"--expiry 2030-13-01", "--expiry"},
      {"--issue none", "--issue"},
      {"--sex X", "--sex"},
      {"--name '李'", "--name"},
      {"--signer dsa", "--signer"},
      {"--seed abc", "--seed"},
  };
  for (const auto& [arguments, option] : cases) {
    SCOPED_TRACE(arguments);
    const ProgramRun run = run_sim("personalise " + folder + " " + arguments);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.output.find(option), std::string::npos) << run.output;
  }
  EXPECT_FALSE(fs::exists(temp.path() / "card"));
  EXPECT_EQ(run_sim("").exit_code, 2);
  EXPECT_EQ(run_sim("show").exit_code, 2);
  EXPECT_EQ(run_sim("show '" + (temp.path() / "missing").string() + "'").exit_code, 7);

  // A folder with other files is not taken over.
  write_text(temp.path() / "notes.txt", "mine");
  EXPECT_EQ(run_sim("personalise '" + temp.path().string() + "'").exit_code, 2);
  EXPECT_FALSE(fs::exists(temp.path() / "DG1"));
}

TEST(CccdSim, PaceOptionChoosesTheOffer) {
  if (!sim_program_built()) GTEST_SKIP() << "cccd-sim is not built";
  test::TempDir temp;
  const fs::path im = temp.path() / "im";
  ProgramRun run = run_sim("personalise '" + im.string() + "' --seed 9 --pace im:16:aes256");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("PACE-IM, brainpoolP384r1 (id 16), AES-256"), std::string::npos) << run.output;
  // personalise writes the CCCD profile's chip proofs too: CA (not with PACE-CAM, whose key it is) and AA.
  const auto personalised = [](GeneratorOptions options) {
    if (!options.pace || options.pace->mapping != lds::PaceMapping::chip_authentication)
      options.chip_authentication = chip_authentication_offer_cccd();
    options.active_authentication.algorithm = AaAlgorithm::rsa;
    return options;
  };
  EXPECT_EQ(
      load_card_folder(im).files,
      generate_card(personalised(offering(lds::PaceMapping::integrated, 16, crypto::CipherKind::aes256, 9)))
          .files);

  const fs::path cam = temp.path() / "cam";
  run = run_sim("personalise '" + cam.string() + "' --seed 9 --pace cam:12:aes128");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const CardData expected = generate_card(
      personalised(offering(lds::PaceMapping::chip_authentication, 12, crypto::CipherKind::aes128, 9)));
  const CardData loaded = load_card_folder(cam);
  EXPECT_EQ(loaded.files, expected.files);
  EXPECT_EQ(loaded.secrets.chip_authentication_private_key, expected.secrets.chip_authentication_private_key);
  // The key is stored, never shown.
  EXPECT_EQ(run.output.find(to_hex(expected.secrets.chip_authentication_private_key)), std::string::npos);

  const fs::path none = temp.path() / "none";
  run = run_sim("personalise '" + none.string() + "' --pace none");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_FALSE(fs::exists(none / "EF.CardAccess"));
  EXPECT_TRUE(fs::exists(none / "DG1"));
}

TEST(CccdSim, BadPaceOffersExitWithCode2AndSayWhy) {
  if (!sim_program_built()) GTEST_SKIP() << "cccd-sim is not built";
  test::TempDir temp;
  const std::string folder = "'" + (temp.path() / "card").string() + "'";
  const std::pair<std::string, std::string> cases[] = {
      {"cam:13:3des", "3DES is not allowed with Chip Authentication Mapping"},
      {"cam:2:aes128", "needs an ECDH parameter id"},
      {"gm:3:aes128", "3-7 are reserved"},
      {"im:7:aes256", "3-7 are reserved"},
      {"gm:19:aes128", "0-2 (DH) or 8-18 (ECDH)"},
      {"im:10:aes128", "does not support P-224"},
      {"gm:-1:aes128", "0-2 (DH) or 8-18 (ECDH)"},
      {"gm:x:aes128", "0-2 (DH) or 8-18 (ECDH)"},
      {"xm:13:aes128", "gm, im or cam"},
      {"gm:13:aes", "3des, aes128, aes192 or aes256"},
      {"gm:13", "MAPPING:PARAM:CIPHER"},
      {"gm:13:aes128:x", "MAPPING:PARAM:CIPHER"},
      {"''", "MAPPING:PARAM:CIPHER"},
  };
  for (const auto& [value, message] : cases) {
    SCOPED_TRACE(value);
    const ProgramRun run = run_sim("personalise " + folder + " --pace " + value);
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.output.find("--pace"), std::string::npos) << run.output;
    EXPECT_NE(run.output.find(message), std::string::npos) << run.output;
  }
  EXPECT_FALSE(fs::exists(temp.path() / "card"));
}
}  // namespace
}  // namespace cccd::sim
