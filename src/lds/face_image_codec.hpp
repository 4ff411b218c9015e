// The face image of DG2 as pixels: JPEG decoded with libjpeg, JPEG 2000 (JP2 file or bare codestream)
// with OpenJPEG, and pixels encoded as PNG with libpng, so that a desk can show the face whatever the
// chip stores.
//
// The image bytes come from the chip: a decoder reads the image header first and refuses dimensions past
// kMaxImageSide / kMaxImagePixels before it allocates anything for pixels, library errors come back
// through the libraries' callbacks (never an abort, never a message on stderr), and corrupt or truncated
// data is Error(malformed_data), not a half-decoded picture.
#pragma once

#include <cccd/bytes.hpp>
#include <cccd/document.hpp>

#include <cstddef>

namespace cccd::lds {

// 8-bit samples, row by row, no padding: grey (1 channel) or RGB (3 channels, interleaved).
struct DecodedImage {
  int width = 0;
  int height = 0;
  int channels = 0;
  Bytes pixels;  // width * height * channels bytes
};

struct ImageSize {
  int width = 0;
  int height = 0;
};

// An ICAO portrait is well under a megapixel (typically 480 x 640); these bounds leave room for any real
// card and keep a lying header from making the decoder allocate gigabytes.
inline constexpr int kMaxImageSide = 4096;
inline constexpr std::size_t kMaxImagePixels = std::size_t{4} * 1024 * 1024;

// Each throws Error(malformed_data) for data the library cannot decode (corrupt, truncated, trailing
// warnings), Error(limit_exceeded) for dimensions past the bounds, Error(not_supported) for colour models
// other than grey / RGB / YCbCr (CMYK, more than 4 components, more than 16 bits per sample).
DecodedImage decode_jpeg(ByteView jpeg);
DecodedImage decode_jpeg2000(ByteView jpeg2000);
// Dispatches on face.format; Error(not_supported) for Format::unknown.
DecodedImage decode_face_image(const FaceImage& face);

// The dimensions in the image's own header, without decoding the pixels (same errors as the decoders
// for a header that does not parse).
ImageSize read_image_size(ByteView image, FaceImage::Format format);

// PNG (8-bit grey or RGB, no interlace). Error(invalid_argument) when pixels does not match the
// dimensions, Error(internal) if libpng fails.
Bytes encode_png(const DecodedImage& image);
// decode_face_image then encode_png.
Bytes face_image_png(const FaceImage& face);

}  // namespace cccd::lds
