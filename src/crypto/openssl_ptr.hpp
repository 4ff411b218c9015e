// The one way libcccd owns OpenSSL objects: std::unique_ptr with a deleter that calls the object's
// own free function, so every owner releases on every path (throw included) and no file carries its
// own deleter structs. Secrets (private scalars, nonces, points derived from them) use the
// *_clear_free variants, which wipe the memory before releasing it; the plain aliases are for public
// values only. Lives in crypto, not util, so layers below crypto stay free of OpenSSL types.
#pragma once

#include "crypto/crypto.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>

namespace cccd {

template <auto Free>
struct OpensslFree {
  template <class T>
  void operator()(T* object) const noexcept {
    Free(object);
  }
};

template <class T, auto Free>
using OpensslPtr = std::unique_ptr<T, OpensslFree<Free>>;

// Big numbers and EC points: cleared before release, they may hold private scalars.
using BnPtr = OpensslPtr<BIGNUM, &BN_clear_free>;
using EcPointPtr = OpensslPtr<EC_POINT, &EC_POINT_clear_free>;
// A big number that is public by nature (a certificate serial number): no wipe needed.
using PublicBnPtr = OpensslPtr<BIGNUM, &BN_free>;
using BnCtxPtr = OpensslPtr<BN_CTX, &BN_CTX_free>;
using EcGroupPtr = OpensslPtr<EC_GROUP, &EC_GROUP_free>;
using EcdsaSigPtr = OpensslPtr<ECDSA_SIG, &ECDSA_SIG_free>;

using EvpPkeyPtr = OpensslPtr<EVP_PKEY, &EVP_PKEY_free>;
using EvpPkeyCtxPtr = OpensslPtr<EVP_PKEY_CTX, &EVP_PKEY_CTX_free>;
using EvpMdPtr = OpensslPtr<EVP_MD, &EVP_MD_free>;
using EvpMdCtxPtr = OpensslPtr<EVP_MD_CTX, &EVP_MD_CTX_free>;
using EvpCipherPtr = OpensslPtr<EVP_CIPHER, &EVP_CIPHER_free>;
using EvpCipherCtxPtr = OpensslPtr<EVP_CIPHER_CTX, &EVP_CIPHER_CTX_free>;
using EvpMacPtr = OpensslPtr<EVP_MAC, &EVP_MAC_free>;
using EvpMacCtxPtr = OpensslPtr<EVP_MAC_CTX, &EVP_MAC_CTX_free>;

using OsslParamBldPtr = OpensslPtr<OSSL_PARAM_BLD, &OSSL_PARAM_BLD_free>;
using OsslParamPtr = OpensslPtr<OSSL_PARAM, &OSSL_PARAM_free>;

using X509Ptr = OpensslPtr<X509, &X509_free>;
using X509NamePtr = OpensslPtr<X509_NAME, &X509_NAME_free>;
using X509StorePtr = OpensslPtr<X509_STORE, &X509_STORE_free>;
using X509StoreCtxPtr = OpensslPtr<X509_STORE_CTX, &X509_STORE_CTX_free>;
using BioPtr = OpensslPtr<BIO, &BIO_free>;

namespace crypto {
// The OpenSSL digest of a hash algorithm (a static object: nothing to free).
const EVP_MD* evp_md(HashAlgorithm algorithm) noexcept;
}  // namespace crypto

}  // namespace cccd
