#include "reader/extended_length.hpp"

#include <algorithm>

namespace cccd::reader {
namespace {

namespace sw = apdu::sw;
constexpr std::uint8_t kAtrInfoSfi = 0x01;
// Extended case 4: header 4, Lc 3, Le 2 around the data; a response: data and SW1 SW2.
constexpr std::size_t kExtendedCommandOverhead = 9;
constexpr std::size_t kStatusWordBytes = 2;

}  // namespace

void ChipExtendedLength::supported(std::optional<lds::ExtendedLengthInfo> info) noexcept {
  state_ = State::supported;
  info_ = info;
}

transport::ChannelCapabilities ChipExtendedLength::apply(transport::ChannelCapabilities link) const noexcept {
  if (state_ == State::refused) {
    link.extended_length = false;
    link.max_command_data = link.max_short_command_data;
    link.max_response_data = link.max_short_response_data;
    return link;
  }
  if (state_ == State::supported && info_) {
    // A chip announcing less than a short APDU carries is still read with short ones.
    const std::size_t command = info_->max_command_apdu > kExtendedCommandOverhead
                                    ? info_->max_command_apdu - kExtendedCommandOverhead
                                    : 0;
    const std::size_t response =
        info_->max_response_apdu > kStatusWordBytes ? info_->max_response_apdu - kStatusWordBytes : 0;
    link.max_command_data = std::max(std::min(link.max_command_data, command), link.max_short_command_data);
    link.max_response_data =
        std::max(std::min(link.max_response_data, response), link.max_short_response_data);
    link.extended_length = link.extended_length && (link.max_command_data > link.max_short_command_data ||
                                                    link.max_response_data > link.max_short_response_data);
  }
  return link;
}

void read_atr_info(transport::Channel& channel, ChipExtendedLength& chip) {
  const transport::ChannelCapabilities link = channel.capabilities();
  // Asking for more than a short response makes this READ BINARY an extended one: the probe.
  const std::size_t le = std::max(link.max_response_data, apdu::kMaxShortLe + 1);
  const apdu::CommandApdu read{0x00, 0xB0, static_cast<std::uint8_t>(0x80 | kAtrInfoSfi), 0x00, {}, le};
  apdu::ResponseApdu response;
  try {
    response = channel.transmit(read);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::transport) throw;
    chip.refused();  // the reader could not carry it: the same for this read as a chip saying no
    return;
  }
  if (response.sw == sw::kWrongLength) {
    chip.refused();
    return;
  }
  if (response.sw != sw::kOk && response.sw != sw::kEndOfFileBeforeLe) return;  // no EF.ATR/INFO
  try {
    std::optional<lds::ExtendedLengthInfo> info = lds::parse_atr_info(response.data);
    if (info) {
      chip.supported(info);
    } else {
      chip.refused();  // ICAO 9303-10: a chip that takes extended length says so in EF.ATR/INFO
    }
  } catch (const Error& e) {
    if (e.code() != ErrorCode::malformed_data) throw;
    // A file that does not parse says nothing; the EF.CardAccess probe decides.
  }
}

}  // namespace cccd::reader
