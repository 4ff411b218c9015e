#include "lds/face_image_codec.hpp"

#include <cccd/error.hpp>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

// clang-format off: libjpeg's header needs <cstdio> first.
#include <jpeglib.h>
// clang-format on
#include <openjpeg.h>
#include <png.h>

namespace cccd::lds {
namespace {

[[noreturn]] void malformed(const std::string& what) {
  throw Error(ErrorCode::malformed_data, "face image: " + what);
}

// The bounds every decoder applies to the header's dimensions before it allocates pixels.
void check_dimensions(const char* codec, std::uint64_t width, std::uint64_t height) {
  if (width == 0 || height == 0) malformed(std::string(codec) + ": image without pixels");
  if (width > kMaxImageSide || height > kMaxImageSide || width * height > kMaxImagePixels) {
    throw Error(ErrorCode::limit_exceeded, std::string("face image: ") + codec + ": " +
                                               std::to_string(width) + " x " + std::to_string(height) +
                                               " pixels, more than allowed");
  }
}

// ---- JPEG (libjpeg) --------------------------------------------------------------------------------

// libjpeg reports a fatal error through error_exit, which must not return: it jumps back to the
// decoder's frame, keeping libjpeg's message. Warnings (corrupt or truncated data that libjpeg would
// paper over with grey) are counted and turned into malformed_data afterwards.
struct JpegErrors {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_fatal(j_common_ptr info) {
  auto* errors = reinterpret_cast<JpegErrors*>(info->err);
  errors->manager.format_message(info, errors->message);
  std::longjmp(errors->jump, 1);
}

void jpeg_count_warning(j_common_ptr info, int level) {
  if (level < 0) {
    auto* errors = reinterpret_cast<JpegErrors*>(info->err);
    if (errors->manager.num_warnings == 0) errors->manager.format_message(info, errors->message);
    ++errors->manager.num_warnings;
  }
}

enum class JpegStatus { ok, corrupt, too_large, unsupported_colour };

// What one run of libjpeg produced: plain C data, so that nothing with a destructor lives in the frame
// that setjmp returns to.
struct JpegRun {
  JpegStatus status = JpegStatus::ok;
  unsigned width = 0;
  unsigned height = 0;
  int channels = 0;
  unsigned char* pixels = nullptr;  // malloc'd; the caller frees it
  char message[JMSG_LENGTH_MAX] = {};
};

constexpr long kMaxJpegWorkingMemory = 128L * 1024 * 1024;

void run_libjpeg(const unsigned char* data, unsigned long size, bool header_only, JpegRun* run) {
  jpeg_decompress_struct info{};
  JpegErrors errors{};
  info.err = jpeg_std_error(&errors.manager);
  errors.manager.error_exit = jpeg_fatal;
  errors.manager.emit_message = jpeg_count_warning;
  unsigned char* volatile pixels = nullptr;
  if (setjmp(errors.jump) != 0) {
    std::free(pixels);
    jpeg_destroy_decompress(&info);
    run->status = JpegStatus::corrupt;
    std::memcpy(run->message, errors.message, sizeof run->message);
    return;
  }
  jpeg_create_decompress(&info);
  info.mem->max_memory_to_use = kMaxJpegWorkingMemory;
  jpeg_mem_src(&info, data, size);
  jpeg_read_header(&info, TRUE);
  run->width = info.image_width;
  run->height = info.image_height;
  if (info.image_width == 0 || info.image_height == 0 || info.image_width > kMaxImageSide ||
      info.image_height > kMaxImageSide ||
      std::uint64_t{info.image_width} * info.image_height > kMaxImagePixels) {
    run->status = JpegStatus::too_large;
    jpeg_destroy_decompress(&info);
    return;
  }
  if (header_only) {  // the size is all the caller wants, whatever the colour model
    jpeg_destroy_decompress(&info);
    return;
  }
  if (info.jpeg_color_space == JCS_GRAYSCALE && info.num_components == 1) {
    info.out_color_space = JCS_GRAYSCALE;
  } else if ((info.jpeg_color_space == JCS_YCbCr || info.jpeg_color_space == JCS_RGB) &&
             info.num_components == 3) {
    info.out_color_space = JCS_RGB;
  } else {
    run->status = JpegStatus::unsupported_colour;
    jpeg_destroy_decompress(&info);
    return;
  }
  jpeg_start_decompress(&info);
  const std::size_t stride =
      std::size_t{info.output_width} * static_cast<std::size_t>(info.output_components);
  pixels = static_cast<unsigned char*>(std::malloc(stride * info.output_height));
  if (pixels == nullptr) {
    jpeg_destroy_decompress(&info);
    run->status = JpegStatus::too_large;
    return;
  }
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = pixels + std::size_t{info.output_scanline} * stride;
    // A memory source never suspends; a zero here would loop forever, so it ends the decode instead.
    if (jpeg_read_scanlines(&info, &row, 1) != 1) {
      std::free(pixels);
      jpeg_destroy_decompress(&info);
      run->status = JpegStatus::corrupt;
      return;
    }
  }
  jpeg_finish_decompress(&info);
  run->width = info.output_width;
  run->height = info.output_height;
  run->channels = info.output_components;
  if (errors.manager.num_warnings > 0) {
    std::free(pixels);
    run->status = JpegStatus::corrupt;
    std::memcpy(run->message, errors.message, sizeof run->message);
  } else {
    run->pixels = pixels;
  }
  jpeg_destroy_decompress(&info);
}

struct FreeDeleter {
  void operator()(unsigned char* p) const noexcept { std::free(p); }
};

JpegRun libjpeg(ByteView jpeg, bool header_only) {
  if (jpeg.empty()) malformed("JPEG: no data");
  if (jpeg.size() > std::numeric_limits<unsigned long>::max()) malformed("JPEG: too large");
  JpegRun run;
  run_libjpeg(jpeg.data(), static_cast<unsigned long>(jpeg.size()), header_only, &run);
  switch (run.status) {
    case JpegStatus::ok:
      break;
    case JpegStatus::corrupt:
      malformed(std::string("JPEG: corrupt data (libjpeg: ") + run.message + ")");
    case JpegStatus::too_large:
      check_dimensions("JPEG", run.width, run.height);
      throw Error(ErrorCode::limit_exceeded, "face image: JPEG: no memory for the pixels");
    case JpegStatus::unsupported_colour:
      throw Error(ErrorCode::not_supported, "face image: JPEG: colour model other than grey or RGB (CMYK?)");
  }
  return run;
}

// ---- JPEG 2000 (OpenJPEG) --------------------------------------------------------------------------

// A read-only OpenJPEG stream over borrowed bytes.
struct MemorySource {
  ByteView data;
  std::size_t position = 0;
};

OPJ_SIZE_T source_read(void* buffer, OPJ_SIZE_T wanted, void* user) {
  auto* source = static_cast<MemorySource*>(user);
  const std::size_t left = source->data.size() - source->position;
  if (left == 0) return static_cast<OPJ_SIZE_T>(-1);  // OpenJPEG's "end of stream"
  const std::size_t n = std::min<std::size_t>(left, wanted);
  std::memcpy(buffer, source->data.data() + source->position, n);
  source->position += n;
  return n;
}

OPJ_OFF_T source_skip(OPJ_OFF_T count, void* user) {
  auto* source = static_cast<MemorySource*>(user);
  if (count < 0) {
    if (static_cast<std::uint64_t>(-count) > source->position) return -1;
    source->position -= static_cast<std::size_t>(-count);
    return count;
  }
  const std::size_t left = source->data.size() - source->position;
  const std::size_t n = std::min<std::uint64_t>(left, static_cast<std::uint64_t>(count));
  if (n == 0 && count > 0) return -1;
  source->position += n;
  return static_cast<OPJ_OFF_T>(n);
}

OPJ_BOOL source_seek(OPJ_OFF_T offset, void* user) {
  auto* source = static_cast<MemorySource*>(user);
  if (offset < 0 || static_cast<std::uint64_t>(offset) > source->data.size()) return OPJ_FALSE;
  source->position = static_cast<std::size_t>(offset);
  return OPJ_TRUE;
}

// OpenJPEG's messages arrive through callbacks; the first error is kept for the exception.
struct OpjMessages {
  std::string first_error;
};

void opj_on_error(const char* message, void* user) {
  auto* messages = static_cast<OpjMessages*>(user);
  if (!messages->first_error.empty() || message == nullptr) return;
  std::string text(message, strnlen(message, 200));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  messages->first_error = text.empty() ? "error" : text;
}

void opj_quiet(const char*, void*) {}

struct CodecDeleter {
  void operator()(opj_codec_t* codec) const noexcept { opj_destroy_codec(codec); }
};
struct StreamDeleter {
  void operator()(opj_stream_t* stream) const noexcept { opj_stream_destroy(stream); }
};
struct ImageDeleter {
  void operator()(opj_image_t* image) const noexcept { opj_image_destroy(image); }
};

bool starts_with(ByteView data, std::initializer_list<std::uint8_t> magic) {
  return data.size() >= magic.size() && std::equal(magic.begin(), magic.end(), data.begin());
}

// One OpenJPEG decoder over the bytes: JP2 file (signature box) or bare J2K codestream (SOC SIZ).
class Jpeg2000Decoder {
 public:
  explicit Jpeg2000Decoder(ByteView data) : source_{data, 0} {
    OPJ_CODEC_FORMAT format;
    if (starts_with(data, {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A})) {
      format = OPJ_CODEC_JP2;
    } else if (starts_with(data, {0xFF, 0x4F, 0xFF, 0x51})) {
      format = OPJ_CODEC_J2K;
    } else {
      malformed("JPEG 2000: neither a JP2 file nor a codestream");
    }
    codec_.reset(opj_create_decompress(format));
    stream_.reset(opj_stream_create(64 * 1024, OPJ_TRUE));
    if (!codec_ || !stream_) throw Error(ErrorCode::internal, "face image: OpenJPEG could not start");
    opj_set_error_handler(codec_.get(), opj_on_error, &messages_);
    opj_set_warning_handler(codec_.get(), opj_quiet, nullptr);
    opj_set_info_handler(codec_.get(), opj_quiet, nullptr);
    opj_dparameters_t parameters;
    opj_set_default_decoder_parameters(&parameters);
    if (!opj_setup_decoder(codec_.get(), &parameters)) fail("decoder setup");
    // Strict: a truncated codestream is an error, not a partly decoded (blurred or grey) picture.
    if (!opj_decoder_set_strict_mode(codec_.get(), OPJ_TRUE)) fail("decoder setup");
    opj_stream_set_user_data(stream_.get(), &source_, nullptr);
    opj_stream_set_user_data_length(stream_.get(), data.size());
    opj_stream_set_read_function(stream_.get(), source_read);
    opj_stream_set_skip_function(stream_.get(), source_skip);
    opj_stream_set_seek_function(stream_.get(), source_seek);
  }

  // Reads the main header and checks the geometry against the bounds.
  const opj_image_t& read_header() {
    opj_image_t* image = nullptr;
    const OPJ_BOOL ok = opj_read_header(stream_.get(), codec_.get(), &image);
    image_.reset(image);
    if (!ok || !image_) fail("header");
    const opj_image_t& header = *image_;
    if (header.x1 <= header.x0 || header.y1 <= header.y0) malformed("JPEG 2000: image without pixels");
    check_dimensions("JPEG 2000", header.x1 - header.x0, header.y1 - header.y0);
    if (header.numcomps == 0 || header.comps == nullptr) malformed("JPEG 2000: no image components");
    if (header.numcomps > 4) {
      throw Error(ErrorCode::not_supported, "face image: JPEG 2000: more than 4 image components");
    }
    if (header.color_space == OPJ_CLRSPC_CMYK || header.color_space == OPJ_CLRSPC_EYCC) {
      throw Error(ErrorCode::not_supported,
                  "face image: JPEG 2000: colour space other than grey, RGB or sYCC");
    }
    for (OPJ_UINT32 i = 0; i < header.numcomps; ++i) check_component(header.comps[i]);
    return header;
  }

  DecodedImage decode() {
    const opj_image_t& header = read_header();
    if (!opj_decode(codec_.get(), stream_.get(), image_.get())) fail("decoding");
    if (!opj_end_decompress(codec_.get(), stream_.get())) fail("decoding");
    const int width = static_cast<int>(header.x1 - header.x0);
    const int height = static_cast<int>(header.y1 - header.y0);
    const bool colour = header.numcomps >= 3;
    const OPJ_UINT32 used = colour ? 3 : 1;  // a 2nd or 4th component is alpha: dropped
    // Decoding may change the components (a JP2 palette expands into new ones): checked again.
    if (header.numcomps == 0 || header.comps == nullptr) malformed("JPEG 2000: no image components");
    for (OPJ_UINT32 i = 0; i < used; ++i) {
      const opj_image_comp_t& component = header.comps[i];
      check_component(component);
      if (component.data == nullptr) malformed("JPEG 2000: a component was not decoded");
      if (std::uint64_t{component.w} * component.h > kMaxImagePixels)
        malformed("JPEG 2000: component larger than the image");
    }
    // A codestream without a JP2 colour box whose chroma is subsampled is YCbCr, as OpenJPEG's own
    // tools assume.
    const bool ycc =
        colour &&
        (header.color_space == OPJ_CLRSPC_SYCC ||
         (header.color_space != OPJ_CLRSPC_SRGB && (header.comps[1].dx > 1 || header.comps[1].dy > 1 ||
                                                    header.comps[2].dx > 1 || header.comps[2].dy > 1)));

    DecodedImage out;
    out.width = width;
    out.height = height;
    out.channels = colour ? 3 : 1;
    out.pixels.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) *
                      static_cast<std::size_t>(out.channels));
    std::size_t index = 0;
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        int samples[3] = {0, 0, 0};
        for (OPJ_UINT32 c = 0; c < used; ++c) samples[c] = sample8(header, header.comps[c], x, y);
        if (ycc) {
          const double luma = samples[0];
          const double cb = samples[1] - 128.0;
          const double cr = samples[2] - 128.0;
          samples[0] = clamp8(luma + 1.402 * cr);
          samples[1] = clamp8(luma - 0.344136 * cb - 0.714136 * cr);
          samples[2] = clamp8(luma + 1.772 * cb);
        }
        for (OPJ_UINT32 c = 0; c < used; ++c) out.pixels[index++] = static_cast<std::uint8_t>(samples[c]);
      }
    }
    return out;
  }

 private:
  [[noreturn]] void fail(const char* stage) {
    std::string detail = messages_.first_error.empty() ? std::string("no detail") : messages_.first_error;
    malformed(std::string("JPEG 2000: corrupt data in the ") + stage + " (OpenJPEG: " + detail + ")");
  }

  static void check_component(const opj_image_comp_t& component) {
    if (component.prec == 0 || component.prec > 16) {
      throw Error(ErrorCode::not_supported, "face image: JPEG 2000: samples of more than 16 bits");
    }
    if (component.dx == 0 || component.dy == 0 || component.w == 0 || component.h == 0) {
      malformed("JPEG 2000: image component without samples");
    }
  }

  static int clamp8(double value) { return static_cast<int>(std::clamp(value + 0.5, 0.0, 255.0)); }

  // The component's sample under the image pixel (x, y), nearest neighbour for subsampled components,
  // scaled to 8 bits. Every index is clamped into the component, whatever its header claimed.
  static int sample8(const opj_image_t& image, const opj_image_comp_t& component, int x, int y) {
    const std::int64_t cx = (std::int64_t{image.x0} + x) / component.dx - component.x0;
    const std::int64_t cy = (std::int64_t{image.y0} + y) / component.dy - component.y0;
    const std::int64_t ix = std::clamp<std::int64_t>(cx, 0, std::int64_t{component.w} - 1);
    const std::int64_t iy = std::clamp<std::int64_t>(cy, 0, std::int64_t{component.h} - 1);
    std::int64_t value = component.data[static_cast<std::size_t>(iy * component.w + ix)];
    if (component.sgnd) value += std::int64_t{1} << (component.prec - 1);
    const std::int64_t max = (std::int64_t{1} << component.prec) - 1;
    value = std::clamp<std::int64_t>(value, 0, max);
    return static_cast<int>((value * 255 + max / 2) / max);
  }

  MemorySource source_;
  OpjMessages messages_;
  std::unique_ptr<opj_codec_t, CodecDeleter> codec_;
  std::unique_ptr<opj_stream_t, StreamDeleter> stream_;
  std::unique_ptr<opj_image_t, ImageDeleter> image_;
};

}  // namespace

DecodedImage decode_jpeg(ByteView jpeg) {
  JpegRun run = libjpeg(jpeg, false);
  std::unique_ptr<unsigned char, FreeDeleter> pixels(run.pixels);
  DecodedImage out;
  out.width = static_cast<int>(run.width);
  out.height = static_cast<int>(run.height);
  out.channels = run.channels;
  out.pixels.assign(pixels.get(), pixels.get() + std::size_t{run.width} * run.height *
                                                     static_cast<std::size_t>(run.channels));
  return out;
}

DecodedImage decode_jpeg2000(ByteView jpeg2000) {
  Jpeg2000Decoder decoder(jpeg2000);
  return decoder.decode();
}

DecodedImage decode_face_image(const FaceImage& face) {
  switch (face.format) {
    case FaceImage::Format::jpeg:
      return decode_jpeg(face.data);
    case FaceImage::Format::jpeg2000:
      return decode_jpeg2000(face.data);
    case FaceImage::Format::unknown:
      break;
  }
  throw Error(ErrorCode::not_supported, "face image: stored in a format other than JPEG or JPEG 2000");
}

ImageSize read_image_size(ByteView image, FaceImage::Format format) {
  switch (format) {
    case FaceImage::Format::jpeg: {
      JpegRun run = libjpeg(image, true);
      return {static_cast<int>(run.width), static_cast<int>(run.height)};
    }
    case FaceImage::Format::jpeg2000: {
      Jpeg2000Decoder decoder(image);
      const opj_image_t& header = decoder.read_header();
      return {static_cast<int>(header.x1 - header.x0), static_cast<int>(header.y1 - header.y0)};
    }
    case FaceImage::Format::unknown:
      break;
  }
  throw Error(ErrorCode::not_supported, "face image: stored in a format other than JPEG or JPEG 2000");
}

Bytes encode_png(const DecodedImage& image) {
  if (image.width <= 0 || image.height <= 0 || image.width > kMaxImageSide || image.height > kMaxImageSide ||
      (image.channels != 1 && image.channels != 3) ||
      image.pixels.size() != static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) *
                                 static_cast<std::size_t>(image.channels)) {
    throw Error(ErrorCode::invalid_argument, "PNG: pixel buffer does not match the dimensions");
  }
  png_image info{};
  info.version = PNG_IMAGE_VERSION;
  info.width = static_cast<png_uint_32>(image.width);
  info.height = static_cast<png_uint_32>(image.height);
  info.format = image.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  const png_int_32 stride = image.width * image.channels;
  png_alloc_size_t size = 0;
  // First call: the size the PNG needs; second: the PNG itself.
  if (!png_image_write_to_memory(&info, nullptr, &size, 0, image.pixels.data(), stride, nullptr) ||
      size == 0) {
    throw Error(ErrorCode::internal, "PNG: libpng could not size the image");
  }
  Bytes png(size);
  if (!png_image_write_to_memory(&info, png.data(), &size, 0, image.pixels.data(), stride, nullptr)) {
    throw Error(ErrorCode::internal, "PNG: libpng could not encode the image");
  }
  png.resize(size);
  return png;
}

Bytes face_image_png(const FaceImage& face) {
  return encode_png(decode_face_image(face));
}

}  // namespace cccd::lds
