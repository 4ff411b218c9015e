// The public entry points for readers driven by libnfc: open the device, select the card, run the session.
#include "api/read_nfc.hpp"
#include "lds/lds.hpp"
#include "reader/session.hpp"
#include "transport/nfc_channel.hpp"

#include <cccd/verify.hpp>

namespace cccd {

ChipDump read_nfc_card(std::string_view connstring, const Credentials& credentials,
                       const ReadOptions& options) {
  transport::NfcContext context;
  transport::NfcChannel channel(context, connstring);
  // The cancellation also ends a wait for the card below and a libnfc receive in progress.
  channel.set_cancellation(options.cancellation);
  if (options.wait_for_card.count() > 0) {
    channel.wait_for_card(options.wait_for_card);
  } else {
    channel.select_card();
  }
  return reader::read_chip(channel, credentials, options, &channel);
}

std::vector<std::string> list_nfc_devices() {
  transport::NfcContext context;
  return context.list_devices();
}

namespace api {

Report read_and_verify_nfc(std::string_view connstring, const Credentials& credentials,
                           const TrustStore* trust, const ReadOptions& options) {
  Report report;
  report.source = "nfc";
  report.dump = read_nfc_card(connstring, credentials, options);
  static const TrustStore kEmpty;
  report.verdict = verify(report.dump, trust != nullptr ? *trust : kEmpty);
  report.document = lds::parse_document(report.dump);
  return report;
}

}  // namespace api
}  // namespace cccd
