// The public entry points for readers driven by libnfc: open the device, select the card, run the session.
#include "reader/session.hpp"
#include "transport/nfc_channel.hpp"

#include <cccd/reader.hpp>

#include <optional>

namespace cccd {

ChipDump read_nfc_card(std::string_view connstring, const Credentials& credentials,
                       const ReadOptions& options, std::optional<LiveChipProof>* proof) {
  transport::NfcContext context;
  transport::NfcChannel channel(context, connstring);
  // The cancellation also ends a wait for the card below and a libnfc receive in progress.
  channel.set_cancellation(options.cancellation);
  if (options.wait_for_card.count() > 0) {
    channel.wait_for_card(options.wait_for_card);
  } else {
    channel.select_card();
  }
  return reader::read_chip(channel, credentials, options, &channel, proof);
}

std::vector<std::string> list_nfc_devices() {
  transport::NfcContext context;
  return context.list_devices();
}

}  // namespace cccd
