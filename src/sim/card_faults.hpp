// The hostile virtual card: a catalogue of ways a chip can misbehave, each with the outcome libcccd must
// give, and the switch that makes a virtual card misbehave that way (issue 7, docs/HOSTILE.md).
//
// A fault lives at one of three places. Card data: the files themselves are altered at personalisation
// (apply_card_data_fault, which re-signs EF.SOD with the card's test DS unless the signature is the
// fault). Card behaviour: VirtualCard consults a CardFaultInjector at a few points (before dispatching a
// command, after READ BINARY and INTERNAL AUTHENTICATE, around protecting a response, and on the encoded
// answer), so a card served through pcscd misbehaves too. Link: FaultyCardChannel
// (sim/faulty_card_channel.hpp), the virtual card's channel made to stop answering or to answer slowly.
#pragma once

#include "apdu/apdu.hpp"
#include "sim/card_folder.hpp"
#include "sm/secure_messaging.hpp"
#include "transport/channel.hpp"

#include <cccd/error.hpp>
#include <cccd/verdict.hpp>

#include <chrono>
#include <optional>
#include <span>
#include <string_view>

namespace cccd::sim {

class VirtualCard;
struct TestPki;

enum class CardFault {
  none,
  // Secure messaging (the card's answers under the session keys).
  sm_response_mac_wrong,
  sm_response_mac_missing,
  sm_ssc_skipped,
  sm_ssc_replayed,
  sm_do99_missing,
  sm_do99_lying,
  sm_do99_wrong_length,
  sm_do87_bad_padding,
  sm_do87_wrong_length,
  sm_plaintext_response,
  // Transport rules and READ BINARY.
  endless_61xx,
  endless_6cxx,
  read_more_than_asked,
  read_no_progress,
  read_one_byte_at_a_time,
  // Status words the protocol does not allow, at each step.
  sw_select_application,
  sw_pace_mse_set_at,
  sw_pace_ga_nonce,
  sw_pace_ga_map,
  sw_pace_ga_key_agreement,
  sw_pace_ga_mutual_authentication,
  sw_read_binary,
  sw_ca_mse_set_at,
  sw_ca_general_authenticate,
  sw_internal_authenticate,
  // PACE answers.
  pace_short_nonce,
  pace_mapping_point_off_curve,
  pace_mapping_identity_point,
  pace_ephemeral_point_off_curve,
  pace_ephemeral_point_reflected,
  pace_wrong_token,
  pace_empty_dynamic_data,
  // Active Authentication answers.
  aa_signature_wrong_length,
  aa_signature_wrong,
  // Card data (personalised files).
  file_length_megabytes,
  file_shorter_than_its_length,
  ef_com_lists_absent_files,
  tlv_deeply_nested,
  tlv_overlapping,
  sod_hash_mismatch,
  sod_unknown_hash_algorithm,
  sod_no_signer,
  sod_signer_certificate_mismatch,
  sod_enormous_certificate_chain,
  sod_signature_corrupted,
  sod_missing,
  dg13_invalid_utf8,
  dg2_lying_image_length,
  ca_invalid_key,
  // The link.
  chip_stops_answering,
  chip_too_slow,
};

enum class FaultPlace { card_data, card_behaviour, link };

// What the library must make of a faulty card: the read (or verify) throws `error`, or the verdict has
// `finding` at `status` (and verified false), or — for a fault the library tolerates by design — the
// read completes with a verdict as for a genuine card.
struct FaultOutcome {
  enum class Kind { error, finding, tolerated };
  enum class Which { data_integrity, chip_authenticity, consistency };
  Kind kind = Kind::error;
  ErrorCode error = ErrorCode::internal;
  Which finding = Which::data_integrity;
  FindingStatus status = FindingStatus::failed;
};

struct CardFaultInfo {
  CardFault fault;
  std::string_view name;         // "sm_response_mac_wrong", as `cccd-sim personalise --fault` takes it
  std::string_view description;  // one line
  FaultPlace place;
  FaultOutcome outcome;
};

// Every fault but `none`, in declaration order.
std::span<const CardFaultInfo> card_fault_catalogue();
const CardFaultInfo& card_fault_info(CardFault fault);
std::optional<CardFault> card_fault_from_name(std::string_view name);
// "Error: card error", "data_integrity failed, verified: false", "tolerated: verified as a genuine card".
std::string fault_outcome_text(const FaultOutcome& outcome);

// Why `fault` cannot show on `card` (it needs a protocol the card does not offer: PACE, Chip or Active
// Authentication), or nothing when it can. A fault that cannot show leaves a genuine card behind, which
// a test would then wrongly take for a handled fault; `cccd-sim personalise --fault` refuses it.
std::optional<std::string_view> fault_inapplicable_reason(const CardData& card, CardFault fault);

// The card with the files of a card-data fault (others: unchanged). EF.SOD is re-signed with `pki` (the
// test PKI the card was generated with) wherever the fault is not in the SOD's signature.
CardData apply_card_data_fault(CardData card, CardFault fault, const TestPki& pki);

// The card side of a behaviour fault, consulted by VirtualCard. Stateful (which READ BINARY this is, the
// previous protected answer); reset() when the card is reset.
class CardFaultInjector {
 public:
  explicit CardFaultInjector(CardFault fault) : fault_(fault) {}
  CardFault fault() const noexcept { return fault_; }
  void reset();

  // A status word to answer instead of processing the (unprotected) command.
  std::optional<std::uint16_t> refusal(const apdu::CommandApdu& plain, bool secure_messaging);
  void alter_read_binary(const apdu::CommandApdu& plain, apdu::ResponseApdu& response) const;
  void alter_internal_authenticate(apdu::ResponseApdu& response) const;
  // Whether the card should protect (and lose) one more response first, skipping an SSC value.
  bool skips_ssc(const apdu::CommandApdu& plain) const;
  // The protected answer, possibly rewritten: `keys` are the session keys with `ssc` the counter the
  // answer was protected with (so a forged answer can carry a valid MAC).
  Bytes alter_protected_answer(const apdu::CommandApdu& plain, const apdu::ResponseApdu& plain_response,
                               Bytes answer, const sm::SessionKeys& keys, ByteView ssc);
  // The encoded answer to an encoded command, possibly rewritten (61xx, 6Cxx, PACE answers).
  Bytes alter_exchange(ByteView command, Bytes answer) const;
  // Keeps the keys of the sessions the card starts (only faults that forge protected answers need them).
  bool needs_session_keys() const noexcept;

 private:
  bool targets_this_read(const apdu::CommandApdu& plain) const;
  CardFault fault_;
  int protected_reads_ = 0;  // READ BINARY commands seen under secure messaging
  Bytes previous_answer_;
};

}  // namespace cccd::sim
