// SecurityInfos of EF.CardAccess and DG14: the CCCD profile's file, the ICAO worked examples, the BSI 2008
// specimen DG14, hostile inputs, and the encoders the virtual card uses.
#include "lds/security_infos.hpp"

#include "asn1/der.hpp"
#include "crypto/openssl_ptr.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"

#include <gtest/gtest.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>

namespace cccd::lds {
namespace {

using crypto::CipherKind;

// cccd-chip-profile.md, "Access control".
const char* const kProfileCardAccess =
    "3134"
    "300D060804007F0007020202020101"
    "300F060A04007F00070202030202020101"
    "3012060A04007F0007020204020202010202010D";

Bytes read_specimen(const std::string& name) {
  std::ifstream in(std::string(CCCD_TEST_DATA_DIR) + "/bsi2008/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open specimen " + name);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

ErrorCode code_of(ByteView data) {
  try {
    parse_security_infos(data);
  } catch (const Error& error) {
    return error.code();
  }
  return ErrorCode::internal;  // parsed: not what these tests expect
}

std::string message_of(ByteView data) {
  try {
    parse_security_infos(data);
  } catch (const Error& error) {
    return error.what();
  }
  return "(parsed)";
}

// Every proper prefix of `data`, the empty one included, fails as malformed data.
void expect_every_truncation_malformed(const Bytes& data) {
  for (std::size_t length = 0; length < data.size(); ++length) {
    SCOPED_TRACE(length);
    EXPECT_EQ(code_of(ByteView(data).first(length)), ErrorCode::malformed_data);
  }
}

// A SET OF with the given entries (hex), not sorted: chips do not always sort.
Bytes set_of(std::initializer_list<std::string> entries) {
  Bytes value;
  for (const std::string& entry : entries) {
    const Bytes bytes = from_hex(entry);
    value.insert(value.end(), bytes.begin(), bytes.end());
  }
  return asn1::tlv(0x31, value);
}

using test::brainpool_p256r1_explicit;

// ---------------------------------------------------------------------------------------------------
// The CCCD profile and the ICAO worked examples.

TEST(SecurityInfos, ProfileCardAccessHasTaCaAndPace) {
  const SecurityInfos infos = parse_security_infos(from_hex(kProfileCardAccess));
  ASSERT_EQ(infos.terminal_authentication.size(), 1u);
  EXPECT_EQ(infos.terminal_authentication[0].version, 1u);
  EXPECT_FALSE(infos.terminal_authentication[0].ef_cvca.has_value());

  ASSERT_EQ(infos.chip_authentication.size(), 1u);
  EXPECT_EQ(infos.chip_authentication[0].agreement, KeyAgreement::ecdh);
  EXPECT_EQ(infos.chip_authentication[0].cipher, CipherKind::aes128);
  EXPECT_EQ(infos.chip_authentication[0].version, 1u);
  EXPECT_FALSE(infos.chip_authentication[0].key_id.has_value());

  ASSERT_EQ(infos.pace.size(), 1u);
  const PaceInfo& pace = infos.pace[0];
  EXPECT_EQ(pace.mapping, PaceMapping::generic);
  EXPECT_EQ(pace.agreement, KeyAgreement::ecdh);
  EXPECT_EQ(pace.cipher, CipherKind::aes128);
  EXPECT_EQ(pace.version, 2u);
  EXPECT_EQ(pace.parameter_id, std::optional<std::uint64_t>(13));
  EXPECT_EQ(pace.oid(), "0.4.0.127.0.7.2.2.4.2.2");

  EXPECT_TRUE(infos.pace_domain_parameters.empty());
  EXPECT_TRUE(infos.chip_authentication_public_keys.empty());
  EXPECT_TRUE(infos.chip_authentication_domain_parameters.empty());
  EXPECT_TRUE(infos.active_authentication.empty());
  EXPECT_TRUE(infos.unknown.empty());
}

TEST(SecurityInfos, IcaoPaceGmEcdhCardAccess) {
  const SecurityInfos infos = parse_security_infos(test::icao_hex("pace_gm_ecdh", "ef_cardaccess"));
  ASSERT_EQ(infos.pace.size(), 1u);
  EXPECT_EQ(infos.pace[0].mapping, PaceMapping::generic);
  EXPECT_EQ(infos.pace[0].agreement, KeyAgreement::ecdh);
  EXPECT_EQ(infos.pace[0].cipher, CipherKind::aes128);
  EXPECT_EQ(infos.pace[0].version, 2u);
  EXPECT_EQ(infos.pace[0].parameter_id, std::optional<std::uint64_t>(13));
  // The OID the MSE:Set AT names is the one of the PACEInfo.
  EXPECT_EQ(asn1::der_oid(infos.pace[0].oid()),
            asn1::tlv(0x06, test::icao_hex("pace_gm_ecdh", "protocol_oid")));
  EXPECT_EQ(infos.terminal_authentication.size() + infos.chip_authentication.size() + infos.unknown.size(),
            0u);
}

TEST(SecurityInfos, IcaoPaceGmDhCardAccess) {
  const SecurityInfos infos = parse_security_infos(test::icao_hex("pace_gm_dh", "ef_cardaccess"));
  ASSERT_EQ(infos.pace.size(), 1u);
  EXPECT_EQ(infos.pace[0].mapping, PaceMapping::generic);
  EXPECT_EQ(infos.pace[0].agreement, KeyAgreement::dh);
  EXPECT_EQ(infos.pace[0].cipher, CipherKind::aes128);
  EXPECT_EQ(infos.pace[0].version, 2u);
  EXPECT_EQ(infos.pace[0].parameter_id, std::optional<std::uint64_t>(0));
  EXPECT_EQ(asn1::der_oid(infos.pace[0].oid()),
            asn1::tlv(0x06, test::icao_hex("pace_gm_dh", "protocol_oid")));
}

TEST(SecurityInfos, PaceOidsOfEveryDefinedCombination) {
  EXPECT_EQ(pace_oid(PaceMapping::generic, KeyAgreement::dh, CipherKind::tdes), "0.4.0.127.0.7.2.2.4.1.1");
  EXPECT_EQ(pace_oid(PaceMapping::generic, KeyAgreement::ecdh, CipherKind::aes256),
            "0.4.0.127.0.7.2.2.4.2.4");
  EXPECT_EQ(pace_oid(PaceMapping::integrated, KeyAgreement::dh, CipherKind::aes192),
            "0.4.0.127.0.7.2.2.4.3.3");
  EXPECT_EQ(pace_oid(PaceMapping::integrated, KeyAgreement::ecdh, CipherKind::aes128),
            "0.4.0.127.0.7.2.2.4.4.2");
  EXPECT_EQ(pace_oid(PaceMapping::chip_authentication, KeyAgreement::ecdh, CipherKind::aes128),
            "0.4.0.127.0.7.2.2.4.6.2");
  EXPECT_EQ(pace_domain_parameter_oid(PaceMapping::chip_authentication, KeyAgreement::ecdh),
            "0.4.0.127.0.7.2.2.4.6");
  for (CipherKind cipher : {CipherKind::tdes, CipherKind::aes128}) {
    try {
      pace_oid(PaceMapping::chip_authentication, KeyAgreement::dh, cipher);
      ADD_FAILURE() << "PACE-DH-CAM has no OID";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::invalid_argument);
    }
  }
  try {
    pace_oid(PaceMapping::chip_authentication, KeyAgreement::ecdh, CipherKind::tdes);
    ADD_FAILURE() << "PACE-ECDH-CAM-3DES has no OID";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::invalid_argument);
  }
  // Every defined PACEInfo parses back to its own combination.
  for (PaceMapping mapping :
       {PaceMapping::generic, PaceMapping::integrated, PaceMapping::chip_authentication})
    for (KeyAgreement agreement : {KeyAgreement::dh, KeyAgreement::ecdh})
      for (CipherKind cipher :
           {CipherKind::tdes, CipherKind::aes128, CipherKind::aes192, CipherKind::aes256}) {
        if (mapping == PaceMapping::chip_authentication &&
            (agreement == KeyAgreement::dh || cipher == CipherKind::tdes))
          continue;
        PaceInfo info;
        info.mapping = mapping;
        info.agreement = agreement;
        info.cipher = cipher;
        info.version = 2;
        const SecurityInfos parsed = parse_security_infos(asn1::tlv(0x31, encode_pace_info(info)));
        ASSERT_EQ(parsed.pace.size(), 1u);
        EXPECT_EQ(parsed.pace[0], info);
      }
}

// ---------------------------------------------------------------------------------------------------
// The BSI 2008 specimen DG14: a CA public key on explicit brainpoolP224r1, CA-ECDH-3DES and TA.

TEST(SecurityInfos, BsiSpecimenDg14) {
  const Bytes dg14 = read_specimen("Datagroup14.bin");
  const SecurityInfos infos = parse_security_infos(dg14);

  ASSERT_EQ(infos.chip_authentication_public_keys.size(), 1u);
  const ChipAuthenticationPublicKeyInfo& key = infos.chip_authentication_public_keys[0];
  EXPECT_EQ(key.agreement, KeyAgreement::ecdh);
  EXPECT_FALSE(key.key_id.has_value());
  EXPECT_EQ(key.subject_public_key_info.size(), 279u);  // 30 82 01 13 ...
  EXPECT_EQ(to_hex(ByteView(key.subject_public_key_info).first(4)), "30820113");
  ASSERT_EQ(key.public_key.size(), 57u);  // an uncompressed point on a 224-bit curve
  EXPECT_EQ(key.public_key[0], 0x04);
  ASSERT_TRUE(key.parameters.has_value());
  const auto* ec = std::get_if<EcExplicitParameters>(&*key.parameters);
  ASSERT_NE(ec, nullptr);
  // brainpoolP224r1 (RFC 5639 section 3.3).
  EXPECT_EQ(to_hex(ec->prime), "D7C134AA264366862A18302575D1D787B09F075797DA89F57EC8C0FF");
  EXPECT_EQ(to_hex(ec->order), "D7C134AA264366862A18302575D0FB98D116BC4B6DDEBCA3A5A7939F");
  EXPECT_EQ(to_hex(ec->a), "68A5E62CA9CE6C1C299803A6C1530B514E182AD8B0042A59CAD29F43");
  EXPECT_EQ(to_hex(ec->b), "2580F63CCFE44138870713B1A92369E33E2135D266DBB372386C400B");
  EXPECT_EQ(ec->base.size(), 57u);
  EXPECT_EQ(ec->cofactor, std::optional<Bytes>(Bytes{0x01}));

  // The kept SubjectPublicKeyInfo is what OpenSSL loads as the key.
  const unsigned char* cursor = key.subject_public_key_info.data();
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      d2i_PUBKEY(nullptr, &cursor, static_cast<long>(key.subject_public_key_info.size())), &EVP_PKEY_free);
  ASSERT_NE(pkey, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(pkey.get()), EVP_PKEY_EC);
  EXPECT_EQ(EVP_PKEY_get_bits(pkey.get()), 224);

  ASSERT_EQ(infos.chip_authentication.size(), 1u);
  EXPECT_EQ(infos.chip_authentication[0].agreement, KeyAgreement::ecdh);
  EXPECT_EQ(infos.chip_authentication[0].cipher, CipherKind::tdes);
  EXPECT_EQ(infos.chip_authentication[0].version, 1u);
  ASSERT_EQ(infos.terminal_authentication.size(), 1u);
  EXPECT_EQ(infos.terminal_authentication[0].version, 1u);
  EXPECT_TRUE(infos.pace.empty());
  EXPECT_TRUE(infos.unknown.empty());

  // Re-encoded (in DER order: the specimen's SET is not sorted) it parses to the same.
  EXPECT_EQ(parse_security_infos(encode_security_infos(infos)), infos);
}

// ---------------------------------------------------------------------------------------------------
// Truncation and hostile input.

TEST(SecurityInfos, EveryTruncationIsMalformed) {
  {
    SCOPED_TRACE("profile");
    expect_every_truncation_malformed(from_hex(kProfileCardAccess));
  }
  {
    SCOPED_TRACE("pace_gm_ecdh");
    expect_every_truncation_malformed(test::icao_hex("pace_gm_ecdh", "ef_cardaccess"));
  }
  {
    SCOPED_TRACE("pace_gm_dh");
    expect_every_truncation_malformed(test::icao_hex("pace_gm_dh", "ef_cardaccess"));
  }
  {
    SCOPED_TRACE("DG14");
    expect_every_truncation_malformed(read_specimen("Datagroup14.bin"));
  }
}

TEST(SecurityInfos, PaddingAfterTheFileIsIgnored) {
  Bytes padded = from_hex(kProfileCardAccess);
  padded.insert(padded.end(), {0x00, 0x00, 0xFF});
  EXPECT_EQ(parse_security_infos(padded), parse_security_infos(from_hex(kProfileCardAccess)));
}

TEST(SecurityInfos, WrongOuterStructureIsMalformed) {
  EXPECT_EQ(parse_security_infos(from_hex("3100")), SecurityInfos{});  // an empty SET holds nothing
  EXPECT_EQ(code_of(from_hex("3000")), ErrorCode::malformed_data);
  EXPECT_EQ(code_of(from_hex("3003020101")), ErrorCode::malformed_data);      // a SEQUENCE, not a SET
  EXPECT_EQ(code_of(from_hex("6D023100")), ErrorCode::malformed_data);        // DG13's tag
  EXPECT_EQ(code_of(from_hex("6E023000")), ErrorCode::malformed_data);        // DG14 without its SET
  EXPECT_EQ(code_of(from_hex("6E0431000500")), ErrorCode::malformed_data);    // more after DG14's SET
  EXPECT_EQ(code_of(from_hex("3180")), ErrorCode::malformed_data);            // indefinite length
  EXPECT_EQ(code_of(from_hex("3184FFFFFFFF30")), ErrorCode::malformed_data);  // a length past the end
  EXPECT_EQ(code_of(from_hex("3102300500")), ErrorCode::malformed_data);      // inner length past the end
  EXPECT_EQ(message_of(from_hex("3003020101")).rfind("SecurityInfos: ", 0), 0u);
}

TEST(SecurityInfos, KnownProtocolWithUnusableContentIsSkippedWithItsReason) {
  const std::string pace_oid_tlv = "060A04007F00070202040202";
  struct Case {
    const char* name;
    std::string entry;
    const char* names;
  };
  const Case cases[] = {
      {"PACEInfo without version", "300C" + pace_oid_tlv, "PACEInfo"},
      {"PACEInfo version as OCTET STRING", "300F" + pace_oid_tlv + "040102", "PACEInfo"},
      {"PACEInfo negative version", "300F" + pace_oid_tlv + "0201FF", "PACEInfo"},
      {"PACEInfo with an extra element", "3014" + pace_oid_tlv + "020102" + "02010D" + "0500", "PACEInfo"},
      {"PACEInfo parameter id as OID", "3012" + pace_oid_tlv + "020102" + "06010D", "PACEInfo"},
      {"CA info without version", "300C060A04007F00070202030202", "ChipAuthenticationInfo"},
      {"TA info with a NULL version", "300C060804007F00070202020500", "TerminalAuthenticationInfo"},
      {"AA info without its algorithm", "300B06066781080101050201 01", "ActiveAuthenticationInfo"},
      {"PACE domain parameters not an AlgorithmIdentifier", "300E060904007F000702020402020100",
       "PACEDomainParameterInfo"},
      {"PACE domain parameters of RSA", "3018060904007F000702020402300B06092A864886F70D010101",
       "PACEDomainParameterInfo"},
      // id-PACE-ECDH-GM with DH parameters.
      {"PACE ECDH with DH parameters",
       "3021060904007F000702020402301406072A8648CE3E0201300902010B020102020103", "PACEDomainParameterInfo"},
      {"CA public key with a bit string of unused bits",
       "301C060904007F000702020102300F300906072A8648CE3D020103020100", "ChipAuthenticationPublicKeyInfo"},
      // id-CA-ECDH with standardized domain parameters of a reserved id (5).
      {"CA domain parameters with a reserved standardized id",
       "3019060904007F000702020302300C060704007F0007010202"
       "0105",
       "ChipAuthenticationDomainParameterInfo"},
      {"an entry not a SEQUENCE", "0500", "SecurityInfo"},
      {"an entry without an OID", "3003020101", "SecurityInfo"},
      {"an unknown protocol with content that is not TLVs", "300706032A030404FF", "SecurityInfo"},
  };
  // Each is kept as unknown with the reason, and the PACEInfo next to it is still understood.
  const std::string pace = "3012060A04007F0007020204020202010202010D";
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string hex;
    for (char ch : c.entry)
      if (ch != ' ') hex += ch;
    const SecurityInfos infos = parse_security_infos(set_of({hex, pace}));
    ASSERT_EQ(infos.unknown.size(), 1u);
    EXPECT_EQ(to_hex(infos.unknown[0].encoded), hex);
    EXPECT_EQ(infos.unknown[0].skipped.rfind(c.names, 0), 0u) << infos.unknown[0].skipped;
    ASSERT_EQ(infos.pace.size(), 1u);
    EXPECT_EQ(infos.pace[0].parameter_id, 13u);
  }
}

// BSI TR-03110 part 3 A.2.1.1: domain parameters named by their id, as German ID cards' EF.CardAccess
// holds them in a ChipAuthenticationDomainParameterInfo (id-CA-ECDH, standardizedDomainParameters 13).
TEST(SecurityInfos, StandardizedDomainParametersAreUnderstood) {
  const std::string standardized_13 = "300C060704007F0007010202010D";
  const std::string ca_domain = "3019060904007F000702020302" + standardized_13;
  const std::string ca_domain_with_key_id = "301C060904007F000702020302" + standardized_13 + "020129";
  const std::string pace_domain = "301C060904007F000702020402" + standardized_13 + "020110";
  const std::string pace = "3012060A04007F0007020204020202010202010D";
  const SecurityInfos infos =
      parse_security_infos(set_of({ca_domain, pace, ca_domain_with_key_id, pace_domain}));
  EXPECT_TRUE(infos.unknown.empty()) << infos.unknown[0].skipped;
  ASSERT_EQ(infos.chip_authentication_domain_parameters.size(), 2u);
  const ChipAuthenticationDomainParameterInfo& ca = infos.chip_authentication_domain_parameters[0];
  EXPECT_EQ(ca.agreement, KeyAgreement::ecdh);
  EXPECT_EQ(ca.parameters, DomainParameters(StandardizedDomainParameters{13}));
  EXPECT_EQ(ca.key_id, std::nullopt);
  EXPECT_EQ(infos.chip_authentication_domain_parameters[1].key_id, 0x29u);
  ASSERT_EQ(infos.pace_domain_parameters.size(), 1u);
  EXPECT_EQ(infos.pace_domain_parameters[0].parameter_id, 16u);
  ASSERT_EQ(infos.pace.size(), 1u);
  // The group they name is brainpoolP256r1, as id 13 in a PACEInfo.
  EXPECT_EQ(key_agreement(ca.parameters), KeyAgreement::ecdh);
  EXPECT_EQ(domain_of(ca.parameters).field_bits(), 256u);
  EXPECT_EQ(key_agreement(DomainParameters(StandardizedDomainParameters{2})), KeyAgreement::dh);
  // They encode to the same bytes.
  EXPECT_EQ(to_hex(encode_domain_parameters(ca.parameters)), standardized_13);
  // id-CA-DH with an ECDH id does not match its agreement: skipped, the rest stands.
  const SecurityInfos mismatched =
      parse_security_infos(set_of({"3019060904007F000702020301" + standardized_13, pace}));
  ASSERT_EQ(mismatched.unknown.size(), 1u);
  EXPECT_EQ(mismatched.pace.size(), 1u);
}

// A DG14 key whose SubjectPublicKeyInfo names its group by the standardized id in place of the key
// algorithm (BSI TR-03110, as German ID cards write it) is a usable key, not an unknown entry.
TEST(SecurityInfos, AChipAuthenticationKeyNamedByStandardizedIdIsUnderstood) {
  const std::string standardized_13 = "300C060704007F0007010202010D";
  const std::string point = "04" + std::string(128, 'A');
  const std::string spki = "3052" + standardized_13 + "034200" + point;
  const std::string key =
      "305F060904007F00070202010230"
      "52" +
      standardized_13 + "034200" + point;
  ASSERT_EQ(spki.size(), 2u * 0x54);
  const SecurityInfos infos = parse_security_infos(set_of({key}));
  EXPECT_TRUE(infos.unknown.empty()) << infos.unknown[0].skipped;
  ASSERT_EQ(infos.chip_authentication_public_keys.size(), 1u);
  const ChipAuthenticationPublicKeyInfo& parsed = infos.chip_authentication_public_keys[0];
  EXPECT_EQ(parsed.agreement, KeyAgreement::ecdh);
  EXPECT_EQ(parsed.parameters, DomainParameters(StandardizedDomainParameters{13}));
  EXPECT_EQ(to_hex(parsed.public_key), point);
  // The same with a DH id under id-PK-ECDH does not match its agreement: skipped with its reason.
  std::string mismatched = key;
  mismatched.replace(mismatched.find("020201"
                                     "0D"),
                     8, "02020102");
  const SecurityInfos skipped = parse_security_infos(set_of({mismatched}));
  EXPECT_TRUE(skipped.chip_authentication_public_keys.empty());
  EXPECT_EQ(skipped.unknown.size(), 1u);
}

TEST(SecurityInfos, UnknownProtocolsAreKept) {
  // id-RI-ECDH-SHA-256 (Restricted Identification), an OID under id-PACE that names nothing
  // (ECDH-CAM with 3DES), a private OID with an odd payload, and the profile's PACEInfo.
  const std::string restricted_identification = "3012060A04007F00070202050203020101020101";
  const std::string cam_3des = "300F060A04007F00070202040601020102";
  const std::string private_oid = "300B06032A0304040401020304";
  const std::string pace = "3012060A04007F0007020204020202010202010D";
  const Bytes data = set_of({restricted_identification, cam_3des, private_oid, pace});
  const SecurityInfos infos = parse_security_infos(data);
  ASSERT_EQ(infos.pace.size(), 1u);
  ASSERT_EQ(infos.unknown.size(), 3u);
  EXPECT_EQ(infos.unknown[0].protocol, "0.4.0.127.0.7.2.2.5.2.3");
  EXPECT_EQ(to_hex(infos.unknown[0].encoded), restricted_identification);
  EXPECT_EQ(infos.unknown[1].protocol, "0.4.0.127.0.7.2.2.4.6.1");
  EXPECT_EQ(to_hex(infos.unknown[1].encoded), cam_3des);
  EXPECT_EQ(infos.unknown[2].protocol, "1.2.3.4");
  EXPECT_EQ(to_hex(infos.unknown[2].encoded), private_oid);
  // Unknown entries come back as they were (in DER order: sorted by their encodings).
  SecurityInfos again = parse_security_infos(encode_security_infos(infos));
  SecurityInfos sorted = infos;
  const auto by_encoding = [](const UnknownSecurityInfo& x, const UnknownSecurityInfo& y) {
    return x.encoded < y.encoded;
  };
  std::sort(sorted.unknown.begin(), sorted.unknown.end(), by_encoding);
  EXPECT_EQ(again, sorted);
}

TEST(SecurityInfos, AtMost32Entries) {
  const std::string ta = "300D060804007F0007020202020101";
  Bytes value;
  for (int i = 0; i < 32; ++i) {
    const Bytes entry = from_hex(ta);
    value.insert(value.end(), entry.begin(), entry.end());
  }
  EXPECT_EQ(parse_security_infos(asn1::tlv(0x31, value)).terminal_authentication.size(), 32u);
  const Bytes entry = from_hex(ta);
  value.insert(value.end(), entry.begin(), entry.end());
  EXPECT_EQ(code_of(asn1::tlv(0x31, value)), ErrorCode::limit_exceeded);
  // Also when the 33rd is unknown.
  value.resize(value.size() - entry.size());
  const Bytes unknown = from_hex("300506032A0304");
  value.insert(value.end(), unknown.begin(), unknown.end());
  EXPECT_EQ(code_of(asn1::tlv(0x31, value)), ErrorCode::limit_exceeded);
}

TEST(SecurityInfos, OversizedDomainParameterIsSkipped) {
  DhDomainParameters dh;
  dh.p = Bytes(kMaxDomainParameterBytes + 1, 0x7F);
  dh.g = {0x02};
  dh.q = {0x05};
  PaceDomainParameterInfo info;
  info.mapping = PaceMapping::generic;
  info.agreement = KeyAgreement::dh;
  info.parameters = dh;
  const SecurityInfos skipped =
      parse_security_infos(asn1::tlv(0x31, encode_pace_domain_parameter_info(info)));
  EXPECT_TRUE(skipped.pace_domain_parameters.empty());
  ASSERT_EQ(skipped.unknown.size(), 1u);
  EXPECT_NE(skipped.unknown[0].skipped.find("longer than"), std::string::npos) << skipped.unknown[0].skipped;
  dh.p.resize(kMaxDomainParameterBytes);
  info.parameters = dh;
  EXPECT_EQ(
      parse_security_infos(asn1::tlv(0x31, encode_pace_domain_parameter_info(info))).pace_domain_parameters,
      std::vector<PaceDomainParameterInfo>{info});
}

// ---------------------------------------------------------------------------------------------------
// Encoders.

TEST(SecurityInfos, ProfileRoundTripsByteForByte) {
  const Bytes profile = from_hex(kProfileCardAccess);
  EXPECT_EQ(to_hex(encode_security_infos(parse_security_infos(profile))), kProfileCardAccess);
  for (const char* section : {"pace_gm_ecdh", "pace_gm_dh"}) {
    SCOPED_TRACE(section);
    const Bytes card_access = test::icao_hex(section, "ef_cardaccess");
    EXPECT_EQ(encode_security_infos(parse_security_infos(card_access)), card_access);
  }
}

TEST(SecurityInfos, EncodersWriteTheDocumentedBytes) {
  PaceInfo pace;
  pace.mapping = PaceMapping::generic;
  pace.agreement = KeyAgreement::ecdh;
  pace.cipher = CipherKind::aes128;
  pace.version = 2;
  pace.parameter_id = 13;
  EXPECT_EQ(to_hex(encode_pace_info(pace)), "3012060A04007F0007020204020202010202010D");
  ChipAuthenticationInfo ca;
  ca.key_id = 7;
  EXPECT_EQ(to_hex(encode_chip_authentication_info(ca)), "3012060A04007F00070202030202020101020107");
  TerminalAuthenticationInfo ta;
  ta.version = 2;
  EXPECT_EQ(to_hex(encode_terminal_authentication_info(ta)), "300D060804007F0007020202020102");
  EXPECT_EQ(to_hex(encode_domain_parameters(EcNamedCurve{"1.3.36.3.3.2.8.1.1.7"})),
            "301406072A8648CE3D020106092B2403030208010107");
}

TEST(SecurityInfos, EverythingRoundTrips) {
  SecurityInfos infos;
  PaceInfo pace;
  pace.mapping = PaceMapping::integrated;
  pace.agreement = KeyAgreement::dh;
  pace.cipher = CipherKind::tdes;
  pace.version = 2;
  pace.parameter_id = 32;
  infos.pace.push_back(pace);
  PaceDomainParameterInfo dh_info;
  dh_info.mapping = PaceMapping::integrated;
  dh_info.agreement = KeyAgreement::dh;
  DhDomainParameters dh;
  dh.p = from_hex(test::icao_section("pace_gm_dh").at("p"));
  dh.g = from_hex(test::icao_section("pace_gm_dh").at("g"));
  dh.q = from_hex(test::icao_section("pace_gm_dh").at("q"));
  dh_info.parameters = dh;
  dh_info.parameter_id = 32;
  infos.pace_domain_parameters.push_back(dh_info);
  ChipAuthenticationInfo ca;
  ca.agreement = KeyAgreement::dh;
  ca.cipher = CipherKind::aes256;
  ca.version = 2;
  ca.key_id = 3;
  infos.chip_authentication.push_back(ca);
  ChipAuthenticationDomainParameterInfo ca_domain;
  ca_domain.agreement = KeyAgreement::ecdh;
  ca_domain.parameters = EcNamedCurve{"1.3.36.3.3.2.8.1.1.7"};
  ca_domain.key_id = 3;
  infos.chip_authentication_domain_parameters.push_back(ca_domain);
  TerminalAuthenticationInfo ta;
  ta.version = 1;
  ta.ef_cvca = from_hex(
      "3007040201"
      "1C04011C");
  infos.terminal_authentication.push_back(ta);
  ActiveAuthenticationInfo aa;
  aa.version = 1;
  aa.signature_algorithm = "0.4.0.127.0.7.1.1.4.1.3";  // ecdsa-plain-SHA256
  infos.active_authentication.push_back(aa);
  // The specimen's CA public key.
  infos.chip_authentication_public_keys =
      parse_security_infos(read_specimen("Datagroup14.bin")).chip_authentication_public_keys;
  infos.chip_authentication_public_keys[0].key_id = 3;

  const Bytes encoded = encode_security_infos(infos);
  EXPECT_EQ(parse_security_infos(encoded), infos);
  // The SET is in DER order whatever order the entries came in.
  EXPECT_EQ(encode_security_infos(parse_security_infos(encoded)), encoded);
}

TEST(SecurityInfos, ExplicitEcDomainParametersRoundTripAndLoadInOpenSsl) {
  PaceDomainParameterInfo info;
  info.mapping = PaceMapping::generic;
  info.agreement = KeyAgreement::ecdh;
  info.parameters = brainpool_p256r1_explicit();
  info.parameter_id = 31;
  const Bytes encoded = encode_pace_domain_parameter_info(info);
  const SecurityInfos parsed = parse_security_infos(asn1::tlv(0x31, encoded));
  ASSERT_EQ(parsed.pace_domain_parameters.size(), 1u);
  EXPECT_EQ(parsed.pace_domain_parameters[0], info);
  EXPECT_EQ(key_agreement(parsed.pace_domain_parameters[0].parameters), KeyAgreement::ecdh);

  // The ECParameters written are brainpoolP256r1 to OpenSSL.
  const Bytes identifier = encode_domain_parameters(info.parameters);
  const std::size_t ec_parameters_offset = 3 + 9;  // after 30 81 L and 06 07 <id-ecPublicKey>
  ASSERT_EQ(identifier[1], 0x81);
  const unsigned char* cursor = identifier.data() + ec_parameters_offset;
  std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> group(
      d2i_ECPKParameters(nullptr, &cursor, static_cast<long>(identifier.size() - ec_parameters_offset)),
      &EC_GROUP_free);
  ASSERT_NE(group, nullptr);
  std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> named(EC_GROUP_new_by_curve_name(NID_brainpoolP256r1),
                                                            &EC_GROUP_free);
  EXPECT_EQ(EC_GROUP_cmp(group.get(), named.get(), nullptr), 0);

  // A compressed base point is refused.
  EcExplicitParameters compressed = std::get<EcExplicitParameters>(info.parameters);
  compressed.base.resize(33);
  compressed.base[0] = 0x02;
  info.parameters = compressed;
  EXPECT_EQ(parse_security_infos(asn1::tlv(0x31, encode_pace_domain_parameter_info(info))).unknown.size(),
            1u);
  // Named curves round trip as well.
  info.parameters = EcNamedCurve{"1.3.36.3.3.2.8.1.1.7"};
  EXPECT_EQ(
      parse_security_infos(asn1::tlv(0x31, encode_pace_domain_parameter_info(info))).pace_domain_parameters,
      std::vector<PaceDomainParameterInfo>{info});
}

TEST(SecurityInfos, EncodingRefusesParametersOfTheOtherAgreement) {
  PaceDomainParameterInfo info;
  info.agreement = KeyAgreement::dh;
  info.parameters = EcNamedCurve{"1.3.36.3.3.2.8.1.1.7"};
  try {
    encode_pace_domain_parameter_info(info);
    ADD_FAILURE() << "DH info with EC parameters encoded";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::invalid_argument);
  }
}

}  // namespace
}  // namespace cccd::lds
