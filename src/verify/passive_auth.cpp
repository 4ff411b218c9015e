#include "verify/passive_auth.hpp"

#include "asn1/oids.hpp"
#include "asn1/tlv.hpp"
#include "crypto/crypto.hpp"
#include "crypto/openssl_ptr.hpp"
#include "lds/sod.hpp"
#include "util/bytes.hpp"
#include "verify/signature.hpp"
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

bool issuer_matches(X509* cert, ByteView issuer_der) {
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
X509Ptr find_document_signer(const lds::SecurityObject& sod) {
  if (sod.certificates.empty()) {
    throw Error(ErrorCode::malformed_data, "EF.SOD carries no document signer certificate");
  }
  bool by_issuer = !sod.signer_issuer_der.empty() && !sod.signer_serial.empty();
  bool by_key_id = !sod.signer_subject_key_id.empty();
  std::vector<X509Ptr> certificates;
  for (const Bytes& der : sod.certificates) certificates.push_back(parse_certificate(der));
  if (!by_issuer && !by_key_id) {
    if (certificates.size() == 1) return std::move(certificates.front());
    throw Error(ErrorCode::malformed_data, "the SignerInfo of EF.SOD does not identify its certificate");
  }
  for (X509Ptr& cert : certificates) {
    bool match = by_issuer ? issuer_matches(cert.get(), sod.signer_issuer_der) &&
                                 serial_matches(cert.get(), sod.signer_serial)
                           : key_id_matches(cert.get(), sod.signer_subject_key_id);
    if (match) return std::move(cert);
  }
  throw Error(ErrorCode::malformed_data, "no certificate in EF.SOD matches its SignerInfo");
}

// Checks eContentType, the contentType and messageDigest attributes and the signature; records the
// signature algorithm and signer subject. Appends a reason for each failure to `problems`.
X509Ptr check_signed_data(const lds::SecurityObject& sod, Verdict& verdict,
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

  X509Ptr signer;
  try {
    signer = find_document_signer(sod);
    verdict.signer_subject = one_line_name(X509_get_subject_name(signer.get()));
  } catch (const Error& e) {
    problems.push_back(e.what());
  }

  if (scheme && signer) {
    try {
      EVP_PKEY* key = X509_get0_pubkey(signer.get());
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

// How far a chain of CSCA link certificates is followed up through the store.
constexpr int kMaxLinkDepth = 8;
// A signing time this far after "now" is taken as clock skew, not as a forgery.
constexpr std::time_t kClockTolerance = 24 * 3600;

// The SOD's signing time travels from check_data_integrity to check_signer_trust on the document
// signer certificate itself (OpenSSL ex_data, released with the certificate).
struct SodTiming {
  std::optional<std::time_t> signing_time;
  bool unreadable = false;
};

void free_timing(void*, void* pointer, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<SodTiming*>(pointer);
}

int timing_index() {
  static const int index =
      CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_X509, 0, nullptr, nullptr, nullptr, &free_timing);
  return index;
}

void attach_timing(X509* signer, SodTiming timing) {
  int index = timing_index();
  if (index < 0) return;
  // A certificate from the parse cache carries the timing of the SOD it came with before: replace it.
  if (auto* attached = static_cast<SodTiming*>(X509_get_ex_data(signer, index))) {
    *attached = timing;
    return;
  }
  auto* held = new SodTiming(timing);
  if (X509_set_ex_data(signer, index, held) != 1) {
    delete held;
    ERR_clear_error();
  }
}

const SodTiming* timing_of(X509* signer) {
  int index = timing_index();
  return index < 0 ? nullptr : static_cast<const SodTiming*>(X509_get_ex_data(signer, index));
}

// The signingTime attribute of the signed attributes (a DER SET OF Attribute), when there is one.
SodTiming signing_time_of(ByteView signed_attributes) {
  SodTiming timing;
  try {
    asn1::Tlv set = asn1::parse_one(signed_attributes, 0x31);
    asn1::TlvReader attributes(set.value);
    while (!attributes.empty()) {
      asn1::TlvReader attribute(attributes.expect(0x30).value);
      if (asn1::decode_oid(attribute.expect(0x06)) != asn1::oid::kSigningTimeAttribute) continue;
      if (timing.signing_time) throw Error(ErrorCode::malformed_data, "two signingTime attributes");
      asn1::TlvReader values(attribute.expect(0x31).value);
      asn1::Tlv value = values.next();
      values.expect_end();
      attribute.expect_end();
      if (value.tag != 0x17 && value.tag != 0x18) throw Error(ErrorCode::malformed_data, "not a time");
      const unsigned char* cursor = value.encoded.data();
      std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> time(
          d2i_ASN1_TIME(nullptr, &cursor, static_cast<long>(value.encoded.size())), &ASN1_TIME_free);
      std::optional<std::time_t> when =
          time && ASN1_TIME_check(time.get()) == 1 ? time_of(time.get()) : std::nullopt;
      ERR_clear_error();
      if (!when) throw Error(ErrorCode::malformed_data, "not a valid time");
      timing.signing_time = when;
    }
  } catch (const Error&) {
    timing.signing_time.reset();
    timing.unreadable = true;
  }
  return timing;
}

// The document signer's own checks: validity at the signing time (or, without one, already valid now)
// and extensions fit for signing EF.SOD.
std::optional<std::string> document_signer_problem(X509* signer, std::optional<std::time_t> signing_time,
                                                   std::time_t now) {
  if (signing_time) {
    switch (validity_at(signer, *signing_time)) {
      case Validity::valid:
        break;
      case Validity::not_yet_valid:
        return "the document signer certificate was not yet valid at the SOD signing time";
      case Validity::expired:
        return "the document signer certificate had expired at the SOD signing time";
    }
  } else if (validity_at(signer, now) == Validity::not_yet_valid) {
    return "the document signer certificate is not yet valid";
  }
  std::uint32_t flags = X509_get_extension_flags(signer);
  ERR_clear_error();
  if (flags & EXFLAG_INVALID) return "the document signer certificate has malformed extensions";
  if (flags & EXFLAG_CRITICAL) {
    return "the document signer certificate carries a critical extension this library does not know";
  }
  if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(signer) & KU_DIGITAL_SIGNATURE)) {
    return "the key usage of the document signer certificate does not allow signatures";
  }
  return std::nullopt;
}

// The CSCA that issued the document signer: a CA, allowed to sign certificates, valid when it issued
// the DS and at the signing time.
std::optional<std::string> issuing_csca_problem(X509* csca, X509* signer,
                                                std::optional<std::time_t> signing_time) {
  if (X509_check_ca(csca) == 0) return "the certificate that issued the document signer is not a CA";
  std::uint32_t flags = X509_get_extension_flags(csca);
  ERR_clear_error();
  if ((flags & EXFLAG_KUSAGE) && !(X509_get_key_usage(csca) & KU_KEY_CERT_SIGN)) {
    return "the key usage of the CSCA that issued the document signer does not allow certificate signing";
  }
  std::optional<std::time_t> issued = time_of(X509_get0_notBefore(signer));
  if (!issued || validity_at(csca, *issued) != Validity::valid) {
    return "the CSCA was not valid when it issued the document signer certificate";
  }
  if (signing_time) {
    switch (validity_at(csca, *signing_time)) {
      case Validity::valid:
        break;
      case Validity::not_yet_valid:
        return "the CSCA was not yet valid at the SOD signing time";
      case Validity::expired:
        return "the CSCA had expired at the SOD signing time";
    }
  }
  return std::nullopt;
}

bool self_signed(const TrustStore::Impl::Anchor& anchor) {
  X509* cert = anchor.certificate.get();
  return X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0 &&
         signature_verifies(cert, anchor.key.get());
}

// From a link certificate (a CSCA key certified by the previous one) up to the CSCA that signed it, as
// long as that one is in the store too and was valid when it signed. A link whose signer is not in the
// store stays the anchor: every certificate of the store is trusted as configured.
void climb_links(const std::vector<TrustStore::Impl::Anchor>& anchors,
                 std::vector<const TrustStore::Impl::Anchor*>& chain) {
  for (int depth = 0; depth < kMaxLinkDepth; ++depth) {
    X509* link = chain.back()->certificate.get();
    IssuerSearch search = find_issuer(link, anchors);
    if (!search.issuer || std::find(chain.begin(), chain.end(), search.issuer) != chain.end()) return;
    // A self-signed anchor is the top. Asked only once another anchor could have issued it: its
    // self-signature is an ECDSA/RSA verification, which would otherwise cost every verification one
    // more signature check than the chain needs (docs/PERFORMANCE.md).
    if (self_signed(*chain.back())) return;
    std::optional<std::time_t> issued = time_of(X509_get0_notBefore(link));
    if (!issued || validity_at(search.issuer->certificate.get(), *issued) != Validity::valid) return;
    chain.push_back(search.issuer);
  }
}

struct Revocation {
  bool revoked = false;
  bool checked = false;     // a verified CRL of the DS's issuer was consulted
  std::size_t ignored = 0;  // CRLs of the issuer's name that did not verify
};

Revocation check_revocation(X509* signer, const TrustStore::Impl& store) {
  Revocation result;
  for (const X509CrlPtr& crl : store.crls) {
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_issuer_name(signer)) != 0) continue;
    if (!crl_verified(crl.get(), store.anchors)) {
      ++result.ignored;
      continue;
    }
    result.checked = true;
    X509_REVOKED* entry = nullptr;
    // 1: listed; 2: listed as removeFromCRL (a delta CRL lifting a hold), which is not a revocation.
    if (X509_CRL_get0_by_cert(crl.get(), &entry, signer) == 1) result.revoked = true;
    ERR_clear_error();
  }
  return result;
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

void check_signer_trust(X509* document_signer, const TrustStore& trust, const VerifyOptions& options,
                        Verdict& verdict) {
  if (trust.empty()) {
    verdict.signer_trust = {FindingStatus::unknown,
                            "no CSCA configured: whether the document signer is trusted is unknown"};
    return;
  }
  if (!document_signer) {
    verdict.signer_trust = failed("EF.SOD gives no document signer certificate to check");
    return;
  }
  std::time_t now = options.at.value_or(std::time(nullptr));
  const SodTiming* timing = timing_of(document_signer);
  if (timing && timing->unreadable) {
    verdict.signer_trust = failed("the signingTime attribute of EF.SOD does not parse");
    return;
  }
  std::optional<std::time_t> signing_time = timing ? timing->signing_time : std::nullopt;
  if (signing_time && *signing_time > now + kClockTolerance) {
    verdict.signer_trust = failed("the signingTime of EF.SOD lies in the future");
    return;
  }
  if (auto problem = document_signer_problem(document_signer, signing_time, now)) {
    verdict.signer_trust = failed(*problem);
    return;
  }

  const auto& anchors = trust.impl().anchors;
  std::vector<const TrustStore::Impl::Anchor*> chain;  // from the issuing anchor upwards
  for (const auto& anchor : anchors) {
    // The document signer configured as an anchor itself: trusted as it stands.
    if (X509_cmp(anchor.certificate.get(), document_signer) == 0) chain.push_back(&anchor);
  }
  if (chain.empty()) {
    IssuerSearch search = find_issuer(document_signer, anchors);
    if (!search.issuer) {
      verdict.signer_trust =
          failed(search.name_matched
                     ? "the document signer's signature does not verify with the CSCA of the trust store "
                       "named as its issuer" +
                           (search.key_problem.empty() ? std::string() : " (" + search.key_problem + ")")
                     : std::string("no CSCA in the trust store issued the document signer certificate"));
      return;
    }
    if (auto problem =
            issuing_csca_problem(search.issuer->certificate.get(), document_signer, signing_time)) {
      verdict.signer_trust = failed(*problem);
      return;
    }
    chain.push_back(search.issuer);
    climb_links(anchors, chain);
  }

  Revocation revocation = check_revocation(document_signer, trust.impl());
  if (revocation.revoked) {
    verdict.signer_trust = failed("the document signer certificate is revoked (on the CRL of " +
                                  name_line(X509_get_issuer_name(document_signer)) + ")");
    return;
  }

  const TrustStore::Impl::Anchor* top = chain.back();
  verdict.csca_subject = one_line_name(X509_get_subject_name(top->certificate.get()));
  verdict.test_csca = std::any_of(chain.begin(), chain.end(), [](const auto* a) { return a->test_anchor; });
  std::string detail =
      verdict.test_csca ? "the document signer chains to a configured libcccd test CSCA (not a real issuer)"
                        : "the document signer chains to a configured CSCA";
  if (chain.size() > 1) detail += " through " + std::to_string(chain.size() - 1) + " link certificate(s)";
  detail += signing_time ? ", valid at the SOD signing time" : " (EF.SOD gives no signing time)";
  detail +=
      revocation.checked ? "; not revoked by its CSCA's CRL" : "; no CRL of its CSCA in the trust store";
  if (revocation.ignored > 0) {
    detail += "; " + std::to_string(revocation.ignored) +
              " CRL(s) bearing its CSCA's name did not verify with a CSCA of the store and were ignored";
  }
  verdict.signer_trust = {FindingStatus::passed, detail};
}

}  // namespace cccd::verification
