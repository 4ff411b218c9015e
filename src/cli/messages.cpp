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
    .place_card = "Đặt thẻ lên đầu đọc... (Ctrl-C để dừng)",
    .remove_card = "Xin lấy thẻ ra.",
    .card_number = "Thẻ số ",
    .stopped = "Đã dừng. Số thẻ đã đọc: ",
    .files = "tệp",
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

}  // namespace cccd::cli
