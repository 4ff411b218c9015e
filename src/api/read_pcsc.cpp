// The PC/SC entry points: open the reader (waiting for a card when asked), run the session.
#include "reader/session.hpp"
#include "transport/pcsc_channel.hpp"

#include <cccd/reader.hpp>

#include <optional>

namespace cccd {

ChipDump read_pcsc_card(std::string_view reader_name, const Credentials& credentials,
                        const ReadOptions& options, std::optional<LiveChipProof>* proof) {
  transport::PcscContext context;
  // While this read waits for a card, cancelling it ends the wait in pcscd (SCardCancel).
  std::optional<Cancellation::Registration> interrupt;
  if (options.cancellation != nullptr) {
    interrupt.emplace(options.cancellation->on_cancel([&context] { context.cancel(); }));
    if (options.cancellation->cancelled()) throw Error(ErrorCode::cancelled, "the read was cancelled");
  }
  std::string reader(reader_name);
  if (options.wait_for_card.count() > 0) reader = context.wait_for_card(reader_name, options.wait_for_card);
  transport::PcscChannel channel(context, reader);
  channel.set_cancellation(options.cancellation);
  return reader::read_chip(channel, credentials, options, &channel, proof);
}

void wait_for_card_removal(std::string_view reader_name, std::chrono::milliseconds timeout,
                           const Cancellation* cancellation) {
  transport::PcscContext context;
  std::optional<Cancellation::Registration> interrupt;
  if (cancellation != nullptr) {
    interrupt.emplace(cancellation->on_cancel([&context] { context.cancel(); }));
    if (cancellation->cancelled()) throw Error(ErrorCode::cancelled, "the wait was cancelled");
  }
  for (const std::string& name : context.readers()) {
    if (name.find(reader_name) == std::string::npos) continue;
    context.wait_for_removal(name, timeout);
    return;
  }
  // No such reader (any more): no card on it either.
}

std::vector<std::string> list_pcsc_readers() {
  transport::PcscContext context;
  return context.readers();
}

}  // namespace cccd
