// A synthetic face for the virtual card's DG2: a portrait drawn procedurally from the seed (no real
// person), encoded as a baseline JPEG with libjpeg.
#pragma once

#include <cccd/bytes.hpp>

#include <cstdint>

namespace cccd::sim {

inline constexpr int kFaceWidth = 240;
inline constexpr int kFaceHeight = 320;
inline constexpr int kFaceJpegQuality = 85;

enum class FaceGender { unspecified, male, female };

// Interleaved 8-bit RGB pixels, row by row (kFaceWidth x kFaceHeight x 3 bytes): the same seed and
// gender always give the same picture.
Bytes draw_face(std::uint64_t seed, FaceGender gender);

// draw_face encoded as JPEG (quality kFaceJpegQuality). Throws Error(internal) if libjpeg fails.
Bytes face_jpeg(std::uint64_t seed, FaceGender gender);

// RGB pixels to JPEG; width * height * 3 == rgb.size() or Error(invalid_argument).
Bytes encode_jpeg(ByteView rgb, int width, int height, int quality);

}  // namespace cccd::sim
