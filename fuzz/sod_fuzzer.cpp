// libFuzzer target: EF.SOD, the CMS SignedData of passive authentication: lds::parse_sod, then verify()
// of the default virtual card's dump with the input in place of its EF.SOD (verify never throws for
// anything in a dump: a broken SOD is a failed finding, so any exception out of verify is a finding too).
#include "lds/sod.hpp"
#include "sim/generator.hpp"
#include "util/bytes.hpp"

#include <cccd/error.hpp>
#include <cccd/trust.hpp>
#include <cccd/verify.hpp>

#include <cstddef>
#include <cstdint>

namespace {

struct Fixture {
  cccd::ChipDump dump;
  cccd::TrustStore trust;
  Fixture() {
    const cccd::sim::CardData& card = cccd::sim::default_card();
    dump.files = card.files;
    dump.access_protocol = "PACE-GM";
    trust.add_certificate(cccd::as_bytes(card.csca_pem), true);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fixture;
  const cccd::ByteView input(data, size);
  try {
    (void)cccd::lds::parse_sod(input);
  } catch (const cccd::Error&) {
  }
  fixture.dump.files[cccd::FileId::sod].assign(input.begin(), input.end());
  (void)cccd::verify(fixture.dump, fixture.trust);
  return 0;
}
