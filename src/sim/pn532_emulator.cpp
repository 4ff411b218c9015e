#include "sim/pn532_emulator.hpp"

#include <cccd/error.hpp>

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace cccd::sim {
namespace {

// How long one wait on the pty lasts: the stop flag and a card waited for are looked at this often.
constexpr int kPollMilliseconds = 20;
// How long a write to the pty may wait for room before the rest of the frame is dropped (as bytes on a
// UART nobody reads are lost).
constexpr int kWriteMilliseconds = 200;

// The longest frame body an extended frame's 16-bit LEN can describe is far above what either side
// uses; the encoder refuses bodies over this (the TFI and 264 bytes: libnfc's receive buffer).
constexpr std::size_t kMaxChipFrameBody = 265;

// GetFirmwareVersion: IC 0x32 (PN532), version 1, revision 6, support 07 (ISO 14443-A, B and ISO 18092).
constexpr std::uint8_t kFirmwareVersion[] = {0x32, 0x01, 0x06, 0x07};

// The target the field holds: an ISO 14443-4 type A card (SAK bit 6), with a random UID as eMRTDs use
// (first byte 08, ISO/IEC 14443-3 6.5.4). The ATS: TL 05, T0 78 (TA, TB, TC present; FSCI 8: frames of
// 256 bytes), TA 80 (106 kbit/s both ways), TB 70 (FWI 7, SFGI 0), TC 02 (CID supported).
constexpr std::uint8_t kSensRes[] = {0x00, 0x04};
constexpr std::uint8_t kSelRes = 0x20;
constexpr std::uint8_t kUid[] = {0x08, 0x5C, 0xCD, 0x17};
constexpr std::uint8_t kAts[] = {0x05, 0x78, 0x80, 0x70, 0x02};

// SetParameters flag: the chip sends RATS itself and reports the ATS (UM0701-02 7.2.9).
constexpr std::uint8_t kParameterAutomaticRats = 0x10;

// RFConfiguration items and the length of their data (UM0701-02 7.3.1).
std::optional<std::size_t> rf_item_length(std::uint8_t item) {
  switch (item) {
    case 0x01:
      return 1;  // RF field
    case 0x02:
      return 3;  // various timings
    case 0x04:
      return 1;  // MaxRtyCOM
    case 0x05:
      return 3;  // MaxRetries
    case 0x0A:
      return 11;  // analog settings, 106 kbit/s type A
    case 0x0B:
      return 8;  // analog settings, 212/424 kbit/s
    case 0x0C:
      return 3;  // analog settings, type B
    case 0x0D:
      return 9;  // analog settings, ISO/IEC 14443-4 212/424/848 kbit/s
    default:
      return std::nullopt;
  }
}

void make_raw(int fd) {
  termios settings{};
  if (tcgetattr(fd, &settings) != 0) return;
  cfmakeraw(&settings);
  tcsetattr(fd, TCSANOW, &settings);
}

[[noreturn]] void fail_system(const char* during) {
  throw Error(ErrorCode::transport, std::string("PN532 emulator: ") + during + ": " + std::strerror(errno));
}

std::uint8_t checksum_of(ByteView bytes) {
  unsigned sum = 0;
  for (std::uint8_t b : bytes) sum += b;
  return static_cast<std::uint8_t>(0x100 - (sum & 0xFF));
}

}  // namespace

Bytes pn532_frame(std::uint8_t tfi, ByteView body) {
  const std::size_t length = body.size() + 1;  // TFI + PD0..PDn
  if (length > kMaxChipFrameBody) throw Error(ErrorCode::limit_exceeded, "PN532 frame body too long");
  Bytes frame;
  // Preamble and start code, LEN/LCS at their longest (extended) form, TFI and body, DCS and postamble.
  frame.reserve(3 + 5 + length + 2);
  frame.insert(frame.end(), {0x00, 0x00, 0xFF});
  if (length <= 255) {
    frame.push_back(static_cast<std::uint8_t>(length));
    frame.push_back(static_cast<std::uint8_t>(0x100 - length));
  } else {
    const auto high = static_cast<std::uint8_t>(length >> 8);
    const auto low = static_cast<std::uint8_t>(length & 0xFF);
    frame.insert(frame.end(),
                 {0xFF, 0xFF, high, low, static_cast<std::uint8_t>((0x100 - ((high + low) & 0xFF)) & 0xFF)});
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

Pn532Emulator::Pn532Emulator(VirtualCard& card)
    : Pn532Emulator([&card](ByteView command) { return card.process(command); }, [&card] { card.reset(); }) {}

Pn532Emulator::Pn532Emulator(CardHandler handler, std::function<void()> on_activation)
    : handler_(std::move(handler)), on_activation_(std::move(on_activation)) {}

Pn532Emulator::~Pn532Emulator() {
  stop();
}

void Pn532Emulator::start() {
  if (master_ >= 0) return;
  const int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) fail_system("posix_openpt");
  char name[128] = {};
  if (grantpt(master) != 0 || unlockpt(master) != 0 || ptsname_r(master, name, sizeof name) != 0) {
    const int saved = errno;
    ::close(master);
    errno = saved;
    fail_system("preparing the pseudo-terminal");
  }
  // Raw both ways: no echo, no line discipline, all 8 bits. libnfc sets the slave's termios too when it
  // opens the port, and puts back what it found (these raw settings) when it closes it.
  make_raw(master);
  const int slave = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) {
    const int saved = errno;
    ::close(master);
    errno = saved;
    fail_system("opening the pseudo-terminal's slave side");
  }
  make_raw(slave);
  const int flags = fcntl(master, F_GETFL);
  fcntl(master, F_SETFL, flags | O_NONBLOCK);
  master_ = master;
  slave_keepalive_ = slave;
  slave_path_ = name;
  stop_.store(false);
  thread_ = std::thread([this] { run(); });
}

void Pn532Emulator::stop() noexcept {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  if (slave_keepalive_ >= 0) ::close(slave_keepalive_);
  if (master_ >= 0) ::close(master_);
  slave_keepalive_ = -1;
  master_ = -1;
}

void Pn532Emulator::remove_card() noexcept {
  card_present_.store(false);
  removals_.fetch_add(1);
}

void Pn532Emulator::insert_card() noexcept {
  card_present_.store(true);
}

void Pn532Emulator::remove_card_after(std::uint64_t apdus) noexcept {
  remove_after_.store(static_cast<std::int64_t>(apdus));
}

Pn532Counters Pn532Emulator::counters() const {
  Pn532Counters counters;
  counters.frames = frames_.load();
  counters.rejected_frames = rejected_.load();
  counters.unknown_commands = unknown_.load();
  counters.apdus = apdus_.load();
  counters.apdu_bytes_in = apdu_in_.load();
  counters.apdu_bytes_out = apdu_out_.load();
  counters.aborted = aborted_.load();
  return counters;
}

void Pn532Emulator::run() {
  std::uint8_t buffer[512];
  std::vector<Pn532FrameParser::Event> events;
  while (!stop_.load()) {
    pollfd waiting{master_, POLLIN, 0};
    const int ready = ::poll(&waiting, 1, kPollMilliseconds);
    if (ready > 0 && (waiting.revents & POLLIN) != 0) {
      const ssize_t count = ::read(master_, buffer, sizeof buffer);
      if (count > 0) {
        events.clear();
        parser_.feed(ByteView(buffer, static_cast<std::size_t>(count)), events);
        for (const Pn532FrameParser::Event& event : events) handle(event);
      }
    } else if (ready > 0) {
      // POLLHUP/POLLERR cannot last while the slave is held open; do not spin if they do.
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMilliseconds));
    }
    service_pending_selection();
  }
}

void Pn532Emulator::handle(const Pn532FrameParser::Event& event) {
  using Kind = Pn532FrameParser::Event::Kind;
  switch (event.kind) {
    case Kind::ack:
      // The host gives up on the command in progress (libnfc does so after nfc_abort_command).
      if (pending_selection_) {
        pending_selection_.reset();
        aborted_.fetch_add(1);
      }
      return;
    case Kind::nack:
      if (!last_answer_.empty()) send(last_answer_);
      return;
    case Kind::command: {
      frames_.fetch_add(1);
      pending_selection_.reset();  // a new command replaces one still waiting
      send(pn532_ack_frame());
      const std::uint8_t code = event.body[0];
      answer(code, dispatch(event.body));
      return;
    }
    case Kind::bad_length_checksum:
    case Kind::bad_data_checksum:
    case Kind::bad_length:
    case Kind::bad_tfi:
      rejected_.fetch_add(1);
      return;
  }
}

void Pn532Emulator::answer(std::uint8_t command, const Answer& result) {
  switch (result.kind) {
    case Answer::Kind::deferred:
      return;
    case Answer::Kind::error_frame:
      last_answer_ = pn532_error_frame();
      break;
    case Answer::Kind::payload: {
      Bytes body;
      body.reserve(result.payload.size() + 1);
      body.push_back(static_cast<std::uint8_t>(command + 1));
      body.insert(body.end(), result.payload.begin(), result.payload.end());
      last_answer_ = pn532_frame(kPn532ChipToHost, body);
      break;
    }
  }
  send(last_answer_);
}

void Pn532Emulator::send(const Bytes& frame) {
  std::size_t sent = 0;
  while (sent < frame.size()) {
    const ssize_t count = ::write(master_, frame.data() + sent, frame.size() - sent);
    if (count > 0) {
      sent += static_cast<std::size_t>(count);
      continue;
    }
    if (count < 0 && errno == EINTR) continue;
    if (count < 0 && errno == EAGAIN) {
      pollfd waiting{master_, POLLOUT, 0};
      if (::poll(&waiting, 1, kWriteMilliseconds) > 0) continue;
    }
    return;  // nobody reads the port: the rest is lost, as on a wire
  }
}

Pn532Emulator::Answer Pn532Emulator::dispatch(ByteView command) {
  const Answer error{Answer::Kind::error_frame, {}};
  const ByteView parameters = command.subspan(1);
  switch (static_cast<Pn532Command>(command[0])) {
    case Pn532Command::diagnose:
      return diagnose(parameters);
    case Pn532Command::get_firmware_version:
      if (!parameters.empty()) return error;
      return {Answer::Kind::payload, Bytes(std::begin(kFirmwareVersion), std::end(kFirmwareVersion))};
    case Pn532Command::read_register: {
      // Pairs of register addresses (high, low); one value each.
      if (parameters.empty() || parameters.size() % 2 != 0) return error;
      Bytes values;
      for (std::size_t i = 0; i < parameters.size(); i += 2) {
        const auto address = static_cast<std::uint16_t>((parameters[i] << 8) | parameters[i + 1]);
        const auto found = registers_.find(address);
        values.push_back(found == registers_.end() ? 0x00 : found->second);
      }
      return {Answer::Kind::payload, values};
    }
    case Pn532Command::write_register:
      // Triples: address high, address low, value.
      if (parameters.empty() || parameters.size() % 3 != 0) return error;
      for (std::size_t i = 0; i < parameters.size(); i += 3) {
        registers_[static_cast<std::uint16_t>((parameters[i] << 8) | parameters[i + 1])] = parameters[i + 2];
      }
      return {};
    case Pn532Command::set_parameters:
      if (parameters.size() != 1) return error;
      parameters_ = parameters[0];
      return {};
    case Pn532Command::sam_configuration:
      // Mode (1 normal, 2 virtual card, 3 wired card, 4 dual card), optional timeout and IRQ use.
      if (parameters.empty() || parameters.size() > 3 || parameters[0] < 1 || parameters[0] > 4) return error;
      return {};
    case Pn532Command::power_down:
      // WakeUpEnable and an optional GenerateIRQ. The chip sleeps with its field off.
      if (parameters.empty() || parameters.size() > 2) return error;
      field_on_ = false;
      target_active_ = false;
      return {Answer::Kind::payload, {kPn532StatusOk}};
    case Pn532Command::rf_configuration:
      return rf_configuration(parameters);
    case Pn532Command::in_list_passive_target:
      return in_list_passive_target(parameters);
    case Pn532Command::in_data_exchange:
      return in_data_exchange(parameters);
    case Pn532Command::in_communicate_thru:
      // Raw frames to the card: not offered (libnfc uses InDataExchange for ISO 14443-4 cards).
      return {Answer::Kind::payload, {kPn532StatusNotAcceptable}};
    case Pn532Command::in_deselect:
    case Pn532Command::in_release:
      // Tg: 1 (our target) or 0 (all targets).
      if (parameters.size() != 1 || parameters[0] > 1) return error;
      target_active_ = false;
      return {Answer::Kind::payload, {kPn532StatusOk}};
  }
  unknown_.fetch_add(1);
  return error;
}

Pn532Emulator::Answer Pn532Emulator::diagnose(ByteView parameters) {
  if (parameters.empty()) return {Answer::Kind::error_frame, {}};
  switch (parameters[0]) {
    case 0x00:  // communication line test: the parameters come back as they were sent
      return {Answer::Kind::payload, Bytes(parameters.begin(), parameters.end())};
    case 0x01:  // ROM test
    case 0x02:  // RAM test
      if (parameters.size() != 1) return {Answer::Kind::error_frame, {}};
      return {Answer::Kind::payload, {kPn532StatusOk}};
    case 0x06:  // card presence: is the activated target still answering?
      if (parameters.size() != 1) return {Answer::Kind::error_frame, {}};
      if (target_active_ && target_still_there()) return {Answer::Kind::payload, {kPn532StatusOk}};
      target_active_ = false;
      return {Answer::Kind::payload, {kPn532StatusTimeout}};
    default:
      unknown_.fetch_add(1);
      return {Answer::Kind::error_frame, {}};
  }
}

Pn532Emulator::Answer Pn532Emulator::rf_configuration(ByteView parameters) {
  if (parameters.empty()) return {Answer::Kind::error_frame, {}};
  const std::optional<std::size_t> length = rf_item_length(parameters[0]);
  if (!length || parameters.size() != 1 + *length) return {Answer::Kind::error_frame, {}};
  if (parameters[0] == 0x01) {
    field_on_ = (parameters[1] & 0x01) != 0;
    // A card taken out of the field loses power: the next exchange needs a new activation.
    if (!field_on_) target_active_ = false;
  } else if (parameters[0] == 0x05) {
    passive_activation_retries_ = parameters[3];  // MxRtyATR, MxRtyPSL, MxRtyPassiveActivation
  }
  return {};
}

Pn532Emulator::Answer Pn532Emulator::in_list_passive_target(ByteView parameters) {
  // MaxTg (1 or 2), BrTy, InitiatorData whose length depends on BrTy (UM0701-02 7.3.5).
  if (parameters.size() < 2 || parameters[0] < 1 || parameters[0] > 2 || parameters[1] > 0x04) {
    return {Answer::Kind::error_frame, {}};
  }
  const std::uint8_t baud_type = parameters[1];
  const ByteView initiator_data = parameters.subspan(2);
  bool well_formed = false;
  switch (baud_type) {
    case 0x00:  // 106 kbit/s type A: optionally the UID of the card wanted (single, double, triple size)
      well_formed = initiator_data.empty() || initiator_data.size() == 4 || initiator_data.size() == 7 ||
                    initiator_data.size() == 10;
      break;
    case 0x01:
    case 0x02:  // FeliCa 212/424: the 5-byte polling payload
      well_formed = initiator_data.size() == 5;
      break;
    case 0x03:  // 106 kbit/s type B: AFI and an optional polling method
      well_formed = initiator_data.size() == 1 || initiator_data.size() == 2;
      break;
    case 0x04:  // Innovision Jewel
      well_formed = initiator_data.empty();
      break;
    default:
      break;
  }
  if (!well_formed) return {Answer::Kind::error_frame, {}};

  field_on_ = true;  // the chip switches its field on to poll
  const bool uid_matches =
      initiator_data.empty() ||
      (initiator_data.size() == sizeof kUid && std::memcmp(initiator_data.data(), kUid, sizeof kUid) == 0);
  if (baud_type == 0x00 && uid_matches && card_present_.load()) {
    // The field powers the card up: fresh state, then anticollision, select, and RATS when asked for.
    if (on_activation_) on_activation_();
    target_active_ = true;
    removals_at_activation_ = removals_.load();
    Bytes found = {0x01, 0x01};  // NbTg, Tg
    found.insert(found.end(), std::begin(kSensRes), std::end(kSensRes));
    found.push_back(kSelRes);
    found.push_back(static_cast<std::uint8_t>(sizeof kUid));
    found.insert(found.end(), std::begin(kUid), std::end(kUid));
    if ((parameters_ & kParameterAutomaticRats) != 0)
      found.insert(found.end(), std::begin(kAts), std::end(kAts));
    return {Answer::Kind::payload, found};
  }
  target_active_ = false;
  // With unlimited retries the real chip keeps polling until a card comes or the host aborts.
  if (passive_activation_retries_ == 0xFF) {
    pending_selection_ = Bytes(parameters.begin(), parameters.end());
    return {Answer::Kind::deferred, {}};
  }
  return {Answer::Kind::payload, {0x00}};  // NbTg 0
}

void Pn532Emulator::service_pending_selection() {
  if (!pending_selection_ || !card_present_.load()) return;
  const Bytes parameters = std::move(*pending_selection_);
  pending_selection_.reset();
  answer(static_cast<std::uint8_t>(Pn532Command::in_list_passive_target), in_list_passive_target(parameters));
}

bool Pn532Emulator::target_still_there() const noexcept {
  return card_present_.load() && removals_.load() == removals_at_activation_;
}

Pn532Emulator::Answer Pn532Emulator::in_data_exchange(ByteView parameters) {
  // Tg (bit 6: more data follows from the host, not used by libnfc), then DataOut. The frame bound
  // keeps DataOut within the chip's 262 bytes.
  if (parameters.empty()) return {Answer::Kind::error_frame, {}};
  if ((parameters[0] & 0x3F) != 0x01 || (parameters[0] & 0x40) != 0) {
    return {Answer::Kind::payload, {kPn532StatusNotAcceptable}};
  }
  if (!target_active_) return {Answer::Kind::payload, {kPn532StatusTimeout}};
  std::int64_t left = remove_after_.load();
  if (left == 0) {
    remove_after_.store(-1);
    remove_card();
  } else if (left > 0) {
    remove_after_.compare_exchange_strong(left, left - 1);
  }
  if (!target_still_there()) {
    target_active_ = false;
    return {Answer::Kind::payload, {kPn532StatusTimeout}};
  }
  const ByteView command = parameters.subspan(1);
  Bytes response;
  try {
    response = handler_(command);
  } catch (...) {
    // A card that fails to answer is silent on the air.
    return {Answer::Kind::payload, {kPn532StatusTimeout}};
  }
  apdus_.fetch_add(1);
  apdu_in_.fetch_add(command.size());
  if (response.size() > kPn532MaxDataIn) return {Answer::Kind::payload, {kPn532StatusInternalOverflow}};
  apdu_out_.fetch_add(response.size());
  Bytes payload;
  payload.reserve(response.size() + 1);
  payload.push_back(kPn532StatusOk);
  payload.insert(payload.end(), response.begin(), response.end());
  return {Answer::Kind::payload, payload};
}

}  // namespace cccd::sim
