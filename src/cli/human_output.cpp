#include "cli/human_output.hpp"

#include "cli/terminal_text.hpp"

#include <iomanip>

namespace cccd::cli {
namespace {

// The one place a value reaches the output: `label` is the program's own text (messages.cpp), `value`
// may come from the card, a dump or a certificate and is printed through terminal_safe(), so that no
// escape sequence, control character or bidi override in it reaches the terminal.
void emit(std::ostream& out, std::string_view label, std::string_view value) {
  out << label << terminal_safe(value) << '\n';
}

void line(std::ostream& out, const char* label, const std::string& value) {
  if (value.empty()) return;
  emit(out, std::string("  ") + label, value);
}

void finding(std::ostream& out, const Messages& text, const char* label, const Finding& f) {
  const std::string status = std::string("  ") + label + text.status(f.status);
  if (f.detail.empty()) {
    out << status << '\n';
  } else {
    emit(out, status + " — ", f.detail);
  }
}

}  // namespace

void print_report(std::ostream& out, const Report& report, const Messages& text) {
  const Verdict& v = report.verdict;
  out << text.source << text.source_name(report.source) << '\n';
  out << (v.verified ? text.verified : text.not_verified) << '\n';
  finding(out, text, text.access, v.access);
  finding(out, text, text.data_integrity, v.data_integrity);
  finding(out, text, text.signer_trust, v.signer_trust);
  finding(out, text, text.chip_authenticity, v.chip_authenticity);
  finding(out, text, text.consistency, v.consistency);
  if (v.qr_consistency) finding(out, text, text.qr_consistency, *v.qr_consistency);
  if (v.test_csca) out << "  " << text.test_csca_note << '\n';

  if (report.document.personal) {
    const PersonalData& p = *report.document.personal;
    out << '\n' << text.personal_heading << '\n';
    line(out, text.id_number, p.id_number());
    line(out, text.full_name, p.full_name());
    line(out, text.date_of_birth, p.date_of_birth());
    line(out, text.sex, p.sex());
    line(out, text.nationality, p.nationality());
    line(out, text.ethnicity, p.ethnicity());
    line(out, text.religion, p.religion());
    line(out, text.place_of_origin, p.place_of_origin());
    line(out, text.place_of_residence, p.place_of_residence());
    line(out, text.identification_marks, p.identification_marks());
    line(out, text.date_of_issue, p.date_of_issue());
    line(out, text.date_of_expiry, p.date_of_expiry());
    line(out, text.father_name, p.father_name());
    line(out, text.mother_name, p.mother_name());
    line(out, text.spouse_name, p.spouse_name());
    line(out, text.former_id_number, p.former_id_number());
  }
  if (report.document.mrz) {
    const Mrz& m = *report.document.mrz;
    out << '\n' << text.mrz_heading << '\n';
    line(out, text.document_number, m.document_number);
    line(out, text.mrz_name, m.primary_identifier + " " + m.secondary_identifier);
  }
  if (report.document.face) {
    const FaceImage& f = *report.document.face;
    out << '\n'
        << text.photo << format_name(f.format) << ", " << f.width << "x" << f.height << ", " << f.data.size()
        << ' ' << text.bytes << '\n';
  }
  for (const std::string& e : report.document.parse_errors) emit(out, text.parse_error, e);
  if (!report.dump.denied.empty()) {
    out << '\n' << text.denied;
    for (FileId f : report.dump.denied) out << ' ' << file_name(f);
    out << '\n';
  }
  const ReadStats& s = report.dump.stats;
  if (s.apdus > 0) {
    out << '\n'
        << text.read_stats << s.apdus << " APDU, " << s.bytes_sent << ' ' << text.bytes_sent << ", "
        << s.bytes_received << ' ' << text.bytes_received << ", " << std::fixed << std::setprecision(3)
        << s.seconds << " s\n";
  }
}

void print_error(std::ostream& out, const Error& error, const Messages& text) {
  emit(out, std::string(text.error) + std::string(error_code_name(error.code())) + ": ", error.what());
}

}  // namespace cccd::cli
