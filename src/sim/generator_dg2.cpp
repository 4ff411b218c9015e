#include "asn1/der.hpp"
#include "sim/face_image.hpp"
#include "sim/generator.hpp"
#include "util/bytes.hpp"

namespace cccd::sim {
namespace {

// ISO/IEC 19794-5:2005 codes.
constexpr std::uint8_t kGenderMale = 0x01;
constexpr std::uint8_t kGenderFemale = 0x02;
constexpr std::uint8_t kEyeColourBlack = 0x01;
constexpr std::uint8_t kHairColourBlack = 0x02;
constexpr std::uint16_t kExpressionNeutral = 0x0001;
constexpr std::uint8_t kFaceTypeFullFrontal = 0x01;
constexpr std::uint8_t kImageDataJpeg = 0x00;
constexpr std::uint8_t kImageDataJpeg2000 = 0x01;
constexpr std::uint8_t kColourSpaceRgb24 = 0x01;
constexpr std::uint8_t kSourceDigitalCamera = 0x02;

constexpr std::size_t kGeneralHeaderSize = 14;  // "FAC\0", "010\0", record length (4), face count (2)
constexpr std::size_t kFacialHeaderSize = 20;
constexpr std::size_t kImageInfoSize = 12;

void put(Bytes& out, std::uint64_t value, std::size_t width) {
  append(out, be_bytes(value, width));
}

// One ISO/IEC 19794-5 facial record holding one face image (JPEG or JPEG 2000).
Bytes facial_record(const Holder& holder, ByteView image, FaceFormat format) {
  const std::size_t face_block = kFacialHeaderSize + kImageInfoSize + image.size();
  Bytes out{'F', 'A', 'C', 0x00, '0', '1', '0', 0x00};
  put(out, kGeneralHeaderSize + face_block, 4);
  put(out, 1, 2);  // one facial image
  // Facial record header.
  put(out, face_block, 4);
  put(out, 0, 2);  // no feature points
  out.push_back(holder.sex == "M" ? kGenderMale : kGenderFemale);
  out.push_back(kEyeColourBlack);
  out.push_back(kHairColourBlack);
  put(out, 0, 3);  // feature mask: no features specified
  put(out, kExpressionNeutral, 2);
  put(out, 0, 3);  // pose angle: yaw, pitch, roll
  put(out, 0, 3);  // pose angle uncertainty
  // Image information.
  out.push_back(kFaceTypeFullFrontal);
  out.push_back(format == FaceFormat::jpeg2000 ? kImageDataJpeg2000 : kImageDataJpeg);
  put(out, kFaceWidth, 2);
  put(out, kFaceHeight, 2);
  out.push_back(kColourSpaceRgb24);
  out.push_back(kSourceDigitalCamera);
  put(out, 0, 2);  // device type: unspecified
  put(out, 0, 2);  // quality: unspecified
  append(out, image);
  return out;
}

}  // namespace

Bytes build_dg2(const Holder& holder, std::uint64_t seed, FaceFormat format) {
  validate_holder(holder);
  const Bytes image = face_image(seed, holder.sex == "M" ? FaceGender::male : FaceGender::female, format);
  const std::uint8_t icao_header_version[] = {0x01, 0x01};
  const std::uint8_t biometric_type_face[] = {0x02};
  const std::uint8_t format_owner_icao[] = {0x01, 0x01};
  const std::uint8_t format_type_face[] = {0x00, 0x08};
  // CBEFF (ICAO 9303 Part 10 section 4.7.2): biometric information group template with one biometric
  // information template: its header (A1) and the ISO/IEC 19794-5 record (5F2E).
  const Bytes header =
      asn1::tlv(0xA1, {asn1::tlv(0x80, icao_header_version), asn1::tlv(0x81, biometric_type_face),
                       asn1::tlv(0x87, format_owner_icao), asn1::tlv(0x88, format_type_face)});
  const Bytes biometric =
      asn1::tlv(0x7F60, {header, asn1::tlv(0x5F2E, facial_record(holder, image, format))});
  return asn1::tlv(0x75, {asn1::tlv(0x7F61, {asn1::der_integer(1), biometric})});
}

}  // namespace cccd::sim
