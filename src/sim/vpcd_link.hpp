// The card side of the vpcd protocol (vsmartcard's virtual smart card reader driver for pcsc-lite): lets a
// VirtualCard appear on a real PC/SC reader, so that the whole PC/SC stack can be tested without a chip.
//
// The card connects over TCP to the driver, which listens (default localhost:35963). Every message in
// both directions is a 2-byte big-endian length and that many bytes. A 1-byte message from the driver is
// a control command (power off, power on, reset: no answer; get ATR: the ATR as a message); a longer one
// is a command APDU, answered by the response APDU.
#pragma once

#include "sim/virtual_card.hpp"

#include <cccd/bytes.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace cccd::sim {

inline constexpr std::uint16_t kVpcdDefaultPort = 35963;

// The longest message the link accepts: the longest extended command APDU (header 4, Lc 3, 65535 data
// bytes, Le 2). The 2-byte length field cannot exceed 65535, so this default only matters to callers
// that choose a smaller bound.
inline constexpr std::size_t kMaxVpcdMessage = 65544;

// Control commands: the single byte of a 1-byte message from the driver.
inline constexpr std::uint8_t kVpcdPowerOff = 0x00;
inline constexpr std::uint8_t kVpcdPowerOn = 0x01;
inline constexpr std::uint8_t kVpcdReset = 0x02;
inline constexpr std::uint8_t kVpcdGetAtr = 0x04;

// The ATR a PC/SC reader builds for an ISO/IEC 14443-4 card (PC/SC Part 3, section 3.1.3.2.3):
// TS 3B, T0 8n (TD1 present, n historical bytes), TD1 80 (TD2 present, T=0), TD2 01 (T=1), the
// historical bytes, TCK. Historical bytes: category 80 (compact TLV), card capabilities 73 with
// "select by full DF name" (80), data coding 21, and 40 = extended Lc and Le supported (ISO/IEC 7816-4
// 8.1.1.2.7). TCK is the XOR of T0 through the last historical byte.
inline constexpr std::array<std::uint8_t, 10> kContactlessAtr = {0x3B, 0x85, 0x80, 0x01, 0x80,
                                                                 0x73, 0x80, 0x21, 0x40, 0x16};

// TCK of an ATR without its check byte: the XOR of every byte after TS.
std::uint8_t atr_check_byte(ByteView atr_without_tck);

// Why serve() returned.
enum class VpcdServeEnd {
  peer_closed,  // the driver closed the connection between messages
  stopped,      // the stop flag was set
  card_left,    // the card was pulled away at the APDU the caller chose (the connection is closed)
};

inline constexpr std::uint64_t kNeverLeave = ~std::uint64_t{0};

class VpcdLink {
 public:
  explicit VpcdLink(std::size_t max_message = kMaxVpcdMessage);
  ~VpcdLink();
  VpcdLink(const VpcdLink&) = delete;
  VpcdLink& operator=(const VpcdLink&) = delete;

  // Connects to the driver. Error(timeout) when it does not accept within `timeout`, Error(transport)
  // when the host does not resolve or refuses. Replaces an earlier connection.
  void connect(const std::string& host, std::uint16_t port,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

  // Answers the driver's messages with `card` until the driver closes the connection or `stop` is set
  // (seen within about 100 ms). Errors: Error(limit_exceeded) for a message longer than the bound or a
  // response that does not fit a message, Error(transport) for an empty message, a connection lost in
  // the middle of a message, or a socket failure. The connection is closed on every error.
  //
  // `leave_at`: the index (0-based, over this link's life) of the command APDU at which the card leaves
  // the field: the card processes it, the answer is lost and the connection is closed, as when a card
  // is pulled away in the middle of an exchange. connect() again puts the card back.
  VpcdServeEnd serve(VirtualCard& card, std::atomic<bool>& stop, std::uint64_t leave_at = kNeverLeave);
  // Command APDUs received so far (the count leave_at refers to).
  std::uint64_t apdus_received() const noexcept { return apdus_received_; }

  // Serves on a stream socket that is already connected to the driver (e.g. one end of a socketpair a
  // parent process inherited to this one), taking ownership of it. Replaces an earlier connection.
  void attach(int connected_socket) noexcept;

  // Closes the connection: to the driver, the card left the field. Not while serve() runs in another
  // thread: set its stop flag and join it first.
  void disconnect() noexcept;
  bool connected() const noexcept { return socket_ >= 0; }

 private:
  enum class ReadEnd { complete, closed, stopped };
  ReadEnd read_exact(std::uint8_t* into, std::size_t size, std::atomic<bool>& stop);
  void write_message(ByteView payload, std::atomic<bool>& stop);

  std::size_t max_message_;
  int socket_ = -1;
  bool tcp_ = false;  // the connection is TCP (its options apply)
  std::uint64_t apdus_received_ = 0;
};

}  // namespace cccd::sim
