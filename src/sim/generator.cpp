#include "sim/generator.hpp"

#include "asn1/der.hpp"
#include "asn1/oids.hpp"
#include "crypto/pace_domain.hpp"
#include "crypto/pace_domain_impl.hpp"
#include "sim/deterministic_random.hpp"
#include "sim/face_image.hpp"
#include "sim/holder_fields.hpp"
#include "sim/test_pki.hpp"
#include "util/bytes.hpp"

#include <cccd/error.hpp>

#include <openssl/bn.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <vector>

namespace cccd::sim {
namespace {
using holder_detail::dg13_date;
using holder_detail::document_number;
using holder_detail::expiry_mrz;
using holder_detail::is_none;
using holder_detail::parse_date;
using holder_detail::PartialDate;

Bytes field(int number, std::initializer_list<ByteView> values) {
  Bytes contents = asn1::der_integer(static_cast<std::uint64_t>(number));
  for (ByteView value : values) append(contents, value);
  return asn1::tlv(0x30, contents);
}

}  // namespace

namespace {

// PACEInfo (version 2) and TerminalAuthenticationInfo (version 1).
lds::SecurityInfos pace_and_ta_infos(lds::PaceMapping mapping, lds::KeyAgreement agreement,
                                     crypto::CipherKind cipher, std::optional<std::uint64_t> parameter_id) {
  lds::SecurityInfos infos;
  lds::PaceInfo pace;
  pace.mapping = mapping;
  pace.agreement = agreement;
  pace.cipher = cipher;
  pace.version = 2;
  pace.parameter_id = parameter_id;
  infos.pace.push_back(pace);
  lds::TerminalAuthenticationInfo terminal_authentication;
  terminal_authentication.version = 1;
  infos.terminal_authentication.push_back(terminal_authentication);
  return infos;
}

}  // namespace

Bytes build_card_access(lds::PaceMapping mapping, lds::KeyAgreement agreement, crypto::CipherKind cipher,
                        std::optional<std::uint64_t> parameter_id) {
  return lds::encode_security_infos(pace_and_ta_infos(mapping, agreement, cipher, parameter_id));
}

Bytes build_card_access() {
  lds::SecurityInfos infos =
      pace_and_ta_infos(lds::PaceMapping::generic, lds::KeyAgreement::ecdh, crypto::CipherKind::aes128, 13);
  // The profile's chip also announces Chip Authentication (ECDH, AES-128) here.
  lds::ChipAuthenticationInfo chip_authentication;
  chip_authentication.agreement = lds::KeyAgreement::ecdh;
  chip_authentication.cipher = crypto::CipherKind::aes128;
  chip_authentication.version = 1;
  infos.chip_authentication.push_back(chip_authentication);
  return lds::encode_security_infos(infos);
}

namespace {

Bytes ef_com(ByteView data_group_tags) {
  return asn1::tlv(0x60, {asn1::tlv(0x5F01, as_bytes("0107")), asn1::tlv(0x5F36, as_bytes("040000")),
                          asn1::tlv(0x5C, data_group_tags)});
}

bool standardized_dh(int parameter_id) {
  return parameter_id >= 0 && parameter_id <= 2;
}

bool standardized_ecdh(int parameter_id) {
  return parameter_id >= 8 && parameter_id <= 18;
}

// The PACE offer checked before anything is built, so that a bad one names itself (never a crypto
// error from deep inside).
void validate_pace_offer(const PaceOffer& offer) {
  if (!standardized_dh(offer.parameter_id) && !standardized_ecdh(offer.parameter_id)) {
    throw Error(ErrorCode::invalid_argument,
                "PACE: parameter id must be 0-2 (DH) or 8-18 (ECDH); 3-7 and 19-31 are reserved");
  }
  if (offer.mapping == lds::PaceMapping::integrated && offer.parameter_id == 10) {
    // ICAO Doc 9303 Part 11: the point encoding of Integrated Mapping needs p = 3 mod 4; P-224 has not.
    throw Error(ErrorCode::invalid_argument, "PACE: Integrated Mapping does not support P-224 (id 10)");
  }
  if (offer.mapping == lds::PaceMapping::chip_authentication) {
    if (!standardized_ecdh(offer.parameter_id)) {
      throw Error(ErrorCode::invalid_argument, "PACE: Chip Authentication Mapping needs ECDH (id 8-18)");
    }
    if (offer.cipher == crypto::CipherKind::tdes) {
      throw Error(ErrorCode::invalid_argument, "PACE: Chip Authentication Mapping needs AES, not 3DES");
    }
  }
}

}  // namespace

Bytes build_ef_com() {
  const std::uint8_t data_group_tags[] = {0x61, 0x75, 0x63, 0x6D};
  return ef_com(data_group_tags);
}

Bytes build_ef_com_with_dg14() {
  const std::uint8_t data_group_tags[] = {0x61, 0x75, 0x63, 0x6D, 0x6E};
  return ef_com(data_group_tags);
}

std::string standardized_curve_oid(int parameter_id) {
  std::optional<std::string_view> oid = crypto::standardized_curve_oid(parameter_id);
  if (!oid) throw Error(ErrorCode::invalid_argument, "no standardized curve has that parameter id");
  return std::string(*oid);
}

namespace {

// A seed-derived private key of `domain`: |n| (DH: |q|) bytes with a leading zero byte (n's and q's
// leading byte is not zero), so it is below the order whatever the seed gives and needs no reduction
// (and no retry). Test data only.
SecureBytes seeded_private_key(const crypto::PaceDomain& domain, std::uint64_t seed) {
  const SecureBytes drawn = expand_seed(seed, "chip authentication", domain.order_size() - 1);
  SecureBytes scalar(domain.order_size(), 0);
  std::copy(drawn.begin(), drawn.end(), scalar.begin() + 1);
  scalar.back() |= 1;  // never zero
  return scalar;
}

Bytes magnitude(const BIGNUM* number) {
  Bytes bytes(static_cast<std::size_t>(BN_num_bytes(number)));
  BN_bn2bin(number, bytes.data());
  return bytes;
}

// The X9.42 parameters of a standardized DH domain, as DG14 carries them.
lds::DhDomainParameters dh_parameters(const crypto::PaceDomain& domain) {
  const crypto::PaceDomain::Impl& impl = domain.impl();
  return {magnitude(impl.p.get()), magnitude(impl.g.get()), magnitude(impl.q.get())};
}

}  // namespace

ChipAuthenticationOffer chip_authentication_offer_v1() {
  return {13, crypto::CipherKind::tdes, 1, std::nullopt};
}

ChipAuthenticationOffer chip_authentication_offer_v2() {
  return {13, crypto::CipherKind::aes128, 2, std::nullopt};
}

ChipAuthenticationOffer chip_authentication_offer_cccd() {
  return {13, crypto::CipherKind::aes128, 1, std::nullopt};
}

ChipAuthenticationKey build_chip_authentication(const ChipAuthenticationOffer& offer, std::uint64_t seed) {
  const bool dh = standardized_dh(offer.parameter_id);
  if (!dh && !standardized_ecdh(offer.parameter_id)) {
    throw Error(ErrorCode::invalid_argument,
                "Chip Authentication: parameter id must be 0-2 (DH) or 8-18 (ECDH), not a reserved one");
  }
  if (offer.version != 1 && offer.version != 2)
    throw Error(ErrorCode::invalid_argument, "Chip Authentication: version must be 1 or 2");
  const crypto::PaceDomain domain = crypto::PaceDomain::standardized(offer.parameter_id);
  const SecureBytes scalar = seeded_private_key(domain, seed);
  crypto::PaceKeyPair key_pair = domain.generate_key_pair(ByteView(scalar.data(), scalar.size()));

  Bytes bit_string_contents{0x00};  // no unused bits
  lds::DomainParameters parameters;
  if (dh) {
    // RFC 3279: the DH public key is an INTEGER inside the BIT STRING.
    append(bit_string_contents, asn1::der_integer_unsigned(key_pair.public_key));
    parameters = dh_parameters(domain);
  } else {
    append(bit_string_contents, key_pair.public_key);
    parameters = lds::EcNamedCurve{standardized_curve_oid(offer.parameter_id)};
  }
  if (offer.standardized_key_parameters)
    parameters = lds::StandardizedDomainParameters{static_cast<std::uint64_t>(offer.parameter_id)};
  const lds::KeyAgreement agreement = dh ? lds::KeyAgreement::dh : lds::KeyAgreement::ecdh;
  lds::ChipAuthenticationPublicKeyInfo public_key;
  public_key.agreement = agreement;
  public_key.subject_public_key_info =
      asn1::der_sequence({lds::encode_domain_parameters(parameters), asn1::tlv(0x03, bit_string_contents)});
  public_key.key_id = offer.key_id;

  lds::ChipAuthenticationInfo info;
  info.agreement = agreement;
  info.cipher = offer.cipher;
  info.version = offer.version;
  info.key_id = offer.key_id;

  lds::SecurityInfos infos;
  infos.chip_authentication_public_keys.push_back(std::move(public_key));
  infos.chip_authentication.push_back(info);
  return {std::move(key_pair.private_key), asn1::tlv(0x6E, lds::encode_security_infos(infos))};
}

ChipAuthenticationKey build_chip_authentication(int parameter_id, crypto::CipherKind cipher,
                                                std::uint64_t seed) {
  validate_pace_offer({lds::PaceMapping::chip_authentication, parameter_id, cipher});
  return build_chip_authentication(ChipAuthenticationOffer{parameter_id, cipher, 1, std::nullopt}, seed);
}

Bytes build_dg1(const Holder& holder) {
  return asn1::tlv(0x61, {asn1::tlv(0x5F1F, as_bytes(mrz_text(holder)))});
}

Bytes build_dg3() {
  // A biometric information group template that holds no fingerprint.
  return asn1::tlv(0x63, {asn1::tlv(0x7F61, {asn1::der_integer(0)})});
}

Bytes build_dg13(const Holder& holder, std::uint64_t seed) {
  validate_holder(holder);
  using asn1::der_printable_string;
  using asn1::der_utf8_string;
  const std::string expiry =
      is_none(holder.expiry) ? "Không thời hạn" : dg13_date(parse_date(holder.expiry, false, "expiry"));
  const Bytes spouse = holder.spouse_name.empty()
                           ? field(14, {})
                           : field(14, {asn1::der_sequence({der_utf8_string(holder.spouse_name)})});
  // Field 16 is undocumented (16 characters on real cards): a seed-derived stand-in.
  const std::string field16 = to_hex(view(expand_seed(seed, "DG13 field 16", 8)));
  const Bytes fields[] = {
      field(1, {der_printable_string(holder.id_number)}),
      field(2, {der_utf8_string(holder.full_name)}),
      field(3, {der_printable_string(dg13_date(parse_date(holder.birth, true, "birth date")))}),
      field(4, {der_utf8_string(holder.sex == "M" ? "Nam" : "Nữ")}),
      field(5, {der_utf8_string(holder.nationality)}),
      field(6, {der_utf8_string(holder.ethnicity)}),
      field(7, {der_utf8_string(holder.religion)}),
      field(8, {der_utf8_string(holder.place_of_origin)}),
      field(9, {der_utf8_string(holder.place_of_residence)}),
      field(10, {der_utf8_string(holder.identification_marks)}),
      field(11, {der_printable_string(dg13_date(parse_date(holder.issue, false, "issue date")))}),
      field(12, {der_utf8_string(expiry)}),
      field(13, {asn1::der_sequence({der_utf8_string(holder.father_name)}),
                 asn1::der_sequence({der_utf8_string(holder.mother_name)})}),
      spouse,
      holder.former_id_number.empty() ? field(15, {})
                                      : field(15, {der_printable_string(holder.former_id_number)}),
      field(16, {der_printable_string(field16)}),
  };
  Bytes set_contents;
  for (const Bytes& f : fields) append(set_contents, f);
  return asn1::tlv(0x6D, {asn1::der_sequence({asn1::der_integer(1), asn1::der_oid(asn1::oid::kIso10646Utf8),
                                              asn1::tlv(0x31, set_contents)})});
}

CardData generate_card(const GeneratorOptions& options) {
  const Holder& holder = options.holder;
  validate_holder(holder);
  if (options.pace) validate_pace_offer(*options.pace);
  CardData card;
  std::optional<ChipAuthenticationKey> chip_authentication;
  if (options.pace && options.pace->mapping == lds::PaceMapping::chip_authentication) {
    if (options.chip_authentication) {
      throw Error(ErrorCode::invalid_argument,
                  "Chip Authentication: a PACE-CAM card already carries its Chip Authentication key");
    }
    chip_authentication =
        build_chip_authentication(options.pace->parameter_id, options.pace->cipher, options.seed);
  } else if (options.chip_authentication) {
    chip_authentication = build_chip_authentication(*options.chip_authentication, options.seed);
  }
  if (options.no_card_access) {
    // A card without EF.CardAccess: readers open it with BAC.
  } else if (options.pace) {
    const PaceOffer& offer = *options.pace;
    const lds::KeyAgreement agreement =
        standardized_dh(offer.parameter_id) ? lds::KeyAgreement::dh : lds::KeyAgreement::ecdh;
    card.files[FileId::card_access] = build_card_access(offer.mapping, agreement, offer.cipher,
                                                        static_cast<std::uint64_t>(offer.parameter_id));
  } else {
    card.files[FileId::card_access] = build_card_access();
  }
  card.files[FileId::com] = chip_authentication ? build_ef_com_with_dg14() : build_ef_com();
  card.files[FileId::dg1] = build_dg1(holder);
  card.files[FileId::dg2] = build_dg2(holder, options.seed, options.face_format);
  card.files[FileId::dg3] = build_dg3();
  card.files[FileId::dg13] = build_dg13(holder, options.seed);

  std::map<int, Bytes> hashed = {{1, card.files[FileId::dg1]},
                                 {2, card.files[FileId::dg2]},
                                 {3, card.files[FileId::dg3]},
                                 {13, card.files[FileId::dg13]}};
  if (chip_authentication) {
    card.files[FileId::dg14] = chip_authentication->dg14;
    hashed[14] = chip_authentication->dg14;
    card.secrets.chip_authentication_private_key.assign(chip_authentication->private_key.begin(),
                                                        chip_authentication->private_key.end());
  }

  add_active_authentication(card, hashed, options.active_authentication, options.seed);

  const TestPki pki = make_test_pki(options.signer, options.seed);
  const PartialDate issue = parse_date(holder.issue, false, "issue date");
  card.files[FileId::sod] = build_sod(hashed, pki, der_time(issue.year, issue.month, issue.day));
  card.secrets.mrz_information = card_mrz_information(holder);
  card.secrets.can = holder.id_number.substr(6);
  card.csca_pem = certificate_pem(pki.csca_certificate);
  return card;
}

GeneratorOptions cccd_profile_options() {
  GeneratorOptions options;
  options.chip_authentication = chip_authentication_offer_cccd();
  options.active_authentication.algorithm = AaAlgorithm::rsa;
  return options;
}

const CardData& default_card() {
  static const CardData card = generate_card(cccd_profile_options());
  return card;
}

}  // namespace cccd::sim
