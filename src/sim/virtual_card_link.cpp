#include "sim/virtual_card_link.hpp"

#include "apdu/apdu.hpp"

#include <algorithm>

namespace cccd::sim {

cccd_transport_callbacks VirtualCardLink::callbacks() {
  const CardSecrets& secrets = card_.data().secrets;
  cccd_transport_callbacks callbacks{};
  callbacks.struct_size = sizeof callbacks;
  callbacks.transmit = &VirtualCardLink::transmit;
  callbacks.reconnect = &VirtualCardLink::reconnect;
  // The in-process wire carries extended APDUs whatever the chip does with them, as a PC/SC reader or a
  // phone's NFC stack would: a chip without extended length answers them 6700 and the reader finds out.
  callbacks.max_command_data = static_cast<std::uint32_t>(apdu::kMaxExtendedLc);
  callbacks.max_response_data = static_cast<std::uint32_t>(secrets.max_response_data);
  return callbacks;
}

cccd_status VirtualCardLink::transmit(void* user, const std::uint8_t* command, std::size_t command_length,
                                      std::uint8_t* response, std::size_t response_capacity,
                                      std::size_t* response_length) {
  auto& link = *static_cast<VirtualCardLink*>(user);
  if (!link.present_) return CCCD_ERR_CARD_REMOVED;
  const std::uint64_t index = link.exchanges_++;
  Bytes answer;
  try {
    answer = link.card_.process(ByteView(command, command_length));
  } catch (...) {
    return CCCD_ERR_TRANSPORT;  // out of memory: nothing may cross the C interface
  }
  if (link.removals_.count(index) != 0) {
    link.present_ = false;
    return CCCD_ERR_CARD_REMOVED;
  }
  if (answer.size() > response_capacity) return CCCD_ERR_TRANSPORT;
  std::copy(answer.begin(), answer.end(), response);
  *response_length = answer.size();
  return CCCD_OK;
}

cccd_status VirtualCardLink::reconnect(void* user, std::uint32_t /*timeout_ms*/) {
  auto& link = *static_cast<VirtualCardLink*>(user);
  link.card_.reset();
  link.present_ = true;
  return CCCD_OK;
}

}  // namespace cccd::sim
