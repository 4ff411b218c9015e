#include "verify/signer_match.hpp"

#include "util/bytes.hpp"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <string>
#include <utility>

namespace cccd::verification {
namespace {

using CanonicalName = std::vector<std::pair<std::string, std::string>>;

// Names longer than this are no real issuer's (and would only cost time to compare).
constexpr int kMaxNameEntries = 32;

std::string canonical_value(const ASN1_STRING* value) {
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) {
    ERR_clear_error();
    return std::string("\x01unreadable");  // never equal to a readable value
  }
  std::string text(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

std::optional<CanonicalName> canonical(const X509_NAME* name) {
  int count = X509_NAME_entry_count(name);
  if (count < 0 || count > kMaxNameEntries) return std::nullopt;
  CanonicalName entries;
  for (int i = 0; i < count; ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    char oid[80];
    if (OBJ_obj2txt(oid, sizeof oid, X509_NAME_ENTRY_get_object(entry), 1) <= 0) {
      ERR_clear_error();
      return std::nullopt;
    }
    entries.emplace_back(oid, canonical_value(X509_NAME_ENTRY_get_data(entry)));
  }
  std::sort(entries.begin(), entries.end());
  return entries;
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
  if (!issuer) return false;
  const X509_NAME* own = X509_get_issuer_name(cert);
  return X509_NAME_cmp(issuer.get(), own) == 0 || names_equal_canonically(issuer.get(), own);
}

bool key_id_matches(X509* cert, ByteView key_id) {
  const ASN1_OCTET_STRING* skid = X509_get0_subject_key_id(cert);
  ERR_clear_error();
  if (!skid) return false;
  ByteView own(ASN1_STRING_get0_data(skid), static_cast<std::size_t>(ASN1_STRING_length(skid)));
  return equal_constant_time(own, key_id);
}

}  // namespace

bool names_equal_canonically(const X509_NAME* a, const X509_NAME* b) {
  std::optional<CanonicalName> left = canonical(a);
  std::optional<CanonicalName> right = canonical(b);
  return left && right && !left->empty() && *left == *right;
}

std::optional<std::size_t> certificate_named_by_signer_info(const lds::SecurityObject& sod,
                                                            const std::vector<X509*>& certificates) {
  bool by_issuer = !sod.signer_issuer_der.empty() && !sod.signer_serial.empty();
  bool by_key_id = !sod.signer_subject_key_id.empty();
  for (std::size_t i = 0; i < certificates.size(); ++i) {
    X509* cert = certificates[i];
    if (by_issuer && serial_matches(cert, sod.signer_serial) && issuer_matches(cert, sod.signer_issuer_der))
      return i;
    if (by_key_id && key_id_matches(cert, sod.signer_subject_key_id)) return i;
  }
  return std::nullopt;
}

}  // namespace cccd::verification
