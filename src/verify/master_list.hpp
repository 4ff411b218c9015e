// ICAO CSCA master lists (Doc 9303 Part 12 section 9): CMS SignedData whose eContentType is
// id-icao-cscaMasterList (2.23.136.1.1.2) and whose content is
//   CscaMasterList ::= SEQUENCE { version CscaMasterListVersion (v0), certList SET OF Certificate }
// signed by a master list signer whose certificate travels in the SignedData and is issued by a CSCA.
#pragma once

#include "verify/trust_store_impl.hpp"

#include <cccd/bytes.hpp>

#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace cccd::verification {

// A master list file is at most this large (ICAO's own list is a few MiB).
inline constexpr std::size_t kMaxMasterListSize = 32 * 1024 * 1024;
// And lists at most this many certificates.
inline constexpr std::size_t kMaxMasterListCertificates = 20000;

inline constexpr const char* kCscaMasterListOid = "2.23.136.1.1.2";

// Whether `data` is DER ContentInfo { signedData, SignedData { ..., encapContentInfo { eContentType
// id-icao-cscaMasterList ... } } }, read far enough to tell (nothing is verified).
bool looks_like_master_list(ByteView data);

struct MasterList {
  std::vector<X509Ptr> certificates;  // certList, in list order
  X509Ptr signer;
  std::optional<std::time_t> signing_time;  // the signingTime attribute
};

// Parses and verifies a master list: exactly one SignerInfo with signed attributes; its certificate in
// SignedData.certificates; contentType attribute = eContentType; messageDigest = the digest of the
// content; the signature over the signed attributes; the signer valid at the signing time (else at
// `now`) and issued by one of `roots` (each root valid when the signer was issued), or one of the roots
// itself. Throws Error(crypto) naming the failed check, Error(malformed_data) for a structure that does
// not parse, Error(limit_exceeded) beyond the bounds above. Nothing in it is trusted before it returns.
MasterList open_master_list(ByteView data, const std::vector<TrustStore::Impl::Anchor>& roots,
                            std::time_t now);

}  // namespace cccd::verification
