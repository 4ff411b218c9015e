#include "crypto/subject_public_key.hpp"

#include "asn1/tlv.hpp"

#include <cccd/error.hpp>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace cccd::crypto {
namespace {

constexpr asn1::Tag kSequence = 0x30, kInteger = 0x02, kBitString = 0x03, kNull = 0x05, kOid = 0x06;

// The DER contents of the two algorithm identifiers handled here.
constexpr std::array<unsigned char, 9> kRsaEncryption{0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01};
constexpr std::array<unsigned char, 7> kEcPublicKey{0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01};

template <std::size_t N>
bool equals(ByteView value, const std::array<unsigned char, N>& expected) {
  return value.size() == N && std::equal(value.begin(), value.end(), expected.begin());
}

// A positive INTEGER in minimal DER (what OpenSSL's own decoding would read the same way); others are
// left to it.
bool positive_minimal(ByteView value) {
  if (value.empty() || (value[0] & 0x80) != 0) return false;
  if (value[0] == 0 && (value.size() == 1 || (value[1] & 0x80) == 0)) return false;
  return true;
}

EvpPkeyPtr rsa_key(ByteView public_key) {
  asn1::TlvReader numbers(asn1::parse_one(public_key, kSequence).value);
  const ByteView modulus = numbers.expect(kInteger).value;
  const ByteView exponent = numbers.expect(kInteger).value;
  numbers.expect_end();
  if (!positive_minimal(modulus) || !positive_minimal(exponent)) return nullptr;
  PublicBnPtr n(BN_bin2bn(modulus.data(), static_cast<int>(modulus.size()), nullptr));
  PublicBnPtr e(BN_bin2bn(exponent.data(), static_cast<int>(exponent.size()), nullptr));
  OsslParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!n || !e || !builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
    return nullptr;
  OsslParamPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  EvpPkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return nullptr;
  return EvpPkeyPtr(key);
}

// A parameters-only key of each named curve met, made once: copying its parameters into a new key
// costs a third of building the curve again from its name. Read-only once made (OpenSSL allows
// concurrent reads of an EVP_PKEY), never freed before exit.
const EVP_PKEY* curve_template(int nid) {
  static std::mutex guard;
  static std::unordered_map<int, EvpPkeyPtr> templates;
  std::lock_guard lock(guard);
  auto found = templates.find(nid);
  if (found != templates.end()) return found->second.get();
  const char* name = OBJ_nid2sn(nid);
  EvpPkeyCtxPtr context(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  std::array<OSSL_PARAM, 2> params{
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(name), 0),
      OSSL_PARAM_construct_end()};
  EVP_PKEY* made = nullptr;
  if (!name || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &made, EVP_PKEY_KEY_PARAMETERS, params.data()) != 1)
    return nullptr;  // a curve the provider does not know: not remembered, OpenSSL's decoding decides
  return templates.emplace(nid, EvpPkeyPtr(made)).first->second.get();
}

EvpPkeyPtr ec_key(const asn1::Tlv& curve, ByteView point) {
  const unsigned char* cursor = curve.encoded.data();
  OpensslPtr<ASN1_OBJECT, &ASN1_OBJECT_free> object(
      d2i_ASN1_OBJECT(nullptr, &cursor, static_cast<long>(curve.encoded.size())));
  const int nid = object ? OBJ_obj2nid(object.get()) : NID_undef;
  if (nid == NID_undef) return nullptr;
  // Compressed or uncompressed; the point at infinity (00) is no key.
  if (point.empty() || (point[0] != 0x02 && point[0] != 0x03 && point[0] != 0x04)) return nullptr;
  const EVP_PKEY* parameters = curve_template(nid);
  EvpPkeyPtr key(EVP_PKEY_new());
  if (!parameters || !key || EVP_PKEY_copy_parameters(key.get(), parameters) != 1 ||
      EVP_PKEY_set1_encoded_public_key(key.get(), point.data(), point.size()) != 1)  // checks the curve
    return nullptr;
  return key;
}

}  // namespace

EvpPkeyPtr named_public_key(ByteView subject_public_key_info) {
  EvpPkeyPtr key;
  try {
    asn1::TlvReader info(asn1::parse_one(subject_public_key_info, kSequence).value);
    asn1::TlvReader algorithm(info.expect(kSequence).value);
    const ByteView bits = info.expect(kBitString).value;
    info.expect_end();
    const ByteView oid = algorithm.expect(kOid).value;
    if (bits.empty() || bits[0] != 0) return nullptr;  // a key is a whole number of bytes
    const ByteView public_key = bits.subspan(1);
    if (equals(oid, kRsaEncryption)) {
      const std::optional<asn1::Tlv> null = algorithm.next_if(kNull);  // NULL or absent
      algorithm.expect_end();
      if (null && !null->value.empty()) return nullptr;
      key = rsa_key(public_key);
    } else if (equals(oid, kEcPublicKey)) {
      const asn1::Tlv curve = algorithm.expect(kOid);
      algorithm.expect_end();
      key = ec_key(curve, public_key);
    }
  } catch (const Error&) {
    key.reset();
  }
  ERR_clear_error();
  return key;
}

}  // namespace cccd::crypto
