#include "lds/lds.hpp"

#include <cccd/report.hpp>
#include <cccd/verify.hpp>

namespace cccd {

namespace {

ChipDump acquire(const CardSource& source, const Credentials& credentials, const ReadOptions& options) {
  switch (source.kind) {
    case CardSource::Kind::custom:
      return read_card(source.callbacks, source.user, credentials, options);
    case CardSource::Kind::nfc:
#if CCCD_WITH_NFC
      return read_nfc_card(source.reader, credentials, options);
#else
      throw Error(ErrorCode::not_supported, "this libcccd was built without libnfc");
#endif
    case CardSource::Kind::pcsc:
#if CCCD_WITH_PCSC
      return read_pcsc_card(source.reader, credentials, options);
#else
      throw Error(ErrorCode::not_supported, "this libcccd was built without PC/SC");
#endif
  }
  throw Error(ErrorCode::invalid_argument, "unknown card source");
}

const char* source_name(const CardSource& source) {
  switch (source.kind) {
    case CardSource::Kind::custom:
      return source.label.c_str();
    case CardSource::Kind::nfc:
      return "nfc";
    case CardSource::Kind::pcsc:
      return "pcsc";
  }
  return "custom";
}

}  // namespace

Report read_and_verify(const CardSource& source, const Credentials& credentials, const TrustStore* trust,
                       const ReadOptions& options) {
  Report report;
  report.source = source_name(source);
  report.dump = acquire(source, credentials, options);
  static const TrustStore kEmpty;
  // A caller's challenge (a server's) must be the one the chip signed, as an offline check would require.
  VerifyOptions verify_options;
  verify_options.policy = options.policy;
  verify_options.active_authentication_challenge = options.active_authentication_challenge;
  // This process talked to the chip itself: the Chip Authentication and PACE-CAM it recorded are proofs.
  verify_options.live_read = true;
  verify_options.printed_qr = credentials.printed_qr;
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
  for (const std::string& name : report.dump.unknown_files) {
    report.document.parse_errors.push_back("dump: " + name +
                                           " is not a file of a dump (ignored; see docs/dump-format.md)");
  }
  return report;
}

}  // namespace cccd
