// The virtual CCCD: the card side of ISO/IEC 7816-4 and ICAO 9303 over a card folder, following the
// CCCD chip profile (docs/ARCHITECTURE.md, "The virtual card"). It is a faithful chip, not a mock: the
// reader code must get every APDU right to read it — access conditions, secure messaging, lengths.
#pragma once

#include "sim/active_authentication_chip.hpp"
#include "sim/card_faults.hpp"
#include "sim/card_folder.hpp"
#include "sim/chip_authentication_chip.hpp"
#include "sim/pace_chip.hpp"
#include "sm/secure_messaging.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <set>

namespace cccd::sim {

// The eMRTD application (ICAO Doc 9303 Part 10 section 3.3).
inline constexpr std::uint8_t kEmrtdAid[] = {0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01};

class VirtualCard {
 public:
  explicit VirtualCard(CardData data);

  // One command APDU in, one response APDU (data and status word) out; never throws for anything the
  // terminal sends. Undecodable commands answer 6700, unknown instructions 6D00, as a chip would.
  Bytes process(ByteView command);

  // The card leaves the field and comes back: application deselected, secure messaging dropped.
  void reset();

  // The hostile card (sim/card_faults.hpp): from now on the card misbehaves as `fault` says (none: a
  // faithful chip again). A card whose secrets name a fault starts with it.
  void set_fault(CardFault fault);
  CardFault fault() const noexcept { return fault_ ? fault_->fault() : CardFault::none; }

  const CardData& data() const noexcept { return data_; }
  bool secure_messaging_active() const noexcept { return session_.has_value(); }
  // Counts EXTERNAL AUTHENTICATE attempts (tests check that a wrong key is tried once, not stormed).
  int authentication_attempts() const noexcept { return authentication_attempts_; }
  // Failed PACE password attempts (the final token did not verify).
  int pace_failures() const noexcept { return pace_ ? pace_->failed_attempts() : 0; }

 private:
  Bytes process_command(ByteView command);
  void start_session(sm::SessionKeys keys);
  apdu::ResponseApdu dispatch(const apdu::CommandApdu& command, bool extended);
  apdu::ResponseApdu select(const apdu::CommandApdu& command);
  apdu::ResponseApdu read_binary(const apdu::CommandApdu& command);
  apdu::ResponseApdu get_challenge(const apdu::CommandApdu& command);
  apdu::ResponseApdu external_authenticate(const apdu::CommandApdu& command);
  apdu::ResponseApdu pace_command(const apdu::CommandApdu& command);
  apdu::ResponseApdu internal_authenticate(const apdu::CommandApdu& command);
  // The encoded response; one longer than the command's Le and the link allow is refused (6700), except
  // INTERNAL AUTHENTICATE's, which is sent in parts: 61xx and GET RESPONSE (get_response).
  Bytes deliver(const apdu::ResponseApdu& response, const apdu::CommandApdu& command);
  Bytes get_response(const apdu::CommandApdu& command);
  apdu::ResponseApdu chip_authentication_command(const apdu::CommandApdu& command);
  std::optional<FileId> file_by_fid(std::uint16_t fid) const;
  // An EF reachable from the current DF, by file identifier or short file identifier (EF.ATR/INFO has
  // no FileId: `file` stays empty and `atr_info` is set).
  struct Ef {
    std::optional<FileId> file;
    bool atr_info = false;
  };
  std::optional<Ef> reachable_by_fid(std::uint16_t fid) const;
  std::optional<Ef> reachable_by_sfi(std::uint8_t sfi) const;
  bool reachable(FileId file) const;
  void make_current(const Ef& ef);
  bool readable(FileId file, std::uint16_t* denied_sw) const;
  std::size_t response_capacity(std::size_t protected_le) const;

  CardData data_;
  bool application_selected_ = false;
  std::optional<FileId> current_file_;
  bool atr_info_current_ = false;       // EF.ATR/INFO is the current EF (current_file_ is empty)
  Bytes atr_info_;                      // its content, when the secrets ask for one
  std::optional<Bytes> challenge_;      // RND.IC of a pending BAC
  std::optional<sm::SmCodec> session_;  // secure messaging after access control
  std::optional<PaceChip> pace_;        // when EF.CardAccess offers PACE
  // Active Authentication, when the secrets hold an AA key.
  std::optional<ActiveAuthenticationChip> active_authentication_;
  // The rest of a response sent in parts (61xx), for GET RESPONSE.
  std::optional<apdu::ResponseApdu> pending_response_;
  // Chip Authentication, when DG14 holds a CA key and the secrets its private key. Its keys replace the
  // session's after the answer to the command that agreed them has been sent under the old ones.
  std::optional<ChipAuthenticationChip> chip_authentication_;
  std::optional<sm::SessionKeys> next_session_;
  int authentication_attempts_ = 0;
  // The fault switch, and a copy of the session keys for the faults that forge protected answers.
  std::optional<CardFaultInjector> fault_;
  std::optional<sm::SessionKeys> forging_keys_;
};

}  // namespace cccd::sim
