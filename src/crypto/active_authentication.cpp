#include "crypto/active_authentication.hpp"

#include "crypto/subject_public_key.hpp"

#include "asn1/tlv.hpp"
#include "util/bytes.hpp"

#include <cccd/error.hpp>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rsa.h>

#include <climits>

namespace cccd::crypto {
namespace {

constexpr std::uint8_t kDg15Tag = 0x6F;

[[noreturn]] void does_not_verify(const std::string& why) {
  throw Error(ErrorCode::crypto, "Active Authentication: " + why);
}

[[noreturn]] void unsupported(const std::string& what) {
  throw Error(ErrorCode::not_supported, "Active Authentication: " + what);
}

struct HashIdentifier {
  std::uint8_t id;
  HashAlgorithm hash;
};
// ISO/IEC 10118-3 hash function identifiers as ISO/IEC 9796-2 carries them in the trailer.
constexpr HashIdentifier kHashIdentifiers[] = {
    {0x33, HashAlgorithm::sha1},   {0x34, HashAlgorithm::sha256}, {0x35, HashAlgorithm::sha512},
    {0x36, HashAlgorithm::sha384}, {0x38, HashAlgorithm::sha224},
};

struct SignatureOid {
  const char* oid;
  HashAlgorithm hash;
};
constexpr SignatureOid kEcdsaOids[] = {
    {"1.2.840.10045.4.1", HashAlgorithm::sha1},          // ecdsa-with-SHA1
    {"1.2.840.10045.4.3.1", HashAlgorithm::sha224},      // ecdsa-with-SHA224
    {"1.2.840.10045.4.3.2", HashAlgorithm::sha256},      // ecdsa-with-SHA256
    {"1.2.840.10045.4.3.3", HashAlgorithm::sha384},      // ecdsa-with-SHA384
    {"1.2.840.10045.4.3.4", HashAlgorithm::sha512},      // ecdsa-with-SHA512
    {"0.4.0.127.0.7.1.1.4.1.1", HashAlgorithm::sha1},    // ecdsa-plain-SHA1
    {"0.4.0.127.0.7.1.1.4.1.2", HashAlgorithm::sha224},  // ecdsa-plain-SHA224
    {"0.4.0.127.0.7.1.1.4.1.3", HashAlgorithm::sha256},  // ecdsa-plain-SHA256
    {"0.4.0.127.0.7.1.1.4.1.4", HashAlgorithm::sha384},  // ecdsa-plain-SHA384
    {"0.4.0.127.0.7.1.1.4.1.5", HashAlgorithm::sha512},  // ecdsa-plain-SHA512
};

std::size_t ec_order_bits(EVP_PKEY* key) {
  BIGNUM* order = nullptr;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_ORDER, &order) != 1 || order == nullptr) {
    ERR_clear_error();
    throw Error(ErrorCode::malformed_data, "DG15: the EC key has no usable curve");
  }
  PublicBnPtr owned(order);
  return static_cast<std::size_t>(BN_num_bits(owned.get()));
}

Bytes rsa_public_operation(const AaPublicKey& key, ByteView signature) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.key.get(), nullptr));
  if (!ctx) throw Error(ErrorCode::crypto, "Active Authentication: OpenSSL cannot set up RSA");
  if (EVP_PKEY_verify_recover_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_NO_PADDING) != 1) {
    ERR_clear_error();
    throw Error(ErrorCode::crypto, "Active Authentication: OpenSSL cannot set up raw RSA");
  }
  Bytes recovered(key.signature_length);
  std::size_t length = recovered.size();
  if (EVP_PKEY_verify_recover(ctx.get(), recovered.data(), &length, signature.data(), signature.size()) !=
      1) {
    ERR_clear_error();  // the signature is not below the modulus
    does_not_verify("the RSA signature is not a number below the modulus");
  }
  if (length > recovered.size()) does_not_verify("the RSA signature opens to a value of the wrong size");
  // Left-pad to |n| bytes: the representative is a number below n.
  Bytes padded(recovered.size() - length, 0);
  padded.insert(padded.end(), recovered.begin(), recovered.begin() + static_cast<std::ptrdiff_t>(length));
  return padded;
}

void verify_rsa(const AaPublicKey& key, ByteView challenge, ByteView signature) {
  if (signature.size() != key.signature_length) {
    does_not_verify("the signature is " + std::to_string(signature.size()) + " bytes, the " +
                    key.description() + " key makes " + std::to_string(key.signature_length));
  }
  const Bytes f = rsa_public_operation(key, signature);
  const std::size_t k = f.size();
  if (f[0] != kIso9796PartialRecoveryHeader) {
    // A wrong key opens to random bytes; a full-recovery header (4x) would not bind the challenge.
    does_not_verify("ISO/IEC 9796-2: the header is not 6A (partial recovery): not signed with DG15's key");
  }
  HashAlgorithm hash = HashAlgorithm::sha1;
  std::size_t trailer_length = 1;
  if (f[k - 1] == kIso9796ImplicitTrailer) {
    hash = HashAlgorithm::sha1;
  } else if (f[k - 1] == kIso9796ExplicitTrailer) {
    trailer_length = 2;
    bool known = false;
    for (const HashIdentifier& entry : kHashIdentifiers) {
      if (entry.id == f[k - 2]) {
        hash = entry.hash;
        known = true;
      }
    }
    if (!known) does_not_verify("ISO/IEC 9796-2: the trailer names an unknown hash function");
  } else {
    does_not_verify("ISO/IEC 9796-2: the trailer is neither BC nor xx CC");
  }
  const std::size_t hash_length = hash_size(hash);
  if (k < 1 + hash_length + trailer_length + 1) {
    does_not_verify("ISO/IEC 9796-2: the key is too short for the hash and leaves no message M1");
  }
  const std::size_t m1_length = k - 1 - hash_length - trailer_length;
  ByteView m1 = ByteView(f).subspan(1, m1_length);
  ByteView recovered_hash = ByteView(f).subspan(1 + m1_length, hash_length);
  Bytes message(m1.begin(), m1.end());
  append(message, challenge);
  const Bytes expected = crypto::hash(hash, message);
  if (!equal_constant_time(expected, recovered_hash)) {
    does_not_verify("ISO/IEC 9796-2: the " + std::string(hash_name(hash)) +
                    " hash does not match the message and the challenge");
  }
}

void verify_ecdsa(const AaPublicKey& key, std::optional<HashAlgorithm> hash, ByteView challenge,
                  ByteView signature) {
  if (!hash) unsupported("DG14 names no ECDSA hash (no ActiveAuthenticationInfo with a known algorithm)");
  if (signature.size() != key.signature_length) {
    does_not_verify("the ECDSA signature is " + std::to_string(signature.size()) +
                    " bytes, plain r || s on a " + std::to_string(key.bits) + "-bit curve is " +
                    std::to_string(key.signature_length));
  }
  const std::size_t half = signature.size() / 2;
  PublicBnPtr r(BN_bin2bn(signature.data(), static_cast<int>(half), nullptr));
  PublicBnPtr s(BN_bin2bn(signature.data() + half, static_cast<int>(half), nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    throw Error(ErrorCode::crypto, "Active Authentication: out of memory");
  }
  (void)r.release();  // owned by sig now
  (void)s.release();
  unsigned char* der = nullptr;
  const int der_length = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_length <= 0) throw Error(ErrorCode::crypto, "Active Authentication: cannot encode the signature");
  Bytes der_signature(der, der + der_length);
  OPENSSL_free(der);

  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, evp_md(*hash), nullptr, key.key.get()) != 1) {
    ERR_clear_error();
    throw Error(ErrorCode::crypto, "Active Authentication: OpenSSL cannot set up ECDSA");
  }
  const int result = EVP_DigestVerify(ctx.get(), der_signature.data(), der_signature.size(), challenge.data(),
                                      challenge.size());
  ERR_clear_error();
  if (result != 1) does_not_verify("the ECDSA signature does not verify over the challenge");
}

}  // namespace

std::string AaPublicKey::description() const {
  if (kind == AaKeyKind::rsa) return "RSA-" + std::to_string(bits);
  if (!curve.empty()) return "ECDSA " + curve;
  return "ECDSA (" + std::to_string(bits) + "-bit curve)";
}

AaPublicKey aa_public_key_from_spki(ByteView spki) {
  if (spki.size() > static_cast<std::size_t>(LONG_MAX))
    throw Error(ErrorCode::malformed_data, "DG15: too long");
  // Every card has its own key: built from its numbers where it can be (about 100 µs less than
  // OpenSSL's decoders, a fifth of an RSA card's verification), decoded by OpenSSL otherwise.
  EvpPkeyPtr key = named_public_key(spki);
  if (!key) {
    const unsigned char* cursor = spki.data();
    key.reset(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(spki.size())));
    ERR_clear_error();
    if (!key || cursor != spki.data() + spki.size()) {
      throw Error(ErrorCode::malformed_data, "DG15: the SubjectPublicKeyInfo does not parse");
    }
  }
  AaPublicKey out;
  if (EVP_PKEY_is_a(key.get(), "RSA")) {
    out.kind = AaKeyKind::rsa;
    out.bits = static_cast<std::size_t>(EVP_PKEY_get_bits(key.get()));
    if (out.bits < kMinAaRsaBits || out.bits > kMaxAaRsaBits || out.bits % 8 != 0) {
      unsupported("an RSA modulus of " + std::to_string(out.bits) +
                  " bits (1024 to 4096, whole bytes, are supported)");
    }
    out.signature_length = out.bits / 8;
  } else if (EVP_PKEY_is_a(key.get(), "EC")) {
    out.kind = AaKeyKind::ecdsa;
    out.bits = ec_order_bits(key.get());
    char name[64] = {};
    std::size_t length = 0;
    if (EVP_PKEY_get_group_name(key.get(), name, sizeof(name), &length) == 1 && length < sizeof(name)) {
      out.curve.assign(name, length);
    }
    ERR_clear_error();
    out.signature_length = 2 * ((out.bits + 7) / 8);
  } else {
    unsupported("DG15 holds a key that is neither RSA nor EC");
  }
  out.key = std::move(key);
  return out;
}

AaPublicKey parse_dg15(ByteView dg15) {
  asn1::Tlv file = asn1::parse_first(dg15);
  if (file.tag != kDg15Tag)
    throw Error(ErrorCode::malformed_data, "DG15: the file does not start with tag 6F");
  asn1::TlvReader reader(file.value);
  asn1::Tlv spki = reader.expect(0x30);
  reader.expect_end();
  return aa_public_key_from_spki(spki.encoded);
}

std::optional<HashAlgorithm> aa_ecdsa_hash(std::string_view oid) noexcept {
  for (const SignatureOid& entry : kEcdsaOids) {
    if (oid == entry.oid) return entry.hash;
  }
  return std::nullopt;
}

void verify_active_authentication(const AaPublicKey& key, std::optional<HashAlgorithm> ecdsa_hash,
                                  ByteView challenge, ByteView signature) {
  if (!key.key) throw Error(ErrorCode::invalid_argument, "Active Authentication: no key");
  if (key.kind == AaKeyKind::rsa) {
    verify_rsa(key, challenge, signature);
  } else {
    verify_ecdsa(key, ecdsa_hash, challenge, signature);
  }
}

std::uint8_t iso9796_hash_identifier(HashAlgorithm hash) noexcept {
  for (const HashIdentifier& entry : kHashIdentifiers) {
    if (entry.hash == hash) return entry.id;
  }
  return 0;
}

std::size_t iso9796_m1_length(std::size_t modulus_bytes, HashAlgorithm hash, bool implicit_trailer) {
  const std::size_t overhead = 1 + hash_size(hash) + (implicit_trailer ? 1 : 2);
  if (modulus_bytes < overhead + 1) {
    throw Error(ErrorCode::invalid_argument, "ISO/IEC 9796-2: the modulus is too short for the hash");
  }
  return modulus_bytes - overhead;
}

Bytes iso9796_representative(std::size_t modulus_bytes, HashAlgorithm hash, bool implicit_trailer,
                             ByteView m1, ByteView challenge) {
  if (implicit_trailer && hash != HashAlgorithm::sha1) {
    throw Error(ErrorCode::invalid_argument, "ISO/IEC 9796-2: the trailer BC means SHA-1");
  }
  if (m1.size() != iso9796_m1_length(modulus_bytes, hash, implicit_trailer)) {
    throw Error(ErrorCode::invalid_argument, "ISO/IEC 9796-2: M1 has the wrong length");
  }
  Bytes message(m1.begin(), m1.end());
  append(message, challenge);
  Bytes out;
  out.reserve(modulus_bytes);
  out.push_back(kIso9796PartialRecoveryHeader);
  append(out, m1);
  append(out, crypto::hash(hash, message));
  if (implicit_trailer) {
    out.push_back(kIso9796ImplicitTrailer);
  } else {
    out.push_back(iso9796_hash_identifier(hash));
    out.push_back(kIso9796ExplicitTrailer);
  }
  return out;
}

}  // namespace cccd::crypto
