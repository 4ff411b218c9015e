// PN532 frames (NXP UM0701-02 section 6.2): normal and extended information frames, ACK, NACK and the
// error frame, and the parser that cuts the host's byte stream into them.
#include "sim/pn532_emulator.hpp"

#include <cccd/error.hpp>

namespace cccd::sim {
namespace {

// The longest frame body an extended frame's 16-bit LEN can describe is far above what either side
// uses; the encoder refuses bodies over this (the TFI and 264 bytes: libnfc's receive buffer).
constexpr std::size_t kMaxChipFrameBody = 265;

std::uint8_t checksum_of(ByteView bytes) {
  unsigned sum = 0;
  for (std::uint8_t b : bytes) sum += b;
  return static_cast<std::uint8_t>(0x100 - (sum & 0xFF));
}

}  // namespace

Bytes pn532_frame(std::uint8_t tfi, ByteView body) {
  const std::size_t length = body.size() + 1;  // TFI + PD0..PDn
  if (length > kMaxChipFrameBody) throw Error(ErrorCode::limit_exceeded, "PN532 frame body too long");
  Bytes frame = {0x00, 0x00, 0xFF};
  if (length <= 255) {
    frame.push_back(static_cast<std::uint8_t>(length));
    frame.push_back(static_cast<std::uint8_t>(0x100 - length));
  } else {
    const auto high = static_cast<std::uint8_t>(length >> 8);
    const auto low = static_cast<std::uint8_t>(length & 0xFF);
    const auto checksum = static_cast<std::uint8_t>((0x100 - ((high + low) & 0xFF)) & 0xFF);
    // One byte at a time: GCC 12 misreads a range insert into this 3-byte vector (-Warray-bounds).
    for (std::uint8_t byte : {std::uint8_t{0xFF}, std::uint8_t{0xFF}, high, low, checksum})
      frame.push_back(byte);
  }
  const std::size_t body_start = frame.size();
  frame.push_back(tfi);
  frame.insert(frame.end(), body.begin(), body.end());
  frame.push_back(checksum_of(ByteView(frame).subspan(body_start)));
  frame.push_back(0x00);
  return frame;
}

Bytes pn532_ack_frame() {
  return {0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00};
}
Bytes pn532_nack_frame() {
  return {0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00};
}
Bytes pn532_error_frame() {
  return {0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00};
}

void Pn532FrameParser::restart() noexcept {
  state_ = State::seek_zero;
  expected_ = 0;
  body_.clear();
}

void Pn532FrameParser::feed(ByteView bytes, std::vector<Event>& events) {
  using Kind = Event::Kind;
  for (const std::uint8_t byte : bytes) {
    switch (state_) {
      case State::seek_zero:
        if (byte == 0x00) state_ = State::seek_ff;
        break;
      case State::seek_ff:
        // Several 00 may precede the start code (preamble, the wakeup's zeros, a postamble).
        if (byte == 0xFF) {
          state_ = State::length;
        } else if (byte != 0x00) {
          state_ = State::seek_zero;
        }
        break;
      case State::length:
        length_byte_ = byte;
        state_ = State::length_checksum;
        break;
      case State::length_checksum: {
        if (length_byte_ == 0x00 && byte == 0xFF) {
          events.push_back({Kind::ack, {}});
          restart();
        } else if (length_byte_ == 0xFF && byte == 0x00) {
          events.push_back({Kind::nack, {}});
          restart();
        } else if (length_byte_ == 0xFF && byte == 0xFF) {
          state_ = State::ext_length_high;
        } else if (((length_byte_ + byte) & 0xFF) != 0) {
          events.push_back({Kind::bad_length_checksum, {}});
          restart();
        } else if (length_byte_ < 2) {
          events.push_back({Kind::bad_length, {}});
          restart();
        } else {
          expected_ = length_byte_;
          body_.clear();
          state_ = State::body;
        }
        break;
      }
      case State::ext_length_high:
        ext_high_ = byte;
        state_ = State::ext_length_low;
        break;
      case State::ext_length_low:
        ext_low_ = byte;
        state_ = State::ext_length_checksum;
        break;
      case State::ext_length_checksum: {
        const std::size_t length = (static_cast<std::size_t>(ext_high_) << 8) | ext_low_;
        if (((ext_high_ + ext_low_ + byte) & 0xFF) != 0) {
          events.push_back({Kind::bad_length_checksum, {}});
          restart();
        } else if (length < 2 || length > kPn532MaxHostFrameBody) {
          events.push_back({Kind::bad_length, {}});
          restart();
        } else {
          expected_ = length;
          body_.clear();
          state_ = State::body;
        }
        break;
      }
      case State::body:
        body_.push_back(byte);
        if (body_.size() == expected_) state_ = State::data_checksum;
        break;
      case State::data_checksum: {
        if (checksum_of(body_) != byte) {
          events.push_back({Kind::bad_data_checksum, {}});
        } else if (body_[0] != kPn532HostToChip) {
          events.push_back({Kind::bad_tfi, {}});
        } else {
          events.push_back({Kind::command, Bytes(body_.begin() + 1, body_.end())});
        }
        restart();  // the postamble is skipped while seeking the next frame
        break;
      }
    }
  }
}

}  // namespace cccd::sim
