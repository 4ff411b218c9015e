// An NXP PN532 on a pseudo-terminal, for testing the libnfc transport through libnfc's own pn532_uart
// driver: the chip side of the PN532 HSU (UART) frame protocol (PN532 User Manual UM0701-02, section 6.2),
// with a virtual card in its field. The emulator holds the master side of a pty; libnfc opens the slave
// (/dev/pts/N) as if it were the serial port of a real reader: connstring `pn532_uart:/dev/pts/N`.
//
// Frames (host to chip TFI D4, chip to host TFI D5):
//   normal      00 00 FF LEN LCS TFI PD0..PDn DCS 00        LEN = bytes from TFI to PDn, LEN + LCS = 0
//   extended    00 00 FF FF FF LENM LENL LCS TFI ... DCS 00  for LEN > 255
//   ACK 00 00 FF 00 FF 00, NACK 00 00 FF FF 00 00, error frame 00 00 FF 01 FF 7F 81 00
// TFI + PD0..PDn + DCS = 0 (mod 256). A host frame with a bad checksum or an impossible length is ignored,
// as the chip does (no ACK: the host times out); a command the chip does not know gets an ACK and the
// error frame. An ACK from the host aborts the command in progress; a NACK asks for the last answer again.
#pragma once

#include "sim/virtual_card.hpp"

#include <cccd/bytes.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cccd::sim {

inline constexpr std::uint8_t kPn532HostToChip = 0xD4;
inline constexpr std::uint8_t kPn532ChipToHost = 0xD5;

// The longest frame body (TFI and PD0..PDn) the emulator accepts from the host: TFI, the command code and
// 263 parameter bytes (InDataExchange: Tg and 262 bytes of DataOut, the chip's buffer, UM0701-02 7.3.8).
// libnfc never builds a longer one (its frame buffer is 264 bytes after the TFI).
inline constexpr std::size_t kPn532MaxHostFrameBody = 265;
// The most DataIn an InDataExchange answer carries (the PN532's buffer, UM0701-02 7.3.8).
inline constexpr std::size_t kPn532MaxDataIn = 262;

// PN532 command codes (UM0701-02 chapter 7).
enum class Pn532Command : std::uint8_t {
  diagnose = 0x00,
  get_firmware_version = 0x02,
  read_register = 0x06,
  write_register = 0x08,
  set_parameters = 0x12,
  sam_configuration = 0x14,
  power_down = 0x16,
  rf_configuration = 0x32,
  in_data_exchange = 0x40,
  in_communicate_thru = 0x42,
  in_deselect = 0x44,
  in_list_passive_target = 0x4A,
  in_release = 0x52,
};

// Status bytes of the PN532 (UM0701-02 7.1) the emulator answers.
inline constexpr std::uint8_t kPn532StatusOk = 0x00;
inline constexpr std::uint8_t kPn532StatusTimeout = 0x01;           // the target did not answer
inline constexpr std::uint8_t kPn532StatusInternalOverflow = 0x0E;  // the answer does not fit the buffer
inline constexpr std::uint8_t kPn532StatusNotAcceptable = 0x27;     // command not acceptable in context

// Encodes a frame with `tfi` and `body` (PD0..PDn): normal up to 254 body bytes, extended above.
// Throws Error(limit_exceeded) for a body longer than an extended frame can carry.
Bytes pn532_frame(std::uint8_t tfi, ByteView body);
Bytes pn532_ack_frame();
Bytes pn532_nack_frame();
Bytes pn532_error_frame();

// Splits the bytes from the host into frames. Bytes between frames (the 55 55 00 ... wakeup preamble,
// postambles, noise) are skipped; every length and checksum is checked before a body is accepted, and a
// frame is never longer than kPn532MaxHostFrameBody whatever its LEN says.
class Pn532FrameParser {
 public:
  struct Event {
    enum class Kind {
      ack,
      nack,
      command,              // a well-formed host frame; `body` is PD0..PDn (the command code first)
      bad_length_checksum,  // LEN + LCS != 0: the frame is dropped, the parser looks for the next one
      bad_data_checksum,    // TFI + PD + DCS != 0
      bad_length,           // LEN over kPn532MaxHostFrameBody, or too short for a TFI and a command
      bad_tfi,              // not D4: not a host frame
    };
    Kind kind;
    Bytes body;
  };

  // Consumes `bytes`, appending what they complete to `events`. A frame may span calls.
  void feed(ByteView bytes, std::vector<Event>& events);

 private:
  enum class State {
    seek_zero,
    seek_ff,
    length,
    length_checksum,
    ext_length_high,
    ext_length_low,
    ext_length_checksum,
    body,
    data_checksum
  };
  void restart() noexcept;

  State state_ = State::seek_zero;
  std::uint8_t length_byte_ = 0;
  std::uint8_t ext_high_ = 0;
  std::uint8_t ext_low_ = 0;
  std::size_t expected_ = 0;
  Bytes body_;  // TFI and PD0..PDn
};

// What the emulator saw, for tests and measurements.
struct Pn532Counters {
  std::uint64_t frames = 0;            // well-formed host command frames
  std::uint64_t rejected_frames = 0;   // dropped for a bad checksum, length or TFI
  std::uint64_t unknown_commands = 0;  // answered with the error frame
  std::uint64_t apdus = 0;             // InDataExchange commands that reached the card
  std::uint64_t apdu_bytes_in = 0;     // DataOut bytes (command APDUs)
  std::uint64_t apdu_bytes_out = 0;    // DataIn bytes (response APDUs)
  std::uint64_t aborted = 0;           // commands the host aborted with an ACK
};

class Pn532Emulator {
 public:
  // What the card in the field does with one command APDU.
  using CardHandler = std::function<Bytes(ByteView command)>;

  // The card in the field is `card` (not owned; only the emulator thread touches it while running). It is
  // reset whenever the reader activates it, as a card powered up by the field is.
  explicit Pn532Emulator(VirtualCard& card);
  // Any APDU handler (tests of the transport limits); `on_activation` runs when the target is activated.
  explicit Pn532Emulator(CardHandler handler, std::function<void()> on_activation = {});
  ~Pn532Emulator();  // stops the thread, closes the pty
  Pn532Emulator(const Pn532Emulator&) = delete;
  Pn532Emulator& operator=(const Pn532Emulator&) = delete;

  // Opens the pty (master in raw mode) and starts answering on a thread. Error(transport) when no pty
  // can be had.
  void start();
  // Stops the thread (seen within ~20 ms). Safe to call twice.
  void stop() noexcept;

  const std::string& device_path() const noexcept { return slave_path_; }  // /dev/pts/N
  std::string connstring() const { return "pn532_uart:" + slave_path_; }

  // The card leaves / enters the field. Any thread, any moment. A card that left must be activated
  // again (InListPassiveTarget) before it answers, and comes back reset.
  void remove_card() noexcept;
  void insert_card() noexcept;
  bool card_present() const noexcept { return card_present_.load(); }
  // The card answers `apdus` more APDUs, then leaves the field when the next one arrives (that one
  // gets the PN532's timeout status). 0: it leaves at the next APDU.
  void remove_card_after(std::uint64_t apdus) noexcept;

  Pn532Counters counters() const;

 private:
  void run();
  void handle(const Pn532FrameParser::Event& event);
  // What the chip does with a command: answer (the payload after the command code + 1), the error
  // frame, or nothing yet (an InListPassiveTarget waiting for a card).
  struct Answer {
    enum class Kind { payload, error_frame, deferred };
    Kind kind = Kind::payload;
    Bytes payload;
  };
  Answer dispatch(ByteView command);
  Answer in_list_passive_target(ByteView parameters);
  Answer in_data_exchange(ByteView parameters);
  Answer diagnose(ByteView parameters);
  Answer rf_configuration(ByteView parameters);
  bool target_still_there() const noexcept;
  void send(const Bytes& frame);
  void answer(std::uint8_t command, const Answer& answer);
  void service_pending_selection();

  CardHandler handler_;
  std::function<void()> on_activation_;

  int master_ = -1;
  int slave_keepalive_ = -1;  // keeps the slave open: no hangup while libnfc has it closed
  std::string slave_path_;
  std::thread thread_;
  std::atomic<bool> stop_{false};

  std::atomic<bool> card_present_{true};
  std::atomic<std::uint64_t> removals_{0};
  std::atomic<std::int64_t> remove_after_{-1};

  // Emulator thread only.
  Pn532FrameParser parser_;
  Bytes last_answer_;  // the last frame sent after an ACK, for a NACK
  std::map<std::uint16_t, std::uint8_t> registers_;
  std::uint8_t parameters_ = 0x14;  // SetParameters flags: fAutomaticRATS and fAutomaticATR_RES
  std::uint8_t passive_activation_retries_ = 0xFF;  // RFConfiguration MaxRetries; FF: until a card comes
  bool field_on_ = false;
  bool target_active_ = false;
  std::uint64_t removals_at_activation_ = 0;
  std::optional<Bytes> pending_selection_;  // an InListPassiveTarget waiting for a card

  mutable std::atomic<std::uint64_t> frames_{0}, rejected_{0}, unknown_{0}, apdus_{0}, apdu_in_{0},
      apdu_out_{0}, aborted_{0};
};

}  // namespace cccd::sim
