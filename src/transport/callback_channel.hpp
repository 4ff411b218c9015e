// The public transport interface (cccd_transport_callbacks, include/cccd/cccd.h) as a channel: a card
// reached through the caller's own functions — a phone's NFC stack, a reader vendor's SDK, a card served
// by another process, the project's virtual card. RawChannel does the ISO 7816-4 transport rules for it
// exactly as for PC/SC and libnfc.
#pragma once

#include "transport/channel.hpp"

#include <cccd/cccd.h>

namespace cccd::transport {

// The callbacks with every field a caller's older, shorter struct lacks set to its default (NULL, 0).
// Error(invalid_argument) for a struct_size too small to hold `transmit`, or no transmit.
cccd_transport_callbacks normalise_callbacks(const cccd_transport_callbacks& callbacks);

class CallbackChannel : public RawChannel, public Reconnectable {
 public:
  // `callbacks` as normalise_callbacks returns them; `user` is passed back to each.
  CallbackChannel(const cccd_transport_callbacks& callbacks, void* user);

  ChannelCapabilities capabilities() const override { return capabilities_; }
  // Error(not_supported) without a reconnect callback: the card cannot come back.
  void reconnect(std::chrono::milliseconds timeout) override;
  bool can_reconnect() const noexcept { return callbacks_.reconnect != nullptr; }
  // Waits for a card (wait_for_card callback); Error(not_supported) without one.
  void wait_for_card(std::chrono::milliseconds timeout);
  // The cancel callback, for a Cancellation registration (any thread); nothing without one.
  void interrupt() noexcept;

 protected:
  Bytes exchange(ByteView command) override;

 private:
  cccd_transport_callbacks callbacks_;
  void* user_;
  ChannelCapabilities capabilities_;
  Bytes response_buffer_;
};

}  // namespace cccd::transport
