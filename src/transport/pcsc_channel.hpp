// A channel to a card on a PC/SC reader (pcsc-lite), and the context that finds readers and waits for
// cards.
#pragma once

#include "transport/channel.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cccd::transport {

class PcscContext {
 public:
  PcscContext();  // throws Error(no_reader) when the PC/SC service is not running
  ~PcscContext();
  PcscContext(const PcscContext&) = delete;
  PcscContext& operator=(const PcscContext&) = delete;

  std::vector<std::string> readers() const;
  std::intptr_t handle() const noexcept { return context_; }

  // Waits until a card is present on a reader whose name contains `reader_name_substring` (any reader
  // when empty) and returns that reader's full name. Readers plugged in during the wait count.
  // Throws Error(timeout) when no card came within `timeout`, Error(no_reader) when no matching reader
  // was there at the end of it or the PC/SC service went away, Error(cancelled) after cancel(). A
  // `timeout` of 0 only looks: the reader that holds a card now.
  std::string wait_for_card(std::string_view reader_name_substring, std::chrono::milliseconds timeout) const;
  // Waits until the card on `reader` is gone (a reader unplugged takes its card with it).
  // Throws Error(timeout) when the card is still there after `timeout`, Error(cancelled) after cancel().
  void wait_for_removal(const std::string& reader, std::chrono::milliseconds timeout) const;
  // Ends a wait_for_card / wait_for_removal running on another thread with Error(cancelled).
  // Safe to call from any thread while this context lives; does nothing when no wait is running.
  void cancel() const noexcept;

 private:
  std::intptr_t context_ = 0;
};

// The reader's side of extended length: a reader that reports its maximum input size
// (SCARD_ATTR_MAXINPUT) carries what fits it, one that reports no more than a short APDU carries short
// ones only. Many drivers (and contactless readers' pseudo-ATRs) say nothing: such a link may carry
// extended APDUs with kUnreportedReaderData bytes of data each way, the size field readers of the CCCD
// use. Whether the chip takes them is the session's question (reader/extended_length.hpp: EF.ATR/INFO,
// else a probe), asked once per read with a clean fall back.
inline constexpr std::size_t kUnreportedReaderData = 2048;
ChannelCapabilities pcsc_capabilities(std::optional<std::size_t> reader_max_input) noexcept;

class PcscChannel : public RawChannel, public Reconnectable {
 public:
  // Connects to the first reader whose name contains `reader_name` (any reader when empty). The context
  // must outlive the channel. Throws Error(no_reader), Error(no_card), or Error(transport) when another
  // program holds the card.
  PcscChannel(const PcscContext& context, std::string_view reader_name);
  ~PcscChannel() override;
  PcscChannel(const PcscChannel&) = delete;
  PcscChannel& operator=(const PcscChannel&) = delete;

  ChannelCapabilities capabilities() const override { return capabilities_; }
  const std::string& reader_name() const noexcept { return reader_; }
  const Bytes& atr() const noexcept { return atr_; }

  // Waits for a card on the same reader and connects to it (see Reconnectable).
  void reconnect(std::chrono::milliseconds timeout) override;
  // A warm reset of the card (SCardReconnect with SCARD_RESET_CARD): pcscd keeps a card powered between
  // connections, so without it a read would find what the previous program left selected.
  void reset_card(std::chrono::milliseconds timeout) override;

 protected:
  Bytes exchange(ByteView command) override;

 private:
  void connect();
  void disconnect() noexcept;
  // After a failed exchange: whether the card is gone from the reader (within kRemovalGrace).
  bool card_left_field() const;
  static constexpr std::chrono::milliseconds kRemovalGrace{1000};

  const PcscContext& context_;
  std::intptr_t card_ = 0;
  unsigned long protocol_ = 0;
  std::string reader_;
  Bytes atr_;
  ChannelCapabilities capabilities_;
};

}  // namespace cccd::transport
