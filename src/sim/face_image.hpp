// A synthetic face for the virtual card's DG2: a portrait drawn procedurally from the seed (no real
// person), encoded as a baseline JPEG with libjpeg or as a lossless JPEG 2000 (JP2) with OpenJPEG.
#pragma once

#include <cccd/bytes.hpp>

#include <cstdint>

namespace cccd::sim {

inline constexpr int kFaceWidth = 240;
inline constexpr int kFaceHeight = 320;
inline constexpr int kFaceJpegQuality = 93;  // a CCCD's face is 15-25 KB (docs/cccd-chip-profile.md)

enum class FaceGender { unspecified, male, female };

// How the card stores the face (`cccd-sim personalise --face jpeg|jp2`).
enum class FaceFormat { jpeg, jpeg2000 };

// Interleaved 8-bit RGB pixels, row by row (kFaceWidth x kFaceHeight x 3 bytes): the same seed and
// gender always give the same picture.
Bytes draw_face(std::uint64_t seed, FaceGender gender);

// draw_face encoded as JPEG (quality kFaceJpegQuality). Throws Error(internal) if libjpeg fails.
Bytes face_jpeg(std::uint64_t seed, FaceGender gender);

// draw_face encoded as a lossless JPEG 2000 JP2 file (reversible 5/3 wavelet and colour transform): it
// decodes back to exactly draw_face. Throws Error(internal) if OpenJPEG fails.
Bytes face_jpeg2000(std::uint64_t seed, FaceGender gender);

// draw_face in the chosen format.
Bytes face_image(std::uint64_t seed, FaceGender gender, FaceFormat format);

// RGB pixels to JPEG; width * height * 3 == rgb.size() or Error(invalid_argument).
Bytes encode_jpeg(ByteView rgb, int width, int height, int quality);
// RGB pixels to a lossless JP2 file; the same checks as encode_jpeg.
Bytes encode_jpeg2000(ByteView rgb, int width, int height);

}  // namespace cccd::sim
