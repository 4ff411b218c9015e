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

// Parsing a certificate (d2i_X509, which in OpenSSL 3.0 also runs the provider decoders on its public
// key) is the largest cost of a verification after the signature checks, and a server verifies many
// documents of the same few document signers. Each thread keeps the certificates it parsed last, by
// their exact DER, and hands out references: the checks do not change a certificate, except for the
// SOD timing, which attach_timing overwrites for every verification (docs/PERFORMANCE.md).
constexpr std::size_t kParsedCertificatesKept = 4;

X509Ptr parse_certificate(ByteView der) {
  struct Parsed {
    Bytes der;
    X509Ptr certificate;
  };
  thread_local std::vector<Parsed> parsed;  // the most recent last
  for (const Parsed& known : parsed) {
    if (std::equal(known.der.begin(), known.der.end(), der.begin(), der.end()) &&
        X509_up_ref(known.certificate.get()) == 1) {
      return X509Ptr(known.certificate.get());
    }
  }
  const unsigned char* cursor = der.data();
  X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!cert || cursor != der.data() + der.size()) {
    throw Error(ErrorCode::malformed_data, "a certificate in EF.SOD does not parse");
  }
  if (X509_up_ref(cert.get()) == 1) {
    if (parsed.size() == kParsedCertificatesKept) parsed.erase(parsed.begin());
    parsed.push_back({Bytes(der.begin(), der.end()), X509Ptr(cert.get())});
  }
  return cert;
}

std::vector<X509Ptr> parse_certificates(const lds::SecurityObject& sod) {
  if (sod.certificates.empty()) {
    throw Error(ErrorCode::malformed_data, "EF.SOD carries no document signer certificate");
  }
  std::vector<X509Ptr> certificates;
  for (const Bytes& der : sod.certificates) certificates.push_back(parse_certificate(der));
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
X509Ptr certificate_whose_key_verifies(std::vector<X509Ptr>& certificates, const SignatureScheme& scheme,
                                       const lds::SecurityObject& sod) {
  for (X509Ptr& cert : certificates) {
    try {
      if (key_verifies(cert.get(), scheme, sod)) return std::move(cert);
    } catch (const Error&) {
    }
  }
  return nullptr;
}

// Checks eContentType, the contentType and messageDigest attributes and the signature; records the
// signature algorithm and signer subject. Appends a reason for each failure to `problems`.
X509Ptr check_signed_data(const lds::SecurityObject& sod, Verdict& verdict,
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
  X509Ptr signer;
  bool verified_by_search = false;
  try {
    std::vector<X509Ptr> certificates = parse_certificates(sod);
    if (std::optional<std::size_t> named = certificate_named_by_signer_info(sod, certificates)) {
      signer = std::move(certificates[*named]);
    } else if (scheme) {
      signer = certificate_whose_key_verifies(certificates, *scheme, sod);
      verified_by_search = signer != nullptr;
    }
    if (!signer) throw Error(ErrorCode::malformed_data, "no certificate in EF.SOD matches its SignerInfo");
    verdict.signer_subject = one_line_name(X509_get_subject_name(signer.get()));
  } catch (const Error& e) {
    problems.push_back(e.what());
  }

  if (scheme && signer && !verified_by_search) {
    try {
      if (!key_verifies(signer.get(), *scheme, sod)) problems.push_back("SOD signature does not verify");
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

X509Ptr check_data_integrity(const ChipDump& dump, Verdict& verdict) {
  const Bytes* sod_file = dump.file(FileId::sod);
  if (!sod_file) {
    verdict.data_integrity = failed("EF.SOD was not read, so no data group can be checked");
    return nullptr;
  }
  lds::SecurityObject sod;
  try {
    sod = lds::parse_sod(*sod_file);
  } catch (const Error& e) {
    verdict.data_integrity = failed(std::string("EF.SOD does not parse: ") + e.what());
    return nullptr;
  }

  std::vector<std::string> problems;
  X509Ptr signer;
  try {
    signer = check_signed_data(sod, verdict, problems);
  } catch (const Error& e) {
    problems.push_back(std::string("SOD signature cannot be checked: ") + e.what());
  }
  if (signer) attach_timing(signer.get(), signing_time_of(sod.signed_attributes_der));
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
