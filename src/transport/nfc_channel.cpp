#include "transport/nfc_channel.hpp"

#include <nfc/nfc.h>

#include <cccd/error.hpp>

#include <algorithm>
#include <cstring>
#include <memory>
#include <thread>

namespace cccd::transport {
namespace {

using Clock = std::chrono::steady_clock;

// How often wait_for_card asks the reader for a card. Each round is one InListPassiveTarget with the
// chip's retries limited (NP_INFINITE_SELECT off), which a PN53x answers within a few tens of ms.
constexpr std::chrono::milliseconds kPollInterval{100};

// SAK bit 6: the type A card speaks ISO/IEC 14443-4 (ISO/IEC 14443-3, 6.5.3.4).
constexpr std::uint8_t kSakIso14443_4 = 0x20;

// Maps a libnfc error to the library's error classes. The messages name the failure, never a card's data.
[[noreturn]] void fail(int code, const std::string& during) {
  ErrorCode mapped = ErrorCode::transport;
  const char* what = "error";
  switch (code) {
    case NFC_ETIMEOUT:
      mapped = ErrorCode::timeout;
      what = "the reader or the card did not answer in time";
      break;
    case NFC_ERFTRANS:
      mapped = ErrorCode::card_removed;
      what = "the card stopped answering (it left the field)";
      break;
    case NFC_ETGRELEASED:
      mapped = ErrorCode::card_removed;
      what = "the card was released (it left the field)";
      break;
    case NFC_ENOTSUCHDEV:
      mapped = ErrorCode::no_reader;
      what = "no such reader";
      break;
    case NFC_EOPABORTED:
      mapped = ErrorCode::cancelled;
      what = "cancelled";
      break;
    case NFC_EIO:
      what = "input/output error on the link to the reader";
      break;
    case NFC_EINVARG:
      what = "the reader refused the command (invalid argument)";
      break;
    case NFC_EDEVNOTSUPP:
    case NFC_ENOTIMPL:
      mapped = ErrorCode::not_supported;
      what = "the reader does not support this operation";
      break;
    case NFC_EOVFLOW:
      mapped = ErrorCode::limit_exceeded;
      what = "the card's answer is larger than the reader's buffer";
      break;
    case NFC_ECHIP:
      what = "the reader chip reported an error";
      break;
    case NFC_ESOFT:
      what = "software error in libnfc";
      break;
    default:
      break;
  }
  throw Error(mapped, "libnfc " + during + ": " + what + " (libnfc error " + std::to_string(code) + ")");
}

int timeout_ms(std::chrono::milliseconds timeout) {
  // 0 would mean "no timeout" to libnfc: at least 1 ms, at most 10 minutes.
  return static_cast<int>(std::clamp<long long>(timeout.count(), 1, 600000));
}

}  // namespace

struct NfcChannel::Target {
  nfc_target value{};
};

NfcContext::NfcContext() {
  nfc_init(&context_);
  if (context_ == nullptr) {
    throw Error(ErrorCode::transport, "libnfc could not start (out of memory, or a broken libnfc.conf)");
  }
}

NfcContext::~NfcContext() {
  nfc_exit(context_);
}

std::vector<std::string> NfcContext::list_devices() const {
  constexpr std::size_t kMaxDevices = 16;
  const auto found = std::make_unique<nfc_connstring[]>(kMaxDevices);
  const std::size_t count = std::min(nfc_list_devices(context_, found.get(), kMaxDevices), kMaxDevices);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < count; ++i) {
    // Bounded by the buffer even if libnfc forgot the terminator.
    names.emplace_back(found[i], strnlen(found[i], sizeof(nfc_connstring)));
  }
  return names;
}

ChannelCapabilities nfc_capabilities() noexcept {
  return ChannelCapabilities{};  // short APDUs only: see kNfcMaxApdu
}

NfcChannel::NfcChannel(const NfcContext& context, std::string_view connstring)
    : connstring_(connstring), target_(std::make_unique<Target>()) {
  nfc_connstring wanted{};
  if (connstring.size() >= sizeof wanted) {
    throw Error(ErrorCode::invalid_argument, "libnfc connstring too long");
  }
  std::memcpy(wanted, connstring.data(), connstring.size());
  device_ = nfc_open(context.handle(), connstring.empty() ? nullptr : wanted);
  if (device_ == nullptr) {
    throw Error(
        ErrorCode::no_reader,
        connstring.empty()
            ? "libnfc found no reader (name one, e.g. pn532_uart:/dev/ttyUSB0, or configure it in "
              "libnfc.conf or LIBNFC_DEFAULT_DEVICE)"
            : "libnfc cannot open " + connstring_ +
                  " (no such device, a driver name libnfc does not know, or no PN53x answering there)");
  }
  // From here the destructor does not run if the constructor throws: close the device on the way out.
  struct CloseOnThrow {
    nfc_device*& device;
    bool armed = true;
    ~CloseOnThrow() {
      if (armed) {
        nfc_close(device);
        device = nullptr;
      }
    }
  } guard{device_};

  if (const int rc = nfc_initiator_init(device_); rc < 0) fail(rc, "making the reader an initiator");
  // A selection must come back when no card is there (the chip otherwise polls until one comes), and
  // the chip activates ISO 14443-4 (RATS) itself.
  if (const int rc = nfc_device_set_property_bool(device_, NP_INFINITE_SELECT, false); rc < 0) {
    fail(rc, "limiting the selection retries");
  }
  if (const int rc = nfc_device_set_property_bool(device_, NP_AUTO_ISO14443_4, true); rc < 0) {
    fail(rc, "enabling ISO 14443-4 activation");
  }
  if (const char* name = nfc_device_get_name(device_); name != nullptr) name_ = name;
  if (connstring_.empty()) {
    if (const char* opened = nfc_device_get_connstring(device_); opened != nullptr) connstring_ = opened;
  }
  guard.armed = false;
}

NfcChannel::~NfcChannel() {
  if (device_ != nullptr) nfc_close(device_);  // field off, chip to sleep, port released
}

void NfcChannel::throw_if_cancelled() const {
  if (cancelled_.load() || (cancellation() != nullptr && cancellation()->cancelled())) {
    throw Error(ErrorCode::cancelled, "libnfc: the operation was cancelled");
  }
}

std::optional<Cancellation::Registration> NfcChannel::interrupt_on_cancel() {
  if (cancellation() == nullptr) return std::nullopt;
  return cancellation()->on_cancel([this] { cancel(); });
}

void NfcChannel::cancel() noexcept {
  cancelled_.store(true);
  { const std::lock_guard<std::mutex> lock(wait_mutex_); }
  wait_wakeup_.notify_all();
  // Ends a receive in progress (libnfc then tells the chip to drop the command). Between two commands
  // this does nothing, which is why the flag above is checked before every command.
  if (device_ != nullptr) nfc_abort_command(device_);
}

bool NfcChannel::try_select() {
  throw_if_cancelled();
  selected_ = false;
  const nfc_modulation type_a{NMT_ISO14443A, NBR_106};
  nfc_target found{};
  int rc = nfc_initiator_select_passive_target(device_, type_a, nullptr, 0, &found);
  if (rc < 0) {
    throw_if_cancelled();
    fail(rc, "selecting an ISO 14443-A card");
  }
  if (rc > 0) {
    if ((found.nti.nai.btSak & kSakIso14443_4) == 0) {
      throw Error(ErrorCode::not_supported,
                  "the card in the field does not speak ISO/IEC 14443-4 (it is not an identity card)");
    }
    target_->value = found;
    selected_ = true;
    untouched_ = true;
    return true;
  }
  const nfc_modulation type_b{NMT_ISO14443B, NBR_106};
  found = nfc_target{};
  rc = nfc_initiator_select_passive_target(device_, type_b, nullptr, 0, &found);
  if (rc < 0) {
    throw_if_cancelled();
    // A reader without type B support simply has no type B card to offer.
    if (rc == NFC_EDEVNOTSUPP || rc == NFC_ENOTIMPL || rc == NFC_EINVARG) return false;
    fail(rc, "selecting an ISO 14443-B card");
  }
  if (rc > 0) {
    target_->value = found;
    selected_ = true;
    untouched_ = true;
    return true;
  }
  return false;
}

void NfcChannel::reset_card(std::chrono::milliseconds timeout) {
  if (selected_ && untouched_) return;
  selected_ = false;
  if (const int rc = nfc_device_set_property_bool(device_, NP_ACTIVATE_FIELD, false); rc < 0)
    fail(rc, "switching the field off");
  // A card needs a few milliseconds without field to power down (ISO/IEC 14443-3 6.2.1: 5 ms reset).
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (const int rc = nfc_device_set_property_bool(device_, NP_ACTIVATE_FIELD, true); rc < 0)
    fail(rc, "switching the field on");
  wait_for_card(timeout);
}

void NfcChannel::select_card() {
  if (!try_select()) throw Error(ErrorCode::no_card, "libnfc: no card in the reader's field");
}

void NfcChannel::wait_for_card(std::chrono::milliseconds timeout) {
  const std::optional<Cancellation::Registration> interrupt = interrupt_on_cancel();
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    if (try_select()) return;
    const Clock::time_point now = Clock::now();
    if (now >= deadline) throw Error(ErrorCode::timeout, "libnfc: no card was presented in the time allowed");
    std::unique_lock<std::mutex> lock(wait_mutex_);
    wait_wakeup_.wait_until(lock, std::min(now + kPollInterval, deadline),
                            [this] { return cancelled_.load(); });
  }
}

Bytes NfcChannel::exchange(ByteView command) {
  throw_if_cancelled();
  if (!selected_) throw Error(ErrorCode::no_card, "libnfc: no card is selected on the reader");
  if (command.size() > kNfcMaxApdu) {
    throw Error(ErrorCode::limit_exceeded, "libnfc: a command APDU of " + std::to_string(command.size()) +
                                               " bytes is longer than a PN53x carries (262)");
  }
  std::uint8_t response[kNfcMaxApdu + 2];
  untouched_ = false;
  const std::optional<Cancellation::Registration> interrupt = interrupt_on_cancel();
  const int rc = nfc_initiator_transceive_bytes(device_, command.data(), command.size(), response,
                                                sizeof response, timeout_ms(command_timeout_));
  if (rc < 0) {
    throw_if_cancelled();
    if (rc == NFC_ERFTRANS) {
      // A PN53x reports a card that went silent as an RF error (its status 01, "timeout"). Ask the chip
      // whether the card is still there to tell a card taken away from a disturbed exchange.
      const int present = nfc_initiator_target_is_present(device_, &target_->value);
      selected_ = false;
      if (present == NFC_SUCCESS) {
        throw Error(ErrorCode::transport,
                    "libnfc exchanging an APDU: RF transmission error (card still in the field)");
      }
      throw Error(ErrorCode::card_removed, "libnfc exchanging an APDU: the card left the field");
    }
    if (rc == NFC_ETGRELEASED) selected_ = false;
    fail(rc, "exchanging an APDU");
  }
  if (static_cast<std::size_t>(rc) > sizeof response) {
    throw Error(ErrorCode::transport, "libnfc reported an impossible response length");
  }
  return Bytes(response, response + rc);
}

}  // namespace cccd::transport
