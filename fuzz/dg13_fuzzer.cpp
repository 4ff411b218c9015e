// libFuzzer target: the CCCD's DG13 (lds::parse_dg13): personal data as UTF-8 text in nested TLVs.
#include "lds/lds.hpp"

#include <cccd/error.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)cccd::lds::parse_dg13(cccd::ByteView(data, size));
  } catch (const cccd::Error&) {
  }
  return 0;
}
