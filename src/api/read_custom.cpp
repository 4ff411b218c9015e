// The caller's own transport: its callbacks as a channel, then the same session as every reader's.
#include "reader/session.hpp"
#include "transport/callback_channel.hpp"

#include <cccd/reader.hpp>

#include <optional>

namespace cccd {

ChipDump read_card(const cccd_transport_callbacks& callbacks, void* user, const Credentials& credentials,
                   const ReadOptions& options, std::optional<LiveChipProof>* proof) {
  transport::CallbackChannel channel(transport::normalise_callbacks(callbacks), user);
  channel.set_cancellation(options.cancellation);
  // Cancelling also interrupts a transmit or a wait blocked in the transport, through its cancel hook.
  std::optional<Cancellation::Registration> interrupt;
  if (options.cancellation != nullptr) {
    interrupt.emplace(options.cancellation->on_cancel([&channel] { channel.interrupt(); }));
    if (options.cancellation->cancelled()) throw Error(ErrorCode::cancelled, "the read was cancelled");
  }
  if (options.wait_for_card.count() > 0) channel.wait_for_card(options.wait_for_card);
  // Without a reconnect callback a card that leaves ends the read, whatever the options say.
  return reader::read_chip(channel, credentials, options, channel.can_reconnect() ? &channel : nullptr,
                           proof);
}

}  // namespace cccd
