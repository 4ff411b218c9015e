// libFuzzer target: the virtual card's command parser (sim::VirtualCard::process) on the default card,
// fed a sequence of APDUs split from the input. VirtualCard::process promises never to throw for
// anything a terminal sends, so any exception out of it is a finding.
//
// Input: byte 0 bit 0 chooses the session:
//   0: the APDUs go to the card as they are, unauthenticated (after SELECT of the eMRTD application
//      when bit 1 is set);
//   1: the reader's BAC runs first (access::perform_bac over the card's channel), and each fuzzer APDU is
//      then protected with the terminal's SmCodec (a correct MAC and cryptogram), so the card's commands
//      behind secure messaging (SELECT, READ BINARY, INTERNAL AUTHENTICATE, MSE, GENERAL AUTHENTICATE
//      ...) see hostile but authentic commands; the card's answers go back through unprotect_response.
// Then APDUs, each as a length byte and that many bytes (length 255: a two-byte big-endian length
// follows, for extended APDUs).
#include "access/bac.hpp"
#include "apdu/apdu.hpp"
#include "sim/generator.hpp"
#include "sim/virtual_card.hpp"
#include "sim/virtual_card_link.hpp"
#include "sm/secure_messaging.hpp"

#include <cccd/error.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace {

using cccd::Bytes;
using cccd::ByteView;

std::vector<ByteView> split_apdus(ByteView input) {
  std::vector<ByteView> apdus;
  std::size_t at = 0;
  while (at < input.size() && apdus.size() < 64) {
    std::size_t length = input[at++];
    if (length == 255) {
      if (input.size() - at < 2) break;
      length = (std::size_t{input[at]} << 8) | input[at + 1];
      at += 2;
    }
    if (length > input.size() - at) length = input.size() - at;
    apdus.push_back(input.subspan(at, length));
    at += length;
  }
  return apdus;
}

const std::uint8_t kSelectEmrtd[] = {0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01};

void run_secured(cccd::sim::VirtualCard& card, const std::vector<ByteView>& apdus) {
  cccd::sim::VirtualCardChannel channel(card);
  (void)card.process(kSelectEmrtd);
  std::optional<cccd::sm::SmCodec> terminal;
  try {
    const cccd::access::BacKeys keys = cccd::access::derive_bac_keys(card.data().secrets.mrz_information);
    cccd::access::BacTerminalRandoms randoms;
    randoms.rnd_ifd.assign(8, 0x5A);
    randoms.k_ifd.assign(16, 0xA5);
    terminal.emplace(cccd::access::perform_bac(channel, keys, randoms));
  } catch (const cccd::Error&) {
    __builtin_trap();  // BAC with the card's own MRZ key must work: the harness is broken
  }
  for (ByteView raw : apdus) {
    try {
      cccd::apdu::CommandApdu command = cccd::apdu::CommandApdu::decode(raw);
      command.cla = static_cast<std::uint8_t>(command.cla & ~0x0C);
      const cccd::apdu::CommandApdu protected_command = terminal->protect_command(command);
      const Bytes answer = card.process(protected_command.encode());
      (void)terminal->unprotect_response(cccd::apdu::ResponseApdu::decode(answer));
    } catch (const cccd::Error&) {
      // The terminal side refused this exchange (or the card's answer); the card goes on to the next.
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const cccd::sim::CardData& card_data = cccd::sim::default_card();
  cccd::sim::VirtualCard card(card_data);
  const std::vector<ByteView> apdus = split_apdus(ByteView(data + 1, size - 1));
  if ((data[0] & 1) != 0) {
    run_secured(card, apdus);
    return 0;
  }
  if ((data[0] & 2) != 0) (void)card.process(kSelectEmrtd);
  for (ByteView apdu : apdus) (void)card.process(apdu);
  return 0;
}
