#include "cli/messages.hpp"

#include "cli/translate.hpp"

#include <cccd/error.hpp>
#include <cccd/report.hpp>

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
    .document_validity = "Hiệu lực thẻ:           ",
    .policy = "Chính sách:             ",
    .policy_chip_required = "bắt buộc chứng minh chip thật",
    .policy_chip_optional = "không bắt buộc chứng minh chip thật",
    .policy_expired_accepted = "chấp nhận thẻ hết hạn",
    .policy_expired_refused = "không chấp nhận thẻ hết hạn",
    .policy_date = "xét tại ngày ",
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
    .place_card = "Đặt thẻ lên đầu đọc... (Ctrl-C để dừng)",
    .remove_card = "Xin lấy thẻ ra.",
    .card_number = "Thẻ số ",
    .stopped = "Đã dừng. Số thẻ đã đọc: ",
    .files = "tệp",
    .pcsc_readers = "Đầu đọc PC/SC:",
    .nfc_devices = "Thiết bị libnfc:",
    .none = "không có",
    .nfc_none_hint = "không có; đầu đọc PN532 nối tiếp được chỉ thẳng: --reader pn532_uart:/dev/ttyUSB0",
    .csca_certificates = "Chứng thư CSCA: ",
    .from = " của ",
    .country = " quốc gia",
    .countries = " quốc gia",
    .master_list_roots = "Chứng thư gốc của danh sách chủ (master list): ",
    .master_lists = "Danh sách chủ (master list): ",
    .certificates_new = " mới",
    .signed_on = "ký ",
    .signed_at_no_time = "không ghi thời điểm",
    .signed_by = " bởi ",
    .certificates = " chứng thư",
    .crls = "CRL: ",
    .revoked_issued = " bị thu hồi, phát hành ",
    .next_update = ", lần sau ",
    .crl_verified = ", chữ ký đã được CSCA xác minh",
    .crl_not_verified = ", KHÔNG được CSCA nào trong kho xác minh (bỏ qua)",
    .by_country = "Theo quốc gia:",
    .photo_error = "LỖI GHI ẢNH (kết quả xác thực ở trên vẫn giữ nguyên): ",
    .usage_hint = "Chạy với --help để xem hướng dẫn.",
    .internal_error = "lỗi nội bộ: ",
    .language = Language::vi,
    .qr_consistency = "Mã QR/chip (DG13):      ",
    .source = "Nguồn:                  ",
    .source_pcsc = "đầu đọc PC/SC",
    .source_nfc = "đầu đọc libnfc",
    .source_virtual = "THẺ ẢO (--sim), không phải thẻ thật",
    .source_custom = "transport của ứng dụng",
    .source_dump = "bản sao đã lưu (dump)",
    .no_reader =
        "Không có đầu đọc thẻ: hãy cắm đầu đọc (cccd-verify readers liệt kê các đầu đọc) và kiểm tra "
        "dịch vụ PC/SC (pcscd) đang chạy",
    .waiting_for_reader = "Chưa có đầu đọc thẻ: đang chờ cắm đầu đọc... (Ctrl-C để dừng)",
    .ask_citizen =
        "Quét mã QR trên mặt trước thẻ hoặc nhập số định danh (12 số), rồi Enter (Ctrl-C để dừng):",
    .received_id = "Đã nhận số định danh ",
    .received_qr = " (từ mã QR)",
    .entry_refused = "Không dùng được: ",
    .check_scanner_layout = "Kiểm tra kiểu bàn phím (keyboard layout) của máy quét: phải giống của máy tính.",
};

constexpr Messages kEnglish{
    .verified = "RESULT: VERIFIED",
    .not_verified = "RESULT: NOT VERIFIED",
    .access = "Chip access:            ",
    .data_integrity = "Data integrity:         ",
    .signer_trust = "Signer trust:           ",
    .chip_authenticity = "Chip authenticity:      ",
    .consistency = "DG1/DG13 consistency:   ",
    .document_validity = "Document validity:      ",
    .policy = "Policy:                 ",
    .policy_chip_required = "chip authenticity required",
    .policy_chip_optional = "chip authenticity not required",
    .policy_expired_accepted = "expired cards accepted",
    .policy_expired_refused = "expired cards refused",
    .policy_date = "judged on ",
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
    .place_card = "Place a card on the reader... (Ctrl-C to stop)",
    .remove_card = "Please remove the card.",
    .card_number = "Card ",
    .stopped = "Stopped. Cards read: ",
    .files = "files",
    .pcsc_readers = "PC/SC readers:",
    .nfc_devices = "libnfc devices:",
    .none = "none",
    .nfc_none_hint = "none; a serial PN532 is named directly: --reader pn532_uart:/dev/ttyUSB0",
    .csca_certificates = "CSCA certificates: ",
    .from = " from ",
    .country = " country",
    .countries = " countries",
    .master_list_roots = "master list roots: ",
    .master_lists = "master lists: ",
    .certificates_new = " new",
    .signed_on = "signed ",
    .signed_at_no_time = "at no stated time",
    .signed_by = " by ",
    .certificates = " certificates",
    .crls = "CRLs: ",
    .revoked_issued = " revoked, issued ",
    .next_update = ", next ",
    .crl_verified = ", signature verified by its CSCA",
    .crl_not_verified = ", NOT verified by a CSCA of the store (ignored)",
    .by_country = "by country:",
    .photo_error = "PHOTO NOT WRITTEN (the verification result above stands): ",
    .usage_hint = "Run with --help for more information.",
    .internal_error = "internal error: ",
    .language = Language::en,
    .qr_consistency = "QR code/chip (DG13):    ",
    .source = "Source:                 ",
    .source_pcsc = "PC/SC reader",
    .source_nfc = "libnfc reader",
    .source_virtual = "VIRTUAL card (--sim), not a real card",
    .source_custom = "the application's transport",
    .source_dump = "a saved dump",
    .no_reader =
        "No card reader: connect a reader (cccd-verify readers lists them) and check that the PC/SC "
        "service (pcscd) is running",
    .waiting_for_reader = "No card reader yet: waiting for one to be connected... (Ctrl-C to stop)",
    .ask_citizen =
        "Scan the QR code on the card's front or type the ID number (12 digits), then Enter (Ctrl-C "
        "to stop):",
    .received_id = "Received ID number ",
    .received_qr = " (from the QR code)",
    .entry_refused = "Not usable: ",
    .check_scanner_layout = "Check the scanner's keyboard layout: it must be the computer's.",
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

const char* Messages::source_name(std::string_view kind) const {
  if (kind == "pcsc") return source_pcsc;
  if (kind == "nfc") return source_nfc;
  if (kind == "virtual") return source_virtual;
  if (kind == "dump") return source_dump;
  return source_custom;
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

std::string Messages::error_kind(ErrorCode code) const {
  if (language == Language::en) return error_code_name(code);
  switch (code) {
    case ErrorCode::invalid_argument:
      return "tham số không hợp lệ";
    case ErrorCode::io:
      return "lỗi tệp";
    case ErrorCode::transport:
      return "lỗi kết nối đầu đọc";
    case ErrorCode::no_reader:
      return "không có đầu đọc";
    case ErrorCode::no_card:
      return "không có thẻ";
    case ErrorCode::card_removed:
      return "thẻ bị lấy ra";
    case ErrorCode::timeout:
      return "hết thời gian chờ";
    case ErrorCode::cancelled:
      return "đã hủy";
    case ErrorCode::access_denied:
      return "từ chối truy cập";
    case ErrorCode::secure_messaging:
      return "lỗi kênh bảo mật";
    case ErrorCode::card_error:
      return "lỗi của thẻ";
    case ErrorCode::file_not_found:
      return "không tìm thấy";
    case ErrorCode::malformed_data:
      return "dữ liệu sai định dạng";
    case ErrorCode::crypto:
      return "lỗi mật mã";
    case ErrorCode::not_supported:
      return "không hỗ trợ";
    case ErrorCode::limit_exceeded:
      return "vượt giới hạn";
    case ErrorCode::internal:
      return "lỗi nội bộ";
  }
  return "lỗi";
}

std::string Messages::library_text(std::string_view english) const {
  return language == Language::vi ? to_vietnamese(english) : std::string(english);
}

std::string Messages::card_value(std::string_view value) const {
  if (language == Language::vi) return std::string(value);
  // DG13's Vietnamese words that English output shows in English; anything else (names, places) as is.
  if (value == "Nam") return "Male";
  if (value == "Nữ") return "Female";
  if (value == "Không thời hạn" || value == "không thời hạn") return "No expiry";
  if (value == "Không") return "None";
  if (value == "Việt Nam") return "Viet Nam";
  return std::string(value);
}

}  // namespace cccd::cli
