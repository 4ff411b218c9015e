#include "transport/callback_channel.hpp"

#include "apdu/apdu.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>
#include <string>

namespace cccd::transport {

namespace {

// A status from the caller's callback as the library's error; anything unexpected is a link failure.
[[noreturn]] void throw_status(cccd_status status, const char* what) {
  switch (status) {
    case CCCD_ERR_CARD_REMOVED:
      throw Error(ErrorCode::card_removed, std::string("the card left the field (transport ") + what + ")");
    case CCCD_ERR_TIMEOUT:
      throw Error(ErrorCode::timeout, std::string("the transport's ") + what + " timed out");
    case CCCD_ERR_CANCELLED:
      throw Error(ErrorCode::cancelled, "the read was cancelled");
    case CCCD_ERR_NO_CARD:
      throw Error(ErrorCode::no_card, "no card on the transport's reader");
    default:
      throw Error(ErrorCode::transport, std::string("the transport's ") + what + " failed (status " +
                                            std::to_string(static_cast<int>(status)) + ")");
  }
}

std::uint32_t milliseconds_for_c(std::chrono::milliseconds timeout) {
  if (timeout.count() <= 0) return 0;
  constexpr auto kMost = std::numeric_limits<std::uint32_t>::max();
  return timeout.count() >= static_cast<std::chrono::milliseconds::rep>(kMost)
             ? kMost
             : static_cast<std::uint32_t>(timeout.count());
}

}  // namespace

cccd_transport_callbacks normalise_callbacks(const cccd_transport_callbacks& callbacks) {
  // Fields are read only as far as the caller's struct reaches: an older caller compiled a shorter one.
  const std::size_t given = callbacks.struct_size;
  if (given < offsetof(cccd_transport_callbacks, transmit) + sizeof(callbacks.transmit)) {
    throw Error(ErrorCode::invalid_argument, "cccd_transport_callbacks.struct_size is too small");
  }
  cccd_transport_callbacks copy{};
  std::memcpy(&copy, &callbacks, std::min(given, sizeof copy));
  copy.struct_size = sizeof copy;
  if (copy.transmit == nullptr) {
    throw Error(ErrorCode::invalid_argument, "cccd_transport_callbacks.transmit is required");
  }
  return copy;
}

CallbackChannel::CallbackChannel(const cccd_transport_callbacks& callbacks, void* user)
    : callbacks_(callbacks), user_(user) {
  const std::size_t command =
      callbacks_.max_command_data == 0 ? apdu::kMaxShortLc : callbacks_.max_command_data;
  const std::size_t response =
      callbacks_.max_response_data == 0 ? apdu::kMaxShortLe : callbacks_.max_response_data;
  capabilities_.max_command_data = std::clamp<std::size_t>(command, 1, apdu::kMaxExtendedLc);
  capabilities_.max_response_data = std::clamp<std::size_t>(response, 1, apdu::kMaxExtendedLe);
  capabilities_.max_short_command_data = std::min(capabilities_.max_command_data, apdu::kMaxShortLc);
  capabilities_.max_short_response_data = std::min(capabilities_.max_response_data, apdu::kMaxShortLe);
  capabilities_.extended_length = capabilities_.max_command_data > apdu::kMaxShortLc ||
                                  capabilities_.max_response_data > apdu::kMaxShortLe;
  // The largest response RawChannel accepts, with its status word.
  response_buffer_.resize(apdu::kMaxExtendedLe + 2);
}

Bytes CallbackChannel::exchange(ByteView command) {
  std::size_t length = 0;
  const cccd_status status = callbacks_.transmit(user_, command.data(), command.size(),
                                                 response_buffer_.data(), response_buffer_.size(), &length);
  if (status != CCCD_OK) throw_status(status, "transmit");
  if (length < 2 || length > response_buffer_.size()) {
    throw Error(ErrorCode::transport, "the transport's transmit returned a response of " +
                                          std::to_string(length) + " bytes (2 to " +
                                          std::to_string(response_buffer_.size()) + " allowed)");
  }
  return Bytes(response_buffer_.begin(), response_buffer_.begin() + static_cast<std::ptrdiff_t>(length));
}

void CallbackChannel::reconnect(std::chrono::milliseconds timeout) {
  if (callbacks_.reconnect == nullptr) {
    throw Error(ErrorCode::card_removed, "the card left the field and the transport cannot reconnect");
  }
  if (cancellation() != nullptr && cancellation()->cancelled()) {
    throw Error(ErrorCode::cancelled, "the read was cancelled");
  }
  const cccd_status status = callbacks_.reconnect(user_, milliseconds_for_c(timeout));
  if (status != CCCD_OK) throw_status(status, "reconnect");
}

void CallbackChannel::wait_for_card(std::chrono::milliseconds timeout) {
  if (callbacks_.wait_for_card == nullptr) {
    throw Error(ErrorCode::not_supported, "the transport cannot wait for a card (no wait_for_card callback)");
  }
  const cccd_status status = callbacks_.wait_for_card(user_, milliseconds_for_c(timeout));
  if (status != CCCD_OK) throw_status(status, "wait for a card");
}

void CallbackChannel::interrupt() noexcept {
  if (callbacks_.cancel != nullptr) callbacks_.cancel(user_);
}

}  // namespace cccd::transport
