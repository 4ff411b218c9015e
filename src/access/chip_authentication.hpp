// Chip Authentication (ICAO Doc 9303 Part 11 section 6.2, BSI TR-03110 part 3): the terminal agrees a
// key with the chip's static key of DG14 and secure messaging restarts with keys derived from it. Only a
// chip that holds the private key derives the same keys, so a chip that keeps answering under them is
// the one DG14 (covered by EF.SOD) was issued for; a clone of the files has no such key.
//
// Two command forms (Part 11 section 6.2.4): MSE:Set KAT (00 22 41 A6, data 91 <ephemeral key>
// [84 keyId]), for 3DES; and MSE:Set AT (00 22 41 A4, data 80 <CA OID> [84 keyId]) followed by GENERAL
// AUTHENTICATE (7C { 80 <ephemeral key> }, answered by an empty 7C), required for AES. Either way the
// chip answers the command under the old keys and uses the new ones (SSC zero) from the next command.
// The ChipAuthenticationInfo's version (1 or 2) does not change the commands: the CCCD announces
// id-CA-ECDH-AES-CBC-CMAC-128 version 1 and is authenticated with General Authenticate.
#pragma once

#include "crypto/pace_domain.hpp"
#include "lds/security_infos.hpp"
#include "sm/secure_messaging.hpp"
#include "transport/channel.hpp"

#include <optional>
#include <string>

namespace cccd::access {

enum class ChipAuthenticationCommand {
  set_key_agreement_template,  // MSE:Set KAT (version 1 of the literature; 3DES)
  general_authenticate,        // MSE:Set AT + GENERAL AUTHENTICATE (AES, and 3DES too)
};

// One Chip Authentication the terminal can run: the protocol and the chip's static key.
struct ChipAuthenticationChoice {
  lds::ChipAuthenticationInfo info;     // agreement, cipher, version, keyId (inferred when DG14 has none)
  crypto::PaceDomain domain;            // the group of the chip's static key
  Bytes chip_public_key;                // validated, encoded as PaceDomain does (04||X||Y, or y as |p| bytes)
  std::optional<std::uint64_t> key_id;  // sent as 84 when DG14 names the key
  ChipAuthenticationCommand command = ChipAuthenticationCommand::general_authenticate;
  // "CA v1 ECDH-256 AES-128 GA keyId 1": printable ASCII, no key material.
  std::string description() const;
};

// Chooses the Chip Authentication to run from the SecurityInfos of DG14: each ChipAuthenticationInfo is
// paired with the ChipAuthenticationPublicKeyInfo of the same key identifier (or the only key); DG14
// without a ChipAuthenticationInfo (TR-03110 version 1 chips) implies 3DES for each key. The key's
// domain comes from its AlgorithmIdentifier or the ChipAuthenticationDomainParameterInfo of its key
// identifier. Among the usable pairs the strongest cipher wins, then version 2, then the larger group.
// 3DES gets MSE:Set KAT, AES General Authenticate.
// Returns nothing when DG14 holds no Chip Authentication public key. Throws Error(malformed_data) when no
// pair is usable because a key does not decode or is not a valid key of its group;
// Error(not_supported) when every pair needs a group or version this library lacks.
std::optional<ChipAuthenticationChoice> choose_chip_authentication(const lds::SecurityInfos& dg14);

// The group of a Chip Authentication public key: its own AlgorithmIdentifier, else the
// ChipAuthenticationDomainParameterInfo of its key identifier (or the only one). Throws
// Error(malformed_data) when there is none, the errors of lds::domain_of otherwise.
crypto::PaceDomain chip_authentication_domain(const lds::ChipAuthenticationPublicKeyInfo& key,
                                              const lds::SecurityInfos& dg14);

// The static public key of a ChipAuthenticationPublicKeyInfo as PaceDomain encodes keys: the EC point of
// the BIT STRING, or for DH the INTEGER inside it left-padded to |p|. Throws Error(malformed_data) when it
// does not decode or is not a valid public key of `domain`.
Bytes chip_authentication_public_key(const lds::ChipAuthenticationPublicKeyInfo& key,
                                     const crypto::PaceDomain& domain);

// KSenc = KDF(K, 1), KSmac = KDF(K, 2) with the cipher of the protocol, SSC zero (both sides).
sm::SessionKeys chip_authentication_session_keys(crypto::CipherKind cipher, ByteView shared_secret);

// Runs Chip Authentication over `channel` (the secure channel of the current session) and returns the
// keys secure messaging restarts with. The caller restarts it: every later command must use them.
// Errors: Error(card_error) naming the command and status word when the chip refuses it;
// Error(malformed_data) for an answer that does not parse; Error(not_supported) for an answer of
// TR-03110's later Chip Authentication (nonce and token); the channel's errors as they come.
sm::SessionKeys perform_chip_authentication(transport::Channel& channel,
                                            const ChipAuthenticationChoice& choice);

// Command bytes and data objects of Chip Authentication (Part 11 section 6.2.4).
inline constexpr std::uint8_t kP1SetForComputation = 0x41;        // MSE: set for internal authentication
inline constexpr std::uint8_t kP2KeyAgreementTemplate = 0xA6;     // MSE:Set KAT
inline constexpr std::uint8_t kP2AuthenticationTemplate = 0xA4;   // MSE:Set AT
inline constexpr std::uint8_t kTagKatEphemeralPublicKey = 0x91;   // in MSE:Set KAT
inline constexpr std::uint8_t kTagCryptographicMechanism = 0x80;  // the CA OID in MSE:Set AT
inline constexpr std::uint8_t kTagPrivateKeyReference = 0x84;     // the key identifier
inline constexpr std::uint8_t kTagGaEphemeralPublicKey = 0x80;    // in GENERAL AUTHENTICATE

}  // namespace cccd::access
