// The JSON of a Report (docs/json-schema.md). Field names are stable: integrators parse them.
#include <cccd/report.hpp>

#include <nlohmann/json.hpp>

namespace cccd {
namespace {

using nlohmann::json;

constexpr const char* kSchemaId = "https://libcccd.invalid/schema/result-1.json";

json finding(const Finding& f) {
  return json{{"status", status_name(f.status)}, {"detail", f.detail}};
}

json names(const std::vector<FileId>& files) {
  json out = json::array();
  for (FileId f : files) out.push_back(std::string(file_name(f)));
  return out;
}

json verdict_json(const Verdict& v) {
  json integrity = finding(v.data_integrity);
  integrity["hash_algorithm"] = v.hash_algorithm;
  integrity["signature_algorithm"] = v.signature_algorithm;
  json groups = json::array();
  for (const DataGroupHash& h : v.hashes) {
    groups.push_back({{"file", std::string(file_name(h.file))},
                      {"in_sod", h.present_in_sod},
                      {"read", h.read},
                      {"matches", h.matches}});
  }
  integrity["data_groups"] = groups;
  json trust = finding(v.signer_trust);
  trust["signer"] = v.signer_subject;
  trust["csca"] = v.csca_subject;
  trust["test_csca"] = v.test_csca;
  json out{{"overall", v.verified ? "verified" : "not_verified"},
           {"access", finding(v.access)},
           {"data_integrity", integrity},
           {"signer_trust", trust},
           {"chip_authenticity", finding(v.chip_authenticity)},
           {"consistency", finding(v.consistency)}};
  if (v.qr_consistency) out["qr_consistency"] = finding(*v.qr_consistency);
  return out;
}

json mrz_json(const Mrz& m) {
  return json{{"format", m.format == Mrz::Format::td1 ? "TD1" : "TD3"},
              {"document_code", m.document_code},
              {"issuing_state", m.issuing_state},
              {"document_number", m.document_number},
              {"id_number", m.cccd_id_number()},
              {"date_of_birth", m.date_of_birth},
              {"sex", m.sex},
              {"date_of_expiry", m.date_of_expiry},
              {"nationality", m.nationality},
              {"surname", m.primary_identifier},
              {"given_names", m.secondary_identifier},
              {"check_digits_valid", m.check_digits_valid}};
}

json personal_json(const PersonalData& p) {
  json fields = json::array();
  for (const Dg13Field& f : p.fields) fields.push_back({{"number", f.number}, {"values", f.values}});
  return json{{"id_number", p.id_number()},
              {"full_name", p.full_name()},
              {"date_of_birth", p.date_of_birth()},
              {"sex", p.sex()},
              {"nationality", p.nationality()},
              {"ethnicity", p.ethnicity()},
              {"religion", p.religion()},
              {"place_of_origin", p.place_of_origin()},
              {"place_of_residence", p.place_of_residence()},
              {"identification_marks", p.identification_marks()},
              {"date_of_issue", p.date_of_issue()},
              {"date_of_expiry", p.date_of_expiry()},
              {"father_name", p.father_name()},
              {"mother_name", p.mother_name()},
              {"spouse_name", p.spouse_name()},
              {"former_id_number", p.former_id_number()},
              {"fields", fields}};
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
  json document = json::object();
  if (report.document.mrz) document["mrz"] = mrz_json(*report.document.mrz);
  if (report.document.personal) document["personal_data"] = personal_json(*report.document.personal);
  if (report.document.face) {
    const FaceImage& face = *report.document.face;
    document["photo"] = {{"format", std::string(format_name(face.format))},
                         {"width", face.width},
                         {"height", face.height},
                         {"size", face.data.size()}};
  }
  json read_files = json::array();
  for (const auto& [file, bytes] : report.dump.files) read_files.push_back(std::string(file_name(file)));
  json out{
      {"$schema", kSchemaId},
      {"source", report.source},
      {"verdict", verdict_json(report.verdict)},
      {"document", document},
      {"files",
       {{"read", read_files}, {"denied", names(report.dump.denied)}, {"absent", names(report.dump.absent)}}},
      {"parse_errors", report.document.parse_errors},
      {"stats",
       {{"apdus", report.dump.stats.apdus},
        {"bytes_sent", report.dump.stats.bytes_sent},
        {"bytes_received", report.dump.stats.bytes_received},
        {"seconds", report.dump.stats.seconds}}}};
  // Card data may hold anything; replace invalid UTF-8 rather than fail to print the verdict.
  return out.dump(indent, ' ', false, json::error_handler_t::replace);
}

std::string error_json(const Error& error, int indent) {
  json out{{"$schema", kSchemaId},
           {"verdict", {{"overall", "not_verified"}}},
           {"error",
            {{
                 "code",
                 error_code_name(error.code()),
             },
             {"message", error.what()}}}};
  return out.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace cccd
