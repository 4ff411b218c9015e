#include "api/virtual_read.hpp"
#include "lds/lds.hpp"
#include "util/bytes.hpp"

#include <cccd/report.hpp>
#include <cccd/verify.hpp>

namespace cccd {

Report read_and_verify(const CardSource& source, const Credentials& credentials, const TrustStore* trust,
                       const ReadOptions& options) {
  Report report;
  TrustStore test_anchor;
  if (source.kind == CardSource::Kind::virtual_card) {
    report.source = "virtual";
    sim::CardData card = api::virtual_card_data(source.folder);
    report.dump = api::read_card_data(card, credentials, options);
    if (trust == nullptr) {
      // A virtual card is signed by its own test CSCA; trusting it is what the demo needs, and the
      // verdict marks it (test_csca) so nobody mistakes it for a real authority.
      if (!card.csca_pem.empty()) test_anchor.add_certificate(as_bytes(card.csca_pem), true);
      trust = &test_anchor;
    }
  } else if (source.kind == CardSource::Kind::nfc) {
    report.source = "nfc";
    report.dump = read_nfc_card(source.reader, credentials, options);
  } else {
    report.source = "pcsc";
    report.dump = read_pcsc_card(source.reader, credentials, options);
  }
  static const TrustStore kEmpty;
  // A caller's challenge (a server's) must be the one the chip signed, as an offline check would require.
  VerifyOptions verify_options;
  verify_options.active_authentication_challenge = options.active_authentication_challenge;
  // This process talked to the chip itself: the Chip Authentication and PACE-CAM it recorded are proofs.
  verify_options.live_read = true;
  report.verdict = verify(report.dump, trust != nullptr ? *trust : kEmpty, verify_options);
  report.document = lds::parse_document(report.dump);
  return report;
}

Report verify_dump_folder(const std::filesystem::path& folder, const TrustStore& trust,
                          const VerifyOptions& options) {
  Report report;
  report.source = "dump";
  report.dump = load_dump(folder);
  report.verdict = verify(report.dump, trust, options);
  report.document = lds::parse_document(report.dump);
  return report;
}

}  // namespace cccd
