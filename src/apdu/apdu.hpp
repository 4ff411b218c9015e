// ISO/IEC 7816-4 command and response APDUs, short and extended.
#pragma once

#include <cccd/bytes.hpp>
#include <cccd/error.hpp>

#include <cstdint>
#include <string>

namespace cccd::apdu {

// Ne, the number of response bytes expected. 0 means "no Le field". kMaxShortLe (256) is encoded as
// Le=00 in a short APDU and kMaxExtendedLe (65536) as Le=0000 in an extended one.
inline constexpr std::size_t kNoLe = 0;
inline constexpr std::size_t kMaxShortLe = 256;
inline constexpr std::size_t kMaxExtendedLe = 65536;
inline constexpr std::size_t kMaxShortLc = 255;
inline constexpr std::size_t kMaxExtendedLc = 65535;

struct CommandApdu {
  std::uint8_t cla = 0x00;
  std::uint8_t ins = 0x00;
  std::uint8_t p1 = 0x00;
  std::uint8_t p2 = 0x00;
  Bytes data;
  std::size_t le = kNoLe;

  // Extended length is needed when the data or Ne do not fit a short APDU.
  bool needs_extended() const noexcept { return data.size() > kMaxShortLc || le > kMaxShortLe; }
  // Encodes as a short APDU when it fits, else extended (case 2E/3E/4E).
  Bytes encode() const;
  // Encodes as extended even when short would fit (for chips that need uniform extended framing).
  Bytes encode_extended() const;
  // Parses an encoded APDU (the card side). Throws Error(malformed_data) on inconsistent lengths.
  static CommandApdu decode(ByteView encoded, bool* was_extended = nullptr);
};

// Status words (ISO/IEC 7816-4 section 5.1.3) that the protocols here name.
namespace sw {
inline constexpr std::uint16_t kOk = 0x9000;
inline constexpr std::uint16_t kEndOfFileBeforeLe = 0x6282;
inline constexpr std::uint16_t kWrongLength = 0x6700;
inline constexpr std::uint16_t kSmDataObjectsMissing = 0x6987;
inline constexpr std::uint16_t kSmDataObjectsIncorrect = 0x6988;
inline constexpr std::uint16_t kSecurityStatusNotSatisfied = 0x6982;
inline constexpr std::uint16_t kAuthenticationMethodBlocked = 0x6983;
inline constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
inline constexpr std::uint16_t kCommandNotAllowed = 0x6986;
inline constexpr std::uint16_t kWrongData = 0x6A80;
inline constexpr std::uint16_t kFunctionNotSupported = 0x6A81;
inline constexpr std::uint16_t kFileNotFound = 0x6A82;
inline constexpr std::uint16_t kIncorrectP1P2 = 0x6A86;
inline constexpr std::uint16_t kWrongP1P2 = 0x6B00;
inline constexpr std::uint16_t kInsNotSupported = 0x6D00;
inline constexpr std::uint16_t kClaNotSupported = 0x6E00;
inline constexpr std::uint16_t kNoPreciseDiagnosis = 0x6F00;
}  // namespace sw

struct ResponseApdu {
  Bytes data;
  std::uint16_t sw = 0;

  bool ok() const noexcept { return sw == sw::kOk; }
  std::uint8_t sw1() const noexcept { return static_cast<std::uint8_t>(sw >> 8); }
  std::uint8_t sw2() const noexcept { return static_cast<std::uint8_t>(sw & 0xFF); }
  Bytes encode() const;
  // Throws Error(malformed_data) when shorter than a status word.
  static ResponseApdu decode(ByteView encoded);
};

// "6A82" style text for messages.
std::string sw_hex(std::uint16_t sw);

}  // namespace cccd::apdu
