#include "asn1/tlv.hpp"
#include "lds/face_image_codec.hpp"
#include "lds/lds.hpp"
#include "lds/parse_context.hpp"
#include "util/bytes.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

namespace cccd::lds {
namespace {

constexpr const char* kFile = "DG2";

[[noreturn]] void malformed(const std::string& what) {
  detail::malformed(kFile, what);
}

// Sizes of the parts of an ISO/IEC 19794-5:2005 facial record.
constexpr std::size_t kRecordHeaderSize = 14;  // "FAC\0", version, record length (4), number of faces (2)
constexpr std::size_t kFacialHeaderSize = 20;  // block length (4) ... pose angle uncertainty (3)
constexpr std::size_t kFeaturePointSize = 8;
constexpr std::size_t kImageInformationSize = 12;

// Reads big-endian fields from a span whose size the caller has already checked.
std::uint32_t be16(ByteView data, std::size_t offset) {
  return static_cast<std::uint32_t>(be_value(checked_subspan(data, offset, 2)));
}
std::uint32_t be32(ByteView data, std::size_t offset) {
  return static_cast<std::uint32_t>(be_value(checked_subspan(data, offset, 4)));
}

bool starts_with(ByteView data, std::initializer_list<std::uint8_t> magic) {
  return data.size() >= magic.size() && std::equal(magic.begin(), magic.end(), data.begin());
}

FaceImage::Format sniff_format(ByteView image) {
  if (starts_with(image, {0xFF, 0xD8, 0xFF})) return FaceImage::Format::jpeg;
  if (starts_with(image, {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20}))
    return FaceImage::Format::jpeg2000;
  if (starts_with(image, {0xFF, 0x4F, 0xFF, 0x51})) return FaceImage::Format::jpeg2000;  // bare codestream
  return FaceImage::Format::unknown;
}

// The biometric data block: an ISO/IEC 19794-5 facial record. Every length in it is checked against the
// bytes really there; the first face is returned.
FaceImage parse_facial_record(ByteView block) {
  if (block.size() < kRecordHeaderSize) malformed("facial record shorter than its header");
  if (!starts_with(block, {'F', 'A', 'C', 0x00})) malformed("facial record does not start with FAC");
  if (!starts_with(block.subspan(4), {'0', '1', '0', 0x00})) {
    throw Error(ErrorCode::not_supported, std::string(kFile) + ": facial record version other than 010");
  }
  std::uint32_t record_length = be32(block, 8);
  if (record_length < kRecordHeaderSize) malformed("facial record length shorter than its header");
  if (record_length > block.size()) malformed("facial record length runs past the biometric data block");
  ByteView record = block.first(record_length);
  std::uint32_t face_count = be16(record, 12);
  if (face_count == 0) malformed("facial record holds no face");

  ByteView faces = record.subspan(kRecordHeaderSize);
  if (faces.size() < kFacialHeaderSize) malformed("facial record cut before the first face");
  std::uint32_t face_length = be32(faces, 0);
  if (face_length > faces.size()) malformed("face block length runs past the facial record");
  if (face_length < kFacialHeaderSize + kImageInformationSize)
    malformed("face block shorter than its header");
  ByteView face = faces.first(face_length);
  std::size_t feature_points = be16(face, 4);
  std::size_t image_info_offset = kFacialHeaderSize + feature_points * kFeaturePointSize;
  if (image_info_offset + kImageInformationSize > face.size()) {
    malformed("feature points run past the face block");
  }
  ByteView info = face.subspan(image_info_offset, kImageInformationSize);
  ByteView image = face.subspan(image_info_offset + kImageInformationSize);
  if (image.empty()) malformed("face block holds no image");

  FaceImage result;
  std::uint8_t data_type = info[1];
  if (data_type == 0) {
    result.format = FaceImage::Format::jpeg;
  } else if (data_type == 1) {
    result.format = FaceImage::Format::jpeg2000;
  } else {
    malformed("unknown image data type");
  }
  if (sniff_format(image) != result.format)
    malformed("image bytes do not match the declared image data type");
  result.width = static_cast<int>(be16(info, 2));
  result.height = static_cast<int>(be16(info, 4));
  result.data.assign(image.begin(), image.end());
  return result;
}

// ---- ISO/IEC 39794-5 (tagged binary, DER) ----------------------------------------------------------
//
// FaceImageDataBlock ::= [APPLICATION 5] SEQUENCE {               -- 65
//   versionBlock [0] VersionBlock,                                -- A0 { 80 generation, 81 year }
//   representationBlocks [1] SEQUENCE OF RepresentationBlock,     -- A1 { 30 ... }
//   ... }
// RepresentationBlock ::= SEQUENCE {
//   representationId [0] INTEGER,                                 -- 80
//   imageRepresentation [1] CHOICE {                              -- A1 (explicit: a CHOICE)
//     base [0] CHOICE {                                           -- A0
//       imageRepresentation2DBlock [0] SEQUENCE {                 -- A0
//         representationData2D [0] OCTET STRING,                  -- 80: the image file
//         imageInformation2DBlock [1] SEQUENCE {                  -- A1
//           imageDataFormat [0] CHOICE { code [0] INTEGER, ... }, -- A0 { 80 code }
//           ... imageSizeBlock [7] SEQUENCE { width [0], height [1] } OPTIONAL ... } -- A7 { 80, 81 }
//         ... }
//       shapeRepresentation3DBlock [1] ... }
//     extensionBlock [1] ... }
//   ... }
// Every optional or extension element is skipped as a well-formed TLV without looking inside.

constexpr asn1::Tag kFaceImageDataBlock = 0x65;
constexpr std::uint64_t kFormatJpeg = 2;
constexpr std::uint64_t kFormatJpeg2000Lossy = 3;
constexpr std::uint64_t kFormatJpeg2000Lossless = 4;

// A context-specific primitive INTEGER ([n] IMPLICIT INTEGER) that must be >= 0.
std::uint64_t context_unsigned(const asn1::Tlv& element) {
  asn1::Tlv as_integer = element;
  as_integer.tag = 0x02;
  return asn1::decode_unsigned(as_integer);
}

// The one element of an explicitly tagged CHOICE, which must carry `wanted`; `what` names the other
// alternatives in the message.
asn1::Tlv choice(const asn1::Tlv& tagged, asn1::Tag wanted, const char* what) {
  asn1::TlvReader reader(tagged.value);
  asn1::Tlv chosen = reader.next();
  reader.expect_end();
  if (chosen.tag != wanted) {
    throw Error(ErrorCode::not_supported, std::string(kFile) + ": ISO/IEC 39794-5 " + what);
  }
  return chosen;
}

int image_side(std::uint64_t value) {
  if (value > 0xFFFF) malformed("ISO/IEC 39794-5 image size above 65535");
  return static_cast<int>(value);
}

FaceImage parse_representation(ByteView representation) {
  asn1::TlvReader reader(representation);
  context_unsigned(reader.expect(0x80));  // representationId: only checked to be an INTEGER
  asn1::Tlv image_representation = reader.expect(0xA1);
  while (!reader.empty()) reader.next();  // capture date, quality, PAD, device, landmarks ...

  asn1::Tlv base = choice(image_representation, 0xA0, "image representation is an extension block");
  asn1::Tlv block_2d = choice(base, 0xA0, "representation is not a 2D image (3D shape?)");
  asn1::TlvReader block_reader(block_2d.value);
  ByteView image = block_reader.expect(0x80).value;
  asn1::TlvReader info_reader(block_reader.expect(0xA1).value);
  while (!block_reader.empty()) block_reader.next();  // capture device, extensions

  asn1::Tlv format_choice = info_reader.expect(0xA0);
  std::uint64_t code =
      context_unsigned(choice(format_choice, 0x80, "image data format is an extension block"));
  std::optional<ImageSize> declared;
  while (!info_reader.empty()) {
    asn1::Tlv element = info_reader.next();
    if (element.tag != 0xA7) continue;  // kind, processing, distances, measurements, colour space ...
    if (declared) malformed("two ISO/IEC 39794-5 image size blocks");
    asn1::TlvReader size_reader(element.value);
    int width = image_side(context_unsigned(size_reader.expect(0x80)));
    int height = image_side(context_unsigned(size_reader.expect(0x81)));
    size_reader.expect_end();
    declared = ImageSize{width, height};
  }

  FaceImage result;
  if (code == kFormatJpeg) {
    result.format = FaceImage::Format::jpeg;
  } else if (code == kFormatJpeg2000Lossy || code == kFormatJpeg2000Lossless) {
    result.format = FaceImage::Format::jpeg2000;
  } else {
    throw Error(ErrorCode::not_supported,
                std::string(kFile) + ": ISO/IEC 39794-5 image data format other than JPEG or JPEG 2000");
  }
  if (image.empty()) malformed("ISO/IEC 39794-5 representation holds no image");
  if (sniff_format(image) != result.format)
    malformed("image bytes do not match the declared image data format");
  result.data.assign(image.begin(), image.end());
  if (declared) {
    result.width = declared->width;
    result.height = declared->height;
  }
  return result;
}

// The biometric data block: an ISO/IEC 39794-5 face image data block; the first representation.
FaceImage parse_face_image_data_block(ByteView block) {
  asn1::Tlv data_block = asn1::parse_one(block, kFaceImageDataBlock);
  asn1::TlvReader reader(data_block.value);
  asn1::TlvReader version(reader.expect(0xA0).value);
  context_unsigned(version.expect(0x80));  // generation
  context_unsigned(version.expect(0x81));  // year
  asn1::TlvReader representations(reader.expect(0xA1).value);
  while (!reader.empty()) reader.next();  // extensions

  std::optional<FaceImage> first;
  std::size_t count = 0;
  while (!representations.empty()) {
    asn1::Tlv representation = representations.expect(0x30);
    if (++count > kMaxFaceImages) {
      throw Error(ErrorCode::limit_exceeded, std::string(kFile) + ": more face representations than allowed");
    }
    if (!first) first = parse_representation(representation.value);
  }
  if (!first) malformed("ISO/IEC 39794-5 face image data block without a representation");
  return *first;
}

// Which face record the biometric data block holds: ISO/IEC 19794-5 starts with "FAC\0", ISO/IEC
// 39794-5 with its [APPLICATION 5] tag. The CBEFF header's format type (0x0008 / 0x002A) says the same
// on a well-made card; the bytes themselves decide.
FaceImage parse_biometric_data_block(ByteView block) {
  FaceImage face;
  if (!block.empty() && block[0] == kFaceImageDataBlock) {
    face = parse_face_image_data_block(block);
  } else {
    face = parse_facial_record(block);
  }
  // A record may leave the dimensions unspecified (39794-5 without an image size block, or zeros):
  // the image's own header has them.
  if (face.width == 0 || face.height == 0) {
    ImageSize size = read_image_size(face.data, face.format);
    face.width = size.width;
    face.height = size.height;
  }
  return face;
}

}  // namespace

// DG2 (ICAO Doc 9303 Part 10 section 4.7.2): 75 { 7F61 { 02 count, 7F60 { A1 header, 5F2E data } ... } },
// the data an ISO/IEC 19794-5 facial record or an ISO/IEC 39794-5 face image data block.
FaceImage parse_dg2(ByteView file) {
  return detail::in_file(kFile, [file] {
    asn1::Tlv outer = asn1::parse_first(file);
    if (outer.tag != 0x75) malformed("not a DG2 (outer tag is not 75)");
    asn1::TlvReader outer_reader(outer.value);
    asn1::Tlv group = outer_reader.expect(0x7F61);

    asn1::TlvReader reader(group.value);
    asn1::Tlv count_tlv = reader.expect(0x02);
    std::uint64_t count = asn1::decode_unsigned(count_tlv);
    if (count == 0) malformed("no biometric template");
    if (count > kMaxFaceImages) {
      throw Error(ErrorCode::limit_exceeded, std::string(kFile) + ": more face images than allowed");
    }
    std::optional<FaceImage> first;
    std::uint64_t instances = 0;
    while (!reader.empty()) {
      asn1::Tlv instance = reader.next();
      if (instance.tag != 0x7F60) malformed("biometric template is not 7F60");
      if (++instances > count) malformed("more biometric templates than the count says");
      asn1::TlvReader template_reader(instance.value);
      std::optional<ByteView> data;
      while (!template_reader.empty()) {
        asn1::Tlv element = template_reader.next();
        if (element.tag == 0x5F2E || element.tag == 0x7F2E) {
          if (data) malformed("two biometric data blocks in one template");
          data = element.value;
        }
        // A1 (biometric header template) and anything else: not needed to show the face.
      }
      if (!data) malformed("biometric template without data block");
      if (!first) first = parse_biometric_data_block(*data);
    }
    if (instances != count) malformed("fewer biometric templates than the count says");
    return *first;
  });
}

}  // namespace cccd::lds
