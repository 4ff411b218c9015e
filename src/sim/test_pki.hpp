// The test PKI of generated virtual cards: a self-signed CSCA and a Document Signer certificate signed by
// it, with keys derived from the generator's seed and deterministic signatures, so the same seed gives
// the same certificates byte for byte. Clearly labelled as a test authority in every certificate.
#pragma once

#include "crypto/openssl_ptr.hpp"
#include "sim/generator.hpp"
#include "util/secure_bytes.hpp"

#include <cccd/bytes.hpp>

#include <openssl/types.h>

#include <cstdint>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cccd::sim {

// A private key of the test PKI and the deterministic SHA-256 signatures it makes.
class TestKey {
 public:
  // The key derived from (seed, label): ECDSA on brainpoolP256r1 (scalar = SHA-256-expanded seed mod
  // n) or RSA-2048 (primes found by a deterministic search from the expanded seed, e = 65537).
  static TestKey derive(SignerAlgorithm algorithm, std::uint64_t seed, std::string_view label);

  SignerAlgorithm algorithm() const noexcept { return algorithm_; }
  EVP_PKEY* pkey() const noexcept { return key_.get(); }
  Bytes subject_public_key_info() const;  // DER SubjectPublicKeyInfo
  // The AlgorithmIdentifier of this key's signatures: ecdsa-with-SHA256 (no parameters) or
  // sha256WithRSAEncryption (NULL parameters).
  Bytes signature_algorithm() const;
  // Signs SHA-256(message): a DER Ecdsa-Sig-Value with the RFC 6979 nonce, or PKCS#1 v1.5 (which is
  // deterministic by itself).
  Bytes sign(ByteView message) const;

 private:
  TestKey(SignerAlgorithm algorithm, EvpPkeyPtr key, SecureBytes ec_scalar)
      : algorithm_(algorithm), key_(std::move(key)), ec_scalar_(std::move(ec_scalar)) {}

  SignerAlgorithm algorithm_;
  EvpPkeyPtr key_;
  SecureBytes ec_scalar_;  // the EC private scalar (empty for RSA)
};

struct TestPki {
  TestKey csca_key;
  TestKey ds_key;
  Bytes csca_certificate;  // DER
  Bytes ds_certificate;    // DER
  Bytes ds_issuer_name;    // DER Name of the DS's issuer (the CSCA subject), for issuerAndSerialNumber
  Bytes ds_serial;         // DER INTEGER serial number of the DS certificate
};

// CSCA: CN "libcccd TEST CSCA <seed>", valid 2020-01-01 to 2045-01-01, CA, keyCertSign and cRLSign.
// DS: CN "libcccd TEST DS <seed>", valid 2021-01-01 to 2036-01-01, digitalSignature.
TestPki make_test_pki(SignerAlgorithm algorithm, std::uint64_t seed);

// Other validity periods and key encodings, for the trust store's tests (expired CSCAs, explicit EC
// parameters as real CSCA certificates carry them). Dates are {year, month, day} at 00:00:00 UTC.
struct TestPkiOptions {
  struct Date {
    int year = 2020;
    int month = 1;
    int day = 1;
  };
  Date csca_not_before{2020, 1, 1};
  Date csca_not_after{2045, 1, 1};
  Date ds_not_before{2021, 1, 1};
  Date ds_not_after{2036, 1, 1};
  // The CSCA certificate's EC key as explicit ECParameters rather than the named curve's OID.
  bool csca_explicit_ec_parameters = false;
};
TestPki make_test_pki(SignerAlgorithm algorithm, std::uint64_t seed, const TestPkiOptions& options);

// EF.SOD (ICAO 9303 Part 10 section 4.6.2): 77 { ContentInfo signedData { SignedData v3 with the
// LDSSecurityObject V0 of the SHA-256 hashes of `data_groups` (number -> file), the DS certificate and
// one SignerInfo v1 (issuerAndSerialNumber, signed attributes contentType, signingTime, messageDigest)
// signed by the DS key } }. `signing_time` is a DER UTCTime or GeneralizedTime (der_time).
Bytes build_sod(const std::map<int, Bytes>& data_groups, const TestPki& pki, ByteView signing_time);

// PEM text ("-----BEGIN CERTIFICATE-----") of a DER certificate.
std::string certificate_pem(ByteView der);

// ASN.1 time of a UTC calendar date at 00:00:00: UTCTime for 1950-2049, GeneralizedTime otherwise
// (RFC 5280 section 4.1.2.5).
Bytes der_time(int year, int month, int day);

}  // namespace cccd::sim

namespace cccd::sim {

// Certificates, CRLs and master lists made with OpenSSL's own builders for the trust store's tests:
// random keys (not deterministic), every algorithm real CSCAs use, and shapes the virtual card never
// needs (link certificates, explicit EC parameters, RSASSA-PSS). Times are seconds since the epoch.
struct IssuedCertificate {
  EvpPkeyPtr key;  // private
  X509Ptr certificate;
  Bytes der() const;
};

struct CertificateProfile {
  std::string common_name;
  std::string country = "VN";
  std::string key_type = "EC";                    // "EC" or "RSA"
  std::string key_parameter = "brainpoolP256r1";  // the curve, or the RSA modulus bits ("2048")
  bool explicit_ec_parameters = false;            // the key written as explicit ECParameters
  bool ca = true;                                 // CA with keyCertSign and cRLSign, or digitalSignature only
  long serial = 1;
  std::time_t not_before = 0;
  std::time_t not_after = 0;
  bool rsa_pss = false;  // the issuer signs with RSASSA-PSS (SHA-256, MGF1 SHA-256, salt 32)
  std::string digest = "SHA256";
};

// Self-signed when `issuer` is null. `key` is used as the subject's key when given (a link certificate
// certifies an existing CSCA key); a fresh one is made otherwise.
IssuedCertificate issue_test_certificate(const CertificateProfile& profile, const IssuedCertificate* issuer,
                                         EVP_PKEY* key = nullptr);

// A v2 CRL by `issuer_certificate` (DER) signed with `issuer_key`, revoking the certificates given
// (DER), valid from `this_update` for 30 days.
Bytes make_test_crl(EVP_PKEY* issuer_key, ByteView issuer_certificate, const std::vector<Bytes>& revoked,
                    std::time_t this_update);

// An ICAO CSCA master list: CMS SignedData of id-icao-cscaMasterList over CscaMasterList { version,
// certList = `certificates` (DER) }, signed (SHA-256, with signingTime) by `signer`, whose certificate
// it carries. `version` other than 0 and `econtent_type` other than 2.23.136.1.1.2 make broken lists.
Bytes make_test_master_list(const std::vector<Bytes>& certificates, const IssuedCertificate& signer,
                            bool rsa_pss = false, int version = 0,
                            const std::string& econtent_type = "2.23.136.1.1.2");

}  // namespace cccd::sim
