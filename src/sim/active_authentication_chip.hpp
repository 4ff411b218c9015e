// Active Authentication on the virtual card (ICAO Doc 9303 Part 11 section 6.1): the personalisation of
// the AA key (DG15, the ActiveAuthenticationInfo of DG14 for ECDSA, the private key in the card secrets)
// and the chip's side of INTERNAL AUTHENTICATE.
#pragma once

#include "apdu/apdu.hpp"
#include "crypto/crypto.hpp"
#include "crypto/openssl_ptr.hpp"
#include "sim/card_folder.hpp"
#include "util/secure_bytes.hpp"

#include <cstdint>
#include <map>
#include <optional>

namespace cccd::sim {

inline constexpr std::uint8_t kInsInternalAuthenticate = 0x88;

// Which Active Authentication a generated card offers (`cccd-sim personalise --aa none|rsa|ecdsa`).
enum class AaAlgorithm { none, rsa, ecdsa };

struct AaOffer {
  AaAlgorithm algorithm = AaAlgorithm::none;
  // RSA: the ISO/IEC 9796-2 hash (SHA-1 gives the one-byte trailer BC, others `id CC`); ECDSA: the hash
  // its ActiveAuthenticationInfo names. Nothing: SHA-1 for RSA, SHA-256 for ECDSA.
  std::optional<crypto::HashAlgorithm> hash;
};

// The AA key of a card: RSA-2048 or ECDSA on brainpoolP256r1, derived from the seed.
struct AaPersonalisation {
  SecureBytes private_key;  // DER PrivateKeyInfo (PKCS #8)
  crypto::HashAlgorithm hash = crypto::HashAlgorithm::sha1;
  Bytes dg15;           // 6F { SubjectPublicKeyInfo }
  Bytes security_info;  // ECDSA: the ActiveAuthenticationInfo for DG14; RSA: empty
};
AaPersonalisation build_active_authentication(const AaOffer& offer, std::uint64_t seed);

// Gives a card the AA of `offer` (nothing for none): DG15, for ECDSA the ActiveAuthenticationInfo added to
// DG14 (a DG14 holding only it when the card has none), EF.COM listing them, `hashed` (data group number
// -> file, what EF.SOD will cover) updated, the private key and hash in the secrets. Call it after DG14
// and EF.COM are built and before EF.SOD is signed.
void add_active_authentication(CardData& card, std::map<int, Bytes>& hashed, const AaOffer& offer,
                               std::uint64_t seed);

// The ActiveAuthenticationInfo SecurityInfo: SEQUENCE { id-AA, INTEGER 1, signatureAlgorithm OID }.
Bytes encode_active_authentication_info(crypto::HashAlgorithm ecdsa_hash);
// `dg14` (6E { SET OF SecurityInfo }) with `security_info` added to its SET (in DER order), or a DG14
// holding only it when `dg14` is empty. Error(malformed_data) when `dg14` does not parse.
Bytes dg14_with(ByteView dg14, ByteView security_info);
// EF.COM with `data_group_tag` (0x6E DG14, 0x6F DG15) added to its tag list when missing; an EF.COM that
// does not parse gives Error(malformed_data).
Bytes ef_com_with(ByteView ef_com, std::uint8_t data_group_tag);

// A new private key of the same kind and size as `private_key_der` (RSA of the same modulus length, EC on
// the same curve), random: what a cloned chip holds instead of the original's key.
SecureBytes new_private_key_like(ByteView private_key_der);

// The names the secrets file uses for the AA hash ("SHA-1" ...), and back (nothing for another text).
std::optional<crypto::HashAlgorithm> hash_from_name(std::string_view name) noexcept;

// The chip's side of INTERNAL AUTHENTICATE (00 88 00 00 Lc=8 challenge Le): an ISO/IEC 9796-2 scheme 1
// signature with a fresh random M1 (RSA) or a plain r || s ECDSA signature with the RFC 6979 nonce.
class ActiveAuthenticationChip {
 public:
  // Error(malformed_data) when the key does not parse, Error(not_supported) for a key neither RSA nor EC.
  ActiveAuthenticationChip(ByteView private_key_der, crypto::HashAlgorithm hash);

  // 6A86 for P1/P2 other than 00, 6700 for a challenge other than 8 bytes or no Le.
  apdu::ResponseApdu internal_authenticate(const apdu::CommandApdu& command) const;

 private:
  Bytes sign_rsa(ByteView challenge) const;
  Bytes sign_ecdsa(ByteView challenge) const;

  EvpPkeyPtr key_;
  bool rsa_ = true;
  crypto::HashAlgorithm hash_;
  int curve_nid_ = 0;
  SecureBytes ec_scalar_;
};

}  // namespace cccd::sim
