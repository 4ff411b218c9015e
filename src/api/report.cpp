#include "lds/lds.hpp"

#include <cccd/report.hpp>
#include <cccd/verify.hpp>

#include <optional>
#include <utility>

namespace cccd {

namespace {

ChipDump acquire(const CardSource& source, const Credentials& credentials, const ReadOptions& options,
                 std::optional<LiveChipProof>& proof) {
  switch (source.kind) {
    case CardSource::Kind::custom:
      return read_card(source.callbacks, source.user, credentials, options, &proof);
    case CardSource::Kind::nfc:
#if CCCD_WITH_NFC
      return read_nfc_card(source.reader, credentials, options, &proof);
#else
      throw Error(ErrorCode::not_supported, "this libcccd was built without libnfc");
#endif
    case CardSource::Kind::pcsc:
#if CCCD_WITH_PCSC
      return read_pcsc_card(source.reader, credentials, options, &proof);
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
  std::optional<LiveChipProof> proof;
  report.dump = acquire(source, credentials, options, proof);
  static const TrustStore kEmpty;
  // A caller's challenge (a server's) must be the one the chip signed, as an offline check would require.
  VerifyOptions verify_options;
  verify_options.policy = options.policy;
  verify_options.active_authentication_challenge = options.active_authentication_challenge;
  verify_options.printed_qr = credentials.printed_qr;
  // This process talked to the chip itself: the reader's proof of what it ran with the chip counts.
  if (!proof) throw Error(ErrorCode::internal, "the read gave no proof of its session");
  report.verdict = verify(report.dump, trust != nullptr ? *trust : kEmpty, verify_options, *proof);
  report.document = lds::parse_document(report.dump);
  return report;
}

Report verify_evidence(ChipDump dump, const TrustStore& trust, const VerifyOptions& options) {
  Report report;
  report.source = "dump";
  report.dump = std::move(dump);
  report.verdict = verify(report.dump, trust, options);
  report.document = lds::parse_document(report.dump);
  // What a folder held besides a dump's files is named, not silently ignored (load_dump lists it).
  for (const std::string& name : report.dump.unknown_files) {
    report.document.parse_errors.push_back("dump: " + name +
                                           " is not a file of a dump (ignored; see docs/dump-format.md)");
  }
  return report;
}

Report verify_dump_folder(const std::filesystem::path& folder, const TrustStore& trust,
                          const VerifyOptions& options) {
  return verify_evidence(load_dump(folder), trust, options);
}

}  // namespace cccd
