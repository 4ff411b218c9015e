#include "cli/human_output.hpp"

#include <iomanip>

namespace cccd::cli {
namespace {

const char* status_label(FindingStatus status) {
  switch (status) {
    case FindingStatus::passed:
      return "đạt (passed)";
    case FindingStatus::failed:
      return "KHÔNG ĐẠT (failed)";
    case FindingStatus::unknown:
      return "chưa xác định (unknown)";
    case FindingStatus::not_supported:
      return "thẻ không hỗ trợ (not supported)";
    case FindingStatus::not_checked:
      return "chưa kiểm tra (not checked)";
  }
  return "";
}

void line(std::ostream& out, const char* label, const std::string& value) {
  if (value.empty()) return;
  out << "  " << label << value << '\n';
}

void finding(std::ostream& out, const char* label, const Finding& f) {
  out << "  " << label << status_label(f.status);
  if (!f.detail.empty()) out << " — " << f.detail;
  out << '\n';
}

}  // namespace

void print_report(std::ostream& out, const Report& report) {
  const Verdict& v = report.verdict;
  out << (v.verified ? "KẾT QUẢ: ĐÃ XÁC THỰC (verified)\n" : "KẾT QUẢ: CHƯA XÁC THỰC (not verified)\n");
  finding(out, "Truy cập chip (access):             ", v.access);
  finding(out, "Toàn vẹn dữ liệu (data integrity):  ", v.data_integrity);
  finding(out, "Tin cậy người ký (signer trust):    ", v.signer_trust);
  finding(out, "Chip thật (chip authenticity):      ", v.chip_authenticity);
  finding(out, "Nhất quán DG1/DG13 (consistency):   ", v.consistency);
  if (v.test_csca) {
    out << "  Lưu ý: chứng thư gốc là CSCA THỬ NGHIỆM của thẻ ảo libcccd, không phải cơ quan cấp thẻ thật.\n"
           "  Note: trust rests on the virtual card's TEST CSCA, not a real issuing authority.\n";
  }

  if (report.document.personal) {
    const PersonalData& p = *report.document.personal;
    out << "\nThông tin công dân (DG13)\n";
    line(out, "Số định danh cá nhân:   ", p.id_number());
    line(out, "Họ và tên:              ", p.full_name());
    line(out, "Ngày sinh:              ", p.date_of_birth());
    line(out, "Giới tính:              ", p.sex());
    line(out, "Quốc tịch:              ", p.nationality());
    line(out, "Dân tộc:                ", p.ethnicity());
    line(out, "Tôn giáo:               ", p.religion());
    line(out, "Quê quán:               ", p.place_of_origin());
    line(out, "Nơi thường trú:         ", p.place_of_residence());
    line(out, "Đặc điểm nhận dạng:     ", p.identification_marks());
    line(out, "Ngày cấp:               ", p.date_of_issue());
    line(out, "Có giá trị đến:         ", p.date_of_expiry());
    line(out, "Họ tên cha:             ", p.father_name());
    line(out, "Họ tên mẹ:              ", p.mother_name());
    line(out, "Họ tên vợ/chồng:        ", p.spouse_name());
    line(out, "Số CMND/CCCD cũ:        ", p.former_id_number());
  }
  if (report.document.mrz) {
    const Mrz& m = *report.document.mrz;
    out << "\nMRZ (DG1)\n";
    line(out, "Số giấy tờ:             ", m.document_number);
    line(out, "Họ tên (MRZ):           ", m.primary_identifier + " " + m.secondary_identifier);
  }
  if (report.document.face) {
    const FaceImage& f = *report.document.face;
    out << "\nẢnh chân dung (DG2): " << format_name(f.format) << ", " << f.width << "x" << f.height << ", "
        << f.data.size() << " bytes\n";
  }
  for (const std::string& e : report.document.parse_errors)
    out << "Lỗi phân tích (parse error): " << e << '\n';
  if (!report.dump.denied.empty()) {
    out << "\nKhông được phép đọc (denied, needs Terminal Authentication):";
    for (FileId f : report.dump.denied) out << ' ' << file_name(f);
    out << '\n';
  }
  const ReadStats& s = report.dump.stats;
  if (s.apdus > 0) {
    out << "\nĐã đọc (read): " << s.apdus << " APDUs, " << s.bytes_sent << " bytes sent, " << s.bytes_received
        << " bytes received, " << std::fixed << std::setprecision(3) << s.seconds << " s\n";
  }
}

void print_error(std::ostream& out, const Error& error) {
  out << "LỖI (error): " << error_code_name(error.code()) << ": " << error.what() << '\n';
}

}  // namespace cccd::cli
