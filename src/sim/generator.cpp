#include "sim/generator.hpp"

#include "asn1/der.hpp"
#include "asn1/oids.hpp"
#include "crypto/pace_domain.hpp"
#include "crypto/pace_domain_impl.hpp"
#include "sim/deterministic_random.hpp"
#include "sim/face_image.hpp"
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

[[noreturn]] void bad(const std::string& what) {
  throw Error(ErrorCode::invalid_argument, "holder: " + what);
}

// A calendar date whose month or day may be unknown (0), as the population database has some.
struct PartialDate {
  int year = 0;
  int month = 0;  // 0: unknown
  int day = 0;    // 0: unknown
};

bool all_digits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return !text.empty();
}

int number(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// "YYYY-MM-DD", or with `partial` also "YYYY-MM" and "YYYY". Years 1900-2099: the MRZ keeps two digits.
PartialDate parse_date(std::string_view text, bool partial, const char* field) {
  const std::string what =
      std::string(field) + (partial ? " must be YYYY-MM-DD, YYYY-MM or YYYY" : " must be YYYY-MM-DD");
  PartialDate date;
  if (text.size() != 10 && !(partial && (text.size() == 7 || text.size() == 4))) bad(what);
  if (!all_digits(text.substr(0, 4))) bad(what);
  date.year = number(text.substr(0, 4));
  if (text.size() >= 7) {
    if (text[4] != '-' || !all_digits(text.substr(5, 2))) bad(what);
    date.month = number(text.substr(5, 2));
  }
  if (text.size() == 10) {
    if (text[7] != '-' || !all_digits(text.substr(8, 2))) bad(what);
    date.day = number(text.substr(8, 2));
  }
  if (date.year < 1900 || date.year > 2099) bad(std::string(field) + " year must be 1900-2099");
  if (text.size() >= 7 && (date.month < 1 || date.month > 12))
    bad(std::string(field) + " is not a real date");
  if (text.size() == 10 && (date.day < 1 || date.day > days_in_month(date.year, date.month))) {
    bad(std::string(field) + " is not a real date");
  }
  return date;
}

bool is_none(std::string_view expiry) {
  return expiry == "none";
}

// Decodes UTF-8 strictly (no overlong forms, no surrogates); nothing on malformed text.
std::optional<std::vector<char32_t>> decode_utf8(std::string_view text) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<std::uint8_t>(text[i]);
    std::size_t extra = 0;
    char32_t value = 0;
    char32_t minimum = 0;
    if (lead < 0x80) {
      value = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      extra = 1, value = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2, value = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3, value = lead & 0x07, minimum = 0x10000;
    } else {
      return std::nullopt;
    }
    if (extra > text.size() - i - 1) return std::nullopt;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<std::uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      value = (value << 6) | (next & 0x3F);
    }
    if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return std::nullopt;
    out.push_back(value);
    i += extra + 1;
  }
  return out;
}

// The Latin letter under a Vietnamese letter (upper case), 0 for a mark to drop, '<' for a separator,
// or nothing when the character has no MRZ form.
std::optional<char> latin_letter(char32_t c) {
  if (c >= 'a' && c <= 'z') return static_cast<char>(c - 'a' + 'A');
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c);
  if (c == ' ' || c == '-' || c == '\t') return '<';
  if (c == '\'' || c == '.' || (c >= 0x0300 && c <= 0x036F)) return '\0';  // combining diacritics (NFD input)
  if (c >= 0xC0 && c <= 0xFF) {
    const char32_t upper = (c >= 0xE0 && c != 0xF7) ? c - 0x20 : c;
    if (upper >= 0xC0 && upper <= 0xC5) return 'A';
    if (upper == 0xC7) return 'C';
    if (upper >= 0xC8 && upper <= 0xCB) return 'E';
    if (upper >= 0xCC && upper <= 0xCF) return 'I';
    if (upper == 0xD0) return 'D';
    if (upper == 0xD1) return 'N';
    if ((upper >= 0xD2 && upper <= 0xD6) || upper == 0xD8) return 'O';
    if (upper >= 0xD9 && upper <= 0xDC) return 'U';
    if (upper == 0xDD) return 'Y';
    return std::nullopt;
  }
  switch (c) {
    case 0x0102:
    case 0x0103:
      return 'A';  // Ă ă
    case 0x0110:
    case 0x0111:
      return 'D';  // Đ đ
    case 0x0128:
    case 0x0129:
      return 'I';  // Ĩ ĩ
    case 0x0168:
    case 0x0169:
      return 'U';  // Ũ ũ
    case 0x01A0:
    case 0x01A1:
      return 'O';  // Ơ ơ
    case 0x01AF:
    case 0x01B0:
      return 'U';  // Ư ư
    default:
      break;
  }
  // Latin Extended Additional, the Vietnamese block: A 1EA0-1EB7, E 1EB8-1EC7, I 1EC8-1ECB,
  // O 1ECC-1EE3, U 1EE4-1EF1, Y 1EF2-1EF9.
  if (c >= 0x1EA0 && c <= 0x1EB7) return 'A';
  if (c >= 0x1EB8 && c <= 0x1EC7) return 'E';
  if (c >= 0x1EC8 && c <= 0x1ECB) return 'I';
  if (c >= 0x1ECC && c <= 0x1EE3) return 'O';
  if (c >= 0x1EE4 && c <= 0x1EF1) return 'U';
  if (c >= 0x1EF2 && c <= 0x1EF9) return 'Y';
  return std::nullopt;
}

char check_digit(std::string_view field) {
  static constexpr int kWeights[] = {7, 3, 1};
  int sum = 0;
  for (std::size_t i = 0; i < field.size(); ++i) {
    const char c = field[i];
    int value = 0;
    if (c >= '0' && c <= '9') {
      value = c - '0';
    } else if (c >= 'A' && c <= 'Z') {
      value = c - 'A' + 10;
    }  // '<' counts 0
    sum += value * kWeights[i % 3];
  }
  return static_cast<char>('0' + sum % 10);
}

std::string two_digits(int value) {
  const int two = ((value % 100) + 100) % 100;
  return {static_cast<char>('0' + two / 10), static_cast<char>('0' + two % 10)};
}

// YYMMDD with "<<" for an unknown month or day (ICAO 9303 Part 3).
std::string mrz_date(const PartialDate& date) {
  return two_digits(date.year) + (date.month ? two_digits(date.month) : "<<") +
         (date.day ? two_digits(date.day) : "<<");
}

// dd/mm/yyyy as DG13 writes dates; only the known parts when the day or month is unknown.
std::string dg13_date(const PartialDate& date) {
  char text[16];
  if (date.day) {
    std::snprintf(text, sizeof text, "%02d/%02d/%04d", date.day, date.month, date.year);
  } else if (date.month) {
    std::snprintf(text, sizeof text, "%02d/%04d", date.month, date.year);
  } else {
    std::snprintf(text, sizeof text, "%04d", date.year);
  }
  return text;
}

std::string document_number(const Holder& holder) {
  return holder.id_number.substr(3);
}

std::string expiry_mrz(const Holder& holder) {
  return is_none(holder.expiry) ? "991231" : mrz_date(parse_date(holder.expiry, false, "expiry"));
}

Bytes field(int number, std::initializer_list<ByteView> values) {
  Bytes contents = asn1::der_integer(static_cast<std::uint64_t>(number));
  for (ByteView value : values) append(contents, value);
  return asn1::tlv(0x30, contents);
}

}  // namespace

void validate_holder(const Holder& holder) {
  if (holder.id_number.size() != 12 || !all_digits(holder.id_number)) bad("ID number must be 12 digits");
  parse_date(holder.birth, true, "birth date");
  if (!is_none(holder.expiry)) parse_date(holder.expiry, false, "expiry date");
  parse_date(holder.issue, false, "issue date");
  if (holder.sex != "M" && holder.sex != "F") bad("sex must be M or F");
  if (!holder.former_id_number.empty() && !all_digits(holder.former_id_number)) {
    bad("former ID number must be digits");
  }
  const std::pair<const char*, const std::string*> texts[] = {
      {"full name", &holder.full_name},
      {"nationality", &holder.nationality},
      {"ethnicity", &holder.ethnicity},
      {"religion", &holder.religion},
      {"place of origin", &holder.place_of_origin},
      {"place of residence", &holder.place_of_residence},
      {"identification marks", &holder.identification_marks},
      {"father's name", &holder.father_name},
      {"mother's name", &holder.mother_name},
      {"spouse's name", &holder.spouse_name},
      {"former ID number", &holder.former_id_number},
  };
  for (const auto& [name, text] : texts) {
    if (text->size() > kMaxHolderTextBytes) bad(std::string(name) + " is too long");
    if (!decode_utf8(*text)) bad(std::string(name) + " is not UTF-8");
  }
  mrz_name(holder.full_name);
}

std::string mrz_name(std::string_view full_name) {
  const auto characters = decode_utf8(full_name);
  if (!characters) bad("full name is not UTF-8");
  std::vector<std::string> words(1);
  for (char32_t c : *characters) {
    const std::optional<char> letter = latin_letter(c);
    if (!letter) bad("full name has a character without a Latin MRZ form");
    if (*letter == '<') {
      if (!words.back().empty()) words.emplace_back();
    } else if (*letter != '\0') {
      words.back().push_back(*letter);
    }
  }
  if (words.back().empty()) words.pop_back();
  if (words.empty()) bad("full name has no letters");
  std::string out = words.front();
  for (std::size_t i = 1; i < words.size(); ++i) out += (i == 1 ? "<<" : "<") + words[i];
  return out;
}

std::string mrz_text(const Holder& holder) {
  validate_holder(holder);
  const std::string number = document_number(holder);
  // Line 1: the optional data is the 12-digit ID, "<<" and a digit; the published example's digit is the
  // check digit of the ID, so that is what the virtual card writes.
  std::string line1 =
      "IDVNM" + number + check_digit(number) + holder.id_number + "<<" + check_digit(holder.id_number);
  const std::string birth = mrz_date(parse_date(holder.birth, true, "birth date"));
  const std::string expiry = expiry_mrz(holder);
  std::string line2 =
      birth + check_digit(birth) + holder.sex + expiry + check_digit(expiry) + "VNM" + std::string(11, '<');
  const std::string composite =
      line1.substr(5, 25) + line2.substr(0, 7) + line2.substr(8, 7) + line2.substr(18, 11);
  line2 += check_digit(composite);
  std::string line3 = mrz_name(holder.full_name);
  line3.resize(30, '<');  // longer names are truncated, as ICAO 9303 Part 3 allows
  return line1 + line2 + line3;
}

std::string card_mrz_information(const Holder& holder) {
  validate_holder(holder);
  const std::string number = document_number(holder);
  const std::string birth = mrz_date(parse_date(holder.birth, true, "birth date"));
  const std::string expiry = expiry_mrz(holder);
  return number + check_digit(number) + birth + check_digit(birth) + expiry + check_digit(expiry);
}

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

const CardData& default_card() {
  static const CardData card = generate_card(GeneratorOptions{});
  return card;
}

}  // namespace cccd::sim
