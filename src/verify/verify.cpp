// verify(): the verdict on a dump, and parse().
//
// When is a document *verified*? Every finding that applies must have passed:
//   - access: passed (the chip was opened with BAC or PACE); not_checked does not apply, because a dump
//     that does not say how it was read (an offline or uploaded dump) can still be verified.
//   - data_integrity: must be passed (SOD signature, messageDigest, every data group read hashed).
//   - signer_trust: must be passed; unknown (no CSCA configured) means NOT verified: a valid signature
//     by an unknown signer proves nothing about the issuer.
//   - chip_authenticity: must be passed whenever the chip offers Chip or Active Authentication (DG14 or
//     DG15 read, or listed in EF.SOD: leaving them out of an upload must not make a clone pass). Only
//     not_supported (it offers neither) does not apply. A proof that failed (CA, AA, PACE-CAM) gives
//     failed; a dump without any proof gives not_checked: either way a clone is not ruled out.
//   - consistency: must be passed (DG1 and DG13 both read, parsed and in agreement).
//   - qr_consistency, present only when the caller gave the card's printed QR code: must be passed.
// Any other status of any finding (a failed access included) means not verified.
//   - document_validity: must be passed (unexpired on the judgement date, or no expiry), unless the policy
//     accepts expired cards (the finding still says the card expired).
// Any other status of any finding (a failed access included) means not verified. The policy
// (cccd/policy.hpp) may require more: with require_chip_authenticity a chip that offers no proof at all
// fails chip authenticity, with the policy as its reason.
#include "crypto/pace_mapping.hpp"
#include "lds/lds.hpp"
#include "lds/security_infos.hpp"
#include "verify/active_authentication_check.hpp"
#include "verify/consistency.hpp"
#include "verify/document_validity.hpp"
#include "verify/passive_auth.hpp"
#include "verify/qr_consistency.hpp"

#include <cccd/error.hpp>
#include <cccd/verify.hpp>

#include <openssl/err.h>

#include <ctime>
#include <new>
#include <optional>
#include <string>

namespace cccd {
namespace {

constexpr std::size_t kMaxProtocolNameLength = 32;

// The access protocol comes from a dump file: shown only when it looks like a protocol name.
Finding access_finding(const ChipDump& dump) {
  if (dump.access_protocol.empty()) {
    return {FindingStatus::not_checked, "the dump does not say how the chip was opened"};
  }
  bool plain = dump.access_protocol.size() <= kMaxProtocolNameLength;
  for (char c : dump.access_protocol) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    plain = plain && ok;
  }
  std::string detail = plain ? dump.access_protocol : std::string("an unrecognised protocol");
  // Why the chip was opened the way it was, when that was not the protocol it offered first.
  if (!dump.access_note.empty()) detail += " — " + dump.access_note;
  return {FindingStatus::passed, detail};
}

// Whether the chip offers Chip (DG14) or Active (DG15) Authentication: read, or covered by EF.SOD.
bool offers_chip_authentication(const ChipDump& dump, const Verdict& verdict) {
  for (FileId file : {FileId::dg14, FileId::dg15}) {
    if (dump.file(file)) return true;
    for (const DataGroupHash& hash : verdict.hashes) {
      if (hash.file == file && hash.present_in_sod) return true;
    }
  }
  return false;
}

// Whether DG14 was read and its hash matched a valid EF.SOD: only then is its key the issuer's.
bool dg14_genuine(const Verdict& verdict) {
  if (verdict.data_integrity.status != FindingStatus::passed) return false;
  for (const DataGroupHash& hash : verdict.hashes) {
    if (hash.file == FileId::dg14) return hash.read && hash.matches;
  }
  return false;
}

// PACE-CAM's proof, checked against the Chip Authentication key of DG14 (Part 11 section 4.4.3.5):
// PK_Map,IC = CA_IC * PK_IC. Meaningful only when DG14 itself is genuine (its hash matched a valid SOD).
Finding cam_finding(const ChipDump& dump, const Verdict& verdict) {
  if (!dg14_genuine(verdict)) {
    return {FindingStatus::failed, "PACE-CAM ran, but DG14 was not read or is not covered by a valid EF.SOD"};
  }
  lds::SecurityInfos infos = lds::parse_security_infos(*dump.file(FileId::dg14));
  for (const lds::ChipAuthenticationPublicKeyInfo& key : infos.chip_authentication_public_keys) {
    if (key.agreement != lds::KeyAgreement::ecdh || !key.parameters) continue;
    try {
      crypto::PaceDomain domain = lds::domain_of(*key.parameters);
      crypto::cam_verify_chip(domain, dump.cam_chip_authentication_data, key.public_key,
                              dump.cam_mapping_public_key);
      return {FindingStatus::passed,
              "PACE-CAM: the chip proved it holds the private Chip Authentication key of DG14"};
    } catch (const Error&) {
      // Another key of DG14 may be the one (several keys carry key identifiers).
    }
  }
  return {FindingStatus::failed,
          "PACE-CAM: the chip's authentication data does not match any Chip Authentication key of DG14"};
}

// Chip Authentication cannot be checked again from a dump: the proof was the live exchange (the chip
// answered under keys only the holder of DG14's private key derives). The verdict repeats what the read
// recorded, and requires that DG14, whose key was used, is genuine.
Finding chip_authentication_finding(const ChipDump& dump, const Verdict& verdict) {
  std::string protocol =
      dump.chip_authentication.empty() ? std::string("Chip Authentication") : dump.chip_authentication;
  if (dump.chip_authentication_result != "passed") {
    const std::string why = dump.chip_authentication_note.empty()
                                ? std::string("the chip did not prove it holds the private key of DG14")
                                : dump.chip_authentication_note;
    return {FindingStatus::failed, protocol + " failed at read time: " + why};
  }
  if (!dg14_genuine(verdict)) {
    return {FindingStatus::failed,
            protocol + " performed at read time, but DG14 was not read or is not covered by a valid EF.SOD"};
  }
  return {FindingStatus::passed,
          protocol + " performed at read time: the chip proved it holds the private key of DG14"};
}

// Passed only when a protocol proved the chip holds a private key whose public key is in a data group
// covered by a valid SOD; a protocol that failed outweighs one that passed (a chip that cannot prove one
// of its keys is not the original).
Finding chip_authenticity_finding(const ChipDump& dump, const Verdict& verdict, const VerifyOptions& options,
                                  const LiveChipProof* live) {
  if (!offers_chip_authentication(dump, verdict)) {
    if (options.policy.require_chip_authenticity) {
      return {FindingStatus::failed,
              "the chip offers neither Chip nor Active Authentication, and the policy requires a proof "
              "that the chip is genuine"};
    }
    return {FindingStatus::not_supported, "the chip offers neither Chip nor Active Authentication"};
  }
  // Each proof, and whether it shows the chip was present for this verifier: only the reader's own
  // LiveChipProof makes a recorded CA or CAM fresh, never anything in the dump.
  struct Proof {
    Finding finding;
    bool fresh;
  };
  std::vector<Proof> proofs;
  if (!dump.cam_chip_authentication_data.empty())
    proofs.push_back({cam_finding(dump, verdict), live != nullptr && live->pace_cam()});
  if (!dump.chip_authentication_result.empty())
    proofs.push_back(
        {chip_authentication_finding(dump, verdict), live != nullptr && live->chip_authentication()});
  if (verification::active_authentication_to_check(dump, options)) {
    const bool own_challenge = options.active_authentication_challenge.has_value();
    proofs.push_back({verification::check_active_authentication(dump, verdict, options),
                      live != nullptr || own_challenge});
  }
  if (proofs.empty()) {
    // Not checked rather than failed: an uploaded dump may simply lack the proof. Not verified either way.
    std::string detail =
        "the chip offers Chip/Active Authentication, but the dump holds no proof that either was "
        "performed: a clone cannot be ruled out";
    if (!dump.chip_authentication_note.empty()) detail += " (" + dump.chip_authentication_note + ")";
    return {FindingStatus::not_checked, detail};
  }
  for (const Proof& proof : proofs) {
    if (proof.finding.status != FindingStatus::passed) return proof.finding;
  }
  std::string details;
  bool fresh = false;
  for (const Proof& proof : proofs) {
    details += (details.empty() ? "" : "; ") + proof.finding.detail;
    fresh = fresh || proof.fresh;
  }
  if (!fresh) {
    return {FindingStatus::unknown,
            details +
                "; but this is the reading app's record, which a copy of a genuine card's session "
                "could replay: only Active Authentication over a challenge the verifier chose "
                "(--challenge) proves the chip was there"};
  }
  return {FindingStatus::passed, details};
}

// DG1 and DG13 parsed once per verification: the consistency, validity and QR findings all read them.
struct HolderFiles {
  bool dg1_read = false;
  bool dg13_read = false;
  std::optional<Mrz> mrz;  // DG1 when read and parsed; otherwise dg1_problem says why it did not parse
  std::string dg1_problem;
  std::optional<PersonalData> personal;  // DG13, the same
  std::string dg13_problem;
};

HolderFiles parse_holder_files(const ChipDump& dump) {
  HolderFiles files;
  if (const Bytes* dg1 = dump.file(FileId::dg1)) {
    files.dg1_read = true;
    try {
      files.mrz = lds::parse_dg1(*dg1);
    } catch (const Error& e) {
      files.dg1_problem = e.what();
    }
  }
  if (const Bytes* dg13 = dump.file(FileId::dg13)) {
    files.dg13_read = true;
    try {
      files.personal = lds::parse_dg13(*dg13);
    } catch (const Error& e) {
      files.dg13_problem = e.what();
    }
  }
  return files;
}

Finding consistency_finding(const HolderFiles& files) {
  if (!files.dg1_read || !files.dg13_read) {
    return {FindingStatus::not_checked, std::string(!files.dg1_read ? "DG1" : "DG13") + " was not read"};
  }
  if (!files.mrz) return {FindingStatus::not_checked, "DG1 does not parse: " + files.dg1_problem};
  if (!files.personal) return {FindingStatus::not_checked, "DG13 does not parse: " + files.dg13_problem};
  return verification::check_consistency(*files.mrz, *files.personal);
}

verification::CardExpiry card_expiry(const HolderFiles& files) {
  // An unreadable DG1 or DG13: the other may still say it; integrity and consistency report the file.
  return verification::card_expiry(
      files.mrz ? std::string_view(files.mrz->date_of_expiry) : std::string_view(),
      files.personal ? files.personal->date_of_expiry() : std::string());
}

// The printed QR code against DG13; not_checked (and so not verified) when DG13 is missing or broken.
Finding qr_consistency_finding(const HolderFiles& files, const CardQr& qr) {
  if (!files.dg13_read)
    return {FindingStatus::not_checked, "DG13 was not read: the QR code cannot be compared"};
  if (!files.personal) return {FindingStatus::not_checked, "DG13 does not parse: " + files.dg13_problem};
  return verification::check_qr_consistency(qr, *files.personal);
}

bool applies_and_passed(const Finding& finding) {
  return finding.status == FindingStatus::passed;
}

bool is_verified(const Verdict& v) {
  bool access_ok = v.access.status == FindingStatus::passed || v.access.status == FindingStatus::not_checked;
  bool chip_ok =
      v.chip_authenticity.status == FindingStatus::passed ||
      (v.chip_authenticity.status == FindingStatus::not_supported && !v.policy.require_chip_authenticity);
  bool validity_ok = v.policy.accept_expired || applies_and_passed(v.document_validity);
  return access_ok && chip_ok && validity_ok && applies_and_passed(v.data_integrity) &&
         applies_and_passed(v.signer_trust) && applies_and_passed(v.consistency) &&
         (!v.qr_consistency || applies_and_passed(*v.qr_consistency));
}

// Runs one check; an exception that escapes it (a bug, or memory exhaustion) fails that finding
// instead of the whole verification.
template <class Check>
void guarded(Finding& finding, Check&& check) {
  try {
    check();
  } catch (const Error& e) {
    finding = {FindingStatus::failed, std::string("check aborted: ") + e.what()};
  } catch (const std::bad_alloc&) {
    finding = {FindingStatus::failed, "check aborted: out of memory"};
  } catch (const std::exception&) {
    finding = {FindingStatus::failed, "check aborted by an internal error"};
  }
  ERR_clear_error();
}

Verdict judge(const ChipDump& dump, const TrustStore& trust, const VerifyOptions& given,
              const LiveChipProof* live) {
  // One judgement time for every check, reported with the verdict.
  VerifyOptions options = given;
  if (!options.policy.at) options.policy.at = std::time(nullptr);
  Verdict verdict;
  verdict.policy = options.policy;
  verdict.access = access_finding(dump);
  verification::SodSigner document_signer;
  guarded(verdict.data_integrity,
          [&] { document_signer = verification::check_data_integrity(dump, verdict); });
  guarded(verdict.signer_trust,
          [&] { verification::check_signer_trust(document_signer, trust, options, verdict); });
  guarded(verdict.chip_authenticity,
          [&] { verdict.chip_authenticity = chip_authenticity_finding(dump, verdict, options, live); });
  HolderFiles holder;
  guarded(verdict.consistency, [&] {
    holder = parse_holder_files(dump);
    verdict.consistency = consistency_finding(holder);
  });
  guarded(verdict.document_validity, [&] {
    verdict.document_validity =
        verification::check_document_validity(card_expiry(holder), vietnam_date_at(*options.policy.at));
    if (verdict.document_validity.status == FindingStatus::failed && options.policy.accept_expired)
      verdict.document_validity.detail += " (accepted: the policy accepts expired cards)";
  });
  if (options.printed_qr) {
    verdict.qr_consistency.emplace();
    guarded(*verdict.qr_consistency,
            [&] { verdict.qr_consistency = qr_consistency_finding(holder, *options.printed_qr); });
  }
  verdict.verified = is_verified(verdict);
  return verdict;
}

}  // namespace

Verdict verify(const ChipDump& dump, const TrustStore& trust, const VerifyOptions& options) {
  return judge(dump, trust, options, nullptr);
}

Verdict verify(const ChipDump& dump, const TrustStore& trust, const VerifyOptions& options,
               const LiveChipProof& live) {
  return judge(dump, trust, options, &live);
}

Document parse(const ChipDump& dump) {
  return lds::parse_document(dump);
}

}  // namespace cccd
