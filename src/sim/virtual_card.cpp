#include "sim/virtual_card.hpp"

#include "access/bac.hpp"
#include "asn1/der.hpp"
#include "crypto/crypto.hpp"
#include "util/bytes.hpp"

#include <algorithm>

namespace cccd::sim {
namespace {

using apdu::CommandApdu;
using apdu::ResponseApdu;
namespace sw = apdu::sw;

ResponseApdu status(std::uint16_t word) {
  return ResponseApdu{{}, word};
}

constexpr std::uint8_t kInsSelect = 0xA4;
constexpr std::uint8_t kInsReadBinary = 0xB0;
constexpr std::uint8_t kInsReadBinaryOdd = 0xB1;
constexpr std::uint8_t kInsGetChallenge = 0x84;
constexpr std::uint8_t kInsExternalAuthenticate = 0x82;
constexpr std::uint8_t kInsGetResponse = 0xC0;

// The offset data object of READ BINARY with odd INS (ISO/IEC 7816-4 section 11.2.3): 54 L offset.
std::optional<std::size_t> odd_ins_offset(ByteView data) {
  if (data.size() < 3 || data[0] != 0x54 || data[1] == 0 || data[1] > 3 || data.size() != 2u + data[1]) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(be_value(data.subspan(2)));
}

constexpr std::uint16_t kAtrInfoFid = 0x2F01;
constexpr std::uint8_t kAtrInfoSfi = 0x01;
constexpr std::uint16_t kMasterFileFid = 0x3F00;

// EF.ATR/INFO (ICAO 9303-10, ISO/IEC 7816-4 12.2.2): the card capabilities DO and, for a chip that takes
// extended length, ExtendedLengthInfo: the largest command and response APDUs in bytes.
Bytes atr_info_content(const CardSecrets& secrets) {
  const std::uint8_t third = secrets.extended_length ? 0x40 : 0x00;  // b7: extended Lc and Le fields
  Bytes content = asn1::tlv(0x47, Bytes{0x80, 0x21, third});
  if (secrets.extended_length) {
    const std::size_t command = 4 + 3 + apdu::kMaxExtendedLc + 2;
    const std::size_t response = secrets.max_response_data + 2;
    auto integer = [](std::size_t value) {
      const std::size_t bounded = std::min<std::size_t>(value, 0xFFFF);
      return asn1::tlv(0x02,
                       Bytes{static_cast<std::uint8_t>(bounded >> 8), static_cast<std::uint8_t>(bounded)});
    };
    Bytes info = integer(command);
    append(info, integer(response));
    append(content, asn1::tlv(0x7F66, info));
  }
  return content;
}

}  // namespace

VirtualCard::VirtualCard(CardData data) : data_(std::move(data)) {
  if (data_.secrets.atr_info) atr_info_ = atr_info_content(data_.secrets);
  if (!data_.secrets.fault.empty()) {
    std::optional<CardFault> fault = card_fault_from_name(data_.secrets.fault);
    if (!fault) throw Error(ErrorCode::invalid_argument, "the card's secrets name an unknown fault");
    set_fault(*fault);
  }
  // Chip Authentication with the static key of the secrets (a clone's differs from DG14's public key).
  auto dg14 = data_.files.find(FileId::dg14);
  if (dg14 != data_.files.end() && !data_.secrets.chip_authentication_private_key.empty()) {
    try {
      lds::SecurityInfos infos = lds::parse_security_infos(dg14->second);
      if (!infos.chip_authentication_public_keys.empty()) {
        std::vector<ChipAuthenticationPrivateKey> keys;
        keys.push_back({std::nullopt, secure_copy(data_.secrets.chip_authentication_private_key)});
        chip_authentication_.emplace(std::move(infos), std::move(keys));
      }
    } catch (const Error&) {
    }
  }
  // The card offers PACE when its EF.CardAccess says so; a card whose EF.CardAccess does not parse
  // (a garbage file) offers only BAC, like a chip with a personalisation error would.
  auto card_access = data_.files.find(FileId::card_access);
  if (card_access == data_.files.end()) return;
  try {
    lds::SecurityInfos infos = lds::parse_security_infos(card_access->second);
    if (!infos.pace.empty()) pace_.emplace(std::move(infos), data_.secrets);
  } catch (const Error&) {
  }
  if (!data_.secrets.active_authentication_private_key.empty()) {
    try {
      active_authentication_.emplace(view(data_.secrets.active_authentication_private_key),
                                     data_.secrets.active_authentication_hash);
    } catch (const Error&) {
      // A key that does not parse: the chip has no Active Authentication (a personalisation error).
    }
  }
}

void VirtualCard::reset() {
  application_selected_ = false;
  current_file_.reset();
  atr_info_current_ = false;
  challenge_.reset();
  session_.reset();
  pending_response_.reset();
  if (pace_) pace_->reset();
  if (chip_authentication_) chip_authentication_->reset();
  next_session_.reset();
  if (fault_) fault_->reset();
}

void VirtualCard::set_fault(CardFault fault) {
  if (fault == CardFault::none) {
    fault_.reset();
  } else {
    fault_.emplace(fault);
  }
}

void VirtualCard::start_session(sm::SessionKeys keys) {
  if (fault_ && fault_->needs_session_keys()) forging_keys_ = keys;
  session_.emplace(std::move(keys));
}

std::size_t VirtualCard::response_capacity(std::size_t le) const {
  std::size_t link = data_.secrets.extended_length ? data_.secrets.max_response_data : apdu::kMaxShortLe;
  return std::min(le, link);
}

Bytes VirtualCard::process(ByteView encoded) {
  Bytes answer = process_command(encoded);
  if (fault_) answer = fault_->alter_exchange(encoded, std::move(answer));
  return answer;
}

Bytes VirtualCard::process_command(ByteView encoded) {
  CommandApdu command;
  bool extended = false;
  try {
    command = CommandApdu::decode(encoded, &extended);
  } catch (const Error&) {
    return status(sw::kWrongLength).encode();
  }
  if (extended && !data_.secrets.extended_length) return status(sw::kWrongLength).encode();
  // GET RESPONSE fetches the rest of a response left waiting (61xx); it is not secure messaging.
  if (command.cla == 0x00 && command.ins == kInsGetResponse && pending_response_)
    return get_response(command);
  pending_response_.reset();

  const bool protected_command = (command.cla & 0x0C) == 0x0C;
  if (!session_) {
    // Without a session key there is nothing to check a MAC with.
    if (protected_command) return status(sw::kSmDataObjectsIncorrect).encode();
    return deliver(dispatch(command, extended), command);
  }

  if (!protected_command) {
    // A plain command ends secure messaging (ICAO Doc 9303 Part 11 section 9.8.6); it is then handled
    // as from an unauthenticated terminal, so a new GET CHALLENGE can start access control again.
    session_.reset();
    return deliver(dispatch(command, extended), command);
  }

  CommandApdu plain;
  try {
    plain = session_->unprotect_command(command);
  } catch (const Error&) {
    // A wrong MAC or malformed data objects: answer unprotected and drop the session keys.
    session_.reset();
    return status(sw::kSmDataObjectsIncorrect).encode();
  }
  ResponseApdu response = dispatch(plain, extended);
  if (plain.ins != kInsInternalAuthenticate &&
      response.data.size() > session_->max_plain_response(response_capacity(command.le))) {
    // The terminal asked for more than one response can carry under secure messaging.
    response = status(sw::kWrongLength);
  }
  if (fault_ && fault_->skips_ssc(plain)) session_->protect_response(response);  // a lost SSC value
  Bytes answer = deliver(session_->protect_response(response), command);
  if (fault_) {
    const sm::SessionKeys no_keys;
    answer = fault_->alter_protected_answer(plain, response, std::move(answer),
                                            forging_keys_ ? *forging_keys_ : no_keys, session_->ssc());
  }
  if (next_session_) {
    // Chip Authentication succeeded: secure messaging restarts with its keys from the next command.
    start_session(std::move(*next_session_));
    next_session_.reset();
  }
  return answer;
}

Bytes VirtualCard::deliver(const ResponseApdu& response, const CommandApdu& command) {
  const std::size_t capacity = response_capacity(command.le);
  if (response.data.size() <= capacity) return response.encode();
  if (command.ins != kInsInternalAuthenticate || capacity == 0) return status(sw::kWrongLength).encode();
  // ISO/IEC 7816-4 section 5.3.4: the first part now, the rest with GET RESPONSE.
  const auto split = response.data.begin() + static_cast<std::ptrdiff_t>(capacity);
  pending_response_ = ResponseApdu{Bytes(split, response.data.end()), response.sw};
  const std::size_t waiting = pending_response_->data.size();
  ResponseApdu first{Bytes(response.data.begin(), split),
                     static_cast<std::uint16_t>(0x6100 | (waiting >= apdu::kMaxShortLe ? 0 : waiting))};
  return first.encode();
}

Bytes VirtualCard::get_response(const CommandApdu& command) {
  if (command.p1 != 0 || command.p2 != 0) return status(sw::kIncorrectP1P2).encode();
  ResponseApdu& waiting = *pending_response_;
  const std::size_t count = std::min(waiting.data.size(), response_capacity(command.le));
  if (count == 0) return status(sw::kWrongLength).encode();
  const auto split = waiting.data.begin() + static_cast<std::ptrdiff_t>(count);
  ResponseApdu part{Bytes(waiting.data.begin(), split), waiting.sw};
  waiting.data.erase(waiting.data.begin(), split);
  if (waiting.data.empty()) {
    pending_response_.reset();
  } else {
    const std::size_t left = waiting.data.size();
    part.sw = static_cast<std::uint16_t>(0x6100 | (left >= apdu::kMaxShortLe ? 0 : left));
  }
  return part.encode();
}

ResponseApdu VirtualCard::dispatch(const CommandApdu& command, bool /*extended*/) {
  // Interindustry class, logical channel 0; the chaining bit (10) only for GENERAL AUTHENTICATE.
  bool chained = (command.cla & 0x10) != 0;
  if ((command.cla & 0xE3) != 0x00 || (chained && command.ins != access::kInsGeneralAuthenticate)) {
    return status(sw::kClaNotSupported);
  }
  if (fault_) {
    if (std::optional<std::uint16_t> refused = fault_->refusal(command, session_.has_value()))
      return status(*refused);
  }
  switch (command.ins) {
    case kInsSelect:
      return select(command);
    case kInsReadBinary:
    case kInsReadBinaryOdd: {
      ResponseApdu response = read_binary(command);
      if (fault_ && session_) fault_->alter_read_binary(command, response);
      return response;
    }
    case kInsGetChallenge:
      return get_challenge(command);
    case kInsExternalAuthenticate:
      return external_authenticate(command);
    case kInsInternalAuthenticate:
      return internal_authenticate(command);
    case access::kInsMseSetAt:
      if (command.p1 == access::kP1SetForComputation) return chip_authentication_command(command);
      return pace_command(command);
    case access::kInsGeneralAuthenticate:
      if (chip_authentication_ && chip_authentication_->expects_general_authenticate())
        return chip_authentication_command(command);
      return pace_command(command);
    default:
      return status(sw::kInsNotSupported);
  }
}

std::optional<FileId> VirtualCard::file_by_fid(std::uint16_t fid) const {
  for (FileId file : kAllFiles) {
    if (file_fid(file) == fid && data_.files.count(file) != 0) return file;
  }
  return std::nullopt;
}

// Whether `file` can be reached from the current DF. EF.CardAccess lives in the MF; the CCCD reaches it
// whatever is selected, a chip resolving identifiers relative to the current DF only from the MF.
bool VirtualCard::reachable(FileId file) const {
  if (file == FileId::card_access)
    return !(data_.secrets.sfi_relative_to_current_df && application_selected_);
  return application_selected_;
}

std::optional<VirtualCard::Ef> VirtualCard::reachable_by_fid(std::uint16_t fid) const {
  if (fid == kAtrInfoFid && data_.secrets.atr_info && !application_selected_) return Ef{std::nullopt, true};
  std::optional<FileId> file = file_by_fid(fid);
  if (!file || !reachable(*file)) return std::nullopt;
  return Ef{file, false};
}

std::optional<VirtualCard::Ef> VirtualCard::reachable_by_sfi(std::uint8_t sfi) const {
  // SFI 01 is EF.ATR/INFO in the MF and DG1 in the application.
  if (sfi == kAtrInfoSfi && data_.secrets.atr_info && !application_selected_) return Ef{std::nullopt, true};
  for (FileId file : kAllFiles) {
    if (file_sfi(file) == sfi && data_.files.count(file) != 0 && reachable(file)) return Ef{file, false};
  }
  return std::nullopt;
}

void VirtualCard::make_current(const Ef& ef) {
  current_file_ = ef.file;
  atr_info_current_ = ef.atr_info;
}

ResponseApdu VirtualCard::select(const CommandApdu& command) {
  if (command.p2 != 0x0C && command.p2 != 0x00 && command.p2 != 0x04) return status(sw::kIncorrectP1P2);
  switch (command.p1) {
    case 0x04: {  // by DF name: the eMRTD application
      if (!std::equal(command.data.begin(), command.data.end(), std::begin(kEmrtdAid), std::end(kEmrtdAid))) {
        return status(sw::kFileNotFound);
      }
      application_selected_ = true;
      make_current({});
      return status(sw::kOk);
    }
    case 0x02: {  // EF under the current DF, by file identifier
      if (command.data.size() != 2) return status(sw::kWrongLength);
      std::uint16_t fid = static_cast<std::uint16_t>((command.data[0] << 8) | command.data[1]);
      std::optional<Ef> ef = reachable_by_fid(fid);
      if (!ef) return status(sw::kFileNotFound);
      make_current(*ef);
      return status(sw::kOk);
    }
    case 0x00: {  // the MF (no data or 3F00): a chip resolving SFIs relative to the current DF allows it
      const bool master_file =
          command.data.empty() || (command.data.size() == 2 && be_value(command.data) == kMasterFileFid);
      if (!data_.secrets.sfi_relative_to_current_df || !master_file) return status(sw::kInsNotSupported);
      application_selected_ = false;
      make_current({});
      return status(sw::kOk);
    }
    default:
      // The CCCD does not support selecting the MF (by FID 3F00 or by path): it answers 6D00.
      return status(sw::kInsNotSupported);
  }
}

bool VirtualCard::readable(FileId file, std::uint16_t* denied_sw) const {
  if (file == FileId::card_access) return true;
  if (!application_selected_ || !session_) {
    *denied_sw = sw::kSecurityStatusNotSatisfied;
    return false;
  }
  if (file == FileId::dg3 || file == FileId::dg4) {  // fingerprints and iris need Terminal Authentication
    *denied_sw = sw::kSecurityStatusNotSatisfied;
    return false;
  }
  return true;
}

ResponseApdu VirtualCard::read_binary(const CommandApdu& command) {
  std::size_t offset = 0;
  bool odd = command.ins == kInsReadBinaryOdd;
  if (odd) {
    std::optional<std::size_t> parsed = odd_ins_offset(command.data);
    if (!parsed) return status(sw::kWrongData);
    offset = *parsed;
    std::uint16_t fid = static_cast<std::uint16_t>((command.p1 << 8) | command.p2);
    if (fid != 0) {
      std::optional<Ef> ef = reachable_by_fid(fid);
      if (!ef) return status(sw::kFileNotFound);
      make_current(*ef);
    }
  } else if (command.p1 & 0x80) {  // short file identifier in P1, offset in P2
    if (command.p1 & 0x60) return status(sw::kIncorrectP1P2);
    // A chip without short file identifiers under secure messaging refuses them there.
    if (session_ && data_.secrets.sfi_refused_under_secure_messaging != 0)
      return status(data_.secrets.sfi_refused_under_secure_messaging);
    std::optional<Ef> ef = reachable_by_sfi(command.p1 & 0x1F);
    if (!ef) return status(sw::kFileNotFound);
    make_current(*ef);
    offset = command.p2;
  } else {
    offset = (static_cast<std::size_t>(command.p1 & 0x7F) << 8) | command.p2;
  }
  if (!current_file_ && !atr_info_current_) return status(sw::kCommandNotAllowed);
  std::uint16_t denied = 0;
  if (current_file_ && !readable(*current_file_, &denied)) return status(denied);
  if (command.le == apdu::kNoLe) return status(sw::kWrongLength);

  const Bytes& content = atr_info_current_ ? atr_info_ : data_.files.at(*current_file_);
  if (offset > content.size()) return status(sw::kWrongP1P2);
  std::size_t available = content.size() - offset;
  // An odd-INS response wraps the data in DO'53'; its header counts against Le.
  std::size_t wanted = command.le;
  std::size_t count = std::min(available, wanted);
  if (odd) {
    // Shrink until 53 || length || data fits Le (a few steps at most: the header is 2 to 4 bytes).
    while (count > 0 && 1 + asn1::encode_length(count).size() + count > wanted) --count;
    Bytes wrapped = asn1::tlv(0x53, checked_subspan(content, offset, count));
    bool end_of_file = count == available && wrapped.size() < wanted;
    return ResponseApdu{std::move(wrapped), end_of_file ? sw::kEndOfFileBeforeLe : sw::kOk};
  }
  Bytes chunk(content.begin() + static_cast<std::ptrdiff_t>(offset),
              content.begin() + static_cast<std::ptrdiff_t>(offset + count));
  ResponseApdu response{std::move(chunk), count < wanted ? sw::kEndOfFileBeforeLe : sw::kOk};
  return response;
}

ResponseApdu VirtualCard::get_challenge(const CommandApdu& command) {
  if (command.p1 != 0 || command.p2 != 0) return status(sw::kIncorrectP1P2);
  if (command.le != 8) return status(sw::kWrongLength);
  challenge_ = crypto::random_bytes(8);
  return ResponseApdu{*challenge_, sw::kOk};
}

ResponseApdu VirtualCard::external_authenticate(const CommandApdu& command) {
  if (!challenge_) return status(sw::kConditionsNotSatisfied);
  if (command.data.size() != 40) return status(sw::kWrongLength);
  Bytes rnd_ic = std::move(*challenge_);
  challenge_.reset();  // a challenge is good for one attempt
  ++authentication_attempts_;
  try {
    access::BacKeys keys = access::derive_bac_keys(data_.secrets.mrz_information);
    Bytes k_ic = crypto::random_bytes(16);
    access::BacChipResult result = access::bac_chip_authenticate(keys, rnd_ic, k_ic, command.data);
    secure_wipe(k_ic.data(), k_ic.size());
    start_session(std::move(result.session));
    return ResponseApdu{std::move(result.response), sw::kOk};
  } catch (const Error&) {
    return status(0x6300);  // authentication failed
  }
}

ResponseApdu VirtualCard::pace_command(const CommandApdu& command) {
  if (!pace_) return status(sw::kInsNotSupported);
  if (session_) return status(sw::kConditionsNotSatisfied);  // PACE runs before secure messaging
  ResponseApdu response = command.ins == access::kInsMseSetAt ? pace_->set_authentication_template(command)
                                                              : pace_->general_authenticate(command);
  if (std::optional<sm::SessionKeys> keys = pace_->take_session()) start_session(std::move(*keys));
  return response;
}

ResponseApdu VirtualCard::chip_authentication_command(const CommandApdu& command) {
  if (!chip_authentication_) return status(sw::kFunctionNotSupported);
  if (!session_) return status(sw::kSecurityStatusNotSatisfied);  // CA runs under secure messaging
  ResponseApdu response = command.ins == access::kInsMseSetAt
                              ? chip_authentication_->manage_security_environment(command)
                              : chip_authentication_->general_authenticate(command);
  if (std::optional<sm::SessionKeys> keys = chip_authentication_->take_session())
    next_session_ = std::move(keys);
  return response;
}

ResponseApdu VirtualCard::internal_authenticate(const CommandApdu& command) {
  if (!active_authentication_) return status(sw::kInsNotSupported);
  // Active Authentication runs after access control, under secure messaging.
  if (!session_ || !application_selected_) return status(sw::kSecurityStatusNotSatisfied);
  ResponseApdu response = active_authentication_->internal_authenticate(command);
  if (fault_) fault_->alter_internal_authenticate(response);
  return response;
}

}  // namespace cccd::sim
