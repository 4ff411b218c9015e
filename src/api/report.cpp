#include "lds/lds.hpp"
#include "sim/card_folder.hpp"
#include "sim/generator.hpp"

#include <cccd/report.hpp>
#include <cccd/verify.hpp>

namespace cccd {

Report read_and_verify(const CardSource& source, const Credentials& credentials, const TrustStore* trust,
                       const ReadOptions& options) {
  Report report;
  TrustStore test_anchor;
  if (source.kind == CardSource::Kind::virtual_card) {
    report.source = "virtual";
    report.dump = read_virtual_card(source.folder, credentials, options);
    if (trust == nullptr) {
      // A virtual card is signed by its own test CSCA; trusting it is what the demo needs, and the
      // verdict marks it (test_csca) so nobody mistakes it for a real authority.
      std::string pem = source.folder.empty() ? sim::default_card().csca_pem
                                              : sim::load_card_folder(source.folder).csca_pem;
      if (!pem.empty())
        test_anchor.add_certificate(ByteView(reinterpret_cast<const std::uint8_t*>(pem.data()), pem.size()),
                                    true);
      trust = &test_anchor;
    }
  } else {
    report.source = "pcsc";
    report.dump = read_pcsc_card(source.reader, credentials, options);
  }
  static const TrustStore kEmpty;
  report.verdict = verify(report.dump, trust != nullptr ? *trust : kEmpty);
  report.document = lds::parse_document(report.dump);
  return report;
}

Report verify_dump_folder(const std::filesystem::path& folder, const TrustStore& trust) {
  Report report;
  report.source = "dump";
  report.dump = load_dump(folder);
  report.verdict = verify(report.dump, trust);
  report.document = lds::parse_document(report.dump);
  return report;
}

}  // namespace cccd
