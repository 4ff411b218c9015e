// libFuzzer target: DG2 (lds::parse_dg2), the biometric information templates (CBEFF, ISO/IEC 19794-5
// facial record header and image information) around the face. Decoding the image's pixels is
// face_image_fuzzer's. What parse_dg2 returns must hold: the image bytes are a part of the input, and
// the dimensions it reports fit their 16-bit fields (decoding then holds kMaxImageSide).
#include "lds/lds.hpp"

#include <cccd/error.hpp>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const cccd::FaceImage face = cccd::lds::parse_dg2(cccd::ByteView(data, size));
    if (face.data.size() > size || face.width < 0 || face.height < 0 || face.width > 0xFFFF ||
        face.height > 0xFFFF) {
      __builtin_trap();  // an image larger than its DG2, or dimensions no DG2 field can hold
    }
  } catch (const cccd::Error&) {
  }
  return 0;
}
