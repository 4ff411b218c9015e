// libFuzzer target: the face image decoders behind DG2 (JPEG with libjpeg, JPEG 2000 with OpenJPEG),
// which must hold their size bounds (kMaxImageSide, kMaxImagePixels) against lying headers.
// dg2_fuzzer covers the DG2 container itself; this one spends its time decoding pixels, which is why it
// is a target of its own (a few hundred executions a second against tens of thousands).
//
// The first byte picks the mode, so one corpus reaches the decoders both through a DG2 and directly:
// 0 DG2 then decode, 1 JPEG, 2 JPEG 2000, anything else DG2 only.
#include "lds/face_image_codec.hpp"
#include "lds/lds.hpp"

#include <cccd/error.hpp>

#include <cstddef>
#include <cstdint>

namespace {

void check_decoded(const cccd::lds::DecodedImage& image) {
  if (image.width <= 0 || image.height <= 0 || image.width > cccd::lds::kMaxImageSide ||
      image.height > cccd::lds::kMaxImageSide ||
      static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) >
          cccd::lds::kMaxImagePixels ||
      image.pixels.size() != static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) *
                                 static_cast<std::size_t>(image.channels)) {
    __builtin_trap();  // a decoded image outside its documented bounds is a finding
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const cccd::ByteView input(data + 1, size - 1);
  try {
    switch (mode) {
      case 1:
        check_decoded(cccd::lds::decode_jpeg(input));
        break;
      case 2:
        check_decoded(cccd::lds::decode_jpeg2000(input));
        break;
      default: {
        const cccd::FaceImage face = cccd::lds::parse_dg2(input);
        if (mode == 0) check_decoded(cccd::lds::decode_face_image(face));
        break;
      }
    }
  } catch (const cccd::Error&) {
  }
  return 0;
}
