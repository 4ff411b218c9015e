#include "sim/card_faults.hpp"

#include "access/pace.hpp"
#include "asn1/der.hpp"
#include "asn1/oids.hpp"
#include "asn1/tlv.hpp"
#include "crypto/crypto.hpp"
#include "sim/test_pki.hpp"
#include "sim/virtual_card.hpp"
#include "util/bytes.hpp"

#include <algorithm>

namespace cccd::sim {
namespace {

using Kind = FaultOutcome::Kind;
using Which = FaultOutcome::Which;

constexpr FaultOutcome error(ErrorCode code) {
  return {Kind::error, code, Which::data_integrity, FindingStatus::failed};
}
constexpr FaultOutcome finding(Which which, FindingStatus status = FindingStatus::failed) {
  return {Kind::finding, ErrorCode::internal, which, status};
}
constexpr FaultOutcome tolerated() {
  return {Kind::tolerated, ErrorCode::internal, Which::data_integrity, FindingStatus::passed};
}

constexpr FaultPlace kData = FaultPlace::card_data;
constexpr FaultPlace kCard = FaultPlace::card_behaviour;
constexpr FaultPlace kLink = FaultPlace::link;

// clang-format off
constexpr CardFaultInfo kCatalogue[] = {
  {CardFault::sm_response_mac_wrong, "sm_response_mac_wrong", "a protected READ BINARY answer whose DO'8E' MAC is wrong", kCard, error(ErrorCode::secure_messaging)},
  {CardFault::sm_response_mac_missing, "sm_response_mac_missing", "a protected answer without DO'8E'", kCard, error(ErrorCode::secure_messaging)},
  {CardFault::sm_ssc_skipped, "sm_ssc_skipped", "the card protects an answer with the send sequence counter one too far", kCard, error(ErrorCode::secure_messaging)},
  {CardFault::sm_ssc_replayed, "sm_ssc_replayed", "the card replays its previous protected answer (an old SSC)", kCard, error(ErrorCode::secure_messaging)},
  {CardFault::sm_do99_missing, "sm_do99_missing", "a correctly MACed answer without DO'99' (status word)", kCard, error(ErrorCode::secure_messaging)},
  {CardFault::sm_do99_lying, "sm_do99_lying", "DO'99' and the outer status word disagree (9000 and 6282)", kCard, error(ErrorCode::secure_messaging)},
  {CardFault::sm_do99_wrong_length, "sm_do99_wrong_length", "a correctly MACed DO'99' of three bytes", kCard, error(ErrorCode::secure_messaging)},
  {CardFault::sm_do87_bad_padding, "sm_do87_bad_padding", "a correctly MACed DO'87' whose plaintext has no ISO/IEC 9797-1 padding", kCard, error(ErrorCode::secure_messaging)},
  {CardFault::sm_do87_wrong_length, "sm_do87_wrong_length", "a correctly MACed DO'87' whose cryptogram is not a whole number of blocks", kCard, error(ErrorCode::secure_messaging)},
  {CardFault::sm_plaintext_response, "sm_plaintext_response", "file data in plaintext with 9000 where secure messaging is required", kCard, error(ErrorCode::secure_messaging)},
  {CardFault::endless_61xx, "endless_61xx", "every READ BINARY and GET RESPONSE answers 16 bytes and 6110, forever", kCard, error(ErrorCode::card_error)},
  {CardFault::endless_6cxx, "endless_6cxx", "every READ BINARY answers 6C10 (wrong Le), whatever Le it is sent with", kCard, error(ErrorCode::card_error)},
  {CardFault::read_more_than_asked, "read_more_than_asked", "READ BINARY past the first chunk returns 16 bytes more than Le", kCard, error(ErrorCode::card_error)},
  {CardFault::read_no_progress, "read_no_progress", "READ BINARY past the first chunk returns no data and 9000", kCard, error(ErrorCode::malformed_data)},
  {CardFault::read_one_byte_at_a_time, "read_one_byte_at_a_time", "READ BINARY past the first chunk returns one byte at a time (fewer than asked, forever)", kCard, error(ErrorCode::limit_exceeded)},
  {CardFault::sw_select_application, "sw_select_application", "SELECT of the eMRTD application answers 6A82", kCard, error(ErrorCode::card_error)},
  {CardFault::sw_pace_mse_set_at, "sw_pace_mse_set_at", "PACE MSE:Set AT answers 6A80", kCard, error(ErrorCode::card_error)},
  {CardFault::sw_pace_ga_nonce, "sw_pace_ga_nonce", "PACE GENERAL AUTHENTICATE (encrypted nonce) answers 6A80", kCard, error(ErrorCode::card_error)},
  {CardFault::sw_pace_ga_map, "sw_pace_ga_map", "PACE GENERAL AUTHENTICATE (mapping) answers 6A80", kCard, error(ErrorCode::card_error)},
  {CardFault::sw_pace_ga_key_agreement, "sw_pace_ga_key_agreement", "PACE GENERAL AUTHENTICATE (key agreement) answers 6A80", kCard, error(ErrorCode::card_error)},
  {CardFault::sw_pace_ga_mutual_authentication, "sw_pace_ga_mutual_authentication", "PACE GENERAL AUTHENTICATE (tokens) answers 6300", kCard, error(ErrorCode::access_denied)},
  {CardFault::sw_read_binary, "sw_read_binary", "the second protected READ BINARY answers 6F00", kCard, error(ErrorCode::card_error)},
  {CardFault::sw_ca_mse_set_at, "sw_ca_mse_set_at", "Chip Authentication MSE:Set AT answers 6A80", kCard, finding(Which::chip_authenticity)},
  {CardFault::sw_ca_general_authenticate, "sw_ca_general_authenticate", "Chip Authentication GENERAL AUTHENTICATE answers 6A80", kCard, finding(Which::chip_authenticity)},
  {CardFault::sw_internal_authenticate, "sw_internal_authenticate", "INTERNAL AUTHENTICATE answers 6F00", kCard, finding(Which::chip_authenticity)},
  {CardFault::pace_short_nonce, "pace_short_nonce", "PACE's encrypted nonce is 8 bytes instead of one AES block", kCard, error(ErrorCode::malformed_data)},
  {CardFault::pace_mapping_point_off_curve, "pace_mapping_point_off_curve", "the chip's mapping point is not on the curve", kCard, error(ErrorCode::crypto)},
  {CardFault::pace_mapping_identity_point, "pace_mapping_identity_point", "the chip's mapping point is the point at infinity", kCard, error(ErrorCode::crypto)},
  {CardFault::pace_ephemeral_point_off_curve, "pace_ephemeral_point_off_curve", "the chip's ephemeral point is not on the curve", kCard, error(ErrorCode::crypto)},
  {CardFault::pace_ephemeral_point_reflected, "pace_ephemeral_point_reflected", "the chip answers the terminal's own ephemeral point", kCard, error(ErrorCode::crypto)},
  {CardFault::pace_wrong_token, "pace_wrong_token", "the chip's authentication token is wrong", kCard, error(ErrorCode::crypto)},
  {CardFault::pace_empty_dynamic_data, "pace_empty_dynamic_data", "PACE GENERAL AUTHENTICATE answers an empty 7C and 9000", kCard, error(ErrorCode::malformed_data)},
  {CardFault::aa_signature_wrong_length, "aa_signature_wrong_length", "the Active Authentication signature is one byte short", kCard, finding(Which::chip_authenticity)},
  {CardFault::aa_signature_wrong, "aa_signature_wrong", "the Active Authentication signature does not verify", kCard, finding(Which::chip_authenticity)},
  {CardFault::file_length_megabytes, "file_length_megabytes", "DG13's TLV length claims 16 MiB", kData, error(ErrorCode::limit_exceeded)},
  {CardFault::file_shorter_than_its_length, "file_shorter_than_its_length", "DG13 ends 100 bytes before its TLV length", kData, error(ErrorCode::malformed_data)},
  {CardFault::ef_com_lists_absent_files, "ef_com_lists_absent_files", "EF.COM lists all 16 data groups, most of them absent", kData, tolerated()},
  {CardFault::tlv_deeply_nested, "tlv_deeply_nested", "DG13 holds 3000 nested constructed TLVs (SOD re-signed)", kData, finding(Which::consistency, FindingStatus::not_checked)},
  {CardFault::tlv_overlapping, "tlv_overlapping", "DG1's MRZ TLV runs past the end of its parent (SOD re-signed)", kData, finding(Which::consistency, FindingStatus::not_checked)},
  {CardFault::sod_hash_mismatch, "sod_hash_mismatch", "DG13 altered after signing: its hash differs from the SOD's", kData, finding(Which::data_integrity)},
  {CardFault::sod_unknown_hash_algorithm, "sod_unknown_hash_algorithm", "the LDS security object names an unknown hash algorithm (signed)", kData, finding(Which::data_integrity)},
  {CardFault::sod_no_signer, "sod_no_signer", "EF.SOD's SignedData has no SignerInfo", kData, finding(Which::data_integrity)},
  {CardFault::sod_signer_certificate_mismatch, "sod_signer_certificate_mismatch", "EF.SOD carries another DS's certificate than the one that signed", kData, finding(Which::data_integrity)},
  {CardFault::sod_enormous_certificate_chain, "sod_enormous_certificate_chain", "EF.SOD carries 1000 certificates (about 500 KB)", kData, finding(Which::data_integrity)},
  {CardFault::sod_signature_corrupted, "sod_signature_corrupted", "EF.SOD's signature does not verify", kData, finding(Which::data_integrity)},
  {CardFault::sod_missing, "sod_missing", "the card has no EF.SOD", kData, finding(Which::data_integrity)},
  {CardFault::dg13_invalid_utf8, "dg13_invalid_utf8", "DG13 text with an invalid UTF-8 byte (SOD re-signed)", kData, finding(Which::consistency, FindingStatus::not_checked)},
  {CardFault::dg2_lying_image_length, "dg2_lying_image_length", "DG2's facial record claims 16 MiB (SOD re-signed): the face is rejected, the signed data stand", kData, tolerated()},
  {CardFault::ca_invalid_key, "ca_invalid_key", "DG14's Chip Authentication key is not on its curve (SOD re-signed)", kData, finding(Which::chip_authenticity)},
  {CardFault::chip_stops_answering, "chip_stops_answering", "the chip goes silent after 12 exchanges (the reader times out)", kLink, error(ErrorCode::timeout)},
  {CardFault::chip_too_slow, "chip_too_slow", "every exchange takes 250 ms: the read overruns its time limit", kLink, error(ErrorCode::timeout)},
};
// clang-format on

// EF.SOD with knobs for the faults in it; the LDS security object hashes every data group of the card.
struct SodShape {
  std::string hash_oid;
  bool signer = true;
  std::vector<Bytes> certificates;
  bool corrupt_signature = false;
};

Bytes build_sod_with(const CardData& card, const TestPki& pki, const SodShape& shape) {
  const Bytes sha256 = asn1::der_sequence({asn1::der_oid(crypto::hash_oid(crypto::HashAlgorithm::sha256))});
  Bytes hashes;
  for (const auto& [file, content] : card.files) {
    const int number = data_group_number(file);
    if (number < 1) continue;
    append(hashes, asn1::der_sequence(
                       {asn1::der_integer(static_cast<std::uint64_t>(number)),
                        asn1::der_octet_string(crypto::hash(crypto::HashAlgorithm::sha256, content))}));
  }
  const Bytes security_object = asn1::der_sequence(
      {asn1::der_integer(0), asn1::der_sequence({asn1::der_oid(shape.hash_oid)}), asn1::tlv(0x30, hashes)});
  // DER's SET OF order (by whole encodings), which is what CMS signs and what the verifier re-encodes.
  const Bytes signed_attributes =
      asn1::der_set_of({asn1::der_sequence({asn1::der_oid(asn1::oid::kContentTypeAttribute),
                                            asn1::der_set({asn1::der_oid(asn1::oid::kLdsSecurityObject)})}),
                        asn1::der_sequence({asn1::der_oid(asn1::oid::kMessageDigestAttribute),
                                            asn1::der_set({asn1::der_octet_string(crypto::hash(
                                                crypto::HashAlgorithm::sha256, security_object))})}),
                        asn1::der_sequence({asn1::der_oid(asn1::oid::kSigningTimeAttribute),
                                            asn1::der_set({der_time(2021, 4, 10)})})});
  Bytes signature = pki.ds_key.sign(signed_attributes);
  if (shape.corrupt_signature) signature[signature.size() / 2] ^= 0x01;
  Bytes attributes_implicit = signed_attributes;
  attributes_implicit.front() = 0xA0;
  Bytes signer_infos;
  if (shape.signer) {
    signer_infos = asn1::der_sequence(
        {asn1::der_integer(1), asn1::der_sequence({pki.ds_issuer_name, pki.ds_serial}), sha256,
         attributes_implicit, pki.ds_key.signature_algorithm(), asn1::der_octet_string(signature)});
  }
  Bytes certificates;
  for (const Bytes& certificate : shape.certificates) append(certificates, certificate);
  const Bytes signed_data = asn1::der_sequence({
      asn1::der_integer(3),
      asn1::der_set({sha256}),
      asn1::der_sequence({asn1::der_oid(asn1::oid::kLdsSecurityObject),
                          asn1::tlv(0xA0, asn1::der_octet_string(security_object))}),
      asn1::tlv(0xA0, certificates),
      asn1::tlv(0x31, signer_infos),
  });
  return asn1::tlv(0x77,
                   asn1::der_sequence({asn1::der_oid(asn1::oid::kSignedData), asn1::tlv(0xA0, signed_data)}));
}

SodShape genuine_shape(const TestPki& pki) {
  return {std::string(crypto::hash_oid(crypto::HashAlgorithm::sha256)), true, {pki.ds_certificate}, false};
}

// The position of `pattern` in `data`; Error(internal) when the generated file does not hold it.
std::size_t find(const Bytes& data, std::initializer_list<std::uint8_t> pattern, const char* what) {
  auto found = std::search(data.begin(), data.end(), pattern.begin(), pattern.end());
  if (found == data.end())
    throw Error(ErrorCode::internal, std::string("card fault: ") + what + " not found");
  return static_cast<std::size_t>(found - data.begin());
}

Bytes& file(CardData& card, FileId id) {
  auto found = card.files.find(id);
  if (found == card.files.end())
    throw Error(ErrorCode::invalid_argument,
                std::string("card fault: the card has no ") + std::string(file_name(id)));
  return found->second;
}

}  // namespace

std::span<const CardFaultInfo> card_fault_catalogue() {
  return kCatalogue;
}

const CardFaultInfo& card_fault_info(CardFault fault) {
  for (const CardFaultInfo& info : kCatalogue) {
    if (info.fault == fault) return info;
  }
  throw Error(ErrorCode::invalid_argument, "not a card fault of the catalogue");
}

std::optional<CardFault> card_fault_from_name(std::string_view name) {
  for (const CardFaultInfo& info : kCatalogue) {
    if (info.name == name) return info.fault;
  }
  return std::nullopt;
}

std::string fault_outcome_text(const FaultOutcome& outcome) {
  switch (outcome.kind) {
    case Kind::error:
      return std::string("Error: ") + to_string(outcome.error);
    case Kind::finding: {
      const char* which = outcome.finding == Which::data_integrity      ? "data_integrity"
                          : outcome.finding == Which::chip_authenticity ? "chip_authenticity"
                                                                        : "consistency";
      return std::string(which) + " " + std::string(status_name(outcome.status)) + ", verified: false";
    }
    case Kind::tolerated:
      break;
  }
  return "tolerated: verified as a genuine card";
}

std::optional<std::string_view> fault_inapplicable_reason(const CardData& card, CardFault fault) {
  switch (fault) {
    case CardFault::sw_pace_mse_set_at:
    case CardFault::sw_pace_ga_nonce:
    case CardFault::sw_pace_ga_map:
    case CardFault::sw_pace_ga_key_agreement:
    case CardFault::sw_pace_ga_mutual_authentication:
    case CardFault::pace_short_nonce:
    case CardFault::pace_mapping_point_off_curve:
    case CardFault::pace_mapping_identity_point:
    case CardFault::pace_ephemeral_point_off_curve:
    case CardFault::pace_ephemeral_point_reflected:
    case CardFault::pace_wrong_token:
    case CardFault::pace_empty_dynamic_data:
      if (!card.files.contains(FileId::card_access))
        return "it needs a card that offers PACE (not --pace none)";
      return std::nullopt;
    case CardFault::sw_ca_mse_set_at:
    case CardFault::sw_ca_general_authenticate:
    case CardFault::ca_invalid_key:
      if (card.secrets.chip_authentication_private_key.empty())
        return "it needs a card with Chip Authentication (--ca v1 or v2)";
      return std::nullopt;
    case CardFault::sw_internal_authenticate:
    case CardFault::aa_signature_wrong_length:
    case CardFault::aa_signature_wrong:
      if (!card.files.contains(FileId::dg15))
        return "it needs a card with Active Authentication (--aa rsa or ecdsa)";
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

CardData apply_card_data_fault(CardData card, CardFault fault, const TestPki& pki) {
  if (fault == CardFault::none || card_fault_info(fault).place != FaultPlace::card_data) return card;
  SodShape shape = genuine_shape(pki);
  bool resign = true;
  switch (fault) {
    case CardFault::file_length_megabytes: {
      // 6D 84 01000000: four length bytes; the content after it is the old file, far short of 16 MiB.
      Bytes& dg13 = file(card, FileId::dg13);
      Bytes lying{0x6D, 0x84, 0x01, 0x00, 0x00, 0x00};
      append(lying, asn1::parse_first(dg13).value);
      dg13 = std::move(lying);
      resign = false;
      break;
    }
    case CardFault::file_shorter_than_its_length: {
      Bytes& dg13 = file(card, FileId::dg13);
      dg13.resize(dg13.size() - 100);
      resign = false;
      break;
    }
    case CardFault::ef_com_lists_absent_files: {
      Bytes tags;
      for (int number = 1; number <= 16; ++number) tags.push_back(data_group_tag(*data_group(number)));
      file(card, FileId::com) =
          asn1::tlv(0x60, {asn1::tlv(0x5F01, Bytes{'0', '1', '0', '7'}),
                           asn1::tlv(0x5F36, Bytes{'0', '4', '0', '0', '0', '0'}), asn1::tlv(0x5C, tags)});
      resign = false;
      break;
    }
    case CardFault::tlv_deeply_nested: {
      Bytes nested = asn1::tlv(0x04, Bytes{0x00});
      for (int depth = 0; depth < 3000; ++depth) nested = asn1::tlv(0xA0, nested);
      file(card, FileId::dg13) = asn1::tlv(0x6D, nested);
      break;
    }
    case CardFault::tlv_overlapping: {
      // 61 L 5F1F 5A <MRZ>: the MRZ object claims 8 bytes more than its parent holds.
      Bytes& dg1 = file(card, FileId::dg1);
      std::size_t at = find(dg1, {0x5F, 0x1F}, "DG1's MRZ object");
      dg1.at(at + 2) = static_cast<std::uint8_t>(dg1.at(at + 2) + 8);
      break;
    }
    case CardFault::sod_hash_mismatch:
      file(card, FileId::dg13).back() ^= 0x01;
      resign = false;
      break;
    case CardFault::sod_unknown_hash_algorithm:
      shape.hash_oid = "1.3.6.1.4.1.99999.1";
      break;
    case CardFault::sod_no_signer:
      shape.signer = false;
      break;
    case CardFault::sod_signer_certificate_mismatch:
      shape.certificates = {make_test_pki(pki.ds_key.algorithm(), 424242).ds_certificate};
      break;
    case CardFault::sod_enormous_certificate_chain:
      shape.certificates.assign(1000, pki.csca_certificate);
      shape.certificates.push_back(pki.ds_certificate);
      break;
    case CardFault::sod_signature_corrupted:
      shape.corrupt_signature = true;
      break;
    case CardFault::sod_missing:
      card.files.erase(FileId::sod);
      resign = false;
      break;
    case CardFault::dg13_invalid_utf8: {
      // The first multi-byte UTF-8 sequence of the text: its lead byte becomes FF, never valid UTF-8.
      Bytes& dg13 = file(card, FileId::dg13);
      auto lead =
          std::find_if(dg13.begin() + 4, dg13.end(), [](std::uint8_t b) { return b >= 0xC2 && b <= 0xF4; });
      if (lead == dg13.end()) throw Error(ErrorCode::internal, "card fault: DG13 has no non-ASCII text");
      *lead = 0xFF;
      break;
    }
    case CardFault::dg2_lying_image_length: {
      // The facial record header (ISO/IEC 19794-5): "FAC" 00, version "010" 00, then the record length.
      Bytes& dg2 = file(card, FileId::dg2);
      std::size_t at = find(dg2, {'F', 'A', 'C', 0x00}, "DG2's facial record header") + 8;
      for (std::size_t i = 0; i < 4; ++i) dg2.at(at + i) = i == 1 ? 0xFF : 0x00;
      break;
    }
    case CardFault::ca_invalid_key: {
      // The public point of DG14's key: BIT STRING 03 42 00 04 X Y; its last byte changed is (with
      // overwhelming likelihood) a point off the curve.
      Bytes& dg14 = file(card, FileId::dg14);
      std::size_t at = find(dg14, {0x03, 0x42, 0x00, 0x04}, "DG14's EC public point");
      dg14.at(at + 3 + 64) ^= 0x01;
      break;
    }
    default:
      resign = false;
      break;
  }
  if (resign) card.files[FileId::sod] = build_sod_with(card, pki, shape);
  return card;
}

}  // namespace cccd::sim
