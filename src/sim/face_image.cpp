#include "sim/face_image.hpp"

#include "sim/deterministic_random.hpp"

#include <cccd/error.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <jpeglib.h>
#include <openjpeg.h>

namespace cccd::sim {
namespace {

struct Colour {
  double r, g, b;
};

Colour jitter(const Colour& base, DeterministicStream& stream, double amount) {
  return {base.r + stream.uniform_real(-amount, amount), base.g + stream.uniform_real(-amount, amount),
          base.b + stream.uniform_real(-amount, amount)};
}

Colour scaled(const Colour& c, double factor) {
  return {c.r * factor, c.g * factor, c.b * factor};
}

// A floating-point canvas drawn with soft-edged shapes (one pixel of anti-aliasing), painter's order.
class Canvas {
 public:
  Canvas(int width, int height)
      : width_(width), height_(height), pixels_(static_cast<std::size_t>(width * height)) {}

  void fill(const Colour& top, const Colour& bottom) {
    for (int y = 0; y < height_; ++y) {
      const double t = static_cast<double>(y) / (height_ - 1);
      const Colour c{top.r + (bottom.r - top.r) * t, top.g + (bottom.g - top.g) * t,
                     top.b + (bottom.b - top.b) * t};
      for (int x = 0; x < width_; ++x) at(x, y) = c;
    }
  }

  // An ellipse (optionally clipped to y in [clip_top, clip_bottom]); `shade` darkens it towards its rim
  // (0 = flat), which gives faces and hair some volume.
  void ellipse(double cx, double cy, double rx, double ry, const Colour& colour, double opacity = 1.0,
               double shade = 0.0, double clip_top = -1e9, double clip_bottom = 1e9) {
    const int x0 = std::max(0, static_cast<int>(std::floor(cx - rx - 2)));
    const int x1 = std::min(width_ - 1, static_cast<int>(std::ceil(cx + rx + 2)));
    const int y0 =
        std::max({0, static_cast<int>(std::floor(cy - ry - 2)), static_cast<int>(std::floor(clip_top))});
    const int y1 = std::min(
        {height_ - 1, static_cast<int>(std::ceil(cy + ry + 2)), static_cast<int>(std::ceil(clip_bottom))});
    const double edge = std::min(rx, ry);
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) {
        const double dx = (x + 0.5 - cx) / rx;
        const double dy = (y + 0.5 - cy) / ry;
        const double d = std::sqrt(dx * dx + dy * dy);
        const double coverage = std::clamp(0.5 - (d - 1.0) * edge, 0.0, 1.0);
        if (coverage <= 0) continue;
        const double factor = 1.0 - shade * std::pow(std::min(d, 1.0), 4);
        blend(x, y, scaled(colour, factor), coverage * opacity);
      }
    }
  }

  // A thick line segment with round ends.
  void line(double xa, double ya, double xb, double yb, double thickness, const Colour& colour,
            double opacity = 1.0) {
    const double half = thickness / 2;
    const int x0 = std::max(0, static_cast<int>(std::floor(std::min(xa, xb) - half - 2)));
    const int x1 = std::min(width_ - 1, static_cast<int>(std::ceil(std::max(xa, xb) + half + 2)));
    const int y0 = std::max(0, static_cast<int>(std::floor(std::min(ya, yb) - half - 2)));
    const int y1 = std::min(height_ - 1, static_cast<int>(std::ceil(std::max(ya, yb) + half + 2)));
    const double vx = xb - xa, vy = yb - ya;
    const double length2 = std::max(vx * vx + vy * vy, 1e-9);
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) {
        const double px = x + 0.5 - xa, py = y + 0.5 - ya;
        const double t = std::clamp((px * vx + py * vy) / length2, 0.0, 1.0);
        const double ex = px - t * vx, ey = py - t * vy;
        const double coverage = std::clamp(half + 0.5 - std::sqrt(ex * ex + ey * ey), 0.0, 1.0);
        if (coverage > 0) blend(x, y, colour, coverage * opacity);
      }
    }
  }

  void noise(DeterministicStream& stream, double amount) {
    for (Colour& c : pixels_) {
      const double n = stream.uniform_real(-amount, amount);
      c = {c.r + n, c.g + n, c.b + n};
    }
  }

  Bytes rgb() const {
    Bytes out;
    out.reserve(pixels_.size() * 3);
    auto channel = [](double v) { return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0, 255.0))); };
    for (const Colour& c : pixels_) {
      out.push_back(channel(c.r));
      out.push_back(channel(c.g));
      out.push_back(channel(c.b));
    }
    return out;
  }

 private:
  Colour& at(int x, int y) { return pixels_[static_cast<std::size_t>(y * width_ + x)]; }
  void blend(int x, int y, const Colour& c, double alpha) {
    Colour& p = at(x, y);
    p = {p.r + (c.r - p.r) * alpha, p.g + (c.g - p.g) * alpha, p.b + (c.b - p.b) * alpha};
  }

  int width_;
  int height_;
  std::vector<Colour> pixels_;
};

constexpr std::array<Colour, 5> kSkinTones{
    {{226, 188, 152}, {212, 168, 130}, {236, 202, 172}, {200, 154, 116}, {220, 180, 140}}};
constexpr std::array<Colour, 3> kHairColours{{{28, 24, 22}, {46, 34, 28}, {60, 44, 34}}};
constexpr std::array<Colour, 5> kClothes{
    {{40, 52, 84}, {236, 236, 232}, {92, 34, 36}, {34, 34, 38}, {70, 96, 80}}};
constexpr std::array<Colour, 3> kBackgrounds{{{240, 242, 246}, {232, 238, 246}, {244, 244, 240}}};

template <std::size_t N>
const Colour& pick(const std::array<Colour, N>& palette, DeterministicStream& stream) {
  return palette[static_cast<std::size_t>(stream.uniform(0, static_cast<int>(N) - 1))];
}

// libjpeg reports fatal errors through error_exit, which must not return: it jumps back to the encoder.
struct JpegErrorManager {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
};

void jpeg_error_exit(j_common_ptr info) {
  auto* errors = reinterpret_cast<JpegErrorManager*>(info->err);
  std::longjmp(errors->jump, 1);
}

void jpeg_silent(j_common_ptr, int) {}

// Only plain C objects live in this frame between setjmp and longjmp. Returns false if libjpeg failed.
bool compress(const std::uint8_t* rgb, int width, int height, int quality, unsigned char** output,
              unsigned long* output_size) {
  jpeg_compress_struct info{};
  JpegErrorManager errors{};
  info.err = jpeg_std_error(&errors.manager);
  errors.manager.error_exit = jpeg_error_exit;
  errors.manager.emit_message = jpeg_silent;
  if (setjmp(errors.jump) != 0) {
    jpeg_destroy_compress(&info);
    return false;
  }
  jpeg_create_compress(&info);
  jpeg_mem_dest(&info, output, output_size);
  info.image_width = static_cast<JDIMENSION>(width);
  info.image_height = static_cast<JDIMENSION>(height);
  info.input_components = 3;
  info.in_color_space = JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, quality, TRUE);
  info.write_JFIF_header = TRUE;
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(rgb + static_cast<std::size_t>(info.next_scanline) *
                                                  static_cast<std::size_t>(width) * 3);
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  return true;
}

// A growing, seekable OpenJPEG output stream in memory (the JP2 writer seeks back to fill in box lengths).
struct MemorySink {
  Bytes data;
  std::size_t position = 0;
};

constexpr std::size_t kMaxEncodedImage = 16 * 1024 * 1024;

OPJ_SIZE_T sink_write(void* buffer, OPJ_SIZE_T count, void* user) {
  auto* sink = static_cast<MemorySink*>(user);
  if (count > kMaxEncodedImage || sink->position + count > kMaxEncodedImage)
    return static_cast<OPJ_SIZE_T>(-1);
  if (sink->position + count > sink->data.size()) sink->data.resize(sink->position + count);
  std::memcpy(sink->data.data() + sink->position, buffer, count);
  sink->position += count;
  return count;
}

OPJ_OFF_T sink_skip(OPJ_OFF_T count, void* user) {
  auto* sink = static_cast<MemorySink*>(user);
  if (count < 0 || sink->position + static_cast<std::size_t>(count) > kMaxEncodedImage) return -1;
  sink->position += static_cast<std::size_t>(count);
  if (sink->position > sink->data.size()) sink->data.resize(sink->position);
  return count;
}

OPJ_BOOL sink_seek(OPJ_OFF_T offset, void* user) {
  auto* sink = static_cast<MemorySink*>(user);
  if (offset < 0 || static_cast<std::size_t>(offset) > sink->data.size()) return OPJ_FALSE;
  sink->position = static_cast<std::size_t>(offset);
  return OPJ_TRUE;
}

void opj_silent(const char*, void*) {}

struct OpjCodecDeleter {
  void operator()(opj_codec_t* codec) const noexcept { opj_destroy_codec(codec); }
};
struct OpjStreamDeleter {
  void operator()(opj_stream_t* stream) const noexcept { opj_stream_destroy(stream); }
};
struct OpjImageDeleter {
  void operator()(opj_image_t* image) const noexcept { opj_image_destroy(image); }
};

void check_rgb(ByteView rgb, int width, int height, const char* codec) {
  if (width <= 0 || height <= 0 || width > 4096 || height > 4096 ||
      rgb.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3) {
    throw Error(ErrorCode::invalid_argument,
                std::string(codec) + ": pixel buffer does not match the dimensions");
  }
}

}  // namespace

Bytes draw_face(std::uint64_t seed, FaceGender gender) {
  DeterministicStream stream(seed ^ 0x46414345'00000000ULL);  // "FACE": a stream of its own
  Canvas canvas(kFaceWidth, kFaceHeight);
  const Colour background = pick(kBackgrounds, stream);
  canvas.fill(background, scaled(background, 0.93));

  const Colour skin = jitter(pick(kSkinTones, stream), stream, 6);
  const Colour hair = jitter(pick(kHairColours, stream), stream, 4);
  const Colour clothes = pick(kClothes, stream);
  const bool long_hair =
      gender == FaceGender::female || (gender == FaceGender::unspecified && stream.uniform(0, 1) == 1);

  const double cx = kFaceWidth / 2.0 + stream.uniform_real(-4, 4);
  const double cy = 148 + stream.uniform_real(-5, 5);
  const double rx = stream.uniform_real(58, 66);
  const double ry = stream.uniform_real(80, 88);

  // Back hair (behind the head), long hair falling to the shoulders.
  if (long_hair) {
    canvas.ellipse(cx, cy + 25, rx + 22, ry + 35, hair, 1.0, 0.25);  // ends behind the shoulders
  }
  // Body and neck.
  canvas.ellipse(cx, kFaceHeight + 60, 128, 120, clothes, 1.0, 0.2);
  canvas.ellipse(cx, cy + ry + 10, 30, 48, scaled(skin, 0.86), 1.0, 0.1, -1e9, kFaceHeight - 50);
  canvas.ellipse(cx, kFaceHeight - 52, 36, 10, scaled(skin, 0.8), 1.0, 0.0, kFaceHeight - 62,
                 kFaceHeight - 48);
  // Top of the hair, ears, face.
  canvas.ellipse(cx, cy - 16, rx + 9, ry + 2, hair, 1.0, 0.3, -1e9, cy + 10);
  canvas.ellipse(cx - rx + 2, cy + 6, 11, 19, scaled(skin, 0.93), 1.0, 0.2);
  canvas.ellipse(cx + rx - 2, cy + 6, 11, 19, scaled(skin, 0.93), 1.0, 0.2);
  canvas.ellipse(cx, cy, rx, ry, skin, 1.0, 0.22);
  // Fringe: a band of hair over the forehead with a slightly uneven lower edge.
  const double fringe = cy - ry * stream.uniform_real(0.5, 0.62);
  for (int strand = -4; strand <= 4; ++strand) {
    const double sx = cx + strand * rx / 5.0;
    canvas.ellipse(sx, fringe - 16, rx / 4.2, 22 + stream.uniform_real(-3, 5), hair, 1.0, 0.1);
  }
  canvas.ellipse(cx, cy - ry + 8, rx * 0.95, 26, hair, 1.0, 0.1);

  // Eyebrows, eyes, nose, mouth.
  const Colour brow = scaled(hair, 1.1);
  const double eye_y = cy - 8 + stream.uniform_real(-3, 3);
  const double eye_dx = rx * stream.uniform_real(0.38, 0.44);
  const double brow_lift = stream.uniform_real(14, 19);
  const double brow_thickness = gender == FaceGender::male ? 5.0 : 3.5;
  for (int side : {-1, 1}) {
    const double ex = cx + side * eye_dx;
    canvas.line(ex - side * 13, eye_y - brow_lift + 3, ex, eye_y - brow_lift - 2, brow_thickness, brow);
    canvas.line(ex, eye_y - brow_lift - 2, ex + side * 14, eye_y - brow_lift + 1, brow_thickness * 0.85,
                brow);
    canvas.ellipse(ex, eye_y + 1, 14, 7, scaled(skin, 0.82), 0.6);  // eye socket shadow
    canvas.ellipse(ex, eye_y, 11.5, 5.5, {242, 240, 236});
    canvas.ellipse(ex + stream.uniform_real(-0.8, 0.8), eye_y, 5, 5, {62, 42, 30}, 1.0, 0.3);
    canvas.ellipse(ex, eye_y, 2.2, 2.2, {12, 10, 10});
    canvas.ellipse(ex + 1.5, eye_y - 1.5, 1.0, 1.0, {250, 250, 250}, 0.9);
    canvas.line(ex - 11, eye_y - 3, ex + 11, eye_y - 3, 1.6, {40, 30, 28}, 0.8);  // upper lid
  }
  const double nose_length = stream.uniform_real(26, 32);
  canvas.line(cx - 2, eye_y + 6, cx - 5, eye_y + nose_length, 3, scaled(skin, 0.84), 0.7);
  canvas.ellipse(cx, eye_y + nose_length + 3, 12, 6, scaled(skin, 0.9), 0.7);
  canvas.ellipse(cx - 6, eye_y + nose_length + 4, 3, 2, scaled(skin, 0.6), 0.8);
  canvas.ellipse(cx + 6, eye_y + nose_length + 4, 3, 2, scaled(skin, 0.6), 0.8);
  const double mouth_y = eye_y + nose_length + stream.uniform_real(22, 27);
  const double mouth_w = stream.uniform_real(17, 22);
  const Colour lips{skin.r * 0.85 + 20, skin.g * 0.62, skin.b * 0.62};
  canvas.ellipse(cx, mouth_y - 2, mouth_w, 4, lips);
  canvas.ellipse(cx, mouth_y + 3, mouth_w * 0.85, 5, scaled(lips, 1.05));
  canvas.line(cx - mouth_w, mouth_y, cx + mouth_w, mouth_y, 1.6, scaled(lips, 0.55));
  canvas.ellipse(cx, mouth_y + 22, 16, 6, scaled(skin, 0.93), 0.5);  // chin

  canvas.noise(stream, 4.5);  // sensor noise: a flat synthetic image would compress unrealistically well
  return canvas.rgb();
}

Bytes encode_jpeg(ByteView rgb, int width, int height, int quality) {
  check_rgb(rgb, width, height, "JPEG");
  unsigned char* output = nullptr;
  unsigned long output_size = 0;
  const bool ok = compress(rgb.data(), width, height, std::clamp(quality, 1, 100), &output, &output_size);
  Bytes jpeg;
  if (ok && output != nullptr) jpeg.assign(output, output + output_size);
  std::free(output);  // jpeg_mem_dest buffers come from malloc
  if (!ok || jpeg.empty()) throw Error(ErrorCode::internal, "JPEG: libjpeg could not encode the face");
  return jpeg;
}

Bytes face_jpeg(std::uint64_t seed, FaceGender gender) {
  return encode_jpeg(draw_face(seed, gender), kFaceWidth, kFaceHeight, kFaceJpegQuality);
}

}  // namespace cccd::sim

namespace cccd::sim {

Bytes encode_jpeg2000(ByteView rgb, int width, int height) {
  check_rgb(rgb, width, height, "JPEG 2000");
  opj_image_cmptparm_t components[3];
  std::memset(components, 0, sizeof components);
  for (opj_image_cmptparm_t& component : components) {
    component.dx = 1;
    component.dy = 1;
    component.w = static_cast<OPJ_UINT32>(width);
    component.h = static_cast<OPJ_UINT32>(height);
    component.prec = 8;
    component.sgnd = 0;
  }
  std::unique_ptr<opj_image_t, OpjImageDeleter> image(opj_image_create(3, components, OPJ_CLRSPC_SRGB));
  if (!image) throw Error(ErrorCode::internal, "JPEG 2000: OpenJPEG could not allocate the image");
  image->x0 = 0;
  image->y0 = 0;
  image->x1 = static_cast<OPJ_UINT32>(width);
  image->y1 = static_cast<OPJ_UINT32>(height);
  const std::size_t pixels = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  for (std::size_t i = 0; i < pixels; ++i) {
    for (std::size_t c = 0; c < 3; ++c) image->comps[c].data[i] = rgb[i * 3 + c];
  }

  opj_cparameters_t parameters;
  opj_set_default_encoder_parameters(&parameters);
  // One quality layer at rate 0 with the reversible wavelet (the default, irreversible = 0): lossless.
  parameters.tcp_numlayers = 1;
  parameters.tcp_rates[0] = 0;
  parameters.cp_disto_alloc = 1;
  parameters.tcp_mct = 1;  // reversible colour transform for RGB

  std::unique_ptr<opj_codec_t, OpjCodecDeleter> codec(opj_create_compress(OPJ_CODEC_JP2));
  std::unique_ptr<opj_stream_t, OpjStreamDeleter> stream(
      opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_FALSE));
  if (!codec || !stream) throw Error(ErrorCode::internal, "JPEG 2000: OpenJPEG could not start");
  opj_set_error_handler(codec.get(), opj_silent, nullptr);
  opj_set_warning_handler(codec.get(), opj_silent, nullptr);
  opj_set_info_handler(codec.get(), opj_silent, nullptr);
  MemorySink sink;
  opj_stream_set_user_data(stream.get(), &sink, nullptr);
  opj_stream_set_write_function(stream.get(), sink_write);
  opj_stream_set_skip_function(stream.get(), sink_skip);
  opj_stream_set_seek_function(stream.get(), sink_seek);
  const bool ok = opj_setup_encoder(codec.get(), &parameters, image.get()) &&
                  opj_start_compress(codec.get(), image.get(), stream.get()) &&
                  opj_encode(codec.get(), stream.get()) && opj_end_compress(codec.get(), stream.get());
  if (!ok || sink.data.empty())
    throw Error(ErrorCode::internal, "JPEG 2000: OpenJPEG could not encode the face");
  return std::move(sink.data);
}

Bytes face_jpeg2000(std::uint64_t seed, FaceGender gender) {
  return encode_jpeg2000(draw_face(seed, gender), kFaceWidth, kFaceHeight);
}

Bytes face_image(std::uint64_t seed, FaceGender gender, FaceFormat format) {
  return format == FaceFormat::jpeg2000 ? face_jpeg2000(seed, gender) : face_jpeg(seed, gender);
}

}  // namespace cccd::sim
