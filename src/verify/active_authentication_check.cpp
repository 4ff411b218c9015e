#include "verify/active_authentication_check.hpp"

#include "crypto/active_authentication.hpp"
#include "lds/security_infos.hpp"
#include "util/bytes.hpp"

#include <cccd/error.hpp>

namespace cccd::verification {
namespace {

Finding failed(const std::string& why) {
  return {FindingStatus::failed, "Active Authentication: " + why};
}

// Read, and its hash matched a valid EF.SOD: only then is the key in it the issuer's.
bool genuine(const Verdict& verdict, FileId file) {
  if (verdict.data_integrity.status != FindingStatus::passed) return false;
  for (const DataGroupHash& hash : verdict.hashes) {
    if (hash.file == file) return hash.read && hash.matches;
  }
  return false;
}

// The ECDSA hash the ActiveAuthenticationInfo of DG14 names; nothing when there is none (the caller
// reports it). Throws Error(malformed_data) when DG14 does not parse.
std::optional<crypto::HashAlgorithm> ecdsa_hash_of(const Bytes& dg14) {
  lds::SecurityInfos infos = lds::parse_security_infos(dg14);
  for (const lds::ActiveAuthenticationInfo& info : infos.active_authentication) {
    if (std::optional<crypto::HashAlgorithm> hash = crypto::aa_ecdsa_hash(info.signature_algorithm))
      return hash;
  }
  return std::nullopt;
}

}  // namespace

bool active_authentication_to_check(const ChipDump& dump, const VerifyOptions& options) noexcept {
  return !dump.aa_signature.empty() || !dump.aa_challenge.empty() ||
         options.active_authentication_challenge.has_value();
}

Finding check_active_authentication(const ChipDump& dump, const Verdict& verdict,
                                    const VerifyOptions& options) {
  if (options.active_authentication_challenge) {
    const auto& expected = *options.active_authentication_challenge;
    if (dump.aa_challenge.empty()) return failed("the dump holds no signature over the given challenge");
    if (!equal_constant_time(dump.aa_challenge, ByteView(expected.data(), expected.size()))) {
      return failed("the signature is over another challenge than the one given (a replayed or other read)");
    }
  }
  if (dump.aa_signature.empty()) {
    return failed("the chip gave no signature (it refused INTERNAL AUTHENTICATE)");
  }
  if (dump.aa_challenge.size() != crypto::kActiveAuthenticationChallengeLength) {
    return failed("the recorded challenge is not 8 bytes");
  }
  const Bytes* dg15 = dump.file(FileId::dg15);
  if (dg15 == nullptr || !genuine(verdict, FileId::dg15)) {
    return failed("DG15 was not read or is not covered by a valid EF.SOD, so its key proves nothing");
  }
  crypto::AaPublicKey key;
  try {
    key = crypto::parse_dg15(*dg15);
  } catch (const Error& e) {
    return failed(e.what());
  }
  std::optional<crypto::HashAlgorithm> hash;
  std::string scheme = "ISO/IEC 9796-2";
  if (key.kind == crypto::AaKeyKind::ecdsa) {
    const Bytes* dg14 = dump.file(FileId::dg14);
    if (dg14 == nullptr || !genuine(verdict, FileId::dg14)) {
      return failed(
          "an ECDSA key needs DG14 (its ActiveAuthenticationInfo names the hash), and DG14 was not "
          "read or is not covered by a valid EF.SOD");
    }
    try {
      hash = ecdsa_hash_of(*dg14);
    } catch (const Error& e) {
      return failed(std::string("DG14: ") + e.what());
    }
    if (!hash) return failed("DG14 has no ActiveAuthenticationInfo naming a supported ECDSA hash");
    scheme = "ECDSA with " + std::string(crypto::hash_name(*hash));
  }
  try {
    crypto::verify_active_authentication(key, hash, dump.aa_challenge, dump.aa_signature);
  } catch (const Error& e) {
    return {FindingStatus::failed, e.what()};  // already "Active Authentication: ..."
  }
  std::string detail = "Active Authentication (" + key.description() + ", " + scheme +
                       "): the chip signed the challenge with the private key of DG15";
  detail += options.active_authentication_challenge ? ", over the challenge given"
                                                    : ", over the challenge recorded in the dump";
  return {FindingStatus::passed, detail};
}

}  // namespace cccd::verification
