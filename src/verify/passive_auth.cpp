#include "verify/passive_auth.hpp"

#include "asn1/oids.hpp"
#include "asn1/tlv.hpp"
#include "crypto/crypto.hpp"
#include "crypto/openssl_ptr.hpp"
#include "lds/sod.hpp"
#include "util/bytes.hpp"
#include "verify/signature.hpp"
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

Bytes without_leading_zeros(ByteView magnitude) {
  std::size_t start = 0;
  while (start + 1 < magnitude.size() && magnitude[start] == 0) ++start;
  return Bytes(magnitude.begin() + static_cast<std::ptrdiff_t>(start), magnitude.end());
}

bool serial_matches(X509* cert, ByteView serial) {
  PublicBnPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn) {
    ERR_clear_error();
    return false;
  }
  Bytes magnitude(static_cast<std::size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), magnitude.data());
  return without_leading_zeros(magnitude) == without_leading_zeros(serial);
}

bool issuer_matches(const CachedSigner& signer, ByteView issuer_der) {
  // The same DER is the same name (the common case: the SOD copies the certificate's issuer); other
  // encodings of it are compared in canonical form.
  if (std::equal(issuer_der.begin(), issuer_der.end(), signer.issuer_der().begin(),
                 signer.issuer_der().end()))
    return true;
  X509* cert = signer.certificate();
  const unsigned char* cursor = issuer_der.data();
  X509NamePtr issuer(d2i_X509_NAME(nullptr, &cursor, static_cast<long>(issuer_der.size())));
  ERR_clear_error();
  return issuer && X509_NAME_cmp(issuer.get(), X509_get_issuer_name(cert)) == 0;
}

bool key_id_matches(X509* cert, ByteView key_id) {
  const ASN1_OCTET_STRING* skid = X509_get0_subject_key_id(cert);
  ERR_clear_error();
  if (!skid) return false;
  ByteView own(ASN1_STRING_get0_data(skid), static_cast<std::size_t>(ASN1_STRING_length(skid)));
  return equal_constant_time(own, key_id);
}

// The certificate of SignedData.certificates the SignerInfo's sid names (issuerAndSerialNumber or
// subjectKeyIdentifier). Throws Error(malformed_data) with the reason when there is none.
std::shared_ptr<const CachedSigner> find_document_signer(const lds::SecurityObject& sod) {
  if (sod.certificates.empty()) {
    throw Error(ErrorCode::malformed_data, "EF.SOD carries no document signer certificate");
  }
  bool by_issuer = !sod.signer_issuer_der.empty() && !sod.signer_serial.empty();
  bool by_key_id = !sod.signer_subject_key_id.empty();
  // Parsed once per certificate in the process, shared (signer_cache.hpp).
  std::vector<std::shared_ptr<const CachedSigner>> certificates;
  for (const Bytes& der : sod.certificates) certificates.push_back(cached_signer(der));
  if (!by_issuer && !by_key_id) {
    if (certificates.size() == 1) return std::move(certificates.front());
    throw Error(ErrorCode::malformed_data, "the SignerInfo of EF.SOD does not identify its certificate");
  }
  for (auto& cert : certificates) {
    X509* certificate = cert->certificate();
    bool match = by_issuer ? issuer_matches(*cert, sod.signer_issuer_der) &&
                                 serial_matches(certificate, sod.signer_serial)
                           : key_id_matches(certificate, sod.signer_subject_key_id);
    if (match) return std::move(cert);
  }
  throw Error(ErrorCode::malformed_data, "no certificate in EF.SOD matches its SignerInfo");
}

// Checks eContentType, the contentType and messageDigest attributes and the signature; records the
// signature algorithm and signer subject. Appends a reason for each failure to `problems`.
std::shared_ptr<const CachedSigner> check_signed_data(const lds::SecurityObject& sod, Verdict& verdict,
                                                      std::vector<std::string>& problems) {
  if (sod.econtent_type != asn1::oid::kLdsSecurityObject) {
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

  std::shared_ptr<const CachedSigner> signer;
  try {
    signer = find_document_signer(sod);
    verdict.signer_subject = signer->subject_line();
  } catch (const Error& e) {
    problems.push_back(e.what());
  }

  if (scheme && signer) {
    try {
      EVP_PKEY* key = X509_get0_pubkey(signer->certificate());
      ERR_clear_error();
      if (!key) throw Error(ErrorCode::crypto, "the document signer's public key does not decode");
      if (!verify_signature(key, *scheme, sod.signed_attributes_der, sod.signature)) {
        problems.push_back("SOD signature does not verify");
      }
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
