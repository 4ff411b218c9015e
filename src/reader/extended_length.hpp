// Extended length as the chip says it. A link may carry extended APDUs (a PC/SC reader, a phone's NFC
// stack) while the chip behind it refuses them, and contactless readers' pseudo-ATRs rarely tell. So the
// read asks the chip, once per session: EF.ATR/INFO's ExtendedLengthInfo (ICAO 9303-10), read with an
// extended READ BINARY that is itself the probe (6700 or a transmit error: no); when the chip has no
// EF.ATR/INFO, the unprotected READ BINARY of EF.CardAccess is sent extended and decides. Either happens
// before secure messaging, so a refusal costs one APDU and no reopening. What was learnt bounds the
// capabilities every later command is sized by.
#pragma once

#include "lds/atr_info.hpp"
#include "transport/channel.hpp"

#include <optional>

namespace cccd::reader {

class ChipExtendedLength {
 public:
  enum class State { unknown, supported, refused };

  State state() const noexcept { return state_; }
  // The chip answered an extended command with data; `info` bounds the sizes when it gave them.
  void supported(std::optional<lds::ExtendedLengthInfo> info = std::nullopt) noexcept;
  void refused() noexcept { state_ = State::refused; }

  // The link's capabilities narrowed to what the chip takes: short sizes when it refused extended length,
  // the sizes of its ExtendedLengthInfo when it gave them.
  transport::ChannelCapabilities apply(transport::ChannelCapabilities link) const noexcept;

 private:
  State state_ = State::unknown;
  std::optional<lds::ExtendedLengthInfo> info_;
};

// Reads EF.ATR/INFO by its short file identifier in one extended READ BINARY, unprotected and before
// anything is selected, and records what it says in `chip`. A chip without the file (or that refuses
// it) leaves `chip` unknown. Only Error(transport) of the extended command is taken as a refusal; other
// errors (card_removed, cancelled ...) propagate.
void read_atr_info(transport::Channel& channel, ChipExtendedLength& chip);

}  // namespace cccd::reader
