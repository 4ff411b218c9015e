// Which certificate of EF.SOD's SignedData the SignerInfo names. Real issuers encode the issuer name of
// issuerAndSerialNumber differently from the DS certificate's own issuer field (RDN order, PrintableString
// against UTF8String, letter case, spaces), so names are compared in a canonical form, not byte for byte.
#pragma once

#include "crypto/openssl_ptr.hpp"
#include "lds/sod.hpp"

#include <openssl/x509.h>

#include <optional>
#include <vector>

namespace cccd::verification {

// Whether two names hold the same attributes with the same values once canonicalised: every RDN
// attribute as (type OID, value as UTF-8 with ASCII letters lower-cased and runs of white space made one
// space, trimmed), compared as a sorted list, so neither RDN order nor string type nor case matters.
bool names_equal_canonically(const X509_NAME* a, const X509_NAME* b);

// The index in `certificates` of the one the SignerInfo's sid names: issuerAndSerialNumber (serial equal
// and issuer equal canonically) or subjectKeyIdentifier (equal to the certificate's extension). Nothing
// when none matches; the caller may then look for the certificate whose key verifies the signature.
std::optional<std::size_t> certificate_named_by_signer_info(const lds::SecurityObject& sod,
                                                            const std::vector<X509*>& certificates);

}  // namespace cccd::verification
