#include "asn1/tlv.hpp"
#include "lds/lds.hpp"
#include "lds/parse_context.hpp"
#include "util/bytes.hpp"

#include <algorithm>
#include <array>

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

}  // namespace

// DG2 (ICAO Doc 9303 Part 10 section 4.7.2): 75 { 7F61 { 02 count, 7F60 { A1 header, 5F2E data } ... } }.
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
      if (!first) first = parse_facial_record(*data);
    }
    if (instances != count) malformed("fewer biometric templates than the count says");
    return *first;
  });
}

}  // namespace cccd::lds
