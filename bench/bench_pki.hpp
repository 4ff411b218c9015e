// What the benchmarks verify against: stores of thousands of CSCAs (brainpoolP256r1, P-256 and RSA-2048
// keys, a CRL each), document signers issued by some of them, and dumps signed by those signers. Made
// with the simulator's certificate builders; a generated store is written once to a folder under
// $TMPDIR and reused by later runs (generating 50 000 certificates takes a minute).
#pragma once

#include "sim/test_pki.hpp"

#include <cccd/dump.hpp>

#include <openssl/evp.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace cccd::bench {

// A folder of `count` self-signed CSCAs (keys cycling brainpoolP256r1, prime256v1, RSA-2048; a small
// pool of keys, distinct names and serials) as PEM bundles, each CSCA followed by its CRL when
// `with_crls`. Generated on first use, then reused.
std::filesystem::path csca_folder(std::size_t count, bool with_crls);

// Resident set size of this process in KiB.
long resident_kib();

// The digest an EF.SOD names by OID (its DG hash or its signature's digest), for the floors' raw
// OpenSSL work; throws std::runtime_error for one OpenSSL does not know.
const EVP_MD* digest_of(const std::string& oid);

}  // namespace cccd::bench
