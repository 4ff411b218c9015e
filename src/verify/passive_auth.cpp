#include "verify/passive_auth.hpp"

#include "asn1/oids.hpp"
#include "asn1/tlv.hpp"
#include "crypto/crypto.hpp"
#include "crypto/openssl_ptr.hpp"
#include "lds/sod.hpp"
#include "util/bytes.hpp"
#include "verify/signature.hpp"
#include "verify/signer_match.hpp"
#include "verify/sod_timing.hpp"
#include "verify/trust_store_chain.hpp"

#include <cccd/error.hpp>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <optional>
#include <vector>

namespace cccd::verification {
namespace {

Finding failed(std::string detail) {
  return {FindingStatus::failed, std::move(detail)};
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += "; ";
    out += part;
  }
  return out;
}

// Every certificate of SignedData.certificates, parsed once per certificate in the process and shared
// (signer_cache.hpp). Throws Error(malformed_data) when there is none or one does not parse.
std::vector<std::shared_ptr<const CachedSigner>> parse_certificates(const lds::SecurityObject& sod) {
  if (sod.certificates.empty()) {
    throw Error(ErrorCode::malformed_data, "EF.SOD carries no document signer certificate");
  }
  std::vector<std::shared_ptr<const CachedSigner>> certificates;
  for (const Bytes& der : sod.certificates) certificates.push_back(cached_signer(der));
  return certificates;
}

bool key_verifies(X509* cert, const SignatureScheme& scheme, const lds::SecurityObject& sod) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  ERR_clear_error();
  if (!key) throw Error(ErrorCode::crypto, "the document signer's public key does not decode");
  return verify_signature(key, scheme, sod.signed_attributes_der, sod.signature);
}

// The certificate whose key verifies the signature, when the SignerInfo names none of them: the last
// resort for issuers whose sid matches nothing. Certificates whose key does not fit the scheme are
// passed over. Null when no key verifies.
std::shared_ptr<const CachedSigner> certificate_whose_key_verifies(
    const std::vector<std::shared_ptr<const CachedSigner>>& certificates, const SignatureScheme& scheme,
    const lds::SecurityObject& sod) {
  for (const auto& cert : certificates) {
    try {
      if (key_verifies(cert->certificate(), scheme, sod)) return cert;
    } catch (const Error&) {
    }
  }
  return nullptr;
}

// Checks eContentType, the contentType and messageDigest attributes and the signature; records the
// signature algorithm and signer subject. Appends a reason for each failure to `problems`.
std::shared_ptr<const CachedSigner> check_signed_data(const lds::SecurityObject& sod, Verdict& verdict,
                                                      std::vector<std::string>& problems) {
  if (sod.econtent_type != asn1::oid::kLdsSecurityObject && sod.econtent_type != asn1::oid::kData) {
    problems.push_back("EF.SOD does not hold an LDS security object");
  }
  if (sod.content_type_attribute != sod.econtent_type) {
    problems.push_back("the contentType attribute of EF.SOD differs from its content type");
  }

  if (sod.signed_attributes_der.empty()) {
    problems.push_back("EF.SOD has no signed attributes");
  } else {
    std::optional<crypto::HashAlgorithm> digest = crypto::hash_from_oid(sod.digest_algorithm);
    if (!digest) {
      problems.push_back("EF.SOD uses an unsupported digest algorithm");
    } else if (!equal_constant_time(crypto::hash(*digest, sod.econtent), sod.message_digest)) {
      problems.push_back("the messageDigest attribute of EF.SOD does not match its content");
    }
  }

  std::optional<SignatureScheme> scheme;
  try {
    scheme =
        signature_scheme(sod.signature_algorithm, sod.signature_algorithm_parameters, sod.digest_algorithm);
    verdict.signature_algorithm = scheme->name();
  } catch (const Error& e) {
    problems.push_back(std::string("SOD signature cannot be checked: ") + e.what());
  }

  // The signer: the certificate the SignerInfo names (issuerAndSerialNumber with names compared
  // canonically, or subjectKeyIdentifier), else the one whose key verifies the signature.
  std::shared_ptr<const CachedSigner> signer;
  bool verified_by_search = false;
  try {
    std::vector<std::shared_ptr<const CachedSigner>> certificates = parse_certificates(sod);
    std::vector<X509*> parsed;
    for (const auto& cert : certificates) parsed.push_back(cert->certificate());
    if (std::optional<std::size_t> named = certificate_named_by_signer_info(sod, parsed)) {
      signer = certificates[*named];
    } else if (scheme) {
      signer = certificate_whose_key_verifies(certificates, *scheme, sod);
      verified_by_search = signer != nullptr;
    }
    if (!signer) throw Error(ErrorCode::malformed_data, "no certificate in EF.SOD matches its SignerInfo");
    verdict.signer_subject = signer->subject_line();
  } catch (const Error& e) {
    problems.push_back(e.what());
  }

  if (scheme && signer && !verified_by_search) {
    try {
      if (!key_verifies(signer->certificate(), *scheme, sod))
        problems.push_back("SOD signature does not verify");
    } catch (const Error& e) {
      problems.push_back(std::string("SOD signature cannot be checked: ") + e.what());
    }
  }
  return signer;
}

// Compares every data group read and every hash of the SOD; fills verdict.hashes. Returns how many data
// groups were both read and listed.
std::size_t check_hashes(const ChipDump& dump, const lds::SecurityObject& sod, Verdict& verdict,
                         std::vector<std::string>& problems) {
  std::optional<crypto::HashAlgorithm> algorithm = crypto::hash_from_oid(sod.hash_algorithm);
  if (algorithm) {
    verdict.hash_algorithm = std::string(crypto::hash_name(*algorithm));
  } else {
    problems.push_back("EF.SOD uses an unsupported data group hash algorithm");
  }
  std::size_t compared = 0;
  for (int number = 1; number <= 16; ++number) {
    FileId file = *data_group(number);
    auto listed = sod.data_group_hashes.find(number);
    const Bytes* content = dump.file(file);
    if (listed == sod.data_group_hashes.end() && !content) continue;
    DataGroupHash entry;
    entry.file = file;
    entry.present_in_sod = listed != sod.data_group_hashes.end();
    entry.read = content != nullptr;
    std::string name(file_name(file));
    if (entry.present_in_sod && entry.read && algorithm) {
      entry.matches = equal_constant_time(crypto::hash(*algorithm, *content), listed->second);
      ++compared;
      if (!entry.matches) problems.push_back(name + " does not match its hash in EF.SOD");
    } else if (entry.read && !entry.present_in_sod) {
      problems.push_back(name + " was read but EF.SOD holds no hash for it");
    }
    verdict.hashes.push_back(entry);
  }
  return compared;
}

}  // namespace

std::string one_line_name(const X509_NAME* name) {
  return name_line(name);
}

SodSigner check_data_integrity(const ChipDump& dump, Verdict& verdict) {
  const Bytes* sod_file = dump.file(FileId::sod);
  if (!sod_file) {
    verdict.data_integrity = failed("EF.SOD was not read, so no data group can be checked");
    return {};
  }
  lds::SecurityObject sod;
  try {
    sod = lds::parse_sod(*sod_file);
  } catch (const Error& e) {
    verdict.data_integrity = failed(std::string("EF.SOD does not parse: ") + e.what());
    return {};
  }

  std::vector<std::string> problems;
  SodSigner signer;
  try {
    signer.certificate = check_signed_data(sod, verdict, problems);
  } catch (const Error& e) {
    problems.push_back(std::string("SOD signature cannot be checked: ") + e.what());
  }
  if (signer.certificate) signer.timing = signing_time_of(sod.signed_attributes_der);
  std::size_t compared = 0;
  try {
    compared = check_hashes(dump, sod, verdict, problems);
  } catch (const Error& e) {
    problems.push_back(std::string("data group hashes cannot be checked: ") + e.what());
  }
  if (problems.empty() && compared == 0) problems.push_back("no data group that EF.SOD lists was read");

  if (problems.empty()) {
    verdict.data_integrity = {FindingStatus::passed,
                              "the EF.SOD signature verifies and the " + std::to_string(compared) +
                                  " data groups read match their " + verdict.hash_algorithm + " hashes"};
  } else {
    verdict.data_integrity = failed(join(problems));
  }
  return signer;
}

}  // namespace cccd::verification
