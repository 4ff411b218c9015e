#include "reader/active_authentication_step.hpp"

#include "crypto/active_authentication.hpp"
#include "crypto/crypto.hpp"

namespace cccd::reader {
namespace {

constexpr std::uint8_t kInsInternalAuthenticate = 0x88;
// When DG15 does not parse, the read still asks; a short response's worth is what most chips send.
constexpr std::size_t kUnknownSignatureLength = apdu::kMaxShortLe;

std::size_t expected_signature_length(const Bytes& dg15) {
  try {
    return crypto::parse_dg15(dg15).signature_length;
  } catch (const Error&) {
    return kUnknownSignatureLength;  // verification will say what is wrong with DG15
  }
}

}  // namespace

void perform_active_authentication(transport::Channel& channel, const ReadOptions& options, ChipDump& dump) {
  const Bytes* dg15 = dump.file(FileId::dg15);
  if (!options.active_authentication || dg15 == nullptr) return;

  Bytes challenge = options.active_authentication_challenge
                        ? Bytes(options.active_authentication_challenge->begin(),
                                options.active_authentication_challenge->end())
                        : crypto::random_bytes(crypto::kActiveAuthenticationChallengeLength);
  // Le 00 asks for up to 256 bytes; a longer signature (RSA above 2048 bits) needs extended length, or,
  // on a link without it, the chip sends it in parts (61xx, GET RESPONSE: the raw channel collects them).
  const std::size_t signature_length = expected_signature_length(*dg15);
  const bool extended = options.extended_length && channel.capabilities().extended_length &&
                        signature_length > apdu::kMaxShortLe;
  apdu::CommandApdu command{0x00,      kInsInternalAuthenticate,
                            0x00,      0x00,
                            challenge, extended ? apdu::kMaxExtendedLe : apdu::kMaxShortLe};
  apdu::ResponseApdu response = channel.transmit(command);
  dump.aa_challenge = std::move(challenge);
  if (!response.ok() || response.data.empty()) return;  // refused: verification reports no signature
  dump.aa_signature = std::move(response.data);
}

}  // namespace cccd::reader
