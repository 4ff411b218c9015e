// A channel to a card on a reader driven by libnfc (NXP PN53x chips: PN532 boards, PN533 / ACR122U and
// SCL3711 USB readers), and the context that finds those readers. Connstrings are libnfc's:
// `<driver>:<port>[:<speed>]`, e.g. `pn532_uart:/dev/ttyUSB0` or `pn53x_usb:001:004`.
#pragma once

#include "transport/channel.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct nfc_context;
struct nfc_device;

namespace cccd::transport {

class NfcContext {
 public:
  NfcContext();  // nfc_init; throws Error(transport) when libnfc cannot start
  ~NfcContext();
  NfcContext(const NfcContext&) = delete;
  NfcContext& operator=(const NfcContext&) = delete;

  // The connstrings libnfc finds: configured devices (libnfc.conf, LIBNFC_DEFAULT_DEVICE) and, when
  // auto-scan is on, USB readers. Serial readers are found only when configured.
  std::vector<std::string> list_devices() const;
  nfc_context* handle() const noexcept { return context_; }

 private:
  nfc_context* context_ = nullptr;
};

// The most a PN53x carries in one InDataExchange, and so in one APDU each way: 262 bytes of DataOut
// and of DataIn (PN532 User Manual UM0701-02, 7.3.8: the chip's buffer). libnfc 1.8.0 agrees: its
// command buffer is 264 bytes, of which 2 go to the command code and the target number, and it copies
// the APDU in without a length check, so a longer one must never reach it. A short APDU needs at most
// 4 + 1 + 255 + 1 = 261 bytes out and 256 + 2 = 258 bytes in: it always fits. An extended APDU would
// only gain 1 byte of command data and 4 bytes of response over a short one, so the channel does not
// offer extended length at all (measured against the emulated PN532 in tests/unit/nfc_channel_test.cpp:
// a 262-byte command and a 262-byte response pass; a 263-byte command is refused here).
inline constexpr std::size_t kNfcMaxApdu = 262;

ChannelCapabilities nfc_capabilities() noexcept;

class NfcChannel : public RawChannel, public Reconnectable {
 public:
  // Opens the reader `connstring` (the first one libnfc finds when empty) as an initiator with its field
  // on. No card is selected yet: call select_card() or wait_for_card().
  // Throws Error(no_reader) when there is no such reader or it does not answer like a PN53x,
  // Error(invalid_argument) for a connstring longer than libnfc takes.
  NfcChannel(const NfcContext& context, std::string_view connstring);
  ~NfcChannel() override;
  NfcChannel(const NfcChannel&) = delete;
  NfcChannel& operator=(const NfcChannel&) = delete;

  // Selects the card in the field: ISO 14443-A first, then ISO 14443-B. Throws Error(no_card) when
  // there is none, Error(not_supported) for a card that does not speak ISO/IEC 14443-4 (APDUs).
  void select_card();
  // Polls for a card until one is selected. Throws Error(timeout) when none came within `timeout`,
  // Error(cancelled) after cancel().
  void wait_for_card(std::chrono::milliseconds timeout);
  // For a read that resumes after the card left the field: the same as wait_for_card.
  void reconnect(std::chrono::milliseconds timeout) override { wait_for_card(timeout); }
  // A card this channel activated and has sent nothing to is in its power-up state already; otherwise
  // the field goes off and on (a card left active answers no new selection) and the card is selected
  // again within `timeout`.
  void reset_card(std::chrono::milliseconds timeout) override;

  // Ends the exchange or the wait running on another thread with Error(cancelled), and every later one:
  // a cancelled session is over. Safe from any thread while the channel lives. A Cancellation given to
  // set_cancellation() does the same when it is cancelled.
  void cancel() noexcept;
  bool cancelled() const noexcept { return cancelled_.load(); }

  // How long one APDU may take, reader and card together (default 5 s: slow chips doing PACE or
  // Chip Authentication arithmetic take a good part of a second).
  void set_command_timeout(std::chrono::milliseconds timeout) noexcept { command_timeout_ = timeout; }
  std::chrono::milliseconds command_timeout() const noexcept { return command_timeout_; }

  ChannelCapabilities capabilities() const override { return nfc_capabilities(); }
  const std::string& connstring() const noexcept { return connstring_; }
  const std::string& device_name() const noexcept { return name_; }
  bool card_selected() const noexcept { return selected_; }

 protected:
  Bytes exchange(ByteView command) override;

 private:
  bool try_select();  // one polling round; true when a card was selected
  void throw_if_cancelled() const;
  // While an exchange or a wait runs: a cancelled Cancellation (set_cancellation) interrupts it.
  std::optional<Cancellation::Registration> interrupt_on_cancel();

  nfc_device* device_ = nullptr;
  std::string connstring_;
  std::string name_;
  struct Target;
  std::unique_ptr<Target> target_;  // the selected card, for the presence check
  bool selected_ = false;
  bool untouched_ = false;  // selected by this channel, no APDU exchanged since
  std::chrono::milliseconds command_timeout_{5000};
  std::atomic<bool> cancelled_{false};
  mutable std::mutex wait_mutex_;
  std::condition_variable wait_wakeup_;
};

}  // namespace cccd::transport
