#include "verify/trust_store_chain.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstring>

namespace cccd::verification {
namespace {

// Long enough for every curve name OpenSSL knows ("brainpoolP512t1").
constexpr std::size_t kMaxGroupNameLength = 64;
// An uncompressed point of a 521-bit curve is 133 bytes.
constexpr std::size_t kMaxPublicPointLength = 256;

EvpPkeyPtr shared(EVP_PKEY* key) {
  if (EVP_PKEY_up_ref(key) != 1) return nullptr;
  return EvpPkeyPtr(key);
}

}  // namespace

EvpPkeyPtr issuer_key(X509* certificate, std::string& problem) {
  EVP_PKEY* key = X509_get0_pubkey(certificate);
  if (!key) {
    ERR_clear_error();
    problem = "its public key does not decode";
    return nullptr;
  }
  if (EVP_PKEY_is_a(key, "EC") != 1) return shared(key);
  int from_explicit = 0;
  if (EVP_PKEY_get_int_param(key, OSSL_PKEY_PARAM_EC_DECODED_FROM_EXPLICIT_PARAMS, &from_explicit) != 1) {
    from_explicit = 0;
  }
  ERR_clear_error();
  if (from_explicit == 0) return shared(key);

  // Explicit parameters: OpenSSL names the group when p, a, b, G, n and h equal a built-in curve.
  std::array<char, kMaxGroupNameLength> group{};
  std::size_t group_length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                     &group_length) != 1 ||
      group_length == 0) {
    ERR_clear_error();
    problem = "its explicit EC parameters are not a named curve";
    return nullptr;
  }
  std::array<unsigned char, kMaxPublicPointLength> point{};
  std::size_t point_length = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(),
                                      &point_length) != 1) {
    ERR_clear_error();
    problem = "its EC public point cannot be read";
    return nullptr;
  }
  std::array<OSSL_PARAM, 3> params{
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group_length),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point_length),
      OSSL_PARAM_construct_end()};
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* named = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &named, EVP_PKEY_PUBLIC_KEY, params.data()) != 1) {
    ERR_clear_error();
    problem = "its EC public key does not convert to its named curve";
    return nullptr;
  }
  return EvpPkeyPtr(named);
}

std::optional<std::time_t> time_of(const ASN1_TIME* time) {
  if (!time) return std::nullopt;
  std::tm parts{};
  if (ASN1_TIME_to_tm(time, &parts) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return timegm(&parts);
}

std::string iso_time(std::time_t time) {
  std::tm parts{};
  if (!gmtime_r(&time, &parts)) return {};
  std::array<char, 32> text{};
  std::size_t length = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return std::string(text.data(), length);
}

Validity validity_at(X509* certificate, std::time_t when) {
  // X509_cmp_time: -1 when the certificate's time is before `when` (or does not parse: 0).
  int after_start = X509_cmp_time(X509_get0_notBefore(certificate), &when);
  int before_end = X509_cmp_time(X509_get0_notAfter(certificate), &when);
  ERR_clear_error();
  if (after_start >= 0) return Validity::not_yet_valid;  // notBefore > when, or unreadable
  if (before_end <= 0) return Validity::expired;         // notAfter < when, or unreadable
  return Validity::valid;
}

bool may_have_issued(X509* candidate, X509* subject) {
  if (X509_NAME_cmp(X509_get_subject_name(candidate), X509_get_issuer_name(subject)) != 0) return false;
  const ASN1_OCTET_STRING* authority = X509_get0_authority_key_id(subject);
  const ASN1_OCTET_STRING* own = X509_get0_subject_key_id(candidate);
  ERR_clear_error();
  return !authority || !own || ASN1_OCTET_STRING_cmp(authority, own) == 0;
}

bool signature_verifies(X509* subject, EVP_PKEY* key) {
  if (!key) return false;
  int result = X509_verify(subject, key);
  ERR_clear_error();
  return result == 1;
}

namespace {

// The first of `candidates` whose key verifies `subject` (skipping `subject` itself and anchors that
// could not have issued it).
template <class Candidates, class AnchorOf>
IssuerSearch first_issuer(X509* subject, const Candidates& candidates, AnchorOf anchor_of) {
  IssuerSearch search;
  for (const auto& candidate : candidates) {
    const TrustStore::Impl::Anchor& anchor = anchor_of(candidate);
    if (X509_cmp(anchor.certificate(), subject) == 0) continue;
    if (!may_have_issued(anchor.certificate(), subject)) continue;
    search.name_matched = true;
    if (!anchor.key()) {
      search.key_problem = anchor.key_problem();
      continue;
    }
    if (signature_verifies(subject, anchor.key())) {
      search.issuer = &anchor;
      return search;
    }
  }
  return search;
}

}  // namespace

IssuerSearch find_issuer(X509* subject, const std::vector<TrustStore::Impl::Anchor>& anchors) {
  return first_issuer(
      subject, anchors, [](const TrustStore::Impl::Anchor& a) -> const auto& { return a; });
}

IssuerSearch find_issuer(X509* subject, const TrustStore::Impl& store) {
  const ASN1_OCTET_STRING* authority = X509_get0_authority_key_id(subject);
  ERR_clear_error();
  return first_issuer(
      subject, store.anchors_named(X509_get_issuer_name(subject), authority),
      [](const TrustStore::Impl::Anchor* a) -> const auto& { return *a; });
}

std::string country_of(const X509_NAME* name) {
  int index = X509_NAME_get_index_by_NID(name, NID_countryName, -1);
  if (index < 0) return "??";
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  if (!value) return "??";
  int length = ASN1_STRING_length(value);
  const unsigned char* data = ASN1_STRING_get0_data(value);
  if (length < 2 || length > 3) return "??";
  std::string country;
  for (int i = 0; i < length; ++i) {
    unsigned char c = data[i];
    if (c >= 'a' && c <= 'z') c = static_cast<unsigned char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') return "??";
    country.push_back(static_cast<char>(c));
  }
  return country;
}

std::string name_line(const X509_NAME* name) {
  if (!name) return {};
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  // RFC 2253 escapes characters outside printable ASCII, so a hostile name cannot inject control bytes.
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) {
    ERR_clear_error();
    return {};
  }
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  std::string text(data, length > 0 ? static_cast<std::size_t>(length) : 0);
  if (text.size() > kMaxNameLength) text = text.substr(0, kMaxNameLength) + "...";
  return text;
}

}  // namespace cccd::verification
