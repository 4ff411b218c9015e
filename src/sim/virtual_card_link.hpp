// The virtual card as a transport: the public transport interface of include/cccd/cccd.h
// (cccd_transport_callbacks) whose transmit is VirtualCard::process. The library reads the virtual card
// exactly as it reads an integrator's transport; nothing in the core knows the simulator.
//
// The link can also tear: the card leaves the field at chosen exchanges (after it processed the command,
// so its answer is lost, the hardest case for a reader) and comes back on reconnect, powered up anew.
#pragma once

#include "sim/virtual_card.hpp"
#include "transport/callback_channel.hpp"

#include <cccd/cccd.h>

#include <cstdint>
#include <set>

namespace cccd::sim {

class VirtualCardLink {
 public:
  explicit VirtualCardLink(VirtualCard& card) : card_(card) {}
  VirtualCardLink(const VirtualCardLink&) = delete;
  VirtualCardLink& operator=(const VirtualCardLink&) = delete;

  // The callbacks, with this link as their `user`: a link that carries extended APDUs up to the largest
  // response the card sends (its secrets); whether the chip takes them is the chip's business.
  cccd_transport_callbacks callbacks();

  // Exchange indexes (0-based, counted over the link's life, GET RESPONSE included) at which the card
  // is pulled away.
  void remove_card_at(std::set<std::uint64_t> exchange_indexes) { removals_ = std::move(exchange_indexes); }
  std::uint64_t exchanges() const noexcept { return exchanges_; }
  bool card_present() const noexcept { return present_; }

 private:
  static cccd_status transmit(void* user, const std::uint8_t* command, std::size_t command_length,
                              std::uint8_t* response, std::size_t response_capacity,
                              std::size_t* response_length);
  static cccd_status reconnect(void* user, std::uint32_t timeout_ms);

  VirtualCard& card_;
  std::set<std::uint64_t> removals_;
  std::uint64_t exchanges_ = 0;
  bool present_ = true;
};

// The channel a test or a program reads an in-process virtual card with: the library's own adapter of
// the public transport interface over a VirtualCardLink.
class VirtualCardChannel : private VirtualCardLink, public transport::CallbackChannel {
 public:
  explicit VirtualCardChannel(VirtualCard& card)
      : VirtualCardLink(card), transport::CallbackChannel(callbacks(), static_cast<VirtualCardLink*>(this)) {}

  using VirtualCardLink::card_present;
  using VirtualCardLink::exchanges;
  using VirtualCardLink::remove_card_at;
};

}  // namespace cccd::sim
