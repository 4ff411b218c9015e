#include "lds/sod.hpp"

#include "asn1/der.hpp"
#include "util/bytes.hpp"

#include <openssl/sha.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iterator>

namespace cccd::lds {
namespace {

using asn1::der_integer;
using asn1::der_octet_string;
using asn1::der_oid;

Bytes specimen(const std::string& name) {
  std::ifstream in(std::string(CCCD_TEST_DATA_DIR) + "/bsi2008/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing specimen " + name);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Bytes sha1(ByteView data) {
  Bytes digest(SHA_DIGEST_LENGTH);
  SHA1(data.data(), data.size(), digest.data());
  return digest;
}

ErrorCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::internal;  // no error: never an expected code
}

Bytes join(const std::vector<Bytes>& parts) {
  Bytes out;
  for (const Bytes& part : parts) append(out, part);
  return out;
}
Bytes sequence(const std::vector<Bytes>& parts) {
  return asn1::tlv(0x30, join(parts));
}
Bytes set(const std::vector<Bytes>& parts) {
  return asn1::tlv(0x31, join(parts));
}
Bytes algorithm(const std::string& oid, const Bytes& parameters = {}) {
  return parameters.empty() ? sequence({der_oid(oid)}) : sequence({der_oid(oid), parameters});
}

const char* const kSha256 = "2.16.840.1.101.3.4.2.1";
const char* const kEcdsaSha256 = "1.2.840.10045.4.3.2";
const char* const kLdsSecurityObject = "2.23.136.1.1.1";

// The parts of a synthetic EF.SOD; each test changes one of them.
struct SodParts {
  std::vector<std::pair<std::uint64_t, Bytes>> hashes = {
      {1, Bytes(32, 0x11)}, {2, Bytes(32, 0x22)}, {13, Bytes(32, 0x33)}, {14, Bytes(32, 0x44)}};
  std::uint64_t lds_version = 0;
  std::optional<Bytes> lds_version_info;
  std::string econtent_type = kLdsSecurityObject;
  std::string content_info_type = "1.2.840.113549.1.7.2";
  std::vector<Bytes> certificates = {
      sequence({sequence({der_integer(2)}), algorithm(kEcdsaSha256), asn1::tlv(0x03, Bytes{0x00, 0x01})})};
  bool with_certificates = true;
  bool with_crls = false;
  std::optional<Bytes> sid;  // issuerAndSerialNumber unless set
  std::uint64_t signer_version = 1;
  std::optional<std::vector<Bytes>> signed_attributes;  // contentType + messageDigest unless set
  Bytes signature_algorithm = algorithm(kEcdsaSha256);
  Bytes signature = Bytes(64, 0x5A);
  int signer_infos = 1;
  bool with_unsigned_attributes = false;
};

Bytes lds_security_object(const SodParts& p) {
  std::vector<Bytes> entries;
  for (const auto& [number, hash] : p.hashes)
    entries.push_back(sequence({der_integer(number), der_octet_string(hash)}));
  std::vector<Bytes> parts{der_integer(p.lds_version), algorithm(kSha256), sequence(entries)};
  if (p.lds_version_info) parts.push_back(*p.lds_version_info);
  return sequence(parts);
}

Bytes attribute(const std::string& oid, const std::vector<Bytes>& values) {
  return sequence({der_oid(oid), set(values)});
}

Bytes build_sod(const SodParts& p) {
  Bytes econtent = lds_security_object(p);
  Bytes issuer = sequence({set({sequence({der_oid("2.5.4.3"), asn1::der_utf8_string("CSCA VN TEST")})})});
  Bytes sid = p.sid.value_or(sequence({issuer, asn1::der_integer_unsigned(from_hex("00A1B2"))}));
  std::vector<Bytes> attributes = p.signed_attributes.value_or(std::vector<Bytes>{
      attribute("1.2.840.113549.1.9.3", {der_oid(kLdsSecurityObject)}),
      attribute("1.2.840.113549.1.9.4", {der_octet_string(Bytes(32, 0x77))}),
  });
  std::vector<Bytes> signer_parts{der_integer(p.signer_version),
                                  sid,
                                  algorithm(kSha256),
                                  asn1::tlv(0xA0, join(attributes)),
                                  p.signature_algorithm,
                                  der_octet_string(p.signature)};
  if (p.with_unsigned_attributes)
    signer_parts.push_back(asn1::tlv(0xA1, attribute("1.2.3.4", {der_integer(1)})));
  Bytes signer_info = sequence(signer_parts);
  std::vector<Bytes> signer_infos(static_cast<std::size_t>(p.signer_infos), signer_info);

  std::vector<Bytes> signed_data{
      der_integer(3), set({algorithm(kSha256)}),
      sequence({der_oid(p.econtent_type), asn1::tlv(0xA0, der_octet_string(econtent))})};
  if (p.with_certificates) signed_data.push_back(asn1::tlv(0xA0, join(p.certificates)));
  if (p.with_crls) signed_data.push_back(asn1::tlv(0xA1, sequence({der_integer(1)})));
  signed_data.push_back(set(signer_infos));
  Bytes content_info = sequence({der_oid(p.content_info_type), asn1::tlv(0xA0, sequence(signed_data))});
  return asn1::tlv(0x77, content_info);
}

// ---- the BSI specimen ----

TEST(Sod, BsiSpecimen) {
  Bytes file = specimen("EF_SOD.bin");
  SecurityObject sod = parse_sod(file);
  EXPECT_EQ(sod.econtent_type, "2.23.136.1.1.1");
  EXPECT_EQ(sod.lds_version, 0);
  EXPECT_EQ(sod.hash_algorithm, "1.3.14.3.2.26");
  EXPECT_EQ(sod.digest_algorithm, "1.3.14.3.2.26");
  EXPECT_EQ(sod.signature_algorithm, "1.2.840.10045.4.1");  // ecdsa-with-SHA1
  EXPECT_TRUE(sod.signature_algorithm_parameters.empty());  // NULL parameters count as none
  EXPECT_EQ(sod.content_type_attribute, "2.23.136.1.1.1");
  EXPECT_EQ(sod.signer_info_version, 1);
  EXPECT_EQ(to_hex(sod.signer_serial), "1267");
  EXPECT_TRUE(sod.signer_subject_key_id.empty());
  ASSERT_FALSE(sod.signer_issuer_der.empty());
  EXPECT_EQ(sod.signer_issuer_der[0], 0x30);
  ASSERT_EQ(sod.certificates.size(), 1u);
  EXPECT_EQ(sod.certificates[0].size(), 0x2A9u + 4);
  EXPECT_EQ(sod.signature.size(), 0x40u);

  // The signed attributes as signed: a SET whose contents are those of the [0] in the file.
  ASSERT_EQ(sod.signed_attributes_der.size(), 0x3Eu);
  EXPECT_EQ(sod.signed_attributes_der[0], 0x31);
  auto at = std::search(file.begin(), file.end(), sod.signed_attributes_der.begin() + 1,
                        sod.signed_attributes_der.end());
  ASSERT_NE(at, file.end());
  EXPECT_EQ(*(at - 1), 0xA0);

  // messageDigest is the hash of eContent; the data group hashes are those of the specimen files.
  EXPECT_EQ(sod.message_digest, sha1(sod.econtent));
  ASSERT_EQ(sod.data_group_hashes.size(), 4u);
  EXPECT_EQ(sod.data_group_hashes.at(1), sha1(specimen("Datagroup1.bin")));
  EXPECT_EQ(sod.data_group_hashes.at(2), sha1(specimen("Datagroup2.bin")));
  EXPECT_EQ(sod.data_group_hashes.at(3), sha1(specimen("Datagroup3.bin")));
  EXPECT_EQ(sod.data_group_hashes.at(14), sha1(specimen("Datagroup14.bin")));
}

TEST(Sod, EveryTruncationOfTheSpecimenIsMalformed) {
  Bytes file = specimen("EF_SOD.bin");
  for (std::size_t length = 0; length < file.size(); ++length) {
    Bytes prefix(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(length));
    ASSERT_EQ(code_of([&] { parse_sod(prefix); }), ErrorCode::malformed_data) << length;
  }
}

TEST(Sod, HugeLengthsAreMalformed) {
  Bytes file = specimen("EF_SOD.bin");
  Bytes outer = file;
  outer[2] = 0xFF;  // 77 82 FF30: far more than the file
  EXPECT_EQ(code_of([&] { parse_sod(outer); }), ErrorCode::malformed_data);
  Bytes wide = file;
  wide[1] = 0x88;  // a length field of eight bytes
  EXPECT_EQ(code_of([&] { parse_sod(wide); }), ErrorCode::malformed_data);
  // The eContent OCTET STRING (04 7E at offset 0x39) made to claim 0x7F bytes inside its [0] of 0x80.
  Bytes econtent = file;
  ASSERT_EQ(econtent[0x39], 0x04);
  econtent[0x3A] = 0x7F;
  EXPECT_EQ(code_of([&] { parse_sod(econtent); }), ErrorCode::malformed_data);
}

TEST(Sod, EveryByteChangedGivesAResultOrAnError) {
  // Each byte in turn set to values that upset lengths and tags: the parser must either succeed or
  // throw a malformed/limit error, never crash or read out of bounds (run under the sanitizers too).
  Bytes file = specimen("EF_SOD.bin");
  for (std::size_t i = 0; i < file.size(); ++i) {
    for (std::uint8_t value : {0x00, 0x7F, 0x80, 0x81, 0x84, 0xFF}) {
      Bytes changed = file;
      changed[i] = value;
      try {
        parse_sod(changed);
      } catch (const Error& e) {
        ASSERT_TRUE(e.code() == ErrorCode::malformed_data || e.code() == ErrorCode::limit_exceeded)
            << i << " " << int(value) << " " << e.what();
      }
    }
  }
}

// ---- synthetic security objects ----

TEST(Sod, SyntheticValid) {
  SodParts p;
  p.lds_version = 1;
  p.lds_version_info = sequence({asn1::der_printable_string("0108"), asn1::der_printable_string("040000")});
  p.with_crls = true;
  p.with_unsigned_attributes = true;
  SecurityObject sod = parse_sod(build_sod(p));
  EXPECT_EQ(sod.lds_version, 1);
  EXPECT_EQ(sod.hash_algorithm, kSha256);
  EXPECT_EQ(sod.signature_algorithm, kEcdsaSha256);
  EXPECT_EQ(to_hex(sod.signer_serial), "A1B2");
  EXPECT_EQ(sod.message_digest, Bytes(32, 0x77));
  EXPECT_EQ(sod.signature, Bytes(64, 0x5A));
  ASSERT_EQ(sod.data_group_hashes.size(), 4u);
  EXPECT_EQ(sod.data_group_hashes.at(13), Bytes(32, 0x33));
  EXPECT_EQ(sod.certificates, p.certificates);
  EXPECT_EQ(sod.econtent, lds_security_object(p));
}

TEST(Sod, SubjectKeyIdentifierAndPssParameters) {
  SodParts p;
  p.signer_version = 3;
  p.sid = asn1::tlv(0x80, Bytes{1, 2, 3, 4});
  Bytes pss = sequence({asn1::tlv(0xA0, algorithm(kSha256))});
  p.signature_algorithm = algorithm("1.2.840.113549.1.1.10", pss);
  p.with_certificates = false;
  SecurityObject sod = parse_sod(build_sod(p));
  EXPECT_EQ(sod.signer_info_version, 3);
  EXPECT_EQ(sod.signer_subject_key_id, (Bytes{1, 2, 3, 4}));
  EXPECT_TRUE(sod.signer_issuer_der.empty());
  EXPECT_EQ(sod.signature_algorithm_parameters, pss);
  EXPECT_TRUE(sod.certificates.empty());
}

// What genuine documents also write (issue 15): id-data as eContentType, a bare ContentInfo, an
// indefinite-length 77. Each parses to the same security object.
TEST(Sod, IdDataBareContentInfoAndIndefinite77) {
  SodParts p;
  Bytes file = build_sod(p);
  SecurityObject reference = parse_sod(file);
  asn1::Tlv outer = asn1::parse_one(file, 0x77);
  Bytes bare(outer.value.begin(), outer.value.end());
  EXPECT_EQ(parse_sod(bare).econtent, reference.econtent);
  Bytes indefinite{0x77, 0x80};
  append(indefinite, bare);
  append(indefinite, Bytes{0x00, 0x00});
  EXPECT_EQ(parse_sod(indefinite).signed_attributes_der, reference.signed_attributes_der);
  Bytes unclosed(indefinite.begin(), indefinite.end() - 1);
  EXPECT_EQ(code_of([&] { parse_sod(unclosed); }), ErrorCode::malformed_data);

  p.econtent_type = "1.2.840.113549.1.7.1";
  SecurityObject id_data = parse_sod(build_sod(p));
  EXPECT_EQ(id_data.econtent_type, "1.2.840.113549.1.7.1");
  EXPECT_EQ(id_data.data_group_hashes, reference.data_group_hashes);
}

TEST(Sod, CertificateCountIsBounded) {
  SodParts p;
  p.certificates.assign(kMaxSodCertificates, p.certificates[0]);
  EXPECT_EQ(parse_sod(build_sod(p)).certificates.size(), kMaxSodCertificates);
  p.certificates.push_back(p.certificates[0]);
  EXPECT_EQ(code_of([&] { parse_sod(build_sod(p)); }), ErrorCode::limit_exceeded);
}

TEST(Sod, HashCountIsBounded) {
  SodParts p;
  p.hashes.clear();
  for (std::uint64_t n = 1; n <= 16; ++n) p.hashes.emplace_back(n, Bytes(32, static_cast<std::uint8_t>(n)));
  EXPECT_EQ(parse_sod(build_sod(p)).data_group_hashes.size(), 16u);
  p.hashes.emplace_back(1, Bytes(32, 0));
  EXPECT_EQ(code_of([&] { parse_sod(build_sod(p)); }), ErrorCode::limit_exceeded);
}

TEST(Sod, RejectsBadSecurityObjects) {
  auto with = [](auto change) {
    SodParts p;
    change(p);
    return build_sod(p);
  };
  Bytes wrong_outer = build_sod(SodParts{});
  wrong_outer[0] = 0x78;
  std::vector<std::pair<std::string, Bytes>> cases = {
      {"wrong outer tag", wrong_outer},
      {"duplicate data group", with([](SodParts& p) {
         p.hashes.push_back({2, Bytes(32, 0)});
       })},
      {"data group 0", with([](SodParts& p) {
         p.hashes.push_back({0, Bytes(32, 0)});
       })},
      {"data group 17", with([](SodParts& p) {
         p.hashes.push_back({17, Bytes(32, 0)});
       })},
      {"no hashes", with([](SodParts& p) { p.hashes.clear(); })},
      {"empty hash", with([](SodParts& p) { p.hashes[0].second.clear(); })},
      {"hash of 65 bytes", with([](SodParts& p) { p.hashes[0].second.assign(65, 0); })},
      {"LDS version 2", with([](SodParts& p) { p.lds_version = 2; })},
      {"bad LDSVersionInfo", with([](SodParts& p) { p.lds_version_info = sequence({der_integer(1)}); })},
      {"not LDS security object", with([](SodParts& p) { p.econtent_type = "1.2.840.113549.1.7.5"; })},
      {"not SignedData", with([](SodParts& p) { p.content_info_type = "1.2.840.113549.1.7.1"; })},
      {"two SignerInfos", with([](SodParts& p) { p.signer_infos = 2; })},
      {"no SignerInfo", with([](SodParts& p) { p.signer_infos = 0; })},
      {"bad sid", with([](SodParts& p) { p.sid = asn1::tlv(0x81, Bytes{1}); })},
      {"empty subjectKeyIdentifier", with([](SodParts& p) { p.sid = asn1::tlv(0x80, Bytes{}); })},
      {"empty signature", with([](SodParts& p) { p.signature.clear(); })},
      {"no messageDigest", with([](SodParts& p) {
         p.signed_attributes =
             std::vector<Bytes>{attribute("1.2.840.113549.1.9.3", {der_oid(kLdsSecurityObject)})};
       })},
      {"no contentType", with([](SodParts& p) {
         p.signed_attributes =
             std::vector<Bytes>{attribute("1.2.840.113549.1.9.4", {der_octet_string(Bytes(32, 1))})};
       })},
      {"two messageDigests", with([](SodParts& p) {
         p.signed_attributes =
             std::vector<Bytes>{attribute("1.2.840.113549.1.9.3", {der_oid(kLdsSecurityObject)}),
                                attribute("1.2.840.113549.1.9.4", {der_octet_string(Bytes(32, 1))}),
                                attribute("1.2.840.113549.1.9.4", {der_octet_string(Bytes(32, 2))})};
       })},
      {"messageDigest with two values", with([](SodParts& p) {
         p.signed_attributes =
             std::vector<Bytes>{attribute("1.2.840.113549.1.9.3", {der_oid(kLdsSecurityObject)}),
                                attribute("1.2.840.113549.1.9.4",
                                          {der_octet_string(Bytes(32, 1)), der_octet_string(Bytes(32, 2))})};
       })},
      {"messageDigest not an OCTET STRING", with([](SodParts& p) {
         p.signed_attributes =
             std::vector<Bytes>{attribute("1.2.840.113549.1.9.3", {der_oid(kLdsSecurityObject)}),
                                attribute("1.2.840.113549.1.9.4", {der_integer(5)})};
       })},
      {"signature algorithm not a SEQUENCE",
       with([](SodParts& p) { p.signature_algorithm = der_oid(kEcdsaSha256); })},
      {"empty", Bytes{}},
  };
  for (const auto& [name, file] : cases) {
    SCOPED_TRACE(name);
    // A structured binding is captured explicitly: clang 14 cannot capture one implicitly.
    EXPECT_EQ(code_of([&file = file] { parse_sod(file); }), ErrorCode::malformed_data);
  }
}

TEST(Sod, EveryTruncationOfASyntheticObjectIsMalformed) {
  Bytes file = build_sod(SodParts{});
  for (std::size_t length = 0; length < file.size(); ++length) {
    Bytes prefix(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(length));
    ASSERT_EQ(code_of([&] { parse_sod(prefix); }), ErrorCode::malformed_data) << length;
  }
}

TEST(Sod, ErrorsNameTheFile) {
  try {
    parse_sod(Bytes{0x77, 0x00});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("EF.SOD: ", 0), 0u);
  }
}

}  // namespace
}  // namespace cccd::lds
