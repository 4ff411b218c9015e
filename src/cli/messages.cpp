#include "cli/messages.hpp"

#include <cccd/error.hpp>

#include <string>

namespace cccd::cli {
namespace {

// Labels are padded to one width per table so that the values line up in a terminal.
constexpr Messages kVietnamese{
    .verified = "KẾT QUẢ: ĐÃ XÁC THỰC",
    .not_verified = "KẾT QUẢ: CHƯA XÁC THỰC",
    .access = "Truy cập chip:          ",
    .data_integrity = "Toàn vẹn dữ liệu:       ",
    .signer_trust = "Tin cậy người ký:       ",
    .chip_authenticity = "Chip thật:              ",
    .consistency = "Nhất quán DG1/DG13:     ",
    .passed = "đạt",
    .failed = "KHÔNG ĐẠT",
    .unknown = "chưa xác định",
    .not_supported = "thẻ không hỗ trợ",
    .not_checked = "chưa kiểm tra",
    .test_csca_note =
        "Lưu ý: chứng thư gốc là CSCA THỬ NGHIỆM của thẻ ảo libcccd, không phải cơ quan cấp thẻ thật.",
    .personal_heading = "Thông tin công dân (DG13)",
    .id_number = "Số định danh cá nhân:   ",
    .full_name = "Họ và tên:              ",
    .date_of_birth = "Ngày sinh:              ",
    .sex = "Giới tính:              ",
    .nationality = "Quốc tịch:              ",
    .ethnicity = "Dân tộc:                ",
    .religion = "Tôn giáo:               ",
    .place_of_origin = "Quê quán:               ",
    .place_of_residence = "Nơi thường trú:         ",
    .identification_marks = "Đặc điểm nhận dạng:     ",
    .date_of_issue = "Ngày cấp:               ",
    .date_of_expiry = "Ngày hết hạn:           ",
    .father_name = "Họ tên cha:             ",
    .mother_name = "Họ tên mẹ:              ",
    .spouse_name = "Họ tên vợ/chồng:        ",
    .former_id_number = "Số CMND/CCCD cũ:        ",
    .mrz_heading = "Vùng đọc máy MRZ (DG1)",
    .document_number = "Số giấy tờ:             ",
    .mrz_name = "Họ tên (MRZ):           ",
    .photo = "Ảnh chân dung (DG2): ",
    .bytes = "byte",
    .parse_error = "Lỗi phân tích dữ liệu: ",
    .denied = "Không được phép đọc (cần Terminal Authentication):",
    .read_stats = "Đã đọc: ",
    .bytes_sent = "byte gửi",
    .bytes_received = "byte nhận",
    .error = "LỖI: ",
    .no_reader_using_virtual = "Không tìm thấy đầu đọc PC/SC: đọc thẻ CCCD ảo có sẵn.",
    .place_card = "Đặt thẻ lên đầu đọc... (Ctrl-C để dừng)",
    .remove_card = "Xin lấy thẻ ra.",
    .card_number = "Thẻ số ",
    .stopped = "Đã dừng. Số thẻ đã đọc: ",
    .files = "tệp",
};

constexpr Messages kEnglish{
    .verified = "RESULT: VERIFIED",
    .not_verified = "RESULT: NOT VERIFIED",
    .access = "Chip access:            ",
    .data_integrity = "Data integrity:         ",
    .signer_trust = "Signer trust:           ",
    .chip_authenticity = "Chip authenticity:      ",
    .consistency = "DG1/DG13 consistency:   ",
    .passed = "passed",
    .failed = "FAILED",
    .unknown = "unknown",
    .not_supported = "not supported by the card",
    .not_checked = "not checked",
    .test_csca_note =
        "Note: trust rests on the libcccd virtual card's TEST CSCA, not a real issuing authority.",
    .personal_heading = "Citizen data (DG13)",
    .id_number = "Personal ID number:     ",
    .full_name = "Full name:              ",
    .date_of_birth = "Date of birth:          ",
    .sex = "Sex:                    ",
    .nationality = "Nationality:            ",
    .ethnicity = "Ethnicity:              ",
    .religion = "Religion:               ",
    .place_of_origin = "Place of origin:        ",
    .place_of_residence = "Place of residence:     ",
    .identification_marks = "Identifying marks:      ",
    .date_of_issue = "Date of issue:          ",
    .date_of_expiry = "Date of expiry:         ",
    .father_name = "Father's name:          ",
    .mother_name = "Mother's name:          ",
    .spouse_name = "Spouse's name:          ",
    .former_id_number = "Former ID number:       ",
    .mrz_heading = "Machine readable zone (DG1)",
    .document_number = "Document number:        ",
    .mrz_name = "Name (MRZ):             ",
    .photo = "Face image (DG2): ",
    .bytes = "bytes",
    .parse_error = "Parse error: ",
    .denied = "Not allowed to read (needs Terminal Authentication):",
    .read_stats = "Read: ",
    .bytes_sent = "bytes sent",
    .bytes_received = "bytes received",
    .error = "ERROR: ",
    .no_reader_using_virtual = "No PC/SC reader found: reading the built-in virtual CCCD.",
    .place_card = "Place a card on the reader... (Ctrl-C to stop)",
    .remove_card = "Please remove the card.",
    .card_number = "Card ",
    .stopped = "Stopped. Cards read: ",
    .files = "files",
};

}  // namespace

Language language_from(std::string_view name) {
  if (name == "vi") return Language::vi;
  if (name == "en") return Language::en;
  throw Error(ErrorCode::invalid_argument, "--lang: give vi (Tiếng Việt, the default) or en (English)");
}

const Messages& messages(Language language) {
  return language == Language::en ? kEnglish : kVietnamese;
}

const char* Messages::status(FindingStatus value) const {
  switch (value) {
    case FindingStatus::passed:
      return passed;
    case FindingStatus::failed:
      return failed;
    case FindingStatus::unknown:
      return unknown;
    case FindingStatus::not_supported:
      return not_supported;
    case FindingStatus::not_checked:
      return not_checked;
  }
  return unknown;
}

}  // namespace cccd::cli
