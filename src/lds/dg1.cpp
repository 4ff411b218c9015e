#include "asn1/tlv.hpp"
#include "lds/lds.hpp"
#include "lds/mrz.hpp"
#include "lds/parse_context.hpp"

namespace cccd::lds {

// DG1 (ICAO Doc 9303 Part 10 section 4.7.1): 61 { 5F1F MRZ text }, the lines run together.
Mrz parse_dg1(ByteView file) {
  return detail::in_file("DG1", [file] {
    asn1::Tlv outer = asn1::parse_first(file);
    if (outer.tag != 0x61) detail::malformed("DG1", "not a DG1 (outer tag is not 61)");
    asn1::TlvReader reader(outer.value);
    asn1::Tlv mrz_text = reader.expect(0x5F1F);
    try {
      return lds::parse_mrz(
          std::string_view(reinterpret_cast<const char*>(mrz_text.value.data()), mrz_text.value.size()));
    } catch (const Error& e) {
      // A bad MRZ from the chip is bad data, not a bad argument of the caller.
      throw Error(ErrorCode::malformed_data, e.what());
    }
  });
}

}  // namespace cccd::lds
