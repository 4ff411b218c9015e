#include "asn1/der.hpp"
#include "asn1/oids.hpp"
#include "crypto/crypto.hpp"
#include "sim/test_pki.hpp"
#include "util/bytes.hpp"

#include <cccd/error.hpp>

#include <vector>

namespace cccd::sim {
namespace {

Bytes sha256_algorithm() {
  // Parameters absent, as RFC 5754 section 2 recommends for the SHA-2 family.
  return asn1::der_sequence({asn1::der_oid(crypto::hash_oid(crypto::HashAlgorithm::sha256))});
}

Bytes attribute(const char* oid, const Bytes& value) {
  return asn1::der_sequence({asn1::der_oid(oid), asn1::der_set({value})});
}

}  // namespace

Bytes build_sod(const std::map<int, Bytes>& data_groups, const TestPki& pki, ByteView signing_time) {
  if (data_groups.empty() || data_groups.size() > 16) {
    throw Error(ErrorCode::invalid_argument, "SOD: between 1 and 16 data groups");
  }
  Bytes hashes;
  for (const auto& [number, file] : data_groups) {
    if (number < 1 || number > 16)
      throw Error(ErrorCode::invalid_argument, "SOD: data group number out of range");
    append(hashes,
           asn1::der_sequence({asn1::der_integer(static_cast<std::uint64_t>(number)),
                               asn1::der_octet_string(crypto::hash(crypto::HashAlgorithm::sha256, file))}));
  }
  const Bytes security_object =
      asn1::der_sequence({asn1::der_integer(0), sha256_algorithm(), asn1::tlv(0x30, hashes)});

  const Bytes signed_attributes = asn1::der_set_of({
      attribute(asn1::oid::kContentTypeAttribute, asn1::der_oid(asn1::oid::kLdsSecurityObject)),
      attribute(asn1::oid::kSigningTimeAttribute, Bytes(signing_time.begin(), signing_time.end())),
      attribute(asn1::oid::kMessageDigestAttribute,
                asn1::der_octet_string(crypto::hash(crypto::HashAlgorithm::sha256, security_object))),
  });
  // The signature covers the attributes encoded as a SET (RFC 5652 section 5.4); in SignerInfo they
  // stand under the implicit [0] tag.
  const Bytes signature = pki.ds_key.sign(signed_attributes);
  Bytes attributes_implicit = signed_attributes;
  attributes_implicit.front() = 0xA0;

  const Bytes signer_info = asn1::der_sequence({
      asn1::der_integer(1),
      asn1::der_sequence({pki.ds_issuer_name, pki.ds_serial}),
      sha256_algorithm(),
      attributes_implicit,
      pki.ds_key.signature_algorithm(),
      asn1::der_octet_string(signature),
  });
  const Bytes signed_data = asn1::der_sequence({
      asn1::der_integer(3),
      asn1::der_set({sha256_algorithm()}),
      asn1::der_sequence({asn1::der_oid(asn1::oid::kLdsSecurityObject),
                          asn1::tlv(0xA0, asn1::der_octet_string(security_object))}),
      asn1::tlv(0xA0, pki.ds_certificate),
      asn1::der_set({signer_info}),
  });
  const Bytes content_info =
      asn1::der_sequence({asn1::der_oid(asn1::oid::kSignedData), asn1::tlv(0xA0, signed_data)});
  return asn1::tlv(0x77, content_info);
}

}  // namespace cccd::sim
