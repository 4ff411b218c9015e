// libFuzzer target: DG1 (lds::parse_dg1) and the MRZ text parser (lds::parse_mrz) on the input read
// as text, then the BAC key fields of an MRZ that parsed.
#include "lds/lds.hpp"
#include "lds/mrz.hpp"

#include <cccd/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const cccd::ByteView input(data, size);
  try {
    const cccd::Mrz mrz = cccd::lds::parse_dg1(input);
    (void)cccd::lds::mrz_information(cccd::lds::key_fields(mrz));
  } catch (const cccd::Error&) {
  }
  try {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const cccd::Mrz mrz = cccd::lds::parse_mrz(text);
    (void)cccd::lds::mrz_information(cccd::lds::key_fields(mrz));
    (void)cccd::lds::mrz_check_digit(text);
  } catch (const cccd::Error&) {
  }
  return 0;
}
