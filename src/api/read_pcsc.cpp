// The PC/SC entry points: open the reader (waiting for a card when asked), run the session.
#include "reader/session.hpp"
#include "transport/pcsc_channel.hpp"

#include <cccd/reader.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

namespace cccd {
namespace {

using Clock = std::chrono::steady_clock;

// The PC/SC context; with a wait for a card, a PC/SC service that is not there yet (pcscd stopped or
// restarting) is waited for as well, within the same time, so that a desk started before its reader
// service does not fail. Without a wait, or when the time is up: Error(no_reader).
void open_context(std::optional<transport::PcscContext>& context, const ReadOptions& options,
                  Clock::time_point deadline) {
  constexpr std::chrono::milliseconds kRetry{250};
  for (;;) {
    try {
      context.emplace();
      return;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::no_reader || Clock::now() + kRetry > deadline) throw;
    }
    for (auto slept = std::chrono::milliseconds(0); slept < kRetry; slept += std::chrono::milliseconds(50)) {
      if (options.cancellation != nullptr && options.cancellation->cancelled())
        throw Error(ErrorCode::cancelled, "the read was cancelled");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

}  // namespace

ChipDump read_pcsc_card(std::string_view reader_name, const Credentials& credentials,
                        const ReadOptions& options, std::optional<LiveChipProof>* proof) {
  const Clock::time_point deadline = Clock::now() + options.wait_for_card;
  std::optional<transport::PcscContext> service;
  open_context(service, options, deadline);
  const transport::PcscContext& context = *service;
  // While this read waits for a card, cancelling it ends the wait in pcscd (SCardCancel).
  std::optional<Cancellation::Registration> interrupt;
  if (options.cancellation != nullptr) {
    interrupt.emplace(options.cancellation->on_cancel([&context] { context.cancel(); }));
    if (options.cancellation->cancelled()) throw Error(ErrorCode::cancelled, "the read was cancelled");
  }
  std::string reader(reader_name);
  if (options.wait_for_card.count() > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    reader = context.wait_for_card(reader_name, std::max(left, std::chrono::milliseconds(1)));
  } else if (reader.empty()) {
    // No reader named: the one that holds a card, not merely the first one listed.
    try {
      reader = context.wait_for_card(reader_name, std::chrono::milliseconds(0));
    } catch (const Error& e) {
      if (e.code() != ErrorCode::timeout) throw;
      throw Error(ErrorCode::no_card, "PC/SC: no card on any reader");
    }
  }
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
    // No reader named (a desk that reads whichever reader gets the card): every reader must be empty;
    // the wait returns at once for one that is.
    if (!reader_name.empty()) return;
  }
  // No such reader (any more): no card on it either.
}

std::vector<std::string> list_pcsc_readers() {
  transport::PcscContext context;
  return context.readers();
}

}  // namespace cccd
