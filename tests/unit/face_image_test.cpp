// The face of DG2 end to end: the ISO/IEC 39794-5 record next to 19794-5, decoding JPEG and JPEG 2000
// (hostile data included), the PNG written for display, the virtual card's JPEG 2000 face, and
// `cccd-verify read --photo` choosing the output by the file's extension.
//
// Pixels are compared with the generator's own drawing (sim::draw_face), decoded PNGs read back with
// libpng's simplified API: an independent reader of what the library wrote.
#include "sim/face_image.hpp"
#include "asn1/der.hpp"
#include "asn1/tlv.hpp"
#include "lds/face_image_codec.hpp"
#include "lds/lds.hpp"
#include "sim/generator.hpp"
#include "test_support.hpp"
#include "util/bytes.hpp"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <openjpeg.h>
#include <png.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>

namespace cccd {
namespace {

namespace fs = std::filesystem;
using lds::DecodedImage;

// ---- helpers ---------------------------------------------------------------------------------------

std::optional<ErrorCode> code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.code();
  }
  return std::nullopt;
}

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

Bytes read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Bytes specimen_dg2() {
  return read_file(fs::path(CCCD_TEST_DATA_DIR) / "bsi2008" / "Datagroup2.bin");
}

// A PNG decoded by libpng into 8-bit RGB, whatever its own colour type.
DecodedImage read_png(const Bytes& png) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, png.data(), png.size())) {
    ADD_FAILURE() << "libpng cannot read the PNG: " << image.message;
    return {};
  }
  image.format = PNG_FORMAT_RGB;
  DecodedImage out;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.channels = 3;
  out.pixels.resize(std::size_t{image.width} * image.height * 3);
  if (!png_image_finish_read(&image, nullptr, out.pixels.data(), 0, nullptr)) {
    ADD_FAILURE() << "libpng cannot decode the PNG: " << image.message;
    png_image_free(&image);
    return {};
  }
  return out;
}

struct Difference {
  double mean_absolute = 0;
  double psnr = 0;  // dB; infinity when equal
};

Difference difference(const Bytes& a, const Bytes& b) {
  EXPECT_EQ(a.size(), b.size());
  double absolute = 0;
  double squared = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
    absolute += std::abs(d);
    squared += d * d;
  }
  const double n = static_cast<double>(std::max<std::size_t>(a.size(), 1));
  const double mse = squared / n;
  return {absolute / n, mse == 0 ? INFINITY : 10 * std::log10(255.0 * 255.0 / mse)};
}

// The default virtual card's holder is female: her face is draw_face(seed 1, female).
const Bytes& drawn_default_face() {
  static const Bytes drawn = sim::draw_face(1, sim::FaceGender::female);
  return drawn;
}

// JPEG quality 85 of a 240 x 320 portrait with sensor noise: a JPEG encoder keeps the picture and drops
// most of the +-4.5 noise, so the decoded face stays within a few levels of the drawing on average and
// above 30 dB PSNR (the usual threshold of "no visible loss"); a wrong picture, a colour swap or a
// shifted row is tens of levels off and far below 20 dB.
constexpr double kJpegMeanAbsoluteTolerance = 4.0;
constexpr double kJpegMinimumPsnr = 30.0;

// ---- ISO/IEC 39794-5 builders --------------------------------------------------------------------

// A context-specific primitive INTEGER: [n] IMPLICIT INTEGER.
Bytes context_integer(std::uint8_t tag, std::uint64_t value) {
  Bytes encoded = asn1::der_integer(value);
  encoded[0] = tag;
  return encoded;
}

struct Record39794 {
  Bytes image;
  std::uint64_t format_code = 2;  // jpeg
  std::optional<std::pair<int, int>> size = std::pair{sim::kFaceWidth, sim::kFaceHeight};
  bool with_optional_elements = true;  // kind, colour space, capture date, extension: all to be skipped
  bool three_d = false;
  int representations = 1;
};

Bytes face_image_data_block(const Record39794& r) {
  Bytes information = asn1::tlv(0xA0, context_integer(0x80, r.format_code));
  if (r.with_optional_elements) append(information, context_integer(0x81, 0));  // faceImageKind2D: MRTD
  if (r.size) {
    append(information, asn1::tlv(0xA7, {context_integer(0x80, static_cast<std::uint64_t>(r.size->first)),
                                         context_integer(0x81, static_cast<std::uint64_t>(r.size->second))}));
  }
  if (r.with_optional_elements) append(information, asn1::tlv(0xA9, context_integer(0x80, 2)));  // RGB 24 bit
  const Bytes block_2d = asn1::tlv(0xA0, {asn1::tlv(0x80, r.image), asn1::tlv(0xA1, information)});
  const Bytes base = r.three_d ? asn1::tlv(0xA1, Bytes{0x80, 0x00}) : block_2d;
  Bytes representation = context_integer(0x80, 1);
  append(representation, asn1::tlv(0xA1, asn1::tlv(0xA0, base)));
  if (r.with_optional_elements) {
    append(representation, asn1::tlv(0xA2, {context_integer(0x80, 2024), context_integer(0x81, 5)}));
  }
  Bytes representations;
  for (int i = 0; i < r.representations; ++i) append(representations, asn1::tlv(0x30, representation));
  Bytes contents = asn1::tlv(0xA0, {context_integer(0x80, 3), context_integer(0x81, 2019)});
  append(contents, asn1::tlv(0xA1, representations));
  return asn1::tlv(0x65, contents);
}

// DG2 around one biometric data block, with the CBEFF header of a 39794-5 face (format type 0x002A).
Bytes dg2_with(const Bytes& data_block) {
  const Bytes header = asn1::tlv(0xA1, from_hex("80020101"
                                                "810102"
                                                "87020101"
                                                "8802002A"));
  return asn1::tlv(0x75, asn1::tlv(0x7F61, {asn1::der_integer(1),
                                            asn1::tlv(0x7F60, {header, asn1::tlv(0x5F2E, data_block)})}));
}

const Bytes& default_jpeg() {
  static const Bytes jpeg = sim::face_jpeg(1, sim::FaceGender::female);
  return jpeg;
}

const Bytes& default_jpeg2000() {
  static const Bytes jp2 = sim::face_jpeg2000(1, sim::FaceGender::female);
  return jp2;
}

// The JPEG 2000 codestream inside a JP2 file (from its SOC marker on).
Bytes codestream_of(const Bytes& jp2) {
  const std::array<std::uint8_t, 4> soc_siz{0xFF, 0x4F, 0xFF, 0x51};
  auto at = std::search(jp2.begin(), jp2.end(), soc_siz.begin(), soc_siz.end());
  EXPECT_NE(at, jp2.end());
  return Bytes(at, jp2.end());
}

// ---- JPEG 2000 as other encoders write it ---------------------------------------------------------

// One component plane for encode_j2k: samples row by row at 1/dx, 1/dy of the image's resolution.
struct Plane {
  std::vector<int> samples;
  int dx = 1;
  int dy = 1;
  int precision = 8;
};

// A lossless JPEG 2000 (JP2 file, or bare codestream) written with OpenJPEG from the given planes and
// colour space, without the colour transform: what a camera or enrolment system may store, unlike the
// virtual card's RGB files.
Bytes encode_j2k(const std::vector<Plane>& planes, int width, int height, OPJ_COLOR_SPACE colour_space,
                 OPJ_CODEC_FORMAT format) {
  std::vector<opj_image_cmptparm_t> parameters(planes.size());
  for (std::size_t i = 0; i < planes.size(); ++i) {
    parameters[i] = {};
    parameters[i].dx = static_cast<OPJ_UINT32>(planes[i].dx);
    parameters[i].dy = static_cast<OPJ_UINT32>(planes[i].dy);
    parameters[i].w = static_cast<OPJ_UINT32>((width + planes[i].dx - 1) / planes[i].dx);
    parameters[i].h = static_cast<OPJ_UINT32>((height + planes[i].dy - 1) / planes[i].dy);
    parameters[i].prec = static_cast<OPJ_UINT32>(planes[i].precision);
  }
  opj_image_t* image =
      opj_image_create(static_cast<OPJ_UINT32>(planes.size()), parameters.data(), colour_space);
  EXPECT_NE(image, nullptr);
  image->x1 = static_cast<OPJ_UINT32>(width);
  image->y1 = static_cast<OPJ_UINT32>(height);
  for (std::size_t i = 0; i < planes.size(); ++i) {
    EXPECT_EQ(planes[i].samples.size(), std::size_t{parameters[i].w} * parameters[i].h);
    std::copy(planes[i].samples.begin(), planes[i].samples.end(), image->comps[i].data);
  }
  opj_cparameters_t settings;
  opj_set_default_encoder_parameters(&settings);
  settings.tcp_numlayers = 1;
  settings.tcp_rates[0] = 0;
  settings.cp_disto_alloc = 1;
  settings.tcp_mct = 0;
  settings.numresolution = 1;  // as many as the smaller side allows, up to 5 (2^(n-1) <= side)
  while (settings.numresolution < 5 && (1 << settings.numresolution) <= std::min(width, height)) {
    ++settings.numresolution;
  }
  struct Sink {
    Bytes data;
    std::size_t position = 0;
  } sink;
  opj_codec_t* codec = opj_create_compress(format);
  opj_stream_t* stream = opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_FALSE);
  opj_stream_set_user_data(stream, &sink, nullptr);
  opj_stream_set_write_function(stream, [](void* buffer, OPJ_SIZE_T n, void* user) -> OPJ_SIZE_T {
    auto* out = static_cast<Sink*>(user);
    if (out->position + n > out->data.size()) out->data.resize(out->position + n);
    std::memcpy(out->data.data() + out->position, buffer, n);
    out->position += n;
    return n;
  });
  opj_stream_set_skip_function(stream, [](OPJ_OFF_T n, void* user) -> OPJ_OFF_T {
    auto* out = static_cast<Sink*>(user);
    out->position += static_cast<std::size_t>(n);
    if (out->position > out->data.size()) out->data.resize(out->position);
    return n;
  });
  opj_stream_set_seek_function(stream, [](OPJ_OFF_T offset, void* user) -> OPJ_BOOL {
    static_cast<Sink*>(user)->position = static_cast<std::size_t>(offset);
    return OPJ_TRUE;
  });
  const bool ok = opj_setup_encoder(codec, &settings, image) && opj_start_compress(codec, image, stream) &&
                  opj_encode(codec, stream) && opj_end_compress(codec, stream);
  EXPECT_TRUE(ok);
  opj_stream_destroy(stream);
  opj_destroy_codec(codec);
  opj_image_destroy(image);
  return sink.data;
}

// The drawn face as full-range YCbCr (ITU-R BT.601, as sYCC), chroma averaged over 2 x 2 pixels.
std::vector<Plane> ycbcr_420(const Bytes& rgb, int width, int height) {
  Plane luma;
  Plane cb{{}, 2, 2, 8};
  Plane cr{{}, 2, 2, 8};
  auto at = [&](int x, int y, int c) {
    return static_cast<double>(rgb[static_cast<std::size_t>((y * width + x) * 3 + c)]);
  };
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      luma.samples.push_back(
          static_cast<int>(std::lround(0.299 * at(x, y, 0) + 0.587 * at(x, y, 1) + 0.114 * at(x, y, 2))));
    }
  }
  for (int y = 0; y < height; y += 2) {
    for (int x = 0; x < width; x += 2) {
      double sum_cb = 0;
      double sum_cr = 0;
      for (int dy = 0; dy < 2; ++dy) {
        for (int dx = 0; dx < 2; ++dx) {
          const double r = at(x + dx, y + dy, 0), g = at(x + dx, y + dy, 1), b = at(x + dx, y + dy, 2);
          sum_cb += 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
          sum_cr += 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
        }
      }
      cb.samples.push_back(std::clamp(static_cast<int>(std::lround(sum_cb / 4)), 0, 255));
      cr.samples.push_back(std::clamp(static_cast<int>(std::lround(sum_cr / 4)), 0, 255));
    }
  }
  return {luma, cb, cr};
}

TEST(FaceImageCodec, GreyAndSixteenBitJpeg2000) {
  const std::vector<Plane> planes = ycbcr_420(drawn_default_face(), sim::kFaceWidth, sim::kFaceHeight);
  const Bytes grey =
      encode_j2k({planes[0]}, sim::kFaceWidth, sim::kFaceHeight, OPJ_CLRSPC_GRAY, OPJ_CODEC_JP2);
  const DecodedImage decoded = lds::decode_jpeg2000(grey);
  EXPECT_EQ(decoded.channels, 1);
  ASSERT_EQ(decoded.pixels.size(), planes[0].samples.size());
  EXPECT_TRUE(std::equal(decoded.pixels.begin(), decoded.pixels.end(), planes[0].samples.begin()));
  // PNG of a grey image: grey, read back as equal R, G and B.
  const DecodedImage png = read_png(lds::encode_png(decoded));
  EXPECT_EQ(png.pixels[0], decoded.pixels[0]);
  EXPECT_EQ(png.pixels[1], decoded.pixels[0]);

  // 16 bits per sample, scaled to 8: 0 -> 0, 65535 -> 255, 32896 (128.5 * 256) -> 128.
  Plane deep{{0, 65535, 32896, 256}, 1, 1, 16};
  const DecodedImage scaled = lds::decode_jpeg2000(encode_j2k({deep}, 2, 2, OPJ_CLRSPC_GRAY, OPJ_CODEC_J2K));
  EXPECT_EQ(scaled.pixels, (Bytes{0, 255, 128, 1}));
}

// sYCC with 4:2:0 chroma: upsampled and converted to RGB. Only the chroma averaging and the rounding of
// the conversion separate it from the drawing: within 3 levels on average, above 35 dB.
TEST(FaceImageCodec, SubsampledYccJpeg2000ConvertsToRgb) {
  const std::vector<Plane> planes = ycbcr_420(drawn_default_face(), sim::kFaceWidth, sim::kFaceHeight);
  for (OPJ_CODEC_FORMAT format : {OPJ_CODEC_JP2, OPJ_CODEC_J2K}) {  // a colour box says sYCC; a codestream
    SCOPED_TRACE(format == OPJ_CODEC_JP2 ? "JP2" : "codestream");   // shows it by its subsampling
    const Bytes ycc = encode_j2k(planes, sim::kFaceWidth, sim::kFaceHeight, OPJ_CLRSPC_SYCC, format);
    const DecodedImage decoded = lds::decode_jpeg2000(ycc);
    EXPECT_EQ(decoded.width, sim::kFaceWidth);
    EXPECT_EQ(decoded.height, sim::kFaceHeight);
    EXPECT_EQ(decoded.channels, 3);
    const Difference d = difference(decoded.pixels, drawn_default_face());
    EXPECT_LT(d.mean_absolute, 3.0);
    EXPECT_GT(d.psnr, 35.0);
  }
}

// ---- decoding ----------------------------------------------------------------------------------

TEST(FaceImageCodec, JpegDecodesCloseToTheDrawing) {
  const DecodedImage decoded = lds::decode_jpeg(default_jpeg());
  EXPECT_EQ(decoded.width, sim::kFaceWidth);
  EXPECT_EQ(decoded.height, sim::kFaceHeight);
  EXPECT_EQ(decoded.channels, 3);
  const Difference d = difference(decoded.pixels, drawn_default_face());
  EXPECT_LT(d.mean_absolute, kJpegMeanAbsoluteTolerance);
  EXPECT_GT(d.psnr, kJpegMinimumPsnr);
  // The comparison can fail: another seed's face is far off.
  const Difference other = difference(decoded.pixels, sim::draw_face(2, sim::FaceGender::female));
  EXPECT_GT(other.mean_absolute, 10.0);
  EXPECT_LT(other.psnr, 20.0);
}

TEST(FaceImageCodec, LosslessJpeg2000DecodesToExactlyTheDrawing) {
  const Bytes& jp2 = default_jpeg2000();
  EXPECT_EQ(jp2, sim::face_jpeg2000(1, sim::FaceGender::female));  // deterministic
  EXPECT_EQ(to_hex(ByteView(jp2).first(12)), "0000000C6A5020200D0A870A");
  const DecodedImage decoded = lds::decode_jpeg2000(jp2);
  EXPECT_EQ(decoded.width, sim::kFaceWidth);
  EXPECT_EQ(decoded.height, sim::kFaceHeight);
  EXPECT_EQ(decoded.channels, 3);
  EXPECT_EQ(decoded.pixels, drawn_default_face());
  // The bare codestream decodes the same.
  EXPECT_EQ(lds::decode_jpeg2000(codestream_of(jp2)).pixels, drawn_default_face());
}

TEST(FaceImageCodec, BsiSpecimenJpeg2000Decodes) {
  const FaceImage face = lds::parse_dg2(specimen_dg2());
  ASSERT_EQ(face.format, FaceImage::Format::jpeg2000);
  const DecodedImage decoded = lds::decode_face_image(face);
  // The specimen's 19794-5 record says 337 x 449, its codestream is 413 x 531: DG2 reports the record's
  // words, the pixels (and the PNG) follow the image itself.
  EXPECT_EQ(face.width, 337);
  EXPECT_EQ(face.height, 449);
  EXPECT_EQ(decoded.width, 413);
  EXPECT_EQ(decoded.height, 531);
  EXPECT_TRUE(decoded.channels == 1 || decoded.channels == 3);
  // A photograph, not a flat fill: the samples spread over most of the range.
  const auto [lowest, highest] = std::minmax_element(decoded.pixels.begin(), decoded.pixels.end());
  EXPECT_GT(*highest - *lowest, 128);
  const lds::ImageSize size = lds::read_image_size(face.data, face.format);
  EXPECT_EQ(size.width, decoded.width);
  EXPECT_EQ(size.height, decoded.height);
}

TEST(FaceImageCodec, PngOfEitherFormatReadsBackAsTheDecodedPixels) {
  FaceImage jpeg{FaceImage::Format::jpeg, sim::kFaceWidth, sim::kFaceHeight, default_jpeg()};
  const DecodedImage from_png = read_png(lds::face_image_png(jpeg));
  EXPECT_EQ(from_png.width, sim::kFaceWidth);
  EXPECT_EQ(from_png.height, sim::kFaceHeight);
  EXPECT_EQ(from_png.pixels, lds::decode_jpeg(default_jpeg()).pixels);  // PNG is lossless

  FaceImage jp2{FaceImage::Format::jpeg2000, sim::kFaceWidth, sim::kFaceHeight, default_jpeg2000()};
  const Bytes png = lds::face_image_png(jp2);
  EXPECT_EQ(to_hex(ByteView(png).first(8)), "89504E470D0A1A0A");
  EXPECT_EQ(read_png(png).pixels, drawn_default_face());

  // Grey pixels make a grey PNG that reads back as equal R, G and B.
  DecodedImage grey{2, 1, 1, Bytes{0x10, 0xF0}};
  EXPECT_EQ(read_png(lds::encode_png(grey)).pixels, (Bytes{0x10, 0x10, 0x10, 0xF0, 0xF0, 0xF0}));
}

TEST(FaceImageCodec, PngEncoderRejectsInconsistentBuffers) {
  EXPECT_EQ(code_of([] { lds::encode_png(DecodedImage{2, 2, 3, Bytes(11)}); }), ErrorCode::invalid_argument);
  EXPECT_EQ(code_of([] { lds::encode_png(DecodedImage{0, 2, 3, Bytes{}}); }), ErrorCode::invalid_argument);
  EXPECT_EQ(code_of([] { lds::encode_png(DecodedImage{1, 1, 2, Bytes(2)}); }), ErrorCode::invalid_argument);
  EXPECT_EQ(code_of([] {
              lds::encode_png(DecodedImage{5000, 1, 1, Bytes(5000)});
            }),
            ErrorCode::invalid_argument);
  EXPECT_EQ(code_of([] {
              lds::decode_face_image(FaceImage{FaceImage::Format::unknown, 1, 1, Bytes{1}});
            }),
            ErrorCode::not_supported);
}

TEST(FaceImageCodec, TruncatedOrCorruptJpegIsMalformed) {
  const Bytes& jpeg = default_jpeg();
  for (std::size_t length : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{20},
                             std::size_t{200}, jpeg.size() / 2, jpeg.size() - 2}) {
    SCOPED_TRACE(length);
    Bytes cut(jpeg.begin(), jpeg.begin() + static_cast<std::ptrdiff_t>(length));
    EXPECT_EQ(code_of([&] { lds::decode_jpeg(cut); }), ErrorCode::malformed_data);
  }
  EXPECT_EQ(code_of([] { lds::decode_jpeg(from_hex("89504E470D0A1A0A0000")); }), ErrorCode::malformed_data);
  const std::string message = message_of([&] { lds::decode_jpeg(Bytes(jpeg.begin(), jpeg.begin() + 2000)); });
  EXPECT_EQ(message.rfind("face image: JPEG: corrupt data", 0), 0u) << message;
}

TEST(FaceImageCodec, TruncatedOrCorruptJpeg2000IsMalformed) {
  const Bytes& jp2 = default_jpeg2000();
  const Bytes codestream = codestream_of(jp2);
  for (const Bytes* image : {&jp2, &codestream}) {
    for (std::size_t length : {std::size_t{0}, std::size_t{4}, std::size_t{12}, std::size_t{40},
                               std::size_t{90}, std::size_t{300}, image->size() / 2, image->size() - 1}) {
      SCOPED_TRACE(length);
      Bytes cut(image->begin(), image->begin() + static_cast<std::ptrdiff_t>(length));
      EXPECT_EQ(code_of([&] { lds::decode_jpeg2000(cut); }), ErrorCode::malformed_data);
    }
  }
  // A SIZ marker segment with a wrong length.
  Bytes bad_siz = codestream;
  bad_siz[5] = 0x05;
  EXPECT_EQ(code_of([&] { lds::decode_jpeg2000(bad_siz); }), ErrorCode::malformed_data);
  EXPECT_EQ(code_of([] { lds::decode_jpeg2000(from_hex("FFD8FFE000104A4649460001")); }),
            ErrorCode::malformed_data);
  const std::string message = message_of([&] { lds::decode_jpeg2000(Bytes(jp2.begin(), jp2.begin() + 90)); });
  EXPECT_EQ(message.rfind("face image: JPEG 2000: corrupt data", 0), 0u) << message;
}

// SIZ: FF51 Lsiz(2) Rsiz(2) Xsiz(4) Ysiz(4) XOsiz(4) YOsiz(4) XTsiz(4) YTsiz(4) ...; SOF0: FFC0 L(2) P(1)
// Y(2) X(2). A header that claims more pixels than the bounds is refused before any pixel is allocated.
TEST(FaceImageCodec, OversizedDimensionsAreRefusedFromTheHeader) {
  Bytes codestream = codestream_of(default_jpeg2000());
  auto put32 = [&](std::size_t offset, std::uint32_t value) {
    const Bytes b = be_bytes(value, 4);
    std::copy(b.begin(), b.end(), codestream.begin() + static_cast<std::ptrdiff_t>(offset));
  };
  put32(8, 5000);   // Xsiz
  put32(12, 5000);  // Ysiz
  put32(24, 5000);  // XTsiz: one tile
  put32(28, 5000);  // YTsiz
  EXPECT_EQ(code_of([&] { lds::decode_jpeg2000(codestream); }), ErrorCode::limit_exceeded);
  put32(8, 3000);  // each side within 4096, the pixel count not
  put32(12, 3000);
  EXPECT_EQ(code_of([&] { lds::decode_jpeg2000(codestream); }), ErrorCode::limit_exceeded);

  Bytes jpeg = default_jpeg();
  const std::array<std::uint8_t, 2> sof0{0xFF, 0xC0};
  auto sof = std::search(jpeg.begin(), jpeg.end(), sof0.begin(), sof0.end());
  ASSERT_NE(sof, jpeg.end());
  const std::size_t at = static_cast<std::size_t>(sof - jpeg.begin());
  jpeg[at + 5] = 0x27;  // height 10000
  jpeg[at + 6] = 0x10;
  EXPECT_EQ(code_of([&] { lds::decode_jpeg(jpeg); }), ErrorCode::limit_exceeded);
  EXPECT_EQ(code_of([&] { lds::read_image_size(jpeg, FaceImage::Format::jpeg); }), ErrorCode::limit_exceeded);
}

// Random damage anywhere: every outcome is a decoded picture within the bounds or a cccd::Error of the
// documented kinds, never a crash, an abort or another exception.
TEST(FaceImageCodec, RandomlyDamagedImagesNeverCrash) {
  std::mt19937 random(20241122);
  for (const Bytes* original : {&default_jpeg(), &default_jpeg2000()}) {
    for (int round = 0; round < 60; ++round) {
      Bytes damaged = *original;
      // Even rounds damage the headers (the first 600 bytes), odd rounds anywhere.
      const std::size_t span = round % 2 == 0 ? std::min<std::size_t>(damaged.size(), 600) : damaged.size();
      std::uniform_int_distribution<std::size_t> position(0, span - 1);
      std::uniform_int_distribution<int> byte(0, 255);
      for (int i = 0; i < 4; ++i) damaged[position(random)] = static_cast<std::uint8_t>(byte(random));
      const FaceImage::Format format =
          original == &default_jpeg() ? FaceImage::Format::jpeg : FaceImage::Format::jpeg2000;
      try {
        const DecodedImage decoded = lds::decode_face_image(FaceImage{format, 0, 0, damaged});
        EXPECT_LE(std::size_t(decoded.width) * std::size_t(decoded.height), lds::kMaxImagePixels);
        EXPECT_EQ(decoded.pixels.size(),
                  std::size_t(decoded.width) * std::size_t(decoded.height) * std::size_t(decoded.channels));
      } catch (const Error& e) {
        EXPECT_TRUE(e.code() == ErrorCode::malformed_data || e.code() == ErrorCode::limit_exceeded ||
                    e.code() == ErrorCode::not_supported)
            << e.what();
      }
    }
  }
}

// ---- DG2 records -------------------------------------------------------------------------------

TEST(FaceRecord39794, JpegWithImageSizeBlock) {
  Record39794 record;
  record.image = default_jpeg();
  const FaceImage face = lds::parse_dg2(dg2_with(face_image_data_block(record)));
  EXPECT_EQ(face.format, FaceImage::Format::jpeg);
  EXPECT_EQ(face.width, sim::kFaceWidth);
  EXPECT_EQ(face.height, sim::kFaceHeight);
  EXPECT_EQ(face.data, default_jpeg());
}

TEST(FaceRecord39794, Jpeg2000LossyAndLosslessCodes) {
  for (std::uint64_t code : {3, 4}) {
    Record39794 record;
    record.image = default_jpeg2000();
    record.format_code = code;
    record.size = std::pair{123, 456};  // the record's word is taken, as with 19794-5
    const FaceImage face = lds::parse_dg2(dg2_with(face_image_data_block(record)));
    EXPECT_EQ(face.format, FaceImage::Format::jpeg2000);
    EXPECT_EQ(face.width, 123);
    EXPECT_EQ(face.height, 456);
    EXPECT_EQ(lds::decode_face_image(face).pixels, drawn_default_face());
  }
}

TEST(FaceRecord39794, WithoutSizeBlockTheImageHeaderGivesTheSize) {
  for (bool jpeg2000 : {false, true}) {
    Record39794 record;
    record.image = jpeg2000 ? default_jpeg2000() : default_jpeg();
    record.format_code = jpeg2000 ? 4 : 2;
    record.size.reset();
    record.with_optional_elements = false;
    const FaceImage face = lds::parse_dg2(dg2_with(face_image_data_block(record)));
    EXPECT_EQ(face.width, sim::kFaceWidth);
    EXPECT_EQ(face.height, sim::kFaceHeight);
  }
}

TEST(FaceRecord39794, UnsupportedRepresentationsSayWhy) {
  Record39794 png;
  png.image = from_hex("89504E470D0A1A0A");
  png.format_code = 5;
  EXPECT_EQ(code_of([&] { lds::parse_dg2(dg2_with(face_image_data_block(png))); }), ErrorCode::not_supported);
  Record39794 shape;
  shape.image = default_jpeg();
  shape.three_d = true;
  EXPECT_EQ(code_of([&] { lds::parse_dg2(dg2_with(face_image_data_block(shape))); }),
            ErrorCode::not_supported);
  Record39794 many;
  many.image = from_hex("FFD8FFE000104A46494600010100000100010000FFD9");
  many.representations = 5;
  EXPECT_EQ(code_of([&] { lds::parse_dg2(dg2_with(face_image_data_block(many))); }),
            ErrorCode::limit_exceeded);
}

TEST(FaceRecord39794, MalformedRecordsAreMalformed) {
  const Bytes jpeg = from_hex("FFD8FFE000104A46494600010100000100010000FFD9");
  auto with = [&](auto change) {
    Record39794 r;
    r.image = jpeg;
    change(r);
    return face_image_data_block(r);
  };
  const Bytes valid = with([](Record39794&) {});
  Bytes lying_image_length = valid;
  // The image's 80 element: its length byte one larger than the bytes there.
  const std::size_t image_at = static_cast<std::size_t>(
      std::search(lying_image_length.begin(), lying_image_length.end(), jpeg.begin(), jpeg.begin() + 3) -
      lying_image_length.begin());
  lying_image_length[image_at - 1] = static_cast<std::uint8_t>(jpeg.size() + 1);
  Bytes trailing = valid;
  trailing.push_back(0x00);
  Bytes wrong_application_tag = valid;
  wrong_application_tag[0] = 0x66;
  const std::vector<std::pair<std::string, Bytes>> cases = {
      {"image bytes are PNG, format says JPEG",
       with([](Record39794& r) { r.image = from_hex("89504E470D0A1A0A"); })},
      {"JPEG 2000 declared, JPEG inside", with([](Record39794& r) { r.format_code = 3; })},
      {"empty image", with([](Record39794& r) { r.image.clear(); })},
      {"no representation",
       asn1::tlv(0x65, {asn1::tlv(0xA0, {context_integer(0x80, 3), context_integer(0x81, 2019)}),
                        asn1::tlv(0xA1, Bytes{})})},
      {"no version block", asn1::tlv(0x65, asn1::tlv(0xA1, Bytes{}))},
      {"image length runs past", lying_image_length},
      {"byte after the data block", trailing},
      {"width above 65535", with([](Record39794& r) {
         r.size = std::pair{70000, 10};
       })},
      {"not APPLICATION 5 and not FAC", wrong_application_tag},
  };
  for (const auto& [name, block] : cases) {
    SCOPED_TRACE(name);
    // A structured binding is captured explicitly: clang 14 cannot capture one implicitly.
    EXPECT_EQ(code_of([&block = block] { lds::parse_dg2(dg2_with(block)); }), ErrorCode::malformed_data);
  }
  EXPECT_EQ(message_of([&] { lds::parse_dg2(dg2_with(lying_image_length)); }).rfind("DG2: ", 0), 0u);
}

// Every cut of a DG2 (a 39794-5 one, and the virtual card's 19794-5 one with a JPEG 2000 face) is
// malformed: the outer length always runs past the end.
TEST(FaceRecord39794, EveryTruncationIsMalformed) {
  Record39794 record;
  record.image = from_hex("FFD8FFE000104A46494600010100000100010000FFD9");
  const Bytes dg2 = dg2_with(face_image_data_block(record));
  for (std::size_t length = 0; length < dg2.size(); ++length) {
    Bytes cut(dg2.begin(), dg2.begin() + static_cast<std::ptrdiff_t>(length));
    ASSERT_EQ(code_of([&] { lds::parse_dg2(cut); }), ErrorCode::malformed_data) << length;
  }
  const Bytes jp2_dg2 = sim::build_dg2(sim::Holder{}, 1, sim::FaceFormat::jpeg2000);
  for (std::size_t length = 0; length < jp2_dg2.size(); length += length < 200 ? 1 : 997) {
    Bytes cut(jp2_dg2.begin(), jp2_dg2.begin() + static_cast<std::ptrdiff_t>(length));
    ASSERT_EQ(code_of([&] { lds::parse_dg2(cut); }), ErrorCode::malformed_data) << length;
  }
}

TEST(FaceRecord19794, ZeroDimensionsComeFromTheImageHeader) {
  Bytes dg2 = sim::build_dg2(sim::Holder{}, 1);
  // The image information's width and height (after 75/7F61/02/7F60/A1/5F2E headers and the 14 + 20
  // bytes of record and face headers) set to 0: unspecified.
  const std::array<std::uint8_t, 4> size_bytes{0x00, 0xF0, 0x01, 0x40};
  auto at = std::search(dg2.begin(), dg2.end(), size_bytes.begin(), size_bytes.end());
  ASSERT_NE(at, dg2.end());
  std::fill(at, at + 4, 0);
  const FaceImage face = lds::parse_dg2(dg2);
  EXPECT_EQ(face.width, sim::kFaceWidth);
  EXPECT_EQ(face.height, sim::kFaceHeight);
}

TEST(FaceRecord19794, VirtualCardCarriesAJpeg2000Face) {
  const Bytes dg2 = sim::build_dg2(sim::Holder{}, 1, sim::FaceFormat::jpeg2000);
  const FaceImage face = lds::parse_dg2(dg2);
  EXPECT_EQ(face.format, FaceImage::Format::jpeg2000);
  EXPECT_EQ(face.width, sim::kFaceWidth);
  EXPECT_EQ(face.height, sim::kFaceHeight);
  EXPECT_EQ(face.data, default_jpeg2000());
  // 19794-5 image data type 1 (JPEG 2000) in the image information.
  const std::array<std::uint8_t, 6> information{0x01, 0x01, 0x00, 0xF0, 0x01, 0x40};
  EXPECT_NE(std::search(dg2.begin(), dg2.end(), information.begin(), information.end()), dg2.end());

  sim::GeneratorOptions options;
  options.face_format = sim::FaceFormat::jpeg2000;
  const sim::CardData card = sim::generate_card(options);
  EXPECT_EQ(card.files.at(FileId::dg2), dg2);
}

// ---- cccd-verify read --photo ------------------------------------------------------------------

test::ProgramRun run_program(const std::string& program, const std::string& arguments) {
  return test::run_program(std::string(CCCD_BINARY_DIR) + "/" + program + " " + arguments);
}

const std::string kRead = "read --id 001099012345 --json --sim";

unsigned mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  return info.st_mode & 0777;
}

TEST(FaceImageCli, PngFromTheJpegCardMatchesTheGeneratedFace) {
  test::TempDir dir;
  const fs::path photo = dir.path() / "face.png";
  const test::ProgramRun run = run_program("cccd-verify", kRead + " --photo " + photo.string());
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(nlohmann::json::parse(run.out)["verdict"]["overall"], "verified");
  EXPECT_EQ(mode_of(photo), 0600u);
  const DecodedImage png = read_png(read_file(photo));
  ASSERT_EQ(png.width, sim::kFaceWidth);
  ASSERT_EQ(png.height, sim::kFaceHeight);
  // Exactly the chip's JPEG decoded, and that within JPEG's loss of the generator's drawing.
  const FaceImage face = lds::parse_dg2(sim::default_card().files.at(FileId::dg2));
  EXPECT_EQ(png.pixels, lds::decode_jpeg(face.data).pixels);
  const Difference d = difference(png.pixels, drawn_default_face());
  EXPECT_LT(d.mean_absolute, kJpegMeanAbsoluteTolerance);
  EXPECT_GT(d.psnr, kJpegMinimumPsnr);
}

TEST(FaceImageCli, PngFromAJpeg2000CardIsExactlyTheGeneratedFace) {
  test::TempDir dir;
  const fs::path card = dir.path() / "card";
  const test::ProgramRun made = run_program("cccd-sim", "personalise " + card.string() + " --face jp2");
  ASSERT_EQ(made.exit_code, 0) << made.out;

  const fs::path photo = dir.path() / "FACE.PNG";  // the extension in any case
  const test::ProgramRun run =
      run_program("cccd-verify", kRead + " " + card.string() + " --trust " + (card / "csca.pem").string() +
                                     " --photo " + photo.string());
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const nlohmann::json result = nlohmann::json::parse(run.out);
  EXPECT_EQ(result["verdict"]["overall"], "verified");
  EXPECT_EQ(result["document"]["photo"]["format"], "jpeg2000");
  EXPECT_EQ(result["document"]["photo"]["width"], sim::kFaceWidth);
  EXPECT_EQ(result["document"]["photo"]["height"], sim::kFaceHeight);
  EXPECT_EQ(mode_of(photo), 0600u);
  EXPECT_EQ(read_png(read_file(photo)).pixels, drawn_default_face());  // lossless all the way

  // As stored: .jp2 gives the chip's bytes; .jpg is refused with the extensions that work.
  const fs::path stored = dir.path() / "face.jp2";
  ASSERT_EQ(run_program("cccd-verify", kRead + " " + card.string() + " --photo " + stored.string()).exit_code,
            0);
  EXPECT_EQ(read_file(stored), default_jpeg2000());
  EXPECT_EQ(mode_of(stored), 0600u);
  const fs::path wrong = dir.path() / "face.jpg";
  const test::ProgramRun refused =
      run_program("cccd-verify", kRead + " " + card.string() + " --photo " + wrong.string());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(nlohmann::json::parse(refused.out)["error"]["code"], "invalid_argument");
  EXPECT_NE(refused.out.find(".jp2"), std::string::npos) << refused.out;
  EXPECT_FALSE(fs::exists(wrong));
}

TEST(FaceImageCli, StoredJpegAndRefusedNames) {
  test::TempDir dir;
  const fs::path jpeg = dir.path() / "face.JPEG";
  ASSERT_EQ(run_program("cccd-verify", kRead + " --photo " + jpeg.string()).exit_code, 0);
  EXPECT_EQ(read_file(jpeg), default_jpeg());
  // A JPEG card asked for a .jp2: refused, nothing written.
  const fs::path jp2 = dir.path() / "face.jp2";
  EXPECT_EQ(run_program("cccd-verify", kRead + " --photo " + jp2.string()).exit_code, 2);
  EXPECT_FALSE(fs::exists(jp2));
  // An extension that names no format: a usage error before the card is read.
  for (const char* name : {"face.gif", "face", "face.png.txt"}) {
    SCOPED_TRACE(name);
    const test::ProgramRun run =
        run_program("cccd-verify", kRead + " --photo " + (dir.path() / name).string());
    EXPECT_EQ(run.exit_code, 2);
    const nlohmann::json result = nlohmann::json::parse(run.out);
    EXPECT_EQ(result["error"]["code"], "invalid_argument");
    EXPECT_EQ(result.count("stats"), 0u);  // no read happened
    EXPECT_FALSE(fs::exists(dir.path() / name));
  }
}

}  // namespace
}  // namespace cccd
