// The JSON of a Report (docs/json-schema.md). Field names are stable: integrators parse them. Written with
// JsonWriter, each object's keys in byte order (the order the DOM this replaced printed them in).
#include <cccd/report.hpp>

#include "util/json_writer.hpp"

namespace cccd {
namespace {

constexpr const char* kSchemaId = "https://libcccd.invalid/schema/result-1.json";

// A finding's members that sort before and after its extra ones: "detail" then, after them, "status".
void finding(JsonWriter& w, const Finding& f) {
  w.begin_object().key("detail").value(f.detail).key("status").value(status_name(f.status)).end_object();
}

void names(JsonWriter& w, const std::vector<FileId>& files) {
  w.begin_array();
  for (FileId f : files) w.value(file_name(f));
  w.end_array();
}

void verdict_json(JsonWriter& w, const Verdict& v) {
  w.begin_object();
  w.key("access");
  finding(w, v.access);
  w.key("chip_authenticity");
  finding(w, v.chip_authenticity);
  w.key("consistency");
  finding(w, v.consistency);

  w.key("data_integrity").begin_object().key("data_groups").begin_array();
  for (const DataGroupHash& h : v.hashes) {
    w.begin_object()
        .key("file")
        .value(file_name(h.file))
        .key("in_sod")
        .value(h.present_in_sod)
        .key("matches")
        .value(h.matches)
        .key("read")
        .value(h.read)
        .end_object();
  }
  w.end_array();
  w.key("detail").value(v.data_integrity.detail).key("hash_algorithm").value(v.hash_algorithm);
  w.key("signature_algorithm").value(v.signature_algorithm);
  w.key("status").value(status_name(v.data_integrity.status)).end_object();

  w.key("document_validity");
  finding(w, v.document_validity);
  w.key("overall").value(v.verified ? "verified" : "not_verified");
  const VerificationPolicy& p = v.policy;
  w.key("policy").begin_object().key("accept_expired").value(p.accept_expired);
  w.key("judgement_date").value(p.at ? to_string(vietnam_date_at(*p.at)) : std::string());
  w.key("require_chip_authenticity").value(p.require_chip_authenticity).end_object();
  if (v.qr_consistency) {
    w.key("qr_consistency");
    finding(w, *v.qr_consistency);
  }
  w.key("signer_trust").begin_object().key("csca").value(v.csca_subject);
  w.key("detail").value(v.signer_trust.detail).key("signer").value(v.signer_subject);
  w.key("status").value(status_name(v.signer_trust.status)).key("test_csca").value(v.test_csca);
  w.end_object();
  w.end_object();
}

void mrz_json(JsonWriter& w, const Mrz& m) {
  w.begin_object();
  w.key("check_digits_valid").value(m.check_digits_valid);
  w.key("date_of_birth").value(m.date_of_birth);
  w.key("date_of_expiry").value(m.date_of_expiry);
  w.key("document_code").value(m.document_code);
  w.key("document_number").value(m.document_number);
  w.key("format").value(m.format == Mrz::Format::td1 ? "TD1" : "TD3");
  w.key("given_names").value(m.secondary_identifier);
  w.key("id_number").value(m.cccd_id_number());
  w.key("issuing_state").value(m.issuing_state);
  w.key("nationality").value(m.nationality);
  w.key("sex").value(m.sex);
  w.key("surname").value(m.primary_identifier);
  w.end_object();
}

void personal_json(JsonWriter& w, const PersonalData& p) {
  w.begin_object();
  w.key("date_of_birth").value(p.date_of_birth());
  w.key("date_of_expiry").value(p.date_of_expiry());
  w.key("date_of_issue").value(p.date_of_issue());
  w.key("ethnicity").value(p.ethnicity());
  w.key("father_name").value(p.father_name());
  w.key("fields").begin_array();
  for (const Dg13Field& f : p.fields) {
    w.begin_object().key("number").value(f.number).key("values").strings(f.values).end_object();
  }
  w.end_array();
  w.key("former_id_number").value(p.former_id_number());
  w.key("full_name").value(p.full_name());
  w.key("id_number").value(p.id_number());
  w.key("identification_marks").value(p.identification_marks());
  w.key("mother_name").value(p.mother_name());
  w.key("nationality").value(p.nationality());
  w.key("place_of_origin").value(p.place_of_origin());
  w.key("place_of_residence").value(p.place_of_residence());
  w.key("religion").value(p.religion());
  w.key("sex").value(p.sex());
  w.key("spouse_name").value(p.spouse_name());
  w.end_object();
}

}  // namespace

const char* error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument:
      return "invalid_argument";
    case ErrorCode::io:
      return "io";
    case ErrorCode::transport:
      return "transport";
    case ErrorCode::no_reader:
      return "no_reader";
    case ErrorCode::no_card:
      return "no_card";
    case ErrorCode::card_removed:
      return "card_removed";
    case ErrorCode::timeout:
      return "timeout";
    case ErrorCode::cancelled:
      return "cancelled";
    case ErrorCode::access_denied:
      return "access_denied";
    case ErrorCode::secure_messaging:
      return "secure_messaging";
    case ErrorCode::card_error:
      return "card_error";
    case ErrorCode::file_not_found:
      return "file_not_found";
    case ErrorCode::malformed_data:
      return "malformed_data";
    case ErrorCode::crypto:
      return "crypto";
    case ErrorCode::not_supported:
      return "not_supported";
    case ErrorCode::limit_exceeded:
      return "limit_exceeded";
    case ErrorCode::internal:
      return "internal";
  }
  return "internal";
}

std::string to_json(const Report& report, int indent) {
  JsonWriter w(indent);
  w.begin_object().key("$schema").value(kSchemaId);
  w.key("document").begin_object();
  if (report.document.mrz) mrz_json(w.key("mrz"), *report.document.mrz);
  if (report.document.personal) personal_json(w.key("personal_data"), *report.document.personal);
  if (report.document.face) {
    const FaceImage& face = *report.document.face;
    w.key("photo").begin_object().key("format").value(format_name(face.format));
    w.key("height").value(face.height).key("size").value(face.data.size());
    w.key("width").value(face.width).end_object();
  }
  w.end_object();
  w.key("files").begin_object();
  names(w.key("absent"), report.dump.absent);
  names(w.key("denied"), report.dump.denied);
  w.key("read").begin_array();
  for (const auto& [file, bytes] : report.dump.files) w.value(file_name(file));
  w.end_array().end_object();
  w.key("parse_errors").strings(report.document.parse_errors);
  w.key("source").value(report.source);
  const ReadStats& stats = report.dump.stats;
  w.key("stats").begin_object().key("apdus").value(stats.apdus);
  w.key("bytes_received").value(stats.bytes_received).key("bytes_sent").value(stats.bytes_sent);
  w.key("seconds").value(stats.seconds).end_object();
  verdict_json(w.key("verdict"), report.verdict);
  w.end_object();
  return w.take();
}

std::string error_json(const Error& error, int indent) {
  JsonWriter w(indent);
  w.begin_object().key("$schema").value(kSchemaId);
  w.key("error").begin_object().key("code").value(error_code_name(error.code()));
  w.key("message").value(error.what()).end_object();
  w.key("verdict").begin_object().key("overall").value("not_verified").end_object();
  w.end_object();
  return w.take();
}

}  // namespace cccd
