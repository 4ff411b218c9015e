// Reading and verifying a card on a libnfc reader in one call, for the front ends (cccd-verify, the C API):
// the libnfc counterpart of read_and_verify with a PC/SC CardSource.
#pragma once

#include <cccd/reader.hpp>
#include <cccd/report.hpp>
#include <cccd/trust.hpp>

#include <string_view>

namespace cccd::api {

// Reads the card on the libnfc device `connstring` (empty: the first libnfc finds) and verifies it
// against `trust` (null: signer trust unknown). The report's source is "nfc".
Report read_and_verify_nfc(std::string_view connstring, const Credentials& credentials,
                           const TrustStore* trust, const ReadOptions& options = {});

}  // namespace cccd::api
