// The one interface between the protocols and a card: send a command APDU, get its response.
//
// Raw transports (the in-process virtual card, PC/SC, libnfc) derive from RawChannel, which does the
// ISO 7816-4 transport rules once for all of them: encoding, 61xx (GET RESPONSE) and 6Cxx (resend with
// the right Le) handling, and counting. Secure messaging is itself a Channel that wraps another one.
#pragma once

#include "apdu/apdu.hpp"

#include <cccd/cancel.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace cccd::transport {

// What the link to the card can carry. Filled in by the transport; protocols size their commands to it.
struct ChannelCapabilities {
  bool extended_length = false;  // both the reader and the card accept extended APDUs
  // Nc and Ne one command and one response carry: in short APDUs, and with extended length (equal to
  // the short ones when extended length is not supported). A secure channel reports plaintext sizes.
  std::size_t max_short_command_data = 255;
  std::size_t max_short_response_data = 256;
  std::size_t max_command_data = 255;
  std::size_t max_response_data = 256;
};

// APDUs and bytes on the wire, including GET RESPONSE exchanges and status words.
struct TransferStats {
  std::uint64_t apdus = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
};

class Channel {
 public:
  virtual ~Channel() = default;
  virtual apdu::ResponseApdu transmit(const apdu::CommandApdu& command) = 0;
  virtual ChannelCapabilities capabilities() const = 0;
  virtual TransferStats stats() const = 0;
};

class RawChannel : public Channel {
 public:
  apdu::ResponseApdu transmit(const apdu::CommandApdu& command) final;
  TransferStats stats() const override { return stats_; }

  // Checked before every exchange: once cancelled, transmit throws Error(cancelled). Not owned; must
  // outlive the channel's use (nullptr: not cancellable).
  void set_cancellation(const Cancellation* cancellation) noexcept { cancellation_ = cancellation; }
  const Cancellation* cancellation() const noexcept { return cancellation_; }

 protected:
  // Sends one encoded command APDU and returns the encoded response (data and status word).
  // Throws Error(transport / card_removed / timeout ...) when the exchange itself fails.
  virtual Bytes exchange(ByteView command) = 0;

 private:
  Bytes exchange_counted(ByteView command);
  TransferStats stats_;
  const Cancellation* cancellation_ = nullptr;
};

// A link whose card can leave the field and come back (a reader, the virtual card's tearing switch).
// After Error(card_removed), reconnect() waits for a card on the same reader and connects to it afresh:
// the card is powered up again, so no application is selected and no secure messaging is active. The
// transfer counts carry on. Throws Error(timeout) when no card came back in time, Error(cancelled).
class Reconnectable {
 public:
  virtual ~Reconnectable() = default;
  virtual void reconnect(std::chrono::milliseconds timeout) = 0;
  // At the start of a read: brings the card present now to its just-powered-up state (nothing selected,
  // no secure messaging), so that nothing an earlier session left behind changes its answers. PC/SC: a
  // warm reset; libnfc: the field off and on; a caller's transport: its reconnect. Errors as reconnect.
  virtual void reset_card(std::chrono::milliseconds timeout) { reconnect(timeout); }
};

// Bounds on the transport-level retries a card can make us do (a hostile chip cannot loop us forever).
inline constexpr int kMaxGetResponseRounds = 64;
inline constexpr int kMaxWrongLengthResends = 1;

}  // namespace cccd::transport
