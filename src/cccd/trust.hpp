// The trust store: CSCA certificates a document signer must chain to, the CRLs of those CSCAs, and the
// roots that may vouch for ICAO CSCA master lists.
//
// Validity policy (docs/trust.md), applied by verify() to the document signer (DS) of an EF.SOD:
//   - the DS must chain to a certificate of the store: the CSCA that signed it (name, key identifiers
//     and signature), which is itself trusted; a CSCA link certificate in the store is such an anchor,
//     and the chain is followed up through the store to the CSCA that signed the link.
//   - the signing time is the SOD's signingTime attribute when present. The DS must have been valid at
//     that time; each CSCA of the chain must have been valid when the certificate below it was issued
//     (its notBefore) and at the signing time. A signing time more than a day after "now" fails.
//   - "now" is VerifyOptions::at, else the clock. An expired DS at verification time is NOT a failure:
//     DS keys sign for months and the documents they signed stay valid for up to 10 years. Without a
//     signingTime, the DS only has to be valid already (its notBefore not after now).
//   - a DS listed on a CRL of its CSCA fails ("revoked"), whenever it was revoked. A CRL counts only when
//     its signature verifies with a CSCA of the store that has the CRL's issuer name; one that does not
//     is ignored, and the finding says so. CRL nextUpdate is not enforced (offline verification).
//   - an empty store gives signer trust `unknown`; a non-empty store in which no CSCA issued the DS gives
//     `failed` ("no CSCA in the trust store issued the document signer certificate").
//
// Threading: a TrustStore may be used by any number of threads at once, verifications and adds alike.
// Each verification works on one immutable snapshot of the store, taken when it starts; an add builds
// the next snapshot beside it and publishes it atomically, so a verification sees the store as it was
// before an add or after it, never half of it, and certificates are never freed under a reader. Adds
// are serialised with each other. What changed in the store reaches only verifications that start
// after the add returned. Moving or destroying the store itself still needs every other use to have
// ended (as for any object).
//
// Cost: CSCAs and link certificates are indexed by subject name (canonical form) and key identifier,
// duplicates by SHA-256; CRLs are verified once, when added (or when the CSCA that signed them is), and
// found by issuer name; a verification costs the same with 1 or 50 000 CSCAs. An add copies the index
// (a vector of pointers): load a folder or bundle in one add_path rather than certificate by
// certificate when the store is large (docs/PERFORMANCE.md).
#pragma once

#include <cccd/bytes.hpp>

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cccd {

class TrustStore {
 public:
  TrustStore();
  ~TrustStore();
  TrustStore(TrustStore&&) noexcept;
  TrustStore& operator=(TrustStore&&) noexcept;

  // A PEM file (certificates, and CRLs, which are added as CRLs), a DER certificate, a DER CRL, a DER
  // ICAO CSCA master list, or a folder of them (not recursive; files that are none of these are
  // skipped). A master list (recognised by its content: CMS SignedData of id-icao-cscaMasterList) is
  // accepted only when its signer chains to a root given before with add_master_list_roots: without
  // roots it throws Error(invalid_argument), and one that does not verify throws as add_master_list,
  // in a folder too. Throws Error(io) or Error(malformed_data) for a named file that holds none of these.
  // Returns the number of certificates added (CRLs are not counted). Every add is all or nothing: one
  // that throws (a folder whose master list does not verify included) leaves the store as it was.
  std::size_t add_path(const std::filesystem::path& path, bool test_anchor = false);
  // One certificate in DER or PEM. `test_anchor` marks libcccd's virtual-card test CSCAs so the verdict
  // can say that trust rests on a test certificate.
  void add_certificate(ByteView der_or_pem, bool test_anchor = false);

  // Certificates (PEM/DER files or a folder) that may sign CSCA master lists, for add_path. They only
  // vouch for master lists: they are not CSCAs. Returns the number added.
  std::size_t add_master_list_roots(const std::filesystem::path& path);

  // An ICAO CSCA master list (Doc 9303 Part 12: CMS SignedData, eContentType 2.23.136.1.1.2, content
  // CscaMasterList): checks the CMS signature with the signer certificate it carries and that the
  // signer chains to one of `roots` (certificate files or folders), then adds every certificate of the
  // list. A list that is altered, whose signer chains to none of the roots, or that does not parse adds
  // nothing and throws Error(crypto) (signature, digest, chain) or Error(malformed_data) (structure),
  // with a message that says which. Returns the number of certificates added (new to the store).
  std::size_t add_master_list(const std::filesystem::path& path,
                              const std::vector<std::filesystem::path>& roots);

  // The same from memory: the list's DER bytes, and the root certificate(s) as PEM or DER bytes (no file is
  // read; the summary names the source "master list (memory)").
  std::size_t add_master_list_bytes(ByteView list, ByteView roots_pem_or_der);

  // A CRL file: DER, or PEM with one or more "X509 CRL" blocks. Throws Error(io), or
  // Error(malformed_data) when it holds no CRL. Returns the number of CRLs added.
  std::size_t add_crl(const std::filesystem::path& path);
  void add_crl_data(ByteView der_or_pem);

  std::size_t size() const noexcept;  // CSCA certificates (anchors)
  bool empty() const noexcept { return size() == 0; }

  struct MasterListInfo {
    std::string source;            // the file name (no folder)
    std::string signer;            // subject of the list's signer certificate (an authority)
    std::string signing_time;      // "2026-07-23T09:35:43Z", empty when the list has no signingTime
    std::size_t certificates = 0;  // in the list
    std::size_t added = 0;         // of them new to the store
  };
  struct CrlInfo {
    std::string issuer;
    std::size_t revoked = 0;  // entries
    std::string this_update;  // ISO 8601 UTC
    std::string next_update;  // empty when absent
    bool verified = false;    // its signature verifies with a CSCA of the store of the issuer's name
  };
  struct Summary {
    std::size_t csca_certificates = 0;
    std::map<std::string, std::size_t> csca_by_country;  // subject C= ("??" when absent or odd)
    std::size_t master_list_roots = 0;
    std::vector<MasterListInfo> master_lists;
    std::vector<CrlInfo> crls;
  };
  Summary summary() const;

  // The verify layer's view: the current snapshot, which stays valid and unchanged while held.
  struct Impl;
  std::shared_ptr<const Impl> snapshot() const;

  struct Shared;

 private:
  std::unique_ptr<Shared> shared_;
};

}  // namespace cccd
