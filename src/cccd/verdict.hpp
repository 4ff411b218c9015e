// The verdict: separate findings, each saying what was checked, never one boolean hiding it.
#pragma once

#include <cccd/files.hpp>
#include <cccd/policy.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cccd {

enum class FindingStatus {
  passed,         // checked and good
  failed,         // checked and bad
  unknown,        // could not be decided (e.g. no CSCA configured for signer trust)
  not_supported,  // the chip does not offer what this finding checks
  not_checked,    // not checked by this read or this version of libcccd
};
std::string_view status_name(FindingStatus status) noexcept;  // "passed" ...

struct Finding {
  FindingStatus status = FindingStatus::not_checked;
  std::string detail;  // one sentence for people; never personal data
};

struct DataGroupHash {
  FileId file = FileId::dg1;
  bool present_in_sod = false;  // the SOD holds a hash for it
  bool read = false;            // the file was read
  bool matches = false;         // its hash equals the SOD's
};

struct Verdict {
  Finding access;             // which protocol opened the chip
  Finding data_integrity;     // SOD signature valid and every read data group matches its hash
  Finding signer_trust;       // DS certificate chains to a configured CSCA, within validity
  Finding chip_authenticity;  // Chip / Active Authentication / PACE-CAM (later issues)
  Finding consistency;        // DG1 (MRZ) and DG13 agree
  Finding document_validity;  // the card had not expired on the judgement date (or has no expiry)
  // The QR code printed on the card agrees with DG13; only when a QR line was given (VerifyOptions).
  std::optional<Finding> qr_consistency;
  bool verified = false;  // every finding that applies under `policy` passed

  // The policy the verdict was judged under, its judgement time filled in (`at` is always set).
  VerificationPolicy policy;

  std::vector<DataGroupHash> hashes;
  std::string hash_algorithm;       // "SHA-256"
  std::string signature_algorithm;  // "ecdsa-with-SHA256"
  std::string signer_subject;       // DS certificate subject (an authority, not a person)
  std::string csca_subject;         // the trust anchor it chained to, when it did
  bool test_csca = false;           // the anchor is a libcccd virtual-card test CSCA
};

struct NamedFinding {
  std::string_view name;  // as in the JSON: "access", "data_integrity" ... (a literal: NUL-terminated)
  const Finding* finding;
};
// The verdict's findings under their JSON names, in the JSON's order (qr_consistency only when it was
// checked): the one at `index`, nothing past the last. Allocates nothing, so the C API can call it freely.
std::optional<NamedFinding> finding_at(const Verdict& verdict, std::size_t index) noexcept;

}  // namespace cccd
