// Signature schemes of EF.SOD (ECDSA, RSA PKCS#1 v1.5, RSASSA-PSS) and their verification with
// OpenSSL's EVP_DigestVerify.
#pragma once

#include "crypto/crypto.hpp"
#include "crypto/openssl_ptr.hpp"

#include <cccd/bytes.hpp>

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace cccd::verification {

struct SignatureScheme {
  enum class Kind { ecdsa, rsa_pkcs1, rsa_pss };
  Kind kind = Kind::ecdsa;
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::sha256;
  // ECDSA: the signature is r || s (BSI TR-03111 "plain" OIDs) rather than a DER Ecdsa-Sig-Value.
  bool plain_ecdsa = false;
  // RSASSA-PSS parameters (RFC 4055 section 3.1; trailer field 1 is the only one allowed).
  crypto::HashAlgorithm mgf1_hash = crypto::HashAlgorithm::sha1;
  int salt_length = 20;

  // "ecdsa-with-SHA256", "sha256WithRSAEncryption", "RSASSA-PSS (SHA-256, MGF1 SHA-256, salt 32)".
  std::string name() const;
};

// The scheme of a CMS signatureAlgorithm (dotted OID and the DER of its parameters, empty when absent).
// id-ecPublicKey and rsaEncryption name no hash: the SignerInfo digestAlgorithm gives it.
// Throws Error(not_supported) for an algorithm or hash this library does not verify, and
// Error(malformed_data) for broken RSASSA-PSS parameters.
SignatureScheme signature_scheme(std::string_view algorithm_oid, ByteView parameters,
                                 std::string_view digest_algorithm_oid);

// True when `signature` over `message` verifies with `key` under `scheme`, false when it does not
// (including a signature that is not even well formed). Throws Error(crypto) when the key does not fit
// the scheme (an RSA key with an ECDSA scheme) or OpenSSL cannot set up the verification.
bool verify_signature(EVP_PKEY* key, const SignatureScheme& scheme, ByteView message, ByteView signature);

}  // namespace cccd::verification
